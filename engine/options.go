package engine

import (
	"errors"
	"log/slog"
	"net"
	"runtime"
	"time"
)

// Protocol limits and mosquitto's defaults.
const (
	// MaxPacketSizeProtocol is the largest packet MQTT can frame (a 4-byte
	// remaining length), mosquitto's default max_packet_size.
	MaxPacketSizeProtocol = 268435455

	DefaultMaxInflightMessages = 20
	DefaultMaxQueuedMessages   = 1000
	DefaultMaxKeepalive        = 65535
	DefaultConnectTimeout      = 10 * time.Second
	DefaultSysInterval         = 10 * time.Second
	DefaultMaxTopicLevels      = 128
	// DefaultOutboundLimit is how many bytes may wait unsent on one
	// connection before QoS 0 messages to it are dropped.
	DefaultOutboundLimit = 1 << 20
)

// Listener is one address the broker accepts connections on.
type Listener struct {
	// Network is "tcp", "tcp4", "tcp6" or "unix".
	Network string
	// Address is host:port for TCP (port 0 picks a free port; see
	// Broker.Addrs) or a filesystem path for a Unix domain socket.
	Address string
	// Security, when set, is how this listener admits clients, in place
	// of the broker-wide Authenticator, RefuseEmptyClientID, AutoIDPrefix
	// and UsernameAsClientID (mosquitto's per_listener_settings, and its
	// listener-scoped use_username_as_clientid).
	Security *Security
}

// Security is how a listener admits clients.
type Security struct {
	// Authenticator decides CONNECTs; nil allows everyone.
	Authenticator Authenticator
	// RefuseEmptyClientID refuses a CONNECT with an empty client
	// identifier instead of assigning one (allow_zero_length_clientid
	// false).
	RefuseEmptyClientID bool
	// AutoIDPrefix starts the identifiers the broker assigns
	// (auto_id_prefix); empty means "auto-".
	AutoIDPrefix string
	// UsernameAsClientID replaces each client's identifier with its
	// username, so that one user cannot take over another's session by
	// naming it; a client without a username is refused as not
	// authorised (use_username_as_clientid).
	UsernameAsClientID bool
	// LimitQoS caps the QoS this listener's clients may use at MaxQoS
	// (max_qos 0 or 1): MQTT 5 clients are told so in CONNACK, a PUBLISH
	// above it closes the connection (5.0: DISCONNECT 0x9B), and
	// subscriptions are granted at most MaxQoS.
	LimitQoS bool
	MaxQoS   byte
	// LimitTopicAliases replaces the Topic Alias Maximum announced to
	// MQTT 5 clients (10) by TopicAliasMax; 0 allows none
	// (max_topic_alias).
	LimitTopicAliases bool
	TopicAliasMax     uint16
	// MountPoint, when set, puts this listener's clients under a topic
	// prefix (mount_point): it is prepended to the topics they publish
	// (their wills too) and to the filters they subscribe and unsubscribe,
	// and taken off the topics of the messages they receive. Clients of
	// other listeners see the prefixed topics.
	MountPoint string
}

