package loadgen

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
)

// ConnSpec says how one client of the fleet connects.
type ConnSpec struct {
	ClientID      string
	Version       byte // 4 (MQTT 3.1.1) or 5
	Clean         bool // clean session (3.1.1) / clean start (5)
	KeepAlive     uint16
	SessionExpiry uint32 // MQTT 5, seconds; used when Clean is false
	// BindAddress is the local IP to connect from ("" lets the kernel
	// choose).
	BindAddress string
	// Username and Password, when Username is not empty, authenticate
	// the connection.
	Username string
	Password string
	// OnMessage receives every application message, in order, on the
	// connection's reader. topic and payload are valid only during the
	// call.
	OnMessage func(topic string, payload []byte)
	// OnError receives asynchronous failures (an acknowledgement with an
	// error code, a connection lost) with the phase they belong to.
	OnError func(phase string, err error)
}

// Conn is one connected client of the fleet. Its methods are safe for
// concurrent use.
type Conn interface {
	// Publish sends one message. At QoS 1 and 2 it may block while the
	// client's inflight window is full, and returns once the message is
	// handed to the connection (not when it is acknowledged). The caller
	// may reuse payload once Publish returns.
	Publish(ctx context.Context, topic string, payload []byte, qos byte, retain bool) error
	// Subscribe subscribes to filter and waits for the SUBACK; a refused
	// subscription is an error.
	Subscribe(ctx context.Context, filter string, qos byte) error
	// Flush waits until every QoS 1 and 2 message published so far is
	// acknowledged (QoS 0: until it is written), or ctx ends.
	Flush(ctx context.Context) error
	// Disconnect sends DISCONNECT and closes the connection.
	Disconnect() error
	// Drop closes the network connection without DISCONNECT, as a
	// crashing client or a lost link would.
	Drop() error
}

// Dialer opens the fleet's connections.
type Dialer interface {
	// Dial connects and waits for CONNACK; a refused connection is an
	// error.
	Dial(ctx context.Context, spec ConnSpec) (Conn, error)
}

// ErrorKind names the class of an error for the "errors by kind" figure:
// the phase it happened in and a short cause ("connect: refused",
// "publish: connection closed").
func ErrorKind(phase string, err error) string {
	return phase + ": " + errorCause(err)
}

func errorCause(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection reset"
	case errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, syscall.EADDRINUSE):
		return "no free local port (add source addresses)"
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return "too many open files"
	case errors.Is(err, net.ErrClosed):
		return "connection closed"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	msg := err.Error()
	if len(msg) > 80 {
		msg = msg[:80]
	}
	return strings.TrimSpace(msg)
}
