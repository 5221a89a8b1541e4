package engine

import (
	"testing"
	"time"

	"github.com/midge-mqtt/midge/codec"
)

func TestRetainedStoredReplacedAndCleared(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	pub := tb.dial(0)
	pub.connect("pub", true)
	pub.send(publishPacket("r/a", "old", 1, true, 1))
	pub.send(publishPacket("r/a", "new", 1, true, 2)) // [MQTT-3.3.1-5] replaces
	live := tb.dial(0)
	live.connect("live", true)
	live.subscribe("r/#", 1)
	got := live.publishes()
	if len(got) != 1 || string(got[0].Payload) != "new" || !got[0].Retain {
		t.Fatalf("retained on subscribe: %+v", got) // [MQTT-3.3.1-6] [MQTT-3.3.1-8]
	}
	pub.send(publishPacket("r/a", "live", 0, true, 0))
	got = live.publishes()
	if len(got) != 1 || got[0].Retain {
		t.Fatalf("live message kept RETAIN: %+v", got) // [MQTT-3.3.1-9]
	}
	pub.send(publishPacket("r/a", "", 0, true, 0)) // [MQTT-3.3.1-10] clears
	late := tb.dial(0)
	late.connect("late", true)
	late.subscribe("r/#", 0)
	if got := late.publishes(); len(got) != 0 {
		t.Fatalf("cleared retained message still delivered: %+v", got)
	}
	if n := tb.b.stats.st.Snapshot().RetainedMessages; n != 0 {
		t.Fatalf("retained count %d after clear", n)
	}
}

func TestRetainUnavailableClosesPublisher(t *testing.T) {
	tb := newTestBroker(t, 1, Options{RetainUnavailable: true})
	pub := tb.dial(0)
	pub.connect("pub", true)
	if pub.send(publishPacket("r", "x", 0, true, 0)) {
		t.Fatal("retained PUBLISH accepted with retain_available false")
	}
}

func connectWithWill(id string, keepAlive uint16) []byte {
	p := codec.Connect{Version: codec.V311, ClientID: []byte(id), CleanStart: true, KeepAlive: keepAlive,
		WillFlag: true, Will: codec.Will{Topic: []byte("wills/" + id), Payload: []byte("gone"), QoS: 1}}
	return p.Append(nil, codec.V311)
}

func TestWillPublishedOnDropNotOnDisconnect(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	watch := tb.dial(0)
	watch.connect("watch", true)
	watch.subscribe("wills/#", 1)

	polite := tb.dial(0)
	polite.send(connectWithWill("polite", 0))
	polite.send([]byte{0xE0, 0}) // DISCONNECT
	if got := watch.publishes(); len(got) != 0 {
		t.Fatalf("will published after DISCONNECT: %+v", got) // [MQTT-3.14.4-3]
	}

	rude := tb.dial(0)
	rude.send(connectWithWill("rude", 0))
	rude.drop()
	got := watch.publishes()
	if len(got) != 1 || string(got[0].Topic) != "wills/rude" || string(got[0].Payload) != "gone" {
		t.Fatalf("will on network drop: %+v", got) // [MQTT-3.1.2-8]
	}
}

func TestWillPublishedOnKeepAliveTimeoutAndProtocolError(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	watch := tb.dial(0)
	watch.connect("watch", true)
	watch.subscribe("wills/#", 0)
	quiet := tb.dial(0)
	quiet.send(connectWithWill("quiet", 2))
	tb.tick(4 * time.Second)
	if !quiet.tr.closed {
		t.Fatal("keep-alive did not close")
	}
	bad := tb.dial(0)
	bad.send(connectWithWill("bad", 0))
	bad.send([]byte{0x00, 0x00}) // reserved packet type
	got := watch.publishes()
	if len(got) != 2 || string(got[0].Topic) != "wills/quiet" || string(got[1].Topic) != "wills/bad" {
		t.Fatalf("wills: %+v", got)
	}
}

func TestWillPublishedOnTakeover(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	watch := tb.dial(0)
	watch.connect("watch", true)
	watch.subscribe("wills/#", 0)
	a := tb.dial(0)
	a.send(connectWithWill("dup", 0))
	b := tb.dial(0)
	b.send(connectPacket("dup", true, 0))
	tb.closeClosed()
	if got := watch.publishes(); len(got) != 1 || string(got[0].Topic) != "wills/dup" {
		t.Fatalf("will on takeover: %+v", got)
	}
}

func TestInProcessPublishSubscribe(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	tb.b.Publish("cfg/mode", []byte("eco"), 1, true)
	type msg struct {
		topic, payload string
		retained       bool
	}
	var got []msg
	unsub, err := tb.b.Subscribe("cfg/#", 1, func(topic string, payload []byte, _ byte, retained bool) {
		got = append(got, msg{topic, string(payload), retained})
	})
	if err != nil {
		t.Fatal(err)
	}
	c := tb.dial(0)
	c.connect("dev", true)
	c.send(publishPacket("cfg/mode", "boost", 0, false, 0))
	c.subscribe("app/#", 0)
	if err := tb.b.Publish("app/x", []byte("hi"), 0, false); err != nil {
		t.Fatal(err)
	}
	tb.run()
	if len(got) != 2 || got[0] != (msg{"cfg/mode", "eco", true}) || got[1] != (msg{"cfg/mode", "boost", false}) {
		t.Fatalf("in-process subscriber got %+v", got)
	}
	if p := c.publishes(); len(p) != 1 || string(p[0].Payload) != "hi" {
		t.Fatalf("client did not get the in-process publish: %+v", p)
	}
	unsub()
	c.send(publishPacket("cfg/mode", "off", 0, false, 0))
	if len(got) != 2 {
		t.Fatal("delivered after unsubscribe")
	}
}

// A handler may publish from inside its call (no deadlock on the broker's
// local loop), and the republished message reaches other handlers.
func TestInProcessHandlerMayPublish(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	var echoed []string
	_, err := tb.b.Subscribe("ping", 0, func(_ string, payload []byte, _ byte, _ bool) {
		if err := tb.b.Publish("pong", payload, 0, false); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb.b.Subscribe("pong", 0, func(_ string, payload []byte, _ byte, _ bool) {
		echoed = append(echoed, string(payload))
	}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = tb.b.Publish("ping", []byte("hello"), 0, false)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish from a handler deadlocked")
	}
	if len(echoed) != 1 || echoed[0] != "hello" {
		t.Fatalf("echoed %v", echoed)
	}
}
