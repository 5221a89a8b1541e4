package engine

import (
	"github.com/midge-mqtt/midge/codec"
	"github.com/midge-mqtt/midge/matcher"
)

func (c *conn) handleSubscribe(f codec.Frame) error {
	b := c.loop.b
	var p codec.Subscribe
	if err := p.Decode(c.version, f.Flags, f.Body); err != nil {
		c.protocolError("bad SUBSCRIBE", err) // [MQTT-3.8.1-1] [MQTT-3.8.3-3] [MQTT-3-8.3-4]
		return errClose
	}
	v5 := c.version == codec.V5
	var subID uint32
	if v5 {
		subID = p.Props.SubscriptionID()
	}
	s := c.session
	codes := make([]byte, 0, p.Len())
	type accepted struct {
		filter   string
		opts     matcher.Options
		replaced bool
	}
	var fresh []accepted
	it := p.Iter()
	for {
		sub, ok := it.Next()
		if !ok {
			break
		}
		filter := c.mountFilter(sub.Filter)
		fail := codec.ReasonCode(0)
		switch {
		case codec.ValidTopicFilter(sub.Filter) != nil || b.checkTopicLevels(sub.Filter) != nil:
			fail = codec.TopicFilterInvalid
		case b.opts.Authorizer != nil && !b.opts.Authorizer.AllowSubscribe(&c.info, filter):
			fail = codec.NotAuthorized
		}
		if fail != 0 {
			if !v5 {
				fail = 0x80 // [MQTT-3.9.3-2] 3.1.1 failure
			}
			codes = append(codes, byte(fail))
			continue
		}
		// max_qos: any requested QoS is accepted and granted at most the
		// listener's maximum [MQTT-3.2.2-10].
		opts := matcher.Options{QoS: min(sub.QoS, c.maxQoS), NoLocal: sub.NoLocal, RetainAsPublished: sub.RetainAsPublished,
			RetainHandling: sub.RetainHandling, SubscriptionID: subID}
		replaced, err := b.subs.Subscribe(s, filter, opts)
		if err != nil {
			codes = append(codes, byte(codec.UnspecifiedError))
			continue
		}
		s.mu.Lock()
		if s.subs.add(filter) {
			b.stats.subscriptionsAdd(1, isShared(filter))
		}
		s.mu.Unlock()
		codes = append(codes, opts.QoS) // [MQTT-3.9.3-1] one code per filter, in order
		fresh = append(fresh, accepted{filter, opts, replaced})
	}
	// SUBACK [MQTT-3.8.4-1] with the same packet identifier [MQTT-3.8.4-2].
	c.writeCodesAck(codec.SUBACK, p.PacketID, codes)
	b.log.Debug("subscribe", "client", c.info.ClientID, "filters", len(codes))
	// Retained messages matching each new subscription [MQTT-3.3.1-6], with
	// RETAIN set [MQTT-3.3.1-8]; not for shared subscriptions; 5.0 Retain
	// Handling 1 only for a new subscription, 2 never [MQTT-3.3.1-9..11].
	for _, a := range fresh {
		if isShared(a.filter) || a.opts.RetainHandling == 2 || (a.opts.RetainHandling == 1 && a.replaced) {
			continue
		}
		c.sendRetained(a.filter, &a.opts)
	}
	return nil
}

// writeCodesAck queues a SUBACK or (5.0) UNSUBACK: packet identifier, an
// empty property block for 5.0, then one code per filter.
func (c *conn) writeCodesAck(t codec.PacketType, pid uint16, codes []byte) {
	rem := 2 + len(codes)
	if c.version == codec.V5 {
		rem++
	}
	c.reserve(9)
	from := len(c.arena)
	c.arena = codec.AppendFixedHeader(c.arena, t, 0, rem)
	c.arena = append(c.arena, byte(pid>>8), byte(pid))
	if c.version == codec.V5 {
		c.arena = append(c.arena, 0)
	}
	c.appendArena(from)
	c.appendView(codes) // a fresh slice, safe until the flush
	c.loop.b.stats.packetOut(c.loop, rem+1+varintSize(rem))
}

// sendRetained delivers the retained messages matching filter.
func (c *conn) sendRetained(filter string, opts *matcher.Options) {
	var found []message
	c.loop.b.retained.Visit(filter, func(_ string, m message) bool {
		found = append(found, m.retain())
		return true
	})
	for _, m := range found {
		d := delivery{qos: c.loop.b.outgoingQoS(m.qos, opts.QoS), ret: true}
		if opts.SubscriptionID != 0 {
			d.ids[0], d.nids = opts.SubscriptionID, 1
		}
		c.deliver(m, &d)
		m.release()
	}
}

func (c *conn) handleUnsubscribe(f codec.Frame) error {
	b := c.loop.b
	var p codec.Unsubscribe
	if err := p.Decode(c.version, f.Flags, f.Body); err != nil {
		c.protocolError("bad UNSUBSCRIBE", err) // [MQTT-3.10.1-1] [MQTT-3.10.3-2]
		return errClose
	}
	s := c.session
	var codes []byte
	it := p.Iter()
	for {
		fb, ok := it.Next()
		if !ok {
			break
		}
		filter := c.mountFilter(fb)
		s.mu.Lock()
		had := s.subs.remove(filter)
		s.mu.Unlock()
		if had && b.subs.Unsubscribe(s, filter) {
			b.stats.subscriptionsAdd(-1, isShared(filter))
		}
		if had {
			codes = append(codes, byte(codec.Success))
		} else {
			codes = append(codes, byte(codec.NoSubscriptionExisted))
		}
	}
	// [MQTT-3.10.4-4] UNSUBACK even when nothing matched.
	if c.version == codec.V5 {
		c.writeCodesAck(codec.UNSUBACK, p.PacketID, codes)
	} else {
		c.reserve(4)
		from := len(c.arena)
		c.arena = append(c.arena, byte(codec.UNSUBACK)<<4, 2, byte(p.PacketID>>8), byte(p.PacketID))
		c.appendArena(from)
		c.loop.b.stats.packetOut(c.loop, 4)
	}
	return nil
}

func isShared(filter string) bool {
	_, _, shared := matcher.SplitShared(filter)
	return shared
}

// mounted is topic under the connection's mount_point: a fresh slice when
// there is one (topic may alias the read buffer), topic itself otherwise.
func (c *conn) mounted(topic []byte) []byte {
	if c.mount == "" {
		return topic
	}
	return append([]byte(c.mount), topic...)
}

// mountFilter is a filter under the connection's mount_point; a shared
// subscription's filter part is mounted and its group kept.
func (c *conn) mountFilter(f []byte) string {
	if c.mount == "" {
		return string(f)
	}
	if group, filter, shared := matcher.SplitShared(string(f)); shared {
		return "$share/" + group + "/" + c.mount + filter
	}
	return c.mount + string(f)
}
