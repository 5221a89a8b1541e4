package interop

import (
	"encoding/binary"
	"testing"
	"time"
)

// TestSubscribeMultipleFiltersSubackInOrder sends one SUBSCRIBE with three
// filters at QoS 2, 0, 1: one SUBACK with the same packet id and a return
// code per filter, in order [MQTT-3.8.4-1] [MQTT-3.8.4-2] [MQTT-3.8.4-4]
// [MQTT-3.8.4-5] [MQTT-3.9.3-1].
func TestSubscribeMultipleFiltersSubackInOrder(t *testing.T) {
	b := startBroker(t, defaultConfig())
	base := uniqueTopic(t, "m")
	r, _ := connectRaw(t, b, connectOpts{clientID: "multi-sub", keepAlive: 60})
	r.send(packet(0x82, u16(0x1234),
		str(base+"/two"), []byte{2},
		str(base+"/zero"), []byte{0},
		str(base+"/one"), []byte{1}))
	p := r.expectType(typeSUBACK, 5*time.Second)
	if len(p.body) != 5 || binary.BigEndian.Uint16(p.body) != 0x1234 {
		t.Fatalf("SUBACK %v, want id 0x1234 and three codes", p)
	}
	if got := p.body[2:]; got[0] != 2 || got[1] != 0 || got[2] != 1 {
		t.Fatalf("SUBACK codes % x, want 02 00 01 in filter order", got)
	}
}

// TestSubscribeReplacesExistingSubscription subscribes to the same filter
// twice with different QoS: one subscription remains, at the new QoS, and
// the retained message is sent again [MQTT-3.8.4-3].
func TestSubscribeReplacesExistingSubscription(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	pub, _ := connectRaw(t, b, connectOpts{clientID: "replace-pub"})
	pub.send(publishPacket(topic, []byte("kept"), 1, 1, false, true))
	pub.expectAck(typePUBACK, 1)

	r, _ := connectRaw(t, b, connectOpts{clientID: "replace-sub", keepAlive: 60})
	r.subscribe(1, topic, 0)
	if p := r.expectPublish(5 * time.Second); !p.retain || p.qos != 0 {
		t.Fatalf("first subscribe: got %+v, want the retained message at QoS 0", p)
	}
	r.subscribe(2, topic, 1)
	p := r.expectPublish(5 * time.Second)
	if !p.retain || p.payload != "kept" || p.qos != 1 {
		t.Fatalf("re-subscribe: got %+v, want the retained message re-sent at QoS 1 [MQTT-3.8.4-3]", p)
	}
	r.send(ackPacket(typePUBACK, p.id))
	publishQoS1(t, pub, 2, topic, "live")
	p = r.expectPublish(5 * time.Second)
	if p.payload != "live" || p.qos != 1 {
		t.Fatalf("got %+v, want one live copy at QoS 1", p)
	}
	r.send(ackPacket(typePUBACK, p.id), pingreqPacket)
	r.expectType(typePINGRESP, 5*time.Second) // one subscription: no second copy
}

// TestUnsubscribe checks UNSUBACK carries the packet id, is sent even when
// nothing matched, that filters compare character by character, and that
// delivery stops [MQTT-3.10.4-1] [MQTT-3.10.4-2] [MQTT-3.10.4-4]
// [MQTT-3.10.4-5] [MQTT-3.10.4-6].
func TestUnsubscribe(t *testing.T) {
	b := startBroker(t, defaultConfig())
	base := uniqueTopic(t, "u")
	r, _ := connectRaw(t, b, connectOpts{clientID: "unsub", keepAlive: 60})
	r.subscribe(1, base+"/+", 0)
	r.subscribe(2, base+"/end", 0)

	expectUnsuback := func(id uint16) {
		t.Helper()
		p := r.expectType(typeUNSUBACK, 5*time.Second)
		if len(p.body) != 2 || binary.BigEndian.Uint16(p.body) != id {
			t.Fatalf("UNSUBACK %v, want id %d", p, id)
		}
	}
	// A filter that matches the topic but is not the subscribed filter
	// removes nothing, and still gets UNSUBACK.
	r.send(packet(0xA2, u16(10), str(base+"/x")))
	expectUnsuback(10)
	pub, _ := connectRaw(t, b, connectOpts{clientID: "unsub-pub"})
	pub.send(publishPacket(base+"/x", []byte("still"), 0, 0, false, false))
	if p := r.expectPublish(5 * time.Second); p.payload != "still" {
		t.Fatalf("got %+v", p)
	}
	// Two filters in one UNSUBSCRIBE, one unknown: a single UNSUBACK.
	r.send(packet(0xA2, u16(11), str(base+"/+"), str("never/subscribed")))
	expectUnsuback(11)
	pub.send(publishPacket(base+"/x", []byte("gone"), 0, 0, false, false))
	pub.send(publishPacket(base+"/end", []byte("end"), 0, 0, false, false))
	// base/end matched base/+ too; now only base/end remains.
	p := r.expectPublish(5 * time.Second)
	if p.payload != "end" {
		t.Fatalf("after UNSUBSCRIBE got %+v, want only the sentinel [MQTT-3.10.4-2]", p)
	}
}

