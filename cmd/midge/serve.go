package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/midge-mqtt/midge/bench"
	"github.com/midge-mqtt/midge/engine"
	"github.com/midge-mqtt/midge/internal/mosqconf"
	"github.com/midge-mqtt/midge/internal/passwd"
	"github.com/midge-mqtt/midge/profiles"
)

func init() {
	register(&command{name: "serve", summary: "run the MQTT broker (mosquitto-compatible flags and config)", run: runServe})
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// serveConfig is what the command line asks of `midge serve`.
type serveConfig struct {
	configFile string
	ports      stringList
	listens    stringList
	verbose    bool
	version    bool
	loops      int
	profile    string

	preset       *profiles.Preset // chosen by buildOptions; nil with --profile none
	presetReason string
}

func parseServeArgs(args []string, stderr io.Writer) (*serveConfig, error) {
	sc := &serveConfig{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&sc.configFile, "c", "", "mosquitto.conf `file` to read")
	fs.StringVar(&sc.configFile, "config-file", "", "mosquitto.conf `file` to read")
	fs.Var(&sc.ports, "p", "listen on this TCP `port` (repeatable)")
	fs.Var(&sc.ports, "port", "listen on this TCP `port` (repeatable)")
	fs.Var(&sc.listens, "listen", "listen on `addr`: host:port, or unix:///path (repeatable)")
	fs.BoolVar(&sc.verbose, "v", false, "verbose logging")
	fs.BoolVar(&sc.verbose, "verbose", false, "verbose logging")
	fs.BoolVar(&sc.version, "version", false, "print the version and exit")
	fs.IntVar(&sc.loops, "loops", 0, "number of event loops (0 = one per CPU, or the preset's)")
	fs.StringVar(&sc.profile, "profile", "auto", "board preset: auto, a `name` from 'midge profile --list', or none (mosquitto's defaults); options in the config file win")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return sc, nil
}

// parseListen turns a --listen value into a listener.
func parseListen(v string) (engine.Listener, error) {
	if path, ok := strings.CutPrefix(v, "unix://"); ok {
		if path == "" {
			return engine.Listener{}, fmt.Errorf("--listen %q: empty socket path", v)
		}
		return engine.Listener{Network: "unix", Address: path}, nil
	}
	v = strings.TrimPrefix(v, "tcp://")
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return engine.Listener{}, fmt.Errorf("--listen %q: %v", v, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return engine.Listener{}, fmt.Errorf("--listen %q: bad port", v)
	}
	return tcpListener(host, port, ""), nil
}

// listenerLimits applies the options that mosquitto scopes to a listener
// whatever per_listener_settings says: use_username_as_clientid, max_qos,
// max_topic_alias and mount_point. A listener that sets one gets its own
// Security, starting from the broker-wide one when it had none.
func listenerLimits(el *engine.Listener, l *mosqconf.Listener, wide *engine.Security) {
	if !l.UseUsernameAsClientID && l.MaxQoS >= 2 && l.MaxTopicAlias == 10 && l.MountPoint == "" {
		return
	}
	if el.Security == nil {
		own := *wide
		el.Security = &own
	}
	sec := el.Security
	sec.UsernameAsClientID = l.UseUsernameAsClientID
	if l.MaxQoS < 2 {
		sec.LimitQoS, sec.MaxQoS = true, byte(l.MaxQoS)
	}
	if l.MaxTopicAlias != 10 {
		sec.LimitTopicAliases, sec.TopicAliasMax = true, uint16(l.MaxTopicAlias)
	}
	sec.MountPoint = l.MountPoint
}

// security turns mosquitto's authentication options into the engine's;
// passwords caches each password file read, by path.
func security(sec *mosqconf.Security, anonymous bool, passwords map[string]*passwd.File) (*engine.Security, error) {
	out := &engine.Security{RefuseEmptyClientID: !sec.AllowZeroLengthClientID, AutoIDPrefix: sec.AutoIDPrefix}
	switch {
	case sec.PasswordFile != "":
		pf := passwords[sec.PasswordFile]
		if pf == nil {
			var err error
			if pf, err = loadPasswordFile(sec.PasswordFile); err != nil {
				return nil, err
			}
			passwords[sec.PasswordFile] = pf
		}
		out.Authenticator = &passwordAuth{file: pf, anonymous: anonymous}
	case !anonymous:
		// Like mosquitto with allow_anonymous false and no
		// password_file: refuse everyone.
		out.Authenticator = engine.DenyAll{}
	}
	return out, nil
}

func tcpListener(host, port, domain string) engine.Listener {
	network := "tcp"
	switch {
	case domain == "ipv4":
		network = "tcp4"
	case domain == "ipv6":
		network = "tcp6"
	case strings.Contains(host, ":"):
		network = "tcp6"
	case host != "" && net.ParseIP(host) != nil:
		network = "tcp4"
	}
	return engine.Listener{Network: network, Address: net.JoinHostPort(host, port)}
}

// buildOptions maps the command line and the config file onto engine
// options; warnings are the config file's, to print.
func buildOptions(sc *serveConfig) (engine.Options, []string, error) {
	var opts engine.Options
	var warnings []string
	var extra []engine.Listener
	for _, p := range sc.ports {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return opts, nil, fmt.Errorf("-p %q: not a port number", p)
		}
		extra = append(extra, engine.Listener{}) // host decided below
		extra[len(extra)-1].Address = p
	}
	var fromListen []engine.Listener
	for _, v := range sc.listens {
		l, err := parseListen(v)
		if err != nil {
			return opts, nil, err
		}
		fromListen = append(fromListen, l)
	}
	if sc.profile != "none" {
		p, reason, err := selectPreset(sc.profile, profiles.DetectHost())
		if err != nil {
			return opts, nil, fmt.Errorf("--profile: %v", err)
		}
		presetEngineOptions(p, &opts)
		sc.preset, sc.presetReason = &p, reason
	}
	localOnly := true
	if sc.configFile != "" {
		cfg, err := mosqconf.ParseFile(sc.configFile)
		if err != nil {
			return opts, nil, err
		}
		for _, w := range cfg.Warnings {
			if strings.HasPrefix(w.Msg, "password_file") {
				continue // serve reads the password file itself
			}
			warnings = append(warnings, w.String())
		}
		localOnly = cfg.LocalOnly
		passwords := map[string]*passwd.File{}
		// The broker-wide options: the file's global ones, which also
		// serve listeners given on the command line.
		wide, err := security(cfg.SecurityFor(nil), cfg.AnonymousAllowed(nil), passwords)
		if err != nil {
			return opts, nil, err
		}
		opts.Authenticator, opts.RefuseEmptyClientID, opts.AutoIDPrefix = wide.Authenticator, wide.RefuseEmptyClientID, wide.AutoIDPrefix
		for i := range cfg.Listeners {
			l := &cfg.Listeners[i]
			if l.Implicit && (len(extra) > 0 || len(fromListen) > 0) {
				continue // command-line listeners replace the implicit ones
			}
			if l.Protocol != "" && l.Protocol != "mqtt" {
				warnings = append(warnings, fmt.Sprintf("%s:%d: %s listener not supported yet, skipped", l.File, l.Line, l.Protocol))
				continue
			}
			el := tcpListener(l.Bind, strconv.Itoa(l.Port), l.SocketDomain)
			if l.UnixPath != "" {
				el = engine.Listener{Network: "unix", Address: l.UnixPath}
			}
			if cfg.PerListenerSettings {
				// per_listener_settings: the listener's own options.
				if el.Security, err = security(cfg.SecurityFor(l), cfg.AnonymousAllowed(l), passwords); err != nil {
					return opts, nil, err
				}
			}
			listenerLimits(&el, l, wide)
			opts.Listeners = append(opts.Listeners, el)
		}
		// A board preset supplies the limits the file does not write
		// down; what the file says wins.
		given := func(key string) bool { return sc.preset == nil || cfg.Given[key] }
		if given("max_inflight_messages") {
			opts.MaxInflightMessages = cfg.MaxInflightMessages
			if cfg.MaxInflightMessages == 0 {
				opts.MaxInflightMessages = 65535 // 0 = no limit
			}
		}
		if given("max_inflight_bytes") {
			opts.MaxInflightBytes = int(cfg.MaxInflightBytes)
		}
		if given("max_queued_messages") {
			opts.MaxQueuedMessages = cfg.MaxQueuedMessages
			if cfg.MaxQueuedMessages == 0 {
				opts.MaxQueuedMessages = 1 << 30
			}
		}
		if given("max_queued_bytes") {
			opts.MaxQueuedBytes = int(cfg.MaxQueuedBytes)
		}
		opts.QueueQoS0Messages = cfg.QueueQoS0Messages
		opts.SysInterval = time.Duration(cfg.SysInterval) * time.Second
		if cfg.SysInterval == 0 {
			opts.SysInterval = -1
		}
		if given("max_connections") {
			opts.MaxConnections = cfg.MaxConnections
		}
		for _, l := range cfg.Listeners {
			if l.MaxConnections > 0 && (opts.MaxConnections <= 0 || l.MaxConnections < opts.MaxConnections) {
				opts.MaxConnections = l.MaxConnections
			}
		}
		if given("max_packet_size") {
			opts.MaxPacketSize = uint32(cfg.MaxPacketSize)
		}
		opts.MaxKeepalive = uint16(cfg.MaxKeepalive)
		opts.PersistentClientExpiration = cfg.PersistentClientExpiration
		opts.RetainUnavailable = !cfg.RetainAvailable
		opts.UpgradeOutgoingQoS = cfg.UpgradeOutgoingQoS
		if cfg.PidFile != "" {
			if err := os.WriteFile(cfg.PidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
				return opts, nil, fmt.Errorf("pid_file: %v", err)
			}
		}
	}
	for _, l := range extra {
		hosts := []string{""}
		if localOnly {
			hosts = []string{"127.0.0.1", "::1"}
		}
		for _, h := range hosts {
			opts.Listeners = append(opts.Listeners, tcpListener(h, l.Address, ""))
		}
	}
	opts.Listeners = append(opts.Listeners, fromListen...)
	if sc.loops != 0 || sc.preset == nil {
		opts.EventLoops = sc.loops
	}
	if v := os.Getenv("MIDGE_CONNECT_TIMEOUT"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			opts.ConnectTimeout = d
		}
	}
	return opts, warnings, nil
}

