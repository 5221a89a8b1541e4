package engine

import (
	"math"
	"sync/atomic"
	"time"
)

// timer is one entry of a timingWheel. It is embedded in the object it times
// (a connection, a session), so scheduling allocates nothing.
type timer struct {
	next, prev *timer
	slot       int   // index in wheel.slots, -1 when not scheduled
	due        int64 // tick at or after which it fires
	fire       func(now time.Time)
}

// scheduled reports whether t is waiting in a wheel.
func (t *timer) scheduled() bool { return t.prev != nil }

// timingWheel is a hashed timing wheel owned by one event loop: keep-alive
// deadlines, connect timeouts and session expiry each cost one slot, and the
// loop is woken once per tick for all of them, not once per connection.
// It is not safe for concurrent use; only its loop touches it.
type timingWheel struct {
	tick  time.Duration
	start time.Time
	now   int64   // last tick advanced to
	slots []timer // sentinel heads of circular lists
	count int
	// low is a lower bound on the earliest due tick of the scheduled
	// timers (math.MaxInt64 with none): nothing fires before it, so the
	// loop need not be woken before it either.
	low int64
	// lowAt publishes low as the time since start it stands for, for the
	// ticker goroutine (dueIn); math.MaxInt64 with no timer.
	lowAt atomic.Int64
}

func newTimingWheel(tick time.Duration, nslots int, start time.Time) *timingWheel {
	w := &timingWheel{tick: tick, start: start, slots: make([]timer, nslots), low: math.MaxInt64}
	w.lowAt.Store(math.MaxInt64)
	for i := range w.slots {
		s := &w.slots[i]
		s.next, s.prev = s, s
	}
	return w
}

// dueIn returns how long after now the earliest timer may be due (zero or
// less: it may be due already; math.MaxInt64 with no timer). It is a lower
// bound: a cancelled or rearmed timer can leave it early, never late. Safe
// to call from any goroutine.
func (w *timingWheel) dueIn(now time.Time) time.Duration {
	at := w.lowAt.Load()
	if at == math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(at) - now.Sub(w.start)
}

// lower makes tick the new lower bound.
func (w *timingWheel) lower(tick int64) {
	w.low = tick
	at := int64(math.MaxInt64)
	if tick != math.MaxInt64 {
		at = tick * int64(w.tick)
	}
	w.lowAt.Store(at)
}

// relow finds a new lower bound once the old one has passed: the first
// tick ahead whose slot holds a timer (every timer in it is due then or a
// whole turn later, every other timer later still).
func (w *timingWheel) relow() {
	if w.count == 0 {
		w.lower(math.MaxInt64)
		return
	}
	n := int64(len(w.slots))
	for tk := w.now + 1; tk <= w.now+n; tk++ {
		if head := &w.slots[tk%n]; head.next != head {
			w.lower(tk)
			return
		}
	}
	w.lower(w.now + 1) // unreachable while count > 0; stay safe
}

func (w *timingWheel) tickOf(at time.Time) int64 {
	d := at.Sub(w.start)
	if d <= 0 {
		return 0
	}
	return int64((d + w.tick - 1) / w.tick) // round up: never fire early
}

// schedule (re)arms t to fire at or after at.
func (w *timingWheel) schedule(t *timer, at time.Time) {
	if t.scheduled() {
		w.cancel(t)
	}
	due := w.tickOf(at)
	if due <= w.now {
		due = w.now + 1
	}
	t.due = due
	if due < w.low {
		w.lower(due)
	}
	t.slot = int(due % int64(len(w.slots)))
	head := &w.slots[t.slot]
	t.prev, t.next = head.prev, head
	head.prev.next = t
	head.prev = t
	w.count++
}

// cancel removes t if it is scheduled.
func (w *timingWheel) cancel(t *timer) {
	if !t.scheduled() {
		return
	}
	t.prev.next = t.next
	t.next.prev = t.prev
	t.next, t.prev = nil, nil
	w.count--
}

// len reports the number of scheduled timers.
func (w *timingWheel) len() int { return w.count }

// advance fires, in due order per tick, every timer due at or before now.
// A fired timer may reschedule itself from its callback.
func (w *timingWheel) advance(now time.Time) {
	target := int64(now.Sub(w.start) / w.tick)
	if target <= w.now {
		return
	}
	// After a long pause, visiting more ticks than slots repeats slots:
	// clamp to one full turn plus the ticks actually due.
	from := w.now + 1
	if target-from >= int64(len(w.slots)) {
		from = target - int64(len(w.slots)) + 1
	}
	var pending timer
	for tk := from; tk <= target; tk++ {
		w.now = tk
		head := &w.slots[tk%int64(len(w.slots))]
		if head.next == head {
			continue
		}
		// Move the slot's list to a local head, then take timers off it one
		// by one: a callback may cancel or reschedule any timer meanwhile.
		pending.next, pending.prev = head.next, head.prev
		pending.next.prev, pending.prev.next = &pending, &pending
		head.next, head.prev = head, head
		for pending.next != &pending {
			t := pending.next
			w.cancel(t)
			if t.due <= target {
				t.fire(now)
				continue
			}
			w.count++ // not due yet (a later turn): back into its slot
			t.prev, t.next = head.prev, head
			head.prev.next = t
			head.prev = t
		}
	}
	w.now = target
	if w.low <= w.now {
		w.relow()
	}
}
