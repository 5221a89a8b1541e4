package interop

import (
	"strconv"
	"testing"
	"time"
)

// publishQoS1 publishes one QoS 1 message from a raw publisher and waits for
// its PUBACK, so the broker has routed it before the test goes on.
func publishQoS1(t testing.TB, pub *rawConn, id uint16, topic, payload string) {
	t.Helper()
	pub.send(publishPacket(topic, []byte(payload), 1, id, false, false))
	pub.expectAck(typePUBACK, id)
}

// receiveAcking reads n PUBLISH packets, acknowledging each as a client
// would (PUBACK; PUBREC then PUBCOMP for the PUBREL), while the broker may
// interleave further PUBLISH packets of its inflight window. It returns once
// n messages arrived and every QoS 2 flow is complete.
func receiveAcking(t testing.TB, r *rawConn, n int) []rawPublish {
	t.Helper()
	var got []rawPublish
	open := map[uint16]bool{} // QoS 2 ids waiting for PUBREL
	for len(got) < n || len(open) > 0 {
		p := r.expect(5 * time.Second)
		switch p.typ() {
		case typePUBLISH:
			m := p.publish(t)
			got = append(got, m)
			switch m.qos {
			case 1:
				r.send(ackPacket(typePUBACK, m.id))
			case 2:
				open[m.id] = true
				r.send(ackPacket(typePUBREC, m.id))
			}
		case typePUBREL:
			id := uint16(p.body[0])<<8 | uint16(p.body[1])
			if !open[id] {
				t.Fatalf("PUBREL for id %d that is not waiting for one", id)
			}
			delete(open, id)
			r.send(ackPacket(typePUBCOMP, id))
		default:
			t.Fatalf("unexpected %v while receiving messages", p)
		}
	}
	return got
}

// TestPersistentSessionSubscriptionsSurvive reconnects a clean-session-0
// client: CONNACK says session present [MQTT-3.2.2-2] and the subscription
// still delivers without a new SUBSCRIBE [MQTT-3.1.2-4]: the client id names
// the session [MQTT-3.1.3-2] [MQTT-4.1.0-1].
func TestPersistentSessionSubscriptionsSurvive(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	r, sp := connectRaw(t, b, connectOpts{clientID: "persist", persistent: true, keepAlive: 60})
	if sp {
		t.Fatal("session present on the first connection of a new client id [MQTT-3.2.2-3]")
	}
	r.subscribe(1, topic, 1)
	r.send(disconnectPacket)
	r.expectClosedSilently(5 * time.Second)

	r, sp = connectRaw(t, b, connectOpts{clientID: "persist", persistent: true, keepAlive: 60})
	if !sp {
		t.Fatal("session present 0 when resuming a persistent session [MQTT-3.2.2-2]")
	}
	pub, _ := connectRaw(t, b, connectOpts{clientID: "persist-pub"})
	publishQoS1(t, pub, 1, topic, "after-reconnect")
	p := r.expectPublish(5 * time.Second)
	if p.payload != "after-reconnect" || p.qos != 1 {
		t.Fatalf("got %+v", p)
	}
	r.send(ackPacket(typePUBACK, p.id))
}

// TestPersistentSessionPahoSessionPresent checks session present through
// Paho, with a subscription made by Paho and a message published by
// mosquitto_pub while the client was away.
func TestPersistentSessionPahoSessionPresent(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	c, _, sp := pahoClient(t, b, "persist-paho", pahoOpts{persistent: true})
	if sp {
		t.Fatal("session present on a new client id")
	}
	pahoSubscribe(t, c, topic, 2)
	c.Disconnect(100)
	mosquittoPub(t, append(b.tcpArgs(), "-t", topic, "-q", "2", "-m", "while-away")...)
	_, msgs, sp := pahoClient(t, b, "persist-paho", pahoOpts{persistent: true})
	if !sp { // [MQTT-3.2.2-2]
		t.Fatal("session present 0 on resume")
	}
	if m := next(t, msgs, 5*time.Second); m.payload != "while-away" || m.qos != 2 {
		t.Fatalf("got %+v, want the queued QoS 2 message", m)
	}
}

