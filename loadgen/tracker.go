package loadgen

import (
	"math/bits"
	"sync"
)

// Tracker checks the messages one receiver (a subscriber, or a shared
// subscription group as a whole) gets from each publisher: it counts the
// distinct sequence numbers seen, duplicates (a sequence number seen
// again) and reordered messages (one that arrives after a later sequence
// number of the same publisher). Loss is what was sent but never seen, so
// it is known only once sending is over (see Tracker.Lost). Its methods are
// safe for concurrent use.
type Tracker struct {
	mu      sync.Mutex
	maxSeq  uint64 // sequence numbers at or past this are not ours
	streams []stream
	foreign uint64
}

// stream is what one receiver saw of one publisher.
type stream struct {
	seen      []uint64 // bitset indexed by sequence number
	unique    uint64
	dups      uint64
	reordered uint64
	highest   uint64 // highest sequence number seen, valid when unique > 0
}

// NewTracker returns a tracker for publishers numbered 0..publishers-1
// that each send fewer than maxSeq messages.
func NewTracker(publishers int, maxSeq uint64) *Tracker {
	return &Tracker{maxSeq: maxSeq, streams: make([]stream, publishers)}
}

// Verdict is what Tracker.Receive made of a message.
type Verdict int

// Verdicts of Tracker.Receive.
const (
	Fresh     Verdict = iota // first copy of this sequence number
	Duplicate                // a sequence number already seen
	Foreign                  // not a message of this run's publishers
)

// Receive records one message and says whether it was new.
func (t *Tracker) Receive(s Stamp) Verdict {
	t.mu.Lock()
	defer t.mu.Unlock()
	if int(s.Publisher) >= len(t.streams) || s.Seq >= t.maxSeq {
		t.foreign++
		return Foreign
	}
	st := &t.streams[s.Publisher]
	word, bit := s.Seq/64, s.Seq%64
	if word >= uint64(len(st.seen)) {
		grown := make([]uint64, max(word+1, uint64(len(st.seen))*2))
		copy(grown, st.seen)
		st.seen = grown
	}
	if st.seen[word]&(1<<bit) != 0 {
		st.dups++
		return Duplicate
	}
	st.seen[word] |= 1 << bit
	if st.unique > 0 && s.Seq < st.highest {
		st.reordered++
	}
	if st.unique == 0 || s.Seq > st.highest {
		st.highest = s.Seq
	}
	st.unique++
	return Fresh
}

// Foreign counts messages that carried no stamp of this run.
func (t *Tracker) Foreign() {
	t.mu.Lock()
	t.foreign++
	t.mu.Unlock()
}

// Totals returns the duplicates and reordered messages over every
// publisher.
func (t *Tracker) Totals() (duplicates, reordered uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range t.streams {
		duplicates += t.streams[i].dups
		reordered += t.streams[i].reordered
	}
	return duplicates, reordered
}

// StreamCounts is what one receiver saw of one publisher.
type StreamCounts struct {
	Unique, Duplicates, Reordered uint64
}

// Counts returns what the receiver saw of publisher p.
func (t *Tracker) Counts(p int) StreamCounts {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := &t.streams[p]
	return StreamCounts{Unique: st.unique, Duplicates: st.dups, Reordered: st.reordered}
}

// Missing returns how many of the first sent sequence numbers of publisher
// p were never received (0..sent-1 not in the set).
func (t *Tracker) Missing(p int, sent uint64) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := &t.streams[p]
	var have uint64
	full := sent / 64
	for w := uint64(0); w < full && w < uint64(len(st.seen)); w++ {
		have += uint64(bits.OnesCount64(st.seen[w]))
	}
	if rest := sent % 64; rest > 0 && full < uint64(len(st.seen)) {
		have += uint64(bits.OnesCount64(st.seen[full] & (1<<rest - 1)))
	}
	return sent - have
}

// ForeignCount returns the number of messages that were not ours.
func (t *Tracker) ForeignCount() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.foreign
}
