package loadgen

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// RunOptions say how a run keeps time and reports; the zero value is
// usable.
type RunOptions struct {
	// Clock is the run's time; nil uses NewClock().
	Clock Clock
	// OnPhase is told when a phase starts: "connecting", "connected"
	// (every connection is up: a moment to read the broker's memory),
	// "sending", "draining", "storm", "disconnecting".
	OnPhase func(phase string)
	// Progress, if set, receives a one-line progress bar, redrawn in
	// place, on runs that last more than two seconds.
	Progress io.Writer
}

// Run runs one scenario against the broker d dials and returns what it
// measured. When ctx ends early (Ctrl-C) the run stops sending, waits
// briefly for messages in flight and still returns its figures with
// Interrupted set. An error means the run could not start.
func Run(ctx context.Context, p Params, d Dialer, opt RunOptions) (*Result, error) {
	if p.RunID == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		p.RunID = hex.EncodeToString(b[:])
	}
	if p.DialConcurrency <= 0 {
		p.DialConcurrency = 64
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if opt.Clock == nil {
		opt.Clock = NewClock()
	}
	r := &run{
		p: p, d: d, clock: opt.Clock, opt: opt,
		lat: NewLatencyRecorder(), transit: NewLatencyRecorder(), conn: NewLatencyRecorder(), lag: NewLatencyRecorder(),
		res: &Result{Params: p, Started: time.Now(), OfferedRate: p.OfferedRate(), LatencyFrom: "intended"},
	}
	span := time.Duration(p.Duration+p.Drain+p.Settle+p.Hold) + 10*time.Second
	if p.Count > 0 && p.Rate > 0 {
		span += time.Duration(float64(p.Count) / p.Rate * float64(time.Second))
	}
	r.ser = newSeries(span)
	begin := r.clock.Now()
	stopProgress := r.startProgress()
	switch p.Scenario {
	case "conns":
		r.runConns(ctx)
	case "storm":
		r.runStorm(ctx)
	case "retained":
		r.runRetained(ctx)
	default:
		r.runMessages(ctx)
	}
	stopProgress()
	r.res.Elapsed = Duration(r.clock.Now() - begin)
	r.res.Interrupted = ctx.Err() != nil
	r.res.Latency = Summarize(r.lat.Merged())
	r.res.Transit = Summarize(r.transit.Merged())
	r.res.SendLag = Summarize(r.lag.Merged())
	r.res.Errors = r.errs.snapshot()
	r.res.Series, r.res.SeriesBucket = r.ser.points(), Duration(r.ser.bucket)
	return r.res, nil
}

// run is the state of one Run.
type run struct {
	p     Params
	d     Dialer
	clock Clock
	opt   RunOptions
	res   *Result

	errs    errorCounts
	lat     *LatencyRecorder
	transit *LatencyRecorder // from each message's ready time (Result.Transit)
	conn    *LatencyRecorder // connect latencies
	lag     *LatencyRecorder // generator lateness per message (Result.SendLag)
	ser     *series

	nextSource atomic.Uint64
	phase      atomic.Value // string
	sent       atomic.Uint64
	received   atomic.Uint64 // fresh deliveries
	lastSend   atomic.Int64  // time.Duration of the latest send
	lastRecv   atomic.Int64
}

func (r *run) enter(phase string) {
	r.phase.Store(phase)
	if r.opt.OnPhase != nil {
		r.opt.OnPhase(phase)
	}
}

func (r *run) asyncError(phase string, err error) { r.errs.add(ErrorKind(phase, err)) }

// spec returns the connection settings of client i in a role ("p"
// publisher, "s" subscriber, "c" idle connection).
func (r *run) spec(role string, i int, onMessage func(string, []byte)) ConnSpec {
	s := ConnSpec{
		ClientID:      fmt.Sprintf("mb-%s-%s%d", r.p.RunID, role, i),
		Version:       r.p.Version,
		Clean:         r.p.Clean,
		KeepAlive:     r.p.KeepAlive,
		SessionExpiry: r.p.SessionExpiry,
		Username:      r.p.Username,
		Password:      r.p.Password,
		OnMessage:     onMessage,
		OnError:       r.asyncError,
	}
	if n := len(r.p.SourceAddrs); n > 0 {
		s.BindAddress = r.p.SourceAddrs[r.nextSource.Add(1)%uint64(n)]
	}
	return s
}

