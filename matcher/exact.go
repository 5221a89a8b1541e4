package matcher

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"
)

// exactTable maps filters without wildcards to their subscriber sets. An
// exact hit is the most common match and the one whose memory reads depend
// on each other, so the table keeps that chain short: one control word (a
// dense array that mostly stays in the CPU caches), one slot, and the set,
// which holds the filter it belongs to for the final comparison. Most misses
// stop at the control word.
//
// Each shard is open-addressed in groups of eight slots, with one control
// byte per slot: empty, deleted, or seven bits of the entry's hash. Readers
// take no lock. Writers lock one shard; they publish a slot before its
// control byte, replace a set by storing the slot, and grow or clean a shard
// by building new arrays and swapping one pointer.
type exactTable[S comparable] struct {
	seed uint64
	// Readers hash with seed on every match; writers lock shards[0]. The
	// padding keeps those off one cache line.
	_      [64]byte
	shards [exactShards]exactShard[S]
}

const (
	exactShardBits = 6
	exactShards    = 1 << exactShardBits
	groupSlots     = 8
	// Control bytes: 0 is empty, 1 deleted, 2..129 seven bits of a hash.
	ctrlEmpty   = 0
	ctrlDeleted = 1
	// A shard starts with this many groups and is rebuilt when more than
	// maxLoadNum/maxLoadDen of its slots are used (deleted ones included).
	// Fuller tables are smaller, so more of their slots stay in the CPU
	// caches; that beats the extra control words a lookup reads (measured).
	initialGroups = 1
	maxLoadNum    = 3
	maxLoadDen    = 4
)

type exactShard[S comparable] struct {
	mu    sync.Mutex
	slots atomic.Pointer[exactSlots[S]]
	live  int // entries, guarded by mu
	used  int // entries and deleted slots, guarded by mu
	_     [32]byte
}

// exactSlots is one generation of a shard's arrays; a rebuild publishes a
// new one and never writes the old one again.
type exactSlots[S comparable] struct {
	ctrl  []atomic.Uint64 // eight control bytes per group
	sets  []atomic.Pointer[exactSet[S]]
	gmask uint64 // groups - 1
}

func newExactSlots[S comparable](groups int) *exactSlots[S] {
	return &exactSlots[S]{
		ctrl:  make([]atomic.Uint64, groups),
		sets:  make([]atomic.Pointer[exactSet[S]], groups*groupSlots),
		gmask: uint64(groups - 1),
	}
}

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
	lowSeven = 0x7f7f7f7f7f7f7f7f
)

// bytesEqual returns a word with the high bit set in each byte of w that
// equals c, and no other bit.
func bytesEqual(w uint64, c byte) uint64 {
	x := w ^ (lowBits * uint64(c))
	return ^((x&lowSeven + lowSeven) | x | lowSeven)
}

// fingerprint is the control byte of an entry with hash h: seven bits that
// neither the shard (top bits) nor the group (low bits) use.
func fingerprint(h uint64) byte {
	return byte(h>>(64-exactShardBits-7))&0x7f + 2
}

func (t *exactTable[S]) hashBytes(filter []byte) uint64 {
	return nameHash(t.seed, filter)
}

func (t *exactTable[S]) hashString(filter string) uint64 {
	return nameHash(t.seed, filter)
}

func (t *exactTable[S]) shard(h uint64) *exactShard[S] {
	return &t.shards[h>>(64-exactShardBits)]
}

// lookup returns the set of the filter equal to topic, or nil, without
// locking or allocating; h must be t.hashBytes(topic).
func (t *exactTable[S]) lookup(h uint64, topic []byte) *exactSet[S] {
	s := t.shard(h).slots.Load()
	if s == nil {
		return nil
	}
	fp := fingerprint(h)
	for g, step := h&s.gmask, uint64(0); step <= s.gmask; g, step = (g+1)&s.gmask, step+1 {
		w := s.ctrl[g].Load()
		for m := bytesEqual(w, fp); m != 0; m &= m - 1 {
			i := g*groupSlots + uint64(bits.TrailingZeros64(m)/8)
			if set := s.sets[i].Load(); set != nil && set.isBytes(topic) {
				return set
			}
		}
		if bytesEqual(w, ctrlEmpty) != 0 {
			return nil
		}
	}
	return nil
}

