package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/midge-mqtt/midge/matcher"
)

// readerCacheSize is how many recent topics each loop's matcher cache keeps.
const readerCacheSize = 1024

// task is work posted to an event loop (the shape of gnet.Runnable).
type task interface {
	Run(ctx context.Context) error
}

// executor runs a task on an event loop, later; false when the loop is
// gone.
type executor interface {
	execute(t task) bool
}

// funcTask adapts a function to a task (for rare work; it allocates).
type funcTask func()

func (f funcTask) Run(context.Context) error { f(); return nil }

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

	dirty   []*conn // connections with pending output this turn, in order
	flushed int     // dirty[:flushed] are written (see flushDirty)
	conns   map[*conn]struct{}
	arenas  [][]byte // free output arenas (see conn.reserve)
	// scratch encodes MQTT 5 properties of the packet being handled.
	scratch []byte

	// outbox[i] gathers deliveries for the loop with id i during one turn;
	// each non-empty one travels as a single task at endTurn.
	outbox []*crossBatch

	tally outTally // written this turn, not yet in Stats

	// deferred holds in-process handler calls of the broker's local loop,
	// run once its lock is released (see Broker.withLocal).
	deferred []handlerCall

	tickPosted atomic.Bool
	ticker     tickTask
}

// handlerCall is a message for an in-process handler, held until the
// handler can run.
type handlerCall struct {
	handler Handler
	msg     message // holds one reference
	qos     byte
	ret     bool
}

// crossBatch is the deliveries of one turn of one loop for another loop;
// it is the task that delivers them there, then goes back to its pool.
type crossBatch struct {
	target *loop
	items  []crossDelivery
}

var crossBatchPool = sync.Pool{New: func() any { return new(crossBatch) }}

// Run delivers the batch on the target loop.
func (cb *crossBatch) Run(context.Context) error {
	cb.target.receiveCross(cb.items)
	cb.release()
	return nil
}

func (cb *crossBatch) release() {
	clear(cb.items)
	cb.items = cb.items[:0]
	cb.target = nil
	crossBatchPool.Put(cb)
}

// tickTask advances its loop's wheel.
type tickTask struct{ lp *loop }

func (t *tickTask) Run(context.Context) error { t.lp.tick(); return nil }

// crossDelivery is one message for a connection on another loop. gen is
// the connection's generation when the delivery was made: gnet reuses
// file descriptors and conns, so a delivery for a connection that has gone
// since falls back to the session.
type crossDelivery struct {
	c   *conn
	gen uint64
	s   *session
	msg message // holds one reference of msg.buf
	d   delivery
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
		conns:  make(map[*conn]struct{}),
	}
	lp.ticker.lp = lp
	b.loops = append(b.loops, lp)
	b.loopsMu.Unlock()
	return lp
}

// takeArena returns an empty output arena from the loop's free list.
func (lp *loop) takeArena() []byte {
	if n := len(lp.arenas); n > 0 {
		a := lp.arenas[n-1]
		lp.arenas = lp.arenas[:n-1]
		return a
	}
	return make([]byte, 0, arenaSize)
}

// giveArena puts a flushed arena back; the free list keeps a few.
func (lp *loop) giveArena(a []byte) {
	if len(lp.arenas) < maxFreeArenas {
		lp.arenas = append(lp.arenas, a[:0])
	}
}

// maxFreeArenas bounds the arenas a loop keeps for reuse.
const maxFreeArenas = 256

// markDirty records that c has output to flush at the end of this turn.
func (lp *loop) markDirty(c *conn) {
	if !c.dirty {
		c.dirty = true
		lp.dirty = append(lp.dirty, c)
	}
}

// flushDirty writes every pending connection's output in the order the
// connections first had some. A PUBLISH is fanned out before its
// acknowledgement is queued, so subscribers are written to before the
// publisher: the delivery does not wait behind the PUBACK's write.
//
// The cursor lives in the loop because a failing write closes a connection
// from inside flush, and that close may run another endTurn: the nested
// call carries on from the same place, and whichever call finishes the
// list empties it.
func (lp *loop) flushDirty() {
	for lp.flushed < len(lp.dirty) {
		c := lp.dirty[lp.flushed]
		lp.dirty[lp.flushed] = nil
		lp.flushed++
		c.dirty = false
		c.flush()
	}
	lp.dirty = lp.dirty[:0]
	lp.flushed = 0
}

// sendCross queues a delivery for another loop until the end of the turn.
func (lp *loop) sendCross(target *loop, d crossDelivery) {
	for len(lp.outbox) <= target.id {
		lp.outbox = append(lp.outbox, nil)
	}
	cb := lp.outbox[target.id]
	if cb == nil {
		cb = crossBatchPool.Get().(*crossBatch)
		cb.target = target
		lp.outbox[target.id] = cb
	}
	cb.items = append(cb.items, d)
}

// endTurn flushes local output and posts one task per target loop with the
// deliveries gathered this turn.
func (lp *loop) endTurn() {
	lp.flushDirty()
	lp.b.stats.flushTally(lp)
	for id, cb := range lp.outbox {
		if cb == nil {
			continue
		}
		lp.outbox[id] = nil
		if !cb.target.exec.execute(cb) {
			for i := range cb.items {
				cb.items[i].msg.release()
			}
			cb.release()
		}
	}
}

// receiveCross runs on the target loop with a batch from another loop.
func (lp *loop) receiveCross(items []crossDelivery) {
	for i := range items {
		d := &items[i]
		if d.c.gen == d.gen && d.c.online() && d.c.session == d.s {
			d.c.deliver(d.msg, &d.d)
		} else {
			d.s.deliverElsewhere(lp, d.msg, &d.d)
		}
		d.msg.release()
	}
	lp.endTurn()
}

// postTick asks the loop to advance its wheel when a timer may be due at
// now, at most one task at a time. A loop whose earliest timer is further
// off (or that has none) is not woken: idle connections with keep-alives
// of a minute cost no wake-up four times a second. It returns how long
// after now the earliest timer may be due (see timingWheel.dueIn).
func (lp *loop) postTick(now time.Time) time.Duration {
	due := lp.wheel.dueIn(now)
	if lp.exec == nil || due > 0 || !lp.tickPosted.CompareAndSwap(false, true) {
		return due
	}
	if !lp.exec.execute(&lp.ticker) {
		lp.tickPosted.Store(false)
	}
	return due
}

func (lp *loop) tick() {
	lp.tickPosted.Store(false)
	lp.wheel.advance(lp.b.opts.Now())
	lp.endTurn()
}
