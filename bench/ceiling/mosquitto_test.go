package ceiling

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"testing"
	"time"
)

// mosquittoTool returns the path of a Debian mosquitto client, failing
// the test when it is missing (make deps installs it).
func mosquittoTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found (run make deps): %v", name, err)
	}
	return p
}

// TestMosquittoClients runs mosquitto_sub and mosquitto_pub against the
// relay at QoS 0, 1 and 2, with a wildcard filter.
func TestMosquittoClients(t *testing.T) {
	subTool, pubTool := mosquittoTool(t, "mosquitto_sub"), mosquittoTool(t, "mosquitto_pub")
	r := startRelay(t)
	host, port, _ := net.SplitHostPort(r.Addr().String())
	for _, version := range []string{"mqttv311", "mqttv5"} {
		t.Run(version, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var out bytes.Buffer
			sub := exec.CommandContext(ctx, subTool, "-h", host, "-p", port, "-V", version,
				"-t", "mq/+/"+version, "-q", "2", "-C", "3", "-v")
			sub.Stdout, sub.Stderr = &out, &out
			if err := sub.Start(); err != nil {
				t.Fatal(err)
			}
			// mosquitto_sub prints nothing when subscribed: wait for the
			// relay to hold its subscription.
			deadline := time.Now().Add(5 * time.Second)
			for !r.subscribed("mq/+/"+version) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			for qos := range 3 {
				pub := exec.CommandContext(ctx, pubTool, "-h", host, "-p", port, "-V", version,
					"-t", fmt.Sprintf("mq/%d/%s", qos, version), "-q", fmt.Sprint(qos), "-m", fmt.Sprintf("message at qos %d", qos))
				if b, err := pub.CombinedOutput(); err != nil {
					t.Fatalf("mosquitto_pub -q %d: %v: %s", qos, err, b)
				}
			}
			if err := sub.Wait(); err != nil {
				t.Fatalf("mosquitto_sub: %v: %s", err, out.String())
			}
			want := fmt.Sprintf("mq/0/%[1]s message at qos 0\nmq/1/%[1]s message at qos 1\nmq/2/%[1]s message at qos 2\n", version)
			if got := out.String(); got != want {
				t.Fatalf("mosquitto_sub printed\n%s\nwant\n%s", got, want)
			}
		})
	}
}
