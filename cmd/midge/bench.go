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
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/midge-mqtt/midge/bench"
	"github.com/midge-mqtt/midge/engine"
	"github.com/midge-mqtt/midge/loadgen"
	"github.com/midge-mqtt/midge/profiles"
)

func init() {
	register(&command{name: "bench", summary: "load-test any MQTT broker, report and compare results", run: runBench})
}

const benchUsage = `usage: midge bench <command> [arguments]

commands:
  run SCENARIO [flags]      drive a broker with a scenario and record the result
  report [-o FILE] A.json.. print a table and write an HTML report with charts
  compare A.json B.json..   set runs side by side with ratios to the first
  suite [flags]             run the standard set against midge, mosquitto,
                            mochi-mqtt and the ceiling relay
  list                      list the scenarios and their defaults
  stalls [--duration D]     spin a thread on each CPU and report how often and
                            how long the machine took the CPUs away (run it
                            on a quiet machine: it keeps every CPU busy)

scenarios: ` + "fanin, fanout, pairs, latency, sharedsub, conns, storm, retained" + `
Run "midge bench run SCENARIO -h" for the flags.
`

func runBench(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, benchUsage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bench.BuildVersion = Version
	switch args[0] {
	case "run":
		return benchRun(ctx, args[1:], os.Stdout, os.Stderr)
	case "report":
		return benchReport(args[1:], os.Stdout, os.Stderr)
	case "compare":
		return benchCompare(args[1:], os.Stdout, os.Stderr)
	case "suite":
		return benchSuite(ctx, args[1:], os.Stdout, os.Stderr)
	case "list":
		return benchList(os.Stdout)
	case "stalls":
		return benchStalls(ctx, args[1:], os.Stdout, os.Stderr)
	case "-h", "--help", "help":
		fmt.Fprint(os.Stdout, benchUsage)
		return 0
	}
	fmt.Fprintf(os.Stderr, "midge bench: unknown command %q\n%s", args[0], benchUsage)
	return 2
}

// benchRunFlags is what `midge bench run` reads besides the scenario's
// parameters.
type benchRunFlags struct {
	broker, spawn, name, out, label, sources string
	inproc, noProgress, jsonOut              bool
	pid, inflight                            int
	mqtt                                     string
	// pprof takes the broker's CPU and heap profiles; pprofAddr is where
	// an external broker serves them; pprofSeconds bounds an HTTP CPU
	// profile.
	pprof        bool
	pprofAddr    string
	pprofSeconds int
	// profile is the board preset: applied to an in-process midge,
	// recorded for the others.
	profile string
}

