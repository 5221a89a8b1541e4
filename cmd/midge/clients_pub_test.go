package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/client/clienttest"
)

// TestPubDeliversWhatMosquittoSubExpects publishes with midge pub in every
// mode and checks what mosquitto_sub prints for it.
func TestPubDeliversWhatMosquittoSubExpects(t *testing.T) {
	for _, name := range clienttest.Brokers {
		t.Run(name, func(t *testing.T) {
			b := clienttest.Start(t, name, clienttest.Config{})
			env := isolatedEnv(t)
			port := fmt.Sprint(b.Port)
			file := filepath.Join(t.TempDir(), "payload.bin")
			if err := os.WriteFile(file, []byte("from\x00a file\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				name  string
				args  []string
				stdin string
				want  string // mosquitto_sub -F "%t|%q|%r|%l|%p" lines, then the v5 -F "%P|%C|%R|%D|%E|%F"
			}{
				{"m-qos0-v311", []string{"-t", "p/m", "-m", "hello"}, "", "p/m|0|0|5|hello\n"},
				{"m-qos1-v31", []string{"-t", "p/m1", "-m", "one", "-q", "1", "-V", "31", "-i", "pubv31"}, "", "p/m1|1|0|3|one\n"},
				{"m-qos2-v5", []string{"-t", "p/m2", "-m", "two", "-q", "2", "-V", "5"}, "", "p/m2|2|0|3|two\n"},
				{"f", []string{"-t", "p/f", "-f", file, "-q", "1"}, "", "p/f|1|0|12|from\x00a file\n\n"},
				{"l", []string{"-t", "p/l", "-l", "-q", "2"}, "a\n\nb\r\nlast", "p/l|2|0|1|a\np/l|2|0|0|\np/l|2|0|2|b\r\np/l|2|0|4|last\n"},
				{"s", []string{"-t", "p/s", "-s"}, "x\ny\n", "p/s|0|0|4|x\ny\n\n"},
				{"n", []string{"-t", "p/n", "-n", "-q", "1"}, "", "p/n|1|0|0|\n"},
				{"repeat", []string{"-t", "p/rep", "-m", "again", "--repeat", "3", "--repeat-delay", "0.01", "-q", "1"}, "", strings.Repeat("p/rep|1|0|5|again\n", 3)},
				{"retain", []string{"-t", "p/r", "-m", "kept", "-r", "-q", "1"}, "", "p/r|1|0|4|kept\n"},
				{"url", []string{"-L", "mqtt://127.0.0.1:" + port + "/p/url", "-m", "via url"}, "", "p/url|0|0|7|via url\n"},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					sub := startTool(t, env, toolArgv(t, "mosquitto", "sub", "-p", port, "-t", "p/#", "-T", "p/r",
						"-q", "2", "-F", "%t|%q|%r|%l|%p", "-W", "30")...)
					waitSubscribed(t, env, port, sub)
					args := append([]string{"-p", port}, c.args...)
					if c.name == "url" {
						args = c.args
					}
					r := runTool(t, env, c.stdin, toolArgv(t, "midge", "pub", args...)...)
					if r.code != 0 {
						t.Fatalf("midge pub exit %d: %s", r.code, r.stderr)
					}
					if c.name == "retain" {
						// Retained: a new subscriber gets it with the retain flag set.
						got := runTool(t, env, "", toolArgv(t, "mosquitto", "sub", "-p", port, "-t", "p/r", "-C", "1", "-W", "5", "-F", "%t|%q|%r|%l|%p")...)
						if got.stdout != "p/r|0|1|4|kept\n" {
							t.Errorf("retained message: %q", got.stdout)
						}
						runTool(t, env, "", toolArgv(t, "midge", "pub", "-p", port, "-t", "p/r", "-r", "-n")...)
						return
					}
					got := waitOutput(sub, c.want)
					if got != c.want {
						t.Errorf("mosquitto_sub printed %q, want %q", got, c.want)
					}
				})
			}
			t.Run("v5-properties", func(t *testing.T) {
				sub := startTool(t, env, toolArgv(t, "mosquitto", "sub", "-p", port, "-t", "p/#", "-T", "p/r", "-V", "5",
					"-F", "%t|%P|%C|%R|%D|%E|%F|%p", "-W", "30")...)
				waitSubscribed(t, env, port, sub)
				r := runTool(t, env, "", toolArgv(t, "midge", "pub", "-p", port, "-t", "p/props", "-m", "{}", "-q", "1",
					"-D", "publish", "user-property", "k1", "v1", "-D", "publish", "user-property", "k2", "v2",
					"-D", "publish", "content-type", "application/json", "-D", "publish", "response-topic", "p/reply",
					"-D", "publish", "correlation-data", "c0", "-D", "publish", "message-expiry-interval", "600",
					"-D", "publish", "payload-format-indicator", "1", "-D", "connect", "user-property", "ck", "cv")...)
				if r.code != 0 {
					t.Fatalf("midge pub exit %d: %s", r.code, r.stderr)
				}
				want := "p/props|k1:v1 k2:v2|application/json|p/reply|c0|600|1|{}\n"
				got := waitOutput(sub, want)
				if got != want {
					t.Errorf("got %q want %q", got, want)
				}
			})
		})
	}
}

// waitOutput waits (up to 5s) until sub has printed want after its probe
// lines, and returns what it printed without them.
func waitOutput(sub *liveTool, want string) string {
	filtered := func() string {
		var kept []string
		for _, l := range strings.SplitAfter(sub.stdout(), "\n") {
			if !strings.HasPrefix(l, "p/0probe|") {
				kept = append(kept, l)
			}
		}
		return strings.Join(kept, "")
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(filtered()) < len(want) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // anything extra shows up too
	return filtered()
}

// waitSubscribed publishes a probe with mosquitto_pub until sub prints it,
// so that the message under test is not published before sub subscribed.
func waitSubscribed(t *testing.T, env []string, port string, sub *liveTool) {
	t.Helper()
	for range 50 {
		runTool(t, env, "", toolArgv(t, "mosquitto", "pub", "-p", port, "-t", "p/0probe", "-m", "probe")...)
		if strings.Contains(sub.stdout(), "probe") {
			return
		}
	}
	sub.waitFor(t, "probe")
}
