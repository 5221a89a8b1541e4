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

	// Its listener's limits, set at CONNECT.
	maxQoS     byte   // the highest QoS it may use (max_qos)
	aliasMaxIn uint16 // the Topic Alias Maximum announced to it
	mount      string // its listener's mount_point, "" = none

	// MQTT 5 limits the client announced in CONNECT.
	recvMax      uint16 // its Receive Maximum
	maxPacketOut uint32 // its Maximum Packet Size, 0 = protocol maximum
	aliasMaxOut  uint16 // its Topic Alias Maximum
	aliasOut     map[string]uint16
	aliasIn      map[uint16]string // aliases the client set [MQTT-3.3.2-12]

	keepAlive time.Duration // 1.5 x the client's keep-alive, 0 = none
	lastRecv  time.Time
	timer     timer

	auth *enhancedAuth // set when CONNECT carried an Authentication Method

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
	arena   []byte   // taken from the loop while output is pending
	spent   [][]byte // arenas filled earlier this turn, still in iov
	holds   []*pool.Buffer
	pending int // bytes in iov
}

var connGen atomic.Uint64

// newConn registers a new connection on this loop and arms its CONNECT
// timeout.
func (lp *loop) newConn(t Transport) *conn {
	c := &conn{loop: lp, t: t, gen: connGen.Add(1)}
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
			if c.state == stateAwaitConnect && c.auth == nil && buf[off] != byte(codec.CONNECT)<<4 {
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
		if c.auth != nil {
			return c.handleAuthBeforeConnack(f) // CONNECT received, AUTH exchange under way
		}
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
	case codec.AUTH:
		return c.handleReauth(f)
	default:
		c.protocolError("unexpected "+f.Type.String(), codec.ProtocolError)
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