// parseBenchRun reads `run SCENARIO [flags]`: the scenario's preset, then
// the flags given, which override single parameters.
func parseBenchRun(args []string, stderr io.Writer) (loadgen.Params, *benchRunFlags, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return loadgen.Params{}, nil, errors.New("midge bench run: name a scenario (" + strings.Join(loadgen.Scenarios(), ", ") + ")")
	}
	p, err := loadgen.Preset(args[0])
	if err != nil {
		return p, nil, err
	}
	f := &benchRunFlags{mqtt: "3.1.1"}
	fs := flag.NewFlagSet("bench run "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.broker, "broker", "127.0.0.1:1883", "broker `address` (host:port); with --spawn, where the spawned broker listens")
	fs.StringVar(&f.spawn, "spawn", "", "start the broker with this shell `command` for the run and stop it after")
	fs.BoolVar(&f.inproc, "inproc", false, "start midge in this process on a free loopback port")
	fs.IntVar(&f.pid, "pid", 0, "`PID` of an external broker, to record its CPU and memory")
	fs.StringVar(&f.name, "name", "", "broker `name` for the record (default: what the broker reports)")
	fs.StringVar(&f.out, "o", "", "write the JSON record to `file` (default midge-bench-SCENARIO-BROKER-TIME.json)")
	fs.StringVar(&f.label, "label", "", "`label` of the run in reports")
	fs.BoolVar(&f.noProgress, "no-progress", false, "no progress bar")
	fs.BoolVar(&f.jsonOut, "json", false, "print the JSON record instead of the table")
	fs.IntVar(&f.inflight, "inflight", 0, "QoS 1/2 messages in flight per client (0: 20)")
	fs.StringVar(&f.sources, "sources", "", "local `IPs` to connect from, comma-separated, or a count N for 127.0.0.1..N (for more than ~28k connections)")
	fs.StringVar(&f.mqtt, "mqtt", "3.1.1", "MQTT `version`: 3.1.1 or 5")
	fs.BoolVar(&f.pprof, "pprof", false, "take the broker's CPU and heap profiles into the record (--inproc; a --spawn'ed midge, given "+bench.PprofEnv+"; or --pprof-addr)")
	fs.StringVar(&f.pprofAddr, "pprof-addr", "", "`host:port` where the broker serves net/http/pprof (a midge started with "+bench.PprofEnv+"=host:port)")
	fs.IntVar(&f.pprofSeconds, "pprof-seconds", 0, "CPU profile `seconds` of a broker profiled over HTTP (0: the scenario's length)")
	fs.StringVar(&f.profile, "profile", "auto", "board preset `name` (auto: chosen for this machine); applied with --inproc, recorded otherwise")

	fs.IntVar(&p.Publishers, "publishers", p.Publishers, "publishing clients")
	fs.IntVar(&p.Subscribers, "subscribers", p.Subscribers, "subscribing clients")
	fs.Float64Var(&p.Rate, "rate", p.Rate, "messages per second per publisher (0: as fast as possible)")
	fs.Func("duration", "sending phase `length` (default "+time.Duration(p.Duration).String()+")", durationFlag(&p.Duration))
	fs.Uint64Var(&p.Count, "count", p.Count, "messages per publisher (overrides --duration)")
	fs.Uint64Var(&p.Burst, "burst", p.Burst, "messages each publisher hands to its connection at once, at the same average rate (0 or 1: one at a time)")
	qos := fs.Uint("qos", uint(p.QoS), "QoS of publishes and subscriptions: 0, 1 or 2")
	fs.IntVar(&p.PayloadSize, "size", p.PayloadSize, "payload `bytes` (at least 26, the stamp)")
	fs.StringVar(&p.Content, "content", p.Content, "payload content: zero, random or text")
	fs.StringVar(&p.Topic, "topic", p.Topic, "topic `template`: %i publisher number, %r run id")
	fs.StringVar(&p.Filter, "filter", p.Filter, "subscription `filter` (default derived from --topic)")
	fs.StringVar(&p.Group, "group", p.Group, "$share `group` of sharedsub")
	fs.BoolVar(&p.Retain, "retain", p.Retain, "publish with the retain flag")
	fs.BoolVar(&p.Clean, "clean", p.Clean, "clean sessions (false: persistent)")
	expiry := fs.Uint("session-expiry", uint(p.SessionExpiry), "MQTT 5 session expiry `seconds` for persistent sessions")
	keep := fs.Uint("keepalive", uint(p.KeepAlive), "keep-alive `seconds`")
	fs.StringVar(&p.Username, "username", "", "`user` name every client connects with")
	fs.StringVar(&p.Password, "password", "", "`password` every client connects with (not recorded)")
	fs.IntVar(&p.Conns, "conns", p.Conns, "idle connections (conns, storm)")
	fs.Float64Var(&p.RampRate, "ramp", p.RampRate, "new connections per second (0: as fast as they go)")
	fs.IntVar(&p.DialConcurrency, "dial-concurrency", p.DialConcurrency, "connections being opened at once")
	fs.Func("hold", "`time` idle connections stay open (conns; default "+time.Duration(p.Hold).String()+")", durationFlag(&p.Hold))
	fs.Func("drain", "longest `wait` for messages in flight after the last send (default "+time.Duration(p.Drain).String()+")", durationFlag(&p.Drain))
	fs.Func("settle", "`pause` between connecting and the first message (default "+time.Duration(p.Settle).String()+")", durationFlag(&p.Settle))
	if err := fs.Parse(args[1:]); err != nil {
		return p, nil, err
	}
	if fs.NArg() > 0 {
		return p, nil, fmt.Errorf("midge bench run: unexpected argument %q", fs.Arg(0))
	}
	if *qos > 2 {
		return p, nil, errors.New("midge bench run: --qos must be 0, 1 or 2")
	}
	p.QoS = byte(*qos)
	if *keep > 65535 || *expiry > 1<<32-1 {
		return p, nil, errors.New("midge bench run: --keepalive or --session-expiry out of range")
	}
	p.KeepAlive, p.SessionExpiry = uint16(*keep), uint32(*expiry)
	switch f.mqtt {
	case "3.1.1", "311", "4":
		p.Version = 4
	case "5", "5.0":
		p.Version = 5
	default:
		return p, nil, fmt.Errorf("midge bench run: --mqtt %q: use 3.1.1 or 5", f.mqtt)
	}
	modes := 0
	for _, on := range []bool{f.spawn != "", f.inproc} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		return p, nil, errors.New("midge bench run: --spawn and --inproc exclude each other")
	}
	if f.pprofAddr != "" && f.inproc {
		return p, nil, errors.New("midge bench run: --pprof-addr is for a broker in another process; --inproc profiles this one")
	}
	if f.pprofAddr != "" {
		f.pprof = true
	}
	sources, err := parseSources(f.sources, p)
	if err != nil {
		return p, nil, err
	}
	p.SourceAddrs = sources
	p.Address = f.broker
	return p, f, p.Validate()
}

