package matcher

import (
	"sync"
	"sync/atomic"
)

// table is a concurrent hash map from (parent, name) to a value. Readers take
// no lock: they load a shard's bucket array and one bucket through atomic
// pointers. Buckets are small immutable slices that a writer replaces whole
// (copy-on-write of one bucket, not of the map), so an insert costs O(1)
// amortised whatever the size. Writers lock one shard.
//
// The wildcard trie keeps its named edges here: the parent node's id and
// one level as the key. Exact filters have their own table (exactTable),
// laid out for a short chain of memory reads on a hit.
type table[V any] struct {
	seed uint64
	// Readers hash with seed on every lookup; writers lock shards[0]. The
	// padding keeps those off one cache line.
	_      [64]byte
	shards [tableShards]tableShard[V]
}

const (
	tableShardBits = 6
	tableShards    = 1 << tableShardBits
	// initialBuckets is the bucket count of a shard's first array.
	initialBuckets = 8
)

type tableShard[V any] struct {
	mu    sync.Mutex
	array atomic.Pointer[bucketArray[V]]
	count int // entries, guarded by mu
	_     [40]byte
}

type bucketArray[V any] struct {
	buckets []atomic.Pointer[bucket[V]]
	// tags holds 16 bits per bucket, two to a word: the two bits
	// tagBits(hash) of each entry of the bucket are set. Most lookups of
	// absent keys (the trie asks for many levels that are not there) stop at
	// a tag that lacks one of their bits, in an array four times denser
	// than buckets; with two bits of sixteen, less than one in a hundred
	// goes on to read a bucket, a cache miss in a large table. Writers set a
	// bucket's bits after storing it and clear them after removing an entry.
	tags []atomic.Uint32
	mask uint64
}

// tagBits picks two of 16 bits from hash bits that neither the shard (top
// bits) nor the bucket index (low bits) use.
func tagBits(hash uint64) uint16 {
	return 1<<((hash>>44)&15) | 1<<((hash>>48)&15)
}

func (a *bucketArray[V]) tagged(i uint64, hash uint64) bool {
	want := tagBits(hash)
	return uint16(a.tags[i>>1].Load()>>((i&1)*16))&want == want
}

// retag recomputes the tag of bucket i; the caller holds the shard lock.
func (a *bucketArray[V]) retag(i uint64) {
	var tag uint16
	if b := a.buckets[i].Load(); b != nil {
		tag = tagBits(b.first.hash)
		for _, e := range b.more {
			tag |= tagBits(e.hash)
		}
	}
	shift := (i & 1) * 16
	w := &a.tags[i>>1]
	w.Store(w.Load()&^(0xffff<<shift) | uint32(tag)<<shift)
}

// bucket is immutable once published. Its first entry is inline: most
// buckets hold one entry, and a lookup then touches one cache line less.
type bucket[V any] struct {
	first tableEntry[V]
	more  []tableEntry[V]
}

func newBucket[V any](entries []tableEntry[V]) *bucket[V] {
	if len(entries) == 0 {
		return nil
	}
	b := &bucket[V]{first: entries[0]}
	if len(entries) > 1 {
		b.more = entries[1:]
	}
	return b
}

// appendEntries appends the entries of b (which may be nil) to dst.
func (b *bucket[V]) appendEntries(dst []tableEntry[V]) []tableEntry[V] {
	if b == nil {
		return dst
	}
	dst = append(dst, b.first)
	return append(dst, b.more...)
}

// isBytes is is for a []byte name; the comparison converts without copying.
func (e *tableEntry[V]) isBytes(hash, parent uint64, name []byte) bool {
	return e.hash == hash && e.parent == parent && e.name == string(name)
}

func (e *tableEntry[V]) is(hash, parent uint64, name string) bool {
	return e.hash == hash && e.parent == parent && e.name == name
}

type tableEntry[V any] struct {
	hash   uint64
	parent uint64
	name   string
	value  V
}

func newTable[V any]() *table[V] {
	return &table[V]{seed: newHashSeed()}
}

// parentSeed folds the parent id into the table's seed: the hash of a
// name under one parent tells nothing of its hash under another.
func (t *table[V]) parentSeed(parent uint64) uint64 {
	return t.seed ^ parent*0x9e3779b97f4a7c15
}

func (t *table[V]) hashBytes(parent uint64, name []byte) uint64 {
	return nameHash(t.parentSeed(parent), name)
}

func (t *table[V]) hashString(parent uint64, name string) uint64 {
	return nameHash(t.parentSeed(parent), name)
}

func (t *table[V]) shard(hash uint64) *tableShard[V] {
	return &t.shards[hash>>(64-tableShardBits)]
}

