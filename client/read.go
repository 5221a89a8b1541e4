package client

import (
	"errors"
	"fmt"
	"io"
	"net"
)

// frameReader splits packets off a connection. Its buffer starts small and
// grows for a large packet, then shrinks back, so an idle connection holds
// little memory.
type frameReader struct {
	r          io.Reader
	buf        []byte
	start, end int
}

const initialReadBuffer = 512

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{r: r, buf: make([]byte, initialReadBuffer)}
}

// next returns the first byte and body of the next packet. body aliases
// the reader's buffer and is valid until the following call.
func (f *frameReader) next() (first byte, body []byte, err error) {
	if f.start == f.end && cap(f.buf) > 64<<10 {
		f.buf = make([]byte, initialReadBuffer)
		f.start, f.end = 0, 0
	}
	for {
		if first, body, n, ok, err := parseFrame(f.buf[f.start:f.end]); err != nil {
			return 0, nil, err
		} else if ok {
			f.start += n
			if f.start == f.end {
				f.start, f.end = 0, 0
			}
			return first, body, nil
		} else if n > len(f.buf)-f.start {
			// Make room for the whole packet.
			nb := make([]byte, max(n, 2*len(f.buf)))
			f.end = copy(nb, f.buf[f.start:f.end])
			f.start = 0
			f.buf = nb
		}
		if f.end == len(f.buf) {
			f.end = copy(f.buf, f.buf[f.start:f.end])
			f.start = 0
		}
		m, err := f.r.Read(f.buf[f.end:])
		f.end += m
		if err != nil && m == 0 {
			return 0, nil, err
		}
	}
}

// parseFrame reports the packet at the start of b: ok with its total size
// n, or !ok with n the size needed (0 when the length is not yet known).
func parseFrame(b []byte) (first byte, body []byte, n int, ok bool, err error) {
	if len(b) < 2 {
		return 0, nil, 0, false, nil
	}
	rem, shift := 0, 0
	for i := 1; i <= 4; i++ {
		if i >= len(b) {
			return 0, nil, 0, false, nil
		}
		rem |= int(b[i]&0x7F) << shift
		if b[i]&0x80 == 0 {
			total := i + 1 + rem
			if len(b) < total {
				return 0, nil, total, false, nil
			}
			return b[0], b[i+1 : total], total, true, nil
		}
		shift += 7
	}
	return 0, nil, 0, false, errMalformed // [MQTT-1.5.5] at most four bytes
}

// readLoop handles every packet from the server until the connection ends.
func (c *Client) readLoop(fr *frameReader) {
	defer func() {
		if c.messages != nil {
			<-c.done
			close(c.messages)
		}
	}()
	for {
		first, body, err := fr.next()
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
		if err := c.handle(first, body); err != nil {
			c.shutdown(err)
			return
		}
	}
}

// handle acts on one packet from the server.
func (c *Client) handle(first byte, body []byte) error {
	t := first >> 4
	switch t {
	case pktPublish:
		return c.handlePublish(first, body)
	case pktPuback, pktPubrec, pktPubcomp, pktPubrel:
		r := reader{b: body}
		id := r.u16()
		var code byte
		if c.version == V5 && len(r.b) > 0 {
			code = r.u8()
		}
		if r.err != nil {
			return r.err
		}
		return c.handleAck(t, id, code)
	case pktSuback, pktUnsuback:
		r := reader{b: body}
		id := r.u16()
		var props ackProps
		if c.version == V5 {
			block := r.props()
			if err := eachProp(block, props.read); err != nil {
				return err
			}
		}
		if r.err != nil {
			return r.err
		}
		codes := append([]byte(nil), r.b...)
		kind := byte(pktSubscribe)
		if t == pktUnsuback {
			kind = pktUnsubscribe
		}
		c.logf("Client %s received %s", c.logID(), packetNames[t])
		if op := c.takePending(id, kind); op != nil {
			op.done(ackResult{codes: codes, props: props})
		}
	case pktPingresp:
		c.logf("Client %s received PINGRESP", c.logID())
		c.pingSent.Store(false)
	case pktDisconnect:
		d, err := decodeDisconnect(c.version, body)
		if err != nil {
			return err
		}
		c.disconnect = d
		c.logf("Client %s received DISCONNECT (%d)", c.logID(), d.ReasonCode)
		return &DisconnectError{Disconnect: *d}
	default:
		return fmt.Errorf("client: unexpected %s from server", packetNames[t])
	}
	return nil
}