func durationFlag(d *loadgen.Duration) func(string) error {
	return func(s string) error {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = loadgen.Duration(v)
		return nil
	}
}

// parseSources reads --sources: a list of IPs, or a count of loopback
// addresses. With no flag, connections past 20,000 get one loopback
// address per 20,000 (the ephemeral port range of one address is ~28k).
func parseSources(v string, p loadgen.Params) ([]string, error) {
	if v == "" {
		conns := max(p.Conns, p.Publishers+p.Subscribers)
		if conns <= 20000 {
			return nil, nil
		}
		v = strconv.Itoa((conns + 19999) / 20000)
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 1 || n > 254 {
			return nil, errors.New("midge bench run: --sources count must be 1..254")
		}
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("127.0.0.%d", i+1)
		}
		return out, nil
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if net.ParseIP(s) == nil {
			return nil, fmt.Errorf("midge bench run: --sources: %q is not an IP address", s)
		}
		out = append(out, s)
	}
	return out, nil
}

// stderrIsTerminal reports whether a progress bar would be seen.
func stderrIsTerminal() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func benchRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	p, f, err := parseBenchRun(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	hw := profiles.DetectHost()
	preset, reason, err := selectPreset(f.profile, hw)
	if err != nil {
		fmt.Fprintln(stderr, "midge bench run: --profile:", err)
		return 2
	}
	board := profiles.Record{Hardware: hw, Preset: preset.Name, Reason: reason, Values: preset}
	var t *bench.Target
	switch {
	case f.spawn != "":
		t, err = spawnForBench(ctx, f)
		board.Reason += "; the spawned broker chose its own settings"
	case f.inproc:
		_, _ = bench.RaiseOpenFileLimit()
		quiet := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})) // no line per client
		opts := engine.Options{Logger: quiet}
		presetEngineOptions(preset, &opts)
		board.Reason += "; its broker limits applied in-process (GOMAXPROCS and GOMEMLIMIT shared with the load generator, left alone)"
		t, err = bench.InProc(ctx, opts)
	default:
		_, _ = bench.RaiseOpenFileLimit()
		t = bench.External(f.broker, f.pid)
		t.PprofAddr = f.pprofAddr
		board.Reason += "; the external broker chose its own settings"
	}
	if err != nil {
		fmt.Fprintln(stderr, "midge bench run:", err)
		return 1
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := t.Stop(sctx); err != nil {
			fmt.Fprintln(stderr, "midge bench run:", err)
		}
	}()
	var progress io.Writer
	if !f.noProgress && stderrIsTerminal() {
		progress = stderr
	}
	rec, err := bench.Run(ctx, bench.Config{Params: p, Target: t, BrokerName: f.name, MaxInflight: f.inflight,
		Progress: progress, Command: "midge bench run " + strings.Join(redactPassword(args), " "), Label: f.label,
		Pprof: f.pprof, PprofSeconds: f.pprofSeconds, Board: &board})
	if err != nil {
		fmt.Fprintln(stderr, "midge bench run:", err)
		return 1
	}
	out := f.out
	if out == "" {
		out = fmt.Sprintf("midge-bench-%s-%s-%s.json", p.Scenario, rec.Broker.Name, rec.Date.Format("20060102-150405"))
	}
	if err := rec.Save(out); err != nil {
		fmt.Fprintln(stderr, "midge bench run:", err)
		return 1
	}
	if f.pprof {
		reportPprof(stderr, rec, out)
	}
	if f.jsonOut {
		b, _ := os.ReadFile(out)
		stdout.Write(b)
	} else {
		_ = bench.WriteTable(stdout, []*bench.Record{rec})
	}
	fmt.Fprintln(stderr, "record written to", out)
	if c := rec.Result.Connect; c.Attempts > 0 && c.Connected == 0 {
		fmt.Fprintln(stderr, "midge bench run: no connection succeeded")
		return 1
	}
	if rec.Result.Interrupted {
		fmt.Fprintln(stderr, "midge bench run: interrupted; the figures cover the run until then")
		return 130
	}
	return 0
}

