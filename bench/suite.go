package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/midge-mqtt/midge/loadgen"
	"github.com/midge-mqtt/midge/profiles"
)

// SuiteCase is one scenario of the standard suite.
type SuiteCase struct {
	Name   string
	Params loadgen.Params
	// Probe, when > 0, spins a thread on every CPU for that long just
	// before each run of the case (ProbeStalls) and records in the run
	// what the machine took away meanwhile: the floor under the case's
	// tail latencies at that moment.
	Probe time.Duration
}

// SuiteCases is the standard set: each scenario at a size that runs in a
// few seconds on a two-core board. The throughput cases (fanin, fanout,
// pairs at QoS 0, fanin-q1) offer 50k messages or deliveries per second
// in bursts of 10 per publisher, as gateways forwarding batches of
// readings do, so that the cost per message, not per wake-up, is
// compared; the others are paced one message at a time, and latency-*
// compare latency at a modest steady load.
func SuiteCases() []SuiteCase {
	mk := func(name, scenario string, qos byte, edit func(p *loadgen.Params)) SuiteCase {
		p, err := loadgen.Preset(scenario)
		if err != nil {
			panic(err) // the suite names only presets
		}
		p.QoS = qos
		p.Duration = loadgen.Duration(3 * time.Second)
		if edit != nil {
			edit(&p)
		}
		return SuiteCase{Name: name, Params: p}
	}
	fanin := func(p *loadgen.Params) { p.Publishers, p.Rate, p.Burst = 50, 1000, 10 }
	// The cases with tail-latency targets probe the machine before each run.
	probed := func(c SuiteCase) SuiteCase { c.Probe = time.Second; return c }
	return []SuiteCase{
		mk("fanin-q0", "fanin", 0, fanin),
		mk("fanin-q1", "fanin", 1, fanin),
		mk("fanin-q2", "fanin", 2, func(p *loadgen.Params) { p.Publishers = 50 }),
		mk("fanout-q0", "fanout", 0, func(p *loadgen.Params) { p.Subscribers, p.Burst = 500, 10 }),
		mk("pairs-q0", "pairs", 0, func(p *loadgen.Params) { p.Publishers, p.Subscribers, p.Rate, p.Burst = 100, 100, 500, 10 }),
		mk("pairs-q1", "pairs", 1, nil),
		probed(mk("latency-q0", "latency", 0, nil)),
		probed(mk("latency-q1", "latency", 1, nil)),
		probed(mk("latency30-q0", "latency", 0, func(p *loadgen.Params) { p.Rate = 30 })),
		mk("sharedsub-q1", "sharedsub", 1, func(p *loadgen.Params) { p.Rate = 50 }),
		mk("retained-q1", "retained", 1, nil),
		mk("conns", "conns", 0, func(p *loadgen.Params) { p.Conns = 10000; p.Hold = loadgen.Duration(time.Second) }),
		mk("storm-q1", "storm", 1, func(p *loadgen.Params) { p.Conns = 1000 }),
	}
}

// SuiteConfig says where the suite's brokers and results are.
type SuiteConfig struct {
	// Midge is the midge binary (serve is started with --listen).
	Midge string
	// Mosquitto is the mosquitto binary.
	Mosquitto string
	// Mochi is the mochi-mqtt broker (bench/peers/mochibroker, started
	// with --listen); empty skips it.
	Mochi string
	// Ceiling adds the no-parse relay (midge ceiling) on the cases it
	// can carry (see CeilingCases).
	Ceiling bool
	// CeilingLoops is the relay's event loops (default: as many as midge
	// serve runs on this machine, see midgeLoops).
	CeilingLoops int
	// CeilingOneLoop adds the relay on one event loop as well
	// ("ceiling-1loop"): no cross-loop wake-ups, the lower bound on CPU.
	CeilingOneLoop bool
	// Cases to run (default SuiteCases()).
	Cases []SuiteCase
	// OutDir receives one JSON record per run and report.html.
	OutDir string
	// Markdown, if set, is the BENCHMARKS.md whose suite section is
	// rewritten.
	Markdown string
	// Repeat runs each case this many times per broker (default 1); the
	// run with the median key figure (see medianRun) represents it.
	// The repetitions are rounds over every case (see suiteSchedule),
	// and each rotates the order the brokers start in.
	Repeat   int
	Command  string    // recorded with each run and in BENCHMARKS.md
	Log      io.Writer // one line per run (nil: none)
	Progress io.Writer
}

