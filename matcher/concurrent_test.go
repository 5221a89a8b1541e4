package matcher

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrentReplaceSeenOnce: while a subscription's options are
// replaced again and again, and other subscriptions on the same filters
// come and go, every match sees it exactly once, with the old or the new
// options, never a mix and never missing.
func TestConcurrentReplaceSeenOnce(t *testing.T) {
	x := New[int]()
	filters := []string{"x/y", "x/+", "$share/g/x/y"}
	for _, f := range filters {
		mustSub(t, x, 1, f, Options{QoS: 1, SubscriptionID: 10})
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	// The replacing writer: QoS and identifier change together.
	wg.Go(func() {
		for i := 0; !stop.Load(); i++ {
			o := Options{QoS: 1, SubscriptionID: 10}
			if i%2 == 1 {
				o = Options{QoS: 2, SubscriptionID: 20}
			}
			for _, f := range filters {
				x.Subscribe(1, f, o)
			}
		}
	})
	// Churn on the same nodes and shards.
	for w := range 2 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				sub := 1000 + w*100 + i%50
				x.Subscribe(sub, "x/y", Options{})
				x.Subscribe(sub, "x/#", Options{})
				x.Subscribe(sub, fmt.Sprintf("x/%d", i%7), Options{})
				x.Unsubscribe(sub, "x/y")
				x.Unsubscribe(sub, "x/#")
				x.Unsubscribe(sub, fmt.Sprintf("x/%d", i%7))
			}
		})
	}
	var readers sync.WaitGroup
	errs := make(chan string, 4)
	for rd := range 3 {
		readers.Go(func() {
			r := x.NewReader(4)
			var out []Delivery[int]
			for range 3000 {
				if rd == 0 {
					out = x.Match([]byte("x/y"), out[:0])
				} else {
					out = r.Match([]byte("x/y"), out[:0])
				}
				direct, shared := 0, 0
				for i := range out {
					d := &out[i]
					if d.Sub != 1 {
						continue
					}
					ids := d.SubscriptionIDs()
					if d.Group == "g" {
						shared++
						if len(ids) != 1 || !(d.QoS == 1 && ids[0] == 10 || d.QoS == 2 && ids[0] == 20) {
							errs <- fmt.Sprintf("shared delivery mixes options: %+v %v", d, ids)
							return
						}
						continue
					}
					direct++
					for _, id := range ids {
						if id != 10 && id != 20 {
							errs <- fmt.Sprintf("unknown identifier %d", id)
							return
						}
					}
					if len(ids) != 2 {
						errs <- fmt.Sprintf("subscriber 1 has %d identifiers, want one per filter: %v", len(ids), ids)
						return
					}
				}
				if direct != 1 || shared != 1 {
					errs <- fmt.Sprintf("subscriber 1 seen %d times direct and %d shared, want once each", direct, shared)
					return
				}
			}
		})
	}
	readers.Wait()
	stop.Store(true)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

