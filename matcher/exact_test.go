package matcher

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestExactTableAgainstMap subscribes and unsubscribes random exact filters
// through growth, deleted-slot reuse and rebuilds, and checks every
// lock-free lookup against a map.
func TestExactTableAgainstMap(t *testing.T) {
	x := New[int]()
	want := map[string]int{}
	r := rand.New(rand.NewPCG(9, 10))
	// Names longer than exactNameInline exercise the out-of-line copy.
	filter := func() string {
		id := r.IntN(4000)
		if id%7 == 0 {
			return fmt.Sprintf("a-filter-name-longer-than-the-inline-room/%d", id)
		}
		return fmt.Sprintf("f/%d", id)
	}
	for step := range 40000 {
		f := filter()
		if _, ok := want[f]; ok && r.IntN(2) == 0 {
			if !x.Unsubscribe(want[f], f) {
				t.Fatalf("step %d: Unsubscribe(%q) = false", step, f)
			}
			delete(want, f)
		} else if !ok {
			mustSub(t, x, step, f, Options{QoS: 1})
			want[f] = step
		}
		f = filter()
		out := x.Match([]byte(f), nil)
		sub, ok := want[f]
		if ok != (len(out) == 1) || ok && out[0].Sub != sub {
			t.Fatalf("step %d: Match(%q) = %+v, want subscriber %d (%v)", step, f, out, sub, ok)
		}
	}
	live := 0
	for i := range x.exact.shards {
		sh := &x.exact.shards[i]
		live += sh.live
		if s := sh.slots.Load(); s != nil && sh.used*maxLoadDen > len(s.sets)*maxLoadNum {
			t.Errorf("shard %d: %d of %d slots used, above the load limit", i, sh.used, len(s.sets))
		}
	}
	if live != len(want) || x.Len() != len(want) {
		t.Fatalf("%d live entries, Len %d, want %d", live, x.Len(), len(want))
	}
}

// TestBytesEqual checks the control-word comparison against a byte loop.
func TestBytesEqual(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 10000 {
		w := r.Uint64()
		if r.IntN(2) == 0 { // plant bytes equal to c
			w &^= 0xff << (8 * r.UintN(8))
		}
		c := byte(0)
		if r.IntN(3) == 0 {
			c = byte(r.UintN(256))
		}
		var want uint64
		for b := range 8 {
			if byte(w>>(8*b)) == c {
				want |= 0x80 << (8 * b)
			}
		}
		if got := bytesEqual(w, c); got != want {
			t.Fatalf("bytesEqual(%#x, %#x) = %#x, want %#x", w, c, got, want)
		}
	}
}
