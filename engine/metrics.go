package engine

// brokerCounters is how the session core reaches Stats: each event loop
// counts into its own shard (loop id), goroutines that are not loops into
// shard 0. Every method is an atomic add.
type brokerCounters struct {
	st *Stats
}

func (m *brokerCounters) init(b *Broker) {
	version := b.opts.Version
	if version == "" {
		version = "dev"
	}
	m.st = NewStats(b.opts.EventLoops+1, version, b.opts.Now())
}

func (m *brokerCounters) of(lp *loop) *StatsShard {
	if lp == nil {
		return m.st.Shard(0)
	}
	return m.st.Shard(lp.id)
}

func (m *brokerCounters) packetIn(lp *loop, n int) { m.of(lp).PacketIn(n) }

// packetOut and publishOut count into the loop's plain per-turn tally
// (the loop is single-threaded), added to its shard once per turn.
func (m *brokerCounters) packetOut(lp *loop, n int) {
	lp.tally.packets++
	lp.tally.bytes += uint64(n)
}
func (m *brokerCounters) publishIn(lp *loop, n int) { m.of(lp).PublishIn(n) }
func (m *brokerCounters) publishOut(lp *loop, n int) {
	lp.tally.publishes++
	lp.tally.publishBytes += uint64(n)
}

// outTally is what a loop wrote during one turn.
type outTally struct {
	packets, bytes, publishes, publishBytes uint64
}

// flushTally adds the turn's tally to the loop's shard.
func (m *brokerCounters) flushTally(lp *loop) {
	t := &lp.tally
	if t.packets == 0 {
		return
	}
	sh := m.of(lp)
	sh.MessagesSent.Add(t.packets)
	sh.BytesSent.Add(t.bytes)
	if t.publishes > 0 {
		sh.PublishSent.Add(t.publishes)
		sh.PublishBytesSent.Add(t.publishBytes)
	}
	*t = outTally{}
}
func (m *brokerCounters) publishDropped(lp *loop) { m.of(lp).PublishDropped.Add(1) }
func (m *brokerCounters) socketOpened(lp *loop)   { m.of(lp).Sockets.Add(1) }
func (m *brokerCounters) storeAdd(n, bytes int) {
	sh := m.st.Shard(0)
	sh.StoreMessages.Add(int64(n))
	sh.StoreBytes.Add(int64(bytes))
}

func (m *brokerCounters) clientConnected(lp *loop) {
	sh := m.of(lp)
	sh.Connections.Add(1)
	sh.ClientsConnected.Add(1)
}

func (m *brokerCounters) clientDisconnected() { m.st.Shard(0).ClientsConnected.Add(-1) }
func (m *brokerCounters) persistentOffline()  { m.st.Shard(0).ClientsDisconnected.Add(1) }
func (m *brokerCounters) persistentOnline()   { m.st.Shard(0).ClientsDisconnected.Add(-1) }
func (m *brokerCounters) clientExpired() {
	sh := m.st.Shard(0)
	sh.ClientsExpired.Add(1)
	sh.ClientsDisconnected.Add(-1)
}
func (m *brokerCounters) subscriptionsAdd(n int, shared bool) {
	sh := m.st.Shard(0)
	if shared {
		sh.SharedSubscriptions.Add(int64(n))
	}
	sh.Subscriptions.Add(int64(n))
}
func (m *brokerCounters) retainedAdd(n int) { m.st.Shard(0).RetainedMessages.Add(int64(n)) }
