package interop

import (
	"testing"
	"time"
)

// willWatcher subscribes a Paho client to the will topic of the test.
func willWatcher(t *testing.T, b *broker) (string, <-chan received) {
	t.Helper()
	topic := uniqueTopic(t, "will")
	sub, msgs, _ := pahoClient(t, b, "will-watch", pahoOpts{})
	pahoSubscribe(t, sub, topic, 1)
	return topic, msgs
}

// TestWillOnAbruptClose closes the socket without DISCONNECT: the will is
// published [MQTT-3.1.2-8].
func TestWillOnAbruptClose(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic, msgs := willWatcher(t, b)
	r, _ := connectRaw(t, b, connectOpts{clientID: "will-abrupt", keepAlive: 60,
		will: &will{topic: topic, payload: "gone", qos: 1}})
	r.c.Close()
	m := next(t, msgs, 5*time.Second)
	if m.payload != "gone" || m.qos != 1 || m.retain {
		t.Fatalf("got %+v, want will \"gone\" at QoS 1", m)
	}
}

// TestWillOnResetClose resets the TCP connection (SO_LINGER 0): the will is
// published.
func TestWillOnResetClose(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic, msgs := willWatcher(t, b)
	r, _ := connectRaw(t, b, connectOpts{clientID: "will-reset", keepAlive: 60,
		will: &will{topic: topic, payload: "reset", qos: 0}})
	r.resetClose()
	if m := next(t, msgs, 5*time.Second); m.payload != "reset" {
		t.Fatalf("got %+v, want will \"reset\"", m)
	}
}

// TestWillOnKeepAliveExpiry stays silent past 1.5x a 1 s keep-alive: the
// broker closes the connection and publishes the will [MQTT-3.1.2-24]
// [MQTT-3.1.2-8].
func TestWillOnKeepAliveExpiry(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic, msgs := willWatcher(t, b)
	r, _ := connectRaw(t, b, connectOpts{clientID: "will-keepalive", keepAlive: 1,
		will: &will{topic: topic, payload: "silent", qos: 1}})
	start := time.Now()
	r.expectClosedSilently(keepAliveCloseLimit())
	if m := next(t, msgs, 5*time.Second); m.payload != "silent" {
		t.Fatalf("got %+v, want will \"silent\"", m)
	}
	if el := time.Since(start); el < time.Second {
		t.Fatalf("closed after %v, before the keep-alive of 1 s had passed", el)
	}
}

// TestWillOnProtocolError sends a packet of the reserved type 0 after
// CONNECT: the broker closes the connection and publishes the will
// [MQTT-3.1.2-8] [MQTT-4.8.0-1].
func TestWillOnProtocolError(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic, msgs := willWatcher(t, b)
	r, _ := connectRaw(t, b, connectOpts{clientID: "will-protoerr", keepAlive: 60,
		will: &will{topic: topic, payload: "broken", qos: 1}})
	r.send([]byte{0x00, 0x00}) // packet type 0 is reserved
	r.expectClosedSilently(5 * time.Second)
	if m := next(t, msgs, 5*time.Second); m.payload != "broken" {
		t.Fatalf("got %+v, want will \"broken\"", m)
	}
}

// TestWillNotRetainedWhenWillRetainZero publishes a will with Will Retain 0:
// a later subscriber finds no retained message [MQTT-3.1.2-16].
func TestWillNotRetainedWhenWillRetainZero(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic, msgs := willWatcher(t, b)
	r, _ := connectRaw(t, b, connectOpts{clientID: "will-noretain", keepAlive: 60,
		will: &will{topic: topic, payload: "transient", qos: 1}})
	r.c.Close()
	if m := next(t, msgs, 5*time.Second); m.payload != "transient" {
		t.Fatalf("got %+v", m)
	}
	late, _ := connectRaw(t, b, connectOpts{clientID: "will-late"})
	late.subscribe(1, topic, 1)
	probe, _ := connectRaw(t, b, connectOpts{clientID: "will-probe"})
	probe.send(publishPacket(topic, []byte("sentinel"), 0, 0, false, false))
	if p := late.expectPublish(5 * time.Second); p.payload != "sentinel" {
		t.Fatalf("late subscriber got %+v: the will was retained [MQTT-3.1.2-16]", p)
	}
}

// TestNoWillWithoutWillFlag closes a connection abruptly that set no will:
// a subscriber to "#" sees nothing published for it [MQTT-3.1.2-12].
func TestNoWillWithoutWillFlag(t *testing.T) {
	b := startBroker(t, defaultConfig())
	watch, _ := connectRaw(t, b, connectOpts{clientID: "nowill-watch", keepAlive: 60})
	watch.subscribe(1, "#", 1)
	r, _ := connectRaw(t, b, connectOpts{clientID: "nowill", keepAlive: 60})
	r.resetClose()
	time.Sleep(300 * time.Millisecond)
	probe, _ := connectRaw(t, b, connectOpts{clientID: "nowill-probe"})
	probe.send(publishPacket(uniqueTopic(t, "sentinel"), []byte("sentinel"), 0, 0, false, false))
	if p := watch.expectPublish(5 * time.Second); p.payload != "sentinel" {
		t.Fatalf("got %+v before the sentinel: something was published for a will-less connection", p)
	}
}

// TestNoWillAfterDisconnect sends DISCONNECT before closing: the will is
// discarded [MQTT-3.1.2-10] [MQTT-3.14.4-3].
func TestNoWillAfterDisconnect(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic, msgs := willWatcher(t, b)
	r, _ := connectRaw(t, b, connectOpts{clientID: "will-clean", keepAlive: 60,
		will: &will{topic: topic, payload: "must-not", qos: 1}})
	r.send(disconnectPacket)
	r.expectClosedSilently(5 * time.Second) // [MQTT-3.14.4-1]
	time.Sleep(300 * time.Millisecond)      // let a wrongly published will arrive first
	probe, _ := connectRaw(t, b, connectOpts{clientID: "will-probe"})
	probe.send(publishPacket(topic, []byte("sentinel"), 0, 0, false, false))
	if got := untilSentinel(t, msgs, "sentinel", 5*time.Second); len(got) != 0 {
		t.Fatalf("will published after DISCONNECT: %+v", got)
	}
}

// TestWillRetainedMosquittoClients kills a mosquitto_sub that set a retained
// will: the will is published and kept as the retained message of its topic.
func TestWillRetainedMosquittoClients(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic, live := willWatcher(t, b)
	s := mosquittoSub(t, b, append(b.tcpArgs(), "-t", uniqueTopic(t, "idle"), "-k", "60",
		"--will-topic", topic, "--will-payload", "offline", "--will-qos", "1", "--will-retain")...)
	s.cancel() // SIGKILL: no DISCONNECT reaches the broker
	<-s.done
	if m := next(t, live, 5*time.Second); m.payload != "offline" || m.retain {
		t.Fatalf("watcher got %+v, want the will \"offline\" with retain 0 [MQTT-3.3.1-9]", m)
	}
	sub, msgs, _ := pahoClient(t, b, "will-late", pahoOpts{})
	pahoSubscribe(t, sub, topic, 1)
	m := next(t, msgs, 5*time.Second)
	if m.payload != "offline" || !m.retain { // [MQTT-3.1.2-17]
		t.Fatalf("got %+v, want the retained will \"offline\"", m)
	}
}
