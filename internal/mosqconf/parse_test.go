package mosqconf

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, conf string) *Config {
	t.Helper()
	c, err := Parse(strings.NewReader(conf), "test.conf")
	if err != nil {
		t.Fatalf("Parse(%q): %v", conf, err)
	}
	return c
}

func TestDefaults(t *testing.T) {
	c := mustParse(t, "# nothing but a comment\n\n   \n")
	want := newConfig()
	want.Listeners = []Listener{
		{Port: 1883, Bind: "127.0.0.1", Implicit: true, Protocol: "mqtt", MaxConnections: -1, MaxQoS: 2, MaxTopicAlias: 10, Security: defaultSecurity()},
		{Port: 1883, Bind: "::1", Implicit: true, Protocol: "mqtt", MaxConnections: -1, MaxQoS: 2, MaxTopicAlias: 10, Security: defaultSecurity()},
	}
	want.Files = []string{"test.conf"}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("defaults:\n got %+v\nwant %+v", c, want)
	}
	// mosquitto 2.0 defaults, spelled out so a change to newConfig fails here.
	if c.MaxInflightMessages != 20 || c.MaxQueuedMessages != 1000 || c.MaxQueuedBytes != 0 ||
		c.QueueQoS0Messages || c.SysInterval != 10 || c.MaxConnections != -1 || c.MaxPacketSize != 0 ||
		c.MaxKeepalive != 65535 || c.PersistentClientExpiration != 0 || !c.RetainAvailable ||
		c.AllowAnonymous != BoolUnset || !c.AllowZeroLengthClientID || c.AutoIDPrefix != "auto-" || !c.LocalOnly {
		t.Fatalf("mosquitto defaults not filled in: %+v", c)
	}
	if !c.AnonymousAllowed(&c.Listeners[0]) {
		t.Error("local-only mode must allow anonymous clients")
	}
}

