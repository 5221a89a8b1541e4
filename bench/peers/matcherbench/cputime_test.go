package matcherbench

import (
	"syscall"
	"testing"
	"time"
)

// processCPU returns the CPU time (user and system, every thread, garbage
// collector included) the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMeter reports CPU time per operation beside the wall-clock ns/op: on
// a machine whose cores are shared with other work, wall time counts the
// time the benchmark waited for a core, CPU time does not.
type cpuMeter struct {
	start time.Duration
}

func startCPU() cpuMeter { return cpuMeter{start: processCPU()} }

// report adds the metric "cpu-ns/<unit>" for ops operations.
func (m cpuMeter) report(b *testing.B, ops int, unit string) {
	if ops <= 0 {
		return
	}
	b.ReportMetric(float64((processCPU()-m.start).Nanoseconds())/float64(ops), "cpu-ns/"+unit)
}
