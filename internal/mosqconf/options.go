package mosqconf

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// handler applies one configuration line.
type handler func(p *parser, l *line) error

// mqttMaxPacket is the largest MQTT packet (remaining length limit plus the
// fixed header), the upper bound of size options.
const mqttMaxPacket = 268435455 + 5

// supported are the options midge acts on, parsed into typed fields.
var supported map[string]handler

func init() {
	supported = map[string]handler{
		"listener":                     parseListener,
		"port":                         parsePort,
		"bind_address":                 parseBindAddress,
		"include_dir":                  (*parser).includeDir,
		"per_listener_settings":        parsePerListenerSettings,
		"pid_file":                     func(p *parser, l *line) error { return p.setText(l, &p.cfg.PidFile) },
		"persistent_client_expiration": parseExpiration,
		"max_inflight_messages":        parseMaxInflightMessages,
		"max_inflight_bytes":           func(p *parser, l *line) error { return clampedInt64(p, l, &p.cfg.MaxInflightBytes) },
		"max_queued_bytes":             func(p *parser, l *line) error { return clampedInt64(p, l, &p.cfg.MaxQueuedBytes) },
		"max_queued_messages": func(p *parser, l *line) error {
			var n int64
			err := clampedInt64(p, l, &n)
			p.cfg.MaxQueuedMessages = int(n)
			return err
		},
		"queue_qos0_messages":  boolField(func(p *parser, l *line) *bool { return &p.cfg.QueueQoS0Messages }),
		"retain_available":     boolField(func(p *parser, l *line) *bool { return &p.cfg.RetainAvailable }),
		"upgrade_outgoing_qos": boolField(func(p *parser, l *line) *bool { return &p.cfg.UpgradeOutgoingQoS }),
		"set_tcp_nodelay": func(p *parser, l *line) error {
			v, err := p.boolean(l)
			if err != nil {
				return err
			}
			p.cfg.SetTCPNodelay = v
			if !v { // midge's listeners always set TCP_NODELAY: what "true" asks for
				p.warnf(l, "set_tcp_nodelay false is ignored: midge always sends with TCP_NODELAY (no Nagle delay)")
			}
			return nil
		},
		"sys_interval":    intField(0, 65535, func(p *parser, l *line) *int { return &p.cfg.SysInterval }),
		"max_keepalive":   intField(10, 65535, func(p *parser, l *line) *int { return &p.cfg.MaxKeepalive }),
		"max_packet_size": intField(20, mqttMaxPacket, func(p *parser, l *line) *int { return &p.cfg.MaxPacketSize }),

		// Security options: global, or per listener with per_listener_settings.
		"allow_anonymous": func(p *parser, l *line) error {
			v, err := p.boolean(l)
			if err == nil {
				p.security(l).AllowAnonymous = optionalBool(v)
			}
			return err
		},
		"allow_zero_length_clientid": boolField(func(p *parser, l *line) *bool { return &p.security(l).AllowZeroLengthClientID }),
		"auto_id_prefix": func(p *parser, l *line) error {
			v, err := p.text(l)
			if err == nil {
				p.security(l).AutoIDPrefix = v
			}
			return err
		},
		"password_file": securityFile(func(s *Security) *string { return &s.PasswordFile }, "passwords"),
		"acl_file":      securityFile(func(s *Security) *string { return &s.ACLFile }, "access control"),
		"psk_file":      securityFile(func(s *Security) *string { return &s.PSKFile }, "TLS-PSK"),
		"plugin":        parsePlugin,
		"auth_plugin":   parsePlugin,
		"auth_plugin_deny_special_chars": func(p *parser, l *line) error {
			if p.plugin == nil {
				return p.errf(l, "%s without a plugin line before it", l.key)
			}
			if _, err := p.boolean(l); err != nil {
				return err
			}
			*p.plugin = append(*p.plugin, l.option())
			p.warnf(l, "%s: plugins are not supported by midge; ignored", l.key)
			return nil
		},

		// Listener options: they apply to the last `listener`, or to the
		// default listener before the first one.
		"bind_interface": parseBindInterface,
		"protocol":       parseProtocol,
		"socket_domain":  parseSocketDomain,
		"max_connections": func(p *parser, l *line) error {
			n, err := p.integer(l, math.MinInt32, math.MaxInt32)
			if n < 0 {
				n = -1 // mosquitto: any negative value means unlimited
			}
			if err == nil {
				p.cur(l).MaxConnections = int(n)
			}
			return err
		},
		"max_qos":                  intField(0, 2, func(p *parser, l *line) *int { return &p.cur(l).MaxQoS }),
		"maximum_qos":              intField(0, 2, func(p *parser, l *line) *int { return &p.cur(l).MaxQoS }),
		"max_topic_alias":          intField(0, 65535, func(p *parser, l *line) *int { return &p.cur(l).MaxTopicAlias }),
		"use_username_as_clientid": boolField(func(p *parser, l *line) *bool { return &p.cur(l).UseUsernameAsClientID }),
		"mount_point":              parseMountPoint,
		"http_dir": func(p *parser, l *line) error {
			if err := p.setText(l, &p.cur(l).HTTPDir); err != nil {
				return err
			}
			p.warnf(l, "http_dir: websockets listeners are not supported by midge yet; ignored")
			return nil
		},
	}
}

