package engine

import "net"

// Transport is what the session core needs of a connection: plain TCP and
// Unix sockets on gnet implement it, and TLS or WebSocket listeners can
// implement it later without the core knowing. Every method except Close is
// called only from the event loop that owns the connection.
type Transport interface {
	// Writev sends the buffers in order. The transport either writes them
	// or copies what it could not write yet, so the caller may reuse the
	// buffers when Writev returns.
	Writev(bufs [][]byte) error
	// Buffered reports bytes accepted by Writev and not yet sent.
	Buffered() int
	// Close closes the connection; safe from any goroutine.
	Close() error
	// RemoteAddr is the peer's address.
	RemoteAddr() net.Addr
	// LocalAddr is the address of the listener that accepted the
	// connection, as the listener was configured (nil when none).
	LocalAddr() net.Addr
}
