package engine

import (
	"bytes"
	"time"

	"github.com/midge-mqtt/midge/codec"
)

func (c *conn) handlePublish(f codec.Frame) error {
	b := c.loop.b
	var p codec.Publish
	if err := p.Decode(c.version, f.Flags, f.Body); err != nil {
		c.protocolError("bad PUBLISH", err)
		return errClose
	}
	if p.QoS > 0 && p.PacketID == 0 {
		c.protocolError("QoS > 0 PUBLISH with packet identifier 0", codec.ProtocolError) // [MQTT-2.3.1-1]
		return errClose
	}
	if p.QoS > c.maxQoS {
		// max_qos: 5.0 §3.2.2.3.4, a PUBLISH above the Maximum QoS in
		// CONNACK [MQTT-3.2.2-11] is answered with DISCONNECT 0x9B; a
		// 3.1.1 client, never told, is disconnected as mosquitto does.
		c.protocolError("PUBLISH QoS above max_qos", codec.QoSNotSupported)
		return errClose
	}
	b.stats.publishIn(c.loop, len(p.Payload))
	if c.version == codec.V5 {
		if p.Props.SubscriptionIDCount() > 0 {
			c.protocolError("Subscription Identifier from a client", codec.ProtocolError) // [MQTT-3.3.4-6]
			return errClose
		}
		if err := c.resolveAlias(&p); err != nil {
			c.protocolError("topic alias", err)
			return errClose
		}
	}
	if err := b.checkTopicLevels(p.Topic); err != nil {
		c.protocolError("too many topic levels", err)
		return errClose
	}
	p.Topic = c.mounted(p.Topic)
	if p.Retain && b.opts.RetainUnavailable {
		// 3.1.1 has no way to refuse one message: close, as mosquitto does.
		c.protocolError("retained PUBLISH with retain_available false", codec.RetainNotSupported) // 5.0 [MQTT-3.2.2-14]
		return errClose
	}
	rc := codec.Success
	// The broker's own $SYS tree is not for clients to publish into (4.7.2:
	// the server SHOULD prevent it); other $ topics pass, as in mosquitto.
	deliver := !bytes.HasPrefix(p.Topic, []byte("$SYS/")) && string(p.Topic) != "$SYS"
	if deliver && b.opts.Authorizer != nil && !b.opts.Authorizer.AllowPublish(&c.info, p.Topic) {
		deliver, rc = false, codec.NotAuthorized // 3.1.1: acknowledged, not delivered
	}
	s := c.session
	if p.QoS == 2 {
		// [MQTT-4.3.3-2] exactly once: a PUBLISH re-sent with an identifier
		// whose PUBREL has not come is acknowledged, not delivered again.
		s.mu.Lock()
		_, seen := s.inboundQoS2[p.PacketID]
		tooMany := !seen && c.version == codec.V5 && len(s.inboundQoS2) >= min(b.opts.MaxInflightMessages, 65535)
		if !seen && !tooMany {
			if s.inboundQoS2 == nil {
				s.inboundQoS2 = make(map[uint16]struct{})
			}
			s.inboundQoS2[p.PacketID] = struct{}{}
		}
		s.mu.Unlock()
		if tooMany {
			c.protocolError("more QoS 2 messages than Receive Maximum", codec.ReceiveMaximumExceeded) // [MQTT-3.3.4-7]
			return errClose
		}
		if seen {
			deliver = false
		}
	}
	if deliver {
		in := inbound{msg: message{topic: p.Topic, payload: p.Payload, qos: p.QoS}, from: s}
		if c.version == codec.V5 {
			c.loop.scratch = p.Props.AppendShared(c.loop.scratch[:0])
			if len(c.loop.scratch) > 0 {
				in.msg.props = c.loop.scratch
			}
			if p.Props.Has(codec.PropMessageExpiry) {
				in.msg.expiry = b.opts.Now().Add(time.Duration(p.Props.MessageExpiry) * time.Second).UnixNano()
			}
		}
		if n := c.loop.publish(&in, p.Retain); n == 0 && rc == codec.Success {
			rc = codec.NoMatchingSubscribers // 5.0 §3.4.2.1
		}
		in.done()
	}
	switch p.QoS {
	case 1:
		c.writeAck(codec.PUBACK, p.PacketID, rc) // [MQTT-4.3.2-2]
	case 2:
		c.writeAck(codec.PUBREC, p.PacketID, rc) // [MQTT-4.3.3-2]
	}
	return nil
}

