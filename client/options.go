package client

import (
	"crypto/tls"
	"time"
)

// Protocol versions (the CONNECT protocol level).
const (
	V31  byte = 3
	V311 byte = 4
	V5   byte = 5
)

// Will is the message the server publishes when the connection ends
// without a DISCONNECT.
type Will struct {
	Topic      string
	Payload    []byte
	QoS        byte
	Retain     bool
	Properties PublishProperties // MQTT 5
	Delay      uint32            // MQTT 5 Will Delay Interval, seconds
}

// Options say where and how to connect. The zero value plus Address is a
// clean MQTT 3.1.1 connection over TCP with a 60 second keep-alive.
type Options struct {
	// Network is "tcp" (default) or "unix"; Address is host:port or the
	// socket path.
	Network string
	Address string
	// BindAddress, if set, is the local address to connect from.
	BindAddress string
	// TLS, if set, wraps the connection (see TLSConfig).
	TLS *tls.Config
	// DialTimeout bounds connecting and the CONNACK wait (default 30s).
	DialTimeout time.Duration

	Version    byte // V31, V311 (default) or V5
	ClientID   string
	CleanStart bool   // Clean Session in 3.x
	KeepAlive  uint16 // seconds; 0 disables pings. Default 60 when KeepAliveSet is false.
	// KeepAliveSet makes a zero KeepAlive mean "no keep-alive".
	KeepAliveSet bool

	Username *string
	Password []byte // sent when not nil
	Will     *Will

	// MQTT 5 CONNECT properties.
	SessionExpiry       *uint32
	ReceiveMaximum      uint16 // 0: absent (65535)
	MaximumPacketSize   uint32 // 0: absent
	TopicAliasMaximum   uint16
	RequestResponseInfo bool
	RequestProblemInfo  *bool
	UserProperties      []UserProperty
	AuthMethod          string
	AuthData            []byte

	// MaxInflight bounds outgoing QoS 1 and 2 messages awaiting their
	// acknowledgement (default 20, and never above the server's Receive
	// Maximum).
	MaxInflight int

	// OnMessage is called on the connection's reader goroutine for every
	// application message, in order. It must not block for long: it holds
	// up the connection. When nil, messages go to Messages().
	OnMessage func(*Message)
	// OnClose is called once when the connection ends, with the reason
	// Err gives, after Done is closed. It runs on whichever goroutine
	// ended the connection (the reader, the keep-alive timer, or a caller
	// of Publish, Disconnect or Close) and must not block: it spares a
	// program with many connections a goroutine per connection waiting
	// on Done.
	OnClose func(err error)
	// BorrowMessages lends OnMessage a Message that is valid only until
	// OnMessage returns: the client reuses it for the next message, and
	// its Topic and Payload point into the connection's read buffer. A
	// handler that keeps a message, or a part of it, keeps a copy
	// (Message.Clone). It saves the allocations per message of handlers
	// that only look at what arrives, such as a load generator's
	// subscribers. Without OnMessage it has no effect.
	BorrowMessages bool
	// DeliverQoS2OnRelease holds a QoS 2 message back until the server's
	// PUBREL, as libmosquitto does, instead of delivering it on PUBLISH.
	// The command-line tools set it so that they print in mosquitto's
	// order.
	DeliverQoS2OnRelease bool
	// MessageBuffer is the capacity of the Messages() channel (default 64).
	MessageBuffer int

	// Log, if set, receives one line per packet sent or received, in
	// mosquitto's debug format ("Client x sending CONNECT").
	Log func(line string)
}

func (o *Options) keepAlive() uint16 {
	if o.KeepAlive == 0 && !o.KeepAliveSet {
		return 60
	}
	return o.KeepAlive
}