// suiteBroker is one of the compared brokers: how to start it on a port.
type suiteBroker struct {
	name  string
	start func(ctx context.Context, dir, addr string) (*Target, error)
	// only, if not nil, names the cases the broker runs; the others are
	// skipped for it.
	only map[string]bool
}

// runs says whether the broker takes part in the case.
func (b suiteBroker) runs(caseName string) bool { return b.only == nil || b.only[caseName] }

// CeilingCases are the suite cases the ceiling relay can carry: plain
// publish/subscribe with no shared subscriptions, retained messages or
// sessions, which the relay does not have.
func CeilingCases() []string {
	return []string{"fanin-q0", "fanin-q1", "fanin-q2", "fanout-q0", "pairs-q0", "pairs-q1", "latency-q0", "latency-q1", "latency30-q0", "conns"}
}

// suiteStep is one run of a suite: case index c on broker b, in
// repetition rep.
type suiteStep struct {
	c, rep int
	b      suiteBroker
}

// suiteSchedule orders a suite's runs in rounds: every case once per
// broker, then every case again, repeat times, each round rotating the
// order the brokers start in. The runs of one case are then a whole round
// apart (minutes), not back to back, so a loud spell on a shared machine
// lands in one of a case's runs rather than in all of them, and the
// median run leaves it out.
func suiteSchedule(cases []SuiteCase, brokers []suiteBroker, repeat int) []suiteStep {
	var steps []suiteStep
	for rep := range repeat {
		for i, c := range cases {
			for _, b := range rotated(brokers, rep) {
				if b.runs(c.Name) {
					steps = append(steps, suiteStep{c: i, rep: rep, b: b})
				}
			}
		}
	}
	return steps
}

// rotated returns the brokers in the order of repetition rep: the
// slice turned left by rep, so that each broker goes first in turn.
func rotated(brokers []suiteBroker, rep int) []suiteBroker {
	if len(brokers) == 0 {
		return nil
	}
	k := rep % len(brokers)
	return append(append([]suiteBroker(nil), brokers[k:]...), brokers[:k]...)
}

// suiteBrokers lists the brokers cfg asks for: midge, mosquitto, then
// mochi and the ceiling when configured.
func suiteBrokers(cfg SuiteConfig) []suiteBroker {
	brokers := []suiteBroker{
		{name: "midge", start: func(ctx context.Context, dir, addr string) (*Target, error) {
			conf, err := writeSuiteConfig(dir, addr)
			if err != nil {
				return nil, err
			}
			return Spawn(ctx, shellQuote(cfg.Midge)+" serve -c "+shellQuote(conf), addr)
		}},
		{name: "mosquitto", start: func(ctx context.Context, dir, addr string) (*Target, error) {
			conf, err := writeSuiteConfig(dir, addr)
			if err != nil {
				return nil, err
			}
			return Spawn(ctx, shellQuote(cfg.Mosquitto)+" -c "+shellQuote(conf), addr)
		}},
	}
	if cfg.Mochi != "" {
		// mochi reads no mosquitto.conf; its default queue limit is
		// already far above mosquitto's (see mochiNote)
		brokers = append(brokers, suiteBroker{name: "mochi", start: func(ctx context.Context, dir, addr string) (*Target, error) {
			return Spawn(ctx, shellQuote(cfg.Mochi)+" --listen "+addr, addr)
		}})
	}
	if cfg.Ceiling {
		loops := cfg.CeilingLoops
		if loops <= 0 {
			loops = midgeLoops()
		}
		only := map[string]bool{}
		for _, c := range CeilingCases() {
			only[c] = true
		}
		relay := func(loops int) func(ctx context.Context, dir, addr string) (*Target, error) {
			return func(ctx context.Context, dir, addr string) (*Target, error) {
				return Spawn(ctx, shellQuote(cfg.Midge)+" ceiling --loops "+strconv.Itoa(loops)+" --listen "+addr, addr)
			}
		}
		brokers = append(brokers, suiteBroker{name: "ceiling", only: only, start: relay(loops)})
		if cfg.CeilingOneLoop && loops != 1 {
			brokers = append(brokers, suiteBroker{name: "ceiling-1loop", only: only, start: relay(1)})
		}
	}
	return brokers
}

