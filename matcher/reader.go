package matcher

import "bytes"

// Reader matches topics against an Index through a cache of recent topics.
// A Reader is not safe for concurrent use: give each event loop its own.
// The cache is invalidated by any change to the index (one atomic load per
// match), so a Reader never returns a stale result. Cached entries keep
// references to the subscribers they list until they are overwritten.
type Reader[S comparable] struct {
	idx     *Index[S]
	mask    uint64
	entries []cacheEntry[S]
	scratch *matchScratch[S]
}

// maxCachedDeliveries bounds the deliveries cached for one topic; results
// with more are not cached (copying them dwarfs the walk anyway).
const maxCachedDeliveries = 256

type cacheEntry[S comparable] struct {
	gen    uint64 // index generation when filled; 0 means empty
	topic  []byte
	direct []Delivery[S]
	groups []*shareGroup[S]
}

// NewReader returns a Reader caching up to size topics (rounded up to a power
// of two; size <= 0 disables the cache).
func (x *Index[S]) NewReader(size int) *Reader[S] {
	r := &Reader[S]{idx: x, scratch: newMatchScratch[S]()}
	if size > 0 {
		n := 1
		for n < size {
			n <<= 1
		}
		r.entries = make([]cacheEntry[S], n)
		r.mask = uint64(n - 1)
	}
	return r
}

// Match is [Index.Match] through the cache: it appends the deliveries for
// topic to out and returns the extended slice. It allocates nothing once the
// cache entries and out have grown to the sizes the traffic needs.
func (r *Reader[S]) Match(topic []byte, out []Delivery[S]) []Delivery[S] {
	x := r.idx
	// One hash of the topic serves the cache and the exact lookup.
	h := x.exact.hashBytes(topic)
	if r.entries == nil {
		out = x.collect(topic, h, out, r.scratch)
		return x.pickShared(out, r.scratch.groups)
	}
	gen := x.gen.Load()
	e := &r.entries[h&r.mask]
	if e.gen == gen && bytes.Equal(e.topic, topic) {
		out = append(out, e.direct...)
		return x.pickShared(out, e.groups)
	}
	base := len(out)
	out = x.collect(topic, h, out, r.scratch)
	if len(out)-base <= maxCachedDeliveries {
		// gen was loaded before the walk: if the index changed meanwhile the
		// entry is already stale and the next match misses.
		e.gen = gen
		e.topic = append(e.topic[:0], topic...)
		e.direct = append(e.direct[:0], out[base:]...)
		clear(e.groups)
		e.groups = append(e.groups[:0], r.scratch.groups...)
	} else {
		e.gen = 0
	}
	return x.pickShared(out, r.scratch.groups)
}
