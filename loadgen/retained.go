package loadgen

import (
	"context"
	"sync/atomic"
	"time"
)

// runRetained publishes Count retained messages per publisher, each on its
// own topic, then connects one subscriber that subscribes to all of them
// with a '#' filter. Latency runs from the SUBSCRIBE to each retained
// message's arrival. The topics are cleared afterwards (an empty retained
// message each), so the broker is left as it was found.
func (r *run) runRetained(ctx context.Context) {
	p := &r.p
	n := p.perPublisher()
	r.res.Scheduled = n * uint64(p.Publishers)
	r.res.LatencyFrom = "subscribe"
	topic := func(i int, seq uint64) string { return p.topicFor(i*int(n) + int(seq)) }

	r.enter("connecting")
	pubs, pb := r.dialPublishers(ctx)
	interval := intervalForRate(p.Rate)
	t0 := r.clock.Now() + time.Duration(p.Settle)
	r.ser.origin.Store(int64(t0))
	sentPer := r.publishAll(ctx, pubs, n, interval, t0, topic)
	r.finishSending(ctx, n, interval, t0)
	dctx, cancel := r.drainContext(ctx)
	defer cancel()
	each(pubs, func(_ int, c Conn) { _ = c.Flush(dctx) })
	r.disconnectAll(pubs)

	filter := p.Filter
	if filter == "" {
		filter = p.hashFilter()
	}
	pl := receiverPlan{filters: make([]string, p.Subscribers), trackers: make([]*Tracker, p.Subscribers)}
	for j := range pl.filters {
		pl.filters[j] = filter
		pl.trackers[j] = NewTracker(p.Publishers, n)
		pl.unique = append(pl.unique, pl.trackers[j])
		pl.expects = append(pl.expects, nil)
	}
	var subscribedAt atomic.Int64 // read on the receivers' goroutines
	r.enter("connecting")
	subs, sb := r.connectReceivers(ctx, pl, func() time.Duration { return time.Duration(subscribedAt.Load()) })
	r.res.Connect = connectStats(r.conn, pb, sb)
	r.enter("connected")
	subscribedAt.Store(int64(r.clock.Now())) // set before any SUBSCRIBE goes out
	start := r.received.Load()
	r.subscribeAll(ctx, subs, pl)
	r.enter("draining")
	r.waitReceived(dctx, start+r.expectedDeliveries(pl, sentPer))
	r.tally(pl, sentPer, 0, time.Duration(subscribedAt.Load()))
	r.disconnectAll(subs)
	cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer ccancel()
	r.clearRetained(cctx, sentPer, topic)
}

// clearRetained publishes an empty retained message on every topic the
// run retained.
func (r *run) clearRetained(ctx context.Context, sentPer []atomic.Uint64, topic func(int, uint64) string) {
	spec := r.spec("x", 0, nil)
	c, err := r.d.Dial(ctx, spec)
	if err != nil {
		r.errs.add(ErrorKind("cleanup", err))
		return
	}
	for i := range sentPer {
		for seq := uint64(0); seq < sentPer[i].Load(); seq++ {
			if err := c.Publish(ctx, topic(i, seq), nil, 1, true); err != nil {
				r.errs.add(ErrorKind("cleanup", err))
				_ = c.Drop()
				return
			}
		}
	}
	_ = c.Flush(ctx)
	_ = c.Disconnect()
}
