package matcher

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestTableAgainstMap inserts and removes random keys through growth and
// checks every lookup (locked and lock-free) against a map.
func TestTableAgainstMap(t *testing.T) {
	tb := newTable[int]()
	want := map[[2]string]int{}
	r := rand.New(rand.NewPCG(5, 6))
	key := func() (uint64, string) {
		return uint64(r.IntN(4)), fmt.Sprint(r.IntN(3000))
	}
	for step := range 20000 {
		parent, name := key()
		h := tb.hashString(parent, name)
		sh := tb.shard(h)
		k := [2]string{fmt.Sprint(parent), name}
		sh.mu.Lock()
		_, found := sh.find(h, parent, name)
		if _, ok := want[k]; ok != found {
			t.Fatalf("step %d: find(%v) = %v, want %v", step, k, found, ok)
		}
		if r.IntN(3) == 0 {
			if removed := sh.remove(h, parent, name); removed != found {
				t.Fatalf("remove(%v) = %v, want %v", k, removed, found)
			}
			delete(want, k)
		} else if !found {
			sh.insert(h, parent, name, step)
			want[k] = step
		}
		sh.mu.Unlock()
		// Lock-free lookups of another random key.
		parent, name = key()
		v, ok := tb.lookup(tb.hashBytes(parent, []byte(name)), parent, []byte(name))
		w, wok := want[[2]string{fmt.Sprint(parent), name}]
		if ok != wok || v != w {
			t.Fatalf("step %d: lookup(%d, %q) = %d %v, want %d %v", step, parent, name, v, ok, w, wok)
		}
	}
	total := 0
	for i := range tb.shards {
		total += tb.shards[i].count
	}
	if total != len(want) {
		t.Fatalf("count %d, want %d", total, len(want))
	}
}

// TestHashBytesMatchesString: readers hash []byte, writers hash strings;
// both must agree or lookups would miss.
func TestHashBytesMatchesString(t *testing.T) {
	tb := newTable[int]()
	for _, s := range []string{"", "a", "sensors/1/cmd", "日本/é", string(make([]byte, 300))} {
		for _, p := range []uint64{0, 1, 1 << 40} {
			if tb.hashBytes(p, []byte(s)) != tb.hashString(p, s) {
				t.Fatalf("hashBytes and hashString differ for (%d, %q)", p, s)
			}
		}
	}
}
