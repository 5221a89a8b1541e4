package engine

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/codec"
)

// fakeClock is an injectable clock: tests move it, nothing sleeps.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// memTransport is an in-memory Transport: what the broker writes collects
// in out; buffered simulates bytes the peer has not read yet.
type memTransport struct {
	out      bytes.Buffer
	buffered int
	closed   bool
	writes   int
	// lastWrite is when this transport was last written to, on a clock
	// shared by every memTransport that counts writes.
	lastWrite int
	// onWrite, when set, runs inside Writev, before the write, as gnet
	// runs OnClose inside a write that fails.
	onWrite func()
	// local is the listener address the connection came in on (nil: none
	// the broker knows).
	local *net.TCPAddr
}

// writeClock orders writes across connections (tests drive the broker from
// one goroutine).
var writeClock int

func (m *memTransport) Writev(bufs [][]byte) error {
	if f := m.onWrite; f != nil {
		m.onWrite = nil
		f()
		return net.ErrClosed
	}
	m.writes++
	writeClock++
	m.lastWrite = writeClock
	for _, b := range bufs {
		m.out.Write(b)
	}
	return nil
}
func (m *memTransport) Buffered() int { return m.buffered }
func (m *memTransport) Close() error  { m.closed = true; return nil }
func (m *memTransport) LocalAddr() net.Addr {
	if m.local == nil {
		return nil
	}
	return m.local
}

func (m *memTransport) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}
}

// queueExecutor holds tasks posted to a test loop until run() runs them, as
// an event loop would on its next turn.
type queueExecutor struct{ tasks []task }

func (q *queueExecutor) execute(t task) bool { q.tasks = append(q.tasks, t); return true }

// testBroker is a Broker without listeners: loops and connections are
// driven by the test, on the test goroutine.
type testBroker struct {
	t     *testing.T
	b     *Broker
	clock *fakeClock
	loops []*loop
	execs []*queueExecutor
	conns map[*loop][]*conn
}

func newTestBroker(t *testing.T, loops int, opts Options) *testBroker {
	t.Helper()
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	opts.Now = clock.Now
	opts.EventLoops = loops
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Listeners == nil {
		opts.Listeners = []Listener{{Network: "tcp", Address: "127.0.0.1:0"}}
	}
	b, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	tb := &testBroker{t: t, b: b, clock: clock}
	for range loops {
		q := &queueExecutor{}
		tb.execs = append(tb.execs, q)
		tb.loops = append(tb.loops, newLoop(b, q))
	}
	return tb
}

// run runs every task posted to the loops until none is left.
func (tb *testBroker) run() {
	for more := true; more; {
		more = false
		for _, q := range tb.execs {
			tasks := q.tasks
			q.tasks = nil
			for _, fn := range tasks {
				_ = fn.Run(context.Background())
				more = true
			}
		}
	}
}

// tick advances the clock by d and every loop's wheel with it.
func (tb *testBroker) tick(d time.Duration) {
	tb.clock.Advance(d)
	for _, lp := range tb.loops {
		lp.postTick(tb.clock.Now())
	}
	tb.run()
	tb.closeClosed()
}

// closeClosed delivers the close callback to connections whose transport
// the broker closed, as gnet does on the next turn.
func (tb *testBroker) closeClosed() {
	for _, lp := range tb.loops {
		for _, c := range tb.conns[lp] {
			if c.t.(*memTransport).closed && !c.sysClosed {
				c.closed(nil)
				lp.endTurn()
			}
		}
	}
	tb.run()
}

// testClient is one connection of a testBroker.
type testClient struct {
	tb *testBroker
	lp *loop
	c  *conn
	tr *memTransport
	v  codec.Version

	unread []byte // bytes fed but not consumed yet (feed)
}

func (tb *testBroker) dial(loopIndex int) *testClient { return tb.dialOn(loopIndex, nil) }

// dialOn connects a client as if accepted by the TCP listener at local.
func (tb *testBroker) dialOn(loopIndex int, local *net.TCPAddr) *testClient {
	lp := tb.loops[loopIndex]
	tr := &memTransport{local: local}
	if !tb.b.admitConnection() {
		tb.t.Fatal("connection refused by max_connections")
	}
	c := lp.newConn(tr)
	if tb.conns == nil {
		tb.conns = map[*loop][]*conn{}
	}
	tb.conns[lp] = append(tb.conns[lp], c)
	return &testClient{tb: tb, lp: lp, c: c, tr: tr, v: codec.V311}
}

// send feeds raw bytes to the broker as one read, then runs what the read
// posted to other loops. It returns false when the broker closed the
// connection.
func (tc *testClient) send(raw []byte) bool {
	if tc.c.sysClosed {
		return false
	}
	used, err := tc.c.handleBytes(raw)
	tc.lp.endTurn()
	if used != len(raw) && err == nil {
		tc.tb.t.Fatalf("partial packet left: used %d of %d", used, len(raw))
	}
	if err != nil {
		tc.c.closed(err)
		tc.lp.endTurn()
	}
	tc.tb.run()
	tc.tb.closeClosed()
	return err == nil
}

// feed gives the broker bytes as gnet would: appended to what an earlier
// read left unconsumed.
func (tc *testClient) feed(raw []byte) {
	if tc.c.sysClosed {
		return
	}
	buf := append(tc.unread, raw...)
	used, err := tc.c.handleBytes(buf)
	tc.lp.endTurn()
	tc.unread = append([]byte(nil), buf[used:]...)
	if err != nil {
		tc.c.closed(err)
		tc.lp.endTurn()
	}
	tc.tb.run()
	tc.tb.closeClosed()
}

