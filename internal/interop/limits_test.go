package interop

import (
	"strconv"
	"testing"
	"time"
)

// TestInflightWindowBoundsUnacknowledged sets max_inflight_messages 5: a
// subscriber that does not acknowledge holds at most 5 QoS 1 messages in
// flight; each PUBACK releases the next, in order [MQTT-4.6.0-6].
func TestInflightWindowBoundsUnacknowledged(t *testing.T) {
	cfg := defaultConfig()
	cfg.maxInflightMessages = 5
	b := startBroker(t, cfg)
	topic := uniqueTopic(t, "x")
	r, _ := connectRaw(t, b, connectOpts{clientID: "window", keepAlive: 60})
	r.subscribe(1, topic, 1)
	pub, _ := connectRaw(t, b, connectOpts{clientID: "window-pub"})
	for i := 0; i < 12; i++ {
		publishQoS1(t, pub, uint16(i+1), topic, strconv.Itoa(i))
	}
	var held []rawPublish
	for i := 0; i < 5; i++ {
		held = append(held, r.expectPublish(5*time.Second))
	}
	r.expectOpen(500 * time.Millisecond) // the sixth waits for a PUBACK
	next := 5
	for len(held) > 0 {
		p := held[0]
		held = held[1:]
		r.send(ackPacket(typePUBACK, p.id))
		if next < 12 {
			q := r.expectPublish(5 * time.Second)
			if q.payload != strconv.Itoa(next) {
				t.Fatalf("after a PUBACK got %+v, want message %d", q, next)
			}
			held = append(held, q)
			next++
		}
	}
	r.send(pingreqPacket)
	r.expectType(typePINGRESP, 5*time.Second)
}

// TestMaxConnectionsRefusesBeyondLimit sets max_connections 3 on the TCP
// listener (a per-listener option in mosquitto.conf): a fourth
// connection is closed without CONNACK while the three keep working; once
// one leaves, a new client is accepted.
func TestMaxConnectionsRefusesBeyondLimit(t *testing.T) {
	cfg := defaultConfig()
	cfg.tcpListenerOptions = []string{"max_connections 3"}
	b := startBroker(t, cfg)
	admitted := 3
	if brokerIs("mosquitto") {
		// Known deviation: mosquitto 2.0.11 miscounts a connection that
		// closes before CONNECT (the harness's readiness probe), so it
		// admits one client more than max_connections.
		admitted = 4
	}
	var conns []*rawConn
	for i := 0; i < admitted; i++ {
		r, _ := connectRaw(t, b, connectOpts{clientID: "limit-" + strconv.Itoa(i), keepAlive: 60})
		conns = append(conns, r)
	}
	extra := dialRaw(t, b)
	extra.trySend(connectPacket(connectOpts{clientID: "limit-extra", keepAlive: 60}))
	extra.expectClosedSilently(5 * time.Second)
	for _, r := range conns {
		r.send(pingreqPacket)
		r.expectType(typePINGRESP, 5*time.Second)
	}
	conns[0].send(disconnectPacket)
	conns[0].expectClosedSilently(5 * time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := dialRaw(t, b)
		r.trySend(connectPacket(connectOpts{clientID: "limit-late", keepAlive: 60}))
		if p, err := r.read(2 * time.Second); err == nil && p.typ() == typeCONNACK && p.body[1] == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no connection accepted after one of three left")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
