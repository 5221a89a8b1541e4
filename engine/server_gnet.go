package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/panjf2000/gnet/v2/pkg/socket"
)

// loopTick is how often every loop advances its timing wheel: one task per
// loop per tick, however many connections the loop holds.
const loopTick = 250 * time.Millisecond

// idleTick is the longest the ticker sleeps when no timer is due sooner;
// it stays well below the shortest timeout a new connection arms
// (ConnectTimeout), which the ticker learns of only when it wakes.
const idleTick = time.Second

// gnetServer runs the listeners on gnet event loops and adapts gnet's
// callbacks to the session core.
type gnetServer struct {
	gnet.BuiltinEventEngine
	b      *Broker
	eng    gnet.Engine
	booted chan struct{}
	done   chan error

	mu    sync.Mutex
	loops map[gnet.EventLoop]*loop
	list  []*loop
}

// gnetTransport is a Transport over a gnet connection.
type gnetTransport struct{ c gnet.Conn }

func (t gnetTransport) Writev(bufs [][]byte) error {
	_, err := t.c.Writev(bufs)
	return err
}
func (t gnetTransport) Buffered() int        { return t.c.OutboundBuffered() }
func (t gnetTransport) Close() error         { return t.c.Close() }
func (t gnetTransport) RemoteAddr() net.Addr { return t.c.RemoteAddr() }
func (t gnetTransport) LocalAddr() net.Addr  { return t.c.LocalAddr() }

// gnetExecutor posts tasks to one gnet event loop.
type gnetExecutor struct{ el gnet.EventLoop }

func (e gnetExecutor) execute(t task) bool {
	return e.el.Execute(context.Background(), t) == nil
}

func (s *gnetServer) loopOf(el gnet.EventLoop) *loop {
	s.mu.Lock()
	defer s.mu.Unlock()
	lp := s.loops[el]
	if lp == nil {
		lp = newLoop(s.b, gnetExecutor{el})
		s.loops[el] = lp
		s.list = append(s.list, lp)
	}
	return lp
}

func (s *gnetServer) allLoops() []*loop {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*loop(nil), s.list...)
}

func (s *gnetServer) OnBoot(eng gnet.Engine) gnet.Action {
	s.eng = eng
	close(s.booted)
	return gnet.None
}

func (s *gnetServer) OnOpen(c gnet.Conn) ([]byte, gnet.Action) {
	lp := s.loopOf(c.EventLoop())
	if !s.b.admitConnection() {
		s.b.log.Info("connection refused: max_connections reached", "remote", c.RemoteAddr())
		return nil, gnet.Close
	}
	cn := lp.newConn(gnetTransport{c})
	c.SetContext(cn)
	return nil, gnet.None
}

func (s *gnetServer) OnTraffic(c gnet.Conn) gnet.Action {
	cn, _ := c.Context().(*conn)
	if cn == nil {
		return gnet.Close
	}
	buf, _ := c.Peek(-1)
	used, err := cn.handleBytes(buf)
	// Deliveries may alias buf: flush before Discard releases it.
	cn.loop.endTurn()
	if used > 0 {
		_, _ = c.Discard(used) // gnet's Discard(0) would drop everything
	}
	if err != nil {
		return gnet.Close
	}
	return gnet.None
}

func (s *gnetServer) OnClose(c gnet.Conn, err error) gnet.Action {
	if cn, _ := c.Context().(*conn); cn != nil {
		c.SetContext(nil)
		cn.closed(err)
		cn.loop.endTurn()
	}
	return gnet.None
}

func (s *gnetServer) OnTick() (time.Duration, gnet.Action) {
	// Sleep until the earliest timer of any loop may be due, between a
	// loop tick and idleTick: a broker whose clients all have keep-alives
	// of a minute wakes about once a second, not four times.
	now := s.b.opts.Now()
	next := idleTick
	for _, lp := range s.allLoops() {
		if d := lp.postTick(now); d < next {
			next = max(d, loopTick)
		}
	}
	return next, gnet.None
}

