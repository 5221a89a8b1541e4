package mosqconf

import (
	"slices"
	"strconv"
	"strings"
)

// valueKind says how the value of an unsupported option is checked, so a
// line mosquitto itself would refuse is still an error.
type valueKind uint8

const (
	kindText  valueKind = iota // the rest of the line, not empty
	kindBool                   // true/false/1/0
	kindInt                    // an integer in [lo, hi]
	kindEnum                   // one word of enum
	kindWords                  // one or more words
	kindAny                    // anything, even nothing
)

// optionScope says where an unsupported option is stored.
type optionScope uint8

const (
	scopeGeneral  optionScope = iota // Config.Unsupported
	scopeListener                    // the current Listener's Unsupported
	scopeBridge                      // the current Bridge; needs a connection line
)

// unsupportedSpec describes a real mosquitto 2.0 option midge does not
// implement yet.
type unsupportedSpec struct {
	kind   valueKind
	scope  optionScope
	lo, hi int64
	enum   []string
	// feature names what is missing in the warning ("TLS", "bridges");
	// empty for options midge accepts but that have no effect yet.
	feature string
	check   func(p *parser, l *line) error // extra validation, may be nil
}

func general(kind valueKind, feature string) unsupportedSpec {
	return unsupportedSpec{kind: kind, scope: scopeGeneral, feature: feature}
}

func tls(kind valueKind) unsupportedSpec {
	return unsupportedSpec{kind: kind, scope: scopeListener, feature: "TLS"}
}

func bridgeOpt(kind valueKind) unsupportedSpec {
	return unsupportedSpec{kind: kind, scope: scopeBridge, feature: "bridges"}
}

func intRange(s unsupportedSpec, lo, hi int64) unsupportedSpec {
	s.lo, s.hi = lo, hi
	return s
}

func oneOf(s unsupportedSpec, words ...string) unsupportedSpec {
	s.enum = words
	return s
}

