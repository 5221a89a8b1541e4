package engine

import "github.com/midge-mqtt/midge/codec"

// Output: packets gathered during a loop turn, written in one Writev.

// reserve makes room for n arena bytes (at most arenaSize) and one more
// iovec: a full arena is set aside for the flush and a fresh one taken,
// and output that has reached maxIov iovecs is written first.
func (c *conn) reserve(n int) {
	if len(c.iov) > maxIov {
		c.flush()
	}
	if c.arena == nil {
		c.arena = c.loop.takeArena()
	} else if len(c.arena)+n > cap(c.arena) {
		c.spent = append(c.spent, c.arena)
		c.arena = c.loop.takeArena()
	}
	if !c.dirty {
		c.loop.markDirty(c)
	}
}

// appendArena adds arena bytes [from:] as output, merged with the previous
// iovec when that one ends where these start.
func (c *conn) appendArena(from int) {
	p := c.arena[from:len(c.arena):len(c.arena)]
	c.pending += len(p)
	if k := len(c.iov) - 1; k >= 0 && from > 0 {
		last := c.iov[k]
		if len(last) > 0 && &last[len(last)-1] == &c.arena[from-1] {
			c.iov[k] = c.arena[from-len(last) : len(c.arena) : len(c.arena)]
			return
		}
	}
	c.iov = append(c.iov, p)
}

// appendView adds a slice the connection does not own as output; it must
// stay valid until the end of the turn.
func (c *conn) appendView(p []byte) {
	if len(p) == 0 {
		return
	}
	c.pending += len(p)
	c.iov = append(c.iov, p)
}

// writeSmall queues a packet of a first byte and up to 4 body bytes.
func (c *conn) writeSmall(first byte, body ...byte) {
	c.reserve(2 + len(body))
	from := len(c.arena)
	c.arena = append(c.arena, first, byte(len(body)))
	c.arena = append(c.arena, body...)
	c.appendArena(from)
	c.loop.b.stats.packetOut(c.loop, 2+len(body))
}

// writeAck queues PUBACK/PUBREC/PUBREL/PUBCOMP for pid; a 5.0 client also
// gets rc when it is not Success (§3.4.2.1).
func (c *conn) writeAck(t codec.PacketType, pid uint16, rc codec.ReasonCode) {
	flags := byte(0)
	if t == codec.PUBREL {
		flags = 2 // [MQTT-3.6.1-1]
	}
	c.reserve(5)
	from := len(c.arena)
	if c.version == codec.V5 && rc != codec.Success {
		c.arena = append(c.arena, byte(t)<<4|flags, 3, byte(pid>>8), byte(pid), byte(rc))
	} else {
		c.arena = append(c.arena, byte(t)<<4|flags, 2, byte(pid>>8), byte(pid))
	}
	c.appendArena(from)
	c.loop.b.stats.packetOut(c.loop, len(c.arena)-from)
}

// writePublish queues one PUBLISH: the small header in the arena, topic and
// payload shared (views, or slices of m.buf retained until the flush). It
// returns false, sending nothing, when the packet is larger than a 5.0
// client's Maximum Packet Size [MQTT-3.1.2-25].
func (c *conn) writePublish(m message, d *delivery, dup bool, pid uint16) bool {
	if c.mount != "" {
		// mount_point: the client sees topics without its prefix; a topic
		// not longer than the prefix (a filter ending in # also matches
		// the level above it) has no name to show and is not sent, as in
		// mosquitto.
		if len(m.topic) <= len(c.mount) || string(m.topic[:len(c.mount)]) != c.mount {
			return false
		}
		m.topic = m.topic[len(c.mount):]
	}
	if c.version == codec.V5 {
		return c.writePublishV5(m, d, dup, pid)
	}
	flags := d.qos << 1
	if d.ret {
		flags |= 1
	}
	if dup {
		flags |= 8
	}
	rem := 2 + len(m.topic) + len(m.payload)
	if d.qos > 0 {
		rem += 2
	}
	if len(m.topic)+len(m.payload) <= inlineMax {
		// A small message is copied whole into the arena: a few bytes
		// cost less to copy than two more iovecs for the kernel to walk
		// and a reference to take and drop.
		c.reserve(9 + len(m.topic) + len(m.payload))
		from := len(c.arena)
		c.arena = codec.AppendFixedHeader(c.arena, codec.PUBLISH, flags, rem)
		c.arena = append(c.arena, byte(len(m.topic)>>8), byte(len(m.topic)))
		c.arena = append(c.arena, m.topic...)
		if d.qos > 0 {
			c.arena = append(c.arena, byte(pid>>8), byte(pid))
		}
		c.arena = append(c.arena, m.payload...)
		c.appendArena(from)
	} else {
		c.reserve(12)
		from := len(c.arena)
		c.arena = codec.AppendFixedHeader(c.arena, codec.PUBLISH, flags, rem)
		c.arena = append(c.arena, byte(len(m.topic)>>8), byte(len(m.topic)))
		c.appendArena(from)
		c.appendView(m.topic)
		if d.qos > 0 {
			from = len(c.arena)
			c.arena = append(c.arena, byte(pid>>8), byte(pid))
			c.appendArena(from)
		}
		c.appendView(m.payload)
		c.hold(m)
	}
	c.loop.b.stats.publishOut(c.loop, len(m.payload))
	c.loop.b.stats.packetOut(c.loop, rem+1+varintSize(rem))
	return true
}

