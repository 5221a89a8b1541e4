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

	// MQTT 5 limits the client announced in CONNECT.
	recvMax      uint16 // its Receive Maximum
	maxPacketOut uint32 // its Maximum Packet Size, 0 = protocol maximum
	aliasMaxOut  uint16 // its Topic Alias Maximum
	aliasOut     map[string]uint16
	aliasIn      map[uint16]string // aliases the client set [MQTT-3.3.2-12]

	keepAlive time.Duration // 1.5 x the client's keep-alive, 0 = none
	lastRecv  time.Time
	timer     timer

	will            *will
	cleanDisconnect bool         // DISCONNECT received: the will is discarded
	takenOver       atomic.Bool  // another connection took the session over
	closeReason     atomic.Value // string, why the broker closed it
	sentDisconnect  bool
	sysClosed       bool // closed() has run: write nothing more
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
	lp.conns[c] = struct{}{}
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
	if c.state == stateClosing || c.takenOver.Load() {
		return len(buf), errClose // a taken-over connection no longer speaks for its session
	}
	b := c.loop.b
	off := 0
	for off < len(buf) {
		f, err := codec.ReadFrame(buf[off:], b.readLimit)
		if err == codec.ErrNeedMore {
			if c.state == stateAwaitConnect && buf[off] != byte(codec.CONNECT)<<4 {
				// No need to wait for the rest: the first packet must be a
				// CONNECT [MQTT-3.1.0-1] with flags 0 [MQTT-2.2.2-2].
				c.protocolError("first packet is not CONNECT", codec.ProtocolError)
				return off, errClose
			}
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

// protocolError logs why a connection is being closed for what it sent;
// a 5.0 client is told the reason in a DISCONNECT [MQTT-4.13.1-1].
func (c *conn) protocolError(what string, err error) {
	c.loop.b.log.Info("protocol error, closing", "client", c.info.ClientID, "remote", c.remote(), "what", what, "err", err)
	c.closeReason.Store("protocol error")
	if rc := codec.ReasonOf(err); c.state == stateConnected && rc.IsError() {
		c.writeDisconnect(rc)
	} else if c.state == stateConnected && c.version == codec.V5 {
		c.writeDisconnect(codec.ProtocolError)
	}
}

// writeDisconnect queues a server DISCONNECT with rc for a 5.0 client; 3.1
// and 3.1.1 have no server DISCONNECT, so nothing is sent to them.
func (c *conn) writeDisconnect(rc codec.ReasonCode) {
	if c.version != codec.V5 || c.sentDisconnect {
		return
	}
	c.sentDisconnect = true
	c.writeSmall(byte(codec.DISCONNECT)<<4, byte(rc), 0)
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
		c.protocolError("unexpected "+f.Type.String(), codec.ProtocolError) // AUTH without an authentication method
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
		c.writeDisconnect(codec.KeepAliveTimeout) // 5.0 [MQTT-3.1.2-22]
		c.flush()
		c.state = stateClosing
		_ = c.t.Close()
	}
}

// closeFromBroker closes the connection for reason, from any goroutine: a
// task on the connection's loop sends a 5.0 client DISCONNECT rc first.
func (c *conn) closeFromBroker(reason string, rc codec.ReasonCode) {
	c.closeReason.Store(reason)
	gen := c.gen
	if c.loop.exec == nil || !c.loop.exec.execute(funcTask(func() {
		if c.gen == gen && !c.sysClosed {
			c.writeDisconnect(rc)
			c.flush()
		}
		_ = c.t.Close()
	})) {
		_ = c.t.Close()
	}
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
	delete(lp.conns, c)
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
		if c.cleanDisconnect {
			w.msg.release()
		} else {
			b.closeWill(lp, c, w)
		}
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
	if est <= arenaSize/2 {
		c.reserve(est)
		from := len(c.arena)
		c.arena = h.Append(c.arena, codec.V5)
		n = len(c.arena) - from
		c.appendArena(from)
	} else {
		c.reserve(0)
		hdr := h.Append(make([]byte, 0, est), codec.V5)
		n = len(hdr)
		c.appendView(hdr)
	}
	c.appendView(m.payload)
	c.hold(m)
	b.stats.publishOut(c.loop, len(m.payload))
	b.stats.packetOut(c.loop, n+len(m.payload))
	return true
}

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
