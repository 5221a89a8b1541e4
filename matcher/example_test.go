package matcher_test

import (
	"fmt"

	"github.com/midge-mqtt/midge/matcher"
)

type session struct{ id string }

func Example() {
	idx := matcher.New[*session]()
	kitchen, dashboard := &session{"kitchen"}, &session{"dashboard"}
	idx.Subscribe(kitchen, "home/kitchen/cmd", matcher.Options{QoS: 1})
	idx.Subscribe(dashboard, "home/+/temp", matcher.Options{QoS: 0, SubscriptionID: 7})
	idx.Subscribe(dashboard, "home/#", matcher.Options{QoS: 2})

	// One Reader per event loop; out is reused from message to message.
	r := idx.NewReader(1024)
	out := make([]matcher.Delivery[*session], 0, 16)
	out = r.Match([]byte("home/kitchen/temp"), out[:0])
	for i := range out {
		d := &out[i]
		fmt.Println(d.Sub.id, d.QoS, d.SubscriptionIDs())
	}
	// Output:
	// dashboard 2 [7]
}

func ExampleRetainedIndex_Visit() {
	var retained matcher.RetainedIndex[string]
	retained.Set("home/kitchen/temp", "21.5")
	retained.Set("home/hall/temp", "19.0")
	retained.Set("$SYS/uptime", "42")
	n := 0
	retained.Visit("+/+/temp", func(topic, v string) bool {
		n++
		return true
	})
	fmt.Println(n)
	retained.Visit("#", func(topic, v string) bool {
		fmt.Println(topic == "$SYS/uptime") // [MQTT-4.7.2-1] never
		return true
	})
	// Output:
	// 2
	// false
	// false
}
