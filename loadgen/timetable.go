package loadgen

import (
	"context"
	"time"
)

// Timetable is when one publisher's messages are due: message seq is due
// at Start + seq*Interval, for seq < Count. It is fixed before the run
// starts and never moves, whatever the broker does.
type Timetable struct {
	Start    time.Duration // intended time of message 0 (since the epoch)
	Interval time.Duration // between two messages; 0 sends all at Start
	Count    uint64        // messages to send
	// Burst, when above 1, makes messages due in groups of Burst: all of
	// a group are due when its first is, and groups are Burst*Interval
	// apart, so the average rate is unchanged (a gateway forwarding a
	// batch of readings at once).
	Burst uint64
}

// At returns the intended send time of message seq.
func (t Timetable) At(seq uint64) time.Duration {
	if t.Burst > 1 {
		seq -= seq % t.Burst
	}
	return t.Start + time.Duration(seq)*t.Interval
}

// End returns the intended send time of the last message.
func (t Timetable) End() time.Duration {
	if t.Count == 0 {
		return t.Start
	}
	return t.At(t.Count - 1)
}

// intervalForRate returns the gap between messages at rate messages per
// second (0 when the rate is not positive: send as fast as possible).
func intervalForRate(rate float64) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / rate)
}

// SendFunc sends message seq, due at due. ready is when the generator was
// free to send it: due itself, or later when the generator's own timer
// woke it late (the share of the lateness no broker caused). A send that
// blocked past the next message's due time does not move ready: that wait
// is the broker's. An error stops the timetable.
type SendFunc func(seq uint64, due, ready time.Duration) error

// Batcher is a connection that can hold back writes: what is sent between
// Cork and Uncork leaves in as few writes as possible.
type Batcher interface {
	Cork()
	Uncork() error
}

// RunTimetable sends every message of tt at its intended time on clock and
// returns how many were sent. It is open-loop: when a send blocks past the
// next message's time (a stalled broker, a full inflight window), the late
// messages go out at once when the send returns, each still stamped with
// the time it was due, so the receiver charges the stall to every message
// it delayed. It stops at the first send error or when ctx ends.
func RunTimetable(ctx context.Context, clock Clock, tt Timetable, send SendFunc) (uint64, error) {
	return RunTimetableBatched(ctx, clock, tt, send, nil)
}

// RunTimetableBatched is RunTimetable that, given a Batcher, hands every
// run of messages due at once (a burst, or messages late after a stall)
// to the connection in one write: it corks before the first and uncorks
// before it sleeps or returns.
func RunTimetableBatched(ctx context.Context, clock Clock, tt Timetable, send SendFunc, b Batcher) (uint64, error) {
	var seq uint64
	woke := clock.Now() // when the generator last came out of a sleep
	sleep := clock.SleepUntil
	if ts, ok := clock.(timerSleeper); ok {
		var timer *time.Timer
		defer func() {
			if timer != nil {
				timer.Stop()
			}
		}()
		sleep = func(ctx context.Context, t time.Duration) error { return ts.sleepUntilOn(ctx, t, &timer) }
	}
	corked := false
	uncork := func() error {
		if !corked {
			return nil
		}
		corked = false
		return b.Uncork()
	}
	for seq < tt.Count {
		due := tt.At(seq)
		if clock.Now() < due {
			if err := uncork(); err != nil {
				return seq, err
			}
			if err := sleep(ctx, due); err != nil {
				return seq, err
			}
			woke = clock.Now()
		} else if err := ctx.Err(); err != nil {
			_ = uncork()
			return seq, err
		}
		if b != nil && !corked {
			b.Cork()
			corked = true
		}
		if err := send(seq, due, max(due, woke)); err != nil {
			_ = uncork()
			return seq, err
		}
		seq++
	}
	return seq, uncork()
}
