package engine

import (
	"sync/atomic"

	"github.com/midge-mqtt/midge/matcher"
)

// readerCacheSize is how many recent topics each loop's matcher cache keeps.
const readerCacheSize = 1024

// executor runs a function on an event loop, later; false when the loop is
// gone.
type executor interface {
	execute(fn func()) bool
}

// loop is the broker state owned by one event loop: its timing wheel, its
// connections with output waiting for the end of the turn, and the
// deliveries bound for other loops gathered during the current read. Only
// that loop touches it.
type loop struct {
	b    *Broker
	id   int
	exec executor

	wheel   *timingWheel
	reader  *matcher.Reader[*session] // this loop's cache of recent topics
	matches []matcher.Delivery[*session]

	dirty []*conn // connections with pending output this turn

	// outbox[i] gathers deliveries for the loop with id i during one turn;
	// each non-empty one travels as a single task at endTurn.
	outbox [][]crossDelivery

	tickPosted atomic.Bool
}

// crossDelivery is one message for a connection on another loop. gen is
// the connection's generation when the delivery was made: gnet reuses
// file descriptors and conns, so a delivery for a connection that has gone
// since falls back to the session.
type crossDelivery struct {
	c   *conn
	gen uint64
	s   *session
	msg message // holds one reference of msg.buf
	qos byte
	ret bool
}

func newLoop(b *Broker, exec executor) *loop {
	b.loopsMu.Lock()
	id := len(b.loops)
	lp := &loop{
		b:      b,
		id:     id,
		exec:   exec,
		wheel:  newTimingWheel(loopTick, 512, b.opts.Now()),
		reader: b.subs.NewReader(readerCacheSize),
	}
	b.loops = append(b.loops, lp)
	b.loopsMu.Unlock()
	return lp
}

// markDirty records that c has output to flush at the end of this turn.
func (lp *loop) markDirty(c *conn) {
	if !c.dirty {
		c.dirty = true
		lp.dirty = append(lp.dirty, c)
	}
}

// flushDirty writes every pending connection's output.
func (lp *loop) flushDirty() {
	for i, c := range lp.dirty {
		c.dirty = false
		c.flush()
		lp.dirty[i] = nil
	}
	lp.dirty = lp.dirty[:0]
}

// sendCross queues a delivery for another loop until the end of the turn.
func (lp *loop) sendCross(target *loop, d crossDelivery) {
	for len(lp.outbox) <= target.id {
		lp.outbox = append(lp.outbox, nil)
	}
	lp.outbox[target.id] = append(lp.outbox[target.id], d)
}

// endTurn flushes local output and posts one task per target loop with the
// deliveries gathered this turn.
func (lp *loop) endTurn() {
	lp.flushDirty()
	for id, batch := range lp.outbox {
		if len(batch) == 0 {
			continue
		}
		target := lp.b.loopByID(id)
		items := append([]crossDelivery(nil), batch...)
		clear(batch)
		lp.outbox[id] = batch[:0]
		if !target.exec.execute(func() { target.receiveCross(items) }) {
			for i := range items {
				items[i].msg.release()
			}
		}
	}
}

// receiveCross runs on the target loop with a batch from another loop.
func (lp *loop) receiveCross(items []crossDelivery) {
	for i := range items {
		d := &items[i]
		if d.c.gen == d.gen && d.c.online() && d.c.session == d.s {
			d.c.deliver(d.msg, d.qos, d.ret)
		} else {
			d.s.deliverElsewhere(lp, d.msg, d.qos, d.ret)
		}
		d.msg.release()
	}
	lp.endTurn()
}

// postTick asks the loop to advance its wheel, at most one task at a time.
func (lp *loop) postTick() {
	if lp.exec == nil || !lp.tickPosted.CompareAndSwap(false, true) {
		return
	}
	if !lp.exec.execute(lp.tick) {
		lp.tickPosted.Store(false)
	}
}

func (lp *loop) tick() {
	lp.tickPosted.Store(false)
	lp.wheel.advance(lp.b.opts.Now())
	lp.endTurn()
}
