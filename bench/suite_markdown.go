package bench

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// suiteBrokerOrder is the order the suite's tables list the brokers in;
// a broker not named here follows them.
var suiteBrokerOrder = []string{"midge", "mosquitto", "mochi", "ceiling", "ceiling-1loop"}

// isCeiling says whether the broker is a variant of the ceiling relay.
func isCeiling(broker string) bool { return strings.HasPrefix(broker, "ceiling") }

// mochiNote says how mochi-mqtt is configured in the suite.
const mochiNote = "mochi-mqtt (bench/peers/mochibroker) reads no mosquitto.conf: it runs with mochi's defaults, " +
	"whose outbound queue holds 8,192 packets per client (maximum_client_writes_pending) where midge and mosquitto are set to 100,000 queued messages. "

// ceilingNote says what the ceiling row is.
const ceilingNote = "ceiling is `midge ceiling`, a relay that forwards the same PUBLISH traffic without parsing MQTT " +
	"(no sessions, QoS state or validation), with as many event loops as midge; it runs only the cases it can carry. "

// ceilingOneLoopNote says what the one-loop ceiling row is.
const ceilingOneLoopNote = "ceiling-1loop is the same relay on one event loop: no cross-loop wake-ups, the lower bound on CPU. "

// brokerLabel names the broker of a run in the first table: its
// version, or the ceiling's event loops.
func brokerLabel(b string, r *Record) string {
	if !isCeiling(b) {
		return strings.TrimSpace(b + " " + r.Broker.Version)
	}
	f := strings.Fields(r.Broker.Command)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "--loops" && f[i+1] == "1" {
			return b + ", 1 loop"
		}
		if f[i] == "--loops" {
			return b + ", " + f[i+1] + " loops"
		}
	}
	return b
}

// suiteRuns holds every run of the suite by case and broker.
type suiteRuns struct {
	cases   []string                        // in the order first seen
	brokers []string                        // suiteBrokerOrder first, then others as seen
	runs    map[string]map[string][]*Record // case -> broker -> runs
}

func groupSuiteRuns(recs []*Record) suiteRuns {
	g := suiteRuns{runs: map[string]map[string][]*Record{}}
	seen := map[string]bool{}
	for _, r := range recs {
		name := strings.TrimPrefix(r.Label, r.Broker.Name+" ")
		if g.runs[name] == nil {
			g.runs[name] = map[string][]*Record{}
			g.cases = append(g.cases, name)
		}
		g.runs[name][r.Broker.Name] = append(g.runs[name][r.Broker.Name], r)
		seen[r.Broker.Name] = true
	}
	for _, b := range suiteBrokerOrder {
		if seen[b] {
			g.brokers = append(g.brokers, b)
			delete(seen, b)
		}
	}
	var rest []string
	for b := range seen {
		rest = append(rest, b)
	}
	sort.Strings(rest)
	g.brokers = append(g.brokers, rest...)
	return g
}

// spread is one figure over the runs of a case on a broker: the median
// and the range. n is how many runs had the figure.
type spread struct {
	med, lo, hi float64
	n           int
}