// lookup finds (parent, name) without locking or allocating; hash must be
// t.hashBytes(parent, name).
func (t *table[V]) lookup(hash, parent uint64, name []byte) (v V, ok bool) {
	arr := t.shard(hash).array.Load()
	if arr == nil {
		return v, false
	}
	i := hash & arr.mask
	if !arr.tagged(i, hash) {
		return v, false
	}
	b := arr.buckets[i].Load()
	if b == nil {
		return v, false
	}
	if b.first.isBytes(hash, parent, name) {
		return b.first.value, true
	}
	for i := range b.more {
		if e := &b.more[i]; e.isBytes(hash, parent, name) {
			return e.value, true
		}
	}
	return v, false
}

// find is lookup for writers holding s.mu.
func (s *tableShard[V]) find(hash, parent uint64, name string) (v V, ok bool) {
	arr := s.array.Load()
	if arr == nil {
		return v, false
	}
	b := arr.buckets[hash&arr.mask].Load()
	if b == nil {
		return v, false
	}
	if b.first.is(hash, parent, name) {
		return b.first.value, true
	}
	for i := range b.more {
		if e := &b.more[i]; e.is(hash, parent, name) {
			return e.value, true
		}
	}
	return v, false
}

// insert adds an entry that find did not see; the caller holds s.mu.
func (s *tableShard[V]) insert(hash, parent uint64, name string, v V) {
	s.insertInto(hash, parent, name, v, nil)
}

// insertInto is insert that, when the entry starts a bucket, uses spare
// (unpublished, may be nil) as that bucket: a caller allocating the bucket
// beside the value lets a lookup read both from neighbouring cache lines.
func (s *tableShard[V]) insertInto(hash, parent uint64, name string, v V, spare *bucket[V]) {
	arr := s.array.Load()
	if arr == nil {
		arr = newBucketArray[V](initialBuckets)
		s.array.Store(arr)
	} else if 2*s.count >= len(arr.buckets) {
		// At most one entry per two buckets: most misses (the trie's
		// lookups of absent levels) stop at an empty bucket.
		arr = s.grow(arr)
	}
	i := hash & arr.mask
	slot := &arr.buckets[i]
	e := tableEntry[V]{hash: hash, parent: parent, name: name, value: v}
	if b := slot.Load(); b == nil {
		if spare == nil {
			spare = new(bucket[V])
		}
		spare.first = e
		slot.Store(spare)
	} else {
		slot.Store(newBucket(append(b.appendEntries(nil), e)))
	}
	arr.retag(i)
	s.count++
}

// remove deletes an entry; the caller holds s.mu.
func (s *tableShard[V]) remove(hash, parent uint64, name string) bool {
	arr := s.array.Load()
	if arr == nil {
		return false
	}
	bi := hash & arr.mask
	slot := &arr.buckets[bi]
	b := slot.Load()
	if b == nil {
		return false
	}
	entries := b.appendEntries(nil)
	for i := range entries {
		if !entries[i].is(hash, parent, name) {
			continue
		}
		slot.Store(newBucket(append(entries[:i], entries[i+1:]...)))
		arr.retag(bi)
		s.count--
		return true
	}
	return false
}

func newBucketArray[V any](n int) *bucketArray[V] {
	return &bucketArray[V]{
		buckets: make([]atomic.Pointer[bucket[V]], n),
		tags:    make([]atomic.Uint32, (n+1)/2),
		mask:    uint64(n - 1),
	}
}

// grow doubles the bucket array. Readers keep using the old array until the
// new one is published. Buckets are immutable, so a bucket whose entries all
// land in one new bucket (always so for a single entry, the usual case) is
// shared by both arrays rather than copied.
func (s *tableShard[V]) grow(old *bucketArray[V]) *bucketArray[V] {
	n := len(old.buckets) * 2
	arr := newBucketArray[V](n)
	mask := uint64(n - 1)
	for i := range old.buckets {
		b := old.buckets[i].Load()
		if b == nil {
			continue
		}
		// Doubling sends the entries of old bucket i to new bucket i or
		// i+len(old): no other old bucket shares those.
		lo, hi := uint64(i), uint64(i+len(old.buckets))
		split := false
		for _, e := range b.more {
			if e.hash&mask != b.first.hash&mask {
				split = true
				break
			}
		}
		if !split {
			j := b.first.hash & mask
			arr.buckets[j].Store(b)
			arr.retag(j)
			continue
		}
		var loList, hiList []tableEntry[V]
		for _, e := range b.appendEntries(nil) {
			if e.hash&mask == lo {
				loList = append(loList, e)
			} else {
				hiList = append(hiList, e)
			}
		}
		arr.buckets[lo].Store(newBucket(loList))
		arr.retag(lo)
		arr.buckets[hi].Store(newBucket(hiList))
		arr.retag(hi)
	}
	s.array.Store(arr)
	return arr
}