func optionalBool(v bool) OptionalBool {
	if v {
		return BoolTrue
	}
	return BoolFalse
}

// notYetActive are options parsed into typed fields that the broker does
// not act on yet; each line still gets a warning. Remove a name once the
// engine honours it.
var notYetActive = map[string]bool{
	"bind_interface": true,
}

// intField parses an integer in [lo, hi] into the field dst returns.
func intField(lo, hi int64, dst func(p *parser, l *line) *int) handler {
	return func(p *parser, l *line) error {
		n, err := p.integer(l, lo, hi)
		if err == nil {
			*dst(p, l) = int(n)
		}
		return err
	}
}

// boolField parses a boolean into the field dst returns.
func boolField(dst func(p *parser, l *line) *bool) handler {
	return func(p *parser, l *line) error {
		v, err := p.boolean(l)
		if err == nil {
			*dst(p, l) = v
		}
		return err
	}
}

// clampedInt64 parses a size where mosquitto turns negative values into 0
// (no limit).
func clampedInt64(p *parser, l *line, dst *int64) error {
	n, err := p.integer(l, math.MinInt32, math.MaxInt32)
	if err != nil {
		return err
	}
	*dst = max(n, 0)
	return nil
}

// securityFile stores an authentication file midge does not read yet.
func securityFile(field func(*Security) *string, what string) handler {
	return func(p *parser, l *line) error {
		if err := p.setText(l, field(p.security(l))); err != nil {
			return err
		}
		p.warnf(l, "%s is not supported by midge yet (%s); ignored", l.key, what)
		return nil
	}
}

func parseListener(p *parser, l *line) error {
	if len(l.args) == 0 {
		return p.errf(l, "empty listener value")
	}
	port, err := strconv.Atoi(l.args[0])
	if err != nil {
		return p.errf(l, "invalid listener port %q: not an integer", l.args[0])
	}
	if port < 0 || port > 65535 {
		return p.errf(l, "invalid listener port %d: must be between 0 and 65535", port)
	}
	addr := ""
	rest := l.args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "#") {
		addr, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "#") {
		return p.errf(l, "listener takes a port and an optional address, got %d values", len(l.args))
	}
	if port == 0 && addr == "" {
		return p.errf(l, "a listener with port 0 must provide a Unix socket path")
	}
	nl := defaultListener()
	nl.Port, nl.File, nl.Line = port, l.file, l.num
	if port == 0 {
		nl.UnixPath = addr
	} else {
		nl.Bind = addr
	}
	p.cfg.Listeners = append(p.cfg.Listeners, nl)
	p.listener = len(p.cfg.Listeners) - 1
	p.cfg.LocalOnly = false
	return nil
}

func parsePort(p *parser, l *line) error {
	n, err := p.integer(l, 1, 65535)
	if err != nil {
		return err
	}
	if p.def.Port != 0 {
		p.warnf(l, "default listener port specified more than once; only the last is used (as mosquitto does)")
	}
	p.cur(l) // mark the default listener as declared here
	p.def.Port, p.cfg.Port = int(n), int(n)
	p.cfg.LocalOnly = false
	return nil
}