// TestSupportedOptions covers every option parsed into a typed field.
func TestSupportedOptions(t *testing.T) {
	tests := []struct {
		conf string
		get  func(c *Config) any
		want any
	}{
		{"max_inflight_messages 5", func(c *Config) any { return c.MaxInflightMessages }, 5},
		{"max_inflight_messages 0", func(c *Config) any { return c.MaxInflightMessages }, 0},
		{"max_inflight_messages 65535", func(c *Config) any { return c.MaxInflightMessages }, 0},
		{"max_inflight_messages -3", func(c *Config) any { return c.MaxInflightMessages }, 0},
		{"max_inflight_bytes 4096", func(c *Config) any { return c.MaxInflightBytes }, int64(4096)},
		{"max_inflight_bytes -1", func(c *Config) any { return c.MaxInflightBytes }, int64(0)},
		{"max_queued_messages 7", func(c *Config) any { return c.MaxQueuedMessages }, 7},
		{"max_queued_messages -7", func(c *Config) any { return c.MaxQueuedMessages }, 0},
		{"max_queued_bytes 1000000", func(c *Config) any { return c.MaxQueuedBytes }, int64(1000000)},
		{"queue_qos0_messages true", func(c *Config) any { return c.QueueQoS0Messages }, true},
		{"queue_qos0_messages 1", func(c *Config) any { return c.QueueQoS0Messages }, true},
		{"sys_interval 0", func(c *Config) any { return c.SysInterval }, 0},
		{"sys_interval 60", func(c *Config) any { return c.SysInterval }, 60},
		{"max_packet_size 20", func(c *Config) any { return c.MaxPacketSize }, 20},
		{"max_packet_size 1048576", func(c *Config) any { return c.MaxPacketSize }, 1048576},
		{"max_keepalive 10", func(c *Config) any { return c.MaxKeepalive }, 10},
		{"max_keepalive 120", func(c *Config) any { return c.MaxKeepalive }, 120},
		{"persistent_client_expiration 1h", func(c *Config) any { return c.PersistentClientExpiration }, time.Hour},
		{"persistent_client_expiration 2d", func(c *Config) any { return c.PersistentClientExpiration }, 48 * time.Hour},
		{"persistent_client_expiration 3w", func(c *Config) any { return c.PersistentClientExpiration }, 21 * 24 * time.Hour},
		{"persistent_client_expiration 4m", func(c *Config) any { return c.PersistentClientExpiration }, 120 * 24 * time.Hour},
		{"persistent_client_expiration 5y", func(c *Config) any { return c.PersistentClientExpiration }, 5 * 365 * 24 * time.Hour},
		{"retain_available false", func(c *Config) any { return c.RetainAvailable }, false},
		{"retain_available 0", func(c *Config) any { return c.RetainAvailable }, false},
		{"upgrade_outgoing_qos true", func(c *Config) any { return c.UpgradeOutgoingQoS }, true},
		{"set_tcp_nodelay true", func(c *Config) any { return c.SetTCPNodelay }, true},
		{"pid_file /run/midge.pid", func(c *Config) any { return c.PidFile }, "/run/midge.pid"},
		{"pid_file /path with spaces/m.pid", func(c *Config) any { return c.PidFile }, "/path with spaces/m.pid"},
		{"allow_anonymous true", func(c *Config) any { return c.AllowAnonymous }, BoolTrue},
		{"allow_anonymous false", func(c *Config) any { return c.AllowAnonymous }, BoolFalse},
		{"allow_zero_length_clientid false", func(c *Config) any { return c.AllowZeroLengthClientID }, false},
		{"auto_id_prefix midge-", func(c *Config) any { return c.AutoIDPrefix }, "midge-"},
		{"per_listener_settings true", func(c *Config) any { return c.PerListenerSettings }, true},
		{"port 1884", func(c *Config) any { return c.Port }, 1884},
		{"bind_address 10.0.0.1", func(c *Config) any { return c.BindAddress }, "10.0.0.1"},
		{"bind_interface eth0", func(c *Config) any { return c.BindInterface }, "eth0"},
		{"max_connections 10", func(c *Config) any { return c.MaxConnections }, 10},
		{"max_connections -5", func(c *Config) any { return c.MaxConnections }, -1},
		{"listener 1883\nmax_connections 50", func(c *Config) any { return c.Listeners[0].MaxConnections }, 50},
		{"listener 1883\nprotocol mqtt", func(c *Config) any { return c.Listeners[0].Protocol }, "mqtt"},
		{"listener 1883\nsocket_domain ipv4", func(c *Config) any { return c.Listeners[0].SocketDomain }, "ipv4"},
		{"listener 1883\nsocket_domain ipv6", func(c *Config) any { return c.Listeners[0].SocketDomain }, "ipv6"},
		{"listener 1883\nbind_interface wlan0", func(c *Config) any { return c.Listeners[0].BindInterface }, "wlan0"},
		{"listener 1883\nmax_qos 1", func(c *Config) any { return c.Listeners[0].MaxQoS }, 1},
		{"listener 1883\nmaximum_qos 0", func(c *Config) any { return c.Listeners[0].MaxQoS }, 0},
		{"listener 1883\nmax_topic_alias 0", func(c *Config) any { return c.Listeners[0].MaxTopicAlias }, 0},
		{"listener 1883\nmount_point site/17/", func(c *Config) any { return c.Listeners[0].MountPoint }, "site/17/"},
		{"listener 1883\nuse_username_as_clientid true", func(c *Config) any { return c.Listeners[0].UseUsernameAsClientID }, true},
		{"max_keepalive 60 # trailing comment", func(c *Config) any { return c.MaxKeepalive }, 60},
		{"max_keepalive\t60", func(c *Config) any { return c.MaxKeepalive }, 60},
		{"  max_keepalive   60  \r", func(c *Config) any { return c.MaxKeepalive }, 60},
	}
	for _, tt := range tests {
		c := mustParse(t, tt.conf)
		if got := tt.get(c); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %v (%T), want %v (%T)", tt.conf, got, got, tt.want, tt.want)
		}
		lines := strings.Split(strings.TrimSpace(tt.conf), "\n")
		key := strings.Fields(lines[len(lines)-1])[0]
		if wantWarn := notYetActive[key]; (len(c.Warnings) == 1) != wantWarn || len(c.Warnings) > 1 {
			t.Errorf("%q: warnings %v, want a warning: %v", tt.conf, c.Warnings, wantWarn)
		}
	}
}

