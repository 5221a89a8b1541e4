package ceiling

import "github.com/panjf2000/gnet/v2"

// maxIov keeps one writev under the kernel's IOV_MAX (1024).
const maxIov = 1024

// maxOutbound is how many unsent bytes a connection may hold in gnet's
// outbound buffer before forwards to it are dropped: a stalled
// subscriber must not grow the relay without bound. (A variable so that
// tests can lower it before Start.)
var maxOutbound = 64 << 20

// rconn is one client connection of the relay. Every field but lp and
// version is touched only by the loop that owns the connection; lp is
// fixed at open and version at CONNECT, both before the connection can
// be found in the index.
type rconn struct {
	gc      gnet.Conn
	lp      *loop
	version byte // MQTT protocol level from CONNECT: 3, 4 or 5
	// connected is set by the first CONNECT; a second one is ignored.
	connected bool
	closing   bool // DISCONNECT seen: close after this read
	closed    bool
	filters   []string // every filter subscribed, to unsubscribe at close

	// ctrl holds the acknowledgements of the turn; they go out first.
	ctrl []byte
	// iov[0] is reserved for ctrl; the rest are forwarded packets,
	// aliasing a read buffer or a cross-loop batch until flush.
	iov   [][]byte
	dirty bool
	// ids holds the packet identifiers written into this turn's QoS 1
	// and 2 forwards (two bytes each, fixed capacity so that iov may alias
	// it); nextID numbers them.
	ids    []byte
	nextID uint16
}

func newRconn(gc gnet.Conn, lp *loop) *rconn {
	return &rconn{gc: gc, lp: lp, version: 4, iov: make([][]byte, 1, 16)}
}

// markDirty puts c on its loop's list of connections to flush this turn.
func (c *rconn) markDirty() {
	if !c.dirty {
		c.dirty = true
		c.lp.dirty = append(c.lp.dirty, c)
	}
}

// idArena is the capacity of rconn.ids: the identifiers of one writev.
const idArena = 2 * (maxIov / 3)

// queue adds one forwarded PUBLISH to c's output of this turn; p must stay
// valid until the loop's next flush. At QoS 0 p goes out as it is; at
// QoS 1 and 2 its packet identifier is replaced by the next one of c's,
// sent as its own slice between the two halves of p, so that messages
// from many publishers (each numbering its own) never share an
// identifier on the way to one subscriber [MQTT-2.2.1-3].
func (c *rconn) queue(p []byte) {
	if c.closed {
		return
	}
	if c.gc.OutboundBuffered() > maxOutbound {
		c.lp.r.dropped.Add(1)
		return
	}
	c.markDirty()
	if p[0]&0x06 == 0 {
		c.iov = append(c.iov, p)
		if len(c.iov) >= maxIov {
			c.flush()
		}
		return
	}
	_, header, _ := nextFrame(p)
	at := header + 2 + (int(p[header])<<8 | int(p[header+1])) // after the topic
	if c.ids == nil {
		c.ids = make([]byte, 0, idArena)
	}
	if len(c.iov)+3 > maxIov || len(c.ids)+2 > cap(c.ids) {
		c.flush()
	}
	c.nextID++
	if c.nextID == 0 {
		c.nextID = 1 // [MQTT-2.2.1-3] non-zero
	}
	n := len(c.ids)
	c.ids = append(c.ids, byte(c.nextID>>8), byte(c.nextID))
	c.iov = append(c.iov, p[:at], c.ids[n:n+2], p[at+2:])
}

// flush writes the acknowledgements and packets queued so far in one
// writev. gnet copies whatever the socket does not take at once, so the
// queued slices may be released afterwards.
func (c *rconn) flush() {
	if !c.closed && (len(c.ctrl) > 0 || len(c.iov) > 1) {
		iov := c.iov
		if len(c.ctrl) > 0 {
			iov[0] = c.ctrl
		} else {
			iov = iov[1:]
		}
		_, _ = c.gc.Writev(iov) // an error closes the connection (OnClose)
	}
	clear(c.iov)
	c.iov = c.iov[:1]
	c.ctrl = c.ctrl[:0]
	c.ids = c.ids[:0]
}
