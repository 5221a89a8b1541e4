package matcher

import (
	"bytes"
	"hash/maphash"
)

// matchScratch is the per-match working memory: share groups found and the
// table that merges a subscriber's deliveries. One per Reader; Index.Match
// takes one from a pool.
type matchScratch[S comparable] struct {
	groups []*shareGroup[S]
	slots  []int32
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
	out = x.collect(topic, out, sc)
	out = x.pickShared(out, sc.groups)
	clear(sc.groups) // do not keep groups alive from the pool
	sc.groups = sc.groups[:0]
	x.scratch.Put(sc)
	return out
}

// collect appends the merged non-shared deliveries of topic to out and the
// matching share groups to sc.groups.
func (x *Index[S]) collect(topic []byte, out []Delivery[S], sc *matchScratch[S]) []Delivery[S] {
	base := len(out)
	sc.groups = sc.groups[:0]
	sources := 0
	if n, ok := x.exact.lookup(x.exact.hashBytes(0, topic), 0, topic); ok {
		out = emit(n, out, sc, &sources)
	}
	out = x.walk(x.root, topic, 0, out, sc, &sources)
	if sources > 1 {
		out = mergeDuplicates(out, base, sc)
	}
	return out
}

// emit appends n's subscriptions: direct ones to out, groups to sc.
func emit[S comparable](n *node[S], out []Delivery[S], sc *matchScratch[S], sources *int) []Delivery[S] {
	set := n.subs.Load()
	if set == nil {
		return out
	}
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
	end := len(topic)
	if i := bytes.IndexByte(topic[start:], '/'); i >= 0 {
		end = start + i
	}
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
	if n.named.Load() > 0 {
		level := topic[start:end]
		if c, ok := x.edges.lookup(x.edges.hashBytes(n.id, level), n.id, level); ok {
			out = x.descend(c, topic, end, last, out, sc, sources)
		}
	}
	return out
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

// smallMerge is the delivery count up to which duplicates are merged by
// comparing pairs rather than through a hash table.
const smallMerge = 24

// mergeDuplicates merges the deliveries of out[base:] that have the same
// subscriber (see Delivery) and returns the shortened slice.
func mergeDuplicates[S comparable](out []Delivery[S], base int, sc *matchScratch[S]) []Delivery[S] {
	if len(out)-base <= smallMerge {
		w := base
		for i := base; i < len(out); i++ {
			merged := false
			for j := w - 1; j >= base; j-- {
				if out[j].Sub == out[i].Sub {
					merged = out[j].merge(&out[i])
					break
				}
			}
			if !merged {
				out[w] = out[i]
				w++
			}
		}
		return out[:w]
	}
	size := 1
	for size < 2*(len(out)-base) {
		size <<= 1
	}
	if cap(sc.slots) < size {
		sc.slots = make([]int32, size)
	}
	slots := sc.slots[:size]
	for i := range slots {
		slots[i] = -1
	}
	mask := uint64(size - 1)
	w := base
	for i := base; i < len(out); i++ {
		s := maphash.Comparable(sc.seed, out[i].Sub) & mask
		for slots[s] >= 0 && out[slots[s]].Sub != out[i].Sub {
			s = (s + 1) & mask
		}
		if j := slots[s]; j >= 0 && out[j].merge(&out[i]) {
			continue
		}
		out[w] = out[i]
		slots[s] = int32(w)
		w++
	}
	return out[:w]
}