// TestOfflineQueueDeliveredOnReconnect publishes QoS 0, 1 and 2 messages
// while a persistent client is offline: QoS 1 and 2 are delivered in order
// after reconnect [MQTT-3.1.2-5] [MQTT-4.5.0-1]; QoS 0 is not queued by
// default.
func TestOfflineQueueDeliveredOnReconnect(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	r, _ := connectRaw(t, b, connectOpts{clientID: "offline", persistent: true, keepAlive: 60})
	r.subscribe(1, topic, 2)
	r.send(disconnectPacket)
	r.expectClosedSilently(5 * time.Second)

	pub, _ := connectRaw(t, b, connectOpts{clientID: "offline-pub"})
	var want []string
	for i := 0; i < 10; i++ {
		qos := byte(1 + i%2)
		payload := "m" + strconv.Itoa(i)
		want = append(want, payload)
		id := uint16(i + 1)
		pub.send(publishPacket(topic, []byte(payload), qos, id, false, false))
		if qos == 1 {
			pub.expectAck(typePUBACK, id)
		} else {
			pub.expectAck(typePUBREC, id)
			pub.send(ackPacket(typePUBREL, id))
			pub.expectAck(typePUBCOMP, id)
		}
		pub.send(publishPacket(topic, []byte("qos0-"+strconv.Itoa(i)), 0, 0, false, false))
	}
	pub.send(pingreqPacket)
	pub.expectType(typePINGRESP, 5*time.Second) // every PUBLISH above has been handled

	r, sp := connectRaw(t, b, connectOpts{clientID: "offline", persistent: true, keepAlive: 60})
	if !sp {
		t.Fatal("session present 0 [MQTT-3.2.2-2]")
	}
	got := receiveAcking(t, r, len(want))
	for i, w := range want {
		if got[i].payload != w || got[i].qos != byte(1+i%2) {
			t.Fatalf("queued message %d: got %+v, want %q at QoS %d in order", i, got[i], w, 1+i%2)
		}
	}
	r.send(pingreqPacket)
	if p := r.expect(5 * time.Second); p.typ() != typePINGRESP {
		t.Fatalf("after the queued QoS 1/2 messages got %v; QoS 0 must not be queued by default", p)
	}
}

// TestUnackedQoS1RedeliveredWithDup receives a QoS 1 PUBLISH, does not
// PUBACK, and reconnects: the broker re-sends it with DUP 1 and the same
// packet id [MQTT-4.4.0-1] [MQTT-3.3.1-1].
func TestUnackedQoS1RedeliveredWithDup(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	r, _ := connectRaw(t, b, connectOpts{clientID: "redeliver1", persistent: true, keepAlive: 60})
	r.subscribe(1, topic, 1)
	pub, _ := connectRaw(t, b, connectOpts{clientID: "redeliver1-pub"})
	publishQoS1(t, pub, 1, topic, "unacked")
	first := r.expectPublish(5 * time.Second)
	if first.dup || first.qos != 1 {
		t.Fatalf("first delivery %+v, want QoS 1 with DUP 0", first)
	}
	r.c.Close() // no PUBACK, no DISCONNECT

	r, sp := connectRaw(t, b, connectOpts{clientID: "redeliver1", persistent: true, keepAlive: 60})
	if !sp {
		t.Fatal("session present 0 [MQTT-3.2.2-2]")
	}
	again := r.expectPublish(5 * time.Second)
	if !again.dup || again.id != first.id || again.payload != "unacked" || again.qos != 1 {
		t.Fatalf("redelivery %+v, want DUP 1, id %d [MQTT-4.4.0-1] [MQTT-3.3.1-1]", again, first.id)
	}
	r.send(ackPacket(typePUBACK, again.id))
	r.send(pingreqPacket)
	r.expectType(typePINGRESP, 5*time.Second) // acknowledged: not sent a third time
}