// writePublishV5 encodes the per-subscriber header with the shared
// properties, subscription identifiers, remaining expiry and a topic alias.
func (c *conn) writePublishV5(m message, d *delivery, dup bool, pid uint16) bool {
	b := c.loop.b
	h := codec.PublishHeader{Dup: dup, Retain: d.ret, QoS: d.qos, PacketID: pid, Topic: m.topic,
		Shared: m.props, PayloadLen: len(m.payload), SubscriptionIDs: d.subIDs()}
	if m.expiry != 0 {
		left := (m.expiry - b.opts.Now().UnixNano() + 999_999_999) / 1e9
		h.HasMessageExpiry, h.MessageExpiry = true, uint32(max(left, 1)) // [MQTT-3.3.2-6]
	}
	// Upper bound of the header with the topic name spelled out.
	est := 5 + 2 + len(m.topic) + 2 + 4 + 5 + 3 + len(m.props) + 5*len(h.SubscriptionIDs)
	if c.maxPacketOut > 0 && uint64(est+len(m.payload)) > uint64(c.maxPacketOut) {
		exact := len(h.Append(make([]byte, 0, est), codec.V5)) + len(m.payload)
		if uint64(exact) > uint64(c.maxPacketOut) {
			b.stats.publishDropped(c.loop)
			return false
		}
	}
	if c.aliasMaxOut > 0 {
		if a, ok := c.aliasOut[string(m.topic)]; ok {
			h.Topic, h.TopicAlias = nil, a // [MQTT-3.3.2-12] the alias stands for the name
		} else if len(c.aliasOut) < int(c.aliasMaxOut) {
			if c.aliasOut == nil {
				c.aliasOut = make(map[string]uint16)
			}
			a := uint16(len(c.aliasOut) + 1) // 1..Topic Alias Maximum [MQTT-3.3.2-8]
			c.aliasOut[string(m.topic)] = a
			h.TopicAlias = a
		}
	}
	var n int
	switch {
	case est <= arenaSize/2 && len(m.payload) <= inlineMax:
		// Header and a small payload copied together (see writePublish).
		c.reserve(est + len(m.payload))
		from := len(c.arena)
		c.arena = h.Append(c.arena, codec.V5)
		n = len(c.arena) - from
		c.arena = append(c.arena, m.payload...)
		c.appendArena(from)
	case est <= arenaSize/2:
		c.reserve(est)
		from := len(c.arena)
		c.arena = h.Append(c.arena, codec.V5)
		n = len(c.arena) - from
		c.appendArena(from)
		c.appendView(m.payload)
		c.hold(m)
	default:
		c.reserve(0)
		hdr := h.Append(make([]byte, 0, est), codec.V5)
		n = len(hdr)
		c.appendView(hdr)
		c.appendView(m.payload)
		c.hold(m)
	}
	b.stats.publishOut(c.loop, len(m.payload))
	b.stats.packetOut(c.loop, n+len(m.payload))
	return true
}

// inlineMax is the largest topic plus payload that writePublish copies
// into the arena instead of passing as views.
const inlineMax = 128

// hold keeps m's buffer alive until the flush.
func (c *conn) hold(m message) {
	if m.buf != nil {
		m.buf.Retain()
		c.holds = append(c.holds, m.buf)
	}
}

func varintSize(n int) int {
	switch {
	case n < 128:
		return 1
	case n < 16384:
		return 2
	case n < 2097152:
		return 3
	}
	return 4
}

// flush writes everything queued in one Writev and releases what it held.
func (c *conn) flush() {
	if c.flushing {
		return
	}
	c.flushing = true
	defer func() { c.flushing = false }()
	if len(c.iov) > 0 {
		if !c.sysClosed {
			_ = c.t.Writev(c.iov)
		}
		clear(c.iov)
		c.iov = c.iov[:0]
	}
	c.pending = 0
	if c.arena != nil {
		c.loop.giveArena(c.arena) // idle connections hold no output memory
		c.arena = nil
	}
	for i, a := range c.spent {
		c.loop.giveArena(a)
		c.spent[i] = nil
	}
	c.spent = c.spent[:0]
	for i, h := range c.holds {
		h.Release()
		c.holds[i] = nil
	}
	c.holds = c.holds[:0]
}

// outboundFull reports whether a slow reader has more unsent bytes than
// the per-connection limit: QoS 0 messages to it are dropped.
func (c *conn) outboundFull() bool {
	return c.pending+c.t.Buffered() > c.loop.b.opts.OutboundLimit
}
