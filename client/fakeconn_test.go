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
