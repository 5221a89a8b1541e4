package matcher

import (
	"slices"
	"testing"
	"unsafe"
)

// TestMergeOneDeliveryPerSubscriber: [MQTT-3.3.4-2] overlapping
// subscriptions of one client yield one message with the maximum QoS, and
// [MQTT-3.3.4-3] carry every subscription identifier.
func TestMergeOneDeliveryPerSubscriber(t *testing.T) {
	x := New[int]()
	mustSub(t, x, 1, "a/b", Options{QoS: 0, SubscriptionID: 1, NoLocal: true})
	mustSub(t, x, 1, "a/+", Options{QoS: 2, SubscriptionID: 2, NoLocal: true})
	mustSub(t, x, 1, "#", Options{QoS: 1, RetainAsPublished: true, NoLocal: true})
	mustSub(t, x, 2, "a/#", Options{QoS: 1, SubscriptionID: 7})
	mustSub(t, x, 2, "+/b", Options{QoS: 0, NoLocal: true})
	out := x.Match([]byte("a/b"), nil)
	if len(out) != 2 {
		t.Fatalf("got %d deliveries %+v, want one per subscriber", len(out), out)
	}
	slices.SortFunc(out, func(a, b Delivery[int]) int { return a.Sub - b.Sub })
	d1, d2 := out[0], out[1]
	if d1.QoS != 2 || !slices.Equal(sorted(d1.SubscriptionIDs()), []uint32{1, 2}) || !d1.NoLocal || !d1.RetainAsPublished {
		t.Fatalf("subscriber 1: %+v ids %v", d1, d1.SubscriptionIDs())
	}
	// NoLocal only when every matching subscription asked for it.
	if d2.QoS != 1 || !slices.Equal(d2.SubscriptionIDs(), []uint32{7}) || d2.NoLocal || d2.RetainAsPublished {
		t.Fatalf("subscriber 2: %+v ids %v", d2, d2.SubscriptionIDs())
	}
}

// TestManyIdentifiersOneCopyEach: when a subscriber's matching
// subscriptions carry more identifiers than one Delivery holds, it receives
// one copy per subscription, each with that subscription's QoS and
// identifier ([MQTT-3.3.4-2] allows the copies, [MQTT-3.3.4-5]).
func TestManyIdentifiersOneCopyEach(t *testing.T) {
	filters := []string{"a/b/c", "a/b/+", "a/+/c", "+/b/c", "a/#", "a/b/#", "#", "+/+/+", "+/#"}
	for _, many := range []int{30, 0} { // with and without the hash path
		x := New[int]()
		for i := range many {
			mustSub(t, x, 100+i, "a/b/c", Options{})
			mustSub(t, x, 100+i, "a/#", Options{QoS: 1})
		}
		for i, f := range filters {
			mustSub(t, x, 1, f, Options{QoS: byte(i % 3), SubscriptionID: uint32(i + 1)})
		}
		out := x.Match([]byte("a/b/c"), nil)
		var ids []uint32
		copies := 0
		for i := range out {
			d := &out[i]
			if d.Sub != 1 {
				if d.QoS != 1 {
					t.Fatalf("subscriber %d not merged: %+v", d.Sub, d)
				}
				continue
			}
			copies++
			got := d.SubscriptionIDs()
			if len(got) != 1 || d.QoS != byte((got[0]-1)%3) {
				t.Fatalf("copy %+v ids %v: want one identifier and its subscription's QoS", d, got)
			}
			ids = append(ids, got[0])
		}
		if copies != len(filters) || len(out) != many+len(filters) {
			t.Fatalf("others %d: %d copies for subscriber 1, %d deliveries", many, copies, len(out))
		}
		if !slices.Equal(sorted(ids), []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9}) {
			t.Fatalf("identifiers %v", ids)
		}
	}
}

func sorted(ids []uint32) []uint32 {
	c := slices.Clone(ids)
	slices.Sort(c)
	return c
}

func TestSubscribeReplaceAndOptions(t *testing.T) {
	x := New[int]()
	for _, f := range []string{"a/b", "a/+", "$share/g/a/b", "$share/g/a/#"} {
		if mustSub(t, x, 1, f, Options{QoS: 1}) {
			t.Fatalf("first Subscribe(%q) reported replaced", f)
		}
		if !mustSub(t, x, 1, f, Options{QoS: 2, RetainHandling: 1}) {
			t.Fatalf("second Subscribe(%q) did not report replaced", f)
		}
		o, ok := x.Options(1, f)
		if !ok || o.QoS != 2 || o.RetainHandling != 1 {
			t.Fatalf("Options(%q) = %+v %v", f, o, ok)
		}
	}
	if x.Len() != 4 {
		t.Fatalf("Len = %d, want 4", x.Len())
	}
	if _, ok := x.Options(2, "a/b"); ok {
		t.Fatal("Options of a subscriber that never subscribed")
	}
	for _, f := range []string{"a/b", "a/+", "$share/g/a/b", "$share/g/a/#"} {
		if !x.Unsubscribe(1, f) || x.Unsubscribe(1, f) {
			t.Fatalf("Unsubscribe(%q) twice should be true then false", f)
		}
	}
	if x.Unsubscribe(1, "bad/#/x") {
		t.Fatal("Unsubscribe of an invalid filter reported success")
	}
	if n := len(x.Match([]byte("a/b"), nil)); n != 0 || x.Len() != 0 {
		t.Fatalf("after unsubscribing all: %d deliveries, Len %d", n, x.Len())
	}
}

