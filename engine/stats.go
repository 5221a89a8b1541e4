package engine

import (
	"math"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Stats counts what the broker does and turns the counts into mosquitto's
// $SYS topics (names, payload formats and load averages as mosquitto 2.0).
//
// Counting takes no lock: each event loop increments its own StatsShard
// (Shard(loopIndex)), whose counters sit on their own cache lines, so loops
// never write a line another loop writes. Sys and SysChanged sum the shards
// once per sys_interval. A gauge (connected clients, subscriptions, ...) may
// be raised on one shard and lowered on another (a session that moves to
// another loop): only the sum means something.
type Stats struct {
	// Version is the broker version, published as "midge version <Version>".
	Version string
	// Start is when the broker started; uptime counts from it.
	Start time.Time

	shards []StatsShard
	sys    sysState
}

// StatsShard is one event loop's share of the counters. Every field is an
// atomic safe from any goroutine; a loop should use only its own shard.
//
// Which engine event moves which field (mosquitto's semantics):
//
//	MessagesReceived     +1 per complete MQTT packet read, any type ($SYS messages/received)
//	MessagesSent         +1 per MQTT packet written, any type ($SYS messages/sent)
//	BytesReceived        +n for n bytes read from a client socket (bytes/received)
//	BytesSent            +n for n bytes written to a client socket (bytes/sent)
//	PublishReceived      +1 per PUBLISH packet read (publish/messages/received)
//	PublishSent          +1 per PUBLISH packet written, retries included (publish/messages/sent)
//	PublishBytesReceived +len(payload) per PUBLISH read (publish/bytes/received)
//	PublishBytesSent     +len(payload) per PUBLISH written (publish/bytes/sent)
//	PublishDropped       +1 per message not delivered to a subscriber because
//	                     a queue or inflight limit was reached, or a QoS 0
//	                     message to an offline session (publish/messages/dropped)
//	Sockets              +1 per accepted network connection, before CONNECT (load/sockets)
//	Connections          +1 per CONNECT accepted (CONNACK success) (load/connections)
//	ClientsExpired       +1 per offline persistent session removed because it
//	                     expired (clients/expired)
//
// Gauges, raised and lowered (the sum over shards is the value):
//
//	ClientsConnected     +1 when a CONNECT is accepted, -1 when that connection
//	                     closes (clients/connected)
//	ClientsDisconnected  +1 when a persistent session loses its connection and
//	                     is kept; -1 when it is resumed, expires or is removed
//	                     (clients/disconnected); clients/total is the sum of both
//	Subscriptions        +1 per new (session, filter) subscription, -1 when it
//	                     is unsubscribed or its session ends (subscriptions/count)
//	SharedSubscriptions  the same for $share/ filters (shared_subscriptions/count)
//	RetainedMessages     +1 when a topic gains a retained message, -1 when it
//	                     loses it (retained messages/count)
//	StoreMessages        +1 when a message is copied into a buffer that outlives
//	                     the read (queue, inflight, retained), -1 on its release
//	                     (store/messages/count and messages/stored)
//	StoreBytes           +/- that buffer's payload length (store/messages/bytes)
type StatsShard struct {
	_ [statsCacheLine]byte // keeps the previous shard's counters off these lines

	MessagesReceived     atomic.Uint64
	MessagesSent         atomic.Uint64
	BytesReceived        atomic.Uint64
	BytesSent            atomic.Uint64
	PublishReceived      atomic.Uint64
	PublishSent          atomic.Uint64
	PublishBytesReceived atomic.Uint64
	PublishBytesSent     atomic.Uint64
	PublishDropped       atomic.Uint64
	Sockets              atomic.Uint64
	Connections          atomic.Uint64
	ClientsExpired       atomic.Uint64

	ClientsConnected    atomic.Int64
	ClientsDisconnected atomic.Int64
	Subscriptions       atomic.Int64
	SharedSubscriptions atomic.Int64
	RetainedMessages    atomic.Int64
	StoreMessages       atomic.Int64
	StoreBytes          atomic.Int64

	_ [statsShardTail]byte // rounds the shard to whole cache lines
}

const (
	statsCacheLine  = 64
	statsShardWords = 19 // 8-byte fields in StatsShard
	statsShardTail  = (statsCacheLine - statsShardWords*8%statsCacheLine) % statsCacheLine
)

// PacketIn counts one MQTT packet of n bytes read.
func (s *StatsShard) PacketIn(n int) {
	s.MessagesReceived.Add(1)
	s.BytesReceived.Add(uint64(n))
}

// PacketOut counts one MQTT packet of n bytes written.
func (s *StatsShard) PacketOut(n int) {
	s.MessagesSent.Add(1)
	s.BytesSent.Add(uint64(n))
}

// PublishIn counts a PUBLISH read with a payload of n bytes (the packet
// itself is counted by PacketIn).
func (s *StatsShard) PublishIn(n int) {
	s.PublishReceived.Add(1)
	s.PublishBytesReceived.Add(uint64(n))
}

// PublishOut counts a PUBLISH written with a payload of n bytes (the packet
// itself is counted by PacketOut).
func (s *StatsShard) PublishOut(n int) {
	s.PublishSent.Add(1)
	s.PublishBytesSent.Add(uint64(n))
}

// NewStats returns counters for loops event loops (at least one shard).
func NewStats(loops int, version string, start time.Time) *Stats {
	return &Stats{Version: version, Start: start, shards: make([]StatsShard, max(loops, 1))}
}

// Shard returns the shard of event loop i; any index is accepted (it wraps),
// so code outside the loops (timers, the expiry sweep) may use any shard.
func (s *Stats) Shard(i int) *StatsShard {
	n := len(s.shards)
	return &s.shards[((i%n)+n)%n]
}

// StatsSnapshot is the sum of every shard at one moment. Gauges are clamped
// at zero (a sum read while another loop moves a session can dip below).
type StatsSnapshot struct {
	MessagesReceived, MessagesSent         uint64
	BytesReceived, BytesSent               uint64
	PublishReceived, PublishSent           uint64
	PublishBytesReceived, PublishBytesSent uint64
	PublishDropped                         uint64
	Sockets, Connections, ClientsExpired   uint64

	ClientsConnected, ClientsDisconnected int64
	Subscriptions, SharedSubscriptions    int64
	RetainedMessages                      int64
	StoreMessages, StoreBytes             int64
}

// ClientsTotal is mosquitto's clients/total: sessions known to the broker,
// connected or not.
func (n StatsSnapshot) ClientsTotal() int64 { return n.ClientsConnected + n.ClientsDisconnected }

// Snapshot sums the shards. Safe from any goroutine.
func (s *Stats) Snapshot() StatsSnapshot {
	var n StatsSnapshot
	for i := range s.shards {
		sh := &s.shards[i]
		n.MessagesReceived += sh.MessagesReceived.Load()
		n.MessagesSent += sh.MessagesSent.Load()
		n.BytesReceived += sh.BytesReceived.Load()
		n.BytesSent += sh.BytesSent.Load()
		n.PublishReceived += sh.PublishReceived.Load()
		n.PublishSent += sh.PublishSent.Load()
		n.PublishBytesReceived += sh.PublishBytesReceived.Load()
		n.PublishBytesSent += sh.PublishBytesSent.Load()
		n.PublishDropped += sh.PublishDropped.Load()
		n.Sockets += sh.Sockets.Load()
		n.Connections += sh.Connections.Load()
		n.ClientsExpired += sh.ClientsExpired.Load()
		n.ClientsConnected += sh.ClientsConnected.Load()
		n.ClientsDisconnected += sh.ClientsDisconnected.Load()
		n.Subscriptions += sh.Subscriptions.Load()
		n.SharedSubscriptions += sh.SharedSubscriptions.Load()
		n.RetainedMessages += sh.RetainedMessages.Load()
		n.StoreMessages += sh.StoreMessages.Load()
		n.StoreBytes += sh.StoreBytes.Load()
	}
	for _, g := range []*int64{&n.ClientsConnected, &n.ClientsDisconnected, &n.Subscriptions,
		&n.SharedSubscriptions, &n.RetainedMessages, &n.StoreMessages, &n.StoreBytes} {
		*g = max(*g, 0)
	}
	return n
}

// Sys runs one $SYS update at now: it advances the load averages and emits
// every topic with mosquitto's payload format. Call it once per
// sys_interval. emit may keep topic and payload. Calls are serialised;
// counting goes on meanwhile.
func (s *Stats) Sys(now time.Time, emit func(topic string, payload []byte)) {
	s.sysUpdate(now, emit, false)
}

// SysChanged is Sys the way mosquitto publishes: a topic is emitted only
// when its value changed since it was last emitted (the first call emits
// everything). uptime is always emitted; version only by the first call;
// clients/maximum only when it rises; a load average when it moved by 0.01
// or more since the previous update.
func (s *Stats) SysChanged(now time.Time, emit func(topic string, payload []byte)) {
	s.sysUpdate(now, emit, true)
}

// sysLoadNames are the rates mosquitto averages, in its publishing order;
// topic is $SYS/broker/load/<name>/<window>.
var sysLoadNames = [sysLoadCount]string{
	"messages/received", "messages/sent", "publish/dropped", "publish/received",
	"publish/sent", "bytes/received", "bytes/sent", "sockets", "connections",
}

const sysLoadCount = 9

// sysLoadWindows are the averaging windows of the load topics.
var sysLoadWindows = [3]struct {
	suffix  string
	seconds float64
}{{"1min", 60}, {"5min", 300}, {"15min", 900}}

// sysLoadCounters returns the counters behind sysLoadNames.
func sysLoadCounters(n *StatsSnapshot) [sysLoadCount]uint64 {
	return [sysLoadCount]uint64{
		n.MessagesReceived, n.MessagesSent, n.PublishDropped, n.PublishReceived,
		n.PublishSent, n.BytesReceived, n.BytesSent, n.Sockets, n.Connections,
	}
}

// sysState is what Sys remembers between updates; guarded by mu.
type sysState struct {
	mu      sync.Mutex
	started bool
	last    time.Time
	prev    [sysLoadCount]uint64     // counters at the previous update
	loads   [3][sysLoadCount]float64 // per window, per rate: the average
	emitted map[string]string        // topic -> last payload emitted
	maxTot  int64                    // clients/maximum: most sessions seen
	maxHeap uint64
	// heapBytes reads the live heap size; nil means the Go runtime's.
	heapBytes func() uint64
	sample    []metrics.Sample
}

// sysEmitter emits topics, or only the changed ones.
type sysEmitter struct {
	st          *sysState
	emit        func(string, []byte)
	onlyChanged bool
}

// put emits topic unless onlyChanged and the payload equals the last one
// emitted (force overrides that).
func (e *sysEmitter) put(topic string, payload []byte, force bool) {
	if e.onlyChanged && !force {
		if last, ok := e.st.emitted[topic]; ok && last == string(payload) {
			return
		}
	}
	e.st.emitted[topic] = string(payload)
	e.emit(topic, payload)
}

func (e *sysEmitter) int(topic string, v int64) {
	e.put(topic, strconv.AppendInt(nil, v, 10), false)
}

func (e *sysEmitter) uint(topic string, v uint64) {
	e.put(topic, strconv.AppendUint(nil, v, 10), false)
}

// sysLoadPayload formats a load average as mosquitto's "%.2f".
func sysLoadPayload(v float64) []byte { return strconv.AppendFloat(nil, v, 'f', 2, 64) }

func (s *Stats) sysUpdate(now time.Time, emit func(string, []byte), onlyChanged bool) {
	st := &s.sys
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.emitted == nil {
		st.emitted = make(map[string]string)
	}
	e := &sysEmitter{st: st, emit: emit, onlyChanged: onlyChanged}
	n := s.Snapshot()
	first := !st.started

	if !onlyChanged || first {
		e.put("$SYS/broker/version", []byte("midge version "+s.Version), true)
	}
	uptime := int64(now.Sub(s.Start) / time.Second)
	e.put("$SYS/broker/uptime", append(strconv.AppendInt(nil, max(uptime, 0), 10), " seconds"...), true)

	total := n.ClientsTotal()
	e.int("$SYS/broker/clients/total", total)
	raised := total > st.maxTot
	st.maxTot = max(st.maxTot, total)
	if raised || !onlyChanged {
		e.put("$SYS/broker/clients/maximum", strconv.AppendInt(nil, st.maxTot, 10), true)
	}
	// inactive and active are mosquitto's older names, still published.
	e.int("$SYS/broker/clients/inactive", n.ClientsDisconnected)
	e.int("$SYS/broker/clients/disconnected", n.ClientsDisconnected)
	e.int("$SYS/broker/clients/active", n.ClientsConnected)
	e.int("$SYS/broker/clients/connected", n.ClientsConnected)
	e.uint("$SYS/broker/clients/expired", n.ClientsExpired)

	s.sysLoads(e, now, sysLoadCounters(&n), first)

	e.int("$SYS/broker/messages/stored", n.StoreMessages)
	e.int("$SYS/broker/store/messages/count", n.StoreMessages)
	e.int("$SYS/broker/store/messages/bytes", n.StoreBytes)
	e.int("$SYS/broker/subscriptions/count", n.Subscriptions)
	e.int("$SYS/broker/shared_subscriptions/count", n.SharedSubscriptions)
	e.int("$SYS/broker/retained messages/count", n.RetainedMessages)
	heap := st.heap()
	st.maxHeap = max(st.maxHeap, heap)
	e.uint("$SYS/broker/heap/current", heap)
	e.uint("$SYS/broker/heap/maximum", st.maxHeap)
	e.uint("$SYS/broker/messages/received", n.MessagesReceived)
	e.uint("$SYS/broker/messages/sent", n.MessagesSent)
	e.uint("$SYS/broker/publish/messages/dropped", n.PublishDropped)
	e.uint("$SYS/broker/publish/messages/received", n.PublishReceived)
	e.uint("$SYS/broker/publish/messages/sent", n.PublishSent)
	e.uint("$SYS/broker/bytes/received", n.BytesReceived)
	e.uint("$SYS/broker/bytes/sent", n.BytesSent)
	e.uint("$SYS/broker/publish/bytes/received", n.PublishBytesReceived)
	e.uint("$SYS/broker/publish/bytes/sent", n.PublishBytesSent)
}

// sysLoads advances the load averages as mosquitto's sys_tree does. Each
// rate is the counter's growth since the previous update scaled to one
// minute, r = delta*60/elapsed; each window w (60, 300, 900 s) decays the
// old average towards it: avg = r + exp(-elapsed/w)*(avg - r). The first
// update only records the counters and publishes 0.00, as mosquitto.
func (s *Stats) sysLoads(e *sysEmitter, now time.Time, cur [sysLoadCount]uint64, first bool) {
	st := &s.sys
	var rate [sysLoadCount]float64
	elapsed := now.Sub(st.last).Seconds()
	advance := !first && elapsed > 0
	if advance {
		for i := range cur {
			rate[i] = float64(cur[i]-st.prev[i]) * 60 / elapsed
		}
	}
	for w, win := range sysLoadWindows {
		decay := math.Exp(-elapsed / win.seconds)
		for i, name := range sysLoadNames {
			old := st.loads[w][i]
			v := old
			if advance {
				v = rate[i] + decay*(old-rate[i])
			}
			st.loads[w][i] = v
			topic := "$SYS/broker/load/" + name + "/" + win.suffix
			if !e.onlyChanged || first || math.Abs(v-old) >= 0.01 {
				e.put(topic, sysLoadPayload(v), true)
			}
		}
	}
	if first || advance {
		st.started, st.last, st.prev = true, now, cur
	}
}

// heap returns the bytes of live heap objects (Go's HeapAlloc), the
// counterpart of mosquitto's heap/current (bytes it has allocated).
func (st *sysState) heap() uint64 {
	if st.heapBytes != nil {
		return st.heapBytes()
	}
	if st.sample == nil {
		st.sample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	}
	metrics.Read(st.sample)
	if st.sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return st.sample[0].Value.Uint64()
}
