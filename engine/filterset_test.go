package engine

import (
	"fmt"
	"slices"
	"testing"
)

func TestFilterSetAgainstAMap(t *testing.T) {
	var fs filterSet
	ref := map[string]bool{}
	// Grow past the slice into the map and shrink again, checking every
	// answer against a plain map.
	op := func(add bool, f string) {
		var got, want bool
		if add {
			got, want = fs.add(f), !ref[f]
			ref[f] = true
		} else {
			got, want = fs.remove(f), ref[f]
			delete(ref, f)
		}
		if got != want {
			t.Fatalf("add=%v %q: %v, want %v", add, f, got, want)
		}
		if fs.len() != len(ref) {
			t.Fatalf("len %d, want %d", fs.len(), len(ref))
		}
		for i := 0; i < 3*fewFilters; i++ {
			k := fmt.Sprint("s/", i)
			if fs.has(k) != ref[k] {
				t.Fatalf("has(%q) = %v", k, fs.has(k))
			}
		}
		all := fs.all()
		slices.Sort(all)
		var keys []string
		for k := range ref {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !slices.Equal(all, keys) {
			t.Fatalf("all %v, want %v", all, keys)
		}
	}
	for i := 0; i < 2*fewFilters; i++ {
		op(true, fmt.Sprint("s/", i))
		op(true, fmt.Sprint("s/", i/2)) // a repeat now and then
	}
	for i := 0; i < 2*fewFilters; i += 2 {
		op(false, fmt.Sprint("s/", i))
		op(false, fmt.Sprint("s/", i))
	}
	var small filterSet
	small.add("a")
	small.add("b")
	if !small.remove("a") || small.has("a") || !small.has("b") || small.remove("a") || small.many != nil {
		t.Fatalf("small set after remove: %+v", small)
	}
}
