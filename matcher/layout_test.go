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

// TestExactSetFitsCacheLine: an exact hit reads the table and one exact
// set; the set must stay one cache line.
func TestExactSetFitsCacheLine(t *testing.T) {
	if size := unsafe.Sizeof(exactSet[int]{}); size > 64 {
		t.Fatalf("exactSet is %d bytes, want at most 64", size)
	}
	if size := unsafe.Sizeof(exactSet[*int]{}); size > 64 {
		t.Fatalf("exactSet with pointer subscribers is %d bytes, want at most 64", size)
	}
}

// TestExactCellKeepsSetAligned: the cell's size is a multiple of a cache
// line, so the allocator places it, and the exact set at its start, on a
// line boundary (on 64-bit platforms, whose sizes the layout is made for).
func TestExactCellKeepsSetAligned(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		return // 32-bit: fields are half as wide and the cell smaller than a line multiple
	}
	if size := unsafe.Sizeof(exactCell[int]{}); size%64 != 0 {
		t.Fatalf("exactCell is %d bytes, not a multiple of 64", size)
	}
	x := New[int]()
	for i := range 64 {
		mustSub(t, x, i, "f/"+string(rune('a'+i%26))+"/"+string(rune('a'+i/26)), Options{})
	}
	for i := range x.exact.shards {
		s := x.exact.shards[i].slots.Load()
		if s == nil {
			continue
		}
		for j := range s.sets {
			if e := s.sets[j].Load(); e != nil && uintptr(unsafe.Pointer(e))%64 != 0 {
				t.Fatalf("exact set at %#x is not on a cache line boundary", uintptr(unsafe.Pointer(e)))
			}
		}
	}
}