// spawnForBench starts --spawn's command; with --pprof it asks the broker
// (through MIDGE_PPROF) to serve profiles on a free loopback port, unless
// --pprof-addr names where it serves them.
func spawnForBench(ctx context.Context, f *benchRunFlags) (*bench.Target, error) {
	if !f.pprof {
		return bench.Spawn(ctx, f.spawn, f.broker)
	}
	addr := f.pprofAddr
	if addr == "" {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		addr = l.Addr().String()
		l.Close()
	}
	t, err := bench.Spawn(ctx, f.spawn, f.broker, bench.PprofEnv+"="+addr)
	if err != nil {
		return nil, err
	}
	t.PprofAddr = addr
	return t, nil
}

// reportPprof writes the record's profiles beside it (FILE.cpu.pprof,
// FILE.heap.pprof) for go tool pprof, and says what is missing.
func reportPprof(stderr io.Writer, rec *bench.Record, out string) {
	pp := rec.Pprof
	if pp == nil {
		return
	}
	if pp.Error != "" {
		fmt.Fprintln(stderr, "midge bench run: profiles:", pp.Error)
	}
	base := strings.TrimSuffix(out, ".json")
	for _, f := range []struct {
		kind string
		data []byte
	}{{"cpu", pp.CPU}, {"heap", pp.Heap}} {
		if len(f.data) == 0 {
			continue
		}
		path := base + "." + f.kind + ".pprof"
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			fmt.Fprintln(stderr, "midge bench run:", err)
			continue
		}
		fmt.Fprintf(stderr, "%s profile written to %s (also in the record)\n", f.kind, path)
	}
}

// redactPassword hides the value of --password in a recorded command line.
func redactPassword(args []string) []string {
	out := append([]string(nil), args...)
	for i, a := range out {
		switch {
		case a == "--password" || a == "-password":
			if i+1 < len(out) {
				out[i+1] = "REDACTED"
			}
		case strings.HasPrefix(a, "--password=") || strings.HasPrefix(a, "-password="):
			out[i] = a[:strings.Index(a, "=")+1] + "REDACTED"
		}
	}
	return out
}

func loadRecords(paths []string) ([]*bench.Record, error) {
	if len(paths) == 0 {
		return nil, errors.New("no record given (JSON files written by midge bench run)")
	}
	var recs []*bench.Record
	for _, p := range paths {
		r, err := bench.Load(p)
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	return recs, nil
}

func benchReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "midge-bench-report.html", "HTML `file` to write")
	title := fs.String("title", "midge bench report", "page `title`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	recs, err := loadRecords(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "midge bench report:", err)
		return 2
	}
	if err := bench.WriteTable(stdout, recs); err != nil {
		fmt.Fprintln(stderr, "midge bench report:", err)
		return 1
	}
	fh, err := os.Create(*out)
	if err == nil {
		err = errors.Join(bench.WriteHTML(fh, *title, recs), fh.Close())
	}
	if err != nil {
		fmt.Fprintln(stderr, "midge bench report:", err)
		return 1
	}
	fmt.Fprintln(stderr, "report written to", *out)
	return 0
}

func benchCompare(args []string, stdout, stderr io.Writer) int {
	recs, err := loadRecords(args)
	if err != nil {
		fmt.Fprintln(stderr, "midge bench compare:", err)
		return 2
	}
	if err := bench.WriteComparison(stdout, recs); err != nil {
		fmt.Fprintln(stderr, "midge bench compare:", err)
		return 1
	}
	return 0
}

