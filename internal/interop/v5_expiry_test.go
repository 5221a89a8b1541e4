package interop

import (
	"testing"
	"time"
)

// TestV5RetainedMessageExpiryCountsDown stores a retained message with
// Message Expiry Interval 10 s and subscribes 2 s later: the copy delivered
// carries the remaining interval, at most 8 s [MQTT-3.3.2-6].
func TestV5RetainedMessageExpiryCountsDown(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	pub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-expiry-pub"})
	pub.send(publishV5Packet(topic, "retained", 1, 1, true, pU32(propMessageExpiry, 10)))
	pub.expectAckV5(typePUBACK, 1)
	time.Sleep(2100 * time.Millisecond)
	sub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-expiry-sub"})
	sub.mustSubscribeV5(1, topic, 1)
	p := sub.expectPublishV5(5 * time.Second)
	if !p.retain || p.payload != "retained" {
		t.Fatalf("got %+v, want the retained message", p)
	}
	if got := p.props.num(t, propMessageExpiry); got > 8 || got < 5 {
		t.Fatalf("Message Expiry Interval %d after 2 s of 10 s, want 8 or just under [MQTT-3.3.2-6]", got)
	}
}

// TestV5RetainedMessageExpires stores a retained message with Message Expiry
// Interval 1 s: a subscriber 2.5 s later receives nothing [MQTT-3.3.2-5],
// while a retained message without expiry on a sibling topic is still there.
func TestV5RetainedMessageExpires(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	pub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-expires-pub"})
	pub.send(publishV5Packet(topic+"/short", "gone", 1, 1, true, pU32(propMessageExpiry, 1)))
	pub.expectAckV5(typePUBACK, 1)
	pub.send(publishV5Packet(topic+"/forever", "kept", 1, 2, true))
	pub.expectAckV5(typePUBACK, 2)
	time.Sleep(2500 * time.Millisecond)
	sub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-expires-sub"})
	sub.mustSubscribeV5(1, topic+"/+", 1)
	p := sub.expectPublishV5(5 * time.Second)
	if p.topic != topic+"/forever" || p.props.has(propMessageExpiry) {
		t.Fatalf("got %+v, want only the retained message without expiry", p)
	}
	sub.send(ackV5Packet(typePUBACK, p.id, 0))
	sub.expectOpen(500 * time.Millisecond) // the expired one never comes [MQTT-3.3.2-5]
}

// TestV5QueuedMessageExpiry queues three messages for an offline persistent
// session: expiring in 1 s, in 60 s, and never. After 2.5 s the session
// resumes and receives only the last two, the second with its remaining
// interval [MQTT-3.3.2-5] [MQTT-3.3.2-6] and the third without one.
func TestV5QueuedMessageExpiry(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	o := v5ConnectOpts{clientID: "v5-queued-expiry", keepStart: true, props: []prop{pU32(propSessionExpiry, 300)}}
	sub, _ := connectV5(t, b, o)
	sub.mustSubscribeV5(1, topic, 1)
	sub.send(disconnectV5Packet(0))
	sub.expectClosed(5 * time.Second)

	pub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-queued-expiry-pub"})
	pub.send(publishV5Packet(topic, "short", 1, 1, false, pU32(propMessageExpiry, 1)))
	pub.expectAckV5(typePUBACK, 1)
	pub.send(publishV5Packet(topic, "long", 1, 2, false, pU32(propMessageExpiry, 60)))
	pub.expectAckV5(typePUBACK, 2)
	pub.send(publishV5Packet(topic, "none", 1, 3, false))
	pub.expectAckV5(typePUBACK, 3)
	time.Sleep(2500 * time.Millisecond)

	sub, ack := connectV5(t, b, o)
	if !ack.sessionPresent {
		t.Fatal("session lost")
	}
	var got []v5Publish
	for _, raw := range sub.drainUntilQuiet(time.Second) {
		p := raw.publishV5(t)
		got = append(got, p)
		sub.send(ackV5Packet(typePUBACK, p.id, 0))
	}
	if len(got) != 2 || got[0].payload != "long" || got[1].payload != "none" {
		t.Fatalf("received %+v, want only \"long\" then \"none\" [MQTT-3.3.2-5]", got)
	}
	if e := got[0].props.num(t, propMessageExpiry); e > 58 || e < 50 {
		t.Fatalf("Message Expiry Interval %d after 2.5 s of 60 s, want at most 58 [MQTT-3.3.2-6]", e)
	}
	if got[1].props.has(propMessageExpiry) {
		t.Fatalf("a message published without expiry arrived with %v", got[1].props)
	}
}

// TestV5QoS2AckSequenceContinuesAfterExpiry publishes QoS 2 with Message
// Expiry Interval 1 s to a topic with a subscriber and sends the PUBREL 2 s
// later: whether or not the broker applied the expiry, it completes the flow
// with PUBCOMP 0x00 [MQTT-4.3.3-13] and keeps the connection.
func TestV5QoS2AckSequenceContinuesAfterExpiry(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	sub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-q2-expiry-sub"})
	sub.mustSubscribeV5(1, topic, 0)
	pub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-q2-expiry-pub"})
	pub.send(publishV5Packet(topic, "slow", 2, 1, false, pU32(propMessageExpiry, 1)))
	pub.expectAckV5(typePUBREC, 1)
	time.Sleep(2 * time.Second)
	pub.send(ackV5Packet(typePUBREL, 1, 0))
	if a := pub.expectAckV5(typePUBCOMP, 1); a.reason != 0 {
		t.Fatalf("PUBCOMP reason 0x%02X after expiry, want 0x00 [MQTT-4.3.3-13]", a.reason)
	}
	pub.send(pingreqPacket)
	pub.expectType(typePINGRESP, 5*time.Second)
}
