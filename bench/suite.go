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
	"sort"
	"strings"
	"time"

	"github.com/midge-mqtt/midge/loadgen"
	"github.com/midge-mqtt/midge/profiles"
)

// SuiteCase is one scenario of the standard suite.
type SuiteCase struct {
	Name   string
	Params loadgen.Params
}

// SuiteCases is the standard set: each scenario at a size that runs in a
// few seconds on a two-core board, paced so that both brokers can keep up
// and latency, not saturation, is compared.
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
	return []SuiteCase{
		mk("fanin-q0", "fanin", 0, nil),
		mk("fanin-q1", "fanin", 1, nil),
		mk("fanin-q2", "fanin", 2, func(p *loadgen.Params) { p.Publishers = 50 }),
		mk("fanout-q0", "fanout", 0, nil),
		mk("pairs-q1", "pairs", 1, nil),
		mk("latency-q0", "latency", 0, nil),
		mk("sharedsub-q1", "sharedsub", 1, func(p *loadgen.Params) { p.Rate = 50 }),
		mk("retained-q1", "retained", 1, nil),
		mk("conns", "conns", 0, func(p *loadgen.Params) { p.Conns = 2000; p.Hold = loadgen.Duration(time.Second) }),
		mk("storm-q1", "storm", 1, func(p *loadgen.Params) { p.Conns = 1000 }),
	}
}

// SuiteConfig says where the suite's brokers and results are.
type SuiteConfig struct {
	// Midge is the midge binary (serve is started with --listen).
	Midge string
	// Mosquitto is the mosquitto binary.
	Mosquitto string
	// Cases to run (default SuiteCases()).
	Cases []SuiteCase
	// OutDir receives one JSON record per run and report.html.
	OutDir string
	// Markdown, if set, is the BENCHMARKS.md whose suite section is
	// rewritten.
	Markdown string
	// Repeat runs each case this many times per broker (default 1); the
	// run with the median key figure (see medianRun) represents it.
	Repeat   int
	Command  string    // recorded with each run and in BENCHMARKS.md
	Log      io.Writer // one line per run (nil: none)
	Progress io.Writer
}

// suiteBroker is one of the compared brokers: how to start it on a port.
type suiteBroker struct {
	name  string
	start func(ctx context.Context, dir, addr string) (*Target, error)
}

// RunSuite runs every case against midge and mosquitto, each run on a
// freshly started broker, and writes the records, an HTML report and (if
// asked) the suite section of BENCHMARKS.md.
func RunSuite(ctx context.Context, cfg SuiteConfig) ([]*Record, error) {
	if cfg.Cases == nil {
		cfg.Cases = SuiteCases()
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return nil, err
	}
	brokers := []suiteBroker{
		{"midge", func(ctx context.Context, dir, addr string) (*Target, error) {
			conf, err := writeSuiteConfig(dir, addr)
			if err != nil {
				return nil, err
			}
			return Spawn(ctx, shellQuote(cfg.Midge)+" serve -c "+shellQuote(conf), addr)
		}},
		{"mosquitto", func(ctx context.Context, dir, addr string) (*Target, error) {
			conf, err := writeSuiteConfig(dir, addr)
			if err != nil {
				return nil, err
			}
			return Spawn(ctx, shellQuote(cfg.Mosquitto)+" -c "+shellQuote(conf), addr)
		}},
	}
	repeat := max(cfg.Repeat, 1)
	var recs []*Record
	for _, c := range cfg.Cases {
		runs := map[string][]*Record{}
		for rep := 0; rep < repeat; rep++ {
			order := brokers
			if rep%2 == 1 { // alternate who goes first: A B, B A, A B
				order = []suiteBroker{brokers[1], brokers[0]}
			}
			for _, b := range order {
				if ctx.Err() != nil {
					return recs, ctx.Err()
				}
				rec, err := runSuiteCase(ctx, cfg, c, b)
				if err != nil {
					return recs, fmt.Errorf("%s on %s: %w", c.Name, b.name, err)
				}
				runs[b.name] = append(runs[b.name], rec)
				if err := rec.Save(filepath.Join(cfg.OutDir, fmt.Sprintf("%s-%s-%d.json", c.Name, b.name, rep+1))); err != nil {
					return recs, err
				}
				if cfg.Log != nil {
					fmt.Fprintf(cfg.Log, "%-14s %-9s delivered %s p50 %s p99 %s lost %d errors %d\n", c.Name, b.name,
						fmtRate(rec.Result.DeliveredRate), fmtUs(rec.Result.Latency.P50Us), fmtUs(rec.Result.Latency.P99Us),
						rec.Result.Lost, len(rec.Result.Errors))
				}
			}
		}
		for _, b := range brokers {
			recs = append(recs, medianRun(runs[b.name]))
		}
	}
	f, err := os.Create(filepath.Join(cfg.OutDir, "report.html"))
	if err != nil {
		return recs, err
	}
	err = errors.Join(WriteHTML(f, "midge and mosquitto: the standard suite", recs), f.Close())
	if err != nil || cfg.Markdown == "" {
		return recs, err
	}
	var sec bytes.Buffer
	WriteSuiteMarkdown(&sec, recs, cfg.Command, repeat)
	return recs, UpdateMarkdownSection(cfg.Markdown, "suite", sec.String())
}

