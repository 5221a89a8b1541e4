package main

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/midge-mqtt/midge/client/clienttest"
)

// TestUnixSocketAndWillFlags: --unix reaches the broker's socket, and the
// --will-* flags set a will that the broker publishes when the tool dies.
func TestUnixSocketAndWillFlags(t *testing.T) {
	b := clienttest.Start(t, "mosquitto", clienttest.Config{Unix: true})
	env := isolatedEnv(t)
	port := fmt.Sprint(b.Port)
	watch := startTool(t, env, toolArgv(t, "mosquitto", "sub", "-p", port, "-t", "u/#", "-t", "w/#", "-v", "-q", "1", "-W", "20")...)
	waitSubscribedOn(t, env, port, watch, "u/0probe")

	if r := runTool(t, env, "", toolArgv(t, "midge", "pub", "--unix", b.UnixPath, "-t", "u/sock", "-m", "via unix", "-q", "1")...); r.code != 0 {
		t.Fatalf("pub --unix: %d %s", r.code, r.stderr)
	}
	watch.waitFor(t, "u/sock via unix")

	dying := startTool(t, env, toolArgv(t, "midge", "sub", "-p", port, "-t", "nothing", "-V", "5", "-d",
		"--will-topic", "w/gone", "--will-payload", "midge died", "--will-qos", "1", "-D", "will", "content-type", "text/plain")...)
	dying.waitFor(t, "Subscribed (mid: 1): 0") // connected: its will is armed
	dying.cmd.Process.Signal(syscall.SIGKILL)  // no DISCONNECT: the will goes out [MQTT-3.1.2-8]
	watch.waitFor(t, "w/gone midge died")
}

// waitSubscribedOn publishes probes on topic until sub prints one.
func waitSubscribedOn(t *testing.T, env []string, port string, sub *liveTool, topic string) {
	t.Helper()
	for range 50 {
		runTool(t, env, "", toolArgv(t, "mosquitto", "pub", "-p", port, "-t", topic, "-m", "probe")...)
		if strings.Contains(sub.stdout(), topic+" probe") {
			return
		}
	}
	sub.waitFor(t, topic+" probe")
}
