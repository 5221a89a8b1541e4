package loadgen

import (
	"context"
	"sync"
	"testing"
	"time"
)

// virtualClock is a clock that jumps: SleepUntil moves it forward at once,
// and a fake broker's stall advances it by hand. One goroutine uses it.
type virtualClock struct {
	mu  sync.Mutex
	now time.Duration
}

func (c *virtualClock) Now() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *virtualClock) SleepUntil(ctx context.Context, t time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t > c.now {
		c.now = t
	}
	return ctx.Err()
}

func (c *virtualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now += d
	c.mu.Unlock()
}

func TestTimetableSendsOnSchedule(t *testing.T) {
	clk := &virtualClock{}
	tt := Timetable{Start: 50 * time.Millisecond, Interval: 10 * time.Millisecond, Count: 100}
	var sentAt []time.Duration
	n, err := RunTimetable(context.Background(), clk, tt, func(seq uint64, due, _ time.Duration) error {
		if due != tt.At(seq) {
			t.Fatalf("message %d stamped %v, due %v", seq, due, tt.At(seq))
		}
		sentAt = append(sentAt, clk.Now())
		return nil
	})
	if err != nil || n != 100 {
		t.Fatalf("sent %d, err %v", n, err)
	}
	for i, at := range sentAt {
		if at != tt.At(uint64(i)) {
			t.Fatalf("message %d sent at %v, due %v", i, at, tt.At(uint64(i)))
		}
	}
	if tt.End() != 50*time.Millisecond+99*10*time.Millisecond {
		t.Fatalf("End = %v", tt.End())
	}
}

