package client

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"github.com/midge-mqtt/midge/codec"
)

// The write path has no goroutine of its own. A sender appends its packet
// to the pending buffer under writeMu; if no other sender is writing to
// the connection it becomes the flusher and writes everything pending,
// including what others append meanwhile, in as few syscalls as the
// senders' timing allows. Buffers are swapped, not copied, and a buffer
// grown by a large message is dropped afterwards.

const maxKeptWriteBuffer = 64 << 10

// ErrPacketTooLarge is returned for a message larger than the server's
// Maximum Packet Size; nothing is sent and the connection stays up.
var ErrPacketTooLarge = errors.New("client: packet larger than the server accepts")

// writePacket sends one packet, and with it anything a Cork holds: only
// PUBLISH packets wait for Uncork.
func (c *Client) writePacket(p codec.Packet) error {
	c.writeMu.Lock()
	c.pendingOut = p.Append(c.pendingOut, codec.Version(c.version))
	return c.flushForced()
}

// writePublishPacket encodes a PUBLISH straight into the pending buffer
// through a reused codec.Publish, without allocating.
func (c *Client) writePublishPacket(m *Message, id uint16) error {
	c.writeMu.Lock()
	p := &c.txPublish
	p.Dup, p.QoS, p.Retain, p.PacketID = m.Duplicate, m.QoS, m.Retain, id // [MQTT-2.2.1-3]
	p.Topic = unsafe.Slice(unsafe.StringData(m.Topic), len(m.Topic))      // read only by Append
	p.Payload = m.Payload
	if c.version == V5 && !m.Properties.emptyForSend() {
		p.Props = m.Properties.toCodec()
	} else {
		p.Props = codec.Properties{}
	}
	start := len(c.pendingOut)
	c.pendingOut = p.Append(c.pendingOut, codec.Version(c.version))
	p.Topic, p.Payload, p.Props = nil, nil, codec.Properties{}
	if max := c.server.maxPacket; max != 0 && uint64(len(c.pendingOut)-start) > uint64(max) {
		size := len(c.pendingOut) - start
		c.pendingOut = c.pendingOut[:start]
		c.writeMu.Unlock()
		return fmt.Errorf("%w: %d-byte PUBLISH, the server's maximum is %d", ErrPacketTooLarge, size, max) // [MQTT-3.2.2-15]
	}
	return c.flushLocked()
}

// writeReaderAck sends an acknowledgement from the reader goroutine. While
// more received packets wait in the read buffer it is held, and leaves
// with the acknowledgement of the last of them: a burst of QoS 1 messages
// is acknowledged in one write.
func (c *Client) writeReaderAck(kind codec.PacketType, id uint16) error {
	a := codec.Ack{Kind: kind, PacketID: id} // a concrete value: it does not escape
	c.writeMu.Lock()
	c.pendingOut = a.Append(c.pendingOut, codec.Version(c.version))
	if c.rxMore {
		c.writeMu.Unlock()
		return nil
	}
	return c.flushForced()
}

// Cork holds back writes: PUBLISH packets sent until the matching Uncork wait in
// the pending buffer and leave together, in as few writes as their size
// allows. A publisher with several messages ready uses it to hand the
// connection one burst instead of a write per message. A QoS 1 or 2
// publish that has to wait for the inflight window writes what is held
// first, so a corked client cannot wait for acknowledgements of messages
// it has not sent.
func (c *Client) Cork() {
	c.writeMu.Lock()
	c.corked++
	c.writeMu.Unlock()
}

// Uncork undoes one Cork; when none is left it writes what was held.
func (c *Client) Uncork() error {
	c.writeMu.Lock()
	if c.corked > 0 {
		c.corked--
	}
	if c.corked > 0 {
		c.writeMu.Unlock()
		return nil
	}
	return c.flushLocked()
}

// flushHeld writes what Cork holds back, leaving the cork in place.
func (c *Client) flushHeld() error {
	c.writeMu.Lock()
	return c.flushForced()
}

// flushLocked is called with writeMu held and releases it.
func (c *Client) flushLocked() error {
	if c.corked > 0 {
		c.writeMu.Unlock()
		return nil // Uncork writes it
	}
	return c.flushForced()
}

// flushForced is flushLocked regardless of Cork.
func (c *Client) flushForced() error {
	if c.flushing {
		c.writeMu.Unlock()
		return nil // the flusher writes our bytes too
	}
	c.flushing = true
	var err error
	for len(c.pendingOut) > 0 && err == nil {
		out := c.pendingOut
		c.pendingOut = c.spareOut[:0]
		c.writeMu.Unlock()
		_, err = c.conn.Write(out)
		c.lastSend.Store(time.Now().UnixNano())
		c.writeMu.Lock()
		if cap(out) > maxKeptWriteBuffer {
			out = nil
		}
		c.spareOut = out
	}
	c.flushing = false
	if err != nil {
		c.pendingOut = c.pendingOut[:0]
	}
	c.writeMu.Unlock()
	if err != nil {
		c.shutdown(err)
	}
	return err
}

// emptyForSend reports whether no property that a PUBLISH carries from
// the sender is set.
func (p *PublishProperties) emptyForSend() bool {
	return p.PayloadFormat == nil && p.MessageExpiry == nil && p.TopicAlias == 0 &&
		p.ResponseTopic == "" && p.CorrelationData == nil && p.ContentType == "" &&
		len(p.UserProperties) == 0
}
