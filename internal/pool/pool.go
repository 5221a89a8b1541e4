// Package pool holds reference-counted byte buffers drawn from a pool.
//
// A message that must outlive the read callback that decoded it (a delivery
// to another event loop, an offline queue, the retained store, an inflight
// window) is copied once into a Buffer; every holder Retains it and Releases
// it when done, and the last Release returns the memory to the pool.
package pool

import (
	"sync"
	"sync/atomic"

	"github.com/valyala/bytebufferpool"
)

// noCopy makes `go vet` report a Buffer copied by value.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// Buffer is a pooled byte slice shared by several holders. B is valid from
// Acquire until the Release that drops the last reference; after that the
// memory belongs to the pool and must not be touched.
type Buffer struct {
	_    noCopy
	refs atomic.Int32
	bb   *bytebufferpool.ByteBuffer
	// B is the content. Holders may read it concurrently; only the holder
	// that acquired it writes it, before sharing it.
	B []byte
}

var (
	bytesPool  bytebufferpool.Pool
	headerPool = sync.Pool{New: func() any { return new(Buffer) }}
)

// Acquire returns a Buffer with one reference whose B has length n (its
// content is not zeroed).
func Acquire(n int) *Buffer {
	b := headerPool.Get().(*Buffer)
	b.bb = bytesPool.Get()
	if cap(b.bb.B) < n {
		b.bb.B = make([]byte, n)
	}
	b.bb.B = b.bb.B[:n]
	b.B = b.bb.B
	b.refs.Store(1)
	return b
}

// Copy returns a Buffer with one reference holding a copy of the
// concatenation of parts.
func Copy(parts ...[]byte) *Buffer {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b := Acquire(n)
	off := 0
	for _, p := range parts {
		off += copy(b.B[off:], p)
	}
	return b
}

// Retain adds a reference. It is safe from any goroutine on a Buffer the
// caller already holds a reference to.
func (b *Buffer) Retain() {
	if b.refs.Add(1) <= 1 {
		panic("pool: Retain of a released Buffer")
	}
}

// Refs reports the current number of references (for tests and assertions).
func (b *Buffer) Refs() int32 { return b.refs.Load() }

// Release drops a reference; the last one returns the memory to the pool.
func (b *Buffer) Release() {
	switch n := b.refs.Add(-1); {
	case n > 0:
		return
	case n < 0:
		panic("pool: Buffer released more often than retained")
	}
	bytesPool.Put(b.bb)
	b.bb = nil
	b.B = nil
	headerPool.Put(b)
}
