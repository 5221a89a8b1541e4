//go:build !race

package loadgen

import (
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