// passwordAuth checks CONNECT credentials against a mosquitto password
// file; clients without a username pass only when anonymous is allowed.
type passwordAuth struct {
	file      *passwd.File
	anonymous bool
}

func (a *passwordAuth) Authenticate(info *engine.ConnectInfo) error {
	if !info.HasUsername {
		if a.anonymous {
			return nil
		}
		return engine.ErrNotAuthorized
	}
	if !a.file.Check(info.Username, string(info.Password)) {
		return engine.ErrNotAuthorized // mosquitto answers "not authorized" too
	}
	return nil
}

func loadPasswordFile(path string) (*passwd.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("password_file: %v", err)
	}
	defer f.Close()
	pf, err := passwd.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("password_file %s: %v", path, err)
	}
	return pf, nil
}

func runServe(args []string) int {
	sc, err := parseServeArgs(args, os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "midge serve:", err)
		return 2
	}
	if sc.version {
		fmt.Println("midge version", Version)
		return 0
	}
	level := slog.LevelInfo
	if sc.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	opts, warnings, err := buildOptions(sc)
	if err != nil {
		fmt.Fprintln(os.Stderr, "midge serve:", err)
		return 1
	}
	for _, w := range warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	if sc.preset != nil {
		notes := sc.preset.ApplyRuntime()
		logger.Info("board preset", "preset", sc.preset.Name, "reason", sc.presetReason, "runtime", strings.Join(notes, "; "))
	}
	if stop, err := servePprof(os.Getenv(bench.PprofEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "midge serve:", err)
		return 2
	} else if stop != nil {
		defer stop()
	}
	opts.Logger = logger
	opts.Version = Version
	b, err := engine.New(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "midge serve:", err)
		return 1
	}
	// Catch signals before the listeners accept: a client may connect and
	// the broker be told to stop at once.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	err = b.Start(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "midge serve: cannot listen:", err)
		return 1
	}
	for _, a := range b.Addrs() {
		logger.Info("listening", "network", a.Network(), "addr", a.String())
	}
	logger.Info("midge started", "version", Version)
	s := <-sig
	logger.Info("shutting down", "signal", s.String())
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Stop(ctx); err != nil {
		logger.Warn("shutdown", "err", err)
	}
	return 0
}
