package client

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// fakeConn answers CONNACK and then reads block until Close; writes are
// counted and dropped.
type fakeConn struct {
	net.Conn // nil: methods not overridden are never called
	connack  []byte
	closed   chan struct{}
	written  int
}

func (f *fakeConn) Read(b []byte) (int, error) {
	if len(f.connack) > 0 {
		n := copy(b, f.connack)
		f.connack = f.connack[n:]
		return n, nil
	}
	<-f.closed
	return 0, io.EOF
}

func (f *fakeConn) Write(b []byte) (int, error) { f.written += len(b); return len(b), nil }
func (f *fakeConn) Close() error {
	select {
	case <-f.closed:
	default:
		close(f.closed)
	}
	return nil
}
func (f *fakeConn) SetDeadline(time.Time) error { return nil }

func TestServerDisconnectIsReported(t *testing.T) {
	// CONNACK, then DISCONNECT 0x8E with reason string "other".
	in := []byte{0x20, 0x03, 0, 0, 0, 0xE0, 0x09, 0x8E, 0x07, 0x1F, 0x00, 0x04, 'b', 'u', 's', 'y'}
	in[6] = byte(len(in) - 7)
	in[8] = byte(len(in) - 9)
	fc := &fakeConn{connack: in, closed: make(chan struct{})}
	c, _, err := NewClient(context.Background(), fc, Options{Version: V5, KeepAlive: 600})
	if err != nil {
		t.Fatal(err)
	}
	d := c.ServerDisconnect()
	if d == nil || d.ReasonCode != 0x8E || d.ReasonString != "busy" {
		t.Fatalf("server DISCONNECT %+v", d)
	}
	var de *DisconnectError
	if !errors.As(c.Err(), &de) || de.Disconnect.ReasonCode != 0x8E {
		t.Errorf("Err() = %v", c.Err())
	}
}

// scriptConn plays server bytes handed to it over a channel and records
// what the client writes.
type scriptConn struct {
	fakeConn
	in  chan []byte
	buf []byte
	out chan []byte
}

