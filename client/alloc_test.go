//go:build !race

package client

import (
	"context"
	"testing"

	"github.com/midge-mqtt/midge/codec"
)

func TestPublishQoS0DoesNotAllocate(t *testing.T) {
	for _, v := range []byte{V311, V5} {
		connack := []byte{0x20, 0x02, 0, 0}
		if v == V5 {
			connack = []byte{0x20, 0x03, 0, 0, 0}
		}
		fc := &fakeConn{connack: connack, closed: make(chan struct{})}
		c, _, err := NewClient(context.Background(), fc, Options{Version: v, KeepAlive: 600})
		if err != nil {
			t.Fatal(err)
		}
		m := &Message{Topic: "sensors/board-7/temperature", Payload: []byte("21.5")}
		ctx := context.Background()
		allocs := testing.AllocsPerRun(1000, func() {
			if err := c.Publish(ctx, m); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("v%d: QoS 0 publish allocates %.1f times per message", v, allocs)
		}
		// 2 fixed header + 2+27 topic + 4 payload (+1 property length in 5.0).
		want := 35
		if v == V5 {
			want++
		}
		before := fc.written
		c.Publish(ctx, m)
		if got := fc.written - before; got != want {
			t.Errorf("v%d: PUBLISH is %d bytes, want %d", v, got, want)
		}
		c.Close()
	}
}

// Receiving a message and acknowledging it allocates nothing beyond the
// Message handed to the application: with logging off, no log arguments
// are boxed.
func TestReceiveAndAckDoNotAllocate(t *testing.T) {
	fc := &fakeConn{connack: []byte{0x20, 0x02, 0, 0}, closed: make(chan struct{})}
	got := 0
	c, _, err := NewClient(context.Background(), fc, Options{KeepAlive: 600, OnMessage: func(*Message) { got++ }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, qos := range []byte{0, 1} {
		m := &Message{Topic: "sensors/board-7/temperature", Payload: []byte("21.5"), QoS: qos, PacketID: 7}
		before, written := got, fc.written
		allocs := testing.AllocsPerRun(1000, func() {
			if err := c.handlePublish(m); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("QoS %d: receiving allocates %.1f times per message", qos, allocs)
		}
		if got-before != 1001 {
			t.Errorf("QoS %d: %d deliveries, want 1001", qos, got-before)
		}
		if qos == 1 && fc.written-written != 4*1001 { // a PUBACK each
			t.Errorf("QoS 1: %d bytes acknowledged, want %d", fc.written-written, 4*1001)
		}
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if err := c.handleAck(codec.PUBACK, 9, 0); err != nil { // no publish pending
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("an unexpected PUBACK allocates %.1f times", allocs)
	}
}

// A lent message costs nothing to receive: the whole path from the frame
// to the handler allocates nothing for a 3.1.1 QoS 1 PUBLISH.
func TestBorrowedReceiveDoesNotAllocate(t *testing.T) {
	fc := &fakeConn{connack: []byte{0x20, 0x02, 0, 0}, closed: make(chan struct{})}
	var topic string
	var payload int
	c, _, err := NewClient(context.Background(), fc, Options{KeepAlive: 600, BorrowMessages: true,
		OnMessage: func(m *Message) { topic, payload = m.Topic, len(m.Payload) }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := []byte{0, 4, 'a', '/', 'b', 'c', 0, 9, '2', '1', '.', '5'}
	f := codec.Frame{Type: codec.PUBLISH, Flags: 0x02, Body: body}
	var rx receiver
	allocs := testing.AllocsPerRun(1000, func() {
		if err := c.handle(&rx, f); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a lent message allocates %.1f times", allocs)
	}
	if topic != "a/bc" || payload != 4 {
		t.Errorf("handler saw %q with %d bytes", topic, payload)
	}
}
