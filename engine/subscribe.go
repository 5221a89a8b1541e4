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
	pid, count := p.PacketID, p.Len()
	s := c.session
	granted := make([]byte, 0, count)
	type accepted struct {
		filter string
		qos    byte
	}
	var fresh []accepted
	it := p.Iter()
	for {
		sub, ok := it.Next()
		if !ok {
			break
		}
		fb, qos := sub.Filter, sub.QoS
		filter := string(fb)
		if codec.ValidTopicFilter(fb) != nil || b.checkTopicLevels(fb) != nil ||
			(b.opts.Authorizer != nil && !b.opts.Authorizer.AllowSubscribe(&c.info, filter)) {
			granted = append(granted, 0x80) // [MQTT-3.9.3-2] failure for this filter
			continue
		}
		if _, err := b.subs.Subscribe(s, filter, matcher.Options{QoS: qos}); err != nil {
			granted = append(granted, 0x80)
			continue
		}
		s.mu.Lock()
		if _, had := s.subs[filter]; !had {
			b.stats.subscriptionsAdd(1, isShared(filter))
		}
		s.subs[filter] = qos
		s.mu.Unlock()
		granted = append(granted, qos) // [MQTT-3.9.3-1] one code per filter, in order
		fresh = append(fresh, accepted{filter, qos})
	}
	// SUBACK [MQTT-3.8.4-1] with the same packet identifier [MQTT-3.8.4-2].
	rem := 2 + len(granted)
	c.reserve(8)
	from := len(c.arena)
	c.arena = codec.AppendFixedHeader(c.arena, codec.SUBACK, 0, rem)
	c.arena = append(c.arena, byte(pid>>8), byte(pid))
	c.appendArena(from)
	c.appendView(granted) // a fresh slice, safe until the flush
	b.log.Debug("subscribe", "client", c.info.ClientID, "filters", len(granted))
	// Retained messages matching each new subscription [MQTT-3.3.1-6], with
	// RETAIN set [MQTT-3.3.1-8]; not for shared subscriptions.
	for _, a := range fresh {
		if _, _, shared := matcher.SplitShared(a.filter); shared {
			continue
		}
		c.sendRetained(a.filter, a.qos)
	}
	return nil
}

// sendRetained delivers the retained messages matching filter.
func (c *conn) sendRetained(filter string, granted byte) {
	var found []message
	c.loop.b.retained.Visit(filter, func(_ string, m message) bool {
		found = append(found, m.retain())
		return true
	})
	for _, m := range found {
		c.deliver(m, min(m.qos, granted), true)
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
	it := p.Iter()
	for {
		fb, ok := it.Next()
		if !ok {
			break
		}
		filter := string(fb)
		s.mu.Lock()
		_, had := s.subs[filter]
		delete(s.subs, filter)
		s.mu.Unlock()
		if had && b.subs.Unsubscribe(s, filter) {
			b.stats.subscriptionsAdd(-1, isShared(filter))
		}
	}
	c.writeAck(codec.UNSUBACK, p.PacketID) // [MQTT-3.10.4-4] even when nothing matched
	return nil
}

func isShared(filter string) bool {
	_, _, shared := matcher.SplitShared(filter)
	return shared
}