// A broker that stalls for one second must show about one second of
// latency for the message in flight and a falling ramp down to zero for
// every message that was due during the stall: the timetable does not
// move, and latency is charged from the intended time.
func TestStallIsChargedToEveryDelayedMessage(t *testing.T) {
	clk := &virtualClock{}
	const rate = 1000
	tt := Timetable{Interval: time.Second / rate, Count: 3 * rate}
	stallAt, stall := time.Second, time.Second
	stalled := false
	rec := NewLatencyRecorder()
	var lats []time.Duration
	_, err := RunTimetable(context.Background(), clk, tt, func(seq uint64, due, _ time.Duration) error {
		payload := make([]byte, StampSize)
		Stamp{Seq: seq, Intended: int64(due)}.Put(payload)
		if !stalled && clk.Now() >= stallAt { // the broker stops reading for a second
			stalled = true
			clk.Advance(stall)
		}
		st, err := DecodeStamp(payload) // the subscriber's side
		if err != nil {
			t.Fatal(err)
		}
		lat := clk.Now() - time.Duration(st.Intended)
		lats = append(lats, lat)
		rec.Record(0, lat)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(lats) != 3*rate {
		t.Fatalf("sent %d messages, want %d: the timetable must not skip", len(lats), 3*rate)
	}
	var over500ms, nonzero int
	for _, l := range lats {
		if l > 500*time.Millisecond {
			over500ms++
		}
		if l > 0 {
			nonzero++
		}
	}
	// Messages due in [1s, 2s) waited 2s-due: 1000 late ones, half of
	// them by more than 500 ms.
	if nonzero < rate-1 || nonzero > rate+1 {
		t.Errorf("%d messages delayed, want ~%d (every message due during the stall)", nonzero, rate)
	}
	if over500ms < rate/2-2 || over500ms > rate/2+2 {
		t.Errorf("%d messages delayed > 500ms, want ~%d", over500ms, rate/2)
	}
	s := Summarize(rec.Merged())
	if s.MaxUs < 990e3 || s.MaxUs > 1001e3 {
		t.Errorf("max latency %.0fus, want ~1s", s.MaxUs)
	}
	if s.P90Us < 100e3 {
		t.Errorf("p90 %.0fus: a third of the messages were delayed, p90 must show it", s.P90Us)
	}
	if s.P50Us != 0.001 { // 1 ns, the histogram's floor: no delay
		t.Errorf("p50 %.3fus, want the floor", s.P50Us)
	}
}

func TestTimetableStopsOnCancel(t *testing.T) {
	clk := &virtualClock{}
	ctx, cancel := context.WithCancel(context.Background())
	tt := Timetable{Interval: time.Millisecond, Count: 1000}
	n, err := RunTimetable(ctx, clk, tt, func(seq uint64, _, _ time.Duration) error {
		if seq == 9 {
			cancel()
		}
		return nil
	})
	if n != 10 || err == nil {
		t.Fatalf("sent %d, err %v; want 10 and the context's error", n, err)
	}
}

func TestIntervalForRate(t *testing.T) {
	if got := intervalForRate(1000); got != time.Millisecond {
		t.Errorf("1000/s -> %v", got)
	}
	if got := intervalForRate(0); got != 0 {
		t.Errorf("0/s -> %v", got)
	}
}

func TestTimetableBurstGroupsDueTimes(t *testing.T) {
	tt := Timetable{Start: time.Second, Interval: time.Millisecond, Count: 10, Burst: 4}
	want := []time.Duration{0, 0, 0, 0, 4, 4, 4, 4, 8, 8}
	for seq, w := range want {
		if got := tt.At(uint64(seq)); got != time.Second+w*time.Millisecond {
			t.Errorf("At(%d) = %v, want %v", seq, got, time.Second+w*time.Millisecond)
		}
	}
}

// corkLog records the sends between Cork and Uncork.
type corkLog struct {
	corked bool
	groups [][]uint64
}

func (c *corkLog) Cork() {
	if c.corked {
		panic("Cork twice")
	}
	c.corked = true
	c.groups = append(c.groups, nil)
}

func (c *corkLog) Uncork() error {
	if !c.corked {
		panic("Uncork without Cork")
	}
	c.corked = false
	return nil
}

func TestRunTimetableBatchedCorksEachBurst(t *testing.T) {
	clk := &virtualClock{}
	tt := Timetable{Start: 10 * time.Millisecond, Interval: time.Millisecond, Count: 12, Burst: 4}
	cl := &corkLog{}
	n, err := RunTimetableBatched(context.Background(), clk, tt, func(seq uint64, due, _ time.Duration) error {
		if !cl.corked {
			t.Fatalf("message %d sent uncorked", seq)
		}
		cl.groups[len(cl.groups)-1] = append(cl.groups[len(cl.groups)-1], seq)
		return nil
	}, cl)
	if err != nil || n != 12 {
		t.Fatalf("sent %d, %v", n, err)
	}
	if cl.corked {
		t.Error("left corked")
	}
	if len(cl.groups) != 3 {
		t.Fatalf("groups %v, want three bursts of four", cl.groups)
	}
	for i, g := range cl.groups {
		if len(g) != 4 || g[0] != uint64(4*i) {
			t.Errorf("burst %d = %v", i, g)
		}
	}
}

// oversleepClock is a virtualClock whose sleeps end late, as the
// generator's timers do on a loaded machine.
type oversleepClock struct {
	virtualClock
	late time.Duration
}

func (c *oversleepClock) SleepUntil(ctx context.Context, t time.Duration) error {
	if err := c.virtualClock.SleepUntil(ctx, t); err != nil {
		return err
	}
	c.Advance(c.late)
	return nil
}

// A generator whose own timer wakes late is not charged to the broker:
// a message's ready time is when the generator woke. A broker that holds
// the generator back is: the messages its stall delayed stay ready at
// their due time.
func TestReadyLeavesOutTheGeneratorsOwnLateness(t *testing.T) {
	const ms = time.Millisecond
	clk := &oversleepClock{late: 700 * time.Microsecond}
	tt := Timetable{Interval: ms, Count: 10}
	var ready []time.Duration
	_, err := RunTimetable(context.Background(), clk, tt, func(seq uint64, due, r time.Duration) error {
		if due != tt.At(seq) {
			t.Fatalf("message %d due %v, want %v", seq, due, tt.At(seq))
		}
		ready = append(ready, r)
		if seq == 5 {
			clk.Advance(3 * ms) // the broker stops reading
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	late := 700 * time.Microsecond
	want := []time.Duration{0, ms + late, 2*ms + late, 3*ms + late, 4*ms + late, 5*ms + late,
		6 * ms, 7 * ms, 8 * ms, // sent late because of the stall: charged from due
		9*ms + late}
	for i := range want {
		if ready[i] != want[i] {
			t.Errorf("message %d ready at %v, want %v", i, ready[i], want[i])
		}
	}
	for i, r := range ready {
		s := Stamp{Seq: uint64(i), Intended: int64(tt.At(uint64(i))), Wait: WaitFor(tt.At(uint64(i)), r)}
		p := make([]byte, StampSize)
		s.Put(p)
		got, err := DecodeStamp(p)
		if err != nil || got != s || got.Ready() != r {
			t.Fatalf("stamp %+v came back as %+v (ready %v), %v", s, got, got.Ready(), err)
		}
	}
	if w := WaitFor(0, 10*time.Second); time.Duration(w) != MaxWait {
		t.Errorf("a 10s wait is stored as %v, want MaxWait", time.Duration(w))
	}
	if w := WaitFor(5*ms, 4*ms); w != 0 {
		t.Errorf("ready before due gives wait %d, want 0", w)
	}
}
