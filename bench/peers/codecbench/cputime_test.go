package codecbench

import (
	"syscall"
	"testing"
	"time"
)

// The comparison machines are often shared, so besides wall-clock ns/op
// each benchmark reports cpu-ns/op: the process's user+system CPU time per
// operation (getrusage), which time spent descheduled does not inflate. It
// includes garbage collection on other threads, which is a real cost of the
// allocating libraries.

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs op b.N times via b.Loop and reports cpu-ns/op.
func loop(b *testing.B, op func()) {
	b.ReportAllocs()
	start := cpuNow()
	n := 0
	for b.Loop() {
		op()
		n++
	}
	if n > 0 {
		b.ReportMetric(float64(cpuNow()-start)/float64(n), "cpu-ns/op")
	}
}
