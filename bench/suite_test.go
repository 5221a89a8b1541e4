package bench

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// suiteRecord is a synthetic run of a suite case on a broker.
func suiteRecord(broker, caseName, scenario string, edit func(r *Record)) *Record {
	r := sampleRecord(broker, scenario, 1, 1)
	r.Label = broker + " " + caseName
	if edit != nil {
		edit(r)
	}
	return r
}

// cpu sets the broker CPU time of a run that received 50,000 messages.
func cpu(seconds float64) func(r *Record) {
	return func(r *Record) { r.Result.Received = 50000; r.Usage.CPUSeconds = seconds }
}

func TestSuiteMarkdownRatiosCeilingShareAndSpread(t *testing.T) {
	lat := func(p50, p99, cpuSec float64) func(r *Record) {
		return func(r *Record) {
			r.Result.Latency.P50Us, r.Result.Latency.P99Us, r.Usage.CPUSeconds = p50, p99, cpuSec
			r.Result.SendLag.P99Us = p99 / 2
			// transit leaves out the generator's lateness
			r.Result.Transit.Count, r.Result.Transit.P50Us, r.Result.Transit.P99Us = r.Result.Latency.Count, p50/2, p99/4
		}
	}
	conns := func(perConn, rate float64) func(r *Record) {
		return func(r *Record) {
			r.Result.Latency = loadgenSummaryZero()
			r.Result.Received, r.Usage.RSSPerConn, r.Result.Connect.Rate = 0, perConn, rate
		}
	}
	recs := []*Record{
		// midge: 50k, 100k and 25k messages per CPU-second
		suiteRecord("midge", "fanin-q0", "fanin", cpu(1)),
		suiteRecord("midge", "fanin-q0", "fanin", cpu(0.5)),
		suiteRecord("midge", "fanin-q0", "fanin", cpu(2)),
		suiteRecord("mosquitto", "fanin-q0", "fanin", cpu(5)),
		suiteRecord("mochi", "fanin-q0", "fanin", cpu(2.5)),
		suiteRecord("ceiling", "fanin-q0", "fanin", func(r *Record) { cpu(0.25)(r); r.Broker.Command = "midge ceiling --loops 2 --listen x" }),
		suiteRecord("ceiling-1loop", "fanin-q0", "fanin", func(r *Record) { cpu(0.1)(r); r.Broker.Command = "midge ceiling --loops 1 --listen x" }),
		suiteRecord("midge", "latency-q0", "latency", lat(100, 400, 0.5)),
		suiteRecord("midge", "latency-q0", "latency", lat(120, 900, 0.5)),
		suiteRecord("midge", "latency-q0", "latency", lat(110, 500, 0.5)),
		suiteRecord("mosquitto", "latency-q0", "latency", lat(100, 600, 1)),
		suiteRecord("midge", "conns", "conns", conns(1536, 3000)),
		suiteRecord("mosquitto", "conns", "conns", conns(700, 2000)),
	}
	s := suiteSection(recs, 3)
	wantAll(t, s,
		// targets: median (range) for each broker, ratio to mosquitto, goal met or not
		"| messages per broker CPU-second | fanin-q0 | 50.0k/s (25.0k/s–100.0k/s) | 10.0k/s | 20.0k/s | 5.00x | ≥ 5x | yes |",
		"| transit p50 | latency-q0 | 55.0µs (50.0µs–60.0µs) | 50.0µs | - | 1.10x | ≤ 1x | no |",
		"| transit p99 | latency-q0 | 125.0µs (100.0µs–225.0µs) | 150.0µs | - | 0.83x | ≤ 1x and < 1ms | yes |",
		"| latency p50 from due time | latency-q0 | 110.0µs (100.0µs–120.0µs) | 100.0µs | - | 1.10x | ≤ 1x | no |",
		"| latency p99 from due time | latency-q0 | 500.0µs (400.0µs–900.0µs) | 600.0µs | - | 0.83x | ≤ 1x | yes |",
		"| broker CPU time | latency-q0 | 0.50s (0.50s–0.50s) | 1.00s | - | 0.50x | ≤ 1x | yes |",
		"| RSS per idle connection | conns | 1.5KiB | 700B | - | 2.19x | ≤ 2 KiB | yes |",
		"| connect rate | conns | 3000/s | 2000/s | - | 1.50x | ≥ 1x | yes |",
		// messages per CPU-second with midge's ratio to mosquitto and mochi
		"| case | midge | mosquitto | mochi | ceiling | ceiling-1loop | midge ÷ mosquitto | midge ÷ mochi |",
		"| fanin-q0 | 50.0k/s (25.0k/s–100.0k/s) | 10.0k/s | 20.0k/s | 200.0k/s | 500.0k/s | 5.00x | 2.50x |",
		// midge as a share of the ceiling
		"| fanin-q0 | ceiling | 50.0k/s (25.0k/s–100.0k/s) | 200.0k/s | 25% |",
		"| fanin-q0 | ceiling-1loop | 50.0k/s (25.0k/s–100.0k/s) | 500.0k/s | 10% |",
		"| fanin-q0 | ceiling, 2 loops |", "| fanin-q0 | ceiling-1loop, 1 loop |", "| fanin-q0 | mochi 1.0 |", "ceiling-1loop is the same relay",
		"mochi's defaults", "`midge ceiling`", "rotating", "gen lag p99 is that lateness", "Transit counts from when the generator was ready",
		// the run table: p99 500µs of the median run, transit, then the generator's lag
		"| 500.0µs | 1.44ms | 2.15ms | 55.0µs | 125.0µs | 250.0µs |",
	)
	if strings.Contains(s, "| midge ÷ ceiling") {
		t.Error("the ceiling has a column of ratios beside the brokers")
	}
	if strings.Contains(s, "| pairs-q0 |") {
		t.Error("a target of a case that did not run has a row")
	}
}