// TestManySubscribersOneFilter exercises the position map of long lists.
func TestManySubscribersOneFilter(t *testing.T) {
	x := New[int]()
	const n = 200
	for i := range n {
		mustSub(t, x, i, "fan/out", Options{QoS: 1})
		mustSub(t, x, i, "fan/+", Options{QoS: 2, SubscriptionID: uint32(i + 1)})
	}
	for i := 0; i < n; i += 2 {
		if !x.Unsubscribe(i, "fan/out") {
			t.Fatalf("Unsubscribe(%d) failed", i)
		}
	}
	out := x.Match([]byte("fan/out"), nil)
	if len(out) != n {
		t.Fatalf("%d deliveries, want %d", len(out), n)
	}
	for _, d := range out {
		if d.QoS != 2 || len(d.SubscriptionIDs()) != 1 || d.SubscriptionIDs()[0] != uint32(d.Sub+1) {
			t.Fatalf("delivery %+v ids %v", d, d.SubscriptionIDs())
		}
	}
}

// TestLeastLoadedPicker: an offline member gets nothing while another is
// online, and the least loaded online member is preferred.
func TestLeastLoadedPicker(t *testing.T) {
	x := New[int]()
	for _, s := range []int{1, 2, 3} {
		mustSub(t, x, s, "$share/workers/jobs", Options{QoS: 1})
	}
	online := map[int]bool{1: true, 2: false, 3: true}
	load := map[int]int{1: 5, 2: 0, 3: 1}
	x.SetSharePicker(LeastLoaded[int]{Load: func(s int) (bool, int) { return online[s], load[s] }})
	for range 6 {
		out := x.Match([]byte("jobs"), nil)
		if len(out) != 1 || out[0].Sub != 3 || out[0].Group != "workers" {
			t.Fatalf("deliveries %+v, want member 3", out)
		}
	}
	online = map[int]bool{}
	got := map[int]int{}
	for range 6 {
		got[x.Match([]byte("jobs"), nil)[0].Sub]++
	}
	if got[1] != 2 || got[2] != 2 || got[3] != 2 {
		t.Fatalf("with every member offline got %v, want round robin", got)
	}
	x.SetSharePicker(nil)
	got = map[int]int{}
	for range 6 {
		got[x.Match([]byte("jobs"), nil)[0].Sub]++
	}
	if got[1] != 2 || got[2] != 2 || got[3] != 2 {
		t.Fatalf("round robin got %v", got)
	}
}

// TestReaderCacheInvalidation: a cached result never outlives a change.
func TestReaderCacheInvalidation(t *testing.T) {
	x := New[int]()
	r := x.NewReader(8)
	topic := []byte("home/kitchen/temp")
	if n := len(r.Match(topic, nil)); n != 0 {
		t.Fatalf("empty index matched %d", n)
	}
	mustSub(t, x, 1, "home/+/temp", Options{QoS: 1})
	if out := r.Match(topic, nil); len(out) != 1 || out[0].QoS != 1 {
		t.Fatalf("after subscribe: %+v", out)
	}
	r.Match(topic, nil) // cached now
	mustSub(t, x, 1, "home/+/temp", Options{QoS: 2})
	if out := r.Match(topic, nil); len(out) != 1 || out[0].QoS != 2 {
		t.Fatalf("after replace: %+v", out)
	}
	mustSub(t, x, 2, "$share/g/home/#", Options{})
	mustSub(t, x, 3, "$share/g/home/#", Options{})
	seen := map[int]int{}
	for range 4 {
		for _, d := range r.Match(topic, nil) { // cached: the member still rotates
			if d.Group == "g" {
				seen[d.Sub]++
			}
		}
	}
	if seen[2] != 2 || seen[3] != 2 {
		t.Fatalf("shared members through the cache: %v", seen)
	}
	x.Unsubscribe(1, "home/+/temp")
	x.Unsubscribe(2, "$share/g/home/#")
	x.Unsubscribe(3, "$share/g/home/#")
	if out := r.Match(topic, nil); len(out) != 0 {
		t.Fatalf("after unsubscribe: %+v", out)
	}
	// A reader without cache behaves the same.
	if out := x.NewReader(0).Match(topic, nil); len(out) != 0 {
		t.Fatalf("uncached reader: %+v", out)
	}
}

// TestMatchAppendsToOut: Match keeps what out already holds.
func TestMatchAppendsToOut(t *testing.T) {
	x := New[int]()
	mustSub(t, x, 1, "a", Options{})
	mustSub(t, x, 1, "#", Options{SubscriptionID: 9})
	out := []Delivery[int]{{Sub: 42}}
	out = x.Match([]byte("a"), out)
	if len(out) != 2 || out[0].Sub != 42 || out[1].Sub != 1 || len(out[1].SubscriptionIDs()) != 1 {
		t.Fatalf("got %+v", out)
	}
}

// TestSubscribeCopiesFilter: the index must not keep the caller's string,
// which may be a view of a buffer the caller reuses.
func TestSubscribeCopiesFilter(t *testing.T) {
	x := New[int]()
	buf := []byte("$share/grp/dev/1/cmd")
	filter := unsafe.String(&buf[0], len(buf))
	mustSub(t, x, 1, filter, Options{})
	mustSub(t, x, 2, filter[len("$share/grp/"):], Options{})
	copy(buf, "$share/xxx/dev/9/zzz")
	out := x.Match([]byte("dev/1/cmd"), nil)
	if len(out) != 2 {
		t.Fatalf("after the caller reused its buffer: %+v", out)
	}
	for _, d := range out {
		if d.Sub == 1 && d.Group != "grp" {
			t.Fatalf("group name changed with the caller's buffer: %q", d.Group)
		}
	}
}