func TestListenerForms(t *testing.T) {
	tests := []struct {
		conf string
		want Listener
	}{
		{"listener 1883", Listener{Port: 1883}},
		{"listener 1883 127.0.0.1", Listener{Port: 1883, Bind: "127.0.0.1"}},
		{"listener 1883 ::1", Listener{Port: 1883, Bind: "::1"}},
		{"listener 8883 broker.local # TLS later", Listener{Port: 8883, Bind: "broker.local"}},
		{"listener 0 /run/midge.sock", Listener{Port: 0, UnixPath: "/run/midge.sock"}},
	}
	for _, tt := range tests {
		c := mustParse(t, tt.conf)
		want := defaultListener()
		want.Port, want.Bind, want.UnixPath = tt.want.Port, tt.want.Bind, tt.want.UnixPath
		want.File, want.Line = "test.conf", 1
		if len(c.Listeners) != 1 || !reflect.DeepEqual(c.Listeners[0], want) {
			t.Errorf("%q:\n got %+v\nwant [%+v]", tt.conf, c.Listeners, want)
		}
		if c.LocalOnly || c.AnonymousAllowed(&c.Listeners[0]) {
			t.Errorf("%q: a configured listener must leave local-only mode and deny anonymous by default", tt.conf)
		}
	}
}

func TestListenerOptionsFollowTheirListener(t *testing.T) {
	c := mustParse(t, `listener 1883
max_connections 10
listener 1884 127.0.0.1
max_connections 20
protocol websockets
`)
	if len(c.Listeners) != 2 {
		t.Fatalf("listeners: %+v", c.Listeners)
	}
	if c.Listeners[0].MaxConnections != 10 || c.Listeners[1].MaxConnections != 20 {
		t.Errorf("max_connections went to the wrong listener: %+v", c.Listeners)
	}
	if c.Listeners[0].Protocol != "mqtt" || c.Listeners[1].Protocol != "websockets" {
		t.Errorf("protocol went to the wrong listener: %+v", c.Listeners)
	}
	if c.Listeners[1].Line != 3 || c.MaxConnections != -1 {
		t.Errorf("line %d, global max_connections %d", c.Listeners[1].Line, c.MaxConnections)
	}
	if len(c.Warnings) != 1 || c.Warnings[0].Line != 5 {
		t.Errorf("websockets must warn at line 5: %v", c.Warnings)
	}
}

func TestDefaultListener(t *testing.T) {
	c := mustParse(t, `max_connections 100
port 1884
bind_address 127.0.0.1
listener 1885
`)
	if len(c.Listeners) != 2 {
		t.Fatalf("listeners: %+v", c.Listeners)
	}
	// mosquitto opens the default listener after the explicit ones.
	d := c.Listeners[1]
	if !d.Default || d.Port != 1884 || d.Bind != "127.0.0.1" || d.MaxConnections != 100 || d.Line != 1 {
		t.Errorf("default listener: %+v", d)
	}
	if c.Listeners[0].Port != 1885 || c.Listeners[0].MaxConnections != -1 {
		t.Errorf("explicit listener: %+v", c.Listeners[0])
	}
	if c.LocalOnly {
		t.Error("port must leave local-only mode")
	}

	// A listener option alone creates the default listener on 1883.
	c = mustParse(t, "socket_domain ipv4\n")
	if len(c.Listeners) != 1 || !c.Listeners[0].Default || c.Listeners[0].Port != 1883 || c.Listeners[0].SocketDomain != "ipv4" {
		t.Errorf("default listener from socket_domain: %+v", c.Listeners)
	}

	// Repeating port keeps the last one, with a warning, as mosquitto.
	c = mustParse(t, "port 1884\nport 1885\n")
	if c.Port != 1885 || len(c.Listeners) != 1 || c.Listeners[0].Port != 1885 || len(c.Warnings) != 1 || c.Warnings[0].Line != 2 {
		t.Errorf("port twice: port %d listeners %+v warnings %v", c.Port, c.Listeners, c.Warnings)
	}
}

