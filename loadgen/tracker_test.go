package loadgen

import (
	"bytes"
	"testing"
)

func TestStampRoundTrip(t *testing.T) {
	p := make([]byte, 64)
	in := Stamp{Publisher: 7, Seq: 1<<40 + 3, Intended: -5}
	in.Put(p)
	out, err := DecodeStamp(p)
	if err != nil || out != in {
		t.Fatalf("got %+v, %v", out, err)
	}
	if _, err := DecodeStamp(p[:StampSize-1]); err != ErrNotStamped {
		t.Fatalf("short payload: %v", err)
	}
	if _, err := DecodeStamp(bytes.Repeat([]byte("x"), 40)); err != ErrNotStamped {
		t.Fatalf("foreign payload: %v", err)
	}
}

func TestPayloadTemplates(t *testing.T) {
	z, _ := payloadTemplate(100, ContentZero, 1)
	r, _ := payloadTemplate(100, ContentRandom, 1)
	x, _ := payloadTemplate(100, ContentText, 1)
	small, _ := payloadTemplate(3, ContentZero, 1)
	if len(z) != 100 || len(r) != 100 || len(x) != 100 || len(small) != StampSize {
		t.Fatal("wrong sizes")
	}
	if !bytes.Equal(z[StampSize:], make([]byte, 100-StampSize)) || bytes.Equal(r[StampSize:], z[StampSize:]) {
		t.Fatal("zero/random content")
	}
	for _, b := range x[StampSize:] {
		if b < ' ' || b > '~' {
			t.Fatalf("text content has byte %d", b)
		}
	}
	if _, err := payloadTemplate(10, "nope", 1); err == nil {
		t.Fatal("unknown content accepted")
	}
}

func TestTrackerFindsLossDuplicatesAndReordering(t *testing.T) {
	tr := NewTracker(2, 100)
	recv := func(pub uint32, seqs ...uint64) {
		for _, s := range seqs {
			tr.Receive(Stamp{Publisher: pub, Seq: s})
		}
	}
	// publisher 0: 0..9 with 3 lost, 5 twice, 8 before 7
	recv(0, 0, 1, 2, 4, 5, 5, 6, 8, 7, 9)
	// publisher 1: 0..199 sent, all arrive in order (crosses bitset words)
	for s := uint64(0); s < 100; s++ {
		if v := tr.Receive(Stamp{Publisher: 1, Seq: s}); v != Fresh {
			t.Fatalf("seq %d: verdict %v", s, v)
		}
	}
	c0 := tr.Counts(0)
	if c0.Unique != 9 || c0.Duplicates != 1 || c0.Reordered != 1 {
		t.Errorf("publisher 0: %+v, want 9 unique, 1 duplicate, 1 reordered", c0)
	}
	if m := tr.Missing(0, 10); m != 1 {
		t.Errorf("publisher 0 missing %d, want 1", m)
	}
	if m := tr.Missing(1, 100); m != 0 {
		t.Errorf("publisher 1 missing %d", m)
	}
	if m := tr.Missing(1, 70); m != 0 {
		t.Errorf("publisher 1 missing %d of the first 70", m)
	}
	if v := tr.Receive(Stamp{Publisher: 2}); v != Foreign {
		t.Errorf("unknown publisher: %v", v)
	}
	if v := tr.Receive(Stamp{Publisher: 0, Seq: 100}); v != Foreign {
		t.Errorf("sequence past the run: %v", v)
	}
	if tr.ForeignCount() != 2 {
		t.Errorf("foreign %d", tr.ForeignCount())
	}
	d, o := tr.Totals()
	if d != 1 || o != 1 {
		t.Errorf("totals %d dup %d reordered", d, o)
	}
	if empty := NewTracker(1, 10); empty.Missing(0, 10) != 10 {
		t.Error("nothing received must mean all missing")
	}
}
