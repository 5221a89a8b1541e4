package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/engine"
	"github.com/midge-mqtt/midge/internal/passwd"
	"github.com/midge-mqtt/midge/profiles"
)

func TestServeNoArgumentsIsLocalOnly(t *testing.T) {
	sc, err := parseServeArgs(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	opts, _, err := buildOptions(sc)
	if err != nil {
		t.Fatal(err)
	}
	// No listener means the engine's default: 127.0.0.1 and ::1, port 1883.
	if len(opts.Listeners) != 0 || opts.Authenticator != nil {
		t.Fatalf("listeners %v, authenticator %v", opts.Listeners, opts.Authenticator)
	}
}

func TestServePortsAndListenFlags(t *testing.T) {
	sc, err := parseServeArgs([]string{"-p", "1884", "--port", "1885", "--listen", "unix:///tmp/m.sock", "--listen", "[::1]:1886", "--loops", "3"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	opts, _, err := buildOptions(sc)
	if err != nil {
		t.Fatal(err)
	}
	want := []engine.Listener{
		{Network: "tcp4", Address: "127.0.0.1:1884"}, {Network: "tcp6", Address: "[::1]:1884"},
		{Network: "tcp4", Address: "127.0.0.1:1885"}, {Network: "tcp6", Address: "[::1]:1885"},
		{Network: "unix", Address: "/tmp/m.sock"}, {Network: "tcp6", Address: "[::1]:1886"},
	}
	if len(opts.Listeners) != len(want) {
		t.Fatalf("listeners %v", opts.Listeners)
	}
	for i := range want {
		if opts.Listeners[i] != want[i] {
			t.Fatalf("listener %d = %v, want %v", i, opts.Listeners[i], want[i])
		}
	}
	if opts.EventLoops != 3 {
		t.Fatalf("loops %d", opts.EventLoops)
	}
	sc, _ = parseServeArgs([]string{"-p", "notaport"}, io.Discard)
	if _, _, err := buildOptions(sc); err == nil {
		t.Fatal("bad port accepted")
	}
}

func writeConf(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "mosquitto.conf")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestServeConfigFileMapsOptions(t *testing.T) {
	conf := writeConf(t, "listener 1990 127.0.0.1\nlistener 0 /tmp/x.sock\nallow_anonymous true\n"+
		"max_inflight_messages 5\nmax_inflight_bytes 300\nmax_queued_messages 7\nmax_queued_bytes 100\nqueue_qos0_messages true\n"+
		"sys_interval 3\nmax_connections 9\nmax_packet_size 4096\nmax_keepalive 120\n"+
		"persistent_client_expiration 2h\nretain_available false\nlog_type all\n"+
		"allow_zero_length_clientid false\nauto_id_prefix dev-\nupgrade_outgoing_qos true\n")
	sc, _ := parseServeArgs([]string{"-c", conf, "-p", "1991"}, io.Discard)
	opts, warnings, err := buildOptions(sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) == 0 || !strings.Contains(warnings[0], conf+":") {
		t.Fatalf("warnings without file:line: %v", warnings)
	}
	for _, w := range warnings {
		if strings.Contains(w, "clientid") || strings.Contains(w, "auto_id_prefix") || strings.Contains(w, "upgrade_outgoing_qos") {
			t.Errorf("warning for an option midge honours: %s", w)
		}
	}
	want := []engine.Listener{{Network: "tcp4", Address: "127.0.0.1:1990"}, {Network: "unix", Address: "/tmp/x.sock"}, {Network: "tcp", Address: ":1991"}}
	if len(opts.Listeners) != 3 || opts.Listeners[0] != want[0] || opts.Listeners[1] != want[1] || opts.Listeners[2] != want[2] {
		t.Fatalf("listeners %v", opts.Listeners)
	}
	if opts.MaxInflightMessages != 5 || opts.MaxInflightBytes != 300 || opts.MaxQueuedMessages != 7 || opts.MaxQueuedBytes != 100 || !opts.QueueQoS0Messages ||
		opts.SysInterval != 3*time.Second || opts.MaxConnections != 9 || opts.MaxPacketSize != 4096 ||
		opts.MaxKeepalive != 120 || opts.PersistentClientExpiration != 2*time.Hour || !opts.RetainUnavailable ||
		opts.Authenticator != nil || !opts.RefuseEmptyClientID || opts.AutoIDPrefix != "dev-" || !opts.UpgradeOutgoingQoS {
		t.Fatalf("options %+v", opts)
	}
}

func TestServeConfigWithoutAnonymousRefusesEveryone(t *testing.T) {
	conf := writeConf(t, "listener 1990\n")
	sc, _ := parseServeArgs([]string{"-c", conf}, io.Discard)
	opts, _, err := buildOptions(sc)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := opts.Authenticator.(engine.DenyAll); !ok {
		t.Fatalf("allow_anonymous unset with a listener must refuse clients, got %v", opts.Authenticator)
	}
}

func TestServeConfigErrorNamesFileAndLine(t *testing.T) {
	conf := writeConf(t, "listener 1990\nnot_an_option 3\n")
	sc, _ := parseServeArgs([]string{"-c", conf}, io.Discard)
	_, _, err := buildOptions(sc)
	if err == nil || !strings.Contains(err.Error(), conf+":2") {
		t.Fatalf("error %v does not name %s:2", err, conf)
	}
	if code := runServe([]string{"-c", conf}); code == 0 {
		t.Fatal("runServe exits 0 on a bad config")
	}
}

func TestServeBindFailureExitsNonZero(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if code := runServe([]string{"--listen", l.Addr().String()}); code != 1 {
		t.Fatalf("exit code %d on a port in use, want 1", code)
	}
}

func TestServePasswordFileAuthenticates(t *testing.T) {
	hash, err := passwd.Hash("s3cret", passwd.SHA512PBKDF2)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "passwd")
	if err := os.WriteFile(pwFile, []byte("alice:"+hash+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := writeConf(t, "listener 1990\npassword_file "+pwFile+"\n")
	sc, _ := parseServeArgs([]string{"-c", conf}, io.Discard)
	opts, _, err := buildOptions(sc)
	if err != nil {
		t.Fatal(err)
	}
	auth := opts.Authenticator
	ok := &engine.ConnectInfo{ClientInfo: engine.ClientInfo{Username: "alice"}, HasUsername: true, HasPassword: true, Password: []byte("s3cret")}
	bad := &engine.ConnectInfo{ClientInfo: engine.ClientInfo{Username: "alice"}, HasUsername: true, HasPassword: true, Password: []byte("guess")}
	anon := &engine.ConnectInfo{}
	if auth.Authenticate(ok) != nil || auth.Authenticate(bad) == nil || auth.Authenticate(anon) == nil {
		t.Fatal("password file not applied: right password refused, wrong accepted, or anonymous accepted")
	}
}

func TestServePresetFillsWhatTheConfigLeavesOut(t *testing.T) {
	conf := writeConf(t, "listener 1883 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 7\n")
	sc, _ := parseServeArgs([]string{"-c", conf, "--profile", "pi3"}, io.Discard)
	opts, _, err := buildOptions(sc)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := selectPreset("pi3", profiles.DetectHost())
	if err != nil {
		t.Fatal(err)
	}
	if sc.preset == nil || sc.preset.Name != "pi3" {
		t.Fatalf("preset = %v, want pi3", sc.preset)
	}
	if opts.MaxInflightMessages != 7 {
		t.Errorf("max_inflight_messages = %d, want the file's 7", opts.MaxInflightMessages)
	}
	if opts.MaxQueuedMessages != p.MaxQueuedMessages || opts.MaxPacketSize != uint32(p.MaxPacketSize) || opts.MaxConnections != p.MaxConnections {
		t.Errorf("queued %d packet %d conns %d, want the preset's %d %d %d",
			opts.MaxQueuedMessages, opts.MaxPacketSize, opts.MaxConnections, p.MaxQueuedMessages, p.MaxPacketSize, p.MaxConnections)
	}
}

func TestServeProfileNoneKeepsMosquittoDefaults(t *testing.T) {
	conf := writeConf(t, "listener 1883 127.0.0.1\nallow_anonymous true\n")
	sc, _ := parseServeArgs([]string{"-c", conf, "--profile", "none"}, io.Discard)
	opts, _, err := buildOptions(sc)
	if err != nil {
		t.Fatal(err)
	}
	if sc.preset != nil {
		t.Fatalf("preset %q applied with --profile none", sc.preset.Name)
	}
	if opts.MaxInflightMessages != 20 || opts.MaxQueuedMessages != 1000 || opts.MaxPacketSize != 0 {
		t.Errorf("inflight %d queued %d packet %d, want mosquitto's 20 1000 0 (protocol maximum)",
			opts.MaxInflightMessages, opts.MaxQueuedMessages, opts.MaxPacketSize)
	}
}

func TestServeUnknownProfileIsAnError(t *testing.T) {
	sc, _ := parseServeArgs([]string{"--profile", "no-such-board"}, io.Discard)
	if _, _, err := buildOptions(sc); err == nil || !strings.Contains(err.Error(), "--profile") {
		t.Fatalf("err = %v, want a --profile error", err)
	}
}

func TestServePprofOnLoopbackOnly(t *testing.T) {
	if _, err := servePprof("0.0.0.0:0"); err == nil {
		t.Fatal("pprof accepted a non-loopback address")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	stop, err := servePprof(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get("http://" + addr + "/debug/pprof/heap?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "heap profile") {
		t.Fatalf("status %d, body %.80q: want a heap profile", resp.StatusCode, body)
	}
}

// With per_listener_settings true each listener gets its own
// authentication options; the global ones stay broker-wide (for
// listeners given on the command line).
func TestServePerListenerSettings(t *testing.T) {
	hash, err := passwd.Hash("s3cret", passwd.SHA512PBKDF2)
	if err != nil {
		t.Fatal(err)
	}
	pwFile := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(pwFile, []byte("alice:"+hash+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := writeConf(t, "per_listener_settings true\nlistener 1990 127.0.0.1\nallow_anonymous true\nauto_id_prefix a-\n"+
		"listener 1991 127.0.0.1\nallow_anonymous false\nallow_zero_length_clientid false\n"+
		"listener 1992 127.0.0.1\npassword_file "+pwFile+"\n")
	sc, _ := parseServeArgs([]string{"-c", conf}, io.Discard)
	opts, _, err := buildOptions(sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts.Listeners) != 3 {
		t.Fatalf("listeners %+v", opts.Listeners)
	}
	open, closed, pw := opts.Listeners[0].Security, opts.Listeners[1].Security, opts.Listeners[2].Security
	if open == nil || open.Authenticator != nil || open.AutoIDPrefix != "a-" || open.RefuseEmptyClientID {
		t.Errorf("listener 1990: %+v, want anonymous clients in and ids starting a-", open)
	}
	if _, ok := closed.Authenticator.(engine.DenyAll); !ok || !closed.RefuseEmptyClientID || closed.AutoIDPrefix != "auto-" {
		t.Errorf("listener 1991: %+v, want everyone refused and empty ids refused", closed)
	}
	alice := &engine.ConnectInfo{ClientInfo: engine.ClientInfo{Username: "alice"}, HasUsername: true, HasPassword: true, Password: []byte("s3cret")}
	if pw.Authenticator == nil || pw.Authenticator.Authenticate(alice) != nil || pw.Authenticator.Authenticate(&engine.ConnectInfo{}) == nil {
		t.Errorf("listener 1992: password file not applied (%+v)", pw)
	}
	if _, ok := opts.Authenticator.(engine.DenyAll); !ok {
		t.Errorf("broker-wide authenticator %v: the file's global allow_anonymous is unset, so refuse", opts.Authenticator)
	}
}

// use_username_as_clientid, max_qos, max_topic_alias and mount_point are a
// listener's options in mosquitto, with or without per_listener_settings: only their
// listener applies them, and it keeps the rest of its admission rules.
func TestServeListenerScopedOptions(t *testing.T) {
	conf := writeConf(t, "allow_anonymous true\nlistener 1993 127.0.0.1\nuse_username_as_clientid true\n"+
		"listener 1994 127.0.0.1\nmax_qos 1\nmax_topic_alias 0\nmount_point tenant/\nlistener 1996 127.0.0.1\n")
	sc, _ := parseServeArgs([]string{"-c", conf}, io.Discard)
	opts, warnings, err := buildOptions(sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts.Listeners) != 3 || len(warnings) != 0 {
		t.Fatalf("listeners %+v warnings %v", opts.Listeners, warnings)
	}
	if s := opts.Listeners[0].Security; s == nil || !s.UsernameAsClientID || s.Authenticator != nil || s.LimitQoS || s.LimitTopicAliases {
		t.Errorf("listener 1993: %+v, want usernames as ids only, anonymous clients in", s)
	}
	if s := opts.Listeners[1].Security; s == nil || s.UsernameAsClientID || !s.LimitQoS || s.MaxQoS != 1 || !s.LimitTopicAliases || s.TopicAliasMax != 0 ||
		s.MountPoint != "tenant/" {
		t.Errorf("listener 1994: %+v, want QoS at most 1, no topic aliases, mounted at tenant/", s)
	}
	if s := opts.Listeners[2].Security; s != nil {
		t.Errorf("listener 1996 took another listener's options: %+v", s)
	}
	if opts.UsernameAsClientID {
		t.Error("a listener's option became broker-wide")
	}
	conf = writeConf(t, "per_listener_settings true\nlistener 1995 127.0.0.1\nallow_anonymous false\nuse_username_as_clientid true\n")
	sc, _ = parseServeArgs([]string{"-c", conf}, io.Discard)
	if opts, _, err = buildOptions(sc); err != nil {
		t.Fatal(err)
	}
	if s := opts.Listeners[0].Security; s == nil || !s.UsernameAsClientID {
		t.Errorf("per-listener: %+v", s)
	} else if _, ok := s.Authenticator.(engine.DenyAll); !ok {
		t.Errorf("per-listener: the listener's allow_anonymous false was lost: %+v", s)
	}
}