func TestPerListenerSettings(t *testing.T) {
	c := mustParse(t, `per_listener_settings true
listener 1883
allow_anonymous true
listener 1884
allow_anonymous false
auto_id_prefix b-
`)
	a, b := &c.Listeners[0], &c.Listeners[1]
	if !c.AnonymousAllowed(a) || c.AnonymousAllowed(b) {
		t.Errorf("per-listener allow_anonymous: %v %v", a.Security.AllowAnonymous, b.Security.AllowAnonymous)
	}
	if c.SecurityFor(a).AutoIDPrefix != "auto-" || c.SecurityFor(b).AutoIDPrefix != "b-" {
		t.Errorf("per-listener auto_id_prefix: %q %q", a.Security.AutoIDPrefix, b.Security.AutoIDPrefix)
	}
	if c.AllowAnonymous != BoolUnset {
		t.Errorf("global allow_anonymous touched: %v", c.AllowAnonymous)
	}

	// Without per_listener_settings the last value wins globally.
	c = mustParse(t, "listener 1883\nallow_anonymous true\nlistener 1884\n")
	if !c.AnonymousAllowed(&c.Listeners[0]) || !c.AnonymousAllowed(&c.Listeners[1]) {
		t.Error("global allow_anonymous must apply to every listener")
	}
}

func TestErrors(t *testing.T) {
	tests := []struct{ conf, want string }{
		{"no_such_option 1", `test.conf:1: unknown configuration variable "no_such_option"`},
		{"\n\nmax_keepalive abc", `test.conf:3: invalid max_keepalive value "abc": not an integer`},
		{"max_keepalive 5", `test.conf:1: invalid max_keepalive value 5: must be between 10 and 65535`},
		{"max_keepalive 65536", `test.conf:1: invalid max_keepalive value 65536: must be between 10 and 65535`},
		{"max_keepalive", `test.conf:1: empty max_keepalive value`},
		{"max_keepalive 10 20", `test.conf:1: max_keepalive takes one value, got 2`},
		{"sys_interval -1", `test.conf:1: invalid sys_interval value -1: must be between 0 and 65535`},
		{"max_packet_size 19", `test.conf:1: invalid max_packet_size value 19: must be between 20 and 268435460`},
		{"max_inflight_messages 65536", `test.conf:1: invalid max_inflight_messages value 65536: must be between -2147483648 and 65535`},
		{"max_queued_messages 1e3", `test.conf:1: invalid max_queued_messages value "1e3": not an integer`},
		{"retain_available yes", `test.conf:1: invalid retain_available value "yes": want true or false`},
		{"allow_anonymous", `test.conf:1: empty allow_anonymous value`},
		{"persistent_client_expiration 10", `test.conf:1: invalid persistent_client_expiration duration "10": want a positive number followed by h, d, w, m or y`},
		{"persistent_client_expiration 0d", `test.conf:1: invalid persistent_client_expiration duration "0d": want a positive number followed by h, d, w, m or y`},
		{"persistent_client_expiration h", `test.conf:1: invalid persistent_client_expiration duration "h": want a positive number followed by h, d, w, m or y`},
		{"listener", `test.conf:1: empty listener value`},
		{"listener http", `test.conf:1: invalid listener port "http": not an integer`},
		{"listener 70000", `test.conf:1: invalid listener port 70000: must be between 0 and 65535`},
		{"listener 0", `test.conf:1: a listener with port 0 must provide a Unix socket path`},
		{"listener 1883 a b", `test.conf:1: listener takes a port and an optional address, got 3 values`},
		{"port 0", `test.conf:1: invalid port value 0: must be between 1 and 65535`},
		{"listener 1883\nprotocol mqtts", `test.conf:2: invalid protocol value "mqtts": want mqtt or websockets`},
		{"listener 1883\nsocket_domain inet", `test.conf:2: invalid socket_domain value "inet": want ipv4 or ipv6`},
		{"listener 1883\nmax_qos 3", `test.conf:2: invalid max_qos value 3: must be between 0 and 2`},
		{"mount_point a/", `test.conf:1: mount_point needs a listener line before it`},
		{"listener 1\nmount_point a/+/", `test.conf:2: invalid mount_point "a/+/": wildcards are not allowed`},
		{"pid_file a\npid_file b", `test.conf:2: duplicate pid_file value`},
		{"pid_file \xff", `test.conf:1: malformed UTF-8 in pid_file value`},
		{"allow_anonymous true\nper_listener_settings true", `test.conf:2: per_listener_settings must be set before any other security settings`},
		{"plugin_opt_db x", `test.conf:1: plugin_opt_db without a plugin line before it`},
		{"plugin /p.so\nplugin_opt_ x", `test.conf:2: invalid plugin_opt_: empty option name`},
		{"auth_plugin_deny_special_chars true", `test.conf:1: auth_plugin_deny_special_chars without a plugin line before it`},
		// Real options midge does not implement are still checked.
		{"persistence maybe", `test.conf:1: invalid persistence value "maybe": want true or false`},
		{"log_type chatty", `test.conf:1: invalid log_type value "chatty": want one of none, information, notice, warning, error, debug, subscribe, unsubscribe, internal, websockets, all`},
		{"log_dest file", `test.conf:1: empty "log_dest file" value`},
		{"log_dest printer", `test.conf:1: invalid log_dest value "printer"`},
		{"log_facility 8", `test.conf:1: invalid log_facility value 8: must be between 0 and 7`},
		{"certfile", `test.conf:1: empty certfile value`},
		{"address host:1883", `test.conf:1: address is a bridge option and needs a connection line before it`},
		{"connection a\nconnection a", `test.conf:2: duplicate bridge name "a"`},
		{"connection a\ntopic x sideways", `test.conf:2: invalid bridge topic direction "sideways"`},
		{"connection a\ntopic x in 3", `test.conf:2: invalid bridge topic QoS "3"`},
		{"connection a\nstart_type manual", `test.conf:2: invalid start_type value "manual": want one of automatic, lazy, once`},
		{"connection a\nrestart_timeout 30 10", `test.conf:2: restart_timeout: backoff cap is lower than the base`},
		{"connection a\nbridge_protocol_version mqttv4", `test.conf:2: invalid bridge_protocol_version value "mqttv4": want one of mqttv31, mqttv311, mqttv50`},
		{"max_keepalive 60\n" + strings.Repeat("x", maxLineBytes+1), `test.conf:2: line too long`},
	}
	for _, tt := range tests {
		c, err := Parse(strings.NewReader(tt.conf), "test.conf")
		if err == nil {
			t.Errorf("%q: no error, config %+v", tt.conf, c)
			continue
		}
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%q: error %T is not *Error", tt.conf, err)
		}
		if err.Error() != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.conf, err, tt.want)
		}
	}
}

