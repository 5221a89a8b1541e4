package engine

import (
	"sync"
	"sync/atomic"
	"time"
)

// outState is where an outbound QoS 1/2 message stands.
type outState uint8

const (
	awaitPuback  outState = iota // QoS 1 sent, PUBACK pending
	awaitPubrec                  // QoS 2 sent, PUBREC pending
	awaitPubcomp                 // PUBREL sent, PUBCOMP pending
)

// outMsg is one outbound message held by a session: in its inflight window
// (pid set, sent) or in its queue (waiting for the window or the client).
type outMsg struct {
	msg   message // holds one reference
	d     delivery
	pid   uint16
	state outState
}

// session is the state MQTT keeps for one client identifier across
// connections [MQTT-3.1.2-4]: subscriptions, the outbound inflight window
// and queue, and the identifiers of inbound QoS 2 messages awaiting PUBREL.
//
// mu guards everything below it. In the common case only the loop that
// holds the session's connection takes it, so it is uncontended; publishers
// on other loops take it only for a session that is offline.
type session struct {
	b  *Broker
	id string

	// conn is the current connection, nil while offline; written under mu,
	// read without it by publishers choosing where to deliver.
	conn atomic.Pointer[conn]

	// handler, for in-process subscribers, receives messages synchronously
	// on the publishing goroutine instead of a connection.
	handler Handler

	// backlog counts inflight plus queued messages, read without mu by
	// the shared-subscription picker to prefer members that keep up.
	backlog atomic.Int32

	mu sync.Mutex
	// expiryInterval is the MQTT 5 Session Expiry Interval in seconds
	// (3.1.1: 0 for clean session, never for persistent sessions); 0 ends
	// the session with its connection [MQTT-3.1.2-23].
	expiryInterval uint32
	subs           filterSet // the filters subscribed to
	inflight       []outMsg  // sent, unacknowledged, in send order
	inflightBytes  int       // the window's message sizes, for MaxInflightBytes
	queue          []outMsg  // waiting, in arrival order
	queuedBytes    int
	nextPID        uint16
	inboundQoS2    map[uint16]struct{} // PUBREC sent, PUBREL pending
	offlineSince   time.Time
	expired        bool
	// pendingWill is a Will Message waiting for its Will Delay Interval.
	pendingWill *pendingWill
}

// expiryNever is the Session Expiry Interval that never expires.
const expiryNever = 0xFFFFFFFF

// expiry returns the Session Expiry Interval (takes mu).
func (s *session) expiry() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expiryInterval
}

func newSession(b *Broker, id string, expiry uint32) *session {
	return &session{b: b, id: id, expiryInterval: expiry}
}

// allocPID returns a packet identifier not in use by the inflight window
// [MQTT-2.3.1-2]. Caller holds mu; the window is far smaller than 65535.
func (s *session) allocPID() uint16 {
	for {
		s.nextPID++
		if s.nextPID == 0 {
			s.nextPID = 1
		}
		inUse := false
		for i := range s.inflight {
			if s.inflight[i].pid == s.nextPID {
				inUse = true
				break
			}
		}
		if !inUse {
			return s.nextPID
		}
	}
}

// enqueue appends to the queue within max_queued_messages and
// max_queued_bytes; false (and nothing kept) when the queue is full.
// Caller holds mu; o.msg's reference passes to the queue on success.
func (s *session) enqueue(o outMsg) bool {
	opts := &s.b.opts
	if len(s.queue) >= opts.MaxQueuedMessages ||
		(opts.MaxQueuedBytes > 0 && s.queuedBytes+o.msg.size() > opts.MaxQueuedBytes) {
		return false
	}
	s.queue = append(s.queue, o)
	s.backlog.Add(1)
	s.queuedBytes += o.msg.size()
	s.b.stats.storeAdd(1, o.msg.size())
	return true
}

// dequeue removes and returns the head of the queue. Caller holds mu.
func (s *session) dequeue() outMsg {
	o := s.queue[0]
	s.queue[0] = outMsg{}
	s.queue = s.queue[1:]
	if len(s.queue) == 0 {
		s.queue = s.queue[:0:0]
	}
	s.queuedBytes -= o.msg.size()
	s.backlog.Add(-1)
	s.b.stats.storeAdd(-1, -o.msg.size())
	return o
}

// deliverElsewhere handles a message for this session whose connection is
// not on the calling loop (or is gone): offline sessions queue QoS 1/2 (and
// QoS 0 with queue_qos0_messages); an online connection on another loop is
// reached through that loop.
func (s *session) deliverElsewhere(lp *loop, m message, d *delivery) {
	if c := s.conn.Load(); c != nil {
		if c.loop == lp {
			c.deliver(m, d)
			return
		}
		lp.sendCross(c.loop, crossDelivery{c: c, gen: c.gen, s: s, msg: m.retain(), d: *d})
		return
	}
	if d.qos == 0 && !s.b.opts.QueueQoS0Messages {
		s.b.stats.publishDropped(lp)
		return
	}
	s.mu.Lock()
	if s.expired || !s.enqueue(outMsg{msg: m.retain(), d: *d}) {
		if !s.expired {
			m.release()
		}
		s.b.stats.publishDropped(lp)
	}
	s.mu.Unlock()
}

// dropAll releases everything the session holds. Caller holds mu.
func (s *session) dropAll() {
	for i := range s.inflight {
		s.b.stats.storeAdd(-1, -s.inflight[i].msg.size())
		s.inflight[i].msg.release()
	}
	s.inflight = nil
	s.inflightBytes = 0
	s.backlog.Store(int32(len(s.queue)))
	for len(s.queue) > 0 {
		o := s.dequeue()
		o.msg.release()
	}
	s.inboundQoS2 = nil
}
