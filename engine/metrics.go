package engine

// brokerCounters is how the session core reaches Stats: each event loop
// counts into its own shard (loop id), goroutines that are not loops into
// shard 0. Every method is an atomic add.
type brokerCounters struct {
	st *Stats
}

func (m *brokerCounters) init(b *Broker) {
	m.st = NewStats(b.opts.EventLoops+1, statsVersion, b.opts.Now())
}

// statsVersion is what $SYS/broker/version reports after "midge version ".
var statsVersion = "0.1.0"

func (m *brokerCounters) of(lp *loop) *StatsShard {
	if lp == nil {
		return m.st.Shard(0)
	}
	return m.st.Shard(lp.id)
}

func (m *brokerCounters) packetIn(lp *loop, n int)   { m.of(lp).PacketIn(n) }
func (m *brokerCounters) packetOut(lp *loop, n int)  { m.of(lp).PacketOut(n) }
func (m *brokerCounters) publishIn(lp *loop, n int)  { m.of(lp).PublishIn(n) }
func (m *brokerCounters) publishOut(lp *loop, n int) { m.of(lp).PublishOut(n) }
func (m *brokerCounters) publishDropped(lp *loop)    { m.of(lp).PublishDropped.Add(1) }
func (m *brokerCounters) socketOpened(lp *loop)      { m.of(lp).Sockets.Add(1) }
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