// A case that one broker did not run (the ceiling skips retained, a run
// that failed leaves none) is written without that broker.
func TestSuiteMarkdownWithMissingBrokers(t *testing.T) {
	recs := []*Record{suiteRecord("midge", "retained-q1", "retained", cpu(1))}
	var b bytes.Buffer
	WriteSuiteMarkdown(&b, recs, "midge bench suite", 1)
	s := b.String()
	if !strings.Contains(s, "| retained-q1 | midge 1.0 |") || strings.Contains(s, "mosquitto 1.0") ||
		strings.Contains(s, "midge % of ceiling") || strings.Contains(s, "mochi's defaults") {
		t.Errorf("section:\n%s", s)
	}
}

// The cases that probe the machine get a table setting each run's tail
// beside the broker's wait for a CPU and the probe's gaps, in run order.
func TestSuiteMarkdownSetsTailsBesideTheMachine(t *testing.T) {
	run := func(broker string, p99, wait float64, gaps int, longest float64) *Record {
		return suiteRecord(broker, "latency30-q0", "latency", func(r *Record) {
			r.Result.Transit.Count, r.Result.Transit.P99Us = r.Result.Latency.Count, p99
			r.Usage.CPUPercent, r.Usage.CPUWaitPercent = 55, wait
			r.Stalls = &Stalls{Seconds: 1, CPUs: 2, Over1ms: gaps, Over200us: gaps + 3, MaxMs: longest}
		})
	}
	recs := []*Record{
		run("midge", 5030, 48, 3, 2.14), run("mosquitto", 1440, 12, 0, 0.81), run("midge", 1440, 40, 0, 0.8),
		suiteRecord("midge", "fanin-q0", "fanin", cpu(1)), // no probe: no row
	}
	s := suiteSection(recs, 2)
	wantAll(t, s,
		"| case | broker | transit p99 | cpu wait | gaps ≥ 1ms before | longest gap before |",
		"| latency30-q0 | midge | 5.03ms, 1.44ms | 48%, 40% | 3, 0 | 2.1ms, 0.8ms |",
		"| latency30-q0 | mosquitto | 1.44ms | 12% | 0 | 0.8ms |",
		"| cpu | cpu wait | rss peak | gen cpu |", "cpu wait is how long the broker's threads waited",
	)
	if strings.Contains(s, "| fanin-q0 | midge | ") {
		t.Errorf("a case without a probe has a tails row:\n%s", s)
	}
	if strings.Contains(suiteSection(recs[3:], 1), "Tail latency and the machine") {
		t.Error("a suite without probes has the tails table")
	}
}

