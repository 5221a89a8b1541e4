package engine

import "time"

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
}

func newTimingWheel(tick time.Duration, nslots int, start time.Time) *timingWheel {
	w := &timingWheel{tick: tick, start: start, slots: make([]timer, nslots)}
	for i := range w.slots {
		s := &w.slots[i]
		s.next, s.prev = s, s
	}
	return w
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
}