func TestParseFileMissing(t *testing.T) {
	_, err := ParseFile(filepath.Join(t.TempDir(), "absent.conf"))
	var ce *Error
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "absent.conf:0: unable to open config file") {
		t.Fatalf("got %v", err)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIncludeDir(t *testing.T) {
	dir := t.TempDir()
	inc := filepath.Join(dir, "conf.d")
	// ASCII order: upper case before lower case, digits before letters.
	writeFile(t, filepath.Join(inc, "b.conf"), "listener 1003\n")
	writeFile(t, filepath.Join(inc, "B.conf"), "listener 1001\n")
	writeFile(t, filepath.Join(inc, "a.conf"), "listener 1002\nmax_connections 3\n")
	writeFile(t, filepath.Join(inc, "10.conf"), "listener 1000\n")
	writeFile(t, filepath.Join(inc, "ignored.txt"), "not config at all\n")
	writeFile(t, filepath.Join(inc, ".conf"), "not config at all\n")
	writeFile(t, filepath.Join(inc, "sub.conf", "x.conf"), "not config at all\n")
	main := filepath.Join(dir, "mosquitto.conf")
	writeFile(t, main, "listener 999\ninclude_dir "+inc+"\nmax_connections 9\n")

	c, err := ParseFile(main)
	if err != nil {
		t.Fatal(err)
	}
	var ports []int
	for _, l := range c.Listeners {
		ports = append(ports, l.Port)
	}
	if want := []int{999, 1000, 1001, 1002, 1003}; !reflect.DeepEqual(ports, want) {
		t.Errorf("listener order %v, want %v", ports, want)
	}
	// The main file's listener block resumes after the include.
	if c.Listeners[0].MaxConnections != 9 || c.Listeners[3].MaxConnections != 3 {
		t.Errorf("max_connections: %+v", c.Listeners)
	}
	if l := c.Listeners[3]; l.File != filepath.Join(inc, "a.conf") || l.Line != 1 {
		t.Errorf("included listener declared at %s:%d", l.File, l.Line)
	}
	wantFiles := []string{main, filepath.Join(inc, "10.conf"), filepath.Join(inc, "B.conf"), filepath.Join(inc, "a.conf"), filepath.Join(inc, "b.conf")}
	if !reflect.DeepEqual(c.Files, wantFiles) {
		t.Errorf("files %v, want %v", c.Files, wantFiles)
	}
}

func TestIncludeDirErrors(t *testing.T) {
	dir := t.TempDir()
	inc := filepath.Join(dir, "conf.d")
	writeFile(t, filepath.Join(inc, "a.conf"), "# fine\nlistener 1883\n")
	writeFile(t, filepath.Join(inc, "b.conf"), "\n\nmax_keepalive soon\n")
	main := filepath.Join(dir, "mosquitto.conf")
	writeFile(t, main, "include_dir "+inc+"\n")
	_, err := ParseFile(main)
	want := filepath.Join(inc, "b.conf") + `:3: invalid max_keepalive value "soon": not an integer`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}

	writeFile(t, main, "\ninclude_dir "+filepath.Join(dir, "absent")+"\n")
	_, err = ParseFile(main)
	if err == nil || !strings.HasPrefix(err.Error(), main+`:2: unable to open include_dir "`) {
		t.Errorf("missing include_dir: %v", err)
	}

	// include_dir inside an included file is ignored, with a warning.
	writeFile(t, filepath.Join(inc, "b.conf"), "include_dir /nonexistent\n")
	writeFile(t, main, "include_dir "+inc+"\n")
	c, err := ParseFile(main)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 1 || c.Warnings[0].File != filepath.Join(inc, "b.conf") || c.Warnings[0].Line != 1 {
		t.Errorf("nested include_dir warnings: %v", c.Warnings)
	}
}

