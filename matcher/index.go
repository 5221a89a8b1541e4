package matcher

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
)

// Index maps topic filters to subscribers of type S, a handle chosen by the
// caller (a session pointer or a small id) and returned by Match as is.
//
// All methods are safe for concurrent use. Match takes no lock and allocates
// nothing; Subscribe and Unsubscribe lock one shard of the index and never
// make a reader wait. A Match that starts after Subscribe (or Unsubscribe)
// returns sees the change; a Match running during a change sees a
// subscription exactly once, with its old or its new options.
type Index[S comparable] struct {
	// gen counts changes; readers' caches compare it to invalidate entries.
	gen atomic.Uint64
	_   [64]byte

	exact *exactTable[S]   // filters without wildcards
	edges *table[*node[S]] // named children of wildcard trie nodes
	root  *node[S]         // wildcard trie root
	// picker is read by matches of shared subscriptions: it stays beside
	// the other fields readers use, away from the counters writers bump.
	picker atomic.Pointer[SharePicker[S]]

	wildSeed maphash.Seed
	// Readers load exact, edges and root on every match; writers lock
	// wildLocks. The padding keeps those off one cache line.
	_         [64]byte
	wildLocks [wildShards]paddedMutex // by hash of a wildcard filter's first level

	nextID atomic.Uint64
	count  atomic.Int64
	// Writers bump the counters above; every Index.Match reads the pool.
	_       [64]byte
	scratch sync.Pool // *matchScratch[S] for Index.Match
}

const wildShards = 64

type paddedMutex struct {
	sync.Mutex
	_ [56]byte
}

// New returns an empty index.
func New[S comparable]() *Index[S] {
	x := &Index[S]{
		exact:    &exactTable[S]{seed: newHashSeed()},
		edges:    newTable[*node[S]](),
		wildSeed: maphash.MakeSeed(),
	}
	x.root = &node[S]{id: x.nextID.Add(1)}
	x.gen.Store(1) // cache entries with generation 0 are empty
	return x
}

// SetSharePicker sets how a shared subscription group chooses the member that
// receives a message; nil restores round robin. Safe at any time.
func (x *Index[S]) SetSharePicker(p SharePicker[S]) {
	if p == nil {
		x.picker.Store(nil)
		return
	}
	x.picker.Store(&p)
}

// Len returns the number of subscriptions in the index (a subscriber's
// subscriptions to distinct filters, shared ones included, count apart).
func (x *Index[S]) Len() int {
	return int(x.count.Load())
}

// Generation returns a counter that changes whenever a subscription is
// added, replaced or removed.
func (x *Index[S]) Generation() uint64 {
	return x.gen.Load()
}

// Subscribe adds sub's subscription to filter, or replaces its options when
// sub already subscribed to that exact filter (replaced is then true, as
// MQTT 5 Retain Handling 1 needs). A filter "$share/{group}/{filter}" is a
// shared subscription. Invalid filters return an error and change nothing.
func (x *Index[S]) Subscribe(sub S, filter string, opts Options) (replaced bool, err error) {
	group, tf, err := ParseFilter(filter)
	if err != nil {
		return false, err
	}
	if !hasWildcard(tf) {
		replaced = x.subscribeExact(sub, group, tf, opts)
	} else {
		replaced = x.subscribeWild(sub, group, tf, opts)
	}
	if !replaced {
		x.count.Add(1)
	}
	// Bump after the change is visible, so a reader that sees the new
	// generation also sees the change.
	x.gen.Add(1)
	return replaced, nil
}

// Unsubscribe removes sub's subscription to filter and reports whether it
// existed. Once it returns, no Match sees the subscription.
func (x *Index[S]) Unsubscribe(sub S, filter string) bool {
	group, tf, err := ParseFilter(filter)
	if err != nil {
		return false
	}
	var removed bool
	if !hasWildcard(tf) {
		removed = x.unsubscribeExact(sub, group, tf)
	} else {
		removed = x.unsubscribeWild(sub, group, tf)
	}
	if removed {
		x.count.Add(-1)
		x.gen.Add(1)
	}
	return removed
}

// Options returns the options of sub's subscription to filter, if any.
func (x *Index[S]) Options(sub S, filter string) (Options, bool) {
	group, tf, err := ParseFilter(filter)
	if err != nil {
		return Options{}, false
	}
	var n *node[S]
	if !hasWildcard(tf) {
		h := x.exact.hashString(tf)
		sh := x.exact.shard(h)
		sh.mu.Lock()
		if _, e := sh.find(h, tf); e != nil {
			n = e.owner
		}
		sh.mu.Unlock()
	} else {
		lock := x.wildLock(tf)
		lock.Lock()
		if path := x.findWild(tf); path != nil {
			n = path[len(path)-1]
		}
		lock.Unlock()
	}
	if n == nil {
		return Options{}, false
	}
	return n.lookupOptions(group, sub)
}

func setOn[S comparable](n *node[S], group string, sub S, opts Options) bool {
	if group == "" {
		return n.setDirect(sub, opts)
	}
	return n.setShared(group, sub, opts)
}

