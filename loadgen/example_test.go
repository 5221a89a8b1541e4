package loadgen_test

import (
	"context"
	"fmt"
	"time"

	"github.com/midge-mqtt/midge/loadgen"
)

// Run a scenario against a broker: start from a preset, change what the
// flags would, and read the figures from the result.
func ExampleRun() {
	p, err := loadgen.Preset("pairs")
	if err != nil {
		panic(err)
	}
	p.Address = "127.0.0.1:1883"
	p.Publishers, p.Subscribers, p.Rate, p.QoS = 2, 2, 50, 1
	p.Duration = loadgen.Duration(time.Second)
	d := &loadgen.ClientDialer{Address: p.Address}
	res, err := loadgen.Run(context.Background(), p, d, loadgen.RunOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("sent %d, received %d of %d, lost %d, p99 %.0fus\n",
		res.Sent, res.Received, res.Expected, res.Lost, res.Latency.P99Us)
}