// Options configures a Broker. The zero value is usable: New replaces zero
// numeric fields by the defaults above, and every bool defaults to false,
// so bools are named for the non-default behaviour.
type Options struct {
	// Listeners to accept connections on; none means 127.0.0.1:1883 and
	// [::1]:1883 (mosquitto 2's local-only mode).
	Listeners []Listener
	// EventLoops is the number of gnet event loops; 0 = one per CPU.
	EventLoops int

	MaxInflightMessages int // per session outbound QoS 1/2 window (max_inflight_messages)
	// MaxInflightBytes bounds the same window in payload bytes: a message
	// goes in flight only if the window then holds at most this many, or
	// if the window is empty (so a larger message still goes, alone).
	// 0 = no limit (max_inflight_bytes).
	MaxInflightBytes  int
	MaxQueuedMessages int // per offline/slow session queue (max_queued_messages)
	MaxQueuedBytes    int // per session queue in payload bytes, 0 = unlimited (max_queued_bytes)
	QueueQoS0Messages bool
	// MaxConnections refuses connections past this many; <= 0 = unlimited.
	MaxConnections int
	// MaxPacketSize closes a connection that sends a larger packet; 0 =
	// the protocol maximum.
	MaxPacketSize uint32
	// MaxKeepalive caps the keep-alive a client may ask for (seconds).
	MaxKeepalive uint16
	// MaxTopicLevels refuses topics and filters with more levels.
	MaxTopicLevels int
	// PersistentClientExpiration removes persistent sessions offline for
	// longer; 0 = never.
	PersistentClientExpiration time.Duration
	// RetainUnavailable refuses retained PUBLISHes (retain_available false).
	RetainUnavailable bool
	// UpgradeOutgoingQoS delivers every message at the QoS its
	// subscription was granted, even above the QoS it was published with
	// (upgrade_outgoing_qos: a mosquitto option the specification
	// disallows, [MQTT-3.8.4-6]).
	UpgradeOutgoingQoS bool
	// RefuseEmptyClientID refuses a CONNECT with an empty client
	// identifier instead of assigning one (allow_zero_length_clientid
	// false).
	RefuseEmptyClientID bool
	// AutoIDPrefix starts the identifiers the broker assigns
	// (auto_id_prefix); empty means "auto-".
	AutoIDPrefix string
	// UsernameAsClientID replaces each client's identifier with its
	// username; a client without one is refused (use_username_as_clientid).
	UsernameAsClientID bool
	// ConnectTimeout closes connections that send no CONNECT in time.
	ConnectTimeout time.Duration
	// SysInterval is how often $SYS topics are published; < 0 disables.
	SysInterval time.Duration
	// OutboundLimit is the per-connection unsent-bytes bound (slow
	// subscribers).
	OutboundLimit int

	// Authenticator decides CONNECTs; nil allows everyone. One that is also
	// an EnhancedAuthenticator runs MQTT 5 enhanced authentication (AUTH).
	Authenticator Authenticator
	// Authorizer decides PUBLISH and SUBSCRIBE per topic; nil allows all.
	Authorizer Authorizer

	// Version is the broker version $SYS/broker/version reports.
	Version string

	// Logger receives connection events; nil = slog.Default().
	Logger *slog.Logger
	// Now is the clock (tests inject one); nil = time.Now.
	Now func() time.Time
}

func (o *Options) fillDefaults() error {
	if len(o.Listeners) == 0 {
		o.Listeners = []Listener{{Network: "tcp4", Address: "127.0.0.1:1883"}}
		if ipv6Loopback() {
			o.Listeners = append(o.Listeners, Listener{Network: "tcp6", Address: "[::1]:1883"})
		}
	}
	for _, l := range o.Listeners {
		switch l.Network {
		case "tcp", "tcp4", "tcp6":
			if _, _, err := net.SplitHostPort(l.Address); err != nil {
				return err
			}
		case "unix":
			if l.Address == "" {
				return errors.New("engine: unix listener without a path")
			}
		default:
			return errors.New("engine: unknown listener network " + l.Network)
		}
	}
	if o.EventLoops <= 0 {
		o.EventLoops = runtime.NumCPU()
	}
	if o.MaxInflightMessages <= 0 {
		o.MaxInflightMessages = DefaultMaxInflightMessages
	}
	if o.MaxInflightMessages > 65535 {
		o.MaxInflightMessages = 65535
	}
	if o.MaxQueuedMessages <= 0 {
		o.MaxQueuedMessages = DefaultMaxQueuedMessages
	}
	if o.MaxPacketSize == 0 || o.MaxPacketSize > MaxPacketSizeProtocol {
		o.MaxPacketSize = MaxPacketSizeProtocol
	}
	if o.AutoIDPrefix == "" {
		o.AutoIDPrefix = "auto-"
	}
	if o.MaxKeepalive == 0 {
		o.MaxKeepalive = DefaultMaxKeepalive
	}
	if o.MaxTopicLevels <= 0 {
		o.MaxTopicLevels = DefaultMaxTopicLevels
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.SysInterval == 0 {
		o.SysInterval = DefaultSysInterval
	}
	if o.OutboundLimit <= 0 {
		o.OutboundLimit = DefaultOutboundLimit
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// ipv6Loopback reports whether ::1 can be bound (boards without IPv6 have
// none; the default listeners then use 127.0.0.1 only).
func ipv6Loopback() bool {
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}
