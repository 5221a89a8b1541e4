//go:build !race

package pool

import "testing"

func TestAcquireReleaseDoesNotAllocateWhenWarm(t *testing.T) {
	Acquire(256).Release()
	allocs := testing.AllocsPerRun(1000, func() {
		b := Acquire(200)
		b.Retain()
		b.Release()
		b.Release()
	})
	if allocs != 0 {
		t.Fatalf("Acquire/Release allocates %.1f times", allocs)
	}
}
