package engine

import (
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

func TestStatsShardLayout(t *testing.T) {
	var sh StatsShard
	if size := unsafe.Sizeof(sh); size%statsCacheLine != 0 {
		t.Errorf("StatsShard is %d bytes, not whole cache lines", size)
	}
	if off := unsafe.Offsetof(sh.MessagesReceived); off < statsCacheLine {
		t.Errorf("first counter at offset %d shares a line with the previous shard", off)
	}
	words := 0
	typ := reflect.TypeFor[StatsShard]()
	for i := range typ.NumField() {
		switch typ.Field(i).Type {
		case reflect.TypeFor[atomic.Uint64](), reflect.TypeFor[atomic.Int64]():
			words++
		}
	}
	if words != statsShardWords {
		t.Errorf("StatsShard has %d counters, statsShardWords says %d", words, statsShardWords)
	}
}

// TestStatsConcurrentIncrements counts from several goroutines, some
// sharing a shard, while Sys reads; run with -race.
func TestStatsConcurrentIncrements(t *testing.T) {
	const workers, rounds = 6, 2000
	s := NewStats(4, "test", time.Unix(0, 0))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() { // the $SYS timer, reading while loops count
		defer wg.Done()
		now := time.Unix(0, 0)
		for {
			select {
			case <-stop:
				return
			default:
				now = now.Add(time.Second)
				s.SysChanged(now, func(string, []byte) {})
			}
		}
	}()
	var counting sync.WaitGroup
	for w := range workers {
		counting.Add(1)
		go func() {
			defer counting.Done()
			sh := s.Shard(w) // workers 4 and 5 wrap onto shards 0 and 1
			other := s.Shard(-w - 1)
			for range rounds {
				sh.PacketIn(10)
				sh.PacketOut(20)
				sh.PublishIn(3)
				sh.PublishOut(4)
				sh.PublishDropped.Add(1)
				sh.Sockets.Add(1)
				sh.Connections.Add(1)
				sh.ClientsConnected.Add(1)
				other.ClientsConnected.Add(-1) // a session closing on another loop
				sh.Subscriptions.Add(2)
				sh.RetainedMessages.Add(1)
				sh.StoreMessages.Add(1)
				sh.StoreBytes.Add(100)
			}
		}()
	}
	counting.Wait()
	close(stop)
	wg.Wait()

	const n = workers * rounds
	got := s.Snapshot()
	want := StatsSnapshot{
		MessagesReceived: n, MessagesSent: n, BytesReceived: 10 * n, BytesSent: 20 * n,
		PublishReceived: n, PublishSent: n, PublishBytesReceived: 3 * n, PublishBytesSent: 4 * n,
		PublishDropped: n, Sockets: n, Connections: n,
		ClientsConnected: 0, Subscriptions: 2 * n, RetainedMessages: n, StoreMessages: n, StoreBytes: 100 * n,
	}
	if got != want {
		t.Fatalf("snapshot\n got %+v\nwant %+v", got, want)
	}
}

func TestStatsSnapshotClampsGauges(t *testing.T) {
	s := NewStats(2, "test", time.Unix(0, 0))
	s.Shard(1).ClientsConnected.Add(-1) // the matching +1 not yet seen
	if got := s.Snapshot().ClientsConnected; got != 0 {
		t.Errorf("clients connected %d, want clamped to 0", got)
	}
}

// sysRecorder collects emitted topics in order.
type sysRecorder struct {
	topics   []string
	payloads map[string]string
}

func (r *sysRecorder) emit(topic string, payload []byte) {
	if r.payloads == nil {
		r.payloads = make(map[string]string)
	}
	r.topics = append(r.topics, topic)
	r.payloads[topic] = string(payload)
}

func newTestStats(heap uint64) *Stats {
	s := NewStats(2, "1.2.3", time.Unix(1000, 0))
	s.sys.heapBytes = func() uint64 { return heap }
	return s
}

// TestSysTopicsAndPayloads checks every topic name, its order (as mosquitto
// 2.0.11 publishes an update) and payload format.
func TestSysTopicsAndPayloads(t *testing.T) {
	s := newTestStats(123456)
	a, b := s.Shard(0), s.Shard(1)
	a.PacketIn(100)
	b.PacketIn(50)
	a.PacketOut(70)
	a.PublishIn(12)
	b.PublishOut(8)
	b.PublishDropped.Add(3)
	a.ClientsConnected.Add(2)
	b.ClientsDisconnected.Add(1)
	a.ClientsExpired.Add(4)
	a.Subscriptions.Add(5)
	b.SharedSubscriptions.Add(1)
	a.RetainedMessages.Add(6)
	a.StoreMessages.Add(7)
	a.StoreBytes.Add(800)

	var r sysRecorder
	s.Sys(time.Unix(1042, 900e6), r.emit)
	want := [][2]string{
		{"$SYS/broker/version", "midge version 1.2.3"},
		{"$SYS/broker/uptime", "42 seconds"},
		{"$SYS/broker/clients/total", "3"},
		{"$SYS/broker/clients/maximum", "3"},
		{"$SYS/broker/clients/inactive", "1"},
		{"$SYS/broker/clients/disconnected", "1"},
		{"$SYS/broker/clients/active", "2"},
		{"$SYS/broker/clients/connected", "2"},
		{"$SYS/broker/clients/expired", "4"},
	}
	for _, w := range []string{"1min", "5min", "15min"} {
		for _, name := range []string{"messages/received", "messages/sent", "publish/dropped", "publish/received",
			"publish/sent", "bytes/received", "bytes/sent", "sockets", "connections"} {
			want = append(want, [2]string{"$SYS/broker/load/" + name + "/" + w, "0.00"})
		}
	}
	want = append(want, [][2]string{
		{"$SYS/broker/messages/stored", "7"},
		{"$SYS/broker/store/messages/count", "7"},
		{"$SYS/broker/store/messages/bytes", "800"},
		{"$SYS/broker/subscriptions/count", "5"},
		{"$SYS/broker/shared_subscriptions/count", "1"},
		{"$SYS/broker/retained messages/count", "6"},
		{"$SYS/broker/heap/current", "123456"},
		{"$SYS/broker/heap/maximum", "123456"},
		{"$SYS/broker/messages/received", "2"},
		{"$SYS/broker/messages/sent", "1"},
		{"$SYS/broker/publish/messages/dropped", "3"},
		{"$SYS/broker/publish/messages/received", "1"},
		{"$SYS/broker/publish/messages/sent", "1"},
		{"$SYS/broker/bytes/received", "150"},
		{"$SYS/broker/bytes/sent", "70"},
		{"$SYS/broker/publish/bytes/received", "12"},
		{"$SYS/broker/publish/bytes/sent", "8"},
	}...)
	if len(r.topics) != len(want) {
		t.Fatalf("%d topics, want %d: %v", len(r.topics), len(want), r.topics)
	}
	for i, w := range want {
		if r.topics[i] != w[0] || r.payloads[w[0]] != w[1] {
			t.Errorf("topic %d: %s %q, want %s %q", i, r.topics[i], r.payloads[r.topics[i]], w[0], w[1])
		}
	}
}

// TestSysLoadAverages checks the decaying averages against values worked
// out by hand with mosquitto's formula avg = r + exp(-dt/w)*(avg - r),
// r = delta*60/dt.
func TestSysLoadAverages(t *testing.T) {
	s := newTestStats(0)
	t0 := time.Unix(2000, 0)
	sh := s.Shard(0)
	sh.PacketIn(1) // before the first update: not part of any rate
	var r sysRecorder
	s.Sys(t0, r.emit)
	if got := r.payloads["$SYS/broker/load/messages/received/1min"]; got != "0.00" {
		t.Fatalf("first update load %q, want 0.00", got)
	}

	// 100 messages in 10 s: r = 600/min.
	// 1min:  600*(1-e^(-10/60))  = 600*0.153518 = 92.11
	// 5min:  600*(1-e^(-10/300)) = 600*0.032784 = 19.67
	// 15min: 600*(1-e^(-10/900)) = 600*0.011050 = 6.63
	for range 100 {
		sh.PacketIn(10) // 1000 bytes: r = 6000/min, ten times the above
	}
	sh.Sockets.Add(5) // r = 30/min: 1min 30*0.153518 = 4.61
	r = sysRecorder{}
	s.Sys(t0.Add(10*time.Second), r.emit)
	for topic, want := range map[string]string{
		"messages/received/1min": "92.11", "messages/received/5min": "19.67", "messages/received/15min": "6.63",
		"bytes/received/1min": "921.11", "bytes/received/5min": "196.70", "bytes/received/15min": "66.30",
		"sockets/1min": "4.61", "messages/sent/1min": "0.00",
	} {
		if got := r.payloads["$SYS/broker/load/"+topic]; got != want {
			t.Errorf("after 10 s: load/%s = %q, want %q", topic, got, want)
		}
	}

	// 30 more messages in 20 s: r = 90/min.
	// 1min:  90 + e^(-20/60)*(92.1110-90)  = 90 + 0.716531*2.1110  = 91.51
	// 5min:  90 + e^(-20/300)*(19.6703-90) = 90 - 0.935507*70.3297 = 24.21
	// 15min: 90 + e^(-20/900)*(6.6298-90)  = 90 - 0.978023*83.3702 = 8.46
	for range 30 {
		sh.PacketIn(0)
	}
	r = sysRecorder{}
	s.Sys(t0.Add(30*time.Second), r.emit)
	for topic, want := range map[string]string{
		"messages/received/1min": "91.51", "messages/received/5min": "24.21", "messages/received/15min": "8.46",
	} {
		if got := r.payloads["$SYS/broker/load/"+topic]; got != want {
			t.Errorf("after 30 s: load/%s = %q, want %q", topic, got, want)
		}
	}
}

// TestSysLoadMatchesMosquitto replays an update observed from mosquitto
// 2.0.11: 2 packets received in 3 s gave load/messages/received/1min 1.95.
func TestSysLoadMatchesMosquitto(t *testing.T) {
	s := newTestStats(0)
	t0 := time.Unix(5000, 0)
	s.Sys(t0, func(string, []byte) {})
	s.Shard(1).PacketIn(10)
	s.Shard(0).PacketIn(17)
	var r sysRecorder
	s.Sys(t0.Add(3*time.Second), r.emit)
	if got := r.payloads["$SYS/broker/load/messages/received/1min"]; got != "1.95" {
		t.Errorf("got %q, want 1.95", got)
	}
}

func TestSysChangedEmitsOnlyChanges(t *testing.T) {
	heap := uint64(1000)
	s := NewStats(1, "1.0", time.Unix(0, 0))
	s.sys.heapBytes = func() uint64 { return heap }
	sh := s.Shard(0)

	var r sysRecorder
	s.SysChanged(time.Unix(10, 0), r.emit)
	if r.payloads["$SYS/broker/version"] != "midge version 1.0" || r.payloads["$SYS/broker/load/sockets/15min"] != "0.00" {
		t.Fatalf("first update must emit everything: %v", r.topics)
	}
	if _, ok := r.payloads["$SYS/broker/clients/maximum"]; ok {
		t.Error("clients/maximum emitted with no client ever seen (mosquitto does not)")
	}

	r = sysRecorder{}
	s.SysChanged(time.Unix(20, 0), r.emit)
	if want := []string{"$SYS/broker/uptime"}; !reflect.DeepEqual(r.topics, want) {
		t.Errorf("nothing changed: emitted %v, want %v", r.topics, want)
	}

	sh.ClientsConnected.Add(1)
	sh.Connections.Add(1) // r = 6/min: 1min 0.92, 5min 0.20, 15min 0.07
	heap = 900
	r = sysRecorder{}
	s.SysChanged(time.Unix(30, 0), r.emit)
	want := []string{
		"$SYS/broker/uptime", "$SYS/broker/clients/total", "$SYS/broker/clients/maximum",
		"$SYS/broker/clients/active", "$SYS/broker/clients/connected",
		"$SYS/broker/load/connections/1min", "$SYS/broker/load/connections/5min", "$SYS/broker/load/connections/15min",
		"$SYS/broker/heap/current",
	}
	if !reflect.DeepEqual(r.topics, want) {
		t.Errorf("emitted %v\nwant %v", r.topics, want)
	}
	if r.payloads["$SYS/broker/load/connections/15min"] != "0.07" || r.payloads["$SYS/broker/heap/current"] != "900" {
		t.Errorf("payloads %v", r.payloads)
	}

	// The client leaves: total falls, maximum stays and is not re-emitted.
	sh.ClientsConnected.Add(-1)
	r = sysRecorder{}
	s.SysChanged(time.Unix(40, 0), r.emit)
	if _, ok := r.payloads["$SYS/broker/clients/maximum"]; ok || r.payloads["$SYS/broker/clients/total"] != "0" {
		t.Errorf("after disconnect: %v", r.payloads)
	}
	// A full update still reports the maximum and the heap high mark.
	r = sysRecorder{}
	s.Sys(time.Unix(40, 0), r.emit)
	if r.payloads["$SYS/broker/clients/maximum"] != "1" || r.payloads["$SYS/broker/heap/maximum"] != "1000" {
		t.Errorf("full update: maximum %q, heap maximum %q", r.payloads["$SYS/broker/clients/maximum"], r.payloads["$SYS/broker/heap/maximum"])
	}
}

func TestSysHeapFromRuntime(t *testing.T) {
	s := NewStats(1, "x", time.Now())
	var r sysRecorder
	s.Sys(time.Now(), r.emit)
	heap := r.payloads["$SYS/broker/heap/current"]
	if heap == "" || heap == "0" || strings.Trim(heap, "0123456789") != "" {
		t.Errorf("heap/current %q is not a positive integer", heap)
	}
}

func BenchmarkStatsShardPacketIn(b *testing.B) {
	s := NewStats(1, "x", time.Now())
	sh := s.Shard(0)
	b.ReportAllocs()
	for b.Loop() {
		sh.PacketIn(64)
	}
}

// BenchmarkStatsParallel compares one shard per goroutine (as the loops
// use Stats) with every goroutine on one shared shard.
func BenchmarkStatsParallel(b *testing.B) {
	for _, shared := range []bool{false, true} {
		name := "per-loop"
		if shared {
			name = "shared"
		}
		b.Run(name, func(b *testing.B) {
			s := NewStats(64, "x", time.Now())
			var next atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				sh := s.Shard(0)
				if !shared {
					sh = s.Shard(int(next.Add(1)))
				}
				for pb.Next() {
					sh.PacketIn(64)
					sh.PublishIn(16)
				}
			})
		})
	}
}
