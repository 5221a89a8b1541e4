package main

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

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

// TestSubReconnectsLikeMosquittoSub restarts the broker under both
// subscribers: each reconnects, subscribes again and goes on printing.
func TestSubReconnectsLikeMosquittoSub(t *testing.T) {
	b := clienttest.Start(t, "mosquitto", clienttest.Config{})
	env := isolatedEnv(t)
	port := fmt.Sprint(b.Port)
	args := []string{"-p", port, "-t", "re/#", "-v", "-W", "30"}
	subs := []*liveTool{
		startTool(t, env, toolArgv(t, "midge", "sub", args...)...),
		startTool(t, env, toolArgv(t, "mosquitto", "sub", args...)...),
	}
	// Both subscribed once "re/before" reaches both.
	for range 100 {
		runTool(t, env, "", toolArgv(t, "mosquitto", "pub", "-p", port, "-t", "re/before", "-m", "x")...)
		if strings.Contains(subs[0].stdout(), "re/before") && strings.Contains(subs[1].stdout(), "re/before") {
			break
		}
	}
	b.Restart(t)
	for range 100 {
		runTool(t, env, "", toolArgv(t, "mosquitto", "pub", "-p", port, "-t", "re/after", "-m", "y")...)
		if strings.Contains(subs[0].stdout(), "re/after") && strings.Contains(subs[1].stdout(), "re/after") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i, s := range subs {
		s.cmd.Process.Signal(syscall.SIGTERM)
		code := s.wait(t)
		out := s.stdout()
		if code != 0 || !strings.HasPrefix(out, "re/before x\n") || !strings.HasSuffix(out, "re/after y\n") {
			t.Errorf("%s: exit %d, printed %q", []string{"midge sub", "mosquitto_sub"}[i], code, out)
		}
	}
}