// RunSuite runs every case against midge, mosquitto and (if configured)
// mochi and the ceiling, each run on a freshly started broker, and
// writes the records, an HTML report and (if asked) the suite section of
// BENCHMARKS.md. It returns the median run of each case and broker.
func RunSuite(ctx context.Context, cfg SuiteConfig) ([]*Record, error) {
	if cfg.Cases == nil {
		cfg.Cases = SuiteCases()
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return nil, err
	}
	brokers := suiteBrokers(cfg)
	repeat := max(cfg.Repeat, 1)
	var recs, all []*Record
	runs := make([]map[string][]*Record, len(cfg.Cases)) // by case, then broker
	for i := range runs {
		runs[i] = map[string][]*Record{}
	}
	for _, st := range suiteSchedule(cfg.Cases, brokers, repeat) {
		c, b := cfg.Cases[st.c], st.b
		if ctx.Err() != nil {
			return recs, ctx.Err()
		}
		rec, err := runSuiteCase(ctx, cfg, c, b)
		if err != nil {
			return recs, fmt.Errorf("%s on %s: %w", c.Name, b.name, err)
		}
		runs[st.c][b.name] = append(runs[st.c][b.name], rec)
		all = append(all, rec)
		if err := rec.Save(filepath.Join(cfg.OutDir, fmt.Sprintf("%s-%s-%d.json", c.Name, b.name, st.rep+1))); err != nil {
			return recs, err
		}
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "%-14s %-9s delivered %s p50 %s p99 %s transit p50 %s p99 %s lost %d errors %d\n", c.Name, b.name,
				fmtRate(rec.Result.DeliveredRate), fmtUs(rec.Result.Latency.P50Us), fmtUs(rec.Result.Latency.P99Us),
				fmtUs(rec.Result.Transit.P50Us), fmtUs(rec.Result.Transit.P99Us), rec.Result.Lost, len(rec.Result.Errors))
		}
	}
	for i := range cfg.Cases {
		for _, b := range brokers {
			if m := medianRun(runs[i][b.name]); m != nil {
				recs = append(recs, m)
			}
		}
	}
	f, err := os.Create(filepath.Join(cfg.OutDir, "report.html"))
	if err != nil {
		return recs, err
	}
	err = errors.Join(WriteHTML(f, suiteTitle(brokers), recs), f.Close())
	if err != nil || cfg.Markdown == "" {
		return recs, err
	}
	var sec bytes.Buffer
	WriteSuiteMarkdown(&sec, all, cfg.Command, repeat)
	return recs, UpdateMarkdownSection(cfg.Markdown, "suite", sec.String())
}

// medianRun returns the run whose key figure is the median of the runs:
// p99 latency for message scenarios, reconnect p99 for storm, connect
// rate for conns. On a shared machine one run can be hit by other work;
// the median keeps one such run from deciding the comparison. No runs
// give nil.
func medianRun(runs []*Record) *Record {
	if len(runs) == 0 {
		return nil
	}
	key := func(r *Record) float64 {
		switch {
		case r.Result.Reconnect != nil:
			return r.Result.Reconnect.Latency.P99Us
		case r.Result.Latency.Count > 0:
			return r.Result.Latency.P99Us
		default:
			return -r.Result.Connect.Rate
		}
	}
	sorted := append([]*Record(nil), runs...)
	sort.SliceStable(sorted, func(i, j int) bool { return key(sorted[i]) < key(sorted[j]) })
	return sorted[(len(sorted)-1)/2]
}

