package profiles

import "fmt"

// minFittedConnections is the fewest connections Fit leaves a preset: a
// broker for the processes of one board still needs a few.
const minFittedConnections = 16

// Fit adapts p to the CPUs and memory hw says the process may use, and
// lists what it changed:
//
//   - EventLoops 0 becomes one loop per usable CPU, or one loop on at
//     most two usable CPUs; EventLoops and
//     GOMAXPROCS above the usable CPUs (cgroup quota rounded up) are
//     lowered to them.
//   - With less usable memory than p.Memory (a 1GB Pi 4, a container's
//     memory.max), GOMEMLIMIT and MaxConnections shrink in proportion, so
//     the memory budget Validate checks still holds; with more, they grow
//     in proportion only when p.ScaleUp is set.
//
// Values hw knows nothing about (0 CPUs, 0 memory) are left as they are.
func (p Preset) Fit(hw Hardware) (Preset, []string) {
	var notes []string
	if hw.UsableCPUs() > 0 {
		cpus := hw.UsableCPUsCeil()
		switch {
		case p.EventLoops == 0 && cpus <= 2:
			// On one or two CPUs the broker shares them with the
			// processes it serves, and a second loop costs more in
			// cross-loop wake-ups than it gains: on a 2-CPU VM, `midge
			// bench run fanin` against `midge serve --loops 1` and
			// `--loops 2` measured about half the broker CPU per message
			// with one loop at 10k msg/s, and two thirds at 100k msg/s.
			p.EventLoops = 1
			notes = append(notes, fmt.Sprintf("event_loops = 1 for %d usable CPUs (cross-loop wake-ups cost more than a second loop gains)", cpus))
		case p.EventLoops == 0:
			p.EventLoops = cpus
			notes = append(notes, fmt.Sprintf("event_loops = %d, one per usable CPU", cpus))
		case p.EventLoops > cpus:
			notes = append(notes, fmt.Sprintf("event_loops %d lowered to the %d usable CPUs", p.EventLoops, cpus))
			p.EventLoops = cpus
		}
		if p.GOMAXPROCS > cpus {
			notes = append(notes, fmt.Sprintf("gomaxprocs %d lowered to the %d usable CPUs", p.GOMAXPROCS, cpus))
			p.GOMAXPROCS = cpus
		}
	}
	mem := hw.UsableMemory()
	if mem <= 0 || p.Memory <= 0 || mem == p.Memory || (mem > p.Memory && !p.ScaleUp) {
		return p, notes
	}
	verb := "lowered"
	if mem > p.Memory {
		verb = "raised"
	}
	// Scale in whole MiB: the products stay far below int64's range
	// (16 TiB times 16 TiB in MiB is 2^48), and the connections never
	// exceed what the rounded-down limit's budget allows.
	memMiB, presetMiB := mem>>20, p.Memory>>20
	if presetMiB == 0 {
		return p, notes
	}
	limit := max(p.GOMEMLIMIT>>20*memMiB/presetMiB, 1) << 20
	conns := int(int64(p.MaxConnections) * memMiB / presetMiB)
	if b := p.ConnectionBudget(); b > 0 {
		conns = min(conns, int(limit/b))
	}
	conns = max(conns, minFittedConnections)
	notes = append(notes, fmt.Sprintf("gomemlimit %s and max_connections %d %s to %s and %d for %s usable memory (sized for %s)",
		formatBytes(p.GOMEMLIMIT), p.MaxConnections, verb, formatBytes(limit), conns, formatMemory(mem), formatMemory(p.Memory)))
	p.GOMEMLIMIT, p.MaxConnections, p.Memory = limit, conns, memMiB<<20
	return p, notes
}
