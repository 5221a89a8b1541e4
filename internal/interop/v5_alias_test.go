package interop

import (
	"fmt"
	"testing"
	"time"
)

// TestV5InboundTopicAlias publishes with a topic and alias 1, then with the
// alias alone, then remaps alias 1 to another topic: every message reaches
// the subscriber with its full topic name, matching its filter
// [MQTT-3.3.2-12] [MQTT-3.3.2-3], and a subscriber
// that announced no Topic Alias Maximum never receives an alias
// [MQTT-3.1.2-27].
func TestV5InboundTopicAlias(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	sub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-alias-sub"})
	sub.mustSubscribeV5(1, topic+"/#", 0)
	pub, ack := connectV5(t, b, v5ConnectOpts{clientID: "v5-alias-pub"})
	if max := ack.props.num(t, propTopicAliasMaximum); max < 1 {
		t.Fatalf("Topic Alias Maximum %d", max)
	}
	pub.send(publishV5Packet(topic+"/a", "one", 0, 0, false, pU16(propTopicAlias, 1)))
	pub.send(publishV5Packet("", "two", 0, 0, false, pU16(propTopicAlias, 1)))
	pub.send(publishV5Packet(topic+"/b", "three", 0, 0, false, pU16(propTopicAlias, 1)))
	pub.send(publishV5Packet("", "four", 1, 1, false, pU16(propTopicAlias, 1)))
	pub.expectAckV5(typePUBACK, 1)
	want := []struct{ topic, payload string }{
		{topic + "/a", "one"}, {topic + "/a", "two"}, {topic + "/b", "three"}, {topic + "/b", "four"},
	}
	for _, w := range want {
		p := sub.expectPublishV5(5 * time.Second)
		if p.topic != w.topic || p.payload != w.payload {
			t.Fatalf("got %q on %q, want %q on %q", p.payload, p.topic, w.payload, w.topic)
		}
		if p.props.has(propTopicAlias) {
			t.Fatalf("Topic Alias sent to a client without Topic Alias Maximum [MQTT-3.1.2-27]: %v", p.props)
		}
	}
}

// TestV5TopicAliasNotCarriedAcrossConnections sets alias 1 on one
// connection, reconnects with the same client id and uses alias 1 alone:
// the mapping did not survive [MQTT-3.3.2-7], so this is a Protocol Error
// (DISCONNECT 0x82) and nothing is delivered.
func TestV5TopicAliasNotCarriedAcrossConnections(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	sub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-alias-carry-sub"})
	sub.mustSubscribeV5(1, topic, 0)
	o := v5ConnectOpts{clientID: "v5-alias-carry", keepStart: true, props: []prop{pU32(propSessionExpiry, 60)}}
	pub, _ := connectV5(t, b, o)
	pub.send(publishV5Packet(topic, "mapped", 1, 1, false, pU16(propTopicAlias, 1)))
	pub.expectAckV5(typePUBACK, 1)
	pub.send(disconnectV5Packet(0))
	pub.expectClosed(5 * time.Second)
	if p := sub.expectPublishV5(5 * time.Second); p.payload != "mapped" {
		t.Fatalf("got %+v", p)
	}
	pub, ack := connectV5(t, b, o)
	if !ack.sessionPresent {
		t.Fatal("session lost")
	}
	pub.send(publishV5Packet("", "stale", 1, 2, false, pU16(propTopicAlias, 1)))
	pub.expectDisconnectV5(0x82, 5*time.Second)
	sub.expectOpen(300 * time.Millisecond)
}

