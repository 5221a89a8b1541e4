//go:build !race

package loadgen

import (
	"context"
	"io"
	"net"
	"testing"
	"time"
)

// The receive path runs once per delivered message on every subscriber:
// stamp decode, tracking and latency recording allocate nothing once a
// stream's bitset has grown.
func TestReceivePathAllocatesNothing(t *testing.T) {
	tr := NewTracker(4, 1<<20)
	rec := NewLatencyRecorder()
	p := make([]byte, 64)
	tr.Receive(Stamp{Publisher: 1, Seq: 1 << 19}) // grow the bitset once
	var seq uint64
	allocs := testing.AllocsPerRun(1000, func() {
		Stamp{Publisher: 1, Seq: seq, Intended: int64(seq)}.Put(p)
		st, err := DecodeStamp(p)
		if err != nil {
			t.Fatal(err)
		}
		tr.Receive(st)
		rec.Record(1, time.Duration(seq)*time.Microsecond)
		seq++
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per message", allocs)
	}
}

// ackAll is an MQTT server for allocation tests: it accepts one client,
// answers CONNECT with CONNACK and each QoS 1 PUBLISH with its PUBACK,
// reusing its buffers (short packets: one-byte remaining length).
func ackAll(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var hdr [2]byte
		body := make([]byte, 256)
		ack := []byte{0x40, 0x02, 0, 0}
		for {
			if _, err := io.ReadFull(c, hdr[:]); err != nil {
				return
			}
			if _, err := io.ReadFull(c, body[:hdr[1]]); err != nil {
				return
			}
			switch hdr[0] & 0xF0 {
			case 0x10: // CONNECT
				c.Write([]byte{0x20, 0x02, 0x00, 0x00})
			case 0x30: // PUBLISH QoS 1: the identifier follows the topic
				n := int(body[0])<<8 | int(body[1])
				ack[2], ack[3] = body[2+n], body[3+n]
				c.Write(ack)
			}
		}
	}()
	return l.Addr().String()
}

// A QoS 1 publish through the fleet's connections, acknowledgement
// included, allocates nothing: the generator does not collect garbage
// while it measures.
func TestQoS1PublishAllocatesNothing(t *testing.T) {
	d := &ClientDialer{Address: ackAll(t)}
	ctx := context.Background()
	c, err := d.Dial(ctx, ConnSpec{ClientID: "p", Version: 4, Clean: true, KeepAlive: 60})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Drop()
	payload := make([]byte, 64)
	for range 100 { // warm the client's pools and buffers
		if err := c.Publish(ctx, "sensors/1/temp", payload, 1, false); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(2000, func() {
		if err := c.Publish(ctx, "sensors/1/temp", payload, 1, false); err != nil {
			t.Fatal(err)
		}
	})
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if allocs != 0 {
		t.Fatalf("%.2f allocations per QoS 1 publish", allocs)
	}
}