// drop closes the connection from the client side without DISCONNECT.
func (tc *testClient) drop() {
	tc.c.closed(io.EOF)
	tc.lp.endTurn()
	tc.tb.run()
}

// first takes only the first packet the broker wrote; the rest stays for
// packets().
func (tc *testClient) first() (codec.Frame, bool) {
	buf := tc.tr.out.Bytes()
	if len(buf) == 0 {
		return codec.Frame{}, false
	}
	f, err := codec.ReadFrame(buf, 0)
	if err != nil {
		tc.tb.t.Fatalf("broker wrote a bad frame: %v (% x)", err, buf)
	}
	f.Body = append([]byte(nil), f.Body...)
	rest := append([]byte(nil), buf[f.Total:]...)
	tc.tr.out.Reset()
	tc.tr.out.Write(rest)
	return f, true
}

// packets decodes everything the broker wrote to this client so far.
func (tc *testClient) packets() []codec.Frame {
	var out []codec.Frame
	buf := append([]byte(nil), tc.tr.out.Bytes()...)
	tc.tr.out.Reset()
	for len(buf) > 0 {
		f, err := codec.ReadFrame(buf, 0)
		if err != nil {
			tc.tb.t.Fatalf("broker wrote a bad frame: %v (% x)", err, buf)
		}
		out = append(out, f)
		buf = buf[f.Total:]
	}
	return out
}

// publishes returns the PUBLISH packets among what the broker wrote.
func (tc *testClient) publishes() []codec.Publish {
	var out []codec.Publish
	for _, f := range tc.packets() {
		if f.Type != codec.PUBLISH {
			continue
		}
		var p codec.Publish
		if err := p.Decode(tc.v, f.Flags, f.Body); err != nil {
			tc.tb.t.Fatalf("bad PUBLISH from broker: %v", err)
		}
		out = append(out, p)
	}
	return out
}

func connectPacket(id string, clean bool, keepAlive uint16) []byte {
	p := codec.Connect{Version: codec.V311, ClientID: []byte(id), CleanStart: clean, KeepAlive: keepAlive}
	return p.Append(nil, codec.V311)
}

// connect sends CONNECT and checks the CONNACK; it returns session present.
func (tc *testClient) connect(id string, clean bool) bool {
	tc.tb.t.Helper()
	tc.send(connectPacket(id, clean, 0))
	f, ok := tc.first()
	if !ok || f.Type != codec.CONNACK {
		tc.tb.t.Fatalf("want CONNACK, got %v", f)
	}
	var ack codec.Connack
	if err := ack.Decode(codec.V311, f.Flags, f.Body); err != nil || ack.ReasonCode != codec.Success {
		tc.tb.t.Fatalf("CONNACK %v %v", ack.ReasonCode, err)
	}
	return ack.SessionPresent
}

func subscribePacket(pid uint16, filter string, qos byte) []byte {
	p := codec.Subscribe{PacketID: pid, Subscriptions: []codec.Subscription{{Filter: []byte(filter), QoS: qos}}}
	return p.Append(nil, codec.V311)
}

func (tc *testClient) subscribe(filter string, qos byte) {
	tc.tb.t.Helper()
	tc.send(subscribePacket(7, filter, qos))
	if f, ok := tc.first(); !ok || f.Type != codec.SUBACK {
		tc.tb.t.Fatalf("want SUBACK, got %v", f)
	}
}

func publishPacket(topic, payload string, qos byte, retain bool, pid uint16) []byte {
	p := codec.Publish{Topic: []byte(topic), Payload: []byte(payload), QoS: qos, Retain: retain, PacketID: pid}
	return p.Append(nil, codec.V311)
}

func ackPacket(kind codec.PacketType, pid uint16) []byte {
	a := codec.Ack{Kind: kind, PacketID: pid}
	return a.Append(nil, codec.V311)
}

// publishAndAckOldest feeds pub's QoS 1 PUBLISH pkt to the broker as one
// read, then sub's PUBACK for the oldest message in its window (see
// ackOldest), and drops what both were sent.
func publishAndAckOldest(tb testing.TB, pub, sub *testClient, pkt, ack []byte) {
	if _, err := pub.c.handleBytes(pkt); err != nil {
		tb.Fatal(err)
	}
	pub.lp.endTurn()
	ackOldest(tb, sub, ack)
	sub.tr.out.Reset()
	pub.tr.out.Reset()
}

// ackOldest feeds sub's PUBACK for the oldest message in its window as
// one read; ack is a PUBACK packet (ackPacket), reused for each call.
func ackOldest(tb testing.TB, sub *testClient, ack []byte) {
	pid := sub.c.session.inflight[0].pid
	ack[2], ack[3] = byte(pid>>8), byte(pid)
	if _, err := sub.c.handleBytes(ack); err != nil {
		tb.Fatal(err)
	}
	sub.lp.endTurn()
}

// sensorPair connects, on tb's first loop, a subscriber to sensors/+/temp
// at qos and a publisher, and returns them with the PUBLISH the publisher
// sends (packet identifier 1 at QoS 1 and 2) for the hot-path tests and
// benchmarks.
func sensorPair(tb *testBroker, qos byte) (sub, pub *testClient, pkt []byte) {
	sub = tb.dial(0)
	sub.connect("sub", true)
	sub.subscribe("sensors/+/temp", qos)
	pub = tb.dial(0)
	pub.connect("pub", true)
	var pid uint16
	if qos > 0 {
		pid = 1
	}
	return sub, pub, publishPacket("sensors/42/temp", "21.5", qos, false, pid)
}
