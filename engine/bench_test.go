package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/midge-mqtt/midge/codec"
)

// benchFanOut measures one PUBLISH read and written to subs subscribers
// spread over loops event loops (in-memory transports, no syscalls).
func benchFanOut(b *testing.B, loops, subs int, qos byte) {
	t := &testing.T{}
	tb := newTestBroker(t, loops, Options{})
	var clients []*testClient
	for i := range subs {
		c := tb.dial(i % loops)
		c.connect(fmt.Sprintf("sub-%d", i), true)
		c.subscribe("sensors/+/temp", qos)
		clients = append(clients, c)
	}
	pub := tb.dial(0)
	pub.connect("pub", true)
	pkt := publishPacket("sensors/42/temp", "21.5", qos, false, 1)
	ack := ackPacket(4, 0)
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	b.ResetTimer()
	for range b.N {
		if _, err := pub.c.handleBytes(pkt); err != nil {
			b.Fatal(err)
		}
		pub.lp.endTurn()
		for _, q := range tb.execs {
			for _, tk := range q.tasks {
				_ = tk.Run(context.Background())
			}
			clear(q.tasks)
			q.tasks = q.tasks[:0]
		}
		for _, c := range clients {
			if qos > 0 {
				ackOldest(b, c, ack)
			}
			c.tr.out.Reset()
		}
		pub.tr.out.Reset()
	}
}

func BenchmarkPublishQoS0OneSubscriber(b *testing.B)     { benchFanOut(b, 1, 1, 0) }
func BenchmarkPublishQoS0FanOut100(b *testing.B)         { benchFanOut(b, 1, 100, 0) }
func BenchmarkPublishQoS0FanOut100TwoLoops(b *testing.B) { benchFanOut(b, 2, 100, 0) }
func BenchmarkPublishQoS1FanOut10(b *testing.B)          { benchFanOut(b, 1, 10, 1) }

// BenchmarkExpiryPass is one once-a-second expiry pass on a broker with
// 10,000 persistent sessions online and one offline that can expire.
func BenchmarkExpiryPass(b *testing.B) {
	t := &testing.T{}
	tb := newTestBroker(t, 1, Options{})
	for i := range 10_000 {
		c := tb.dial(0)
		c.connectV5(fmt.Sprintf("c%d", i), false, codec.Properties{SessionExpiry: 3600})
	}
	off := tb.dial(0)
	off.connectV5("offline", false, codec.Properties{SessionExpiry: 3600})
	off.drop()
	now := tb.clock.Now()
	b.ResetTimer()
	for range b.N {
		if !tb.b.expireSessions(now) {
			b.Fatal("the offline session is not waiting to expire")
		}
	}
}

// benchWindow measures one QoS 1 PUBLISH delivered to a subscriber whose
// window already holds held unacknowledged messages, and the PUBACK of
// the oldest one: the window's cost of taking acknowledgements in order.
func benchWindow(b *testing.B, held int) {
	t := &testing.T{}
	tb := newTestBroker(t, 1, Options{MaxInflightMessages: held + 1})
	sub, pub, pkt := sensorPair(tb, 1)
	for range held {
		if _, err := pub.c.handleBytes(pkt); err != nil {
			b.Fatal(err)
		}
		pub.lp.endTurn()
	}
	s := sub.c.session
	if len(s.inflight) != held {
		b.Fatalf("%d in flight, want %d", len(s.inflight), held)
	}
	ack := ackPacket(4, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		publishAndAckOldest(b, pub, sub, pkt, ack)
	}
}

func BenchmarkQoS1WindowOf1(b *testing.B)   { benchWindow(b, 0) }
func BenchmarkQoS1WindowOf20(b *testing.B)  { benchWindow(b, 19) }
func BenchmarkQoS1WindowOf100(b *testing.B) { benchWindow(b, 99) }