func parseBindAddress(p *parser, l *line) error {
	p.cur(l)
	if err := p.setText(l, &p.def.Bind); err != nil {
		return err
	}
	p.cfg.BindAddress = p.def.Bind
	p.cfg.LocalOnly = false
	return nil
}

func parseBindInterface(p *parser, l *line) error {
	ls := p.cur(l)
	if err := p.setText(l, &ls.BindInterface); err != nil {
		return err
	}
	if p.listener < 0 {
		p.cfg.BindInterface = ls.BindInterface
	}
	return nil
}

func parseProtocol(p *parser, l *line) error {
	w, err := p.word(l)
	if err != nil {
		return err
	}
	switch w {
	case "mqtt":
	case "websockets":
		p.warnf(l, "websockets listeners are not supported by midge yet")
	default:
		return p.errf(l, "invalid protocol value %q: want mqtt or websockets", w)
	}
	p.cur(l).Protocol = w
	return nil
}

func parseSocketDomain(p *parser, l *line) error {
	w, err := p.word(l)
	if err != nil {
		return err
	}
	if w != "ipv4" && w != "ipv6" {
		return p.errf(l, "invalid socket_domain value %q: want ipv4 or ipv6", w)
	}
	p.cur(l).SocketDomain = w
	return nil
}

func parseMountPoint(p *parser, l *line) error {
	if p.listener < 0 {
		return p.errf(l, "mount_point needs a listener line before it")
	}
	if err := p.setText(l, &p.cur(l).MountPoint); err != nil {
		return err
	}
	if strings.ContainsAny(p.cur(l).MountPoint, "+#") {
		return p.errf(l, "invalid mount_point %q: wildcards are not allowed", p.cur(l).MountPoint)
	}
	return nil
}

func parsePerListenerSettings(p *parser, l *line) error {
	v, err := p.boolean(l)
	if err != nil {
		return err
	}
	if v && p.securitySet {
		return p.errf(l, "per_listener_settings must be set before any other security settings")
	}
	p.cfg.PerListenerSettings = v
	return nil
}

func parseMaxInflightMessages(p *parser, l *line) error {
	n, err := p.integer(l, math.MinInt32, 65535)
	if err != nil {
		return err
	}
	if n < 0 || n == 65535 {
		n = 0 // mosquitto: no limit
	}
	p.cfg.MaxInflightMessages = int(n)
	return nil
}

// parseExpiration reads mosquitto's duration form: a positive integer with
// one unit letter, h(our), d(ay), w(eek), m(onth = 30 days), y(ear = 365
// days).
func parseExpiration(p *parser, l *line) error {
	w, err := p.word(l)
	if err != nil {
		return err
	}
	unit := map[byte]time.Duration{'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour,
		'm': 30 * 24 * time.Hour, 'y': 365 * 24 * time.Hour}[w[len(w)-1]]
	n, nerr := strconv.ParseInt(w[:len(w)-1], 10, 32)
	if unit == 0 || nerr != nil || n <= 0 {
		return p.errf(l, "invalid persistent_client_expiration duration %q: want a positive number followed by h, d, w, m or y", w)
	}
	p.cfg.PersistentClientExpiration = time.Duration(n) * unit
	return nil
}

func parsePlugin(p *parser, l *line) error {
	sec := p.security(l)
	if _, err := p.text(l); err != nil {
		return err
	}
	sec.Plugins = append(sec.Plugins, l.option())
	p.plugin = &sec.Plugins
	p.warnf(l, "%s: plugins are not supported by midge; ignored", l.key)
	return nil
}

// pluginOption handles plugin_opt_* / auth_opt_* lines, which mosquitto
// only accepts after a plugin line.
func (p *parser) pluginOption(l *line) error {
	if p.plugin == nil {
		return p.errf(l, "%s without a plugin line before it", l.key)
	}
	if strings.TrimPrefix(strings.TrimPrefix(l.key, "plugin_opt_"), "auth_opt_") == "" {
		return p.errf(l, "invalid %s: empty option name", l.key)
	}
	if _, err := p.text(l); err != nil {
		return err
	}
	*p.plugin = append(*p.plugin, l.option())
	p.warnf(l, "%s: plugins are not supported by midge; ignored", l.key)
	return nil
}
