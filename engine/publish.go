package engine

import (
	"bytes"

	"github.com/midge-mqtt/midge/codec"
)

func (c *conn) handlePublish(f codec.Frame) error {
	b := c.loop.b
	var p codec.Publish
	if err := p.Decode(c.version, f.Flags, f.Body); err != nil {
		c.protocolError("bad PUBLISH", err)
		return errClose
	}
	b.stats.publishIn(c.loop, len(p.Payload))
	if err := b.checkTopicLevels(p.Topic); err != nil {
		c.protocolError("too many topic levels", err)
		return errClose
	}
	if p.Retain && b.opts.RetainUnavailable {
		// 3.1.1 has no way to refuse one message: close, as mosquitto does.
		c.protocolError("retained PUBLISH with retain_available false", codec.RetainNotSupported)
		return errClose
	}
	deliver := !bytes.HasPrefix(p.Topic, []byte("$")) // clients cannot publish to $SYS and friends
	if deliver && b.opts.Authorizer != nil && !b.opts.Authorizer.AllowPublish(&c.info, p.Topic) {
		deliver = false // acknowledged, not delivered (3.1.1 has no refusal)
	}
	s := c.session
	if p.QoS == 2 {
		// [MQTT-4.3.3-2] exactly once: a PUBLISH re-sent with an identifier
		// whose PUBREL has not come is acknowledged, not delivered again.
		s.mu.Lock()
		if _, seen := s.inboundQoS2[p.PacketID]; seen {
			deliver = false
		} else {
			if s.inboundQoS2 == nil {
				s.inboundQoS2 = make(map[uint16]struct{})
			}
			s.inboundQoS2[p.PacketID] = struct{}{}
		}
		s.mu.Unlock()
	}
	if deliver {
		in := inbound{msg: message{topic: p.Topic, payload: p.Payload, qos: p.QoS}}
		c.loop.publish(&in, p.Retain)
		in.done()
	}
	switch p.QoS {
	case 1:
		c.writeAck(codec.PUBACK, p.PacketID) // [MQTT-4.3.2-2]
	case 2:
		c.writeAck(codec.PUBREC, p.PacketID) // [MQTT-4.3.3-2]
	}
	return nil
}

// publish fans a message out to every matching subscriber and stores it as
// retained when asked. It runs on lp's goroutine.
func (lp *loop) publish(in *inbound, retain bool) {
	b := lp.b
	if retain {
		b.storeRetained(in)
	}
	lp.matches = lp.reader.Match(in.msg.topic, lp.matches[:0])
	for i := range lp.matches {
		d := &lp.matches[i]
		qos := min(in.msg.qos, d.QoS) // [MQTT-3.8.4-6] min(publish QoS, granted QoS)
		// [MQTT-3.3.1-9] messages to existing subscriptions go out with
		// RETAIN cleared (5.0: unless Retain As Published).
		ret := retain && d.RetainAsPublished
		lp.deliverTo(d.Sub, in, qos, ret)
		d.Sub = nil
	}
}

// deliverTo routes one message to one session: straight into a connection
// of this loop, as a cross-loop delivery, or into the offline queue.
func (lp *loop) deliverTo(s *session, in *inbound, qos byte, ret bool) {
	if s.handler != nil {
		s.handler(string(in.msg.topic), in.msg.payload, qos, ret)
		return
	}
	if c := s.conn.Load(); c != nil && c.loop == lp && c.online() {
		if qos == 0 {
			c.deliver(in.msg, 0, ret) // a view is enough: written this turn
		} else {
			c.deliver(in.stored(), qos, ret)
		}
		return
	}
	s.deliverElsewhere(lp, in.stored(), qos, ret)
}