func TestMedianRunOfNoRunsIsNil(t *testing.T) {
	if r := medianRun(nil); r != nil {
		t.Errorf("median of no runs: %v", r.Label)
	}
}

func TestSpreadOfEvenCountAveragesTheMiddle(t *testing.T) {
	var runs []*Record
	for _, s := range []float64{4, 1, 2, 8} { // 12.5k, 50k, 25k, 6.25k msg/CPU-s
		runs = append(runs, suiteRecord("midge", "fanin-q0", "fanin", cpu(s)))
	}
	got := spreadOf(runs, msgsPerCPUSecond)
	if got.n != 4 || got.med != 18750 || got.lo != 6250 || got.hi != 50000 {
		t.Errorf("spread %+v", got)
	}
}

// Each repetition starts with the next broker, so with four brokers and
// four repetitions each goes first once, and every one runs each time.
func TestRotatedBrokerOrder(t *testing.T) {
	brokers := suiteBrokers(SuiteConfig{Midge: "midge", Mosquitto: "mosquitto", Mochi: "mochi-broker", Ceiling: true})
	names := func(bs []suiteBroker) []string {
		var n []string
		for _, b := range bs {
			n = append(n, b.name)
		}
		return n
	}
	if got := names(brokers); !slices.Equal(got, []string{"midge", "mosquitto", "mochi", "ceiling"}) {
		t.Fatalf("brokers %v", got)
	}
	want := [][]string{
		{"midge", "mosquitto", "mochi", "ceiling"},
		{"mosquitto", "mochi", "ceiling", "midge"},
		{"mochi", "ceiling", "midge", "mosquitto"},
		{"ceiling", "midge", "mosquitto", "mochi"},
		{"midge", "mosquitto", "mochi", "ceiling"},
	}
	for rep, w := range want {
		if got := names(rotated(brokers, rep)); !slices.Equal(got, w) {
			t.Errorf("repetition %d: %v, want %v", rep, got, w)
		}
	}
	if got := names(brokers); got[0] != "midge" {
		t.Errorf("rotating changed the list: %v", got)
	}
	one := suiteBrokers(SuiteConfig{Mochi: "m", Ceiling: true, CeilingLoops: 2, CeilingOneLoop: true})
	if got := names(one); !slices.Equal(got, []string{"midge", "mosquitto", "mochi", "ceiling", "ceiling-1loop"}) {
		t.Errorf("with the one-loop ceiling: %v", got)
	}
	two := suiteBrokers(SuiteConfig{Midge: "midge", Mosquitto: "mosquitto"})
	if got := names(rotated(two, 1)); !slices.Equal(got, []string{"mosquitto", "midge"}) {
		t.Errorf("without mochi and ceiling: %v", got)
	}
}

// The ceiling runs only the cases it can carry; mochi, midge and
// mosquitto run them all.
func TestCeilingSkipsCasesItCannotCarry(t *testing.T) {
	brokers := suiteBrokers(SuiteConfig{Midge: "midge", Mosquitto: "mosquitto", Mochi: "mochi-broker", Ceiling: true})
	var names []string
	for _, c := range SuiteCases() {
		names = append(names, c.Name)
	}
	for _, c := range CeilingCases() {
		if !slices.Contains(names, c) {
			t.Errorf("ceiling case %s is not in the suite", c)
		}
	}
	for _, b := range brokers {
		for _, c := range names {
			want := b.name != "ceiling" || slices.Contains(CeilingCases(), c)
			if got := b.runs(c); got != want {
				t.Errorf("%s runs %s: %v, want %v", b.name, c, got, want)
			}
		}
	}
	for _, c := range []string{"sharedsub-q1", "retained-q1", "storm-q1"} {
		if brokers[3].runs(c) {
			t.Errorf("ceiling runs %s", c)
		}
	}
	one := suiteBrokers(SuiteConfig{Ceiling: true, CeilingLoops: 2, CeilingOneLoop: true})
	if b := one[len(one)-1]; b.name != "ceiling-1loop" || b.runs("retained-q1") || !b.runs("fanin-q0") {
		t.Errorf("one-loop ceiling %s runs retained %v, fanin %v", b.name, b.runs("retained-q1"), b.runs("fanin-q0"))
	}
}

