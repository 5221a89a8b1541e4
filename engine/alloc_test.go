//go:build !race

package engine

import (
	"context"
	"testing"
)

// The per-PUBLISH hot path: a QoS 0 PUBLISH read on one loop and written to
// a subscriber of the same loop allocates nothing.
func TestPublishQoS0SameLoopDoesNotAllocate(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	sub, pub, pkt := sensorPair(tb, 0)
	step := func() {
		if _, err := pub.c.handleBytes(pkt); err != nil {
			t.Fatal(err)
		}
		pub.lp.endTurn()
		sub.tr.out.Reset()
	}
	step()
	if allocs := testing.AllocsPerRun(1000, step); allocs != 0 {
		t.Fatalf("QoS 0 same-loop publish allocates %.1f times", allocs)
	}
}

// QoS 1 to a subscriber on the same loop: the message is copied once into a
// pooled buffer; steady state allocates nothing either.
func TestPublishQoS1SameLoopDoesNotAllocate(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	sub, pub, pkt := sensorPair(tb, 1)
	ack := ackPacket(4, 0)
	step := func() { publishAndAckOldest(t, pub, sub, pkt, ack) }
	for range 10 {
		step()
	}
	if allocs := testing.AllocsPerRun(1000, step); allocs != 0 {
		t.Fatalf("QoS 1 same-loop publish allocates %.1f times", allocs)
	}
}

// A QoS 0 PUBLISH for a subscriber on another loop: one pooled copy, one
// pooled batch task; steady state allocates nothing.
func TestPublishCrossLoopDoesNotAllocate(t *testing.T) {
	tb := newTestBroker(t, 2, Options{})
	sub := tb.dial(1)
	sub.connect("sub", true)
	sub.subscribe("sensors/#", 0)
	pub := tb.dial(0)
	pub.connect("pub", true)
	pkt := publishPacket("sensors/42/temp", "21.5", 0, false, 0)
	q := tb.execs[1]
	step := func() {
		if _, err := pub.c.handleBytes(pkt); err != nil {
			t.Fatal(err)
		}
		pub.lp.endTurn()
		for _, tk := range q.tasks {
			_ = tk.Run(context.Background())
		}
		clear(q.tasks)
		q.tasks = q.tasks[:0]
		if sub.tr.out.Len() == 0 {
			t.Fatal("nothing delivered")
		}
		sub.tr.out.Reset()
	}
	for range 10 {
		step()
	}
	if allocs := testing.AllocsPerRun(1000, step); allocs != 0 {
		t.Fatalf("cross-loop publish allocates %.1f times", allocs)
	}
}
