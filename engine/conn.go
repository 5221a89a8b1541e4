package engine

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/midge-mqtt/midge/codec"
	"github.com/midge-mqtt/midge/internal/pool"
)

// connState is where a connection stands in the MQTT flow.
type connState uint8

const (
	stateAwaitConnect connState = iota // nothing but CONNECT is accepted
	stateConnected                     // CONNACK 0 sent
	stateClosing                       // refused, taken over, timed out: input ignored
)

// arenaSize is the per-connection scratch for small packets (acks, PUBLISH
// headers) gathered during a turn; when full the connection flushes early.
const arenaSize = 2048

// maxIov keeps one Writev under the kernel's IOV_MAX (1024).
const maxIov = 1000

// conn is the session core's view of one network connection. Its fields are
// touched only by the loop that owns it, except gen and takenOver.
type conn struct {
	loop *loop
	t    Transport
	gen  uint64

	state   connState
	version codec.Version
	session *session
	info    ClientInfo

	keepAlive time.Duration // 1.5 x the client's keep-alive, 0 = none
	lastRecv  time.Time
	timer     timer

	will            *will
	cleanDisconnect bool         // DISCONNECT received: the will is discarded
	takenOver       atomic.Bool  // another connection took the session over
	closeReason     atomic.Value // string, why the broker closed it
	sysClosed       bool         // closed() has run: write nothing more
	flushing        bool

	// Output gathered during the turn, written in one Writev by flush.
	dirty   bool
	iov     [][]byte
	arena   []byte
	holds   []*pool.Buffer
	pending int // bytes in iov
}

var connGen atomic.Uint64

// newConn registers a new connection on this loop and arms its CONNECT
// timeout.
func (lp *loop) newConn(t Transport) *conn {
	c := &conn{loop: lp, t: t, gen: connGen.Add(1), arena: make([]byte, 0, arenaSize)}
	c.lastRecv = lp.b.opts.Now()
	c.timer.fire = c.onTimer
	lp.wheel.schedule(&c.timer, c.lastRecv.Add(lp.b.opts.ConnectTimeout))
	lp.b.stats.socketOpened(lp)
	return c
}

// online reports whether the connection completed CONNECT and is not going.
func (c *conn) online() bool { return c.state == stateConnected && !c.takenOver.Load() }

// errClose is returned by handlers to close the connection without another
// word: the reason was logged where it was decided.
var errClose = errors.New("engine: connection closed")

// handleBytes handles every complete packet at the start of buf and
// returns how many bytes it consumed. A partial packet is left for the next
// call. A non-nil error means the connection must be closed.
func (c *conn) handleBytes(buf []byte) (int, error) {
	if c.state == stateClosing {
		return len(buf), errClose
	}
	b := c.loop.b
	off := 0
	for off < len(buf) {
		f, err := codec.ReadFrame(buf[off:], b.opts.MaxPacketSize)
		if err == codec.ErrNeedMore {
			break
		}
		if err != nil {
			c.protocolError("bad frame", err)
			return off, err
		}
		b.stats.packetIn(c.loop, f.Total)
		if err := c.handlePacket(f); err != nil {
			return off + f.Total, err
		}
		off += f.Total
		if c.state == stateClosing {
			return off, errClose
		}
	}
	if off > 0 {
		c.lastRecv = b.opts.Now()
	}
	return off, nil
}

// protocolError logs why a connection is being closed for what it sent.
func (c *conn) protocolError(what string, err error) {
	c.loop.b.log.Info("protocol error, closing", "client", c.info.ClientID, "remote", c.remote(), "what", what, "err", err)
	c.closeReason.Store("protocol error")
}

func (c *conn) remote() string {
	if a := c.t.RemoteAddr(); a != nil {
		return a.String()
	}
	return ""
}

// handlePacket dispatches one framed packet.
func (c *conn) handlePacket(f codec.Frame) error {
	if c.state == stateAwaitConnect {
		if f.Type != codec.CONNECT {
			c.protocolError("first packet is not CONNECT", errors.New(f.Type.String())) // [MQTT-3.1.0-1]
			return errClose
		}
		return c.handleConnect(f)
	}
	switch f.Type {
	case codec.PUBLISH:
		return c.handlePublish(f)
	case codec.PUBACK, codec.PUBREC, codec.PUBREL, codec.PUBCOMP:
		return c.handleAck(f)
	case codec.SUBSCRIBE:
		return c.handleSubscribe(f)
	case codec.UNSUBSCRIBE:
		return c.handleUnsubscribe(f)
	case codec.PINGREQ:
		if f.Flags != 0 || f.RemainingLength != 0 {
			c.protocolError("malformed PINGREQ", codec.MalformedPacket) // [MQTT-2.2.2-2]
			return errClose
		}
		c.writeSmall(byte(codec.PINGRESP) << 4) // [MQTT-3.12.4-1]
		return nil
	case codec.DISCONNECT:
		return c.handleDisconnect(f)
	case codec.CONNECT:
		c.protocolError("second CONNECT", codec.ProtocolError) // [MQTT-3.1.0-2]
		return errClose
	default:
		c.protocolError("unexpected packet", errors.New(f.Type.String()))
		return errClose
	}
}

