package ceiling

import (
	"context"
	"sync"

	"github.com/panjf2000/gnet/v2"
)

// versionTopic is the topic the benchmark harness reads a broker's name
// from; the relay answers a subscription to it with versionPayload.
const (
	versionTopic   = "$SYS/broker/version"
	versionPayload = "ceiling version 1"
)

// loop is the relay's state for one gnet event loop; only that loop
// touches it.
type loop struct {
	id int
	r  *Relay
	el gnet.EventLoop

	dirty   []*rconn // connections with output this turn
	matches []*rconn // scratch for index.match
	// outbox[i] gathers this turn's forwards to connections of the loop
	// with id i; each non-empty one is posted there as one task.
	outbox []*crossBatch
	seq    uint64 // numbers the PUBLISH packets this loop forwards
}

// crossBatch carries one turn's forwards from one loop to another: the
// packets copied once each into data, and the connections that get them.
type crossBatch struct {
	target *loop
	data   []byte
	items  []crossItem
	// The packet last copied into data: its source sequence number and
	// where it lies, so several subscribers share one copy.
	lastSeq       uint64
	lastOff, last int
}

type crossItem struct {
	c        *rconn
	off, end int
}

var batchPool = sync.Pool{New: func() any { return new(crossBatch) }}

// Run delivers the batch on its target loop (gnet.Runnable).
func (b *crossBatch) Run(context.Context) error {
	for _, it := range b.items {
		it.c.queue(b.data[it.off:it.end])
	}
	b.target.flushAll()
	b.release()
	return nil
}

func (b *crossBatch) release() {
	clear(b.items)
	b.items = b.items[:0]
	b.data = b.data[:0]
	b.target, b.lastSeq = nil, 0
	if cap(b.data) > 1<<20 {
		b.data = nil // one burst does not pin a large buffer for ever
	}
	batchPool.Put(b)
}

// handle acts on every complete packet at the start of buf and returns
// how many bytes it used; a partial packet is left for the next read.
// Forwards to this loop's connections alias buf, so the caller must call
// endTurn before it discards those bytes.
func (lp *loop) handle(c *rconn, buf []byte) (used int, err error) {
	for !c.closing {
		n, h, err := nextFrame(buf[used:])
		if err != nil || n == 0 {
			return used, err
		}
		pkt := buf[used : used+n]
		used += n
		lp.packet(c, pkt, pkt[h:])
	}
	return used, nil
}

// packet answers or forwards one packet.
func (lp *loop) packet(c *rconn, pkt, body []byte) {
	switch pkt[0] >> 4 {
	case typeConnect:
		if !c.connected {
			c.connected = true
			c.version = connectVersion(body)
			c.ctrl = appendConnack(c.ctrl, c.version)
			c.markDirty()
		}
	case typePublish:
		qos := (pkt[0] >> 1) & 3
		topic, id, ok := publishTopic(body, qos)
		if !ok {
			return
		}
		switch qos {
		case 1:
			c.ctrl = appendAck(c.ctrl, typePuback<<4, id)
			c.markDirty()
		case 2:
			c.ctrl = appendAck(c.ctrl, typePubrec<<4, id)
			c.markDirty()
		}
		lp.forward(c, pkt, topic)
	case typePubrec: // a subscriber received a QoS 2 forward
		if len(body) >= 2 {
			c.ctrl = appendAck(c.ctrl, typePubrel<<4|2, uint16(body[0])<<8|uint16(body[1]))
			c.markDirty()
		}
	case typePubrel:
		if len(body) >= 2 {
			c.ctrl = appendAck(c.ctrl, typePubcomp<<4, uint16(body[0])<<8|uint16(body[1]))
			c.markDirty()
		}
	case typeSubscribe:
		lp.subscribe(c, body)
	case typeUnsubscribe:
		lp.unsubscribe(c, body)
	case typePingreq:
		c.ctrl = append(c.ctrl, 0xd0, 0)
		c.markDirty()
	case typeDisconnect:
		c.closing = true
	}
	// PUBACK and PUBCOMP from subscribers, AUTH: nothing to do.
}

// forward queues pkt for every connection subscribed to topic.
func (lp *loop) forward(from *rconn, pkt, topic []byte) {
	if len(topic) == 0 {
		return // an MQTT 5 topic alias: not followed
	}
	lp.seq++
	lp.matches = lp.r.ix.match(topic, lp.matches[:0])
	for _, s := range lp.matches {
		if s.version != from.version {
			continue // the bytes would not parse for it
		}
		if s.lp == lp {
			s.queue(pkt)
			continue
		}
		b := lp.batchFor(s.lp)
		if b.lastSeq != lp.seq {
			b.lastSeq, b.lastOff = lp.seq, len(b.data)
			b.data = append(b.data, pkt...)
			b.last = len(b.data)
		}
		b.items = append(b.items, crossItem{c: s, off: b.lastOff, end: b.last})
	}
	clear(lp.matches)
}

// batchFor returns this turn's batch for the target loop.
func (lp *loop) batchFor(target *loop) *crossBatch {
	if target.id >= len(lp.outbox) {
		lp.outbox = append(lp.outbox, make([]*crossBatch, target.id+1-len(lp.outbox))...)
	}
	b := lp.outbox[target.id]
	if b == nil {
		b = batchPool.Get().(*crossBatch)
		b.target = target
		lp.outbox[target.id] = b
	}
	return b
}

// endTurn writes this loop's pending output and posts the turn's batches
// to the other loops.
func (lp *loop) endTurn() {
	lp.flushAll()
	for i, b := range lp.outbox {
		if b == nil {
			continue
		}
		lp.outbox[i] = nil
		if b.target.el.Execute(context.Background(), b) != nil {
			b.release() // the target loop is gone
		}
	}
}

// flushAll writes every dirty connection's output of this turn.
func (lp *loop) flushAll() {
	for i, c := range lp.dirty {
		c.dirty = false
		c.flush()
		lp.dirty[i] = nil
	}
	lp.dirty = lp.dirty[:0]
}
