package profiles

import (
	"errors"
	"fmt"
	"math/bits"
)

// MaxPacketSizeProtocol is the largest packet MQTT can frame: a four-byte
// remaining length of 268,435,455 bytes (MQTT 3.1.1 §2.2.3, MQTT 5.0
// §1.5.5, Variable Byte Integer).
const MaxPacketSizeProtocol = 268435455

// ConnectionStateEstimate is the memory one connection is assumed to cost
// besides its buffers and queues (session, subscriptions, connection
// record, timer slot). It is an estimate for the memory budget of the
// presets, not a measured figure; revise it when the broker is measured.
const ConnectionStateEstimate = 4 << 10

// Preset is one set of tuning values for a class of machines. The keys of
// the preset files (and of Apply's overrides) are the JSON names; the
// broker-limit keys are named as in mosquitto.conf.
//
// Zero means "decide at run time" only where a field says so; every limit
// is positive (Validate).
type Preset struct {
	// Name is the preset's name (its file name), e.g. "pi4".
	Name string `json:"name"`
	// Description says which machines the preset is for.
	Description string `json:"description"`
	// Memory is the usable memory (MemTotal or a cgroup limit) the values
	// are sized for. Fit scales the memory-bound values down on less, and
	// up on more when ScaleUp is set.
	Memory int64 `json:"memory"`
	// ScaleUp lets Fit raise GOMEMLIMIT and MaxConnections on machines
	// with more memory than Memory (servers and VMs come in every size;
	// a board class has a few known sizes and is sized for the common one).
	ScaleUp bool `json:"scale_up"`

	// EventLoops is the number of network event loops; 0 means one per
	// usable CPU (Fit resolves it).
	EventLoops int `json:"event_loops"`
	// LockOSThread binds each event loop to its own OS thread.
	LockOSThread bool `json:"lock_os_thread"`
	// ReadBufferCap is the bytes an event loop reads per wake-up (one
	// buffer per loop); a power of two, as gnet rounds it up to one.
	ReadBufferCap int `json:"read_buffer_cap"`
	// WriteBufferCap is each connection's static outbound buffer; output
	// beyond it waits in a linked list. A power of two.
	WriteBufferCap int `json:"write_buffer_cap"`
	// OutboundLimit is how many unsent bytes may wait on one connection
	// before QoS 0 messages to it are dropped (slow subscribers).
	OutboundLimit int `json:"outbound_limit"`
	// MaxConnections refuses connections past this many.
	MaxConnections int `json:"max_connections"`
	// MaxPacketSize closes connections that send larger packets.
	MaxPacketSize int `json:"max_packet_size"`
	// MaxInflightMessages is the per-session window of unacknowledged
	// outbound QoS 1 and 2 messages.
	MaxInflightMessages int `json:"max_inflight_messages"`
	// MaxInflightBytes bounds the same window in payload bytes (a larger
	// message still goes alone), so a deep window of small messages does
	// not become a deep window of large ones.
	MaxInflightBytes int `json:"max_inflight_bytes"`
	// MaxQueuedMessages and MaxQueuedBytes bound each session's queue of
	// messages waiting for the inflight window or for the client to
	// reconnect.
	MaxQueuedMessages int `json:"max_queued_messages"`
	MaxQueuedBytes    int `json:"max_queued_bytes"`
	// MatcherCacheSize is the number of topics each event loop's
	// subscription-match cache holds.
	MatcherCacheSize int `json:"matcher_cache_size"`
	// GOMAXPROCS for the runtime; 0 keeps Go's default (the usable CPUs,
	// cgroup quota included, since Go 1.25).
	GOMAXPROCS int `json:"gomaxprocs"`
	// GOMEMLIMIT is the runtime's soft memory limit in bytes, below Memory.
	GOMEMLIMIT int64 `json:"gomemlimit"`
}

// ConnectionBudget is the most memory one connection may hold under the
// preset's limits: its state estimate, a full outbound buffer (the larger
// of WriteBufferCap and OutboundLimit), a full session queue and a full
// inflight window. A partially received packet (up to MaxPacketSize) is
// not counted: it is one transient buffer, not a standing cost; nor is
// one message larger than MaxInflightBytes in flight alone.
func (p Preset) ConnectionBudget() int64 {
	return int64(ConnectionStateEstimate) + int64(max(p.WriteBufferCap, p.OutboundLimit)) + int64(p.MaxQueuedBytes) + int64(p.MaxInflightBytes)
}

// Validate reports every value that is out of range, joined in one error;
// nil when the preset is sound. Beyond the ranges, it checks the memory
// budget: MaxConnections full connections (ConnectionBudget) must fit in
// GOMEMLIMIT, and GOMEMLIMIT must be below Memory.
func (p Preset) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("preset %q: "+format, append([]any{p.Name}, args...)...))
	}
	if p.Name == "" {
		bad("no name")
	}
	if p.Description == "" {
		bad("no description")
	}
	if p.Memory <= 0 {
		bad("memory must be positive")
	}
	if p.EventLoops < 0 {
		bad("event_loops %d is negative", p.EventLoops)
	}
	if p.GOMAXPROCS < 0 {
		bad("gomaxprocs %d is negative", p.GOMAXPROCS)
	}
	for _, b := range []struct {
		key string
		v   int
	}{{"read_buffer_cap", p.ReadBufferCap}, {"write_buffer_cap", p.WriteBufferCap}} {
		if b.v <= 0 || bits.OnesCount(uint(b.v)) != 1 {
			bad("%s %d is not a positive power of two", b.key, b.v)
		}
	}
	for _, l := range []struct {
		key string
		v   int
	}{
		{"outbound_limit", p.OutboundLimit},
		{"max_connections", p.MaxConnections},
		{"max_queued_messages", p.MaxQueuedMessages},
		{"max_queued_bytes", p.MaxQueuedBytes},
		{"max_inflight_bytes", p.MaxInflightBytes},
		{"matcher_cache_size", p.MatcherCacheSize},
	} {
		if l.v <= 0 {
			bad("%s must be positive", l.key)
		}
	}
	if p.MaxPacketSize <= 0 || p.MaxPacketSize > MaxPacketSizeProtocol {
		bad("max_packet_size %d is outside 1..%d", p.MaxPacketSize, MaxPacketSizeProtocol)
	}
	// Packet identifiers are 16-bit and non-zero, so at most 65535
	// messages can be in flight [MQTT-2.3.1-1].
	if p.MaxInflightMessages <= 0 || p.MaxInflightMessages > 65535 {
		bad("max_inflight_messages %d is outside 1..65535", p.MaxInflightMessages)
	}
	if p.GOMEMLIMIT <= 0 {
		bad("gomemlimit must be positive")
	} else if p.GOMEMLIMIT >= p.Memory {
		bad("gomemlimit %s is not below memory %s", formatBytes(p.GOMEMLIMIT), formatBytes(p.Memory))
	}
	if need := int64(p.MaxConnections) * p.ConnectionBudget(); p.MaxConnections > 0 && p.GOMEMLIMIT > 0 && need > p.GOMEMLIMIT {
		bad("%d connections of %s each need %s, more than gomemlimit %s",
			p.MaxConnections, formatBytes(p.ConnectionBudget()), formatBytes(need), formatBytes(p.GOMEMLIMIT))
	}
	return errors.Join(errs...)
}