// deliver sends or queues a message on this connection (its loop only).
// QoS 0 is dropped when the client does not read fast enough; QoS 1/2 go
// into the inflight window or, past it, the session queue.
func (c *conn) deliver(m message, qos byte, ret bool) {
	b := c.loop.b
	if qos == 0 {
		if c.outboundFull() {
			b.stats.publishDropped(c.loop)
			return
		}
		c.writePublish(m, 0, ret, false, 0)
		return
	}
	s := c.session
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 && len(s.inflight) < b.opts.MaxInflightMessages {
		o := outMsg{msg: m.retain(), qos: qos, ret: ret, pid: s.allocPID(), state: awaitPuback}
		if qos == 2 {
			o.state = awaitPubrec
		}
		s.addInflight(o)
		c.writePublish(m, qos, ret, false, o.pid)
		return
	}
	if !s.enqueue(outMsg{msg: m.retain(), qos: qos, ret: ret}) {
		m.release()
		b.stats.publishDropped(c.loop)
	}
}

// addInflight appends to the window. Caller holds mu.
func (s *session) addInflight(o outMsg) {
	s.inflight = append(s.inflight, o)
	s.b.stats.storeAdd(1, o.msg.size())
}

// takeInflight removes the window entry for pid in state st; ok is false
// when there is none. Caller holds mu.
func (s *session) takeInflight(pid uint16, st outState) (outMsg, bool) {
	for i := range s.inflight {
		if o := s.inflight[i]; o.pid == pid && o.state == st {
			copy(s.inflight[i:], s.inflight[i+1:])
			s.inflight[len(s.inflight)-1] = outMsg{}
			s.inflight = s.inflight[:len(s.inflight)-1]
			s.b.stats.storeAdd(-1, -o.msg.size())
			return o, true
		}
	}
	return outMsg{}, false
}

func (c *conn) handleAck(f codec.Frame) error {
	a := codec.Ack{Kind: f.Type}
	if err := a.Decode(c.version, f.Flags, f.Body); err != nil {
		c.protocolError("bad "+f.Type.String(), err) // [MQTT-3.6.1-1] and remaining length 2
		return errClose
	}
	pid := a.PacketID
	s := c.session
	s.mu.Lock()
	defer s.mu.Unlock()
	switch f.Type {
	case codec.PUBACK: // [MQTT-4.3.2-1] QoS 1 delivery complete
		if o, ok := s.takeInflight(pid, awaitPuback); ok {
			o.msg.release()
		}
	case codec.PUBREC: // [MQTT-4.3.3-1] answer with PUBREL
		for i := range s.inflight {
			if o := &s.inflight[i]; o.pid == pid && o.state == awaitPubrec {
				o.state = awaitPubcomp
				break
			}
		}
		c.writeAck(codec.PUBREL, pid)
	case codec.PUBREL: // [MQTT-4.3.3-2] the identifier may be reused now
		delete(s.inboundQoS2, pid)
		c.writeAck(codec.PUBCOMP, pid)
	case codec.PUBCOMP:
		if o, ok := s.takeInflight(pid, awaitPubcomp); ok {
			o.msg.release()
		}
	}
	c.drainLocked()
	return nil
}

// storeRetained replaces (or, with an empty payload, clears
// [MQTT-3.3.1-10]) the retained message of the topic [MQTT-3.3.1-5].
func (b *Broker) storeRetained(in *inbound) {
	topic := string(in.msg.topic)
	b.retainMu.Lock()
	old, had := b.retained.Get(topic)
	if len(in.msg.payload) == 0 {
		if had {
			b.retained.Clear(topic)
		}
	} else {
		b.retained.Set(topic, in.stored().retain())
	}
	b.retainMu.Unlock()
	if had {
		old.release()
	}
	switch {
	case had && len(in.msg.payload) == 0:
		b.stats.retainedAdd(-1)
	case !had && len(in.msg.payload) > 0:
		b.stats.retainedAdd(1)
	}
}

// publishWill publishes a connection's Will Message [MQTT-3.1.2-8].
func (b *Broker) publishWill(lp *loop, w *will, from *ClientInfo) {
	if b.opts.Authorizer != nil && !b.opts.Authorizer.AllowPublish(from, w.msg.topic) {
		return
	}
	in := inbound{msg: w.msg.retain(), pooled: true}
	lp.publish(&in, w.retain)
	in.done()
}