// start runs gnet in the background and returns once it listens.
func (s *gnetServer) start(ctx context.Context) error {
	o := &s.b.opts
	addrs := make([]string, len(o.Listeners))
	for i, l := range o.Listeners {
		addrs[i] = l.Network + "://" + l.Address
	}
	s.booted = make(chan struct{})
	s.done = make(chan error, 1)
	s.loops = make(map[gnet.EventLoop]*loop)
	// One loop accepts on its listeners itself (gnet's reuse-port mode):
	// gnet's acceptor would otherwise hand each new socket to the loop
	// through its task queue, an eventfd write and a goroutine wake-up per
	// connection. Several loops keep the acceptor, which spreads
	// connections over them and binds a port-0 listener once.
	ownAccept := o.EventLoops == 1
	if ownAccept {
		if err := probeListeners(o.Listeners); err != nil {
			return err
		}
	}
	go func() {
		s.done <- gnet.Rotate(s, addrs,
			gnet.WithNumEventLoop(o.EventLoops),
			gnet.WithTicker(true),
			gnet.WithReusePort(ownAccept),
			gnet.WithReuseAddr(true),
			gnet.WithTCPNoDelay(gnet.TCPNoDelay),
			gnet.WithLogger(gnetLogger{s.b}),
		)
	}()
	select {
	case <-s.booted:
		return nil
	case err := <-s.done:
		if err == nil {
			err = errors.New("engine: listeners stopped at start")
		}
		return fmt.Errorf("engine: listen %v: %w", addrs, err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// listenerKey names listener l as the addresses gnet gives the
// connections it accepts (gnet resolves the configured address once, and
// each connection's LocalAddr is that address).
func listenerKey(l Listener) (string, error) {
	if l.Network == "unix" {
		_, _, a, err := socket.GetUnixSockAddr(l.Network, l.Address)
		if err != nil {
			return "", fmt.Errorf("engine: listener %s: %w", l.Address, err)
		}
		return a.Network() + "|" + a.String(), nil
	}
	_, _, a, _, err := socket.GetTCPSockAddr(l.Network, l.Address)
	if err != nil {
		return "", fmt.Errorf("engine: listener %s: %w", l.Address, err)
	}
	return a.Network() + "|" + a.String(), nil
}

// probeListeners binds each TCP listener's address without SO_REUSEPORT
// and lets it go. gnet's reuse-port listener would share a port with
// another reuse-port socket of the same user, such as a second midge
// started on it; the probe fails on any socket that holds the port, as
// the bind of a broker without reuse-port does.
func probeListeners(ls []Listener) error {
	for _, l := range ls {
		if l.Network == "unix" {
			continue
		}
		if _, port, _ := net.SplitHostPort(l.Address); port == "0" {
			continue
		}
		ln, err := net.Listen(l.Network, l.Address)
		if err != nil {
			return fmt.Errorf("engine: listen %s://%s: %w", l.Network, l.Address, err)
		}
		_ = ln.Close()
	}
	return nil
}

// boundAddrs asks the kernel for each listener's address, so port 0 shows
// the port actually bound.
func (s *gnetServer) boundAddrs() []net.Addr {
	var out []net.Addr
	for _, l := range s.b.opts.Listeners {
		network := l.Network
		if network != "unix" {
			network = "tcp"
		}
		fd, err := s.eng.DupListener(network, l.Address)
		if err != nil {
			continue
		}
		sa, err := syscall.Getsockname(fd)
		_ = syscall.Close(fd)
		if err != nil {
			continue
		}
		switch a := sa.(type) {
		case *syscall.SockaddrInet4:
			out = append(out, &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port})
		case *syscall.SockaddrInet6:
			out = append(out, &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port})
		case *syscall.SockaddrUnix:
			out = append(out, &net.UnixAddr{Net: "unix", Name: a.Name})
		}
	}
	return out
}

func (s *gnetServer) stop(ctx context.Context) error {
	err := s.eng.Stop(ctx)
	select {
	case <-s.done:
	case <-ctx.Done():
	}
	return err
}

// gnetLogger sends gnet's own messages to the broker's logger at debug
// level (errors at warn).
type gnetLogger struct{ b *Broker }

func (l gnetLogger) Debugf(f string, a ...any) { l.b.log.Debug("gnet: " + fmt.Sprintf(f, a...)) }
func (l gnetLogger) Infof(f string, a ...any)  { l.b.log.Debug("gnet: " + fmt.Sprintf(f, a...)) }
func (l gnetLogger) Warnf(f string, a ...any)  { l.b.log.Warn("gnet: " + fmt.Sprintf(f, a...)) }
func (l gnetLogger) Errorf(f string, a ...any) { l.b.log.Warn("gnet: " + fmt.Sprintf(f, a...)) }
func (l gnetLogger) Fatalf(f string, a ...any) { l.b.log.Error("gnet: " + fmt.Sprintf(f, a...)) }