// medianRun returns the run whose key figure is the median of the runs:
// p99 latency for message scenarios, reconnect p99 for storm, connect
// rate for conns. On a shared machine one run can be hit by other work;
// the median keeps one such run from deciding the comparison.
func medianRun(runs []*Record) *Record {
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
	return rec, err
}

// SuiteBrokerConfig is the mosquitto.conf both brokers of the suite
// read (midge serve reads mosquitto's format), after a "listener PORT
// 127.0.0.1" line. The queue limit is raised from the default 1000 so
// that a subscriber briefly behind on a loaded machine is measured as
// latency, not as messages dropped by design.
const SuiteBrokerConfig = "allow_anonymous true\nmax_queued_messages 100000\n"

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

// WriteSuiteMarkdown writes the suite section: the machine, the command,
// the date, then midge and mosquitto side by side for every case.
func WriteSuiteMarkdown(w io.Writer, recs []*Record, command string, repeat int) {
	if len(recs) == 0 {
		fmt.Fprintln(w, "No run recorded.")
		return
	}
	first := recs[0]
	hw := first.Board.Hardware
	fmt.Fprintf(w, "Measured %s with `%s` (commit %s, %s).\n\n", first.Date.Format("2006-01-02 15:04 UTC"), command, first.Commit, first.Go)
	fmt.Fprintf(w, "Machine: %s, %s, %d cores, %s RAM, board profile `%s`. ", strings.TrimSpace(hw.CPU.Brand), hw.CPU.Arch,
		hw.CPU.Cores, fmtBytes(float64(memBytes(hw))), first.Board.Preset)
	fmt.Fprintln(w, "The load generator and the broker share these cores over loopback. Each run starts a fresh broker; both read the same mosquitto.conf: `listener PORT 127.0.0.1`, "+
		strings.Join(strings.Split(strings.TrimSpace(SuiteBrokerConfig), "\n"), ", ")+
		", all else default. Latency counts from each message's intended send time (open loop), so queueing anywhere is included. "+
		"cpu is the broker's, gen cpu the load generator's (100% = one core).")
	lo, hi := recs[0].LoadAverage[0], recs[0].LoadAverage[0]
	for _, r := range recs {
		lo, hi = min(lo, r.LoadAverage[0]), max(hi, r.LoadAverage[0])
	}
	fmt.Fprintf(w, "The machine's 1-minute load average was %.1f to %.1f when the runs started (other work on it shows in the tails).", lo, hi)
	if repeat > 1 {
		fmt.Fprintf(w, " Each case ran %d times per broker, alternating which broker went first; each row is the run with the median p99 (median connect rate for conns).", repeat)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	byCase := map[string]map[string]*Record{}
	var order []string
	for _, r := range recs {
		name := strings.TrimPrefix(r.Label, r.Broker.Name+" ")
		if byCase[name] == nil {
			byCase[name] = map[string]*Record{}
			order = append(order, name)
		}
		byCase[name][r.Broker.Name] = r
	}
	t := &table{head: []string{"case", "broker", "offered", "delivered", "p50", "p99", "p99.9", "max", "lost", "dup", "conn/s", "conn p99", "cpu", "rss peak", "gen cpu"}}
	for _, name := range order {
		for _, b := range []string{"midge", "mosquitto"} {
			r := byCase[name][b]
			if r == nil {
				continue
			}
			res := r.Result
			cpu, rss := "-", "-"
			if r.Usage != nil {
				cpu, rss = fmtPct(r.Usage.CPUPercent), fmtBytes(float64(r.Usage.RSSPeak))
			}
			t.add(name, b+" "+r.Broker.Version, fmtRate(res.OfferedRate), fmtRate(res.DeliveredRate),
				fmtUs(res.Latency.P50Us), fmtUs(res.Latency.P99Us), fmtUs(res.Latency.P999Us), fmtUs(res.Latency.MaxUs),
				fmtCount(res.Lost), fmtCount(res.Duplicates), fmtRate(res.Connect.Rate), fmtUs(res.Connect.Latency.P99Us), cpu, rss,
				fmtPct(r.GeneratorCPUPercent))
		}
	}
	t.writeMarkdown(w)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Cases:")
	for _, name := range order {
		for _, r := range byCase[name] {
			fmt.Fprintf(w, "- %s: %s.\n", name, describeCase(r.Result.Params))
			break
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Ratios midge / mosquitto (below 1 is better for midge, except delivered rate and connect rate):")
	fmt.Fprintln(w)
	rt := &table{head: []string{"case", "delivered", "p50", "p99", "p99.9", "connect rate", "reconnect p99", "cpu", "rss peak"}}
	for _, name := range order {
		m, q := byCase[name]["midge"], byCase[name]["mosquitto"]
		if m == nil || q == nil {
			continue
		}
		u := func(r *Record, f func(*Usage) float64) float64 {
			if r.Usage == nil {
				return 0
			}
			return f(r.Usage)
		}
		rt.add(name, ratio(q.Result.DeliveredRate, m.Result.DeliveredRate),
			ratio(q.Result.Latency.P50Us, m.Result.Latency.P50Us), ratio(q.Result.Latency.P99Us, m.Result.Latency.P99Us),
			ratio(q.Result.Latency.P999Us, m.Result.Latency.P999Us), ratio(q.Result.Connect.Rate, m.Result.Connect.Rate),
			ratio(reconnectP99(q), reconnectP99(m)),
			ratio(u(q, func(x *Usage) float64 { return x.CPUSeconds }), u(m, func(x *Usage) float64 { return x.CPUSeconds })),
			ratio(u(q, func(x *Usage) float64 { return float64(x.RSSPeak) }), u(m, func(x *Usage) float64 { return float64(x.RSSPeak) })))
	}
	rt.writeMarkdown(w)
	for _, r := range recs {
		if r.Usage != nil && r.Usage.RSSPerConn > 0 {
			fmt.Fprintf(w, "\n%s: broker memory per idle connection %s.", r.Label, fmtBytes(r.Usage.RSSPerConn))
		}
		if r.Result.Reconnect != nil {
			fmt.Fprintf(w, "\n%s: %d clients reconnected after a storm in %s (p99 %s).", r.Label, r.Result.Reconnect.Connected,
				fmtDur(time.Duration(r.Result.Reconnect.Span)), fmtUs(r.Result.Reconnect.Latency.P99Us))
		}
		if len(r.Result.Errors) > 0 {
			fmt.Fprintf(w, "\n%s: errors %v.", r.Label, r.Result.Errors)
		}
	}
	fmt.Fprintln(w)
}

// describeCase says in words what a scenario's parameters ask for.
func describeCase(p loadgen.Params) string {
	mqtt := "MQTT 3.1.1"
	if p.Version == 5 {
		mqtt = "MQTT 5"
	}
	common := fmt.Sprintf("QoS %d, %d-byte payloads, %s", p.QoS, p.PayloadSize, mqtt)
	dur := time.Duration(p.Duration)
	switch p.Scenario {
	case "conns":
		return fmt.Sprintf("%d idle connections opened as fast as they go, held %s", p.Conns, time.Duration(p.Hold))
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
