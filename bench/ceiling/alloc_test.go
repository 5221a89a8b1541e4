//go:build !race

package ceiling

import "testing"

// TestForwardSameLoopAllocatesNothing: handling a read of PUBLISH packets
// and writing them to subscribers on the same loop allocates nothing once
// the loop's buffers have grown.
func TestForwardSameLoopAllocatesNothing(t *testing.T) {
	for _, filter := range []string{"a/b/c", "a/+/c", "a/#"} {
		lp, pub, subs := oneLoop(3, filter)
		read := append(publish("a/b/c", 0, 0, "x"), publish("a/b/c", 1, 1, "y")...)
		allocs := testing.AllocsPerRun(100, func() {
			used, err := lp.handle(pub, read)
			if err != nil || used != len(read) {
				t.Fatalf("handle = %d, %v", used, err)
			}
			lp.endTurn()
		})
		if allocs != 0 {
			t.Errorf("filter %s: %.1f allocations per read, want 0", filter, allocs)
		}
		if subs[2].bytes != 101*len(read) {
			t.Errorf("filter %s: subscriber got %d bytes, want %d", filter, subs[2].bytes, 101*len(read))
		}
		if subs[2].writes != 101 {
			t.Errorf("filter %s: %d writes, want one per read (101)", filter, subs[2].writes)
		}
	}
}