func (s *scriptConn) Read(b []byte) (int, error) {
	for len(s.buf) == 0 {
		select {
		case s.buf = <-s.in:
		case <-s.closed:
			return 0, io.EOF
		}
	}
	n := copy(b, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

func (s *scriptConn) Write(b []byte) (int, error) {
	s.out <- append([]byte(nil), b...)
	return len(b), nil
}

// TestQoS2ResentPublishDeliveredOnce: a PUBLISH resent with DUP before
// PUBREL is delivered once, in both delivery modes [MQTT-4.3.3-10].
func TestQoS2ResentPublishDeliveredOnce(t *testing.T) {
	for _, onRelease := range []bool{false, true} {
		sc := &scriptConn{fakeConn: fakeConn{closed: make(chan struct{})}, in: make(chan []byte, 8), out: make(chan []byte, 16)}
		sc.in <- []byte{0x20, 0x02, 0, 0} // CONNACK
		got := make(chan *Message, 4)
		c, _, err := NewClient(context.Background(), sc, Options{KeepAlive: 600, DeliverQoS2OnRelease: onRelease,
			OnMessage: func(m *Message) { got <- m }})
		if err != nil {
			t.Fatal(err)
		}
		<-sc.out                                            // CONNECT
		publish := []byte{0x34, 0x06, 0, 1, 't', 0, 7, 'x'} // QoS 2, id 7
		sc.in <- publish
		<-sc.out                                    // PUBREC
		dup := append([]byte{0x3C}, publish[1:]...) // DUP resend
		sc.in <- dup
		<-sc.out                          // PUBREC again
		sc.in <- []byte{0x62, 0x02, 0, 7} // PUBREL
		if comp := <-sc.out; comp[0] != 0x70 {
			t.Fatalf("expected PUBCOMP, got %x", comp)
		}
		select {
		case <-got:
		case <-time.After(2 * time.Second):
			t.Fatalf("onRelease=%v: not delivered", onRelease)
		}
		c.Close()
		<-c.Done()
		if n := len(got); n != 0 {
			t.Errorf("onRelease=%v: delivered %d more times", onRelease, n)
		}
	}
}

// TestServerLimitsAndTopicAliases: CONNACK limits are obeyed when sending,
// and a topic alias set by the server is resolved on later messages.
func TestServerLimitsAndTopicAliases(t *testing.T) {
	sc := &scriptConn{fakeConn: fakeConn{closed: make(chan struct{})}, in: make(chan []byte, 8), out: make(chan []byte, 16)}
	// CONNACK: Maximum QoS 1, Retain Available 0, Maximum Packet Size 40.
	sc.in <- []byte{0x20, 0x0C, 0, 0, 0x09, 0x24, 1, 0x25, 0, 0x27, 0, 0, 0, 40}
	got := make(chan *Message, 4)
	c, _, err := NewClient(context.Background(), sc, Options{Version: V5, KeepAlive: 600, OnMessage: func(m *Message) { got <- m }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-sc.out // CONNECT
	ctx := context.Background()
	if err := c.Publish(ctx, &Message{Topic: "t", QoS: 2}); err == nil {
		t.Error("QoS 2 sent to a server with Maximum QoS 1") // [MQTT-3.2.2-11]
	}
	if err := c.Publish(ctx, &Message{Topic: "t", Retain: true}); err == nil {
		t.Error("retained message sent to a server without retain") // [MQTT-3.2.2-14]
	}
	if err := c.Publish(ctx, &Message{Topic: "t", Payload: make([]byte, 40)}); !errors.Is(err, ErrPacketTooLarge) {
		t.Errorf("packet above the server's maximum packet size: %v", err) // [MQTT-3.2.2-15]
	}
	if err := c.Publish(ctx, &Message{Topic: "t", Payload: make([]byte, 40), QoS: 1}); !errors.Is(err, ErrPacketTooLarge) {
		t.Errorf("QoS 1 packet above the maximum packet size: %v", err)
	}
	if err := c.Publish(ctx, &Message{Topic: "t", Payload: []byte("ok")}); err != nil {
		t.Errorf("small QoS 0 publish: %v", err)
	}
	// PUBLISH "a/b" with alias 3, then an empty topic with alias 3.
	sc.in <- []byte{0x30, 0x0A, 0, 3, 'a', '/', 'b', 3, 0x23, 0, 3, 'x'}
	sc.in <- []byte{0x30, 0x07, 0, 0, 3, 0x23, 0, 3, 'y'}
	for _, want := range []string{"x", "y"} {
		select {
		case m := <-got:
			if m.Topic != "a/b" || string(m.Payload) != want {
				t.Errorf("message %q on %q", m.Payload, m.Topic)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("message not delivered")
		}
	}
}

// OnClose runs once per connection, after Done, with the reason Err
// gives: the server's DISCONNECT, a Close, or nil for a clean Disconnect.
func TestOnCloseReportsHowTheConnectionEnded(t *testing.T) {
	type ended struct {
		err      error
		doneSeen bool
	}
	cases := []struct {
		name string
		in   []byte // after CONNACK
		end  func(c *Client)
		want func(err error) bool
	}{
		{"server DISCONNECT", []byte{0xE0, 0x01, 0x8E}, func(*Client) {},
			func(err error) bool {
				var de *DisconnectError
				return errors.As(err, &de) && de.Disconnect.ReasonCode == 0x8E
			}},
		{"Close", nil, func(c *Client) { _ = c.Close() }, func(err error) bool { return errors.Is(err, ErrClosed) }},
		{"Disconnect", nil, func(c *Client) { _ = c.Disconnect(nil) }, func(err error) bool { return err == nil }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan ended, 4)
			var c *Client
			ready := make(chan struct{})
			in := append([]byte{0x20, 0x03, 0, 0, 0}, tc.in...)
			fc := &fakeConn{connack: in, closed: make(chan struct{})}
			c, _, err := NewClient(context.Background(), fc, Options{Version: V5, KeepAlive: 600, OnClose: func(err error) {
				<-ready
				select {
				case <-c.Done():
					got <- ended{err, true}
				default:
					got <- ended{err, false}
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			close(ready)
			tc.end(c)
			select {
			case e := <-got:
				if !e.doneSeen || !tc.want(e.err) || e.err != c.Err() {
					t.Fatalf("OnClose(%v), Done closed %v; Err() = %v", e.err, e.doneSeen, c.Err())
				}
			case <-time.After(5 * time.Second):
				t.Fatal("OnClose not called")
			}
			_ = c.Close()
			_ = c.Disconnect(nil)
			select {
			case e := <-got:
				t.Fatalf("OnClose called again with %v", e.err)
			case <-time.After(50 * time.Millisecond):
			}
		})
	}
}
