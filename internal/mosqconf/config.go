// Package mosqconf reads mosquitto.conf files (the mosquitto 2.0 format, see
// mosquitto.conf(5)) so that midge can run from a user's existing broker
// configuration.
//
// Every option of mosquitto 2.0 is recognised. Options midge acts on are
// parsed into typed fields of Config and Listener with mosquitto's defaults.
// Real mosquitto options that midge does not implement yet (password files,
// ACLs, persistence, TLS, bridges, logging, ...) are parsed, kept verbatim in
// Unsupported lists, and reported as a Warning naming file and line, so the
// file still runs. bind_interface is parsed into a typed field ahead of the
// broker using it: its lines warn too. A line that is not mosquitto.conf at
// all, or a malformed value, is an *Error naming file and line.
package mosqconf

import (
	"fmt"
	"time"
)

// Error is a configuration error; it formats as "FILE:LINE: msg".
type Error struct {
	File string // file name as given to Parse, or the included file's path
	Line int    // 1-based line number; 0 when the error is not tied to a line
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Warning is a line midge accepted but does not act on (fully) yet.
type Warning struct {
	File string
	Line int
	Msg  string
}

// String formats the warning as "FILE:LINE: msg".
func (w Warning) String() string {
	return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg)
}

// OptionalBool is a boolean that remembers whether it was set at all.
type OptionalBool int8

// The three states of an OptionalBool.
const (
	BoolUnset OptionalBool = iota
	BoolTrue
	BoolFalse
)

// Or returns the value, or def when unset.
func (b OptionalBool) Or(def bool) bool {
	switch b {
	case BoolTrue:
		return true
	case BoolFalse:
		return false
	}
	return def
}

// Option is one configuration line kept verbatim: an option midge does not
// implement yet, stored for the issue that implements it.
type Option struct {
	Name  string // the keyword, e.g. "password_file"
	Value string // the rest of the line, blanks trimmed
	File  string
	Line  int
}

// Security holds mosquitto's authentication options. They are global unless
// per_listener_settings is true, in which case each Listener has its own.
type Security struct {
	// AllowAnonymous is allow_anonymous as written. Use
	// Config.AnonymousAllowed for mosquitto 2's effective value.
	AllowAnonymous OptionalBool
	// AllowZeroLengthClientID is allow_zero_length_clientid (default true):
	// an MQTT 3.1.1/5 client with an empty client identifier is given one.
	AllowZeroLengthClientID bool
	// AutoIDPrefix is auto_id_prefix (default "auto-"), the prefix of
	// identifiers the broker assigns.
	AutoIDPrefix string
	// PasswordFile, ACLFile and PSKFile are the paths of password_file,
	// acl_file and psk_file. midge does not read them yet (each one also
	// produced a Warning); they are kept for the authentication issue.
	PasswordFile string
	ACLFile      string
	PSKFile      string
	// Plugins are plugin / auth_plugin lines with their plugin_opt_* /
	// auth_opt_* options, not supported by midge.
	Plugins []Option
}

// Listener is one network endpoint.
type Listener struct {
	// Port is the TCP port; 0 for a Unix domain socket listener.
	Port int
	// Bind is the address or host name to bind ("" = all interfaces).
	Bind string
	// UnixPath is the socket path of `listener 0 /path`.
	UnixPath string
	// BindInterface is bind_interface: bind to this network device only.
	BindInterface string
	// Protocol is "mqtt" (default) or "websockets".
	Protocol string
	// SocketDomain is "" (both), "ipv4" or "ipv6".
	SocketDomain string
	// MaxConnections is max_connections, -1 = unlimited (default).
	MaxConnections int
	// MaxQoS is max_qos (default 2): the highest QoS clients may use.
	MaxQoS int
	// MaxTopicAlias is max_topic_alias (default 10) for MQTT 5 clients.
	MaxTopicAlias int
	// MountPoint is mount_point: a topic prefix for every client of the
	// listener.
	MountPoint string
	// UseUsernameAsClientID is use_username_as_clientid.
	UseUsernameAsClientID bool
	// HTTPDir is http_dir (websockets listeners only).
	HTTPDir string
	// Security is this listener's authentication when
	// Config.PerListenerSettings is true; unused otherwise.
	Security Security
	// Default marks mosquitto's deprecated default listener, built from
	// the top-level port / bind_address / bind_interface and the listener
	// options written before the first `listener` line.
	Default bool
	// Implicit marks the localhost listeners mosquitto 2 opens when the
	// file configures none (see Config.LocalOnly).
	Implicit bool
	// File and Line locate the `listener` line (or the first default
	// listener option).
	File string
	Line int
	// Unsupported are per-listener options midge does not implement yet
	// (TLS: cafile, certfile, keyfile, ...; psk_hint, ...).
	Unsupported []Option
}

// Bridge is a `connection` block. Bridges are not supported yet; the
// block is kept verbatim.
type Bridge struct {
	Name    string
	File    string
	Line    int
	Options []Option
}

