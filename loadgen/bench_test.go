package loadgen

import (
	"testing"
	"time"
)

func BenchmarkReceivePath(b *testing.B) {
	tr := NewTracker(1, uint64(b.N)+1)
	rec := NewLatencyRecorder()
	p := make([]byte, 64)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Stamp{Seq: uint64(i), Intended: int64(i)}.Put(p)
		st, _ := DecodeStamp(p)
		tr.Receive(st)
		rec.Record(0, time.Duration(i%100000)*time.Microsecond)
	}
}

func BenchmarkLatencyRecordParallel(b *testing.B) {
	rec := NewLatencyRecorder()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			rec.Record(i, time.Duration(i%100000)*time.Microsecond)
			i++
		}
	})
}
