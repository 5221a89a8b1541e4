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
	d := t - c.Now()
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
