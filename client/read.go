package client

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/midge-mqtt/midge/codec"
)

// frameReader splits packets off a connection. Its buffer starts small and
// grows for a large packet, then shrinks back, so an idle connection holds
// little memory.
type frameReader struct {
	r          io.Reader
	buf        []byte
	start, end int
	// small counts the reads in a row that filled less than an eighth of
	// the buffer.
	small int
}

const (
	initialReadBuffer = 512
	// maxReadBuffer is the largest a stream of small packets grows the
	// buffer to; it shrinks back once the reader has caught up.
	maxReadBuffer = 64 << 10
	// shrinkAfter is how many small reads in a row mean the burst is
	// over. One is not enough: a subscriber fed in bursts with lone
	// messages between them would drop and regrow its buffer each time,
	// garbage that the collector must then stop for.
	shrinkAfter = 32
)

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{r: r, buf: make([]byte, initialReadBuffer)}
}

// next returns the next packet. Its Body aliases the reader's buffer and
// is valid until the following call.
func (f *frameReader) next() (codec.Frame, error) {
	if f.start == f.end && (len(f.buf) > maxReadBuffer ||
		len(f.buf) > initialReadBuffer && f.small >= shrinkAfter) {
		// Caught up after a large packet, or after enough small reads to
		// say a burst is over: a quiet connection holds a small buffer.
		// One that falls silent right after a burst keeps the grown one
		// (at most maxReadBuffer) until its next small reads.
		f.buf = make([]byte, initialReadBuffer)
		f.start, f.end = 0, 0
		f.small = 0
	}
	for {
		fr, err := codec.ReadFrame(f.buf[f.start:f.end], 0)
		if err == nil {
			f.start += fr.Total
			if f.start == f.end {
				f.start, f.end = 0, 0
			}
			return fr, nil
		}
		if !errors.Is(err, codec.ErrNeedMore) {
			return fr, err
		}
		if fr.Total > len(f.buf)-f.start {
			// Make room for the whole packet.
			nb := make([]byte, max(fr.Total, 2*len(f.buf)))
			f.end = copy(nb, f.buf[f.start:f.end])
			f.start = 0
			f.buf = nb
		}
		if f.end == len(f.buf) {
			f.end = copy(f.buf, f.buf[f.start:f.end])
			f.start = 0
		}
		free := len(f.buf) - f.end
		n, err := f.r.Read(f.buf[f.end:])
		f.end += n
		if n < len(f.buf)/8 {
			f.small++
		} else {
			f.small = 0
		}
		if n == free && len(f.buf) < maxReadBuffer && f.start == 0 {
			// The read filled the buffer: more is waiting. A larger
			// buffer takes a burst of small packets in fewer reads.
			nb := make([]byte, 2*len(f.buf))
			f.end = copy(nb, f.buf[:f.end])
			f.buf = nb
		}
		if err != nil && n == 0 {
			return codec.Frame{}, err
		}
	}
}

// hasPacket reports whether a whole packet is already buffered, so the
// next call returns without reading.
func (f *frameReader) hasPacket() bool {
	_, err := codec.ReadFrame(f.buf[f.start:f.end], 0)
	return err == nil
}

// receiver holds the decode targets of the reader goroutine, reused for
// every packet.
type receiver struct {
	pub    codec.Publish
	ack    codec.Ack
	suback codec.Suback
	unsub  codec.Unsuback
	msg    Message // lent to OnMessage under Options.BorrowMessages
}

// readLoop handles every packet from the server until the connection ends.
func (c *Client) readLoop(fr *frameReader) {
	defer func() {
		if c.messages != nil {
			<-c.done
			close(c.messages)
		}
	}()
	var rx receiver
	for {
		f, err := fr.next()
		c.rxMore = err == nil && fr.hasPacket()
		if err != nil {
			select {
			case <-c.done:
			default:
				if c.closing.Load() {
					err = nil
				} else if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
					err = fmt.Errorf("client: connection closed by server: %w", err)
				}
				c.shutdown(err)
			}
			return
		}
		if err := c.handle(&rx, f); err != nil {
			c.shutdown(err)
			return
		}
	}
}

