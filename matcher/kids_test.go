package matcher

import (
	"fmt"
	"sync"
	"testing"
)

// TestNamedChildrenInlineAndTable: a node's named children are listed inline
// up to smallKids and found through the edge table beyond; matches find
// every child either way, while children come and go.
func TestNamedChildrenInlineAndTable(t *testing.T) {
	x := New[int]()
	check := func(present map[int]bool) {
		t.Helper()
		for i := range 3 * smallKids {
			out := x.Match(fmt.Appendf(nil, "k%d/x", i), nil)
			if want := present[i]; want != (len(out) == 1) || want && out[0].Sub != i {
				t.Fatalf("k%d/x matched %+v, want subscriber %d: %v", i, out, i, want)
			}
		}
		if got := x.root.namedCount(); got != len(present) {
			t.Fatalf("root counts %d named children, want %d", got, len(present))
		}
	}
	present := map[int]bool{}
	for i := range 3 * smallKids { // past the inline list into the table
		mustSub(t, x, i, fmt.Sprintf("k%d/#", i), Options{})
		present[i] = true
		check(present)
		if inline := x.root.kids.Load().inline; inline != (i < smallKids) {
			t.Fatalf("%d children: inline %v", i+1, inline)
		}
	}
	for i := range 3 * smallKids {
		if !x.Unsubscribe(i, fmt.Sprintf("k%d/#", i)) {
			t.Fatalf("Unsubscribe k%d/# = false", i)
		}
		delete(present, i)
		check(present)
	}
	if x.root.kids.Load() != nil {
		t.Fatal("root keeps a child list with no children")
	}
	for i := range smallKids { // inline again once the node had none
		mustSub(t, x, i, fmt.Sprintf("k%d/#", i), Options{})
		present[i] = true
	}
	check(present)
	if !x.root.kids.Load().inline {
		t.Fatal("root lists its children in the table after emptying")
	}
	// Removing from the middle of an inline list keeps the others.
	x.Unsubscribe(1, "k1/#")
	delete(present, 1)
	check(present)
}

// TestRootChildrenConcurrentWriters: writers of different first levels
// change the root's child list at once; none of their changes is lost.
func TestRootChildrenConcurrentWriters(t *testing.T) {
	x := New[int]()
	const writers, rounds = 6, 300
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				f := fmt.Sprintf("w%d/%d/+", w, r%3)
				mustSub(t, x, w, f, Options{})
				if r%2 == 0 {
					x.Unsubscribe(w, f)
				}
			}
		})
	}
	wg.Wait()
	if got := x.root.namedCount(); got != writers {
		t.Fatalf("root counts %d named children, want %d", got, writers)
	}
	for w := range writers {
		if out := x.Match(fmt.Appendf(nil, "w%d/2/a", w), nil); len(out) != 1 || out[0].Sub != w { // round 299 left w/2/+
			t.Fatalf("w%d/2/a matched %+v", w, out)
		}
	}
}
