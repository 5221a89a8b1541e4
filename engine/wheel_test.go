package engine

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestWheelFiresAtOrAfterDueNeverBefore(t *testing.T) {
	start := time.Unix(1000, 0)
	w := newTimingWheel(100*time.Millisecond, 16, start)
	var fired []int
	mk := func(id int) *timer { return &timer{fire: func(time.Time) { fired = append(fired, id) }} }
	a, b, c := mk(1), mk(2), mk(3)
	w.schedule(a, start.Add(250*time.Millisecond))
	w.schedule(b, start.Add(5*time.Second)) // beyond one turn of 1.6 s
	w.schedule(c, start.Add(250*time.Millisecond))
	w.advance(start.Add(200 * time.Millisecond))
	if len(fired) != 0 {
		t.Fatalf("fired early: %v", fired)
	}
	w.advance(start.Add(300 * time.Millisecond))
	if len(fired) != 2 || fired[0] != 1 || fired[1] != 3 {
		t.Fatalf("fired = %v, want [1 3]", fired)
	}
	w.advance(start.Add(4900 * time.Millisecond))
	if len(fired) != 2 {
		t.Fatalf("far timer fired a turn early: %v", fired)
	}
	w.advance(start.Add(5 * time.Second))
	if len(fired) != 3 || fired[2] != 2 {
		t.Fatalf("fired = %v, want [1 3 2]", fired)
	}
	if w.len() != 0 {
		t.Fatalf("len = %d after all fired", w.len())
	}
}

func TestWheelCancelAndReschedule(t *testing.T) {
	start := time.Unix(0, 0)
	w := newTimingWheel(time.Second, 8, start)
	n := 0
	tm := &timer{fire: func(time.Time) { n++ }}
	w.schedule(tm, start.Add(3*time.Second))
	w.cancel(tm)
	w.advance(start.Add(10 * time.Second))
	if n != 0 {
		t.Fatal("cancelled timer fired")
	}
	w.schedule(tm, start.Add(12*time.Second))
	w.schedule(tm, start.Add(15*time.Second)) // re-arm moves it
	w.advance(start.Add(14 * time.Second))
	if n != 0 {
		t.Fatal("re-armed timer fired at its old deadline")
	}
	w.advance(start.Add(15 * time.Second))
	if n != 1 {
		t.Fatalf("fired %d times, want 1", n)
	}
}

func TestWheelCallbackMayRescheduleAndCancelOthers(t *testing.T) {
	start := time.Unix(0, 0)
	w := newTimingWheel(time.Second, 4, start)
	var other *timer
	count := 0
	var self *timer
	self = &timer{fire: func(now time.Time) {
		count++
		w.cancel(other)
		if count < 3 {
			w.schedule(self, now.Add(time.Second))
		}
	}}
	other = &timer{fire: func(time.Time) { t.Fatal("cancelled timer fired") }}
	w.schedule(self, start.Add(time.Second))
	w.schedule(other, start.Add(time.Second))
	for s := 1; s <= 10; s++ {
		w.advance(start.Add(time.Duration(s) * time.Second))
	}
	if count != 3 {
		t.Fatalf("self-rescheduling timer fired %d times, want 3", count)
	}
}

func TestWheelLongPauseFiresEverythingDue(t *testing.T) {
	start := time.Unix(0, 0)
	w := newTimingWheel(time.Second, 4, start)
	n := 0
	for i := 1; i <= 20; i++ {
		w.schedule(&timer{fire: func(time.Time) { n++ }}, start.Add(time.Duration(i)*time.Second))
	}
	w.advance(start.Add(100 * time.Second))
	if n != 20 {
		t.Fatalf("fired %d of 20 after a long pause", n)
	}
}

