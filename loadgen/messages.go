package loadgen

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// receiverPlan is who subscribes to what, and which publishers each
// tracker expects to hear from (nil: all).
type receiverPlan struct {
	filters  []string   // per subscriber
	trackers []*Tracker // per subscriber (shared members share one)
	unique   []*Tracker // each tracker once
	expects  [][]int    // per unique tracker
}

// planReceivers lays out the subscribers of the paced scenarios.
func (r *run) planReceivers(perPublisher uint64) receiverPlan {
	p := &r.p
	pl := receiverPlan{filters: make([]string, p.Subscribers), trackers: make([]*Tracker, p.Subscribers)}
	filter := p.Filter
	if filter == "" {
		filter = p.wildcardFilter()
	}
	switch p.Scenario {
	case "pairs": // subscriber j hears publisher j only
		for j := range pl.filters {
			pl.filters[j] = p.topicFor(j)
			pl.trackers[j] = NewTracker(p.Publishers, perPublisher)
			pl.unique = append(pl.unique, pl.trackers[j])
			pl.expects = append(pl.expects, []int{j})
		}
	case "sharedsub": // the group as a whole hears every message once
		t := NewTracker(p.Publishers, perPublisher)
		for j := range pl.filters {
			pl.filters[j] = "$share/" + p.Group + "/" + filter
			pl.trackers[j] = t
		}
		pl.unique, pl.expects = []*Tracker{t}, [][]int{nil}
	default: // fanin, fanout, latency: every subscriber hears everyone
		for j := range pl.filters {
			pl.filters[j] = filter
			pl.trackers[j] = NewTracker(p.Publishers, perPublisher)
			pl.unique = append(pl.unique, pl.trackers[j])
			pl.expects = append(pl.expects, nil)
		}
	}
	return pl
}

// receiver returns subscriber j's message handler: latency from the
// stamp's intended time and transit from its ready time, on fresh
// messages only.
func (r *run) receiver(j int, t *Tracker, from func() time.Duration) func(string, []byte) {
	return func(_ string, payload []byte) {
		now := r.clock.Now()
		st, err := DecodeStamp(payload)
		if err != nil {
			t.Foreign()
			return
		}
		if t.Receive(st) != Fresh {
			return
		}
		ref, ready := time.Duration(st.Intended), st.Ready()
		if from != nil {
			ref = from()
			ready = ref
		}
		r.lat.Record(j, now-ref)
		r.transit.Record(j, now-ready)
		r.ser.countReceived(now)
		r.received.Add(1)
		noteLatest(&r.lastRecv, now)
	}
}

// connectReceivers dials the subscribers and subscribes each.
func (r *run) connectReceivers(ctx context.Context, pl receiverPlan, from func() time.Duration) ([]Conn, dialBatch) {
	specs := make([]ConnSpec, len(pl.filters))
	for j := range specs {
		specs[j] = r.spec("s", j, r.receiver(j, pl.trackers[j], from))
	}
	subs, b := r.dialAll(ctx, specs, r.p.RampRate, r.p.DialConcurrency, -1, r.conn)
	if from == nil { // retained subscribes later, timed
		r.subscribeAll(ctx, subs, pl)
	}
	return subs, b
}

func (r *run) subscribeAll(ctx context.Context, subs []Conn, pl receiverPlan) {
	each(subs, func(j int, c Conn) {
		if err := c.Subscribe(ctx, pl.filters[j], r.p.QoS); err != nil {
			r.errs.add(ErrorKind("subscribe", err))
		}
	})
}

// runMessages runs the paced scenarios: fanin, fanout, pairs, latency,
// sharedsub.
func (r *run) runMessages(ctx context.Context) {
	p := &r.p
	n := p.perPublisher()
	r.res.Scheduled = n * uint64(p.Publishers)
	pl := r.planReceivers(n)

	r.enter("connecting")
	subs, sb := r.connectReceivers(ctx, pl, nil)
	pubs, pb := r.dialPublishers(ctx)
	r.res.Connect = connectStats(r.conn, sb, pb)
	r.enter("connected")

	interval := intervalForRate(p.Rate)
	t0 := r.clock.Now() + time.Duration(p.Settle)
	r.ser.origin.Store(int64(t0))
	sentPer := r.publishAll(ctx, pubs, n, interval, t0, func(i int, _ uint64) string { return p.topicFor(i) })
	r.finishSending(ctx, n, interval, t0)

	r.enter("draining")
	dctx, cancel := r.drainContext(ctx)
	each(pubs, func(_ int, c Conn) { _ = c.Flush(dctx) })
	r.waitReceived(dctx, r.expectedDeliveries(pl, sentPer))
	cancel()
	r.tally(pl, sentPer, time.Duration(r.res.SendPhase), t0)
	r.disconnectAll(pubs, subs)
}