// first starts a lookup with hash h: it returns the set in the first slot of
// the probe sequence whose control byte matches, without comparing its
// filter, and whether the lookup is over (no match, set is nil). A match
// prefetches the set and compares its filter only after the wildcard walk,
// so the cache miss on the set overlaps the walk.
func (t *exactTable[S]) first(h uint64) (set *exactSet[S], over bool) {
	s := t.shard(h).slots.Load()
	if s == nil {
		return nil, true
	}
	// The group's slots fill one cache line: fetch it while the control
	// word is read, rather than after.
	prefetch(uintptr(unsafe.Pointer(&s.sets[(h&s.gmask)*groupSlots])))
	fp := fingerprint(h)
	for g, step := h&s.gmask, uint64(0); step <= s.gmask; g, step = (g+1)&s.gmask, step+1 {
		w := s.ctrl[g].Load()
		if m := bytesEqual(w, fp); m != 0 {
			return s.sets[g*groupSlots+uint64(bits.TrailingZeros64(m)/8)].Load(), false
		}
		if bytesEqual(w, ctrlEmpty) != 0 {
			return nil, true
		}
	}
	return nil, true
}

// find returns the slot and set of filter, or -1; the caller holds sh.mu.
func (sh *exactShard[S]) find(h uint64, filter string) (int, *exactSet[S]) {
	s := sh.slots.Load()
	if s == nil {
		return -1, nil
	}
	fp := fingerprint(h)
	for g, step := h&s.gmask, uint64(0); step <= s.gmask; g, step = (g+1)&s.gmask, step+1 {
		w := s.ctrl[g].Load()
		for m := bytesEqual(w, fp); m != 0; m &= m - 1 {
			i := int(g)*groupSlots + bits.TrailingZeros64(m)/8
			if set := s.sets[i].Load(); set != nil && set.is(filter) {
				return i, set
			}
		}
		if bytesEqual(w, ctrlEmpty) != 0 {
			return -1, nil
		}
	}
	return -1, nil
}

// insert adds set, whose filter find did not see; the caller holds sh.mu.
func (sh *exactShard[S]) insert(seed uint64, h uint64, set *exactSet[S]) {
	s := sh.slots.Load()
	switch {
	case s == nil:
		s = newExactSlots[S](initialGroups)
		sh.slots.Store(s)
	case (sh.used+1)*maxLoadDen > len(s.sets)*maxLoadNum:
		s = sh.rebuild(seed, s)
	}
	if s.place(h, set) {
		sh.used++
	}
	sh.live++
}

// place puts set in the first free or deleted slot of its probe sequence,
// and reports whether that slot was empty. The slot is stored before its
// control byte, so a reader that sees the byte finds the set.
func (s *exactSlots[S]) place(h uint64, set *exactSet[S]) (wasEmpty bool) {
	for g := h & s.gmask; ; g = (g + 1) & s.gmask {
		w := s.ctrl[g].Load()
		free := bytesEqual(w, ctrlEmpty) | bytesEqual(w, ctrlDeleted)
		if free == 0 {
			continue
		}
		b := bits.TrailingZeros64(free) / 8
		s.sets[int(g)*groupSlots+b].Store(set)
		shift := uint(b) * 8
		wasEmpty = byte(w>>shift) == ctrlEmpty
		s.ctrl[g].Store(w&^(0xff<<shift) | uint64(fingerprint(h))<<shift)
		return wasEmpty
	}
}

