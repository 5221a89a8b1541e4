package profiles

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// Not parallel: it changes process-wide runtime settings (and restores
// them).
func TestApplyRuntime(t *testing.T) {
	oldProcs := runtime.GOMAXPROCS(0)
	oldLimit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		runtime.GOMAXPROCS(oldProcs)
		debug.SetMemoryLimit(oldLimit)
	})
	p := Preset{GOMAXPROCS: 1, GOMEMLIMIT: 300 << 20}

	t.Setenv("GOMAXPROCS", "")
	t.Setenv("GOMEMLIMIT", "")
	notes := p.ApplyRuntime()
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("GOMAXPROCS %d, want 1", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 300<<20 {
		t.Errorf("memory limit %d, want %d", got, 300<<20)
	}
	if len(notes) != 2 || notes[1] != "GOMEMLIMIT=300MiB" {
		t.Errorf("notes %q", notes)
	}

	// The environment is explicit: it wins over the preset.
	runtime.GOMAXPROCS(oldProcs)
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMAXPROCS", "3")
	t.Setenv("GOMEMLIMIT", "1GiB")
	p.ApplyRuntime()
	if got := runtime.GOMAXPROCS(0); got != oldProcs {
		t.Errorf("GOMAXPROCS changed to %d despite the environment", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit changed to %d despite the environment", got)
	}

	// Zero values keep the runtime's defaults.
	t.Setenv("GOMAXPROCS", "")
	t.Setenv("GOMEMLIMIT", "")
	if notes := (Preset{}).ApplyRuntime(); len(notes) != 0 || runtime.GOMAXPROCS(0) != oldProcs {
		t.Errorf("zero preset: notes %q, GOMAXPROCS %d", notes, runtime.GOMAXPROCS(0))
	}
}