func TestSuiteTitleNamesTheBrokers(t *testing.T) {
	all := suiteBrokers(SuiteConfig{Mochi: "m", Ceiling: true})
	if got := suiteTitle(all); got != "midge, mosquitto, mochi-mqtt and ceiling: the standard suite" {
		t.Errorf("title %q", got)
	}
	if got := suiteTitle(all[:2]); got != "midge and mosquitto: the standard suite" {
		t.Errorf("title %q", got)
	}
}

// The header says which of midge's limits come from the board profile
// rather than from the shared mosquitto.conf: its QoS 1/2 window.
func TestSuiteHeaderNamesTheProfilesWindow(t *testing.T) {
	rec := suiteRecord("midge", "latency-q1", "latency", cpu(1))
	rec.Board.Values.MaxInflightMessages, rec.Board.Values.MaxInflightBytes = 100, 8<<10
	var b bytes.Buffer
	WriteSuiteMarkdown(&b, []*Record{rec}, "midge bench suite", 1)
	want := "a window of 100 unacknowledged messages per subscriber (max_inflight_messages) holding at most 8.0KiB (max_inflight_bytes), where mosquitto's default window is 20 messages"
	if s := b.String(); !strings.Contains(s, want) {
		t.Errorf("section lacks %q:\n%s", want, s)
	}
	rec.Board.Values.MaxInflightMessages = 0 // a record from before profiles carried it
	b.Reset()
	WriteSuiteMarkdown(&b, []*Record{rec}, "midge bench suite", 1)
	if strings.Contains(b.String(), "max_inflight_messages") {
		t.Errorf("a record without the profile's window names one:\n%s", b.String())
	}
}

// The suite runs in rounds: every case on every broker, then again, so
// the runs of one case are a round apart and a loud spell on the machine
// falls in one of them; each round rotates the brokers' order, and the
// ceiling still skips what it cannot carry.
func TestSuiteScheduleRunsInRounds(t *testing.T) {
	brokers := suiteBrokers(SuiteConfig{Midge: "midge", Mosquitto: "mosquitto", Ceiling: true})
	cases := []SuiteCase{{Name: "fanin-q0"}, {Name: "retained-q1"}, {Name: "latency-q1"}}
	var got []string
	for _, st := range suiteSchedule(cases, brokers, 3) {
		got = append(got, fmt.Sprintf("%d:%s/%s", st.rep, cases[st.c].Name, st.b.name))
	}
	want := []string{
		"0:fanin-q0/midge", "0:fanin-q0/mosquitto", "0:fanin-q0/ceiling",
		"0:retained-q1/midge", "0:retained-q1/mosquitto",
		"0:latency-q1/midge", "0:latency-q1/mosquitto", "0:latency-q1/ceiling",
		"1:fanin-q0/mosquitto", "1:fanin-q0/ceiling", "1:fanin-q0/midge",
		"1:retained-q1/mosquitto", "1:retained-q1/midge",
		"1:latency-q1/mosquitto", "1:latency-q1/ceiling", "1:latency-q1/midge",
		"2:fanin-q0/ceiling", "2:fanin-q0/midge", "2:fanin-q0/mosquitto",
		"2:retained-q1/midge", "2:retained-q1/mosquitto",
		"2:latency-q1/ceiling", "2:latency-q1/midge", "2:latency-q1/mosquitto",
	}
	if !slices.Equal(got, want) {
		t.Errorf("schedule\n got %v\nwant %v", got, want)
	}
}
