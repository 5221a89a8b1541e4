package bench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Stalls is what a thread spinning on each CPU saw of the machine: the
// gaps in which its CPU ran something else instead (interrupts, kernel
// threads, other processes or, in a virtual machine, the host running
// another guest). With nothing else running, the gaps are the floor
// under every tail latency measured on the machine: a message in flight
// when its CPU is taken away waits out the gap, and those behind it the
// backlog too.
type Stalls struct {
	Seconds float64 `json:"seconds"` // how long each CPU was probed
	CPUs    int     `json:"cpus"`    // how many were probed at once
	// Over1ms and Over200us count the gaps at least that long, summed
	// over the CPUs; LostMs is the time lost in gaps of 50 µs or more,
	// summed over the CPUs.
	Over1ms   int     `json:"gaps_over_1ms"`
	Over200us int     `json:"gaps_over_200us"`
	LostMs    float64 `json:"lost_ms"`
	MaxMs     float64 `json:"max_gap_ms"` // the longest gap
}

// stallFloor is the shortest gap counted: longer than a timer tick's or a
// Go preemption signal's handling, much shorter than a descheduling.
const stallFloor = 50 * time.Microsecond

// Per1sPerCPU is Over1ms per second of one CPU.
func (s Stalls) Per1sPerCPU() float64 {
	if s.Seconds <= 0 || s.CPUs <= 0 {
		return 0
	}
	return float64(s.Over1ms) / s.Seconds / float64(s.CPUs)
}

// String sums the probe up in one line.
func (s Stalls) String() string {
	return fmt.Sprintf("%d CPUs for %.1fs: %d gaps ≥ 1ms (%.1f per CPU-second), %d ≥ 200µs, longest %.2fms, %.1fms lost in gaps ≥ 50µs",
		s.CPUs, s.Seconds, s.Over1ms, s.Per1sPerCPU(), s.Over200us, s.MaxMs, s.LostMs)
}

// add folds one gap into s.
func (s *Stalls) add(gap time.Duration) {
	if gap < stallFloor {
		return
	}
	s.LostMs += float64(gap) / float64(time.Millisecond)
	s.MaxMs = max(s.MaxMs, float64(gap)/float64(time.Millisecond))
	if gap >= 200*time.Microsecond {
		s.Over200us++
	}
	if gap >= time.Millisecond {
		s.Over1ms++
	}
}

// merge adds another CPU's gaps to s.
func (s *Stalls) merge(o Stalls) {
	s.Over1ms += o.Over1ms
	s.Over200us += o.Over200us
	s.LostMs += o.LostMs
	s.MaxMs = max(s.MaxMs, o.MaxMs)
}

// spinFor reads now in a tight loop until it passes end and returns the
// gaps between consecutive readings. It allocates nothing, so a garbage
// collection cannot start from inside it.
func spinFor(now func() time.Duration, end time.Duration) Stalls {
	var s Stalls
	prev := now()
	for {
		t := now()
		s.add(t - prev)
		if t >= end {
			return s
		}
		prev = t
	}
}

// ProbeStalls spins one thread on each CPU the process may run on (at
// most GOMAXPROCS, so that every spinner has a processor) for d and
// reports the gaps. It keeps those CPUs busy for d: run it while the
// machine is otherwise quiet, between benchmark runs, never during one.
func ProbeStalls(ctx context.Context, d time.Duration) (Stalls, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return Stalls{}, fmt.Errorf("bench: the CPUs this process may use: %w", err)
	}
	var cpus []int
	for c := 0; c < len(set)*64 && len(cpus) < runtime.GOMAXPROCS(0); c++ {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	if len(cpus) == 0 {
		return Stalls{}, fmt.Errorf("bench: no CPU to probe")
	}
	start := time.Now()
	now := func() time.Duration { return time.Since(start) }
	end := now() + d
	per := make([]Stalls, len(cpus))
	errs := make([]error, len(cpus))
	var wg sync.WaitGroup
	for i, c := range cpus {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The thread stays locked and pinned: Go ends it when this
			// goroutine returns, so no other goroutine inherits the pin.
			runtime.LockOSThread()
			var one unix.CPUSet
			one.Set(c)
			if err := unix.SchedSetaffinity(0, &one); err != nil {
				errs[i] = fmt.Errorf("bench: pinning a thread to CPU %d: %w", c, err)
				return
			}
			per[i] = spinFor(now, end)
		}()
	}
	wg.Wait()
	s := Stalls{Seconds: d.Seconds(), CPUs: len(cpus)}
	for i := range per {
		if errs[i] != nil {
			return Stalls{}, errs[i]
		}
		s.merge(per[i])
	}
	return s, ctx.Err()
}

// WriteStalls prints a probe's result for `midge bench stalls`.
func WriteStalls(w io.Writer, s Stalls) {
	fmt.Fprintf(w, "probed %d CPUs for %.1fs with a spinning thread on each\n", s.CPUs, s.Seconds)
	fmt.Fprintf(w, "gaps ≥ 1ms:     %d (%.1f per CPU-second)\n", s.Over1ms, s.Per1sPerCPU())
	fmt.Fprintf(w, "gaps ≥ 200µs:   %d\n", s.Over200us)
	fmt.Fprintf(w, "longest gap:    %.2fms\n", s.MaxMs)
	fmt.Fprintf(w, "lost in gaps ≥ 50µs: %.1fms (%.2f%% of the CPUs' time)\n", s.LostMs, 100*s.LostMs/(1000*s.Seconds*float64(s.CPUs)))
}
