package ceiling

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

func TestForwardQoS0(t *testing.T) {
	r := startRelay(t)
	sub := dial(t, r, 4)
	sub.send(subscribe(1, 0, "s/t"))
	sub.expect("SUBACK", []byte{0x90, 3, 0, 1, 0}) // [MQTT-3.9.3-1]
	pub := dial(t, r, 4)
	p := publish("s/t", 0, 0, "hello")
	pub.send(p)
	sub.expect("forwarded PUBLISH", p)
	pub.sync() // nothing but PINGRESP came back to the publisher at QoS 0
}

func TestForwardQoS1(t *testing.T) {
	r := startRelay(t)
	sub := dial(t, r, 4)
	sub.send(subscribe(7, 1, "s/t"))
	sub.expect("SUBACK", []byte{0x90, 3, 0, 7, 1})
	pub := dial(t, r, 4)
	p := publish("s/t", 1, 0x1234, "q1")
	pub.send(p)
	pub.expect("PUBACK", []byte{0x40, 2, 0x12, 0x34}) // [MQTT-4.3.2-2]
	// Unchanged but for the packet identifier, the subscriber's first
	// [MQTT-2.2.1-3].
	sub.expect("forwarded PUBLISH", publish("s/t", 1, 1, "q1"))
	sub.send([]byte{0x40, 2, 0, 1}) // its PUBACK is absorbed
	sub.sync()
}

func TestForwardQoS2(t *testing.T) {
	r := startRelay(t)
	sub := dial(t, r, 4)
	sub.send(subscribe(2, 2, "s/t"))
	sub.expect("SUBACK", []byte{0x90, 3, 0, 2, 2})
	pub := dial(t, r, 4)
	p := publish("s/t", 2, 9, "q2")
	pub.send(p)
	pub.expect("PUBREC", []byte{0x50, 2, 0, 9}) // [MQTT-4.3.3-8]
	pub.send([]byte{0x62, 2, 0, 9})
	pub.expect("PUBCOMP", []byte{0x70, 2, 0, 9}) // [MQTT-4.3.3-11]
	sub.expect("forwarded PUBLISH", publish("s/t", 2, 1, "q2"))
	sub.send([]byte{0x50, 2, 0, 1})
	sub.expect("PUBREL", []byte{0x62, 2, 0, 1}) // [MQTT-3.6.1-1] flags 0010
}

func TestWildcardForward(t *testing.T) {
	r := startRelay(t)
	plus := dial(t, r, 4)
	plus.send(subscribe(1, 0, "w/+/temp"))
	plus.expect("SUBACK", []byte{0x90, 3, 0, 1, 0})
	hash := dial(t, r, 4)
	hash.send(subscribe(1, 0, "w/#", "#"))
	hash.expect("SUBACK", []byte{0x90, 4, 0, 1, 0, 0})
	pub := dial(t, r, 4)
	a := publish("w/1/temp", 0, 0, "a")
	b := publish("w/1/hum", 0, 0, "b")
	sys := publish("$SYS/x", 0, 0, "s")
	pub.send(append(append(a, b...), sys...))
	plus.expect("w/+/temp gets w/1/temp", a)
	hash.expect("w/# gets w/1/temp", a)
	hash.expect("# also gets w/1/temp", a) // one copy per matching filter
	hash.expect("w/# gets w/1/hum", b)
	hash.expect("# also gets w/1/hum", b)
	plus.sync() // w/1/hum did not reach w/+/temp
	hash.sync() // $SYS/x reached no wildcard [MQTT-4.7.2-1]
}

func TestUnsubscribeAndClose(t *testing.T) {
	r := startRelay(t)
	sub := dial(t, r, 4)
	sub.send(subscribe(1, 0, "u/a", "u/b"))
	sub.expect("SUBACK", []byte{0x90, 4, 0, 1, 0, 0})
	sub.send(packet(0xa2, []byte{0, 2, 0, 3, 'u', '/', 'a'}))
	sub.expect("UNSUBACK", []byte{0xb0, 2, 0, 2})
	pub := dial(t, r, 4)
	b := publish("u/b", 0, 0, "b")
	pub.send(append(publish("u/a", 0, 0, "a"), b...))
	sub.expect("only u/b", b) // same publisher: forwards keep its order
	sub.c.Close()
	// Publishing to the closed subscriber's topic is harmless; a new
	// subscriber gets the next message.
	pub.send(b)
	pub.sync()
	again := dial(t, r, 4)
	again.send(subscribe(3, 0, "u/b"))
	again.expect("SUBACK", []byte{0x90, 3, 0, 3, 0})
	pub.send(b)
	again.expect("u/b after resubscribe", b)
}