func removeFrom[S comparable](n *node[S], group string, sub S) bool {
	if group == "" {
		return n.removeDirect(sub)
	}
	return n.removeShared(group, sub)
}

func (x *Index[S]) subscribeExact(sub S, group, tf string, opts Options) bool {
	h := x.exact.hashString(tf)
	sh := x.exact.shard(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	i, e := sh.find(h, tf)
	if e == nil {
		// The index keeps its own copy: the caller's string may be a view
		// of a buffer that is reused.
		c := new(exactCell[S])
		n := &c.node
		n.name = strings.Clone(tf)
		// Fill the node before publishing it, so no reader sees it empty.
		if group == "" {
			c.set.one[0] = Subscription[S]{Sub: sub, Options: opts}
			c.set.direct = c.set.one[:1:1]
			n.subs.Store(&c.set)
		} else {
			setOn(n, group, sub, opts)
		}
		c.exact.fill(n)
		sh.insert(x.exact.seed, h, &c.exact)
		return false
	}
	replaced := setOn(e.owner, group, sub, opts)
	sh.publish(i, newExactSet(e.owner))
	return replaced
}

func (x *Index[S]) unsubscribeExact(sub S, group, tf string) bool {
	h := x.exact.hashString(tf)
	sh := x.exact.shard(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	i, e := sh.find(h, tf)
	if e == nil || !removeFrom(e.owner, group, sub) {
		return false
	}
	sh.publish(i, newExactSet(e.owner))
	return true
}

// wildLock returns the writer lock of a wildcard filter's first level: all
// trie nodes below one first level are written under one lock.
func (x *Index[S]) wildLock(tf string) *paddedMutex {
	first := tf
	if i := strings.IndexByte(tf, '/'); i >= 0 {
		first = tf[:i]
	}
	return &x.wildLocks[maphash.String(x.wildSeed, first)%wildShards]
}

func (x *Index[S]) subscribeWild(sub S, group, tf string, opts Options) bool {
	lock := x.wildLock(tf)
	lock.Lock()
	defer lock.Unlock()
	n := x.root
	for level := range strings.SplitSeq(tf, "/") {
		n = x.childOrCreate(n, level)
	}
	return setOn(n, group, sub, opts)
}

// childOrCreate returns n's child for level, creating it; the caller holds
// the wildcard lock of the filter.
func (x *Index[S]) childOrCreate(n *node[S], level string) *node[S] {
	switch level {
	case "+":
		if c := n.plus.Load(); c != nil {
			return c
		}
		c := &node[S]{id: x.nextID.Add(1)}
		n.plus.Store(c)
		return c
	case "#":
		if c := n.hash.Load(); c != nil {
			return c
		}
		c := &node[S]{id: x.nextID.Add(1)}
		n.hash.Store(c)
		return c
	}
	h := x.edges.hashString(n.id, level)
	sh := x.edges.shard(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if c, ok := sh.find(h, n.id, level); ok {
		return c
	}
	cell := new(trieCell[S])
	c := &cell.node
	c.id, c.name = x.nextID.Add(1), strings.Clone(level)
	sh.insertInto(h, n.id, c.name, c, &cell.bucket)
	n.addKid(c)
	return c
}

// findWild returns the trie nodes of a wildcard filter from the root down
// to its own node, or nil; the caller holds the filter's wildcard lock.
func (x *Index[S]) findWild(tf string) []*node[S] {
	n := x.root
	path := []*node[S]{n}
	for level := range strings.SplitSeq(tf, "/") {
		switch level {
		case "+":
			n = n.plus.Load()
		case "#":
			n = n.hash.Load()
		default:
			h := x.edges.hashString(n.id, level)
			sh := x.edges.shard(h)
			sh.mu.Lock()
			n, _ = sh.find(h, n.id, level)
			sh.mu.Unlock()
		}
		if n == nil {
			return nil
		}
		path = append(path, n)
	}
	return path
}

func (x *Index[S]) unsubscribeWild(sub S, group, tf string) bool {
	lock := x.wildLock(tf)
	lock.Lock()
	defer lock.Unlock()
	path := x.findWild(tf)
	if path == nil || !removeFrom(path[len(path)-1], group, sub) {
		return false
	}
	x.prune(path)
	return true
}

// prune unlinks empty childless nodes of path (root first) from the bottom
// up.
func (x *Index[S]) prune(path []*node[S]) {
	for i := len(path) - 1; i > 0 && path[i].isLeaf(); i-- {
		n, p := path[i], path[i-1]
		switch n {
		case p.plus.Load():
			p.plus.Store(nil)
		case p.hash.Load():
			p.hash.Store(nil)
		default:
			h := x.edges.hashString(p.id, n.name)
			sh := x.edges.shard(h)
			sh.mu.Lock()
			sh.remove(h, p.id, n.name)
			sh.mu.Unlock()
			p.removeKid(n)
		}
	}
}