// TestUnsubscribeCompletesStartedQoS2Delivery receives a QoS 2 PUBLISH,
// unsubscribes, then sends PUBREC: the broker still completes the flow with
// PUBREL [MQTT-3.10.4-3], and delivers nothing new.
func TestUnsubscribeCompletesStartedQoS2Delivery(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	r, _ := connectRaw(t, b, connectOpts{clientID: "unsub-inflight", keepAlive: 60})
	r.subscribe(1, topic, 2)
	pub, _ := connectRaw(t, b, connectOpts{clientID: "unsub-inflight-pub"})
	publishQoS1(t, pub, 1, topic, "started")
	p := r.expectPublish(5 * time.Second)
	r.send(packet(0xA2, u16(2), str(topic)))
	r.expectType(typeUNSUBACK, 5*time.Second)
	publishQoS1(t, pub, 2, topic, "after")
	r.send(ackPacket(typePUBACK, p.id))
	r.send(pingreqPacket)
	if q := r.expect(5 * time.Second); q.typ() != typePINGRESP {
		t.Fatalf("after UNSUBSCRIBE got %v, want only PINGRESP [MQTT-3.10.4-2]", q)
	}

	r.subscribe(3, topic, 2)
	pub.send(publishPacket(topic, []byte("q2"), 2, 3, false, false))
	pub.expectAck(typePUBREC, 3)
	pub.send(ackPacket(typePUBREL, 3))
	pub.expectAck(typePUBCOMP, 3)
	p = r.expectPublish(5 * time.Second)
	r.send(packet(0xA2, u16(4), str(topic)))
	r.expectType(typeUNSUBACK, 5*time.Second)
	r.send(ackPacket(typePUBREC, p.id))
	r.expectAck(typePUBREL, p.id) // the started delivery completes [MQTT-3.10.4-3]
	r.send(ackPacket(typePUBCOMP, p.id))
	r.send(pingreqPacket)
	r.expectType(typePINGRESP, 5*time.Second)
}

// TestInvalidTopicFiltersNotGranted subscribes to filters with misplaced
// wildcards [MQTT-4.7.1-2] [MQTT-4.7.1-3]: the broker either answers SUBACK
// 0x80 or closes the connection; it never grants them, and uses no other
// return code [MQTT-3.9.3-2].
func TestInvalidTopicFiltersNotGranted(t *testing.T) {
	b := startBroker(t, defaultConfig())
	for i, filter := range []string{"a/#/b", "a#", "a/b+", "+a/b", "#/a"} {
		r, _ := connectRaw(t, b, connectOpts{clientID: "badfilter", keepAlive: 60})
		r.send(subscribePacket(uint16(i+1), filter, 0))
		p, err := r.read(5 * time.Second)
		if err == nil {
			if p.typ() != typeSUBACK || len(p.body) != 3 || p.body[2] != 0x80 {
				t.Errorf("filter %q: got %v, want SUBACK 0x80 or a close", filter, p)
			}
		} else if !isClosed(err) {
			t.Errorf("filter %q: %v", filter, err)
		}
		r.c.Close()
	}
}

// TestRetainFlagZeroKeepsRetained publishes without RETAIN on a topic with a
// retained message: the stored message is neither replaced nor removed
// [MQTT-3.3.1-12]; a QoS 0 retained publish replaces it [MQTT-3.3.1-7].
func TestRetainFlagZeroKeepsRetained(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	pub, _ := connectRaw(t, b, connectOpts{clientID: "rk-pub"})
	pub.send(publishPacket(topic, []byte("stored"), 1, 1, false, true))
	pub.expectAck(typePUBACK, 1)
	pub.send(publishPacket(topic, []byte("not-retained"), 1, 2, false, false))
	pub.expectAck(typePUBACK, 2)
	r, _ := connectRaw(t, b, connectOpts{clientID: "rk-sub1"})
	r.subscribe(1, topic, 1)
	if p := r.expectPublish(5 * time.Second); p.payload != "stored" || !p.retain {
		t.Fatalf("got %+v, want the retained \"stored\" [MQTT-3.3.1-12]", p)
	}
	pub.send(publishPacket(topic, []byte("qos0"), 0, 0, false, true))
	pub.send(pingreqPacket)
	pub.expectType(typePINGRESP, 5*time.Second)
	r2, _ := connectRaw(t, b, connectOpts{clientID: "rk-sub2"})
	r2.subscribe(1, topic, 1)
	if p := r2.expectPublish(5 * time.Second); p.payload != "qos0" || !p.retain || p.qos != 0 {
		t.Fatalf("got %+v, want the QoS 0 retained \"qos0\" [MQTT-3.3.1-7]", p)
	}
}

