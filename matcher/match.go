package matcher

import (
	"hash/maphash"
	"math/bits"
	"unsafe"
)

// matchScratch is the per-match working memory: share groups found and the
// table that merges a subscriber's deliveries. One per Reader; Index.Match
// takes one from a pool.
type matchScratch[S comparable] struct {
	groups []*shareGroup[S]
	first  []int32 // per delivery: its subscriber's first delivery
	ids    []int32 // per first delivery: identifiers to merge
	slots  []int32 // per first delivery: its position after merging
	table  []int32 // open-addressing table of first deliveries
	seed   maphash.Seed
}

func newMatchScratch[S comparable]() *matchScratch[S] {
	return &matchScratch[S]{seed: maphash.MakeSeed()}
}

// Match appends to out one Delivery per subscriber of topic (merged as
// described on [Delivery]) and one per matching shared subscription group,
// and returns the extended slice. topic is only read during the call.
//
// Match takes no lock and allocates nothing once out has room. It does not
// validate topic (see [ValidTopic]). Use a [Reader] per event loop to cache
// results of recent topics.
func (x *Index[S]) Match(topic []byte, out []Delivery[S]) []Delivery[S] {
	sc, _ := x.scratch.Get().(*matchScratch[S])
	if sc == nil {
		sc = newMatchScratch[S]()
	}
	out = x.collect(topic, x.exact.hashBytes(topic), out, sc)
	out = x.pickShared(out, sc.groups)
	clear(sc.groups) // do not keep groups alive from the pool
	sc.groups = sc.groups[:0]
	x.scratch.Put(sc)
	return out
}

// collect appends the merged non-shared deliveries of topic to out and the
// matching share groups to sc.groups; h is x.exact.hashBytes(topic).
func (x *Index[S]) collect(topic []byte, h uint64, out []Delivery[S], sc *matchScratch[S]) []Delivery[S] {
	base := len(out)
	sc.groups = sc.groups[:0]
	sources := 0
	set, over := x.exact.first(h)
	if set != nil {
		// The set is compared with the topic after the walk, by when its
		// cache line has arrived.
		prefetch(uintptr(unsafe.Pointer(set)))
	}
	out = x.walk(x.root, topic, 0, out, sc, &sources)
	if set == nil || !set.isBytes(topic) {
		set = nil
		if !over {
			set = x.exact.lookup(h, topic)
		}
	}
	if set != nil {
		out = emitExact(set, out, sc, &sources)
	}
	if sources > 1 {
		out = mergeDuplicates(out, base, sc)
	}
	return out
}

// emit appends n's subscriptions: direct ones to out, groups to sc.
func emit[S comparable](n *node[S], out []Delivery[S], sc *matchScratch[S], sources *int) []Delivery[S] {
	if set := n.subs.Load(); set != nil {
		return emitSet(set, out, sc, sources)
	}
	return out
}

// emitSet appends the subscriptions of set: direct ones to out, groups to sc.
func emitSet[S comparable](set *subscriberSet[S], out []Delivery[S], sc *matchScratch[S], sources *int) []Delivery[S] {
	if len(set.direct) > 0 {
		*sources++
		for i := range set.direct {
			out = append(out, deliveryOf(&set.direct[i], ""))
		}
	}
	sc.groups = append(sc.groups, set.groups...)
	return out
}

// walk matches topic[start:] against the wildcard trie below n.
func (x *Index[S]) walk(n *node[S], topic []byte, start int, out []Delivery[S], sc *matchScratch[S], sources *int) []Delivery[S] {
	end := levelEnd(topic, start)
	last := end == len(topic)
	// [MQTT-4.7.2-1] a filter starting with a wildcard does not match a
	// topic starting with '$'.
	if start != 0 || len(topic) == 0 || topic[0] != '$' {
		// [MQTT-4.7.1-2] '#' matches this level and every level below.
		if h := n.hash.Load(); h != nil {
			out = emit(h, out, sc, sources)
		}
		// [MQTT-4.7.1-3] '+' matches exactly one level.
		if p := n.plus.Load(); p != nil {
			out = x.descend(p, topic, end, last, out, sc, sources)
		}
	}
	if c := x.namedChild(n, topic[start:end]); c != nil {
		out = x.descend(c, topic, end, last, out, sc, sources)
	}
	return out
}