// publish replaces the set in slot i (from find), or deletes the entry when
// set is nil; the caller holds sh.mu.
func (sh *exactShard[S]) publish(i int, set *exactSet[S]) {
	s := sh.slots.Load()
	if set != nil {
		s.sets[i].Store(set)
		return
	}
	g, shift := i/groupSlots, uint(i%groupSlots)*8
	w := s.ctrl[g].Load()
	s.ctrl[g].Store(w&^(0xff<<shift) | ctrlDeleted<<shift)
	s.sets[i].Store(nil)
	sh.live--
}

// rebuild moves the live entries of s into new arrays sized for twice as
// many (at least), dropping deleted slots, and publishes them. Readers keep
// using s until then. Between two rebuilds at least a quarter of the slots
// are filled, so an insert costs O(1) amortised.
func (sh *exactShard[S]) rebuild(seed uint64, s *exactSlots[S]) *exactSlots[S] {
	groups := len(s.ctrl)
	for (sh.live+1)*2*maxLoadDen > groups*groupSlots*maxLoadNum {
		groups *= 2
	}
	fresh := newExactSlots[S](groups)
	for i := range s.sets {
		if set := s.sets[i].Load(); set != nil {
			fresh.place(nameHash(seed, set.owner.name), set)
		}
	}
	sh.slots.Store(fresh)
	sh.used = sh.live
	return fresh
}

// exactSet is what an exact table slot points to: the filter and, in the
// usual case of one subscriber, its subscription, in one cache line (64
// bytes when S is a word), so that an exact hit reads the table and this
// line only. It is immutable; writers replace it whenever the filter's
// subscriptions change.
type exactSet[S comparable] struct {
	// full is the filter's subscriber set, or nil when one direct
	// subscription is all the filter has: one then holds it.
	full  *subscriberSet[S]
	owner *node[S] // the node writers keep the filter's state in
	one   Subscription[S]
	// nameLen is the filter's length; the filter is in name when it fits,
	// in owner.name otherwise.
	nameLen int
	name    [exactNameInline]byte
}

// exactNameInline is the longest filter an exactSet holds inline.
const exactNameInline = 24

// newExactSet returns the exact set of n's current subscriptions, or nil
// when it has none.
func newExactSet[S comparable](n *node[S]) *exactSet[S] {
	if n.subs.Load() == nil {
		return nil
	}
	e := new(exactSet[S])
	e.fill(n)
	return e
}

// fill makes e the exact set of n's current subscriptions, which exist.
func (e *exactSet[S]) fill(n *node[S]) {
	set := n.subs.Load()
	e.owner, e.nameLen = n, len(n.name)
	copy(e.name[:], n.name)
	if len(set.direct) == 1 && len(set.groups) == 0 {
		e.one = set.direct[0]
	} else {
		e.full = set
	}
}

// exactCell is a new exact filter's exact set, node and first subscriber
// set in one allocation (192 bytes, so the exact set keeps a cache line of
// its own). Sets replaced later are allocated on their own; the cell stays
// alive as long as its node does.
type exactCell[S comparable] struct {
	exact exactSet[S]
	node  node[S]
	set   subscriberSet[S]
}

func (e *exactSet[S]) is(filter string) bool {
	if e.nameLen <= len(e.name) {
		return string(e.name[:e.nameLen]) == filter
	}
	return e.owner.name == filter
}

// isBytes is is for a topic; the comparison converts without copying.
func (e *exactSet[S]) isBytes(topic []byte) bool {
	if e.nameLen != len(topic) {
		return false
	}
	if e.nameLen <= len(e.name) {
		return string(e.name[:e.nameLen]) == string(topic)
	}
	return e.owner.name == string(topic)
}

// emitExact appends the subscriptions of e: direct ones to out, groups to sc.
func emitExact[S comparable](e *exactSet[S], out []Delivery[S], sc *matchScratch[S], sources *int) []Delivery[S] {
	if e.full != nil {
		return emitSet(e.full, out, sc, sources)
	}
	*sources++
	return append(out, deliveryOf(&e.one, ""))
}