// spreadOf collects the figure f from each run that has it.
func spreadOf(runs []*Record, f func(*Record) (float64, bool)) spread {
	var v []float64
	for _, r := range runs {
		if x, ok := f(r); ok {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return spread{}
	}
	sort.Float64s(v)
	med := v[len(v)/2]
	if len(v)%2 == 0 {
		med = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return spread{med: med, lo: v[0], hi: v[len(v)-1], n: len(v)}
}

// format writes the median with the range of the runs beside it.
func (s spread) format(f func(float64) string) string {
	switch s.n {
	case 0:
		return "-"
	case 1:
		return f(s.med)
	}
	return f(s.med) + " (" + f(s.lo) + "–" + f(s.hi) + ")"
}

// The figures the targets are stated in.
func msgsPerCPUSecond(r *Record) (float64, bool) {
	if r.Usage == nil || r.Usage.CPUSeconds <= 0 || r.Result.Received == 0 {
		return 0, false
	}
	return float64(r.Result.Received) / r.Usage.CPUSeconds, true
}

func latencyP50(r *Record) (float64, bool) { return r.Result.Latency.P50Us, r.Result.Latency.Count > 0 }
func latencyP99(r *Record) (float64, bool) { return r.Result.Latency.P99Us, r.Result.Latency.Count > 0 }
func transitP50(r *Record) (float64, bool) { return r.Result.Transit.P50Us, r.Result.Transit.Count > 0 }
func transitP99(r *Record) (float64, bool) { return r.Result.Transit.P99Us, r.Result.Transit.Count > 0 }

func brokerCPUSeconds(r *Record) (float64, bool) {
	if r.Usage == nil {
		return 0, false
	}
	return r.Usage.CPUSeconds, r.Usage.CPUSeconds > 0
}

func rssPerConn(r *Record) (float64, bool) {
	if r.Usage == nil {
		return 0, false
	}
	return r.Usage.RSSPerConn, r.Usage.RSSPerConn > 0
}

func connectRate(r *Record) (float64, bool) { return r.Result.Connect.Rate, r.Result.Connect.Rate > 0 }

func fmtSeconds(s float64) string { return fmt.Sprintf("%.2fs", s) }

// suiteTarget is one goal of midge against mosquitto, on one case.
type suiteTarget struct {
	what     string
	caseName string
	figure   func(*Record) (float64, bool)
	format   func(float64) string
	goal     string
	// met says whether midge's median m meets the goal, given the
	// ratio midge / mosquitto (0 when mosquitto has no figure).
	met func(m, ratio float64) bool
}

// suiteTargets are the goals BENCHMARKS.md reports on.
func suiteTargets() []suiteTarget {
	atLeast := func(x float64) func(m, r float64) bool { return func(_, r float64) bool { return r >= x } }
	atMost := func(x float64) func(m, r float64) bool { return func(_, r float64) bool { return r > 0 && r <= x } }
	return []suiteTarget{
		{"messages per broker CPU-second", "fanin-q0", msgsPerCPUSecond, fmtRate, "≥ 5x", atLeast(5)},
		{"messages per broker CPU-second", "pairs-q0", msgsPerCPUSecond, fmtRate, "≥ 3x", atLeast(3)},
		{"messages per broker CPU-second", "fanout-q0", msgsPerCPUSecond, fmtRate, "≥ 2x", atLeast(2)},
		{"messages per broker CPU-second", "fanin-q1", msgsPerCPUSecond, fmtRate, "≥ 3x", atLeast(3)},
		{"transit p50", "latency-q0", transitP50, fmtUs, "≤ 1x", atMost(1)},
		{"transit p99", "latency-q0", transitP99, fmtUs, "≤ 1x and < 1ms", func(m, r float64) bool { return r > 0 && r <= 1 && m < 1000 }},
		{"transit p50", "latency-q1", transitP50, fmtUs, "≤ 1x", atMost(1)},
		{"transit p99", "latency-q1", transitP99, fmtUs, "≤ 1x and < 1ms", func(m, r float64) bool { return r > 0 && r <= 1 && m < 1000 }},
		{"transit p99", "latency30-q0", transitP99, fmtUs, "< 2ms", func(m, _ float64) bool { return m < 2000 }},
		{"latency p50 from due time", "latency-q0", latencyP50, fmtUs, "≤ 1x", atMost(1)},
		{"latency p99 from due time", "latency-q0", latencyP99, fmtUs, "≤ 1x", atMost(1)},
		{"latency p50 from due time", "latency-q1", latencyP50, fmtUs, "≤ 1x", atMost(1)},
		{"latency p99 from due time", "latency-q1", latencyP99, fmtUs, "≤ 1x", atMost(1)},
		{"broker CPU time", "latency-q0", brokerCPUSeconds, fmtSeconds, "≤ 1x", atMost(1)},
		{"RSS per idle connection", "conns", rssPerConn, fmtBytes, "≤ 2 KiB", func(m, _ float64) bool { return m <= 2048 }},
		{"connect rate", "conns", connectRate, fmtRate, "≥ 1x", atLeast(1)},
	}
}

// WriteSuiteMarkdown writes the suite section: the machine, the command,
// the date, the brokers side by side for every case (the median run of
// each), the targets as ratios to mosquitto, messages per broker
// CPU-second and midge as a share of the ceiling. recs holds every run;
// each figure beyond the first table is the median of a case's runs on
// a broker, with their range beside it.
func WriteSuiteMarkdown(w io.Writer, recs []*Record, command string, repeat int) {
	if len(recs) == 0 {
		fmt.Fprintln(w, "No run recorded.")
		return
	}
	g := groupSuiteRuns(recs)
	writeSuiteHeader(w, g, recs, command, repeat)
	writeSuiteRunTable(w, g)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Cases:")
	for _, name := range g.cases {
		for _, b := range g.brokers {
			if runs := g.runs[name][b]; len(runs) > 0 {
				fmt.Fprintf(w, "- %s: %s.\n", name, describeCase(runs[0].Result.Params))
				break
			}
		}
	}
	fmt.Fprintln(w)
	writeSuiteTargets(w, g)
	fmt.Fprintln(w)
	if writeSuiteTails(w, g) {
		fmt.Fprintln(w)
	}
	writeSuitePerCPU(w, g)
	if g.has("ceiling") {
		fmt.Fprintln(w)
		writeSuiteCeiling(w, g)
	}
	fmt.Fprintln(w)
	writeSuiteRatios(w, g)
	writeSuiteNotes(w, g)
}

func (g suiteRuns) has(broker string) bool {
	for _, b := range g.brokers {
		if b == broker {
			return true
		}
	}
	return false
}

func writeSuiteHeader(w io.Writer, g suiteRuns, recs []*Record, command string, repeat int) {
	first := recs[0]
	hw := first.Board.Hardware
	fmt.Fprintf(w, "Measured %s with `%s` (commit %s, %s).\n\n", first.Date.Format("2006-01-02 15:04 UTC"), command, first.Commit, first.Go)
	fmt.Fprintf(w, "Machine: %s, %s, %d cores, %s RAM, board profile `%s`. ", strings.TrimSpace(hw.CPU.Brand), hw.CPU.Arch,
		hw.CPU.Cores, fmtBytes(float64(memBytes(hw))), first.Board.Preset)
	fmt.Fprint(w, "The load generator and the broker share these cores over loopback. Each run starts a fresh broker; midge and mosquitto read the same mosquitto.conf: `listener PORT 127.0.0.1`, "+
		strings.Join(strings.Split(strings.TrimSpace(SuiteBrokerConfig), "\n"), ", ")+", all else default. ")
	if v := first.Board.Values; v.MaxInflightMessages > 0 {
		// midge serve takes what the file leaves out from the board
		// profile, and that differs from mosquitto's defaults here.
		bytes := ""
		if v.MaxInflightBytes > 0 {
			bytes = " holding at most " + fmtBytes(float64(v.MaxInflightBytes)) + " (max_inflight_bytes)"
		}
		fmt.Fprintf(w, "Where the file is silent midge takes its board profile's limits, as `midge serve` does; for QoS 1/2 that is a window of %d unacknowledged messages per subscriber (max_inflight_messages)%s, where mosquitto's default window is 20 messages. ",
			v.MaxInflightMessages, bytes)
	}
	if g.has("mochi") {
		fmt.Fprint(w, mochiNote)
	}
	if g.has("ceiling") {
		fmt.Fprint(w, ceilingNote)
	}
	if g.has("ceiling-1loop") {
		fmt.Fprint(w, ceilingOneLoopNote)
	}
	fmt.Fprintln(w, "Latency (p50 … max) counts from each message's due time on the publisher's fixed timetable (open loop), so queueing anywhere is included, the load generator's own lateness too; "+
		"gen lag p99 is that lateness: how late the generator's timers handed messages to its connections. "+
		"Transit counts from when the generator was ready to send each message (its due time, or its timer's late wake-up), which is what a tool that stamps messages as it writes them measures; "+
		"a broker that holds the generator back is still charged from the due time. The latency targets are stated on transit. "+
		"cpu is the broker's, gen cpu the load generator's (100% = one core); cpu wait is how long the broker's threads waited runnable for a CPU that something else held, on the same scale.")
	lo, hi := recs[0].LoadAverage[0], recs[0].LoadAverage[0]
	for _, r := range recs {
		lo, hi = min(lo, r.LoadAverage[0]), max(hi, r.LoadAverage[0])
	}
	fmt.Fprintf(w, "The machine's 1-minute load average was %.1f to %.1f when the runs started (other work on it shows in the tails).", lo, hi)
	if repeat > 1 {
		fmt.Fprintf(w, " Each case ran %d times per broker, in rounds over all the cases (a case's runs are minutes apart), the order of the brokers rotating so each goes first in turn. "+
			"The first table shows the run with the median p99 (median connect rate for conns); the others give the median of the runs with their range (min–max) in brackets.", repeat)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
}

// writeSuiteRunTable writes every figure of the median run of each case
// and broker.
func writeSuiteRunTable(w io.Writer, g suiteRuns) {
	t := &table{head: []string{"case", "broker", "offered", "delivered", "p50", "p99", "p99.9", "max", "transit p50", "transit p99", "gen lag p99", "lost", "dup", "conn/s", "conn p99", "cpu", "cpu wait", "rss peak", "gen cpu"}}
	for _, name := range g.cases {
		for _, b := range g.brokers {
			r := medianRun(g.runs[name][b])
			if r == nil {
				continue
			}
			res := r.Result
			cpu, wait, rss := "-", "-", "-"
			if r.Usage != nil {
				cpu, wait, rss = fmtPct(r.Usage.CPUPercent), fmtPct(r.Usage.CPUWaitPercent), fmtBytes(float64(r.Usage.RSSPeak))
			}
			t.add(name, brokerLabel(b, r), fmtRate(res.OfferedRate), fmtRate(res.DeliveredRate),
				fmtUs(res.Latency.P50Us), fmtUs(res.Latency.P99Us), fmtUs(res.Latency.P999Us), fmtUs(res.Latency.MaxUs),
				fmtUs(res.Transit.P50Us), fmtUs(res.Transit.P99Us), fmtUs(res.SendLag.P99Us), fmtCount(res.Lost), fmtCount(res.Duplicates), fmtRate(res.Connect.Rate), fmtUs(res.Connect.Latency.P99Us), cpu, wait, rss,
				fmtPct(r.GeneratorCPUPercent))
		}
	}
	t.writeMarkdown(w)
}

// writeSuiteTargets writes each goal with midge's, mosquitto's and
// mochi's medians and the ratio midge / mosquitto.
func writeSuiteTargets(w io.Writer, g suiteRuns) {
	fmt.Fprintln(w, "Targets, midge against mosquitto (ratio = midge ÷ mosquitto of the medians):")
	fmt.Fprintln(w)
	withMochi := g.has("mochi")
	head := []string{"target", "case", "midge", "mosquitto", "midge ÷ mosquitto", "goal", "met"}
	if withMochi {
		head = []string{"target", "case", "midge", "mosquitto", "mochi", "midge ÷ mosquitto", "goal", "met"}
	}
	t := &table{head: head}
	for _, tg := range suiteTargets() {
		byBroker := g.runs[tg.caseName]
		m := spreadOf(byBroker["midge"], tg.figure)
		q := spreadOf(byBroker["mosquitto"], tg.figure)
		o := spreadOf(byBroker["mochi"], tg.figure)
		if m.n == 0 && q.n == 0 {
			continue
		}
		r, met := 0.0, "-"
		if q.n > 0 && q.med != 0 {
			r = m.med / q.med
		}
		if m.n > 0 {
			met = "no"
			if tg.met(m.med, r) {
				met = "yes"
			}
		}
		row := []string{tg.what, tg.caseName, m.format(tg.format), q.format(tg.format)}
		if withMochi {
			row = append(row, o.format(tg.format))
		}
		t.add(append(row, ratio(q.med, m.med), tg.goal, met)...)
	}
	t.writeMarkdown(w)
}

// writeSuiteTails sets each run's transit p99 beside what the machine
// took from the broker during it (cpu wait) and what a probe saw just
// before it, for the cases that probe. It reports whether it wrote.
func writeSuiteTails(w io.Writer, g suiteRuns) bool {
	t := &table{head: []string{"case", "broker", "transit p99", "cpu wait", "gaps ≥ 1ms before", "longest gap before"}}
	for _, name := range g.cases {
		for _, b := range g.brokers {
			var p99, wait, gaps, longest []string
			for _, r := range g.runs[name][b] {
				if r.Stalls == nil {
					continue
				}
				p99 = append(p99, fmtUs(r.Result.Transit.P99Us))
				if r.Usage != nil {
					wait = append(wait, fmtPct(r.Usage.CPUWaitPercent))
				} else {
					wait = append(wait, "-")
				}
				gaps = append(gaps, fmt.Sprint(r.Stalls.Over1ms))
				longest = append(longest, fmt.Sprintf("%.1fms", r.Stalls.MaxMs))
			}
			if len(p99) > 0 {
				t.add(name, b, strings.Join(p99, ", "), strings.Join(wait, ", "), strings.Join(gaps, ", "), strings.Join(longest, ", "))
			}
		}
	}
	if len(t.rows) == 0 {
		return false
	}
	fmt.Fprintln(w, "Tail latency and the machine. Just before each run of these cases, a thread spun on each CPU for a second with nothing else running (what `midge bench stalls` does); "+
		"a gap is time the machine took that CPU away from it (interrupts, kernel work or, in a virtual machine, the host), and a message in flight on a CPU when it goes waits out the gap. "+
		"cpu wait is how long the broker's threads waited runnable for a CPU during the run, as a share of one core. Each cell lists the runs in the order they ran.")
	fmt.Fprintln(w)
	t.writeMarkdown(w)
	return true
}

// writeSuitePerCPU writes messages received per broker CPU-second for
// every case and broker, with midge's ratio to the others.
func writeSuitePerCPU(w io.Writer, g suiteRuns) {
	fmt.Fprintln(w, "Messages received per broker CPU-second (higher is better):")
	fmt.Fprintln(w)
	head := []string{"case"}
	head = append(head, g.brokers...)
	var others []string
	for _, b := range g.brokers {
		if b != "midge" && !isCeiling(b) {
			others = append(others, b)
			head = append(head, "midge ÷ "+b)
		}
	}
	t := &table{head: head}
	for _, name := range g.cases {
		m := spreadOf(g.runs[name]["midge"], msgsPerCPUSecond)
		row := []string{name}
		found := false
		for _, b := range g.brokers {
			s := spreadOf(g.runs[name][b], msgsPerCPUSecond)
			found = found || s.n > 0
			row = append(row, s.format(fmtRate))
		}
		if !found {
			continue
		}
		for _, b := range others {
			row = append(row, ratio(spreadOf(g.runs[name][b], msgsPerCPUSecond).med, m.med))
		}
		t.add(row...)
	}
	t.writeMarkdown(w)
}

// writeSuiteCeiling writes midge as a percentage of the ceiling relay:
// messages per broker CPU-second, midge ÷ ceiling, latency beside it.
func writeSuiteCeiling(w io.Writer, g suiteRuns) {
	fmt.Fprintln(w, "midge as a share of the ceiling (messages per broker CPU-second, midge ÷ ceiling; 100% would be a broker as cheap as forwarding bytes):")
	fmt.Fprintln(w)
	t := &table{head: []string{"case", "ceiling", "midge msg/CPU-s", "ceiling msg/CPU-s", "midge % of ceiling", "midge p50", "midge p99", "ceiling p50", "ceiling p99", "midge transit p99", "ceiling transit p99"}}
	for _, name := range g.cases {
		m := g.runs[name]["midge"]
		mc := spreadOf(m, msgsPerCPUSecond)
		for _, b := range g.brokers {
			c := g.runs[name][b]
			cc := spreadOf(c, msgsPerCPUSecond)
			if !isCeiling(b) || mc.n == 0 || cc.n == 0 {
				continue
			}
			pct := "-"
			if cc.med > 0 {
				pct = fmt.Sprintf("%.0f%%", 100*mc.med/cc.med)
			}
			t.add(name, b, mc.format(fmtRate), cc.format(fmtRate), pct,
				spreadOf(m, latencyP50).format(fmtUs), spreadOf(m, latencyP99).format(fmtUs),
				spreadOf(c, latencyP50).format(fmtUs), spreadOf(c, latencyP99).format(fmtUs),
				spreadOf(m, transitP99).format(fmtUs), spreadOf(c, transitP99).format(fmtUs))
		}
	}
	t.writeMarkdown(w)
}

// writeSuiteRatios writes midge's median-run figures over each other
// broker's.
func writeSuiteRatios(w io.Writer, g suiteRuns) {
	fmt.Fprintln(w, "Ratios midge / other broker of the median runs (below 1 is better for midge, except delivered rate and connect rate):")
	fmt.Fprintln(w)
	rt := &table{head: []string{"case", "against", "delivered", "p50", "p99", "p99.9", "transit p50", "transit p99", "connect rate", "reconnect p99", "cpu", "rss peak"}}
	u := func(r *Record, f func(*Usage) float64) float64 {
		if r.Usage == nil {
			return 0
		}
		return f(r.Usage)
	}
	for _, name := range g.cases {
		m := medianRun(g.runs[name]["midge"])
		if m == nil {
			continue
		}
		for _, b := range g.brokers {
			q := medianRun(g.runs[name][b])
			if b == "midge" || q == nil {
				continue
			}
			rt.add(name, b, ratio(q.Result.DeliveredRate, m.Result.DeliveredRate),
				ratio(q.Result.Latency.P50Us, m.Result.Latency.P50Us), ratio(q.Result.Latency.P99Us, m.Result.Latency.P99Us),
				ratio(q.Result.Latency.P999Us, m.Result.Latency.P999Us),
				ratio(q.Result.Transit.P50Us, m.Result.Transit.P50Us), ratio(q.Result.Transit.P99Us, m.Result.Transit.P99Us),
				ratio(q.Result.Connect.Rate, m.Result.Connect.Rate),
				ratio(reconnectP99(q), reconnectP99(m)),
				ratio(u(q, func(x *Usage) float64 { return x.CPUSeconds }), u(m, func(x *Usage) float64 { return x.CPUSeconds })),
				ratio(u(q, func(x *Usage) float64 { return float64(x.RSSPeak) }), u(m, func(x *Usage) float64 { return float64(x.RSSPeak) })))
		}
	}
	rt.writeMarkdown(w)
}

// writeSuiteNotes writes what the tables do not show: memory per
// connection, reconnect storms and errors, for the median runs.
func writeSuiteNotes(w io.Writer, g suiteRuns) {
	for _, name := range g.cases {
		for _, b := range g.brokers {
			r := medianRun(g.runs[name][b])
			if r == nil {
				continue
			}
			if r.Usage != nil && r.Usage.RSSPerConn > 0 {
				fmt.Fprintf(w, "\n%s: broker memory per idle connection %s (%d connections).", r.Label, fmtBytes(r.Usage.RSSPerConn), r.Result.Params.Conns)
			}
			if r.Result.Reconnect != nil {
				fmt.Fprintf(w, "\n%s: %d clients reconnected after a storm in %s (p99 %s).", r.Label, r.Result.Reconnect.Connected,
					fmtDur(time.Duration(r.Result.Reconnect.Span)), fmtUs(r.Result.Reconnect.Latency.P99Us))
			}
			if len(r.Result.Errors) > 0 {
				fmt.Fprintf(w, "\n%s: errors %v.", r.Label, r.Result.Errors)
			}
		}
	}
	fmt.Fprintln(w)
}