// handle acts on one packet from the server.
func (c *Client) handle(rx *receiver, f codec.Frame) error {
	v := codec.Version(c.version)
	switch f.Type {
	case codec.PUBLISH:
		if err := rx.pub.Decode(v, f.Flags, f.Body); err != nil {
			return err
		}
		var m *Message
		if c.borrowing() {
			m = lentMessage(&rx.msg, c.version, &rx.pub, f.Body)
		} else {
			m = messageFrom(c.version, &rx.pub, f.Body)
		}
		if alias := m.Properties.TopicAlias; alias != 0 {
			// §3.3.2.3.4: a topic sets the alias, an empty topic uses it.
			if m.Topic != "" {
				if c.aliases == nil {
					c.aliases = make(map[uint16]string)
				}
				c.aliases[alias] = strings.Clone(m.Topic) // a lent topic lives in the read buffer
			} else if m.Topic = c.aliases[alias]; m.Topic == "" {
				return errors.New("client: server used an unknown topic alias") // §3.3.2.3.4: a protocol error
			}
		}
		return c.handlePublish(m)
	case codec.PUBACK, codec.PUBREC, codec.PUBREL, codec.PUBCOMP:
		rx.ack.Kind = f.Type
		if err := rx.ack.Decode(v, f.Flags, f.Body); err != nil {
			return err
		}
		return c.handleAck(f.Type, rx.ack.PacketID, byte(rx.ack.ReasonCode))
	case codec.SUBACK:
		if err := rx.suback.Decode(v, f.Flags, f.Body); err != nil {
			return err
		}
		c.logf("Client %s received SUBACK", c.logID())
		c.complete(rx.suback.PacketID, codec.SUBACK, rx.suback.ReasonCodes, &rx.suback.Props)
	case codec.UNSUBACK:
		if err := rx.unsub.Decode(v, f.Flags, f.Body); err != nil {
			return err
		}
		c.logf("Client %s received UNSUBACK", c.logID())
		c.complete(rx.unsub.PacketID, codec.UNSUBACK, rx.unsub.ReasonCodes, &rx.unsub.Props)
	case codec.PINGRESP:
		c.logf("Client %s received PINGRESP", c.logID())
		c.pingSent.Store(false)
	case codec.DISCONNECT:
		var d codec.Disconnect
		if err := d.Decode(v, f.Flags, f.Body); err != nil {
			return err
		}
		c.disconnect = disconnectFrom(&d)
		c.logf("Client %s received DISCONNECT (%d)", c.logID(), d.ReasonCode)
		return &DisconnectError{Disconnect: *c.disconnect}
	default:
		return fmt.Errorf("client: unexpected %s from server", f.Type)
	}
	return nil
}

// complete hands a SUBACK or UNSUBACK to the request waiting for it.
func (c *Client) complete(id uint16, kind codec.PacketType, codes []codec.ReasonCode, props *codec.Properties) {
	op := c.takePending(id, kind)
	if op == nil {
		return
	}
	res := ackResult{codes: make([]byte, len(codes))}
	for i, rc := range codes {
		res.codes[i] = byte(rc)
	}
	res.props = ackProps{reasonString: string(props.ReasonString), user: userFromCodec(props)}
	c.finish(op, res)
}