// TestConcurrentSubscribeVisibility: many goroutines subscribe, check, and
// unsubscribe their own filters while others do the same in the same
// shards; a subscription is always matched once Subscribe returns and never
// once Unsubscribe returns, with and without a cache.
func TestConcurrentSubscribeVisibility(t *testing.T) {
	x := New[int]()
	const workers, steps = 4, 400
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for w := range workers {
		wg.Go(func() {
			r := x.NewReader(32)
			var out []Delivery[int]
			for i := range steps {
				sub := w*steps + i
				var filter, topic string
				switch i % 3 {
				case 0:
					filter = fmt.Sprintf("dev/%d/cmd", i%20)
				case 1:
					filter = fmt.Sprintf("dev/+/cmd/%d", i%20)
				default:
					filter = fmt.Sprintf("$share/w%d/dev/%d/#", w, i%20)
				}
				topic = fmt.Sprintf("dev/%d/cmd", i%20)
				if i%3 == 1 {
					topic += fmt.Sprintf("/%d", i%20)
				}
				count := func() int {
					n := 0
					for _, d := range out {
						if d.Sub == sub {
							n++
						}
					}
					return n
				}
				r.Match([]byte(topic), nil) // warm the cache with the old result
				if _, err := x.Subscribe(sub, filter, Options{QoS: 1}); err != nil {
					errs <- err.Error()
					return
				}
				out = r.Match([]byte(topic), out[:0])
				if count() != 1 {
					errs <- fmt.Sprintf("%q not matched through the cache after Subscribe(%q)", topic, filter)
					return
				}
				out = x.Match([]byte(topic), out[:0])
				// The share group is this worker's and sub its only member.
				if count() != 1 {
					errs <- fmt.Sprintf("%q not matched after Subscribe(%q)", topic, filter)
					return
				}
				if !x.Unsubscribe(sub, filter) {
					errs <- fmt.Sprintf("Unsubscribe(%q) = false", filter)
					return
				}
				out = r.Match([]byte(topic), out[:0])
				if count() != 0 {
					errs <- fmt.Sprintf("%q matched through the cache after Unsubscribe(%q)", topic, filter)
					return
				}
				out = x.Match([]byte(topic), out[:0])
				if count() != 0 {
					errs <- fmt.Sprintf("%q matched after Unsubscribe(%q)", topic, filter)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if x.Len() != 0 {
		t.Fatalf("Len = %d after every worker unsubscribed", x.Len())
	}
}

// TestConcurrentRetained runs writers and visitors at once (for -race).
func TestConcurrentRetained(t *testing.T) {
	var r RetainedIndex[int]
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := range 500 {
				tp := fmt.Sprintf("s/%d/%d", w, i%30)
				r.Set(tp, i)
				if v, ok := r.Get(tp); !ok || v != i {
					t.Errorf("Get(%q) = %d %v after Set %d", tp, v, ok, i)
					return
				}
				r.Visit("s/+/#", func(string, int) bool { return true })
				if i%3 == 0 {
					r.Clear(tp)
				}
			}
		})
	}
	wg.Wait()
}

// TestMatchNeverWaitsForWriters: with every writer lock of the index held
// (writers stalled in the middle of changes), matches still complete.
func TestMatchNeverWaitsForWriters(t *testing.T) {
	x := New[int]()
	mustSub(t, x, 1, "a/b", Options{})
	mustSub(t, x, 2, "a/+", Options{})
	mustSub(t, x, 3, "$share/g/#", Options{})
	r := x.NewReader(8)
	for i := range x.wildLocks {
		x.wildLocks[i].Lock()
	}
	var tableLocks []*sync.Mutex
	for i := range x.exact.shards {
		tableLocks = append(tableLocks, &x.exact.shards[i].mu)
	}
	for i := range x.edges.shards {
		tableLocks = append(tableLocks, &x.edges.shards[i].mu)
	}
	for _, mu := range tableLocks {
		mu.Lock()
	}
	done := make(chan int, 1)
	go func() {
		n := len(x.Match([]byte("a/b"), nil))
		n += len(r.Match([]byte("a/b"), nil))
		done <- n
	}()
	select {
	case n := <-done:
		if n != 6 {
			t.Fatalf("matched %d deliveries, want 3 twice", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Match waited for a writer lock")
	}
	for _, mu := range tableLocks {
		mu.Unlock()
	}
	for i := range x.wildLocks {
		x.wildLocks[i].Unlock()
	}
}

// TestConcurrentStormGrowth: writers insert thousands of filters at once
// (tables grow under them) while readers match; afterwards every filter is
// found, and removing them all empties the index.
func TestConcurrentStormGrowth(t *testing.T) {
	x := New[int]()
	const writers, per = 4, 1500
	var stop atomic.Bool
	var readers sync.WaitGroup
	readers.Go(func() {
		r := x.NewReader(16)
		var out []Delivery[int]
		for i := 0; !stop.Load(); i++ {
			out = r.Match(fmt.Appendf(nil, "w%d/%d/cmd", i%writers, i%per), out[:0])
		}
	})
	filter := func(w, i int) string {
		if i%5 == 0 {
			return fmt.Sprintf("w%d/%d/+", w, i)
		}
		return fmt.Sprintf("w%d/%d/cmd", w, i)
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range per {
				x.Subscribe(w*per+i, filter(w, i), Options{QoS: 1})
			}
		})
	}
	wg.Wait()
	stop.Store(true)
	readers.Wait()
	if x.Len() != writers*per {
		t.Fatalf("Len = %d, want %d", x.Len(), writers*per)
	}
	for w := range writers {
		for i := range per {
			out := x.Match(fmt.Appendf(nil, "w%d/%d/cmd", w, i), nil)
			if len(out) != 1 || out[0].Sub != w*per+i {
				t.Fatalf("w%d/%d/cmd matched %+v", w, i, out)
			}
		}
	}
	for w := range writers {
		wg.Go(func() {
			for i := range per {
				if !x.Unsubscribe(w*per+i, filter(w, i)) {
					t.Errorf("Unsubscribe(%q) = false", filter(w, i))
				}
			}
		})
	}
	wg.Wait()
	if x.Len() != 0 || x.root.namedCount() != 0 {
		t.Fatalf("after removing everything: Len %d, %d first levels", x.Len(), x.root.namedCount())
	}
}
