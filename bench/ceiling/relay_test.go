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
	sub.expect("forwarded PUBLISH", p)                // unchanged, publisher's id
	sub.send([]byte{0x40, 2, 0x12, 0x34})             // its PUBACK is absorbed
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
	sub.expect("forwarded PUBLISH", p)
	sub.send([]byte{0x50, 2, 0, 9})
	sub.expect("PUBREL", []byte{0x62, 2, 0, 9}) // [MQTT-3.6.1-1] flags 0010
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
	sub.expect("forwarded PUBLISH", p)
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
		p := publish(fmt.Sprintf("m/%d", i%5), byte(i%2), uint16(i+1), fmt.Sprintf("payload %d", i))
		want = append(want, p)
		all = append(all, p...)
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
	p := packet(0x32, []byte{0, 3, 'v', '/', '5', 0, 1, 0, 'h', 'i'}) // QoS 1, no properties
	pub.send(p)
	pub.expect("PUBACK", []byte{0x40, 2, 0, 1}) // reason code omitted: success [MQTT-3.4.2.1]
	sub.expect("forwarded PUBLISH", p)
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