// Config is a parsed mosquitto.conf with mosquitto 2.0's defaults filled in.
type Config struct {
	// Given holds every option keyword that appears in the files, so a
	// caller can tell an explicit value from a default (a board preset's
	// value gives way only to options that were written down).
	Given map[string]bool
	// Listeners are the listeners in file order; mosquitto's default
	// listener (Default) comes last, as mosquitto opens it. When the file
	// configures no listener at all, mosquitto 2 listens on 127.0.0.1 and
	// ::1 port 1883 only; those appear here with Implicit set.
	Listeners []Listener
	// LocalOnly is true when neither listener nor port nor bind_address
	// was given: mosquitto 2 then listens on the loopback only and allows
	// anonymous clients.
	LocalOnly bool
	// PerListenerSettings is per_listener_settings: authentication options
	// apply to the listener they follow instead of globally.
	PerListenerSettings bool
	// Security is the global authentication (when !PerListenerSettings).
	Security

	// MaxInflightMessages is max_inflight_messages (default 20; 0 = no
	// limit): QoS 1/2 messages in flight per client.
	MaxInflightMessages int
	// MaxInflightBytes is max_inflight_bytes (default 0 = no limit).
	MaxInflightBytes int64
	// MaxQueuedMessages is max_queued_messages (default 1000; 0 = no
	// limit) per client beyond the inflight window.
	MaxQueuedMessages int
	// MaxQueuedBytes is max_queued_bytes (default 0 = no limit).
	MaxQueuedBytes int64
	// QueueQoS0Messages is queue_qos0_messages (default false): queue QoS
	// 0 messages for offline persistent clients.
	QueueQoS0Messages bool
	// SysInterval is sys_interval in seconds (default 10; 0 disables
	// $SYS).
	SysInterval int
	// MaxConnections is max_connections written before any listener
	// line (mosquitto applies it to the default listener); -1 = unlimited.
	MaxConnections int
	// MaxPacketSize is max_packet_size (default 0 = the protocol maximum).
	MaxPacketSize int
	// MaxKeepalive is max_keepalive (default 65535) in seconds.
	MaxKeepalive int
	// PersistentClientExpiration is persistent_client_expiration (default
	// 0 = never): offline persistent sessions older than this are dropped.
	PersistentClientExpiration time.Duration
	// RetainAvailable is retain_available (default true).
	RetainAvailable bool
	// UpgradeOutgoingQoS is upgrade_outgoing_qos (default false).
	UpgradeOutgoingQoS bool
	// SetTCPNodelay is set_tcp_nodelay (default false). midge's listeners
	// always send with TCP_NODELAY, what true asks for; false warns.
	SetTCPNodelay bool
	// PidFile is pid_file ("" = none).
	PidFile string

	// Port, BindAddress and BindInterface are the deprecated top-level
	// port / bind_address / bind_interface (0 / "" when absent); they also
	// shape the Default listener.
	Port          int
	BindAddress   string
	BindInterface string

	// Bridges are the `connection` blocks (not supported yet).
	Bridges []Bridge
	// Unsupported are general options midge does not implement yet, in
	// file order.
	Unsupported []Option
	// Warnings name every line midge accepted without acting on it.
	Warnings []Warning
	// Files are the files read, main file first, then included files.
	Files []string
}

// defaultSecurity returns mosquitto's default authentication options.
func defaultSecurity() Security {
	return Security{AllowZeroLengthClientID: true, AutoIDPrefix: "auto-"}
}

// defaultListener returns a listener with mosquitto's defaults.
func defaultListener() Listener {
	return Listener{
		Protocol:       "mqtt",
		MaxConnections: -1,
		MaxQoS:         2,
		MaxTopicAlias:  10,
		Security:       defaultSecurity(),
	}
}

// newConfig returns a Config holding mosquitto 2.0's defaults.
func newConfig() *Config {
	return &Config{
		LocalOnly:           true,
		Security:            defaultSecurity(),
		MaxInflightMessages: 20,
		MaxQueuedMessages:   1000,
		SysInterval:         10,
		MaxConnections:      -1,
		MaxKeepalive:        65535,
		RetainAvailable:     true,
	}
}

// SecurityFor returns the authentication options that apply to clients of
// l: the listener's own with per_listener_settings, the global ones
// otherwise.
func (c *Config) SecurityFor(l *Listener) *Security {
	if c.PerListenerSettings && l != nil {
		return &l.Security
	}
	return &c.Security
}

// AnonymousAllowed reports mosquitto 2's effective allow_anonymous for
// clients of l. In LocalOnly mode (no listener configured) mosquitto always
// allows anonymous clients, whatever the file says; otherwise it is the
// value written, false when unset.
func (c *Config) AnonymousAllowed(l *Listener) bool {
	if c.LocalOnly {
		return true
	}
	return c.SecurityFor(l).AllowAnonymous.Or(false)
}