// levelEnd returns the end of the topic level that starts at start: the
// index of the next '/', or len(topic). Levels are short, so it looks at
// eight bytes at a time inline rather than calling bytes.IndexByte.
func levelEnd(topic []byte, start int) int {
	i := start
	for ; i+8 <= len(topic); i += 8 {
		if m := bytesEqual(read8(topic, i), '/'); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(topic); i++ {
		if topic[i] == '/' {
			return i
		}
	}
	return len(topic)
}

// descend continues the match at child c, which matched the level ending at
// end.
func (x *Index[S]) descend(c *node[S], topic []byte, end int, last bool, out []Delivery[S], sc *matchScratch[S], sources *int) []Delivery[S] {
	if !last {
		return x.walk(c, topic, end+1, out, sc, sources)
	}
	out = emit(c, out, sc, sources)
	// [MQTT-4.7.1-2] "sport/#" also matches "sport": '#' includes the parent.
	if h := c.hash.Load(); h != nil {
		out = emit(h, out, sc, sources)
	}
	return out
}

// pickShared appends one delivery per group, for the member chosen.
func (x *Index[S]) pickShared(out []Delivery[S], groups []*shareGroup[S]) []Delivery[S] {
	if len(groups) == 0 {
		return out
	}
	picker := x.picker.Load()
	for _, g := range groups {
		n := uint64(len(g.members))
		if n == 0 {
			continue
		}
		seq := g.seq.Add(1) - 1
		i := int(seq % n)
		if picker != nil {
			if j := (*picker).Pick(g.name, g.members, seq); j >= 0 && j < len(g.members) {
				i = j
			}
		}
		out = append(out, deliveryOf(&g.members[i], g.name))
	}
	return out
}

// smallMerge is the delivery count up to which a subscriber's first
// delivery is found by comparing pairs rather than through a hash table.
const smallMerge = 24

// mergeDuplicates merges the deliveries of out[base:] that have the same
// subscriber (see Delivery) and returns the shortened slice. A subscriber
// whose matching subscriptions carry more than MaxMergedIDs identifiers keeps
// one delivery per subscription instead.
func mergeDuplicates[S comparable](out []Delivery[S], base int, sc *matchScratch[S]) []Delivery[S] {
	n := len(out) - base
	if cap(sc.first) < n {
		sc.first = make([]int32, n)
		sc.ids = make([]int32, n)
	}
	// first[i]: index (from base) of the first delivery of i's subscriber;
	// ids[f]: identifiers of all the deliveries of first delivery f.
	first, ids := sc.first[:n], sc.ids[:n]
	clear(ids)
	if n <= smallMerge {
		for i := range n {
			f := i
			for j := range i {
				if first[j] == int32(j) && out[base+j].Sub == out[base+i].Sub {
					f = j
					break
				}
			}
			first[i] = int32(f)
			ids[f] += int32(out[base+i].idCount)
		}
	} else {
		findFirstByHash(out[base:], first, ids, sc)
	}
	// Compact in place: a subscriber's merged delivery takes the slot of
	// its first one; w never passes the delivery being read.
	pos := sc.slots[:0] // reuse: new position of each first delivery
	if cap(pos) < n {
		pos = make([]int32, n)
		sc.slots = pos
	}
	pos = pos[:n]
	w := base
	for i := range n {
		f := first[i]
		switch {
		case ids[f] > MaxMergedIDs: // [MQTT-3.3.4-5] one copy per subscription
			out[w] = out[base+i]
			w++
		case int(f) == i:
			pos[i] = int32(w)
			out[w] = out[base+i]
			w++
		default:
			out[pos[f]].merge(&out[base+i])
		}
	}
	return out[:w]
}

// findFirstByHash fills first and ids (see mergeDuplicates) through an
// open-addressing table keyed by subscriber.
func findFirstByHash[S comparable](ds []Delivery[S], first, ids []int32, sc *matchScratch[S]) {
	size := 1
	for size < 2*len(ds) {
		size <<= 1
	}
	if cap(sc.table) < size {
		sc.table = make([]int32, size)
	}
	table := sc.table[:size]
	for i := range table {
		table[i] = -1
	}
	mask := uint64(size - 1)
	for i := range ds {
		s := maphash.Comparable(sc.seed, ds[i].Sub) & mask
		for table[s] >= 0 && ds[table[s]].Sub != ds[i].Sub {
			s = (s + 1) & mask
		}
		if table[s] < 0 {
			table[s] = int32(i)
		}
		f := table[s]
		first[i] = f
		ids[f] += int32(ds[i].idCount)
	}
}