// TestUnackedQoS2RedeliveredAfterReconnect covers both halves of the
// outbound QoS 2 flow: a PUBLISH never answered with PUBREC is re-sent with
// DUP 1; once PUBREC was sent, the PUBREL is re-sent instead [MQTT-4.4.0-1].
func TestUnackedQoS2RedeliveredAfterReconnect(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	r, _ := connectRaw(t, b, connectOpts{clientID: "redeliver2", persistent: true, keepAlive: 60})
	r.subscribe(1, topic, 2)
	pub, _ := connectRaw(t, b, connectOpts{clientID: "redeliver2-pub"})
	pub.send(publishPacket(topic, []byte("q2"), 2, 5, false, false))
	pub.expectAck(typePUBREC, 5)
	pub.send(ackPacket(typePUBREL, 5))
	pub.expectAck(typePUBCOMP, 5)

	first := r.expectPublish(5 * time.Second)
	r.c.Close() // no PUBREC

	r, _ = connectRaw(t, b, connectOpts{clientID: "redeliver2", persistent: true, keepAlive: 60})
	again := r.expectPublish(5 * time.Second)
	if !again.dup || again.id != first.id || again.qos != 2 || again.payload != "q2" {
		t.Fatalf("redelivery %+v, want DUP 1 QoS 2 id %d", again, first.id)
	}
	r.send(ackPacket(typePUBREC, again.id))
	r.expectAck(typePUBREL, again.id)
	r.c.Close() // PUBREC sent, PUBCOMP not

	r, _ = connectRaw(t, b, connectOpts{clientID: "redeliver2", persistent: true, keepAlive: 60})
	r.expectAck(typePUBREL, again.id) // the PUBREL, not the PUBLISH [MQTT-4.4.0-1]
	r.send(ackPacket(typePUBCOMP, again.id))
	r.send(pingreqPacket)
	r.expectType(typePINGRESP, 5*time.Second)
}

// TestCleanSessionDiscardsSession resumes a persistent session with clean
// session 1: session present 0, the old subscription is gone [MQTT-3.1.2-6],
// and the state is not kept after that connection either [MQTT-3.1.2-6]
// [MQTT-3.1.4-3].
func TestCleanSessionDiscardsSession(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	sentinel := uniqueTopic(t, "sentinel")
	r, _ := connectRaw(t, b, connectOpts{clientID: "cleaner", persistent: true, keepAlive: 60})
	r.subscribe(1, topic, 1)
	r.send(disconnectPacket)
	r.expectClosedSilently(5 * time.Second)

	pub, _ := connectRaw(t, b, connectOpts{clientID: "cleaner-pub"})
	publishQoS1(t, pub, 1, topic, "queued-for-old-session")

	r, sp := connectRaw(t, b, connectOpts{clientID: "cleaner", keepAlive: 60})
	if sp {
		t.Fatal("session present 1 with clean session [MQTT-3.2.2-1]")
	}
	r.subscribe(2, sentinel, 0)
	publishQoS1(t, pub, 2, topic, "after-clean")
	pub.send(publishPacket(sentinel, []byte("sentinel"), 0, 0, false, false))
	if p := r.expectPublish(5 * time.Second); p.topic != sentinel {
		t.Fatalf("got %+v: the discarded session still delivers [MQTT-3.1.2-6]", p)
	}
	r.send(disconnectPacket)
	r.expectClosedSilently(5 * time.Second)

	r, sp = connectRaw(t, b, connectOpts{clientID: "cleaner", persistent: true, keepAlive: 60})
	if sp {
		t.Fatal("session present 1 after a clean-session connection ended [MQTT-3.1.2-6]")
	}
}

// TestMaxQueuedMessagesBoundsOfflineQueue sets max_queued_messages 10 and
// publishes 50 QoS 1 messages to an offline persistent client: at most 10
// arrive after reconnect, in order (mosquitto keeps the oldest 10).
func TestMaxQueuedMessagesBoundsOfflineQueue(t *testing.T) {
	cfg := defaultConfig()
	cfg.maxQueuedMessages = 10
	cfg.maxInflightMessages = 5
	b := startBroker(t, cfg)
	topic := uniqueTopic(t, "x")
	r, _ := connectRaw(t, b, connectOpts{clientID: "bounded", persistent: true, keepAlive: 60})
	r.subscribe(1, topic, 1)
	r.send(disconnectPacket)
	r.expectClosedSilently(5 * time.Second)

	pub, _ := connectRaw(t, b, connectOpts{clientID: "bounded-pub"})
	for i := 0; i < 50; i++ {
		publishQoS1(t, pub, uint16(i+1), topic, strconv.Itoa(i))
	}

	r, _ = connectRaw(t, b, connectOpts{clientID: "bounded", persistent: true, keepAlive: 60})
	var got []int
	for {
		p, err := r.read(time.Second)
		if err != nil {
			break
		}
		m := p.publish(t)
		n, _ := strconv.Atoi(m.payload)
		got = append(got, n)
		r.send(ackPacket(typePUBACK, m.id))
	}
	t.Logf("received %d of 50 queued: %v", len(got), got)
	limit := cfg.maxQueuedMessages
	if len(got) == 0 || len(got) > limit {
		t.Fatalf("received %d queued messages, want 1..%d", len(got), limit)
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("queued messages out of order: %v", got)
		}
	}
}
