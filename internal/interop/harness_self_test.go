package interop

import (
	"strings"
	"testing"
)

// TestTailBufferKeepsFirstIncident checks the harness keeps a broker's panic
// report even after more output than the tail holds.
func TestTailBufferKeepsFirstIncident(t *testing.T) {
	w := &tailBuffer{max: 64}
	w.Write([]byte("starting\n"))
	w.Write([]byte("panic: runtime error: index out of range\n"))
	for i := 0; i < 100; i++ {
		w.Write([]byte("client connected\n"))
	}
	if got := w.incident(); !strings.HasPrefix(got, "panic: runtime error") {
		t.Fatalf("incident = %q", got)
	}
	if s := w.String(); len(s) > 64 || strings.Contains(s, "panic") {
		t.Fatalf("tail = %q, want the last 64 bytes only", s)
	}
}
