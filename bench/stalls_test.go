package bench

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"
)

// A clock that advances 1µs per reading, with the given jumps at given
// readings, stands for a CPU taken away for those gaps.
func fakeClock(jumps map[int]time.Duration) func() time.Duration {
	var t time.Duration
	n := 0
	return func() time.Duration {
		n++
		t += time.Microsecond + jumps[n]
		return t
	}
}

func TestSpinForCountsTheGapsByLength(t *testing.T) {
	jumps := map[int]time.Duration{
		10:  30 * time.Microsecond, // under the floor: not a stall
		20:  100 * time.Microsecond,
		30:  300 * time.Microsecond,
		40:  1500 * time.Microsecond,
		50:  4 * time.Millisecond,
		900: time.Millisecond,
	}
	s := spinFor(fakeClock(jumps), 20*time.Millisecond)
	if s.Over1ms != 3 || s.Over200us != 4 {
		t.Errorf("≥1ms %d ≥200µs %d, want 3 and 4", s.Over1ms, s.Over200us)
	}
	// Each gap is its jump plus the 1µs step.
	if want := 0.101 + 0.301 + 1.501 + 4.001 + 1.001; s.LostMs < want-1e-9 || s.LostMs > want+1e-9 {
		t.Errorf("lost %.3fms, want %.3f", s.LostMs, want)
	}
	if s.MaxMs < 4.0009 || s.MaxMs > 4.0011 {
		t.Errorf("longest %.4fms, want 4.001", s.MaxMs)
	}
}

func TestProbeStallsSpinsOnEveryCPUItMay(t *testing.T) {
	s, err := ProbeStalls(context.Background(), 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if s.CPUs < 1 || s.CPUs > runtime.GOMAXPROCS(0) || s.Seconds != 0.1 {
		t.Fatalf("probe %+v", s)
	}
	// No gap can outlast the probe, nor the lost time all CPUs' time.
	if s.MaxMs > 1000 || s.LostMs > 1000*float64(s.CPUs) || s.Over1ms > s.Over200us {
		t.Fatalf("impossible probe %+v", s)
	}
	var b strings.Builder
	WriteStalls(&b, s)
	if !strings.Contains(b.String(), "gaps ≥ 1ms:") {
		t.Errorf("report:\n%s", b.String())
	}
}
