package matcher

import (
	"testing"
	"unsafe"
)

// TestNodeFitsCacheLine: a match reads each node it passes; keeping the node
// at 64 bytes keeps that to one cache line.
func TestNodeFitsCacheLine(t *testing.T) {
	if size := unsafe.Sizeof(node[int]{}); size > nodeSize {
		t.Fatalf("node is %d bytes, want at most %d", size, nodeSize)
	}
	if size := unsafe.Sizeof(node[*int]{}); size > nodeSize {
		t.Fatalf("node with pointer subscribers is %d bytes, want at most %d", size, nodeSize)
	}
}

// TestReadFieldsApartFromWrittenOnes: fields every match reads must not
// share a cache line with fields that writers or other readers write, or
// each write makes the other cores' next match miss.
func TestReadFieldsApartFromWrittenOnes(t *testing.T) {
	const line = 64
	var x Index[int]
	var tb table[*node[int]]
	cases := []struct {
		name          string
		read, written uintptr // last byte read, first byte written
	}{
		{"Index.gen/exact", unsafe.Offsetof(x.gen) + 7, unsafe.Offsetof(x.exact)},
		{"Index.wildSeed/wildLocks", unsafe.Offsetof(x.wildSeed) + unsafe.Sizeof(x.wildSeed) - 1, unsafe.Offsetof(x.wildLocks)},
		{"Index.count/scratch", unsafe.Offsetof(x.count) + 7, unsafe.Offsetof(x.scratch)},
		{"table.seed/shards", unsafe.Offsetof(tb.seed) + unsafe.Sizeof(tb.seed) - 1, unsafe.Offsetof(tb.shards)},
	}
	for _, c := range cases {
		if c.written-c.read <= line-1 {
			t.Errorf("%s: %d bytes apart, want at least %d", c.name, c.written-c.read, line)
		}
	}
	if size := unsafe.Sizeof(shareSeq{}); size < line {
		t.Errorf("shareSeq is %d bytes, want a cache line of its own (%d)", size, line)
	}
}
