//go:build !race

package matcher

import (
	"fmt"
	"testing"
)

// allocIndex holds exact, wildcard and shared subscriptions with overlaps,
// so matches go through the merge and the share pick.
func allocIndex(t *testing.T) (*Index[int], [][]byte) {
	x := New[int]()
	var topics [][]byte
	for i := range 500 {
		mustSub(t, x, i, fmt.Sprintf("sensors/%d/cmd", i), Options{QoS: 1, SubscriptionID: 1})
		mustSub(t, x, i, fmt.Sprintf("sensors/%d/#", i), Options{QoS: 2, SubscriptionID: 2})
		topics = append(topics, fmt.Appendf(nil, "sensors/%d/cmd", i))
	}
	for i := range 40 { // 40 overlapping subscribers: the hash merge path
		mustSub(t, x, 10000+i, "sensors/+/cmd", Options{QoS: 0})
		mustSub(t, x, 10000+i, "sensors/#", Options{QoS: 1, SubscriptionID: 3})
	}
	mustSub(t, x, 20000, "$share/g/sensors/+/cmd", Options{})
	mustSub(t, x, 20001, "$share/g/sensors/+/cmd", Options{})
	mustSub(t, x, 20002, "$share/h/#", Options{})
	// Long topics and levels: comparing them must not copy them.
	long := "building-with-a-long-name-0123456789/floor-with-a-long-name-0123456789/room"
	mustSub(t, x, 30000, long, Options{})
	mustSub(t, x, 30001, "building-with-a-long-name-0123456789/+/room", Options{})
	topics = append(topics, []byte("$SYS/x"), []byte("other/topic"), []byte(long))
	return x, topics
}

func TestMatchAllocatesNothing(t *testing.T) {
	x, topics := allocIndex(t)
	out := make([]Delivery[int], 0, 256)
	for _, tp := range topics {
		out = x.Match(tp, out[:0]) // warm the scratch pool
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		out = x.Match(topics[i%len(topics)], out[:0])
		i++
	})
	if allocs != 0 {
		t.Fatalf("Index.Match allocates %.1f times per call", allocs)
	}
	// Subscriber 0 merged once, the 40 overlapping ones, groups g and h.
	if out = x.Match(topics[0], out[:0]); len(out) != 1+40+2 {
		t.Fatalf("unexpected deliveries: %d", len(out))
	}
}

func TestReaderMatchAllocatesNothing(t *testing.T) {
	x, topics := allocIndex(t)
	out := make([]Delivery[int], 0, 256)
	for _, size := range []int{1024, 16, 0} { // all hits, mostly misses, no cache
		r := x.NewReader(size)
		for range 2 {
			for _, tp := range topics {
				out = r.Match(tp, out[:0]) // grow the cache entries
			}
		}
		i := 0
		allocs := testing.AllocsPerRun(1000, func() {
			out = r.Match(topics[i%len(topics)], out[:0])
			i++
		})
		if allocs != 0 {
			t.Fatalf("Reader(%d).Match allocates %.1f times per call", size, allocs)
		}
	}
}
