package loadgen

import (
	"context"
	"time"
)

// runConns opens Conns idle connections at the ramp rate, subscribes each
// to its own topic (a sensor listening for its commands), holds them open
// for Hold and closes them: connect latency and rate, and (through the
// "connected" phase) a moment to read the broker's memory.
func (r *run) runConns(ctx context.Context) {
	p := &r.p
	r.enter("connecting")
	conns, b := r.dialAll(ctx, r.idleSpecs(), p.RampRate, p.DialConcurrency, -1, r.conn)
	r.res.Connect = connectStats(r.conn, b)
	r.subscribeOwn(ctx, conns)
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
