package engine

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/midge-mqtt/midge/codec"
	"github.com/midge-mqtt/midge/matcher"
)

// Broker is an MQTT broker: listeners on gnet event loops, the session
// core, retained messages and $SYS. Create it with New, then Start.
type Broker struct {
	opts  Options
	log   *slog.Logger
	stats brokerCounters

	subs     *matcher.Index[*session]
	retained matcher.RetainedIndex[message]
	retainMu sync.Mutex // serialises retained writers (replace + release)

	sessMu   sync.Mutex
	sessions map[string]*session

	loopsMu sync.Mutex
	loops   []*loop

	// local is the loop used by goroutines that are not event loops
	// (in-process Publish, $SYS): guarded by localMu.
	localMu sync.Mutex
	local   *loop

	conns atomic.Int64 // admitted connections (max_connections)

	srv      *gnetServer
	started  atomic.Bool
	stopOnce sync.Once
	stopSys  chan struct{}
	sysDone  chan struct{}
}

// New checks opts, fills the defaults and returns a Broker ready to Start.
func New(opts Options) (*Broker, error) {
	if err := opts.fillDefaults(); err != nil {
		return nil, err
	}
	b := &Broker{opts: opts, log: opts.Logger, sessions: make(map[string]*session)}
	b.stats.init(b)
	b.subs = matcher.New[*session]()
	b.subs.SetSharePicker(matcher.LeastLoaded[*session]{Load: func(s *session) (bool, int) {
		return s.conn.Load() != nil || s.handler != nil, 0
	}})
	b.local = newLoop(b, nil)
	b.srv = &gnetServer{b: b}
	return b, nil
}

// Start opens the listeners and returns once they accept connections.
func (b *Broker) Start(ctx context.Context) error {
	if !b.started.CompareAndSwap(false, true) {
		return errors.New("engine: broker already started")
	}
	if err := b.srv.start(ctx); err != nil {
		return err
	}
	b.stopSys = make(chan struct{})
	b.sysDone = make(chan struct{})
	go b.housekeeping()
	return nil
}

// Addrs returns the addresses the listeners are bound to (with the port the
// kernel picked for port 0). Valid after Start.
func (b *Broker) Addrs() []net.Addr { return b.srv.boundAddrs() }

// Stop stops accepting connections, flushes what is queued for connected
// clients and closes them.
func (b *Broker) Stop(ctx context.Context) error {
	if !b.started.Load() {
		return nil
	}
	var err error
	b.stopOnce.Do(func() {
		close(b.stopSys)
		<-b.sysDone
		err = b.srv.stop(ctx)
	})
	return err
}

// housekeeping runs off the loops: $SYS every SysInterval, expiry of
// offline persistent sessions.
func (b *Broker) housekeeping() {
	defer close(b.sysDone)
	sysEvery := b.opts.SysInterval
	if sysEvery < 0 {
		sysEvery = time.Hour
	}
	sys := time.NewTicker(sysEvery)
	expire := time.NewTicker(time.Second)
	defer sys.Stop()
	defer expire.Stop()
	if b.opts.SysInterval > 0 {
		b.publishSys()
	}
	for {
		select {
		case <-b.stopSys:
			return
		case <-sys.C:
			if b.opts.SysInterval > 0 {
				b.publishSys()
			}
		case <-expire.C:
			b.expireSessions(b.opts.Now())
		}
	}
}

func (b *Broker) loopByID(id int) *loop {
	b.loopsMu.Lock()
	defer b.loopsMu.Unlock()
	return b.loops[id]
}

// admitConnection counts a new connection against max_connections.
func (b *Broker) admitConnection() bool {
	n := b.conns.Add(1)
	if b.opts.MaxConnections > 0 && n > int64(b.opts.MaxConnections) {
		b.conns.Add(-1)
		return false
	}
	return true
}

func (b *Broker) releaseSlot() { b.conns.Add(-1) }

func (b *Broker) checkTopicLevels(topic []byte) error {
	levels := 1
	for _, ch := range topic {
		if ch == '/' {
			levels++
		}
	}
	if levels > b.opts.MaxTopicLevels {
		return codec.TopicNameInvalid
	}
	return nil
}