func benchSuite(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench suite", flag.ContinueOnError)
	fs.SetOutput(stderr)
	self, _ := os.Executable()
	mosq, _ := exec.LookPath("mosquitto")
	midge := fs.String("midge", self, "midge `binary` to start with serve")
	mosquitto := fs.String("mosquitto", mosq, "mosquitto `binary`")
	mochi := fs.String("mochi", "", "mochi-mqtt broker `binary` (default: mochi-broker next to the midge binary, else on PATH; '' skips mochi)")
	ceiling := fs.Bool("ceiling", true, "also run the ceiling relay (midge ceiling) on the cases it can carry")
	ceilingOne := fs.Bool("ceiling-1loop", false, "also run the ceiling relay on one event loop (the lower bound on CPU)")
	out := fs.String("out", filepath.Join("bench-results", "suite-"+time.Now().UTC().Format("20060102-150405")), "`directory` for the records and report.html")
	md := fs.String("markdown", "BENCHMARKS.md", "`file` whose suite section is rewritten (empty: none)")
	only := fs.String("only", "", "run only these comma-separated `cases`")
	conns := fs.Int("conns", 0, "idle connections of the conns case (0: the suite's 10000; fewer for a board with a low open-file limit)")
	repeat := fs.Int("repeat", 3, "runs per case and broker; the median run is reported")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *mosquitto == "" {
		fmt.Fprintln(stderr, "midge bench suite: mosquitto not found (apt-get install mosquitto, or --mosquitto PATH)")
		return 1
	}
	if !flagSet(fs, "mochi") {
		*mochi = defaultMochi(*midge)
	}
	if *mochi == "" && !flagSet(fs, "mochi") {
		fmt.Fprintln(stderr, "midge bench suite: mochi-mqtt broker not found: build it with 'make mochi' (bin/mochi-broker next to midge), give --mochi PATH, or skip it with --mochi ''")
		return 1
	}
	cfg := bench.SuiteConfig{Midge: *midge, Mosquitto: *mosquitto, Mochi: *mochi, Ceiling: *ceiling, CeilingOneLoop: *ceiling && *ceilingOne, OutDir: *out, Markdown: *md,
		Command: strings.TrimSpace("midge bench suite " + quoteArgs(args)), Log: stdout, Repeat: *repeat}
	if *conns < 0 {
		fmt.Fprintln(stderr, "midge bench suite: --conns must not be negative")
		return 2
	}
	if *only != "" {
		want := map[string]bool{}
		for _, c := range strings.Split(*only, ",") {
			want[strings.TrimSpace(c)] = true
		}
		for _, c := range bench.SuiteCases() {
			if want[c.Name] {
				cfg.Cases = append(cfg.Cases, c)
			}
		}
		if len(cfg.Cases) == 0 {
			fmt.Fprintln(stderr, "midge bench suite: --only names no case")
			return 2
		}
	}
	if *conns > 0 {
		if cfg.Cases == nil {
			cfg.Cases = bench.SuiteCases()
		}
		for i := range cfg.Cases {
			if cfg.Cases[i].Name == "conns" {
				cfg.Cases[i].Params.Conns = *conns
			}
		}
	}
	if stderrIsTerminal() {
		cfg.Progress = stderr
	}
	if _, err := os.Stat(*md); *md != "" && err != nil {
		fmt.Fprintln(stderr, "midge bench suite:", err)
		return 1
	}
	_, _ = bench.RaiseOpenFileLimit()
	recs, err := bench.RunSuite(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "midge bench suite:", err)
		return 1
	}
	fmt.Fprintf(stderr, "%d results (each the median of %d runs) in %s, with report.html\n", len(recs), max(*repeat, 1), *out)
	return 0
}

// defaultMochi finds the mochi-mqtt benchmark peer: mochi-broker next to
// the midge binary (make puts both in bin/), else on PATH; "" if neither.
func defaultMochi(midge string) string {
	if midge != "" {
		p := filepath.Join(filepath.Dir(midge), "mochi-broker")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	p, _ := exec.LookPath("mochi-broker")
	return p
}

// quoteArgs joins args as a shell would need them typed, so that the
// recorded command (an empty --mochi ” included) can be run again.
func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = a
		if a == "" || strings.ContainsAny(a, " \t'\"$\\*?;&|<>()`") {
			q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(q, " ")
}

// flagSet says whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// benchStalls runs `midge bench stalls`: the machine's own floor under
// tail latencies, measured with nothing else running.
func benchStalls(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench stalls", flag.ContinueOnError)
	fs.SetOutput(stderr)
	d := fs.Duration("duration", 10*time.Second, "how long to spin on each CPU")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *d <= 0 || *d > 10*time.Minute {
		fmt.Fprintln(stderr, "midge bench stalls: takes only --duration, between 0 and 10m")
		return 2
	}
	s, err := bench.ProbeStalls(ctx, *d)
	if err != nil {
		fmt.Fprintln(stderr, "midge bench stalls:", err)
		return 1
	}
	bench.WriteStalls(stdout, s)
	return 0
}

func benchList(w io.Writer) int {
	for _, name := range loadgen.Scenarios() {
		p, _ := loadgen.Preset(name)
		if p.Conns > 0 {
			fmt.Fprintf(w, "%-10s %d connections\n", name, p.Conns)
			continue
		}
		if p.Count > 0 {
			fmt.Fprintf(w, "%-10s %d publishers x %d messages, %d subscribers\n", name, p.Publishers, p.Count, p.Subscribers)
			continue
		}
		fmt.Fprintf(w, "%-10s %d publishers x %g msg/s, %d subscribers, %s\n", name, p.Publishers, p.Rate, p.Subscribers, time.Duration(p.Duration))
	}
	return 0
}
