package ceiling

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// Relay is a running ceiling relay. Its methods are safe for concurrent
// use.
type Relay struct {
	gnet.BuiltinEventEngine
	addr   string
	ix     *index
	eng    gnet.Engine
	booted chan struct{}
	done   chan error
	bound  net.Addr

	mu    sync.Mutex
	loops map[gnet.EventLoop]*loop
	list  []*loop

	// dropped counts forwards refused because the subscriber was more
	// than maxOutbound bytes behind.
	dropped atomic.Uint64

	stopOnce sync.Once
	stopErr  error
}

// Start listens on the TCP address addr (host:port; port 0 picks a free
// one) with the given number of gnet event loops (0 or less: one per
// CPU) and returns once the relay accepts connections. ctx bounds the
// start only; the relay runs until Stop.
func Start(ctx context.Context, addr string, loops int) (*Relay, error) {
	r := &Relay{
		addr:   addr,
		ix:     newIndex(),
		booted: make(chan struct{}),
		done:   make(chan error, 1),
		loops:  make(map[gnet.EventLoop]*loop),
	}
	opts := []gnet.Option{
		gnet.WithReuseAddr(true),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithLogger(quietLogger{}),
	}
	if loops > 0 {
		opts = append(opts, gnet.WithNumEventLoop(loops))
	} else {
		opts = append(opts, gnet.WithMulticore(true))
	}
	go func() { r.done <- gnet.Run(r, "tcp://"+addr, opts...) }()
	select {
	case <-r.booted:
	case err := <-r.done:
		if err == nil {
			err = errors.New("stopped at start")
		}
		return nil, fmt.Errorf("ceiling: listen %s: %w", addr, err)
	case <-ctx.Done():
		go func() { <-r.booted; _ = r.Stop() }()
		return nil, ctx.Err()
	}
	r.bound = r.boundAddr()
	return r, nil
}

// Addr is the address the relay listens on, with the port the kernel
// chose when Start was given port 0.
func (r *Relay) Addr() net.Addr { return r.bound }

// Stop closes every connection and the listener and waits, at most five
// seconds, for the event loops to end.
func (r *Relay) Stop() error {
	r.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.stopErr = r.eng.Stop(ctx)
		select {
		case <-r.done:
		case <-ctx.Done():
			r.stopErr = errors.Join(r.stopErr, ctx.Err())
		}
	})
	return r.stopErr
}

// Dropped is the number of forwards refused so far because the
// subscriber had more than 64 MiB waiting to be sent.
func (r *Relay) Dropped() uint64 { return r.dropped.Load() }

// boundAddr asks the kernel for the listener's address.
func (r *Relay) boundAddr() net.Addr {
	fd, err := r.eng.DupListener("tcp", r.addr)
	if err != nil {
		return nil
	}
	defer syscall.Close(fd)
	switch a, _ := syscall.Getsockname(fd); a := a.(type) {
	case *syscall.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port}
	case *syscall.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	}
	return nil
}

func (r *Relay) loopOf(el gnet.EventLoop) *loop {
	r.mu.Lock()
	defer r.mu.Unlock()
	lp := r.loops[el]
	if lp == nil {
		lp = &loop{id: len(r.list), r: r, el: el}
		r.loops[el] = lp
		r.list = append(r.list, lp)
	}
	return lp
}

// OnBoot records the engine (gnet callback).
func (r *Relay) OnBoot(eng gnet.Engine) gnet.Action {
	r.eng = eng
	close(r.booted)
	return gnet.None
}

// OnOpen attaches the relay's state to a new connection (gnet callback).
func (r *Relay) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	gc.SetContext(newRconn(gc, r.loopOf(gc.EventLoop())))
	return nil, gnet.None
}

// OnTraffic handles every complete packet read so far (gnet callback):
// one Peek, the answers and forwards written, then one Discard.
func (r *Relay) OnTraffic(gc gnet.Conn) gnet.Action {
	c, _ := gc.Context().(*rconn)
	if c == nil {
		return gnet.Close
	}
	buf, _ := gc.Peek(-1)
	used, err := c.lp.handle(c, buf)
	c.lp.endTurn() // same-loop forwards alias buf: written before Discard
	if used > 0 {
		_, _ = gc.Discard(used) // gnet's Discard(0) would drop everything
	}
	if err != nil || c.closing {
		return gnet.Close
	}
	return gnet.None
}

// OnClose drops the connection's subscriptions (gnet callback).
func (r *Relay) OnClose(gc gnet.Conn, _ error) gnet.Action {
	if c, _ := gc.Context().(*rconn); c != nil {
		gc.SetContext(nil)
		c.closed = true
		r.ix.removeAll(c)
	}
	return gnet.None
}

// quietLogger drops gnet's own log lines: the relay has nothing to say
// that a benchmark would read.
type quietLogger struct{}

func (quietLogger) Debugf(string, ...any) {}
func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Fatalf(string, ...any) {}