// unsupported lists every other option of mosquitto 2.0's mosquitto.conf(5).
var unsupported = map[string]unsupportedSpec{
	// Logging and process options: accepted, no effect yet.
	"connection_messages":      general(kindBool, ""),
	"log_dest":                 {kind: kindWords, scope: scopeGeneral, check: checkLogDest},
	"log_facility":             intRange(general(kindInt, ""), 0, 7),
	"log_timestamp":            general(kindBool, ""),
	"log_timestamp_format":     general(kindText, ""),
	"log_type":                 oneOf(general(kindEnum, ""), "none", "information", "notice", "warning", "error", "debug", "subscribe", "unsubscribe", "internal", "websockets", "all"),
	"user":                     general(kindText, ""),
	"websockets_log_level":     intRange(general(kindInt, ""), -1<<31, 1<<31-1),
	"retry_interval":           general(kindAny, ""), // mosquitto 2 ignores it too
	"allow_duplicate_messages": general(kindBool, ""),

	// Persistence and memory.
	"persistence":             general(kindBool, "persistence"),
	"retained_persistence":    general(kindBool, "persistence"),
	"persistence_file":        general(kindText, "persistence"),
	"persistence_location":    general(kindText, "persistence"),
	"autosave_interval":       intRange(general(kindInt, "persistence"), -1<<31, 1<<31-1),
	"autosave_on_changes":     general(kindBool, "persistence"),
	"memory_limit":            intRange(general(kindInt, "memory limit"), 0, 1<<62),
	"message_size_limit":      intRange(general(kindInt, "message_size_limit; use max_packet_size"), 0, 268435455),
	"check_retain_source":     general(kindBool, "access control"),
	"clientid_prefixes":       general(kindText, "client id prefixes"),
	"websockets_headers_size": intRange(general(kindInt, "websockets"), 0, 65535),

	// TLS and PSK, per listener.
	"cafile":                   tls(kindText),
	"capath":                   tls(kindText),
	"certfile":                 tls(kindText),
	"keyfile":                  tls(kindText),
	"ciphers":                  tls(kindText),
	"ciphers_tls1.3":           tls(kindText),
	"crlfile":                  tls(kindText),
	"dhparamfile":              tls(kindText),
	"psk_hint":                 tls(kindText),
	"tls_engine":               tls(kindText),
	"tls_engine_kpass_sha1":    tls(kindText),
	"tls_keyform":              tls(kindText),
	"tls_version":              tls(kindText),
	"require_certificate":      tls(kindBool),
	"use_identity_as_username": tls(kindBool),
	"use_subject_as_username":  tls(kindBool),

	// Bridges: a `connection` line opens a block.
	"connection":                 {kind: kindWords, scope: scopeBridge, feature: "bridges"},
	"address":                    bridgeOpt(kindWords),
	"addresses":                  bridgeOpt(kindWords),
	"bridge_alpn":                bridgeOpt(kindText),
	"bridge_attempt_unsubscribe": bridgeOpt(kindBool),
	"bridge_bind_address":        bridgeOpt(kindText),
	"bridge_cafile":              bridgeOpt(kindText),
	"bridge_capath":              bridgeOpt(kindText),
	"bridge_certfile":            bridgeOpt(kindText),
	"bridge_keyfile":             bridgeOpt(kindText),
	"bridge_identity":            bridgeOpt(kindText),
	"bridge_psk":                 bridgeOpt(kindText),
	"bridge_tls_version":         bridgeOpt(kindText),
	"bridge_insecure":            bridgeOpt(kindBool),
	"bridge_require_ocsp":        bridgeOpt(kindBool),
	"bridge_max_packet_size":     intRange(bridgeOpt(kindInt), -1<<31, 1<<31-1),
	"bridge_outgoing_retain":     bridgeOpt(kindBool),
	"bridge_protocol_version":    oneOf(bridgeOpt(kindEnum), "mqttv31", "mqttv311", "mqttv50"),
	"cleansession":               bridgeOpt(kindBool),
	"local_cleansession":         bridgeOpt(kindBool),
	"clientid":                   bridgeOpt(kindText),
	"remote_clientid":            bridgeOpt(kindText),
	"local_clientid":             bridgeOpt(kindText),
	"username":                   bridgeOpt(kindText),
	"remote_username":            bridgeOpt(kindText),
	"password":                   bridgeOpt(kindText),
	"remote_password":            bridgeOpt(kindText),
	"local_username":             bridgeOpt(kindText),
	"local_password":             bridgeOpt(kindText),
	"idle_timeout":               intRange(bridgeOpt(kindInt), -1<<31, 1<<31-1),
	"keepalive_interval":         intRange(bridgeOpt(kindInt), -1<<31, 65535),
	"threshold":                  intRange(bridgeOpt(kindInt), -1<<31, 1<<31-1),
	"notifications":              bridgeOpt(kindBool),
	"notifications_local_only":   bridgeOpt(kindBool),
	"notification_topic":         bridgeOpt(kindText),
	"restart_timeout":            {kind: kindWords, scope: scopeBridge, feature: "bridges", check: checkRestartTimeout},
	"round_robin":                bridgeOpt(kindBool),
	"start_type":                 oneOf(bridgeOpt(kindEnum), "automatic", "lazy", "once"),
	"topic":                      {kind: kindWords, scope: scopeBridge, feature: "bridges", check: checkBridgeTopic},
	"try_private":                bridgeOpt(kindBool),
}

