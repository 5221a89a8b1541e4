package matcher

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// levelPool mixes names, '$' names, empty levels, unicode and wildcards.
var levelPool = []string{"a", "b", "sensors", "", "$SYS", "$x", "é", "日本", "temp", " ", "+", "#"}

func randomFilter(r *rand.Rand) string {
	n := 1 + r.IntN(4)
	levels := make([]string, 0, n)
	for i := 0; i < n; i++ {
		l := levelPool[r.IntN(len(levelPool))]
		if l == "#" && i != n-1 {
			l = "+"
		}
		levels = append(levels, l)
	}
	f := strings.Join(levels, "/")
	if f == "" {
		f = "/"
	}
	if r.IntN(8) == 0 {
		f = "$share/g" + fmt.Sprint(r.IntN(2)) + "/" + f
	}
	return f
}

func randomTopic(r *rand.Rand) string {
	n := 1 + r.IntN(4)
	levels := make([]string, 0, n)
	for range n {
		l := levelPool[r.IntN(len(levelPool)-2)] // no wildcards in topics
		levels = append(levels, l)
	}
	t := strings.Join(levels, "/")
	if t == "" {
		t = "/"
	}
	return t
}

func randomOptions(r *rand.Rand) Options {
	return Options{
		QoS:               byte(r.IntN(3)),
		NoLocal:           r.IntN(2) == 0,
		RetainAsPublished: r.IntN(2) == 0,
		SubscriptionID:    uint32(r.IntN(4)), // 0 = none
	}
}

// checkAgainstReference compares Match output for topic with the reference.
func checkAgainstReference(t testing.TB, ref *refIndex, out []Delivery[int], topic string) {
	t.Helper()
	wantDirect, wantGroups := ref.expect(topic)
	gotDirect, gotShared, problem := foldDeliveries(out)
	if problem != "" {
		t.Fatalf("topic %q: %s: %+v", topic, problem, out)
	}
	if len(gotDirect) != len(wantDirect) {
		t.Fatalf("topic %q: got %d subscribers %v, want %d %v", topic, len(gotDirect), gotDirect, len(wantDirect), wantDirect)
	}
	for sub, w := range wantDirect {
		g, ok := gotDirect[sub]
		if !ok || g.qos != w.qos || g.noLocal != w.noLocal || g.rap != w.rap || !slices.Equal(g.ids, w.ids) {
			t.Fatalf("topic %q sub %d: got %+v, want %+v", topic, sub, g, w)
		}
	}
	// One delivery per matching group, to one of its members.
	wantCount := map[string]int{}
	members := map[string][]int{}
	for key, m := range wantGroups {
		name, _, _ := strings.Cut(key, "\x00")
		wantCount[name]++
		members[name] = append(members[name], m...)
	}
	for name, subs := range gotShared {
		if len(subs) != wantCount[name] {
			t.Fatalf("topic %q group %q: %d deliveries, want %d", topic, name, len(subs), wantCount[name])
		}
		for _, s := range subs {
			if !slices.Contains(members[name], s) {
				t.Fatalf("topic %q group %q: delivered to non-member %d", topic, name, s)
			}
		}
	}
	for name, n := range wantCount {
		if len(gotShared[name]) != n {
			t.Fatalf("topic %q group %q: %d deliveries, want %d", topic, name, len(gotShared[name]), n)
		}
	}
}

