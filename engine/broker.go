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
	// mortal holds the offline sessions with a finite lifetime, the only
	// ones the expiry pass looks at: a board with thousands of persistent
	// clients online is not scanned each second for the few that left.
	// Entries that came back online or became immortal are dropped by
	// the pass. Guarded by sessMu.
	mortal map[*session]struct{}

	willsMu sync.Mutex
	wills   map[*pendingWill]struct{} // wills waiting for their delay

	loopsMu sync.Mutex
	loops   []*loop

	// local is the loop used by goroutines that are not event loops
	// (in-process Publish, $SYS): guarded by localMu.
	localMu sync.Mutex
	local   *loop

	conns atomic.Int64 // admitted connections (max_connections)

	// readLimit is the packet size ReadFrame enforces: 0 when no limit
	// was configured, so the 4-byte remaining length is the only bound.
	readLimit uint32

	srv      *gnetServer
	started  atomic.Bool
	stopOnce sync.Once
	stopSys  chan struct{}
	sysDone  chan struct{}
	// security is how clients are admitted on listeners without their
	// own; listenerSec holds those that have one, by listenerKey.
	security    Security
	listenerSec map[string]*Security

	// expiryWork wakes housekeeping's once-a-second expiry pass, which
	// sleeps while no offline session can expire and no will is delayed
	// (an idle board is not woken for nothing). Buffered: a nudge sent
	// while the pass runs is kept.
	expiryWork chan struct{}
}

// New checks opts, fills the defaults and returns a Broker ready to Start.
func New(opts Options) (*Broker, error) {
	if err := opts.fillDefaults(); err != nil {
		return nil, err
	}
	b := &Broker{opts: opts, log: opts.Logger, sessions: make(map[string]*session), mortal: make(map[*session]struct{}), wills: make(map[*pendingWill]struct{}),
		expiryWork: make(chan struct{}, 1)}
	if opts.MaxPacketSize < MaxPacketSizeProtocol {
		b.readLimit = opts.MaxPacketSize
	}
	b.security = Security{Authenticator: opts.Authenticator, RefuseEmptyClientID: opts.RefuseEmptyClientID, AutoIDPrefix: opts.AutoIDPrefix,
		UsernameAsClientID: opts.UsernameAsClientID}
	for _, l := range opts.Listeners {
		if l.Security == nil {
			continue
		}
		key, err := listenerKey(l)
		if err != nil {
			return nil, err
		}
		sec := *l.Security
		if sec.AutoIDPrefix == "" {
			sec.AutoIDPrefix = "auto-"
		}
		if b.listenerSec == nil {
			b.listenerSec = make(map[string]*Security)
		}
		b.listenerSec[key] = &sec
	}
	b.stats.init(b)
	b.subs = matcher.New[*session]()
	// Shared subscriptions: prefer members that are online, then those
	// with the smallest backlog, so a slow or offline member does not
	// swallow the group's messages.
	b.subs.SetSharePicker(matcher.LeastLoaded[*session]{Load: func(s *session) (bool, int) {
		return s.conn.Load() != nil || s.handler != nil, int(s.backlog.Load())
	}})
	b.local = newLoop(b, nil)
	b.srv = &gnetServer{b: b}
	return b, nil
}

// Start opens the listeners and returns once they accept connections.
// outgoingQoS is the QoS of a delivery of a message published at pub to
// a subscription granted sub: the lower of the two [MQTT-3.8.4-6], or
// sub with upgrade_outgoing_qos.
func (b *Broker) outgoingQoS(pub, sub byte) byte {
	if b.opts.UpgradeOutgoingQoS {
		return sub
	}
	return min(pub, sub)
}

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
		b.sayGoodbye(ctx)
		err = b.srv.stop(ctx)
	})
	return err
}