// handleAck matches a PUBACK, PUBREC, PUBREL or PUBCOMP to its flow.
func (c *Client) handleAck(t codec.PacketType, id uint16, code byte) error {
	switch t {
	case codec.PUBACK:
		if c.opts.Log != nil {
			c.logf("Client %s received PUBACK (Mid: %d, RC:%d)", c.logID(), id, code)
		}
		if op := c.takePending(id, codec.PUBACK); op != nil {
			c.finish(op, ackResult{code: code})
		}
	case codec.PUBREC:
		if c.opts.Log != nil {
			c.logf("Client %s received PUBREC (Mid: %d)", c.logID(), id)
		}
		op := c.takePending(id, codec.PUBREC)
		if op == nil {
			return nil
		}
		if code >= 0x80 { // an error PUBREC ends the flow (§4.3.3)
			c.finish(op, ackResult{code: code})
			return nil
		}
		op.kind = codec.PUBCOMP
		c.mu.Lock()
		if c.ended {
			c.mu.Unlock()
			c.finish(op, ackResult{err: c.closedErr()})
			return nil
		}
		c.pending[id] = op
		c.mu.Unlock()
		if c.opts.Log != nil {
			c.logf("Client %s sending PUBREL (m%d)", c.logID(), id)
		}
		return c.writePacket(&codec.Ack{Kind: codec.PUBREL, PacketID: id}) // [MQTT-4.3.3-3]
	case codec.PUBCOMP:
		if c.opts.Log != nil {
			c.logf("Client %s received PUBCOMP (Mid: %d, RC:%d)", c.logID(), id, code)
		}
		if op := c.takePending(id, codec.PUBCOMP); op != nil {
			c.finish(op, ackResult{code: code})
		}
	case codec.PUBREL:
		if c.opts.Log != nil {
			c.logf("Client %s received PUBREL (Mid: %d)", c.logID(), id)
		}
		c.mu.Lock()
		held := c.incoming2[id]
		delete(c.incoming2, id)
		c.mu.Unlock()
		if c.opts.Log != nil {
			c.logf("Client %s sending PUBCOMP (m%d)", c.logID(), id)
		}
		err := c.writePacket(&codec.Ack{Kind: codec.PUBCOMP, PacketID: id}) // [MQTT-4.3.3-11]
		if held != nil {
			c.deliver(held)
		}
		return err
	}
	return nil
}

// handlePublish delivers an incoming message and acknowledges it. A QoS 2
// message is delivered on PUBLISH (or, with DeliverQoS2OnRelease, on
// PUBREL) and its id remembered until PUBREL, so a resent PUBLISH is not
// delivered twice [MQTT-4.3.3-10].
func (c *Client) handlePublish(m *Message) error {
	if c.opts.Log != nil {
		c.logf("Client %s received PUBLISH (d%d, q%d, r%d, m%d, '%s', ... (%d bytes))",
			c.logID(), b2i(m.Duplicate), m.QoS, b2i(m.Retain), m.PacketID, m.Topic, len(m.Payload))
	}
	deliverNow := true
	if m.QoS == 2 {
		c.mu.Lock()
		_, seen := c.incoming2[m.PacketID]
		var held *Message
		if c.opts.DeliverQoS2OnRelease && !seen {
			held = m
			if c.borrowing() {
				held = m.Clone() // delivered later, after the read buffer moved on
			}
		}
		if c.incoming2 == nil {
			c.incoming2 = make(map[uint16]*Message)
		}
		if !seen { // a resent PUBLISH keeps the message already held
			c.incoming2[m.PacketID] = held
		}
		c.mu.Unlock()
		deliverNow = !seen && held == nil
	}
	// Acknowledge first, then deliver, in libmosquitto's order (the -d
	// logs of the tools then read the same).
	var err error
	switch m.QoS {
	case 1:
		if c.opts.Log != nil {
			c.logf("Client %s sending PUBACK (m%d, rc0)", c.logID(), m.PacketID)
		}
		err = c.writeReaderAck(codec.PUBACK, m.PacketID) // [MQTT-4.3.2-4]
	case 2:
		if c.opts.Log != nil {
			c.logf("Client %s sending PUBREC (m%d, rc0)", c.logID(), m.PacketID)
		}
		err = c.writeReaderAck(codec.PUBREC, m.PacketID) // [MQTT-4.3.3-9]
	}
	if deliverNow {
		c.deliver(m)
	}
	return err
}

// borrowing reports whether received messages are lent to OnMessage
// (Options.BorrowMessages) instead of allocated for it.
func (c *Client) borrowing() bool { return c.opts.BorrowMessages && c.opts.OnMessage != nil }

// deliver hands m to the application; false when the connection ended
// while waiting for room in the Messages channel.
func (c *Client) deliver(m *Message) bool {
	if c.opts.OnMessage != nil {
		c.opts.OnMessage(m)
		return true
	}
	select {
	case c.messages <- m:
		return true
	case <-c.done:
		return false
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
