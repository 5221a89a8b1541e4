package profiles

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
)

// ApplyRuntime sets the Go runtime's GOMAXPROCS and soft memory limit
// from p, and says what it set. The GOMAXPROCS and GOMEMLIMIT environment
// variables are explicit settings and win: when one is set, its value is
// left alone. Zero values keep the runtime's defaults. Call it once at
// start-up, before the event loops start.
func (p Preset) ApplyRuntime() []string {
	var notes []string
	if os.Getenv("GOMAXPROCS") != "" {
		notes = append(notes, "GOMAXPROCS from the environment")
	} else if p.GOMAXPROCS > 0 {
		runtime.GOMAXPROCS(p.GOMAXPROCS)
		notes = append(notes, fmt.Sprintf("GOMAXPROCS=%d", p.GOMAXPROCS))
	}
	if os.Getenv("GOMEMLIMIT") != "" {
		notes = append(notes, "GOMEMLIMIT from the environment")
	} else if p.GOMEMLIMIT > 0 {
		debug.SetMemoryLimit(p.GOMEMLIMIT)
		notes = append(notes, "GOMEMLIMIT="+formatBytes(p.GOMEMLIMIT))
	}
	return notes
}
