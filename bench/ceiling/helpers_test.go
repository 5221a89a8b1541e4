package ceiling

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// startRelay runs a relay with two loops on a free loopback port for the
// test.
func startRelay(t testing.TB) *Relay {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := Start(ctx, "127.0.0.1:0", 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Stop(); err != nil {
			t.Error(err)
		}
	})
	return r
}

// rawClient speaks MQTT to the relay with hand-made packets.
type rawClient struct {
	t testing.TB
	c net.Conn
}

// dial connects and completes CONNECT/CONNACK at the given protocol level.
func dial(t testing.TB, r *Relay, version byte) *rawClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", r.Addr().String(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	rc := &rawClient{t: t, c: c}
	body := []byte{0, 4, 'M', 'Q', 'T', 'T', version, 0x02, 0, 60}
	if version == 5 {
		body = append(body, 0) // no properties
	}
	body = append(body, 0, 1, 'x') // client identifier
	rc.send(packet(0x10, body))
	want := []byte{0x20, 2, 0, 0}
	if version == 5 {
		want = []byte{0x20, 3, 0, 0, 0}
	}
	rc.expect("CONNACK", want)
	return rc
}

// packet frames body behind first with its remaining length.
func packet(first byte, body []byte) []byte {
	return append(appendVarint([]byte{first}, len(body)), body...)
}

// publish builds a PUBLISH of payload on topic (id used at QoS 1 and 2).
func publish(topic string, qos byte, id uint16, payload string) []byte {
	body := append([]byte{byte(len(topic) >> 8), byte(len(topic))}, topic...)
	if qos > 0 {
		body = append(body, byte(id>>8), byte(id))
	}
	return packet(0x30|qos<<1, append(body, payload...))
}

// subscribe builds a SUBSCRIBE (MQTT 3.1.1) for filters at qos.
func subscribe(id uint16, qos byte, filters ...string) []byte {
	body := []byte{byte(id >> 8), byte(id)}
	for _, f := range filters {
		body = append(body, byte(len(f)>>8), byte(len(f)))
		body = append(append(body, f...), qos)
	}
	return packet(0x82, body)
}

func (rc *rawClient) send(b []byte) {
	rc.t.Helper()
	if _, err := rc.c.Write(b); err != nil {
		rc.t.Fatal(err)
	}
}

// read returns the next whole packet, failing the test after two seconds.
func (rc *rawClient) read() []byte {
	rc.t.Helper()
	_ = rc.c.SetReadDeadline(time.Now().Add(2 * time.Second))
	head := make([]byte, 2, 5)
	if _, err := io.ReadFull(rc.c, head); err != nil {
		rc.t.Fatalf("reading a packet: %v", err)
	}
	for head[len(head)-1]&0x80 != 0 {
		var b [1]byte
		if _, err := io.ReadFull(rc.c, b[:]); err != nil {
			rc.t.Fatal(err)
		}
		head = append(head, b[0])
	}
	n, _, _ := nextFrame(append(head, make([]byte, 1<<20)...))
	pkt := make([]byte, n)
	copy(pkt, head)
	if _, err := io.ReadFull(rc.c, pkt[len(head):]); err != nil {
		rc.t.Fatalf("reading a packet body: %v", err)
	}
	return pkt
}

// expect reads one packet and fails unless it is want.
func (rc *rawClient) expect(what string, want []byte) {
	rc.t.Helper()
	if got := rc.read(); !bytes.Equal(got, want) {
		rc.t.Fatalf("%s: got % x, want % x", what, got, want)
	}
}

// sync sends PINGREQ and waits for PINGRESP: everything the relay sent
// this client before has then been read.
func (rc *rawClient) sync() {
	rc.t.Helper()
	rc.send([]byte{0xc0, 0})
	rc.expect("PINGRESP", []byte{0xd0, 0})
}

// fakeConn stands in for a gnet connection on one loop: it counts what
// Writev is given. Only the methods the relay calls on its own loop are
// implemented.
type fakeConn struct {
	gnet.Conn
	writes, bytes int
}

func (f *fakeConn) Writev(bs [][]byte) (int, error) {
	n := 0
	for _, b := range bs {
		n += len(b)
	}
	f.writes++
	f.bytes += n
	return n, nil
}

func (f *fakeConn) OutboundBuffered() int { return 0 }

// oneLoop is a relay reduced to one loop with fake connections: the
// publisher and n subscribers of filter, all MQTT 3.1.1.
func oneLoop(n int, filter string) (lp *loop, pub *rconn, subs []*fakeConn) {
	r := &Relay{ix: newIndex()}
	lp = &loop{r: r}
	pub = newRconn(&fakeConn{}, lp)
	for range n {
		f := &fakeConn{}
		subs = append(subs, f)
		r.ix.add([]byte(filter), newRconn(f, lp))
	}
	return lp, pub, subs
}

// recordingConn is a fakeConn that hands each writev's bytes, joined, to
// onWrite.
type recordingConn struct {
	fakeConn
	onWrite func([]byte)
}

func (r *recordingConn) Writev(bs [][]byte) (int, error) {
	var all []byte
	for _, b := range bs {
		all = append(all, b...)
	}
	r.onWrite(all)
	return len(all), nil
}
