package main

import (
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// TestMain lets a test run this binary's main: with MOCHIBROKER_MAIN set,
// the test binary is the broker.
func TestMain(m *testing.M) {
	if os.Getenv("MOCHIBROKER_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

// roundTrip subscribes, publishes at QoS 1 and checks the message comes
// back through the broker at address.
func roundTrip(t *testing.T, address string) {
	t.Helper()
	connect := func(id string) paho.Client {
		opts := paho.NewClientOptions().AddBroker("tcp://" + address).SetClientID(id).
			SetConnectTimeout(3 * time.Second).SetAutoReconnect(false)
		c := paho.NewClient(opts)
		if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("connect %s: %v", id, tok.Error())
		}
		t.Cleanup(func() { c.Disconnect(100) })
		return c
	}
	got := make(chan string, 1)
	sub := connect("round-trip-sub")
	tok := sub.Subscribe("peers/+/echo", 1, func(_ paho.Client, m paho.Message) {
		select {
		case got <- m.Topic() + " " + string(m.Payload()):
		default:
		}
	})
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	pub := connect("round-trip-pub")
	if tok := pub.Publish("peers/1/echo", 1, false, "hello mochi"); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
	select {
	case m := <-got:
		if m != "peers/1/echo hello mochi" {
			t.Fatalf("received %q", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5s")
	}
}

func TestPubSubRoundTrip(t *testing.T) {
	server, address, err := start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	roundTrip(t, address)
}

// TestProcessStopsOnSIGTERM runs the broker as a process the way the
// benchmark spawns it and checks it serves, then exits 0 on SIGTERM.
func TestProcessStopsOnSIGTERM(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := l.Addr().String()
	l.Close()
	cmd := exec.Command(os.Args[0], "--listen", address)
	cmd.Env = append(os.Environ(), "MOCHIBROKER_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", address, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("broker not listening on %s: %v", address, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	roundTrip(t, address)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("broker exited with %v after SIGTERM, want status 0", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("broker still running 5s after SIGTERM")
	}
}

func TestBadFlags(t *testing.T) {
	var out nopWriter
	if code := run([]string{"--no-such-flag"}, &out); code != 2 {
		t.Fatalf("unknown flag: exit %d, want 2", code)
	}
	if code := run([]string{"extra"}, &out); code != 2 {
		t.Fatalf("stray argument: exit %d, want 2", code)
	}
}

type nopWriter struct{}

func (*nopWriter) Write(p []byte) (int, error) { return len(p), nil }