func (p *ackProps) read(id byte, r *reader) {
	switch id {
	case propReasonString:
		p.reasonString = string(r.bytes())
	case propUserProperty:
		k, v := r.bytes(), r.bytes()
		p.user = append(p.user, UserProperty{string(k), string(v)})
	default:
		skipProp(id, r)
	}
}

// handleAck matches a PUBACK, PUBREC, PUBREL or PUBCOMP to its flow.
func (c *Client) handleAck(t byte, id uint16, code byte) error {
	switch t {
	case pktPuback:
		c.logf("Client %s received PUBACK (Mid: %d, RC:%d)", c.logID(), id, code)
		if op := c.takePending(id, pktPublish); op != nil {
			op.done(ackResult{codes: []byte{code}})
		}
	case pktPubrec:
		c.logf("Client %s received PUBREC (Mid: %d)", c.logID(), id)
		op := c.takePending(id, pktPubrec)
		if op == nil {
			return nil
		}
		if code >= 0x80 { // an error PUBREC ends the flow (§4.3.3)
			op.done(ackResult{codes: []byte{code}})
			return nil
		}
		op.kind = pktPubcomp
		c.mu.Lock()
		c.pending[id] = op
		c.mu.Unlock()
		c.logf("Client %s sending PUBREL (m%d)", c.logID(), id)
		return c.writePacket(pktPubrel<<4|0x02, appendUint16(nil, id)) // [MQTT-3.6.1-1] flags 0010
	case pktPubcomp:
		c.logf("Client %s received PUBCOMP (Mid: %d, RC:%d)", c.logID(), id, code)
		if op := c.takePending(id, pktPubcomp); op != nil {
			op.done(ackResult{codes: []byte{code}})
		}
	case pktPubrel:
		c.logf("Client %s received PUBREL (Mid: %d)", c.logID(), id)
		c.mu.Lock()
		delete(c.incoming2, id)
		c.mu.Unlock()
		c.logf("Client %s sending PUBCOMP (m%d)", c.logID(), id)
		return c.writePacket(pktPubcomp<<4, appendUint16(nil, id)) // [MQTT-4.3.3-11]
	}
	return nil
}

// handlePublish decodes an incoming PUBLISH, delivers it and acknowledges
// it. QoS 2 messages are delivered on PUBLISH and their id remembered until
// PUBREL, so a resent PUBLISH is not delivered twice [MQTT-4.3.3-10].
func (c *Client) handlePublish(first byte, body []byte) error {
	m, err := decodePublish(c.version, first, body)
	if err != nil {
		return err
	}
	c.logf("Client %s received PUBLISH (d%d, q%d, r%d, m%d, '%s', ... (%d bytes))",
		c.logID(), b2i(m.Duplicate), m.QoS, b2i(m.Retain), m.PacketID, m.Topic, len(m.Payload))
	deliver := true
	if m.QoS == 2 {
		c.mu.Lock()
		_, seen := c.incoming2[m.PacketID]
		c.incoming2[m.PacketID] = struct{}{}
		c.mu.Unlock()
		deliver = !seen
	}
	if deliver {
		if c.opts.OnMessage != nil {
			c.opts.OnMessage(m)
		} else {
			select {
			case c.messages <- m:
			case <-c.done:
				return nil
			}
		}
	}
	switch m.QoS {
	case 1:
		c.logf("Client %s sending PUBACK (m%d, rc0)", c.logID(), m.PacketID)
		return c.writePacket(pktPuback<<4, appendUint16(nil, m.PacketID)) // [MQTT-4.3.2-4]
	case 2:
		c.logf("Client %s sending PUBREC (m%d, rc0)", c.logID(), m.PacketID)
		return c.writePacket(pktPubrec<<4, appendUint16(nil, m.PacketID)) // [MQTT-4.3.3-9]
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