// dialBatch is the outcome of one dialAll call.
type dialBatch struct {
	attempts, connected, failed int
	span                        time.Duration // first attempt to last CONNACK
}

// connectStats sums batches of connections whose latencies went to rec.
func connectStats(rec *LatencyRecorder, batches ...dialBatch) ConnectStats {
	var st ConnectStats
	var span time.Duration
	for _, b := range batches {
		st.Attempts += b.attempts
		st.Connected += b.connected
		st.Failed += b.failed
		span += b.span
	}
	st.Span = Duration(span)
	if span > 0 {
		st.Rate = float64(st.Connected) / span.Seconds()
	}
	st.Latency = Summarize(rec.Merged())
	return st
}

// dialAll opens a connection per spec at the ramp rate, at most
// concurrency at a time, recording each connect's latency in rec. Failed
// connections are nil in the result. Latency is measured from each
// connect's own start, or from since when since >= 0 (a storm's
// reconnects are charged from the moment of the storm). The connects run
// on concurrency workers, not a goroutine each: a new goroutine's stack
// and its growth cost the generator more than a connect costs a broker.
func (r *run) dialAll(ctx context.Context, specs []ConnSpec, ramp float64, concurrency int, since time.Duration, rec *LatencyRecorder) ([]Conn, dialBatch) {
	conns := make([]Conn, len(specs))
	var connected, failed, attempts atomic.Int64
	var last atomic.Int64
	start := r.clock.Now()
	if since >= 0 {
		start = since // a storm's span runs from the drop
	}
	workers(len(specs), concurrency, func(i int) bool {
		if ramp > 0 {
			if r.clock.SleepUntil(ctx, start+time.Duration(float64(i)/ramp*float64(time.Second))) != nil {
				return false
			}
		}
		if ctx.Err() != nil {
			return false
		}
		attempts.Add(1)
		t0 := r.clock.Now()
		if since >= 0 {
			t0 = since
		}
		c, err := r.d.Dial(ctx, specs[i])
		t1 := r.clock.Now()
		if err != nil {
			failed.Add(1)
			r.errs.add(ErrorKind("connect", err))
			return true
		}
		conns[i] = c
		connected.Add(1)
		rec.Record(i, t1-t0)
		noteLatest(&last, t1)
		return true
	})
	b := dialBatch{attempts: int(attempts.Load()), connected: int(connected.Load()), failed: int(failed.Load())}
	if b.connected > 0 {
		b.span = time.Duration(last.Load()) - start
	}
	return conns, b
}

// workers runs fn(i) for i in [0, n) in order of i on at most k
// goroutines (at least one); a worker stops at the first fn that returns
// false, and the others after the index they hold.
func workers(n, k int, fn func(i int) bool) {
	var next atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range min(max(k, 1), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if !fn(i) {
					stop.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// each runs fn for every non-nil connection, at most 64 at a time.
func each(conns []Conn, fn func(i int, c Conn)) {
	workers(len(conns), 64, func(i int) bool {
		if conns[i] != nil {
			fn(i, conns[i])
		}
		return true
	})
}

// disconnectAll sends DISCONNECT on every connection.
func (r *run) disconnectAll(groups ...[]Conn) {
	r.enter("disconnecting")
	for _, g := range groups {
		each(g, func(_ int, c Conn) { _ = c.Disconnect() })
	}
}

// drainContext bounds the wait for messages in flight: Drain normally,
// one second when the run was interrupted.
func (r *run) drainContext(ctx context.Context) (context.Context, context.CancelFunc) {
	d := time.Duration(r.p.Drain)
	if ctx.Err() != nil {
		d = min(d, time.Second)
	}
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}

// waitReceived returns once every expected delivery arrived or ctx ends.
func (r *run) waitReceived(ctx context.Context, expected uint64) {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for r.received.Load() < expected {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// noteLatest raises a to v when v is later.
func noteLatest(a *atomic.Int64, v time.Duration) {
	for {
		l := a.Load()
		if int64(v) <= l || a.CompareAndSwap(l, int64(v)) {
			return
		}
	}
}