func runSuiteCase(ctx context.Context, cfg SuiteConfig, c SuiteCase, b suiteBroker) (*Record, error) {
	var stalls *Stalls
	if c.Probe > 0 {
		// Before the broker starts, so that the probe has the machine.
		s, err := ProbeStalls(ctx, c.Probe)
		if err != nil {
			return nil, err
		}
		stalls = &s
	}
	dir, err := os.MkdirTemp("", "midge-suite-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	t, err := b.start(ctx, dir, addr)
	if err != nil {
		return nil, err
	}
	defer t.Stop(context.Background())
	rec, err := Run(ctx, Config{Params: c.Params, Target: t, BrokerName: b.name, Command: cfg.Command,
		Label: b.name + " " + c.Name, Progress: cfg.Progress})
	if rec != nil {
		rec.Stalls = stalls
	}
	return rec, err
}

// suiteTitle names the compared brokers for the HTML report.
func suiteTitle(brokers []suiteBroker) string {
	names := make([]string, len(brokers))
	for i, b := range brokers {
		names[i] = b.name
		if b.name == "mochi" {
			names[i] = "mochi-mqtt"
		}
	}
	list := strings.Join(names, ", ")
	if i := strings.LastIndex(list, ", "); i >= 0 {
		list = list[:i] + " and " + list[i+2:]
	}
	return list + ": the standard suite"
}

// SuiteBrokerConfig is the mosquitto.conf both brokers of the suite
// read (midge serve reads mosquitto's format), after a "listener PORT
// 127.0.0.1" line. The queue limit is raised from the default 1000 so
// that a subscriber briefly behind on a loaded machine is measured as
// latency, not as messages dropped by design. max_queued_bytes 0 is
// mosquitto's default, written out because midge's board presets set a
// byte limit that the config file would otherwise leave in force.
// set_tcp_nodelay true makes mosquitto send as midge always does: with
// its default (Nagle's algorithm on), a small delivery waits for the
// subscriber's delayed ACK whenever one is outstanding, and mosquitto's
// p99 swings between about 1.3 and 32 ms from run to run on the same load
// (0.7 ms with the option), which would compare Nagle, not the brokers.
const SuiteBrokerConfig = "allow_anonymous true\nmax_queued_messages 100000\nmax_queued_bytes 0\nset_tcp_nodelay true\n"

func writeSuiteConfig(dir, addr string) (string, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	conf := filepath.Join(dir, "broker.conf")
	return conf, os.WriteFile(conf, []byte("listener "+port+" 127.0.0.1\n"+SuiteBrokerConfig), 0o644)
}

// shellQuote quotes s for /bin/sh when it holds anything but plain path
// characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// describeCase says in words what a scenario's parameters ask for.
func describeCase(p loadgen.Params) string {
	mqtt := "MQTT 3.1.1"
	if p.Version == 5 {
		mqtt = "MQTT 5"
	}
	common := fmt.Sprintf("QoS %d, %d-byte payloads, %s", p.QoS, p.PayloadSize, mqtt)
	if p.Burst > 1 {
		common = fmt.Sprintf("each publisher sends in bursts of %d; %s", p.Burst, common)
	}
	dur := time.Duration(p.Duration)
	switch p.Scenario {
	case "conns":
		return fmt.Sprintf("%d idle connections opened as fast as they go, each subscribed to its own topic, held %s", p.Conns, time.Duration(p.Hold))
	case "storm":
		return fmt.Sprintf("%d connections, each subscribed at QoS %d, all dropped at once and reconnected together", p.Conns, p.QoS)
	case "retained":
		return fmt.Sprintf("%d retained topics published by %d clients, then one '#' subscriber receives them all (latency from its SUBSCRIBE); %s", p.Count*uint64(p.Publishers), p.Publishers, common)
	case "pairs":
		return fmt.Sprintf("%d publisher/subscriber pairs, %g msg/s each, for %s; %s", p.Publishers, p.Rate, dur, common)
	case "sharedsub":
		return fmt.Sprintf("%d publishers x %g msg/s into a $share group of %d subscribers, for %s; %s", p.Publishers, p.Rate, p.Subscribers, dur, common)
	case "fanout":
		return fmt.Sprintf("%d publisher x %g msg/s to %d subscribers of its topic (%g deliveries/s), for %s; %s", p.Publishers, p.Rate, p.Subscribers, p.Rate*float64(p.Publishers*p.Subscribers), dur, common)
	}
	return fmt.Sprintf("%d publishers x %g msg/s, each on its own topic, to %d wildcard subscriber(s), for %s; %s", p.Publishers, p.Rate, p.Subscribers, dur, common)
}

func reconnectP99(r *Record) float64 {
	if r.Result.Reconnect == nil {
		return 0
	}
	return r.Result.Reconnect.Latency.P99Us
}

func memBytes(hw profiles.Hardware) int64 { return hw.Memory.TotalBytes }

// UpdateMarkdownSection replaces the text between "<!-- NAME:begin -->"
// and "<!-- NAME:end -->" in the file at path, leaving the rest as it was.
func UpdateMarkdownSection(path, name, body string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := replaceSection(string(old), name, body)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, []byte(out), 0o644)
}

func replaceSection(doc, name, body string) (string, error) {
	begin, end := "<!-- "+name+":begin -->", "<!-- "+name+":end -->"
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("no %s ... %s markers", begin, end)
	}
	return doc[:i+len(begin)] + "\n" + strings.TrimRight(body, "\n") + "\n" + doc[j:], nil
}

// midgeLoops is how many event loops midge serve runs here with its board
// preset (--profile auto).
func midgeLoops() int {
	if p, _ := profiles.Choose(profiles.DetectHost()); p.EventLoops > 0 {
		return p.EventLoops
	}
	return runtime.NumCPU()
}