// resolveAlias applies an MQTT 5 Topic Alias: a PUBLISH with a name and an
// alias sets it, one with an empty name uses it [MQTT-3.3.2-12].
func (c *conn) resolveAlias(p *codec.Publish) error {
	a := p.Props.TopicAlias
	if a == 0 {
		if p.Props.Has(codec.PropTopicAlias) {
			return codec.TopicAliasInvalid // [MQTT-3.3.2-8] 0 is not an alias
		}
		return nil
	}
	if a > c.aliasMaxIn {
		return codec.TopicAliasInvalid // [MQTT-3.3.2-9]
	}
	if len(p.Topic) == 0 {
		topic, ok := c.aliasIn[a]
		if !ok {
			return codec.ProtocolError // an alias never set on this connection
		}
		p.Topic = []byte(topic)
		return nil
	}
	if c.aliasIn == nil {
		c.aliasIn = make(map[uint16]string)
	}
	if old, ok := c.aliasIn[a]; !ok || old != string(p.Topic) {
		c.aliasIn[a] = string(p.Topic)
	}
	return nil
}

// publish fans a message out to every matching subscriber and stores it as
// retained when asked; it returns the number of subscribers matched. It
// runs on lp's goroutine.
func (lp *loop) publish(in *inbound, retain bool) int {
	b := lp.b
	if retain {
		b.storeRetained(in)
	}
	lp.matches = lp.reader.Match(in.msg.topic, lp.matches[:0])
	n := 0
	for i := range lp.matches {
		m := &lp.matches[i]
		s := m.Sub
		m.Sub = nil
		if m.NoLocal && s == in.from {
			continue // 5.0 [MQTT-3.8.3-3] not back to its publisher
		}
		n++
		// [MQTT-3.8.4-6] min(publish QoS, granted QoS); [MQTT-3.3.1-9]
		// RETAIN cleared for existing subscriptions unless Retain As
		// Published [MQTT-3.3.1-12].
		d := delivery{qos: b.outgoingQoS(in.msg.qos, m.QoS), ret: retain && m.RetainAsPublished}
		d.nids = uint8(copy(d.ids[:], m.SubscriptionIDs()))
		lp.deliverTo(s, in, &d)
	}
	return n
}

// deliverTo routes one message to one session: straight into a connection
// of this loop, as a cross-loop delivery, or into the offline queue.
func (lp *loop) deliverTo(s *session, in *inbound, d *delivery) {
	if s.handler != nil {
		if lp.exec == nil { // the local loop: run after its lock is released
			lp.deferred = append(lp.deferred, handlerCall{s.handler, in.stored().retain(), d.qos, d.ret})
			return
		}
		s.handler(string(in.msg.topic), in.msg.payload, d.qos, d.ret)
		return
	}
	if c := s.conn.Load(); c != nil && c.loop == lp && c.online() {
		if d.qos == 0 {
			c.deliver(in.msg, d) // a view is enough: written this turn
		} else {
			c.deliver(in.stored(), d)
		}
		return
	}
	s.deliverElsewhere(lp, in.stored(), d)
}

// deliver sends or queues a message on this connection (its loop only).
// QoS 0 is dropped when the client does not read fast enough; QoS 1/2 go
// into the inflight window or, past it, the session queue.
func (c *conn) deliver(m message, d *delivery) {
	b := c.loop.b
	if m.expiry != 0 && m.expired(b.opts.Now().UnixNano()) {
		return // [MQTT-3.3.2-5]
	}
	if d.qos == 0 {
		if c.outboundFull() {
			b.stats.publishDropped(c.loop)
			return
		}
		c.writePublish(m, d, false, 0)
		return
	}
	s := c.session
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 && c.windowOpen(m.size()) {
		o := outMsg{msg: m, d: *d, pid: s.allocPID(), state: awaitPuback}
		if d.qos == 2 {
			o.state = awaitPubrec
		}
		if c.writePublish(m, d, false, o.pid) {
			o.msg = m.retain()
			s.addInflight(o)
		}
		return
	}
	if !s.enqueue(outMsg{msg: m.retain(), d: *d}) {
		m.release()
		b.stats.publishDropped(c.loop)
	}
}

// addInflight appends to the window. Caller holds mu.
func (s *session) addInflight(o outMsg) {
	s.inflight = append(s.inflight, o)
	s.inflightBytes += o.msg.size()
	s.backlog.Add(1)
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
			s.inflightBytes -= o.msg.size()
			s.backlog.Add(-1)
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
		found := false
		for i := range s.inflight {
			if o := &s.inflight[i]; o.pid == pid && (o.state == awaitPubrec || o.state == awaitPubcomp) {
				o.state, found = awaitPubcomp, true
				break
			}
		}
		if a.ReasonCode.IsError() {
			// 5.0: a PUBREC with an error ends the flow [MQTT-4.3.3-4].
			if o, ok := s.takeInflight(pid, awaitPubcomp); ok {
				o.msg.release()
			}
			break
		}
		rc := codec.Success
		if !found {
			rc = codec.PacketIdentifierNotFound
		}
		c.writeAck(codec.PUBREL, pid, rc)
	case codec.PUBREL: // [MQTT-4.3.3-2] the identifier may be reused now
		rc := codec.Success
		if _, ok := s.inboundQoS2[pid]; !ok {
			rc = codec.PacketIdentifierNotFound
		}
		delete(s.inboundQoS2, pid)
		c.writeAck(codec.PUBCOMP, pid, rc)
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