// attach binds c to the session of clientID, taking it over from another
// connection [MQTT-3.1.4-2] and creating or discarding it per clean session
// [MQTT-3.1.2-6]. present is the CONNACK session-present flag
// [MQTT-3.2.2-2].
func (b *Broker) attach(c *conn, clientID string, clean bool) (s *session, present bool) {
	b.sessMu.Lock()
	old := b.sessions[clientID]
	if old != nil && (clean || old.clean) {
		delete(b.sessions, clientID)
		b.sessMu.Unlock()
		b.takeOver(old)
		b.discard(old)
		b.sessMu.Lock()
		old = nil
	}
	if old != nil {
		s = old
		present = true
	} else {
		s = newSession(b, clientID, clean)
		b.sessions[clientID] = s
	}
	b.sessMu.Unlock()
	if present {
		b.takeOver(s)
		s.mu.Lock()
		wasOffline := !s.offlineSince.IsZero()
		s.offlineSince = time.Time{}
		s.mu.Unlock()
		if wasOffline {
			b.stats.persistentOnline()
		}
	}
	s.mu.Lock()
	s.conn.Store(c)
	s.mu.Unlock()
	b.stats.clientConnected(c.loop)
	return s, present
}

// takeOver closes the connection currently holding s, if any.
func (b *Broker) takeOver(s *session) {
	s.mu.Lock()
	old := s.conn.Swap(nil)
	s.mu.Unlock()
	if old != nil {
		old.takenOver.Store(true)
		b.log.Info("session taken over", "client", s.id)
		old.closeFromBroker("session taken over")
	}
}

// discard drops a session: subscriptions and held messages.
func (b *Broker) discard(s *session) {
	s.mu.Lock()
	filters := make([]string, 0, len(s.subs))
	for f := range s.subs {
		filters = append(filters, f)
	}
	s.subs = map[string]byte{}
	s.dropAll()
	s.expired = true
	s.mu.Unlock()
	for _, f := range filters {
		if b.subs.Unsubscribe(s, f) {
			b.stats.subscriptionsAdd(-1, isShared(f))
		}
	}
}

// detach runs when c has closed: a clean session ends with its connection
// [MQTT-3.1.2-6]; a persistent one stays, offline.
func (b *Broker) detach(c *conn) {
	s := c.session
	if s == nil {
		return
	}
	s.mu.Lock()
	current := s.conn.Load() == c
	if current {
		s.conn.Store(nil)
	}
	s.mu.Unlock()
	b.stats.clientDisconnected()
	if !current {
		return
	}
	if s.clean {
		b.sessMu.Lock()
		if b.sessions[s.id] == s {
			delete(b.sessions, s.id)
		}
		b.sessMu.Unlock()
		b.discard(s)
		return
	}
	s.mu.Lock()
	s.offlineSince = b.opts.Now()
	s.mu.Unlock()
	b.stats.persistentOffline()
}

// expireSessions drops persistent sessions offline for longer than
// persistent_client_expiration.
func (b *Broker) expireSessions(now time.Time) {
	exp := b.opts.PersistentClientExpiration
	if exp <= 0 {
		return
	}
	var gone []*session
	b.sessMu.Lock()
	for id, s := range b.sessions {
		s.mu.Lock()
		if s.conn.Load() == nil && !s.offlineSince.IsZero() && now.Sub(s.offlineSince) > exp {
			delete(b.sessions, id)
			gone = append(gone, s)
		}
		s.mu.Unlock()
	}
	b.sessMu.Unlock()
	for _, s := range gone {
		b.log.Info("expiring persistent session", "client", s.id)
		b.discard(s)
		b.stats.clientExpired()
	}
}

// withLocal runs fn on the broker's local loop (for goroutines that are not
// event loops) and sends what it produced.
func (b *Broker) withLocal(fn func(lp *loop)) {
	b.localMu.Lock()
	defer b.localMu.Unlock()
	fn(b.local)
	b.local.endTurn()
}
