package loadgen

import (
	"context"
	"time"
)

// Clock is a run's monotonic time, measured from the run's epoch. Stamps
// carry its readings, so publishers and subscribers of one run must share
// one Clock.
type Clock interface {
	// Now returns the time since the epoch.
	Now() time.Duration
	// SleepUntil returns once Now() >= t, or early with ctx's error.
	SleepUntil(ctx context.Context, t time.Duration) error
}

// NewClock returns a Clock on the process's monotonic clock whose epoch is
// now.
func NewClock() Clock { return &monoClock{epoch: time.Now()} }

type monoClock struct{ epoch time.Time }

func (c *monoClock) Now() time.Duration { return time.Since(c.epoch) }

func (c *monoClock) SleepUntil(ctx context.Context, t time.Duration) error {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	return c.sleepUntilOn(ctx, t, &timer)
}

// timerSleeper is a Clock that sleeps on a timer its caller keeps, so a
// publisher's thousands of sleeps reuse one timer instead of allocating
// one each (garbage the generator would collect during the run).
type timerSleeper interface {
	sleepUntilOn(ctx context.Context, t time.Duration, timer **time.Timer) error
}

// sleepUntilOn is SleepUntil on *timer, which it creates when nil and
// resets otherwise; the caller stops it when done.
func (c *monoClock) sleepUntilOn(ctx context.Context, t time.Duration, timer **time.Timer) error {
	d := t - c.Now()
	if d <= 0 {
		return ctx.Err()
	}
	if *timer == nil {
		*timer = time.NewTimer(d)
	} else {
		(*timer).Reset(d) // since Go 1.23 a Reset timer never delivers a stale tick
	}
	select {
	case <-(*timer).C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
