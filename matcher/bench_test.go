package matcher

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
)

// benchFilters returns n filters: 90% exact per-sensor command topics, 10%
// wildcards of four shapes (the data of bench/peers/matcherbench, which holds
// the full comparison with other indexes; these are quick checks).
func benchFilters(n int) []string {
	exact := n * 9 / 10
	filters := make([]string, 0, n)
	for i := range exact {
		filters = append(filters, "sensors/"+strconv.Itoa(i)+"/cmd")
	}
	for j := range n - exact {
		id := strconv.Itoa(j)
		switch j % 4 {
		case 0:
			filters = append(filters, "sensors/"+id+"/+")
		case 1:
			filters = append(filters, "site/"+id+"/#")
		case 2:
			filters = append(filters, "+/"+id+"/alarm")
		default:
			filters = append(filters, "sensors/+/m"+id)
		}
	}
	return filters
}

func benchTopics(n, count int) [][]byte {
	r := rand.New(rand.NewPCG(7, 8))
	topics := make([][]byte, count)
	for i := range topics {
		id := r.IntN(n)
		switch i % 3 {
		case 0:
			topics[i] = fmt.Appendf(nil, "sensors/%d/cmd", id)
		case 1:
			topics[i] = fmt.Appendf(nil, "sensors/%d/temp", id)
		default:
			topics[i] = fmt.Appendf(nil, "site/%d/a/b", id)
		}
	}
	return topics
}

var benchIndexes sync.Map // n -> *Index[int]

func benchIndex(b *testing.B, n int) *Index[int] {
	if x, ok := benchIndexes.Load(n); ok {
		return x.(*Index[int])
	}
	x := New[int]()
	for i, f := range benchFilters(n) {
		if _, err := x.Subscribe(i, f, Options{QoS: 1}); err != nil {
			b.Fatal(err)
		}
	}
	benchIndexes.Store(n, x)
	return x
}

func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{1000, 100_000} {
		x := benchIndex(b, n)
		topics := benchTopics(n, 1<<16)
		for _, size := range []int{0, 1024} {
			b.Run(fmt.Sprintf("subs=%d/cache=%d", n, size), func(b *testing.B) {
				r := x.NewReader(size)
				hot := topics
				if size > 0 {
					hot = topics[:256]
				}
				out := make([]Delivery[int], 0, 64)
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					out = r.Match(hot[i&(len(hot)-1)], out[:0])
					i++
				}
			})
		}
	}
}

func BenchmarkSubscribe(b *testing.B) {
	filters := benchFilters(1 << 17)
	b.ReportAllocs()
	x := New[int]()
	i := 0
	for b.Loop() {
		x.Subscribe(i, filters[i&(len(filters)-1)], Options{})
		i++
	}
}
