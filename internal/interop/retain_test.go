package interop

import (
	"sort"
	"testing"
	"time"
)

// TestRetainedSetReplaceClear stores a retained message, replaces it, and
// clears it with an empty payload; each new subscriber sees the current
// state with the retain flag set.
func TestRetainedSetReplaceClear(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "state")
	pub, _, _ := pahoClient(t, b, "ret-pub", pahoOpts{})

	pahoPublish(t, pub, topic, 1, true, "first")
	sub1, msgs1, _ := pahoClient(t, b, "ret-sub1", pahoOpts{})
	pahoSubscribe(t, sub1, topic, 1)
	m := next(t, msgs1, 5*time.Second)
	if m.payload != "first" || !m.retain { // [MQTT-3.3.1-6] [MQTT-3.3.1-8]
		t.Fatalf("first subscriber got %+v, want retained \"first\"", m)
	}

	pahoPublish(t, pub, topic, 1, true, "second") // replaces [MQTT-3.3.1-5]
	if m := next(t, msgs1, 5*time.Second); m.payload != "second" || m.retain {
		t.Fatalf("live delivery %+v, want \"second\" with retain 0 [MQTT-3.3.1-9]", m)
	}
	sub2, msgs2, _ := pahoClient(t, b, "ret-sub2", pahoOpts{})
	pahoSubscribe(t, sub2, topic, 1)
	if m := next(t, msgs2, 5*time.Second); m.payload != "second" || !m.retain {
		t.Fatalf("second subscriber got %+v, want retained \"second\" only", m)
	}
	expectNone(t, msgs2, 200*time.Millisecond)

	pahoPublish(t, pub, topic, 1, true, "") // clears [MQTT-3.3.1-10] [MQTT-3.3.1-11]
	sub3, msgs3, _ := pahoClient(t, b, "ret-sub3", pahoOpts{})
	pahoSubscribe(t, sub3, topic, 1)
	pahoPublish(t, pub, topic, 0, false, "live")
	if m := next(t, msgs3, 5*time.Second); m.payload != "live" || m.retain {
		t.Fatalf("after clearing, a new subscriber got %+v first, want the live message", m)
	}
}

// TestRetainedLiveForwardedWithRetainCleared checks that a retained PUBLISH
// reaches an existing subscriber with RETAIN 0, seen byte by byte on a raw
// socket [MQTT-3.3.1-9], and a later subscriber with RETAIN 1 [MQTT-3.3.1-8].
func TestRetainedLiveForwardedWithRetainCleared(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	live, _ := connectRaw(t, b, connectOpts{clientID: "live-sub"})
	live.subscribe(1, topic, 0)
	pub, _ := connectRaw(t, b, connectOpts{clientID: "live-pub"})
	pub.send(publishPacket(topic, []byte("v"), 1, 1, false, true))
	pub.expectAck(typePUBACK, 1)
	p := live.expectPublish(5 * time.Second)
	if p.retain || p.dup || p.payload != "v" || p.qos != 0 { // [MQTT-3.3.1-9] [MQTT-4.3.1-1]
		t.Fatalf("existing subscriber got %+v, want retain 0, QoS 0", p)
	}
	late, _ := connectRaw(t, b, connectOpts{clientID: "late-sub"})
	late.subscribe(1, topic, 1)
	p = late.expectPublish(5 * time.Second)
	if !p.retain || p.payload != "v" || p.qos != 1 { // [MQTT-3.3.1-8]
		t.Fatalf("new subscriber got %+v, want retain 1 at QoS 1", p)
	}
	late.send(ackPacket(typePUBACK, p.id))
}

// TestRetainedWildcardSubscriptionReceivesAll stores retained messages on
// several topics and checks wildcard subscribers receive every match.
func TestRetainedWildcardSubscriptionReceivesAll(t *testing.T) {
	b := startBroker(t, defaultConfig())
	base := uniqueTopic(t, "r")
	pub, _, _ := pahoClient(t, b, "wret-pub", pahoOpts{})
	for _, s := range []string{"a", "b", "c/d", "c/e/f"} {
		pahoPublish(t, pub, base+"/"+s, 1, true, s)
	}
	cases := []struct {
		filter string
		want   []string
	}{
		{base + "/#", []string{"a", "b", "c/d", "c/e/f"}},
		{base + "/+", []string{"a", "b"}},
		{base + "/c/+", []string{"c/d"}},
		{base + "/+/+/f", []string{"c/e/f"}},
	}
	for i, c := range cases {
		sub, msgs, _ := pahoClient(t, b, "wret-sub"+string(rune('0'+i)), pahoOpts{})
		pahoSubscribe(t, sub, c.filter, 1)
		var got []string
		for range c.want {
			m := next(t, msgs, 5*time.Second)
			if !m.retain {
				t.Errorf("%s: %+v without retain flag", c.filter, m)
			}
			got = append(got, m.payload)
		}
		expectNone(t, msgs, 200*time.Millisecond)
		sort.Strings(got)
		if len(got) != len(c.want) {
			t.Fatalf("%s: got %v, want %v", c.filter, got, c.want)
		}
		for j := range got {
			if got[j] != c.want[j] {
				t.Fatalf("%s: got %v, want %v", c.filter, got, c.want)
			}
		}
	}
}

// TestRetainedMosquittoClients sets and reads a retained message with
// mosquitto_pub -r and mosquitto_sub; the message outlives the publisher's
// session [MQTT-3.1.2-7].
func TestRetainedMosquittoClients(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	mosquittoPub(t, append(b.tcpArgs(), "-t", topic, "-q", "1", "-r", "-m", "kept")...)
	s := mosquittoSub(t, b, append(b.tcpArgs(), "-t", topic, "-q", "1")...)
	m := next(t, s.msgs, 5*time.Second)
	if m.payload != "kept" || !m.retain || m.qos != 1 {
		t.Fatalf("got %+v, want retained \"kept\" at QoS 1", m)
	}
	mosquittoPub(t, append(b.tcpArgs(), "-t", topic, "-q", "1", "-m", "fresh")...)
	if m := next(t, s.msgs, 5*time.Second); m.payload != "fresh" || m.retain {
		t.Fatalf("got %+v, want live \"fresh\" with retain 0", m)
	}
}