// TestDupFlagNotPropagated publishes QoS 1 with DUP 1 on first sending: the
// subscriber's copy has DUP 0, since it is not a retransmission
// [MQTT-3.3.1-3]. After PUBACK the same packet id is a new message
// [MQTT-4.3.2-2].
func TestDupFlagNotPropagated(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	r, _ := connectRaw(t, b, connectOpts{clientID: "dup-sub", keepAlive: 60})
	r.subscribe(1, topic, 1)
	pub, _ := connectRaw(t, b, connectOpts{clientID: "dup-pub"})
	for i := 0; i < 2; i++ {
		pub.send(publishPacket(topic, []byte("d"), 1, 42, true, false))
		pub.expectAck(typePUBACK, 42)
		p := r.expectPublish(5 * time.Second)
		if p.dup || p.payload != "d" {
			t.Fatalf("delivery %d: %+v, want DUP 0 [MQTT-3.3.1-3]", i, p)
		}
		r.send(ackPacket(typePUBACK, p.id))
	}
}

// TestQoS2PacketIDReusableAfterPubcomp completes a QoS 2 flow and reuses
// its packet id: the second PUBLISH is a new message [MQTT-4.3.3-2].
func TestQoS2PacketIDReusableAfterPubcomp(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	r, _ := connectRaw(t, b, connectOpts{clientID: "reuse-sub", keepAlive: 60})
	r.subscribe(1, topic, 0)
	pub, _ := connectRaw(t, b, connectOpts{clientID: "reuse-pub"})
	for _, payload := range []string{"first", "second"} {
		pub.send(publishPacket(topic, []byte(payload), 2, 9, false, false))
		pub.expectAck(typePUBREC, 9)
		pub.send(ackPacket(typePUBREL, 9))
		pub.expectAck(typePUBCOMP, 9)
		if p := r.expectPublish(5 * time.Second); p.payload != payload {
			t.Fatalf("got %+v, want %q", p, payload)
		}
	}
}

// TestRejectedConnectIgnoresLaterData sends a CONNECT the broker refuses
// followed by a PUBLISH in the same write: the PUBLISH is not processed
// [MQTT-3.1.4-5].
func TestRejectedConnectIgnoresLaterData(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	watch, _ := connectRaw(t, b, connectOpts{clientID: "rejected-watch", keepAlive: 60})
	watch.subscribe(1, topic, 0)
	r := dialRaw(t, b)
	r.send(append(connectPacket(connectOpts{clientID: "", persistent: true}),
		publishPacket(topic, []byte("leak"), 0, 0, false, false)...))
	if _, rc := r.connack(); rc != 0x02 {
		t.Fatalf("CONNACK code %d, want 2", rc)
	}
	r.expectClosedSilently(5 * time.Second)
	pub, _ := connectRaw(t, b, connectOpts{clientID: "rejected-pub"})
	pub.send(publishPacket(topic, []byte("sentinel"), 0, 0, false, false))
	if p := watch.expectPublish(5 * time.Second); p.payload != "sentinel" {
		t.Fatalf("got %+v: data after a refused CONNECT was processed [MQTT-3.1.4-5]", p)
	}
}

// TestRedeliveryKeepsOriginalOrder leaves three QoS 1 messages unacknowledged
// and reconnects: they are re-sent with DUP 1 in their original order
// [MQTT-4.6.0-1] [MQTT-4.4.0-1].
func TestRedeliveryKeepsOriginalOrder(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	r, _ := connectRaw(t, b, connectOpts{clientID: "reorder", persistent: true, keepAlive: 60})
	r.subscribe(1, topic, 1)
	pub, _ := connectRaw(t, b, connectOpts{clientID: "reorder-pub"})
	want := []string{"a", "b", "c"}
	var ids []uint16
	for i, w := range want {
		publishQoS1(t, pub, uint16(i+1), topic, w)
		ids = append(ids, r.expectPublish(5*time.Second).id)
	}
	r.c.Close()
	r, _ = connectRaw(t, b, connectOpts{clientID: "reorder", persistent: true, keepAlive: 60})
	for i, w := range want {
		p := r.expectPublish(5 * time.Second)
		if p.payload != w || !p.dup || p.id != ids[i] {
			t.Fatalf("redelivery %d: %+v, want %q with DUP 1 and id %d", i, p, w, ids[i])
		}
		r.send(ackPacket(typePUBACK, p.id))
	}
}
