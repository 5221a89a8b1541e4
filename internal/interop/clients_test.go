package interop

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// received is one message as a client saw it.
type received struct {
	topic   string
	payload string
	qos     byte
	retain  bool
	dup     bool
}

// pahoOpts tune a Paho client.
type pahoOpts struct {
	persistent bool // clean session false
	will       *will
	keepAlive  time.Duration
}

// pahoClient connects a Paho (MQTT 3.1.1) client; every message it receives
// (on any subscription, or with none, for a resumed session) goes to msgs.
// It disconnects when the test ends.
func pahoClient(t testing.TB, b *broker, id string, o pahoOpts) (mqtt.Client, chan received, bool) {
	t.Helper()
	msgs := make(chan received, 10000)
	opts := mqtt.NewClientOptions().
		AddBroker("tcp://" + b.addr).
		SetClientID(id).
		SetProtocolVersion(4).
		SetCleanSession(!o.persistent).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetConnectTimeout(5 * time.Second).
		SetWriteTimeout(5 * time.Second).
		SetOrderMatters(true).
		SetDefaultPublishHandler(func(_ mqtt.Client, m mqtt.Message) {
			msgs <- received{m.Topic(), string(m.Payload()), m.Qos(), m.Retained(), m.Duplicate()}
		})
	if o.keepAlive > 0 {
		opts.SetKeepAlive(o.keepAlive)
	} else {
		opts.SetKeepAlive(30 * time.Second)
	}
	if o.will != nil {
		opts.SetWill(o.will.topic, o.will.payload, o.will.qos, o.will.retain)
	}
	c := mqtt.NewClient(opts)
	tok := c.Connect()
	if !tok.WaitTimeout(10 * time.Second) {
		t.Fatalf("paho %q: connect timed out", id)
	}
	if err := tok.Error(); err != nil {
		t.Fatalf("paho %q: connect: %v", id, err)
	}
	t.Cleanup(func() {
		if c.IsConnected() {
			c.Disconnect(100)
		}
	})
	return c, msgs, tok.(*mqtt.ConnectToken).SessionPresent()
}

// wait waits for a Paho token and fails the test on timeout or error.
func wait(t testing.TB, what string, tok mqtt.Token) {
	t.Helper()
	if !tok.WaitTimeout(10 * time.Second) {
		t.Fatalf("%s: timed out", what)
	}
	if err := tok.Error(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// pahoSubscribe subscribes; messages arrive on the client's channel.
func pahoSubscribe(t testing.TB, c mqtt.Client, filter string, qos byte) {
	t.Helper()
	tok := c.Subscribe(filter, qos, nil)
	wait(t, "subscribe "+filter, tok)
	st := tok.(*mqtt.SubscribeToken)
	if got := st.Result()[filter]; got != qos {
		t.Fatalf("subscribe %s: granted QoS %d, want %d", filter, got, qos)
	}
}

// pahoPublish publishes and waits for the flow to complete.
func pahoPublish(t testing.TB, c mqtt.Client, topic string, qos byte, retain bool, payload string) {
	t.Helper()
	wait(t, "publish "+topic, c.Publish(topic, qos, retain, payload))
}

// next waits for one message.
func next(t testing.TB, msgs <-chan received, timeout time.Duration) received {
	t.Helper()
	select {
	case m := <-msgs:
		return m
	case <-time.After(timeout):
		t.Fatalf("no message within %v", timeout)
	}
	return received{}
}

// expectNone checks that no message arrives within d.
func expectNone(t testing.TB, msgs <-chan received, d time.Duration) {
	t.Helper()
	select {
	case m := <-msgs:
		t.Fatalf("unexpected message %+v", m)
	case <-time.After(d):
	}
}

// untilSentinel collects messages until one with the sentinel payload.
func untilSentinel(t testing.TB, msgs <-chan received, sentinel string, timeout time.Duration) []received {
	t.Helper()
	var got []received
	deadline := time.After(timeout)
	for {
		select {
		case m := <-msgs:
			if m.payload == sentinel {
				return got
			}
			got = append(got, m)
		case <-deadline:
			t.Fatalf("sentinel %q not received within %v (got %+v)", sentinel, timeout, got)
		}
	}
}

// toolSub is a running mosquitto_sub whose messages arrive on msgs.
type toolSub struct {
	msgs   chan received
	cancel context.CancelFunc
	done   chan struct{}
	output *tailBuffer
}

// mosquittoSub starts mosquitto_sub with the given connection arguments
// (-h/-p or --unix, -t, -q, ...) and returns once its subscriptions are
// active. mosquitto_sub buffers its debug output when stdout is a pipe, so
// readiness is proven by a probe: it also subscribes to a private topic that
// the harness publishes to over TCP until the probe comes back. The format
// MSG|topic|qos|retain|payload carries what each message looked like.
func mosquittoSub(t testing.TB, b *broker, args ...string) *toolSub {
	t.Helper()
	bin := requireTool(t, "mosquitto_sub")
	probe := fmt.Sprintf("interop-probe/%d", time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	all := append([]string{"-V", "mqttv311", "-F", "MSG|%t|%q|%r|%p", "-t", probe}, args...)
	cmd := exec.CommandContext(ctx, bin, all...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &toolSub{
		msgs:   make(chan received, 1000),
		cancel: cancel,
		done:   make(chan struct{}),
		output: &tailBuffer{max: 16 << 10},
	}
	cmd.Stderr = s.output
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("mosquitto_sub: %v", err)
	}
	ready := make(chan struct{})
	go func() {
		defer close(s.done)
		var once sync.Once
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			s.output.Write([]byte(line + "\n"))
			rest, ok := strings.CutPrefix(line, "MSG|")
			if !ok {
				continue
			}
			f := strings.SplitN(rest, "|", 4)
			if len(f) != 4 {
				continue
			}
			if f[0] == probe {
				once.Do(func() { close(ready) })
				continue
			}
			q, _ := strconv.Atoi(f[1])
			s.msgs <- received{topic: f[0], qos: byte(q), retain: f[2] == "1", payload: f[3]}
		}
		cmd.Wait()
	}()
	t.Cleanup(func() {
		cancel()
		<-s.done
		if t.Failed() {
			t.Logf("mosquitto_sub output:\n%s", s.output.String())
		}
	})
	prober, _ := connectRaw(t, b, connectOpts{clientID: probe})
	defer prober.c.Close()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		prober.send(publishPacket(probe, []byte("probe"), 0, 0, false, false))
		select {
		case <-ready:
			prober.send(disconnectPacket)
			return s
		case <-s.done:
			t.Fatalf("mosquitto_sub exited before subscribing:\n%s", s.output.String())
		case <-deadline:
			t.Fatalf("mosquitto_sub: subscription not active within 10s:\n%s", s.output.String())
		case <-tick.C:
		}
	}
}

// mosquittoPub runs mosquitto_pub to completion with a timeout.
func mosquittoPub(t testing.TB, args ...string) {
	t.Helper()
	bin := requireTool(t, "mosquitto_pub")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	all := append([]string{"-V", "mqttv311"}, args...)
	out, err := exec.CommandContext(ctx, bin, all...).CombinedOutput()
	if err != nil {
		t.Fatalf("mosquitto_pub %v: %v\n%s", args, err, out)
	}
}

// tcpArgs are the mosquitto_pub/sub arguments that reach the broker over TCP.
func (b *broker) tcpArgs() []string {
	return []string{"-h", "127.0.0.1", "-p", strconv.Itoa(b.port)}
}