// TestMatchAgainstReference drives random subscribe/unsubscribe sequences
// and compares every match (direct and through a cached Reader) with the
// reference matcher.
func TestMatchAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		x := New[int]()
		ref := &refIndex{}
		reader := x.NewReader(16)
		var out []Delivery[int]
		for step := range 60 {
			sub := r.IntN(6)
			filter := randomFilter(r)
			if r.IntN(4) == 0 && len(ref.subs) > 0 {
				s := ref.subs[r.IntN(len(ref.subs))]
				if got, want := x.Unsubscribe(s.sub, s.filter), ref.unsubscribe(s.sub, s.filter); got != want {
					t.Fatalf("round %d step %d: Unsubscribe(%d, %q) = %v, want %v", round, step, s.sub, s.filter, got, want)
				}
			} else {
				opts := randomOptions(r)
				got, err := x.Subscribe(sub, filter, opts)
				if err != nil {
					t.Fatalf("Subscribe(%q): %v", filter, err)
				}
				if want := ref.subscribe(sub, filter, opts); got != want {
					t.Fatalf("Subscribe(%d, %q) replaced = %v, want %v", sub, filter, got, want)
				}
			}
			if x.Len() != len(ref.subs) {
				t.Fatalf("Len = %d, want %d", x.Len(), len(ref.subs))
			}
			for range 4 {
				topic := randomTopic(r)
				out = x.Match([]byte(topic), out[:0])
				checkAgainstReference(t, ref, out, topic)
				out = reader.Match([]byte(topic), out[:0])
				checkAgainstReference(t, ref, out, topic)
				out = reader.Match([]byte(topic), out[:0]) // cached
				checkAgainstReference(t, ref, out, topic)
			}
		}
		// Removing everything leaves an empty index.
		for _, s := range slices.Clone(ref.subs) {
			if !x.Unsubscribe(s.sub, s.filter) {
				t.Fatalf("Unsubscribe(%d, %q) = false", s.sub, s.filter)
			}
		}
		if x.Len() != 0 || x.root.namedCount() != 0 || x.root.plus.Load() != nil || x.root.hash.Load() != nil {
			t.Fatalf("index not empty after removing every subscription")
		}
	}
}

// FuzzMatchAgainstReference subscribes each line of filters (subscriber =
// line number mod 3, identifier = line number + 1) and compares the match
// of topic with the reference.
func FuzzMatchAgainstReference(f *testing.F) {
	f.Add("sport/#\nsport/+\n#", "sport")
	f.Add("+/+\n/+\n+", "/finance")
	f.Add("#\n+/monitor/Clients\n$SYS/#", "$SYS/monitor/Clients")
	f.Add("$share/g/a/+\na/b\na/+\na/#\n+/b\n#", "a/b")
	f.Add("a//b\na/+/b\n+//+", "a//b")
	f.Add("é/+\n日本/#", "é/日本")
	f.Add("#\n#\n+\n+/#\n#", "x")
	f.Fuzz(func(t *testing.T, filters, topic string) {
		if ValidTopic([]byte(topic)) != nil {
			return
		}
		x := New[int]()
		ref := &refIndex{}
		for i, filter := range strings.Split(filters, "\n") {
			opts := Options{QoS: byte(i % 3), SubscriptionID: uint32(i + 1), NoLocal: i%2 == 0}
			if _, err := x.Subscribe(i%3, filter, opts); err != nil {
				continue
			}
			ref.subscribe(i%3, filter, opts)
		}
		checkAgainstReference(t, ref, x.Match([]byte(topic), nil), topic)
		r := x.NewReader(4)
		r.Match([]byte(topic), nil)
		checkAgainstReference(t, ref, r.Match([]byte(topic), nil), topic)
	})
}

// FuzzParseFilter: any filter is either rejected or subscribes and
// unsubscribes cleanly, and never panics.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"#", "a/+/b", "$share/g/a/#", "$share//a", "$share/g", "a/#/b", "+#", "", "\x00", "$share/g/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, filter string) {
		_, tf, err := ParseFilter(filter)
		x := New[int]()
		_, serr := x.Subscribe(1, filter, Options{QoS: 1})
		if (err == nil) != (serr == nil) {
			t.Fatalf("ParseFilter and Subscribe disagree on %q: %v / %v", filter, err, serr)
		}
		if err != nil {
			if x.Len() != 0 {
				t.Fatalf("rejected %q left a subscription", filter)
			}
			return
		}
		if ValidTopic([]byte(tf)) == nil && len(x.Match([]byte(tf), nil)) != 1 {
			// A filter without wildcards matches the topic it spells.
			t.Fatalf("%q does not match its own topic %q", filter, tf)
		}
		if !x.Unsubscribe(1, filter) || x.Len() != 0 {
			t.Fatalf("Unsubscribe(%q) did not remove it", filter)
		}
	})
}