// A loop whose wheel a tick left empty is not ticked again until a
// connection arms a timer; then it is, and the timer fires in time.
func TestLoopIsTickedOnlyWhenATimerIsDue(t *testing.T) {
	tb := newTestBroker(t, 1, Options{ConnectTimeout: 2 * time.Second})
	lp, q := tb.loops[0], tb.execs[0]
	tb.tick(loopTick)
	now := tb.clock.Now()
	if d := lp.wheel.dueIn(now); d != math.MaxInt64 {
		t.Fatalf("a loop without timers has one due in %v", d)
	}
	lp.postTick(now.Add(time.Hour))
	if len(q.tasks) != 0 {
		t.Fatalf("%d tasks posted to a loop without timers", len(q.tasks))
	}
	c := tb.dial(0) // arms the CONNECT timeout, 2 s away
	d := lp.wheel.dueIn(now)
	if d <= 0 || d > 2*time.Second {
		t.Fatalf("CONNECT timeout of 2s due in %v", d)
	}
	lp.postTick(now.Add(d - time.Millisecond))
	if len(q.tasks) != 0 {
		t.Fatalf("%d tasks posted before the timer is due", len(q.tasks))
	}
	lp.postTick(now.Add(d))
	if len(q.tasks) != 1 {
		t.Fatalf("%d tasks posted once the timer is due, want 1", len(q.tasks))
	}
	tb.run()
	for i := 0; i < 12 && !c.tr.closed; i++ {
		tb.tick(loopTick)
	}
	if !c.tr.closed {
		t.Fatal("the CONNECT timeout did not fire within 3s of a 2s timeout")
	}
	tb.tick(loopTick)
	if d := lp.wheel.dueIn(tb.clock.Now()); d != math.MaxInt64 {
		t.Fatalf("timer due in %v once the only connection closed", d)
	}
	// A connection with a keep-alive of a minute: once the bound its
	// CONNECT timeout left has passed, nothing is due for 1.5 minutes,
	// so the loop is not ticked meanwhile.
	c = tb.dial(0)
	c.send(connectPacket("sensor", true, 60))
	tb.tick(2*time.Second + loopTick)
	now = tb.clock.Now()
	if d := lp.wheel.dueIn(now); d < 87*time.Second || d > 88*time.Second {
		t.Fatalf("keep-alive of 60s due in %v, want 87.75s", d)
	}
	if c.tr.closed {
		t.Fatal("a connected client was closed")
	}
	lp.postTick(now.Add(87 * time.Second))
	if len(q.tasks) != 0 {
		t.Fatalf("%d tasks posted to a loop with nothing due", len(q.tasks))
	}
}

// The wheel's dueIn never says later than the earliest timer's firing
// time, through random schedules, cancels and advances over many turns.
func TestWheelDueInIsALowerBound(t *testing.T) {
	const tick = 250 * time.Millisecond
	start := time.Unix(1_700_000_000, 0)
	w := newTimingWheel(tick, 16, start) // 4 s a turn: timers wrap often
	rng := rand.New(rand.NewPCG(7, 11))
	timers := make([]timer, 40)
	fired := 0
	for i := range timers {
		timers[i].fire = func(time.Time) { fired++ }
	}
	now := start
	for step := 0; step < 20000; step++ {
		tm := &timers[rng.IntN(len(timers))]
		switch rng.IntN(4) {
		case 0, 1:
			w.schedule(tm, now.Add(time.Duration(rng.IntN(20_000))*time.Millisecond))
		case 2:
			w.cancel(tm)
		case 3:
			now = now.Add(time.Duration(rng.IntN(3_000)) * time.Millisecond)
			w.advance(now)
		}
		earliest := time.Duration(math.MaxInt64)
		for i := range timers {
			if timers[i].scheduled() {
				earliest = min(earliest, time.Duration(timers[i].due)*tick-now.Sub(start))
			}
		}
		if d := w.dueIn(now); d > earliest {
			t.Fatalf("step %d: dueIn %v, but a timer fires in %v", step, d, earliest)
		}
	}
	if fired == 0 {
		t.Fatal("no timer fired")
	}
}