// onTimer is the connection's wheel timer: CONNECT timeout before CONNACK,
// keep-alive after.
func (c *conn) onTimer(now time.Time) {
	switch c.state {
	case stateAwaitConnect:
		c.loop.b.log.Info("connect timeout, closing", "remote", c.remote())
		c.closeReason.Store("connect timeout")
		c.state = stateClosing
		_ = c.t.Close()
	case stateConnected:
		if c.keepAlive == 0 {
			return
		}
		deadline := c.lastRecv.Add(c.keepAlive)
		if now.Before(deadline) {
			c.loop.wheel.schedule(&c.timer, deadline)
			return
		}
		// [MQTT-3.1.2-24] nothing received within 1.5 x keep-alive.
		c.loop.b.log.Info("keep-alive timeout, closing", "client", c.info.ClientID, "remote", c.remote())
		c.closeReason.Store("keep-alive timeout")
		c.state = stateClosing
		_ = c.t.Close()
	}
}

// closeFromBroker closes the connection for reason (any goroutine).
func (c *conn) closeFromBroker(reason string) {
	c.closeReason.Store(reason)
	_ = c.t.Close()
}

// closed runs once when the transport has closed: publish the will unless
// DISCONNECT discarded it, and let go of the session.
func (c *conn) closed(err error) {
	if c.sysClosed {
		return
	}
	lp := c.loop
	b := lp.b
	lp.wheel.cancel(&c.timer)
	wasConnected := c.session != nil
	c.state = stateClosing
	if !c.flushing {
		c.flush() // last words (a refusing CONNACK) before the socket goes
	}
	c.sysClosed = true
	if !wasConnected {
		b.releaseSlot()
		return
	}
	reason, _ := c.closeReason.Load().(string)
	switch {
	case c.takenOver.Load():
		reason = "session taken over"
	case c.cleanDisconnect:
		reason = "disconnected by client"
	case reason == "" && err != nil:
		reason = err.Error()
	case reason == "":
		reason = "connection closed by client"
	}
	b.log.Info("client disconnected", "client", c.info.ClientID, "remote", c.remote(), "reason", reason)
	if w := c.will; w != nil {
		c.will = nil
		if !c.cleanDisconnect {
			b.publishWill(lp, w, &c.info)
		}
		w.msg.release()
	}
	b.detach(c)
	b.releaseSlot()
}

// --- output ---

// reserve makes room for n arena bytes and one more iovec, flushing first
// if the arena is full.
func (c *conn) reserve(n int) {
	if len(c.arena)+n > cap(c.arena) || len(c.iov) > maxIov {
		c.flush()
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

// writeAck queues PUBACK/PUBREC/PUBREL/PUBCOMP/UNSUBACK for pid.
func (c *conn) writeAck(t codec.PacketType, pid uint16) {
	flags := byte(0)
	if t == codec.PUBREL {
		flags = 2 // [MQTT-3.6.1-1]
	}
	c.reserve(4)
	from := len(c.arena)
	c.arena = append(c.arena, byte(t)<<4|flags, 2, byte(pid>>8), byte(pid))
	c.appendArena(from)
	c.loop.b.stats.packetOut(c.loop, 4)
}

// writePublish queues one PUBLISH: the small header in the arena, topic and
// payload shared (views, or slices of m.buf retained until the flush).
func (c *conn) writePublish(m message, qos byte, ret, dup bool, pid uint16) {
	flags := qos << 1
	if ret {
		flags |= 1
	}
	if dup {
		flags |= 8
	}
	rem := 2 + len(m.topic) + len(m.payload)
	if qos > 0 {
		rem += 2
	}
	c.reserve(12)
	from := len(c.arena)
	c.arena = codec.AppendFixedHeader(c.arena, codec.PUBLISH, flags, rem)
	c.arena = append(c.arena, byte(len(m.topic)>>8), byte(len(m.topic)))
	c.appendArena(from)
	c.appendView(m.topic)
	if qos > 0 {
		from = len(c.arena)
		c.arena = append(c.arena, byte(pid>>8), byte(pid))
		c.appendArena(from)
	}
	c.appendView(m.payload)
	if m.buf != nil {
		m.buf.Retain()
		c.holds = append(c.holds, m.buf)
	}
	c.loop.b.stats.publishOut(c.loop, len(m.payload))
	c.loop.b.stats.packetOut(c.loop, rem+1+varintSize(rem))
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
	c.arena = c.arena[:0]
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
