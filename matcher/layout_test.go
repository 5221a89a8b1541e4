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
