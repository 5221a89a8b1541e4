package loadgen

import (
	"context"
	"sync/atomic"
	"time"
)

// runConns opens Conns idle connections at the ramp rate, holds them open
// for Hold and closes them: connect latency and rate, and (through the
// "connected" phase) a moment to read the broker's memory.
func (r *run) runConns(ctx context.Context) {
	p := &r.p
	r.enter("connecting")
	conns, b := r.dialAll(ctx, r.idleSpecs(), p.RampRate, p.DialConcurrency, -1, r.conn)
	r.res.Connect = connectStats(r.conn, b)
	r.enter("connected")
	_ = r.clock.SleepUntil(ctx, r.clock.Now()+time.Duration(p.Hold))
	r.disconnectAll(conns)
}

func (r *run) idleSpecs() []ConnSpec {
	specs := make([]ConnSpec, r.p.Conns)
	for i := range specs {
		specs[i] = r.spec("c", i, nil)
	}
	return specs
}

// runStorm opens Conns connections, each subscribed to its own topic,
// then drops every one at once without DISCONNECT and reconnects them all
// together. Reconnect latency is measured from the moment of the drop, so
// it shows how long the last client waited for the broker.
func (r *run) runStorm(ctx context.Context) {
	p := &r.p
	r.enter("connecting")
	specs := r.idleSpecs()
	conns, b := r.dialAll(ctx, specs, p.RampRate, p.DialConcurrency, -1, r.conn)
	r.res.Connect = connectStats(r.conn, b)
	r.subscribeOwn(ctx, conns)
	r.enter("connected")
	if ctx.Err() != nil {
		r.disconnectAll(conns)
		return
	}

	r.enter("storm")
	stormAt := r.clock.Now()
	for _, c := range conns {
		if c != nil {
			_ = c.Drop()
		}
	}
	rec := NewLatencyRecorder()
	again, rb := r.dialAll(ctx, specs, 0, min(len(specs), 4096), stormAt, rec)
	st := connectStats(rec, rb)
	r.res.Reconnect = &st
	if p.Clean { // a clean session lost its subscription with the drop
		r.subscribeOwn(ctx, again)
	}
	r.disconnectAll(again)
}

// subscribeOwn subscribes idle connection i to topic i.
func (r *run) subscribeOwn(ctx context.Context, conns []Conn) {
	each(conns, func(i int, c Conn) {
		if err := c.Subscribe(ctx, r.p.topicFor(i), r.p.QoS); err != nil {
			r.errs.add(ErrorKind("subscribe", err))
		}
	})
}

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
	r.finishSending(n, interval, t0)
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
