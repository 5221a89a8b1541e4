package profiles

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// presetKey is one key of the preset files: its name and where its value
// lives in a Preset. Exactly one of the accessors is set.
type presetKey struct {
	name  string
	text  func(*Preset) *string
	flag  func(*Preset) *bool
	count func(*Preset) *int   // a plain number
	size  func(*Preset) *int   // bytes, with an optional KiB/MiB/GiB suffix
	big   func(*Preset) *int64 // bytes, may exceed 32 bits
}

// presetKeys lists every key in the order a preset is printed. The name
// is not a key: it is the file's name.
var presetKeys = []presetKey{
	{name: "description", text: func(p *Preset) *string { return &p.Description }},
	{name: "memory", big: func(p *Preset) *int64 { return &p.Memory }},
	{name: "scale_up", flag: func(p *Preset) *bool { return &p.ScaleUp }},
	{name: "event_loops", count: func(p *Preset) *int { return &p.EventLoops }},
	{name: "lock_os_thread", flag: func(p *Preset) *bool { return &p.LockOSThread }},
	{name: "read_buffer_cap", size: func(p *Preset) *int { return &p.ReadBufferCap }},
	{name: "write_buffer_cap", size: func(p *Preset) *int { return &p.WriteBufferCap }},
	{name: "outbound_limit", size: func(p *Preset) *int { return &p.OutboundLimit }},
	{name: "max_connections", count: func(p *Preset) *int { return &p.MaxConnections }},
	{name: "max_packet_size", size: func(p *Preset) *int { return &p.MaxPacketSize }},
	{name: "max_inflight_messages", count: func(p *Preset) *int { return &p.MaxInflightMessages }},
	{name: "max_inflight_bytes", size: func(p *Preset) *int { return &p.MaxInflightBytes }},
	{name: "max_queued_messages", count: func(p *Preset) *int { return &p.MaxQueuedMessages }},
	{name: "max_queued_bytes", size: func(p *Preset) *int { return &p.MaxQueuedBytes }},
	{name: "matcher_cache_size", count: func(p *Preset) *int { return &p.MatcherCacheSize }},
	{name: "gomaxprocs", count: func(p *Preset) *int { return &p.GOMAXPROCS }},
	{name: "gomemlimit", big: func(p *Preset) *int64 { return &p.GOMEMLIMIT }},
}

// Keys lists the keys a preset file sets and Apply accepts, in order.
func Keys() []string {
	names := make([]string, len(presetKeys))
	for i, k := range presetKeys {
		names[i] = k.name
	}
	return names
}

func lookupKey(name string) (presetKey, bool) {
	for _, k := range presetKeys {
		if k.name == name {
			return k, true
		}
	}
	return presetKey{}, false
}

// Set parses value for key (a name from Keys) into p. Sizes take a
// suffix B, KiB, MiB, GiB or TiB, as GOMEMLIMIT does; booleans are true
// or false.
func (p *Preset) Set(key, value string) error {
	k, ok := lookupKey(key)
	if !ok {
		return fmt.Errorf("profiles: unknown key %q", key)
	}
	value = strings.TrimSpace(value)
	var err error
	switch {
	case k.text != nil:
		*k.text(p) = value
	case k.flag != nil:
		*k.flag(p), err = strconv.ParseBool(value)
	case k.count != nil:
		var n int64
		n, err = strconv.ParseInt(value, 10, 0)
		*k.count(p) = int(n)
	case k.size != nil:
		var n int64
		if n, err = parseBytes(value); err == nil && n > math.MaxInt32 {
			err = fmt.Errorf("more than %d bytes", math.MaxInt32)
		}
		*k.size(p) = int(n)
	case k.big != nil:
		*k.big(p), err = parseBytes(value)
	}
	if err != nil {
		return fmt.Errorf("profiles: %s = %q: %w", key, value, err)
	}
	return nil
}

// Get returns the value of key in p as a preset file writes it.
func (p *Preset) Get(key string) (string, bool) {
	k, ok := lookupKey(key)
	if !ok {
		return "", false
	}
	switch {
	case k.text != nil:
		return *k.text(p), true
	case k.flag != nil:
		return strconv.FormatBool(*k.flag(p)), true
	case k.count != nil:
		return strconv.Itoa(*k.count(p)), true
	case k.size != nil:
		return formatBytes(int64(*k.size(p))), true
	default:
		return formatBytes(*k.big(p)), true
	}
}

// byteUnits are the suffixes of sizes, largest first.
var byteUnits = []struct {
	suffix string
	shift  uint
}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"B", 0}}

// parseBytes reads a non-negative size such as "512", "64KiB" or "2GiB".
func parseBytes(s string) (int64, error) {
	shift := uint(0)
	for _, u := range byteUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, shift = strings.TrimSpace(rest), u.shift
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	if n < 0 || n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("size out of range")
	}
	return n << shift, nil
}

// formatBytes writes n with the largest suffix that divides it exactly.
func formatBytes(n int64) string {
	for _, u := range byteUnits[:len(byteUnits)-1] {
		if n != 0 && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}