// sayGoodbye tells every MQTT 5 client the server is shutting down (a
// DISCONNECT 0x8B) and flushes what is queued, on each loop, before the
// listeners and connections close.
func (b *Broker) sayGoodbye(ctx context.Context) {
	var wg sync.WaitGroup
	for _, lp := range b.srv.allLoops() {
		wg.Add(1)
		if !lp.exec.execute(funcTask(func() {
			defer wg.Done()
			for c := range lp.conns {
				if c.online() {
					c.writeDisconnect(codec.ServerShuttingDown)
					lp.markDirty(c)
				}
			}
			lp.endTurn()
		})) {
			wg.Done()
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// housekeeping runs off the loops: $SYS every SysInterval; every second
// while there is any, delayed wills and expiry of offline sessions.
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
	pending := true // look once at start
	for {
		select {
		case <-b.stopSys:
			return
		case <-sys.C:
			if b.opts.SysInterval > 0 {
				b.publishSys()
			}
		case <-b.expiryWork:
			if !pending {
				pending = true
				expire.Reset(time.Second)
			}
		case <-expire.C:
			now := b.opts.Now()
			b.fireDueWills(now)
			if !b.expireSessions(now) && !b.willsDelayed() {
				pending = false
				expire.Stop()
			}
		}
	}
}

// nudgeExpiry tells housekeeping that something may expire: a session
// went offline, or a will was delayed.
func (b *Broker) nudgeExpiry() {
	select {
	case b.expiryWork <- struct{}{}:
	default: // a nudge is already waiting
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
// connection [MQTT-3.1.4-2]. cleanStart discards an existing session
// [MQTT-3.1.2-4]; so does one whose expiry interval is 0 (a 3.1.1 clean
// session). present is the CONNACK session-present flag [MQTT-3.2.2-2].
func (b *Broker) attach(c *conn, clientID string, cleanStart bool, expiry uint32) (s *session, present bool) {
	b.sessMu.Lock()
	old := b.sessions[clientID]
	delete(b.mortal, old) // resumed or replaced, it is no longer offline
	if old != nil && (cleanStart || old.expiry() == 0) {
		delete(b.sessions, clientID)
		b.sessMu.Unlock()
		old.mu.Lock()
		wasOffline := !old.offlineSince.IsZero()
		old.mu.Unlock()
		if wasOffline {
			b.stats.persistentOnline() // no longer a disconnected session
		}
		b.takeOver(old)
		b.endSession(old)
		b.sessMu.Lock()
		old = nil
	}
	if old != nil {
		s = old
		present = true
	} else {
		s = newSession(b, clientID, expiry)
		b.sessions[clientID] = s
	}
	b.sessMu.Unlock()
	if present {
		b.takeOver(s)
		s.mu.Lock()
		wasOffline := !s.offlineSince.IsZero()
		s.offlineSince = time.Time{}
		s.expiryInterval = expiry
		pw := s.pendingWill
		s.pendingWill = nil
		s.mu.Unlock()
		pw.cancel() // [MQTT-3.1.3-9] the session resumed before the will delay
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

// takeOver closes the connection currently holding s, if any (5.0: with
// DISCONNECT Session taken over [MQTT-3.1.4-3]).
func (b *Broker) takeOver(s *session) {
	s.mu.Lock()
	old := s.conn.Swap(nil)
	s.mu.Unlock()
	if old != nil {
		old.takenOver.Store(true)
		b.log.Info("session taken over", "client", s.id)
		old.closeFromBroker("session taken over", codec.SessionTakenOver)
	}
}

// endSession drops a session: subscriptions, held messages, and a will
// still waiting for its delay is published now [MQTT-3.1.3-9].
func (b *Broker) endSession(s *session) {
	s.mu.Lock()
	filters := s.subs.all()
	s.subs = filterSet{}
	s.dropAll()
	s.expired = true
	pw := s.pendingWill
	s.pendingWill = nil
	s.mu.Unlock()
	for _, f := range filters {
		if b.subs.Unsubscribe(s, f) {
			b.stats.subscriptionsAdd(-1, isShared(f))
		}
	}
	pw.fireNow()
}

// detach runs when c has closed: a session whose expiry interval is 0 ends
// with its connection [MQTT-3.1.2-23]; others stay, offline.
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
	if s.expiry() == 0 {
		b.sessMu.Lock()
		if b.sessions[s.id] == s {
			delete(b.sessions, s.id)
		}
		b.sessMu.Unlock()
		b.endSession(s)
		return
	}
	s.mu.Lock()
	s.offlineSince = b.opts.Now()
	finite := b.sessionLifetime(s) >= 0
	s.mu.Unlock()
	b.stats.persistentOffline()
	if finite {
		b.sessMu.Lock()
		if b.sessions[s.id] == s {
			b.mortal[s] = struct{}{}
		}
		b.sessMu.Unlock()
		b.nudgeExpiry()
	}
}

// sessionLifetime is how long an offline session s lives: its expiry
// interval, capped by persistent_client_expiration; <0 = forever. Caller
// holds s.mu.
func (b *Broker) sessionLifetime(s *session) time.Duration {
	life := time.Duration(-1)
	if s.expiryInterval != expiryNever {
		life = time.Duration(s.expiryInterval) * time.Second
	}
	if exp := b.opts.PersistentClientExpiration; exp > 0 && (life < 0 || exp < life) {
		life = exp
	}
	return life
}

// expireSessions drops offline sessions whose lifetime has passed
// [MQTT-4.1.0-2] (persistent_client_expiration for 3.1.1). It reports
// whether an offline session that will expire later remains.
func (b *Broker) expireSessions(now time.Time) (remaining bool) {
	var gone []*session
	b.sessMu.Lock()
	for s := range b.mortal {
		if b.sessions[s.id] != s {
			delete(b.mortal, s) // ended elsewhere
			continue
		}
		s.mu.Lock()
		life := b.sessionLifetime(s)
		switch {
		case s.conn.Load() != nil || s.offlineSince.IsZero() || life < 0:
			delete(b.mortal, s) // back online, or no longer mortal
		case now.Sub(s.offlineSince) >= life:
			delete(b.mortal, s)
			delete(b.sessions, s.id)
			gone = append(gone, s)
		default:
			remaining = true
		}
		s.mu.Unlock()
	}
	b.sessMu.Unlock()
	for _, s := range gone {
		b.log.Info("expiring session", "client", s.id)
		b.endSession(s)
		b.stats.clientExpired()
	}
	return remaining
}

// withLocal runs fn on the broker's local loop (for goroutines that are not
// event loops) and sends what it produced.
//
// In-process handlers reached this way run after the lock is released, so
// a handler may itself call Publish.
func (b *Broker) withLocal(fn func(lp *loop)) {
	b.localMu.Lock()
	fn(b.local)
	b.local.endTurn()
	calls := b.local.deferred
	b.local.deferred = nil
	b.localMu.Unlock()
	for _, call := range calls {
		call.handler(string(call.msg.topic), call.msg.payload, call.qos, call.ret)
		call.msg.release()
	}
}

// securityOf returns how the listener that accepted t admits clients.
func (b *Broker) securityOf(t Transport) *Security {
	if b.listenerSec != nil {
		if a := t.LocalAddr(); a != nil {
			if sec := b.listenerSec[a.Network()+"|"+a.String()]; sec != nil {
				return sec
			}
		}
	}
	return &b.security
}