// dialPublishers connects the publishers.
func (r *run) dialPublishers(ctx context.Context) ([]Conn, dialBatch) {
	specs := make([]ConnSpec, r.p.Publishers)
	for i := range specs {
		specs[i] = r.spec("p", i, nil)
	}
	return r.dialAll(ctx, specs, r.p.RampRate, r.p.DialConcurrency, -1, r.conn)
}

// publishAll runs every publisher's timetable from t0 and returns how many
// messages each sent. topic names message seq of publisher i.
func (r *run) publishAll(ctx context.Context, pubs []Conn, n uint64, interval, t0 time.Duration, topic func(i int, seq uint64) string) []atomic.Uint64 {
	p := &r.p
	r.enter("sending")
	sentPer := make([]atomic.Uint64, len(pubs))
	var wg sync.WaitGroup
	for i, c := range pubs {
		if c == nil {
			continue
		}
		buf, _ := payloadTemplate(p.PayloadSize, p.Content, uint64(i))
		tt := Timetable{Start: t0 + interval*time.Duration(i)/time.Duration(len(pubs)), Interval: interval, Count: n, Burst: p.Burst}
		batcher, _ := c.(Batcher)
		wg.Add(1)
		go func() {
			defer wg.Done()
			fixed := topic(i, 0)
			_, err := RunTimetableBatched(ctx, r.clock, tt, func(seq uint64, due, ready time.Duration) error {
				Stamp{Publisher: uint32(i), Seq: seq, Intended: int64(due), Wait: WaitFor(due, ready)}.Put(buf)
				r.lag.Record(i, r.clock.Now()-due)
				t := fixed
				if p.Scenario == "retained" {
					t = topic(i, seq)
				}
				if err := c.Publish(ctx, t, buf, p.QoS, p.Retain); err != nil {
					return err
				}
				now := r.clock.Now()
				r.ser.countSent(now)
				sentPer[i].Store(seq + 1)
				r.sent.Add(1)
				noteLatest(&r.lastSend, now)
				return nil
			}, batcher)
			if err != nil && !errors.Is(err, context.Canceled) {
				r.errs.add(ErrorKind("publish", err))
			}
		}()
	}
	wg.Wait()
	return sentPer
}

// finishSending sets the achieved rate once the timetables are done. The
// sending phase is the timetables' length, or longer when the last send
// came late; a run stopped early (ctx ended) counts only until its last
// send.
func (r *run) finishSending(ctx context.Context, n uint64, interval, t0 time.Duration) {
	phase := time.Duration(n) * interval
	last := time.Duration(r.lastSend.Load()) - t0
	if last > phase || (ctx.Err() != nil && last > 0) {
		phase = last
	}
	r.res.SendPhase = Duration(phase)
	r.res.Sent = r.sent.Load()
	if phase > 0 {
		r.res.AchievedRate = float64(r.res.Sent) / phase.Seconds()
	}
}

// expectedDeliveries counts the deliveries due for what was sent.
func (r *run) expectedDeliveries(pl receiverPlan, sentPer []atomic.Uint64) uint64 {
	var total uint64
	for k := range pl.unique {
		if pl.expects[k] == nil {
			for i := range sentPer {
				total += sentPer[i].Load()
			}
			continue
		}
		for _, i := range pl.expects[k] {
			total += sentPer[i].Load()
		}
	}
	return total
}

// tally fills the delivery figures from the trackers.
func (r *run) tally(pl receiverPlan, sentPer []atomic.Uint64, window, t0 time.Duration) {
	per := make([]PublisherCounts, len(sentPer))
	for i := range per {
		per[i] = PublisherCounts{Publisher: i, Sent: sentPer[i].Load()}
	}
	for k, t := range pl.unique {
		pubs := pl.expects[k]
		if pubs == nil {
			pubs = make([]int, len(sentPer))
			for i := range pubs {
				pubs[i] = i
			}
		}
		for _, i := range pubs {
			c := t.Counts(i)
			per[i].Expected += per[i].Sent
			per[i].Received += c.Unique
			per[i].Duplicates += c.Duplicates
			r.res.Lost += t.Missing(i, per[i].Sent)
		}
		d, o := t.Totals()
		r.res.Duplicates += d
		r.res.Reordered += o
		r.res.Foreign += t.ForeignCount()
	}
	for _, c := range per {
		r.res.Expected += c.Expected
		r.res.Received += c.Received
	}
	r.res.PerPublisher = per
	span := time.Duration(r.lastRecv.Load()) - t0
	if window > span {
		span = window
	}
	if span > 0 {
		r.res.DeliveredRate = float64(r.res.Received) / span.Seconds()
	}
}
