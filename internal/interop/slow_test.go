package interop

import (
	"bytes"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// countingSubscriber reads PUBLISH packets off a raw connection in the
// background and counts those with the expected payload size.
type countingSubscriber struct {
	n    atomic.Int64
	err  atomic.Value // error that stopped the reader
	done chan struct{}
}

func startCounting(r *rawConn, size int) *countingSubscriber {
	s := &countingSubscriber{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			p, err := r.read(30 * time.Second)
			if err != nil {
				s.err.Store(err)
				return
			}
			if p.typ() == typePUBLISH && len(p.body) >= size {
				s.n.Add(1)
			}
		}
	}()
	return s
}

// waitCount waits until the subscriber has counted n messages.
func (s *countingSubscriber) waitCount(t testing.TB, n int64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for s.n.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("fast subscriber has %d of %d messages after %v (reader: %v)", s.n.Load(), n, timeout, s.err.Load())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestSlowConsumerDoesNotGrowMemory has one subscriber that never reads
// while 100,000 QoS 0 messages of 100 bytes flow to another subscriber of
// the same topic. The reading subscriber receives every message, and the
// broker's RSS after 100,000 messages is no larger than after 10,000
// (1.25x + 8 MB): what the stalled subscriber cannot take is dropped or the
// subscriber is disconnected, never buffered without bound.
func TestSlowConsumerDoesNotGrowMemory(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "flood")

	stalled := dialRaw(t, b)
	stalled.c.(*net.TCPConn).SetReadBuffer(4096) // fill up quickly
	stalled.send(connectPacket(connectOpts{clientID: "stalled", keepAlive: 0}))
	stalled.connack()
	stalled.subscribe(1, topic, 0)
	// From here on the stalled subscriber never reads.

	fastConn, _ := connectRaw(t, b, connectOpts{clientID: "fast", keepAlive: 0})
	fastConn.subscribe(1, topic, 0)
	fast := startCounting(fastConn, 100)

	pub, _ := connectRaw(t, b, connectOpts{clientID: "flooder", keepAlive: 0})
	payload := bytes.Repeat([]byte("p"), 100)
	msg := publishPacket(topic, payload, 0, 0, false, false)
	batch := bytes.Repeat(msg, 500)
	sent := int64(0)
	flood := func(upTo int64) {
		for sent < upTo {
			pub.send(batch)
			sent += 500
			// Pace on the reading subscriber so only the stalled one lags:
			// a healthy subscriber must lose nothing.
			fast.waitCount(t, sent, 30*time.Second)
		}
	}

	flood(10_000)
	time.Sleep(500 * time.Millisecond)
	rss10k := b.rssBytes(t)
	flood(100_000)
	time.Sleep(500 * time.Millisecond)
	rss100k := b.rssBytes(t)
	t.Logf("RSS after 10,000: %.1f MB, after 100,000: %.1f MB", float64(rss10k)/(1<<20), float64(rss100k)/(1<<20))

	fast.waitCount(t, 100_000, 10*time.Second)
	if limit := rss10k + rss10k/4 + memorySlack(8); rss100k > limit {
		t.Fatalf("RSS grew from %d MB to %d MB while a subscriber stalled: output to it is not bounded",
			rss10k>>20, rss100k>>20)
	}
	pub.send(pingreqPacket)
	pub.expectType(typePINGRESP, 5*time.Second)
	b.requireAlive(t)
}
