package matcher

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRetainedSetGetClear(t *testing.T) {
	var r RetainedIndex[int]
	if r.Set("a/b", 1) || !r.Set("a/b", 2) {
		t.Fatal("Set should report replacing only the second time")
	}
	r.Set("a", 3)
	r.Set("a/b/c", 4)
	if v, ok := r.Get("a/b"); !ok || v != 2 {
		t.Fatalf("Get(a/b) = %d %v", v, ok)
	}
	if _, ok := r.Get("a/x"); ok {
		t.Fatal("Get of an unknown topic")
	}
	if r.Len() != 3 {
		t.Fatalf("Len = %d", r.Len())
	}
	if !r.Clear("a/b") || r.Clear("a/b") || r.Clear("a/zz") {
		t.Fatal("Clear should succeed once, then fail")
	}
	if _, ok := r.Get("a/b"); ok {
		t.Fatal("cleared topic still there")
	}
	if v, ok := r.Get("a/b/c"); !ok || v != 4 {
		t.Fatal("clearing a parent topic removed its child")
	}
	r.Clear("a/b/c")
	r.Clear("a")
	if r.Len() != 0 || len(r.root.children) != 0 {
		t.Fatalf("index not empty: Len %d, %d root children", r.Len(), len(r.root.children))
	}
}

func visitAllOf(r *RetainedIndex[int], filter string) []string {
	var got []string
	r.Visit(filter, func(topic string, v int) bool {
		got = append(got, topic)
		return true
	})
	slices.Sort(got)
	return got
}

// TestRetainedVisitSpecExamples: the spec's examples hold for retained
// topics as for subscriptions.
func TestRetainedVisitSpecExamples(t *testing.T) {
	for _, c := range specCases {
		var r RetainedIndex[int]
		r.Set(c.topic, 1)
		if got := len(visitAllOf(&r, c.filter)) == 1; got != c.match {
			t.Errorf("[%s] Visit(%q) over retained %q: %v, want %v", c.clause, c.filter, c.topic, got, c.match)
		}
	}
}

// TestRetainedVisitAgainstReference compares Visit with the reference
// matcher over random retained topics and filters.
func TestRetainedVisitAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		var r RetainedIndex[int]
		topics := map[string]bool{}
		for range 30 {
			tp := randomTopic(rng)
			r.Set(tp, 1)
			topics[tp] = true
			if rng.IntN(5) == 0 {
				r.Clear(tp)
				delete(topics, tp)
			}
		}
		if r.Len() != len(topics) {
			t.Fatalf("Len %d, want %d", r.Len(), len(topics))
		}
		for range 20 {
			_, f, _ := ParseFilter(randomFilter(rng))
			var want []string
			for tp := range topics {
				if refMatch(f, tp) {
					want = append(want, tp)
				}
			}
			slices.Sort(want)
			if got := visitAllOf(&r, f); !slices.Equal(got, want) {
				t.Fatalf("Visit(%q) = %q, want %q", f, got, want)
			}
		}
	}
}

func TestRetainedVisitStops(t *testing.T) {
	var r RetainedIndex[int]
	for _, tp := range []string{"a", "a/b", "a/c", "a/b/c", "x"} {
		r.Set(tp, 1)
	}
	for _, f := range []string{"#", "a/#", "a/+", "+"} {
		calls := 0
		r.Visit(f, func(string, int) bool { calls++; return false })
		if calls != 1 {
			t.Errorf("Visit(%q) made %d calls after fn returned false", f, calls)
		}
	}
}

func TestRetainedSwapTake(t *testing.T) {
	var r RetainedIndex[int]
	if old, had := r.Swap("a/b", 1); had || old != 0 {
		t.Fatalf("first Swap = %d %v", old, had)
	}
	if old, had := r.Swap("a/b", 2); !had || old != 1 {
		t.Fatalf("second Swap = %d %v, want 1 true", old, had)
	}
	if old, had := r.Take("a/b"); !had || old != 2 {
		t.Fatalf("Take = %d %v, want 2 true", old, had)
	}
	if _, had := r.Take("a/b"); had || r.Len() != 0 {
		t.Fatalf("Take of a cleared topic succeeded, Len %d", r.Len())
	}
}
