package loadgen

import (
	"math"
	"testing"
	"time"
)

func TestHistogramPercentilesWithinOneThousandth(t *testing.T) {
	rec := NewLatencyRecorder()
	// 1..100000 microseconds, one each: the p-th percentile is p*1000us.
	for v := 1; v <= 100000; v++ {
		rec.Record(v, time.Duration(v)*time.Microsecond)
	}
	s := Summarize(rec.Merged())
	if s.Count != 100000 {
		t.Fatalf("count %d", s.Count)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"p50", s.P50Us, 50000}, {"p90", s.P90Us, 90000}, {"p99", s.P99Us, 99000},
		{"p99.9", s.P999Us, 99900}, {"p99.99", s.P9999Us, 99990}, {"max", s.MaxUs, 100000},
		{"min", s.MinUs, 1}, {"mean", s.MeanUs, 50000.5},
	} {
		if math.Abs(c.got-c.want)/c.want > 0.001 {
			t.Errorf("%s = %.3fus, want %.3fus within 0.1%%", c.name, c.got, c.want)
		}
	}
	if len(s.Curve) != len(CurvePercentiles) {
		t.Fatalf("curve has %d points", len(s.Curve))
	}
	for i := 1; i < len(s.Curve); i++ {
		if s.Curve[i].Us < s.Curve[i-1].Us {
			t.Fatalf("curve not monotonic at %v", s.Curve[i])
		}
	}
}

func TestHistogramKeepsSubMicrosecondResolution(t *testing.T) {
	rec := NewLatencyRecorder()
	rec.Record(0, 1500*time.Nanosecond)
	rec.Record(1, 1500*time.Nanosecond)
	s := Summarize(rec.Merged())
	if math.Abs(s.P50Us-1.5) > 0.002 {
		t.Fatalf("1.5us recorded as %.4fus", s.P50Us)
	}
}

func TestHistogramClampsOutOfRange(t *testing.T) {
	rec := NewLatencyRecorder()
	rec.Record(0, -time.Second)
	rec.Record(0, 2*time.Hour)
	s := Summarize(rec.Merged())
	if s.Count != 2 || s.MinUs > 0.002 || s.MaxUs < float64(time.Hour/time.Microsecond)*0.999 {
		t.Fatalf("summary %+v", s)
	}
	if empty := Summarize(NewLatencyRecorder().Merged()); empty.Count != 0 || empty.Curve != nil {
		t.Fatalf("empty summary %+v", empty)
	}
}