// TestPartialPacketsAcrossReads sends a PUBLISH a few bytes at a time: the
// relay holds the partial packet until it is whole.
func TestPartialPacketsAcrossReads(t *testing.T) {
	r := startRelay(t)
	sub := dial(t, r, 4)
	sub.send(subscribe(1, 1, "p/q"))
	sub.expect("SUBACK", []byte{0x90, 3, 0, 1, 1})
	pub := dial(t, r, 4)
	p := publish("p/q", 1, 5, string(bytes.Repeat([]byte("x"), 200))) // two-byte length
	for i := 0; i < len(p); i += 7 {
		pub.send(p[i:min(i+7, len(p))])
		time.Sleep(2 * time.Millisecond) // let each piece be its own read
	}
	pub.expect("PUBACK", []byte{0x40, 2, 0, 5})
	sub.expect("forwarded PUBLISH", publish("p/q", 1, 1, string(bytes.Repeat([]byte("x"), 200))))
}

// TestManyPacketsPerRead writes many packets in one write to subscribers
// on the publisher's loop and on the other one; each receives all of
// them, in order, unchanged.
func TestManyPacketsPerRead(t *testing.T) {
	r := startRelay(t)
	// Round robin over two loops: the publisher (third connection) shares
	// a loop with the first subscriber, not with the second.
	subs := []*rawClient{dial(t, r, 4), dial(t, r, 4)}
	for _, s := range subs {
		s.send(subscribe(1, 0, "m/+"))
		s.expect("SUBACK", []byte{0x90, 3, 0, 1, 0})
	}
	pub := dial(t, r, 4)
	var all []byte
	var want [][]byte
	for i := range 300 {
		topic, qos, payload := fmt.Sprintf("m/%d", i%5), byte(i%2), fmt.Sprintf("payload %d", i)
		all = append(all, publish(topic, qos, uint16(i+1), payload)...)
		// Each subscriber numbers its QoS 1 forwards 1, 2, 3...
		want = append(want, publish(topic, qos, uint16(i/2+1), payload))
	}
	pub.send(all)
	for si, s := range subs {
		for i, p := range want {
			if got := s.read(); !bytes.Equal(got, p) {
				t.Fatalf("subscriber %d, packet %d: got % x, want % x", si, i, got, p)
			}
		}
	}
	for i := range 300 {
		if i%2 == 1 {
			pub.expect("PUBACK", []byte{0x40, 2, byte((i + 1) >> 8), byte(i + 1)})
		}
	}
}

func TestMQTT5(t *testing.T) {
	r := startRelay(t)
	sub := dial(t, r, 5)
	// SUBSCRIBE with a subscription identifier property.
	sub.send(packet(0x82, []byte{0, 4, 2, 0x0b, 1, 0, 3, 'v', '/', '5', 1}))
	sub.expect("SUBACK", []byte{0x90, 4, 0, 4, 0, 1}) // empty properties, then codes
	old := dial(t, r, 4)
	old.send(publish("v/5", 0, 0, "3.1.1 bytes")) // other version: not forwarded
	pub := dial(t, r, 5)
	// QoS 1, packet identifier 7, no properties.
	pub.send(packet(0x32, []byte{0, 3, 'v', '/', '5', 0, 7, 0, 'h', 'i'}))
	pub.expect("PUBACK", []byte{0x40, 2, 0, 7}) // reason code omitted: success [MQTT-3.4.2.1]
	sub.expect("forwarded PUBLISH", packet(0x32, []byte{0, 3, 'v', '/', '5', 0, 1, 0, 'h', 'i'}))
	sub.send(packet(0xa2, []byte{0, 5, 0, 0, 3, 'v', '/', '5'}))
	sub.expect("UNSUBACK", []byte{0xb0, 4, 0, 5, 0, 0})
}

func TestVersionTopicNamesTheRelay(t *testing.T) {
	r := startRelay(t)
	c := dial(t, r, 4)
	c.send(subscribe(1, 0, versionTopic))
	c.expect("SUBACK", []byte{0x90, 3, 0, 1, 0})
	c.expect("version PUBLISH", publish(versionTopic, 0, 0, versionPayload))
}

func TestBadRemainingLengthCloses(t *testing.T) {
	r := startRelay(t)
	c := dial(t, r, 4)
	c.send([]byte{0x30, 0xff, 0xff, 0xff, 0xff, 0x01}) // [MQTT-1.5.5-1]
	_ = c.c.SetReadDeadline(time.Now().Add(2 * time.Second))
	var b [1]byte
	if n, err := c.c.Read(b[:]); err == nil {
		t.Fatalf("connection still open after a five-byte remaining length (read %d)", n)
	}
}