// applyUnsupported checks the value of an option midge does not implement,
// stores it verbatim and warns.
func (p *parser) applyUnsupported(l *line, spec unsupportedSpec) error {
	if err := p.checkValue(l, spec); err != nil {
		return err
	}
	opt := l.option()
	switch spec.scope {
	case scopeGeneral:
		p.cfg.Unsupported = append(p.cfg.Unsupported, opt)
	case scopeListener:
		ls := p.cur(l)
		ls.Unsupported = append(ls.Unsupported, opt)
	case scopeBridge:
		if l.key == "connection" {
			name := l.args[0]
			for _, b := range p.cfg.Bridges {
				if b.Name == name {
					return p.errf(l, "duplicate bridge name %q", name)
				}
			}
			p.cfg.Bridges = append(p.cfg.Bridges, Bridge{Name: name, File: l.file, Line: l.num})
			p.bridge = len(p.cfg.Bridges) - 1
			p.warnf(l, "connection %q: bridges are not supported by midge yet; ignored", name)
			return nil
		}
		if p.bridge < 0 {
			return p.errf(l, "%s is a bridge option and needs a connection line before it", l.key)
		}
		b := &p.cfg.Bridges[p.bridge]
		b.Options = append(b.Options, opt)
	}
	switch {
	case l.key == "retry_interval":
		p.warnf(l, "retry_interval is no longer available (mosquitto 2 ignores it too)")
	case spec.feature == "":
		p.warnf(l, "%s is accepted but has no effect in midge yet", l.key)
	default:
		p.warnf(l, "%s is not supported by midge yet (%s); ignored", l.key, spec.feature)
	}
	return nil
}

func (p *parser) checkValue(l *line, spec unsupportedSpec) error {
	var err error
	switch spec.kind {
	case kindText:
		_, err = p.text(l)
	case kindBool:
		_, err = p.boolean(l)
	case kindInt:
		_, err = p.integer(l, spec.lo, spec.hi)
	case kindEnum:
		var w string
		if w, err = p.word(l); err == nil && !slices.Contains(spec.enum, w) {
			err = p.errf(l, "invalid %s value %q: want one of %s", l.key, w, strings.Join(spec.enum, ", "))
		}
	case kindWords:
		if len(l.args) == 0 {
			err = p.errf(l, "empty %s value", l.key)
		}
	}
	if err == nil && spec.check != nil {
		err = spec.check(p, l)
	}
	return err
}

// checkLogDest accepts "none", "syslog", "stdout", "stderr", "topic",
// "dlt" or "file PATH".
func checkLogDest(p *parser, l *line) error {
	switch l.args[0] {
	case "none", "syslog", "stdout", "stderr", "topic", "dlt":
		return nil
	case "file":
		if len(l.args) < 2 {
			return p.errf(l, `empty "log_dest file" value`)
		}
		return nil
	}
	return p.errf(l, "invalid log_dest value %q", l.args[0])
}

// checkRestartTimeout accepts "BASE" or "BASE CAP" with CAP >= BASE.
func checkRestartTimeout(p *parser, l *line) error {
	if len(l.args) > 2 {
		return p.errf(l, "restart_timeout takes one or two values, got %d", len(l.args))
	}
	var n [2]int
	for i, a := range l.args {
		v, err := strconv.Atoi(a)
		if err != nil {
			return p.errf(l, "invalid restart_timeout value %q: not an integer", a)
		}
		n[i] = max(v, 1)
	}
	if len(l.args) == 2 && n[1] < n[0] {
		return p.errf(l, "restart_timeout: backoff cap is lower than the base")
	}
	return nil
}

// checkBridgeTopic accepts "pattern [in|out|both [qos [local [remote]]]]".
func checkBridgeTopic(p *parser, l *line) error {
	a := l.args
	if len(a) > 1 {
		switch strings.ToLower(a[1]) {
		case "in", "out", "both":
		default:
			return p.errf(l, "invalid bridge topic direction %q", a[1])
		}
	}
	if len(a) > 2 && !strings.HasPrefix(a[2], "#") {
		if q, err := strconv.Atoi(a[2]); err != nil || q < 0 || q > 2 {
			return p.errf(l, "invalid bridge topic QoS %q", a[2])
		}
	}
	if len(a) > 5 && !strings.HasPrefix(a[5], "#") {
		return p.errf(l, "topic takes at most five values, got %d", len(a))
	}
	return nil
}
