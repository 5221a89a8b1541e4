package loadgen

import (
	"fmt"
	"strings"
	"time"
)

// startProgress draws a one-line progress bar on opt.Progress every 250
// ms, starting two seconds into the run, and returns the function that
// stops it and clears the line.
func (r *run) startProgress() (stop func()) {
	if r.opt.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		start := time.Now()
		drawn := false
		for {
			select {
			case <-done:
				if drawn {
					fmt.Fprint(r.opt.Progress, "\r\033[K")
				}
				return
			case <-t.C:
			}
			if time.Since(start) < 2*time.Second {
				continue
			}
			drawn = true
			fmt.Fprint(r.opt.Progress, "\r\033[K"+r.progressLine(time.Since(start)))
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// progressLine renders the bar: share of the scheduled messages sent (or
// of the phase for idle-connection scenarios), elapsed time and counts.
func (r *run) progressLine(elapsed time.Duration) string {
	phase, _ := r.phase.Load().(string)
	scheduled := r.p.perPublisher() * uint64(r.p.Publishers)
	sent, recv := r.sent.Load(), r.received.Load()
	frac := 0.0
	if scheduled > 0 && r.p.messages() {
		frac = float64(sent) / float64(scheduled)
	}
	const width = 30
	filled := int(frac * width)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	return fmt.Sprintf("%-9s [%s] %3.0f%% %6.1fs  sent %d  received %d  errors %d",
		r.p.Scenario, bar, frac*100, elapsed.Seconds(), sent, recv, r.errs.total()) + "  " + phase
}
