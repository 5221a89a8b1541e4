//go:build !race

package client

import (
	"context"
	"testing"
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