func TestDisconnectCloses(t *testing.T) {
	r := startRelay(t)
	c := dial(t, r, 4)
	c.send([]byte{0xe0, 0, 0xc0, 0}) // DISCONNECT, then a PINGREQ that is ignored
	_ = c.c.SetReadDeadline(time.Now().Add(2 * time.Second))
	var b [1]byte
	if n, err := c.c.Read(b[:]); err == nil {
		t.Fatalf("connection still open after DISCONNECT (read %#x, %d)", b[0], n)
	}
}

// TestPacketIdentifiersPerSubscriber: two publishers using the same packet
// identifier reach one subscriber with distinct identifiers, and the
// numbering wraps from 65535 to 1, never 0.
func TestPacketIdentifiersPerSubscriber(t *testing.T) {
	r := startRelay(t)
	sub := dial(t, r, 4)
	sub.send(subscribe(1, 2, "id/+"))
	sub.expect("SUBACK", []byte{0x90, 3, 0, 1, 2})
	a, b := dial(t, r, 4), dial(t, r, 4)
	a.send(publish("id/a", 2, 42, "from a"))
	a.expect("PUBREC", []byte{0x50, 2, 0, 42})
	b.send(publish("id/b", 2, 42, "from b"))
	b.expect("PUBREC", []byte{0x50, 2, 0, 42})
	first, second := sub.read(), sub.read()
	a1, b2 := publish("id/a", 2, 1, "from a"), publish("id/b", 2, 2, "from b")
	b1, a2 := publish("id/b", 2, 1, "from b"), publish("id/a", 2, 2, "from a")
	if !(bytes.Equal(first, a1) && bytes.Equal(second, b2)) && !(bytes.Equal(first, b1) && bytes.Equal(second, a2)) {
		t.Fatalf("forwards do not carry identifiers 1 and 2: % x, then % x", first, second)
	}
}

func TestPacketIdentifierWraps(t *testing.T) {
	lp, pub, _ := oneLoop(1, "w")
	var sub *rconn
	for _, c := range lp.r.ix.exact["w"] {
		sub = c
	}
	sub.nextID = 65534
	var seen []uint16
	sub.gc = &recordingConn{onWrite: func(b []byte) {
		_, h, _ := nextFrame(b)
		_, id, _ := publishTopic(b[h:], 1)
		seen = append(seen, id)
	}}
	for range 3 {
		if _, err := lp.handle(pub, publish("w", 1, 9, "x")); err != nil {
			t.Fatal(err)
		}
		lp.endTurn()
	}
	if fmt.Sprint(seen) != "[65535 1 2]" { // [MQTT-2.2.1-3] never 0
		t.Fatalf("identifiers %v, want [65535 1 2]", seen)
	}
}

// TestLargePacket forwards a PUBLISH larger than gnet's read buffer, so
// it arrives over several reads and is framed from gnet's inbound buffer.
func TestLargePacket(t *testing.T) {
	r := startRelay(t)
	sub := dial(t, r, 4)
	sub.send(subscribe(1, 0, "big"))
	sub.expect("SUBACK", []byte{0x90, 3, 0, 1, 0})
	pub := dial(t, r, 4)
	p := publish("big", 0, 0, string(bytes.Repeat([]byte("0123456789"), 30000))) // three-byte length
	written := make(chan error, 1)
	go func() { _, err := pub.c.Write(p); written <- err }()
	sub.expect("forwarded 300 kB PUBLISH", p)
	if err := <-written; err != nil {
		t.Fatal(err)
	}
}

// TestStalledSubscriberIsBounded: a subscriber that never reads gets
// forwards only until its unsent bytes pass the limit; the rest are
// counted as dropped and the publisher is not held up.
func TestStalledSubscriberIsBounded(t *testing.T) {
	old := maxOutbound
	maxOutbound = 256 << 10
	t.Cleanup(func() { maxOutbound = old }) // runs after the relay's Stop
	r := startRelay(t)
	stalled := dial(t, r, 4)
	stalled.send(subscribe(1, 0, "stall"))
	stalled.expect("SUBACK", []byte{0x90, 3, 0, 1, 0})
	pub := dial(t, r, 4)
	chunk := bytes.Repeat(publish("stall", 0, 0, string(bytes.Repeat([]byte("s"), 4000))), 64) // 256 kB
	for range 64 {                                                                             // 16 MB offered
		pub.send(chunk)
	}
	pub.sync() // the relay read everything
	if r.Dropped() == 0 {
		t.Fatal("16 MB sent to a subscriber that reads nothing, none dropped")
	}
}
