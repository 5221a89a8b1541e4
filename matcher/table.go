package matcher

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// table is a concurrent hash map from (parent, name) to a value. Readers take
// no lock: they load a shard's bucket array and one bucket through atomic
// pointers. Buckets are small immutable slices that a writer replaces whole
// (copy-on-write of one bucket, not of the map), so an insert costs O(1)
// amortised whatever the size. Writers lock one shard.
//
// The exact-filter table uses parent 0 and the whole filter as name; the
// wildcard trie uses the parent node's id and one level as name.
type table[V any] struct {
	seed   maphash.Seed
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
	mask    uint64
}

// bucket is immutable once published.
type bucket[V any] struct {
	entries []tableEntry[V]
}

type tableEntry[V any] struct {
	hash   uint64
	parent uint64
	name   string
	value  V
}

func newTable[V any]() *table[V] {
	return &table[V]{seed: maphash.MakeSeed()}
}

// mixParent folds the parent id into a name hash.
func mixParent(h, parent uint64) uint64 {
	h ^= parent * 0x9e3779b97f4a7c15
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

func (t *table[V]) hashBytes(parent uint64, name []byte) uint64 {
	return mixParent(maphash.Bytes(t.seed, name), parent)
}

func (t *table[V]) hashString(parent uint64, name string) uint64 {
	return mixParent(maphash.String(t.seed, name), parent)
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
	b := arr.buckets[hash&arr.mask].Load()
	if b == nil {
		return v, false
	}
	for i := range b.entries {
		e := &b.entries[i]
		if e.hash == hash && e.parent == parent && e.name == string(name) {
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
	for i := range b.entries {
		e := &b.entries[i]
		if e.hash == hash && e.parent == parent && e.name == name {
			return e.value, true
		}
	}
	return v, false
}

// insert adds an entry that find did not see; the caller holds s.mu.
func (s *tableShard[V]) insert(hash, parent uint64, name string, v V) {
	arr := s.array.Load()
	if arr == nil {
		arr = newBucketArray[V](initialBuckets)
		s.array.Store(arr)
	} else if s.count >= len(arr.buckets) {
		arr = s.grow(arr)
	}
	slot := &arr.buckets[hash&arr.mask]
	var old []tableEntry[V]
	if b := slot.Load(); b != nil {
		old = b.entries
	}
	entries := make([]tableEntry[V], len(old)+1)
	copy(entries, old)
	entries[len(old)] = tableEntry[V]{hash: hash, parent: parent, name: name, value: v}
	slot.Store(&bucket[V]{entries: entries})
	s.count++
}

// remove deletes an entry; the caller holds s.mu.
func (s *tableShard[V]) remove(hash, parent uint64, name string) bool {
	arr := s.array.Load()
	if arr == nil {
		return false
	}
	slot := &arr.buckets[hash&arr.mask]
	b := slot.Load()
	if b == nil {
		return false
	}
	for i := range b.entries {
		e := &b.entries[i]
		if e.hash != hash || e.parent != parent || e.name != name {
			continue
		}
		if len(b.entries) == 1 {
			slot.Store(nil)
		} else {
			entries := make([]tableEntry[V], 0, len(b.entries)-1)
			entries = append(entries, b.entries[:i]...)
			entries = append(entries, b.entries[i+1:]...)
			slot.Store(&bucket[V]{entries: entries})
		}
		s.count--
		return true
	}
	return false
}

func newBucketArray[V any](n int) *bucketArray[V] {
	return &bucketArray[V]{buckets: make([]atomic.Pointer[bucket[V]], n), mask: uint64(n - 1)}
}

// grow doubles the bucket array. Readers keep using the old array until the
// new one is published; both hold the same immutable entries.
func (s *tableShard[V]) grow(old *bucketArray[V]) *bucketArray[V] {
	n := len(old.buckets) * 2
	lists := make([][]tableEntry[V], n)
	mask := uint64(n - 1)
	for i := range old.buckets {
		b := old.buckets[i].Load()
		if b == nil {
			continue
		}
		for _, e := range b.entries {
			lists[e.hash&mask] = append(lists[e.hash&mask], e)
		}
	}
	arr := newBucketArray[V](n)
	for i, l := range lists {
		if l != nil {
			arr.buckets[i].Store(&bucket[V]{entries: l})
		}
	}
	s.array.Store(arr)
	return arr
}
