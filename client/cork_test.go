package client

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/codec"
)

// writeLog is a fakeConn that keeps every Write call.
type writeLog struct {
	fakeConn
	mu     sync.Mutex
	writes [][]byte
}

func (w *writeLog) Write(b []byte) (int, error) {
	w.mu.Lock()
	w.writes = append(w.writes, append([]byte(nil), b...))
	w.mu.Unlock()
	return len(b), nil
}

func (w *writeLog) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.writes)
}

func TestCorkSendsABurstInOneWrite(t *testing.T) {
	wl := &writeLog{fakeConn: fakeConn{connack: []byte{0x20, 2, 0, 0}, closed: make(chan struct{})}}
	c, _, err := NewClient(context.Background(), wl, Options{Version: V311, KeepAlive: 600})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	before := wl.count() // the CONNECT
	c.Cork()
	for i := 0; i < 5; i++ {
		if err := c.PublishAsync(context.Background(), &Message{Topic: "a/b", Payload: []byte{byte(i)}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := wl.count() - before; n != 0 {
		t.Fatalf("%d writes while corked, want 0", n)
	}
	if err := c.Uncork(); err != nil {
		t.Fatal(err)
	}
	if n := wl.count() - before; n != 1 {
		t.Fatalf("%d writes after Uncork, want 1", n)
	}
	// The one write holds the five PUBLISH packets in order.
	buf := wl.writes[len(wl.writes)-1]
	for i := 0; i < 5; i++ {
		f, err := codec.ReadFrame(buf, 0)
		if err != nil || f.Type != codec.PUBLISH {
			t.Fatalf("packet %d: %v %v", i, f.Type, err)
		}
		var p codec.Publish
		if err := p.Decode(codec.V311, f.Flags, f.Body); err != nil || string(p.Topic) != "a/b" || !bytes.Equal(p.Payload, []byte{byte(i)}) {
			t.Fatalf("packet %d: %q %v %v", i, p.Topic, p.Payload, err)
		}
		buf = buf[f.Total:]
	}
	if len(buf) != 0 {
		t.Fatalf("%d bytes left after five packets", len(buf))
	}
	// Uncorked again, each publish is written at once.
	if err := c.PublishAsync(context.Background(), &Message{Topic: "a/b"}, nil); err != nil {
		t.Fatal(err)
	}
	if n := wl.count() - before; n != 2 {
		t.Fatalf("%d writes, want 2", n)
	}
}

func TestCorkedQoS1WritesHeldMessagesWhenWindowIsFull(t *testing.T) {
	// The server grants a window of 2 (Receive Maximum) and never acks:
	// the third publish must not wait for acks of messages still held.
	connack := []byte{0x20, 6, 0, 0, 3, 0x21, 0, 2}
	wl := &writeLog{fakeConn: fakeConn{connack: connack, closed: make(chan struct{})}}
	c, _, err := NewClient(context.Background(), wl, Options{Version: V5, KeepAlive: 600})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	before := wl.count()
	c.Cork()
	for i := 0; i < 2; i++ {
		if err := c.PublishAsync(context.Background(), &Message{Topic: "a", QoS: 1}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := wl.count() - before; n != 0 {
		t.Fatalf("%d writes while corked, want 0", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = c.PublishAsync(ctx, &Message{Topic: "a", QoS: 1}, nil)
	if err != context.DeadlineExceeded {
		t.Fatalf("third publish: %v, want the deadline (no ack comes)", err)
	}
	if n := wl.count() - before; n != 1 {
		t.Fatalf("%d writes, want the two held messages written once the window filled", n)
	}
}

func TestFrameReaderGrowsForBurstsAndShrinksWhenCaughtUp(t *testing.T) {
	pkt := codec.AppendFixedHeader(nil, codec.PUBLISH, 0, 2+1+97)
	pkt = append(pkt, 0, 1, 't')
	pkt = append(pkt, make([]byte, 97)...)
	var burst []byte
	for i := 0; i < 200; i++ {
		burst = append(burst, pkt...)
	}
	r := &chunkReader{chunks: [][]byte{burst}}
	fr := newFrameReader(r)
	for i := 0; i < 200; i++ {
		if _, err := fr.next(); err != nil {
			t.Fatal(i, err)
		}
	}
	if r.reads > 12 { // 20 KB: about 40 reads of 512 bytes, 6 with doubling
		t.Errorf("%d reads for a burst of 200 packets: the buffer did not grow", r.reads)
	}
	if len(fr.buf) <= initialReadBuffer || len(fr.buf) > maxReadBuffer {
		t.Errorf("buffer %d bytes after the burst, want between %d and %d", len(fr.buf), initialReadBuffer, maxReadBuffer)
	}
	grown := len(fr.buf)
	// Lone packets, each a small read: the buffer is kept until enough of
	// them in a row say the burst is over.
	for i := range shrinkAfter {
		r.chunks = append(r.chunks, pkt)
		if _, err := fr.next(); err != nil {
			t.Fatal(err)
		}
		if i < shrinkAfter-1 && len(fr.buf) != grown {
			t.Fatalf("buffer %d bytes after %d lone packets, want %d kept", len(fr.buf), i+1, grown)
		}
	}
	if _, err := fr.next(); err != io.EOF {
		t.Fatalf("after the data: %v, want EOF", err)
	}
	if len(fr.buf) != initialReadBuffer {
		t.Errorf("buffer %d bytes once caught up, want %d", len(fr.buf), initialReadBuffer)
	}
}

// A subscriber fed bursts with lone messages between them keeps its
// buffer: it is not dropped and regrown (garbage) at every burst.
func TestFrameReaderKeepsItsBufferBetweenBursts(t *testing.T) {
	pkt := codec.AppendFixedHeader(nil, codec.PUBLISH, 0, 2+1+97)
	pkt = append(pkt, 0, 1, 't')
	pkt = append(pkt, make([]byte, 97)...)
	var burst []byte
	for range 12 {
		burst = append(burst, pkt...)
	}
	r := &chunkReader{}
	for range 100 {
		r.chunks = append(r.chunks, burst, pkt, pkt)
	}
	fr := newFrameReader(r)
	buffers := map[*byte]bool{}
	for i := range 100 * 14 {
		if _, err := fr.next(); err != nil {
			t.Fatal(i, err)
		}
		buffers[&fr.buf[0]] = true
	}
	if n := len(buffers); n > 3 { // 512, then grown once or twice
		t.Errorf("%d buffers over 100 bursts, want the grown one kept", n)
	}
}

// chunkReader returns its chunks in order, as much of each as fits a read.
type chunkReader struct {
	chunks [][]byte
	reads  int
}

func (r *chunkReader) Read(b []byte) (int, error) {
	if len(r.chunks) == 0 {
		return 0, io.EOF
	}
	r.reads++
	n := copy(b, r.chunks[0])
	r.chunks[0] = r.chunks[0][n:]
	if len(r.chunks[0]) == 0 {
		r.chunks = r.chunks[1:]
	}
	return n, nil
}

// TestBurstOfQoS1IsAcknowledgedInOneWrite: PUBACKs for packets that
// arrived in one read leave together, each still sent [MQTT-4.3.2-4].
func TestBurstOfQoS1IsAcknowledgedInOneWrite(t *testing.T) {
	sc := &scriptConn{fakeConn: fakeConn{closed: make(chan struct{})}, in: make(chan []byte, 8), out: make(chan []byte, 16)}
	sc.in <- []byte{0x20, 0x02, 0, 0} // CONNACK
	got := make(chan *Message, 8)
	c, _, err := NewClient(context.Background(), sc, Options{KeepAlive: 600, OnMessage: func(m *Message) { got <- m }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-sc.out // CONNECT
	var burst []byte
	for id := byte(1); id <= 3; id++ {
		burst = append(burst, 0x32, 0x06, 0, 1, 't', 0, id, 'x') // QoS 1
	}
	sc.in <- burst
	select {
	case w := <-sc.out:
		want := []byte{0x40, 2, 0, 1, 0x40, 2, 0, 2, 0x40, 2, 0, 3}
		if !bytes.Equal(w, want) {
			t.Fatalf("wrote % x, want the three PUBACKs in one write % x", w, want)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no PUBACK written")
	}
	for i := 0; i < 3; i++ {
		<-got
	}
	// A lone message is acknowledged at once.
	sc.in <- []byte{0x32, 0x06, 0, 1, 't', 0, 9, 'x'}
	select {
	case w := <-sc.out:
		if !bytes.Equal(w, []byte{0x40, 2, 0, 9}) {
			t.Fatalf("wrote % x", w)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no PUBACK for the lone message")
	}
}
