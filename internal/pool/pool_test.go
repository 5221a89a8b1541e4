package pool

import (
	"bytes"
	"sync"
	"testing"
)

func TestCopyHoldsConcatenation(t *testing.T) {
	b := Copy([]byte("ab"), nil, []byte("cde"))
	if !bytes.Equal(b.B, []byte("abcde")) {
		t.Fatalf("B = %q", b.B)
	}
	if b.Refs() != 1 {
		t.Fatalf("refs = %d, want 1", b.Refs())
	}
	b.Release()
}

func TestReleaseAfterAllHolders(t *testing.T) {
	b := Acquire(3)
	copy(b.B, "xyz")
	const holders = 8
	for range holders {
		b.Retain()
	}
	var wg sync.WaitGroup
	for range holders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if string(b.B) != "xyz" {
				t.Errorf("content changed while held: %q", b.B)
			}
			b.Release()
		}()
	}
	wg.Wait()
	if b.Refs() != 1 {
		t.Fatalf("refs = %d, want 1", b.Refs())
	}
	b.Release()
}

func TestOverReleasePanics(t *testing.T) {
	b := Acquire(1)
	b.Retain()
	b.Release()
	b.Release()
	defer func() {
		if recover() == nil {
			t.Fatal("retain of a released buffer did not panic")
		}
	}()
	// The buffer is back in the pool; a stale holder retaining it is a bug
	// that must not pass silently.
	var stale Buffer
	stale.Retain()
}