func TestIncludedFileStartsOutsideBlocks(t *testing.T) {
	dir := t.TempDir()
	inc := filepath.Join(dir, "conf.d")
	// mosquitto starts each file at the default listener: max_connections
	// here does not reach the main file's listener.
	writeFile(t, filepath.Join(inc, "a.conf"), "max_connections 5\n")
	main := filepath.Join(dir, "mosquitto.conf")
	writeFile(t, main, "listener 1883\ninclude_dir "+inc+"\n")
	c, err := ParseFile(main)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listeners[0].MaxConnections != -1 || c.MaxConnections != 5 {
		t.Errorf("listener %+v, default max_connections %d", c.Listeners[0], c.MaxConnections)
	}
}

func TestGivenRecordsWrittenOptions(t *testing.T) {
	cfg, err := Parse(strings.NewReader("max_inflight_messages 5\nlistener 1883\n# max_queued_messages 9\n"), "given.conf")
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Given["max_inflight_messages"] || !cfg.Given["listener"] {
		t.Errorf("Given = %v, want max_inflight_messages and listener", cfg.Given)
	}
	if cfg.Given["max_queued_messages"] {
		t.Error("a commented-out option counts as given")
	}
}

// midge always sends with TCP_NODELAY: set_tcp_nodelay true is what it
// does, so only false, which it cannot honour, warns, naming the line.
func TestSetTCPNodelayWarnsOnlyWhenFalse(t *testing.T) {
	if c := mustParse(t, "set_tcp_nodelay true"); len(c.Warnings) != 0 || !c.SetTCPNodelay {
		t.Errorf("set_tcp_nodelay true: warnings %v, value %v", c.Warnings, c.SetTCPNodelay)
	}
	c := mustParse(t, "allow_anonymous true\nset_tcp_nodelay false")
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0].String(), ":2:") || !strings.Contains(c.Warnings[0].String(), "TCP_NODELAY") {
		t.Errorf("set_tcp_nodelay false: warnings %v, want one naming line 2", c.Warnings)
	}
}
