package interop

import (
	"sort"
	"testing"
	"time"
)

// TestV5NoLocal subscribes a client with No Local to a topic it publishes
// on: it does not receive its own messages [MQTT-3.8.3-3], another
// subscriber does, and its own subscription without No Local on a second
// topic still delivers its messages.
func TestV5NoLocal(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	self, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-nolocal-self"})
	self.mustSubscribeV5(1, topic+"/quiet", 1|optNoLocal)
	self.mustSubscribeV5(2, topic+"/echo", 1)
	other, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-nolocal-other"})
	other.mustSubscribeV5(1, topic+"/quiet", 1)

	self.send(publishV5Packet(topic+"/quiet", "mine", 1, 10, false))
	self.send(publishV5Packet(topic+"/echo", "echo", 0, 0, false))
	var echoed bool
	for !echoed {
		p := self.expect(5 * time.Second)
		switch p.typ() {
		case typePUBACK:
		case typePUBLISH:
			pub := p.publishV5(t)
			if pub.topic != topic+"/echo" {
				t.Fatalf("No Local subscriber received its own message %+v [MQTT-3.8.3-3]", pub)
			}
			echoed = true
		default:
			t.Fatalf("unexpected %v", p)
		}
	}
	if p := other.expectPublishV5(5 * time.Second); p.payload != "mine" {
		t.Fatalf("other subscriber got %+v", p)
	}
}

// TestV5RetainAsPublished publishes a retained message to live subscribers:
// one with Retain As Published receives RETAIN 1, one without receives
// RETAIN 0 [MQTT-3.3.1-12] [MQTT-3.3.1-13].
func TestV5RetainAsPublished(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	rap, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-rap"})
	rap.mustSubscribeV5(1, topic, 0|optRetainAsPublished)
	plain, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-plain"})
	plain.mustSubscribeV5(1, topic, 0)
	pub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-rap-pub"})
	pub.send(publishV5Packet(topic, "kept", 0, 0, true))
	pub.send(publishV5Packet(topic, "live", 0, 0, false))
	if p := rap.expectPublishV5(5 * time.Second); !p.retain || p.payload != "kept" {
		t.Fatalf("Retain As Published subscriber got %+v, want RETAIN 1 [MQTT-3.3.1-13]", p)
	}
	if p := rap.expectPublishV5(5 * time.Second); p.retain || p.payload != "live" {
		t.Fatalf("got %+v, want RETAIN 0 for a non-retained message", p)
	}
	if p := plain.expectPublishV5(5 * time.Second); p.retain || p.payload != "kept" {
		t.Fatalf("plain subscriber got %+v, want RETAIN 0 [MQTT-3.3.1-12]", p)
	}
	// Retained messages sent because of a new subscription keep RETAIN 1
	// whatever the option [MQTT-3.3.1-9].
	late, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-rap-late"})
	late.mustSubscribeV5(1, topic, 0)
	if p := late.expectPublishV5(5 * time.Second); !p.retain || p.payload != "kept" {
		t.Fatalf("new subscription got %+v, want the retained message with RETAIN 1", p)
	}
}

// TestV5RetainHandling stores a retained message and subscribes with Retain
// Handling 0 (sent on every subscribe, [MQTT-3.3.1-9]), 1 (sent only when
// the subscription is new, [MQTT-3.3.1-10]) and 2 (never sent,
// [MQTT-3.3.1-11]).
func TestV5RetainHandling(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	pub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-rh-pub"})
	pub.send(publishV5Packet(topic, "kept", 1, 1, true))
	pub.expectAckV5(typePUBACK, 1)

	expectRetained := func(r *rawConn, what string) {
		t.Helper()
		if p := r.expectPublishV5(5 * time.Second); !p.retain || p.payload != "kept" {
			t.Fatalf("%s: got %+v, want the retained message", what, p)
		}
	}
	rh0, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-rh0"})
	rh0.mustSubscribeV5(1, topic, retainHandling(0))
	expectRetained(rh0, "Retain Handling 0, new subscription")
	rh0.mustSubscribeV5(2, topic, retainHandling(0))
	expectRetained(rh0, "Retain Handling 0, repeated subscription") // [MQTT-3.8.4-4]

	rh1, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-rh1"})
	rh1.mustSubscribeV5(1, topic, retainHandling(1))
	expectRetained(rh1, "Retain Handling 1, new subscription")
	rh1.mustSubscribeV5(2, topic, retainHandling(1))
	rh1.expectOpen(500 * time.Millisecond) // [MQTT-3.3.1-10]

	rh2, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-rh2"})
	rh2.mustSubscribeV5(1, topic, retainHandling(2))
	rh2.expectOpen(500 * time.Millisecond) // [MQTT-3.3.1-11]
}

// TestV5SubscriptionIdentifiers subscribes with identifiers 1 and 2 on two
// overlapping filters and once without an identifier: a message matching
// both carries both identifiers (in one PUBLISH or one each)
// [MQTT-3.3.4-3] [MQTT-3.3.4-4] [MQTT-3.3.4-5]; a message matching only the
// filter without an identifier carries none.
func TestV5SubscriptionIdentifiers(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	sub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-subid"})
	sub.mustSubscribeV5(1, topic+"/a/+", 1, pVarint(propSubscriptionID, 1))
	sub.mustSubscribeV5(2, topic+"/a/#", 1, pVarint(propSubscriptionID, 2))
	sub.mustSubscribeV5(3, topic+"/plain", 1)
	pub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-subid-pub"})
	pub.send(publishV5Packet(topic+"/a/b", "both", 0, 0, false))
	pub.send(publishV5Packet(topic+"/plain", "none", 0, 0, false))

	var ids []int
	for {
		p := sub.expectPublishV5(5 * time.Second)
		if p.payload == "none" {
			if p.props.has(propSubscriptionID) {
				t.Fatalf("message on a subscription without identifier carries %v", p.props)
			}
			break
		}
		if p.payload != "both" {
			t.Fatalf("got %+v", p)
		}
		for _, id := range p.props.all(propSubscriptionID) {
			ids = append(ids, int(id.num))
		}
	}
	sort.Ints(ids)
	if len(ids) != 2 || ids[0] != 1 || ids[1] != 2 {
		t.Fatalf("subscription identifiers %v, want [1 2] [MQTT-3.3.4-3]", ids)
	}
}
