// Package matcherbench compares midge's subscription index with mochi-mqtt's
// TopicsIndex and with a plain read-write-locked trie, on the same
// subscriptions and topics. It lives in the bench/peers module so the
// dependencies of the peers never reach midge's own module.
package matcherbench

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// Filters returns n subscription filters as a sensor deployment has them:
// 90% exact per-sensor command filters "sensors/<id>/cmd", 10% wildcards of
// four shapes, all distinct. Subscriber i holds filter i.
func Filters(n int) []string {
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

// Topics returns count publish topics over the ids of Filters(n): a third
// command topics (exact hits), a third sensor readings (wildcard hits), a
// third site topics ('#' hits). The same seed gives the same topics.
func Topics(n, count int) []string {
	r := rand.New(rand.NewPCG(7, 8))
	topics := make([]string, count)
	for i := range topics {
		id := r.IntN(n)
		switch i % 3 {
		case 0:
			topics[i] = fmt.Sprintf("sensors/%d/cmd", id)
		case 1:
			topics[i] = fmt.Sprintf("sensors/%d/temp", id)
		default:
			topics[i] = fmt.Sprintf("site/%d/a/b", id)
		}
	}
	return topics
}
