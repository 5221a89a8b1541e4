package engine

import (
	"errors"

	"github.com/midge-mqtt/midge/codec"
	"github.com/midge-mqtt/midge/matcher"
)

var (
	errSubscribeFlags = errors.New("SUBSCRIBE/UNSUBSCRIBE flags not 0010 [MQTT-3.8.1-1] [MQTT-3.10.1-1]")
	errSubscribeEmpty = errors.New("SUBSCRIBE/UNSUBSCRIBE without a topic filter [MQTT-3.8.3-3] [MQTT-3.10.3-2]")
	errSubscribeShort = errors.New("SUBSCRIBE/UNSUBSCRIBE ends inside a field")
	errSubscribeQoS   = errors.New("SUBSCRIBE requested QoS above 2 or reserved bits set [MQTT-3.8.3-4]")
)

// filterList walks the topic filters of a 3.1/3.1.1 SUBSCRIBE (withQoS) or
// UNSUBSCRIBE body after the packet identifier. Filters alias the body.
type filterList struct {
	rest    []byte
	withQoS bool
}

func (l *filterList) next() (filter []byte, qos byte, err error) {
	if len(l.rest) < 2 {
		return nil, 0, errSubscribeShort
	}
	n := int(l.rest[0])<<8 | int(l.rest[1])
	if len(l.rest) < 2+n {
		return nil, 0, errSubscribeShort
	}
	filter = l.rest[2 : 2+n]
	l.rest = l.rest[2+n:]
	if l.withQoS {
		if len(l.rest) < 1 {
			return nil, 0, errSubscribeShort
		}
		qos = l.rest[0]
		l.rest = l.rest[1:]
		if qos > 2 {
			return nil, 0, errSubscribeQoS // [MQTT-3-8.3-4]
		}
	}
	return filter, qos, nil
}

// subscribeHeader checks the fixed header and reads the packet identifier.
func subscribeHeader(f codec.Frame) (uint16, []byte, error) {
	if f.Flags != 2 {
		return 0, nil, errSubscribeFlags // [MQTT-3.8.1-1] [MQTT-3.10.1-1]
	}
	if len(f.Body) < 2 {
		return 0, nil, errSubscribeShort
	}
	pid := uint16(f.Body[0])<<8 | uint16(f.Body[1])
	if pid == 0 {
		return 0, nil, codec.ProtocolError // [MQTT-2.3.1-1]
	}
	if len(f.Body) == 2 {
		return 0, nil, errSubscribeEmpty // [MQTT-3.8.3-3] [MQTT-3.10.3-2]
	}
	return pid, f.Body[2:], nil
}

func (c *conn) handleSubscribe(f codec.Frame) error {
	b := c.loop.b
	pid, rest, err := subscribeHeader(f)
	if err != nil {
		c.protocolError("bad SUBSCRIBE", err)
		return errClose
	}
	// Validate everything before acting: a malformed packet changes nothing.
	l := filterList{rest: rest, withQoS: true}
	count := 0
	for len(l.rest) > 0 {
		filter, _, err := l.next()
		if err == nil {
			err = codec.ValidUTF8(filter) // [MQTT-1.5.4-1]
		}
		if err != nil {
			c.protocolError("bad SUBSCRIBE", err)
			return errClose
		}
		count++
	}
	if 4+count > 268435455 {
		return errClose
	}
	s := c.session
	granted := make([]byte, 0, count)
	type accepted struct {
		filter string
		qos    byte
	}
	var fresh []accepted
	l = filterList{rest: rest, withQoS: true}
	for len(l.rest) > 0 {
		fb, qos, _ := l.next()
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
	pid, rest, err := subscribeHeader(f)
	if err != nil {
		c.protocolError("bad UNSUBSCRIBE", err)
		return errClose
	}
	l := filterList{rest: rest}
	for len(l.rest) > 0 {
		if _, _, err := l.next(); err != nil {
			c.protocolError("bad UNSUBSCRIBE", err)
			return errClose
		}
	}
	s := c.session
	l = filterList{rest: rest}
	for len(l.rest) > 0 {
		fb, _, _ := l.next()
		filter := string(fb)
		s.mu.Lock()
		_, had := s.subs[filter]
		delete(s.subs, filter)
		s.mu.Unlock()
		if had && b.subs.Unsubscribe(s, filter) {
			b.stats.subscriptionsAdd(-1, isShared(filter))
		}
	}
	c.writeAck(codec.UNSUBACK, pid) // [MQTT-3.10.4-4] even when nothing matched
	return nil
}

func isShared(filter string) bool {
	_, _, shared := matcher.SplitShared(filter)
	return shared
}
