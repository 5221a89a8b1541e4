package matcherbench

import (
	"slices"
	"testing"

	"github.com/midge-mqtt/midge/matcher"
)

// TestImplementationsAgree: the three indexes return the same subscribers
// on the benchmark data, so the comparison measures equal work.
func TestImplementationsAgree(t *testing.T) {
	const n = 10_000
	x := midgeIndex(t, n)
	m := mochiIndex(n)
	tr := trieIndex(n)
	var out []matcher.Delivery[int]
	for _, topic := range Topics(n, 3000) {
		out = x.Match([]byte(topic), out[:0])
		var got []int
		for _, d := range out {
			got = append(got, d.Sub)
		}
		slices.Sort(got)
		want := tr.Match(topic, nil)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%q: midge %v, rwtrie %v", topic, got, want)
		}
		if subs := m.Subscribers(topic); len(subs.Subscriptions) != len(want) {
			t.Fatalf("%q: mochi %d subscribers, rwtrie %d", topic, len(subs.Subscriptions), len(want))
		}
	}
}

// TestRetainedAgree: midge and mochi visit the same retained topics.
func TestRetainedAgree(t *testing.T) {
	var r matcher.RetainedIndex[int]
	topics := retainedTopics()[:2000]
	for i, tp := range topics {
		r.Set(tp, i)
	}
	for _, f := range retainedFilters {
		n := 0
		r.Visit(f.filter, func(string, int) bool { n++; return true })
		want := 0
		for _, tp := range topics {
			if matchesFilter(f.filter, tp) {
				want++
			}
		}
		if n != want {
			t.Fatalf("Visit(%q) visited %d, want %d", f.filter, n, want)
		}
	}
}

// matchesFilter is enough MQTT matching for the benchmark filters.
func matchesFilter(filter, topic string) bool {
	x := matcher.New[int]()
	x.Subscribe(1, filter, matcher.Options{})
	return len(x.Match([]byte(topic), nil)) == 1
}