// TestV5OutboundTopicAliases subscribes as a raw client announcing Topic
// Alias Maximum 5 and receives 20 messages on one topic. Every alias the
// broker uses is between 1 and 5 [MQTT-3.1.2-26] [MQTT-3.3.2-11]
// [MQTT-3.3.2-8], every message resolves to
// the right topic, and midge replaces the topic name by its alias after the
// first message (the spec lets a server do so; mosquitto 2.0.11 never sends
// aliases).
func TestV5OutboundTopicAliases(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	sub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-outbound-alias", props: []prop{pU16(propTopicAliasMaximum, 5)}})
	sub.mustSubscribeV5(1, topic+"/#", 0)
	pub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-outbound-alias-pub"})
	const n = 20
	for i := 0; i < n; i++ {
		target := topic + "/hot"
		if i%5 == 4 {
			target = topic + "/cold"
		}
		pub.send(publishV5Packet(target, fmt.Sprint(i), 0, 0, false))
	}
	aliases := map[uint32]string{}
	var emptyNames int
	for i := 0; i < n; i++ {
		p := sub.expectPublishV5(5 * time.Second)
		name := p.topic
		if a, ok := p.props.get(propTopicAlias); ok {
			if a.num < 1 || a.num > 5 {
				t.Fatalf("Topic Alias %d outside 1..5 [MQTT-3.1.2-26] [MQTT-3.3.2-8]", a.num)
			}
			if name != "" {
				aliases[a.num] = name
			} else {
				emptyNames++
				if name = aliases[a.num]; name == "" {
					t.Fatalf("empty topic name with alias %d that was never set", a.num)
				}
			}
		} else if name == "" {
			t.Fatal("empty topic name without Topic Alias")
		}
		want := topic + "/hot"
		if i%5 == 4 {
			want = topic + "/cold"
		}
		if name != want || p.payload != fmt.Sprint(i) {
			t.Fatalf("message %d resolved to %q %q, want %q", i, name, p.payload, want)
		}
	}
	if brokerIs("mosquitto") {
		return // mosquitto 2.0.11 does not assign outbound topic aliases (optional in the spec)
	}
	if emptyNames == 0 {
		t.Fatalf("no message arrived with an empty topic name and an alias; the broker should alias repeated topics")
	}
}

// TestListenerMaxQoSAndTopicAliasMaximum: a listener with max_qos 1 and
// max_topic_alias 2 tells MQTT 5 clients in CONNACK [MQTT-3.2.2-9], grants
// a QoS 2 subscription at QoS 1 [MQTT-3.2.2-10], closes with DISCONNECT
// 0x9B on a QoS 2 PUBLISH and with 0x94 on alias 3 [MQTT-3.3.2-9], and
// refuses a Will QoS 2 with CONNACK 0x9B [MQTT-3.2.2-12]. A 3.1.1
// publisher above the maximum is disconnected.
func TestListenerMaxQoSAndTopicAliasMaximum(t *testing.T) {
	cfg := defaultConfig()
	cfg.tcpListenerOptions = []string{"max_qos 1", "max_topic_alias 2"}
	b := startBroker(t, cfg)
	topic := uniqueTopic(t, "maxqos")
	sub, ack := connectV5(t, b, v5ConnectOpts{clientID: "maxqos-sub"})
	if q := ack.props.num(t, propMaximumQoS); q != 1 {
		t.Fatalf("CONNACK Maximum QoS %d, want 1", q)
	}
	if m := ack.props.num(t, propTopicAliasMaximum); m != 2 {
		t.Fatalf("CONNACK Topic Alias Maximum %d, want 2", m)
	}
	if got := sub.subscribeV5(1, nil, v5Sub{topic, 2}); got.reasons[0] != 1 {
		t.Fatalf("SUBSCRIBE at QoS 2 granted 0x%02X, want QoS 1", got.reasons[0])
	}
	pub, _ := connectV5(t, b, v5ConnectOpts{clientID: "maxqos-pub"})
	pub.send(publishV5Packet(topic, "one", 1, 1, false, pU16(propTopicAlias, 2)))
	pub.expectAckV5(typePUBACK, 1)
	if p := sub.expectPublishV5(5 * time.Second); p.payload != "one" || p.qos != 1 {
		t.Fatalf("got %+v, want \"one\" at QoS 1", p)
	}
	pub.send(publishV5Packet(topic, "alias 3", 0, 0, false, pU16(propTopicAlias, 3)))
	pub.expectDisconnectV5(0x94, 5*time.Second)
	pub, _ = connectV5(t, b, v5ConnectOpts{clientID: "maxqos-pub"})
	pub.send(publishV5Packet(topic, "qos 2", 2, 1, false))
	pub.expectDisconnectV5(0x9B, 5*time.Second)
	w, wack := dialV5(t, b, v5ConnectOpts{clientID: "maxqos-will", will: &v5Will{topic: topic, payload: "bye", qos: 2}})
	if wack.reason != 0x9B {
		t.Fatalf("CONNECT with Will QoS 2: CONNACK 0x%02X, want 0x9B", wack.reason)
	}
	w.expectClosed(5 * time.Second)
	old := dialRaw(t, b)
	old.send(connectPacket(connectOpts{clientID: "maxqos-311"}))
	if _, rc := old.connack(); rc != 0 {
		t.Fatalf("3.1.1 CONNACK %d", rc)
	}
	old.send(packet(0x34, str(topic), u16(1), []byte("qos 2"))) // PUBLISH QoS 2, id 1
	old.expectClosedSilently(5 * time.Second)
	sub.expectOpen(300 * time.Millisecond) // nothing above the maximum got through
}
