package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/bench"
)

func TestBenchRunFlagsOverrideThePreset(t *testing.T) {
	var stderr bytes.Buffer
	p, f, err := parseBenchRun([]string{"fanout", "--qos", "2", "--subscribers", "7", "--duration", "1500ms",
		"--mqtt", "5", "--sources", "3", "--broker", "127.0.0.1:1999", "--size", "100"}, &stderr)
	if err != nil {
		t.Fatal(err, stderr.String())
	}
	if p.Scenario != "fanout" || p.QoS != 2 || p.Subscribers != 7 || p.Publishers != 1 || time.Duration(p.Duration) != 1500*time.Millisecond ||
		p.Version != 5 || p.PayloadSize != 100 || p.Address != "127.0.0.1:1999" || f.broker != "127.0.0.1:1999" {
		t.Errorf("params %+v", p)
	}
	if strings.Join(p.SourceAddrs, ",") != "127.0.0.1,127.0.0.2,127.0.0.3" {
		t.Errorf("sources %v", p.SourceAddrs)
	}
	for _, bad := range [][]string{{}, {"--qos", "1"}, {"nope"}, {"fanin", "--qos", "3"}, {"fanin", "--mqtt", "4.0"},
		{"fanin", "--spawn", "x", "--inproc"}, {"fanin", "--sources", "not-an-ip"}, {"fanin", "extra"}} {
		if _, _, err := parseBenchRun(bad, &stderr); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got := strings.Join(redactPassword([]string{"a", "--password", "s3", "--password=s4", "-password", "s5"}), " "); strings.Contains(got, "s3") ||
		strings.Contains(got, "s4") || strings.Contains(got, "s5") {
		t.Errorf("password kept in %q", got)
	}
	p, _, err = parseBenchRun([]string{"conns", "--conns", "50000"}, &stderr)
	if err != nil || len(p.SourceAddrs) != 3 {
		t.Errorf("50000 connections: sources %v, %v (want 3 loopback addresses)", p.SourceAddrs, err)
	}
}

// `midge bench run --inproc` records a run; report and compare read it;
// a run stopped early (Ctrl-C) still writes and prints what it measured.
func TestBenchRunReportCompareAndInterrupt(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "a.json")
	var out, errb bytes.Buffer
	code := benchRun(context.Background(), []string{"pairs", "--inproc", "--publishers", "3", "--subscribers", "3",
		"--rate", "50", "--duration", "1s", "--qos", "1", "-o", rec}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "midge pairs q1") || !strings.Contains(errb.String(), "record written to") {
		t.Errorf("output:\n%s\n%s", out.String(), errb.String())
	}
	r, err := bench.Load(rec)
	if err != nil {
		t.Fatal(err)
	}
	if r.Result.Sent != 150 || r.Result.Received != 150 || r.Broker.Mode != "inproc" || !strings.HasPrefix(r.Command, "midge bench run pairs") {
		t.Errorf("record: sent %d received %d mode %s command %q", r.Result.Sent, r.Result.Received, r.Broker.Mode, r.Command)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(1500*time.Millisecond, cancel) // Ctrl-C
	stopped := filepath.Join(dir, "b.json")
	out.Reset()
	errb.Reset()
	start := time.Now()
	code = benchRun(ctx, []string{"fanin", "--inproc", "--publishers", "5", "--rate", "50", "--duration", "60s", "-o", stopped}, &out, &errb)
	if code != 130 || time.Since(start) > 20*time.Second {
		t.Fatalf("interrupted run: exit %d after %v: %s", code, time.Since(start), errb.String())
	}
	s, err := bench.Load(stopped)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Result.Interrupted || s.Result.Sent == 0 || s.Result.Received != s.Result.Sent || !strings.Contains(out.String(), "midge fanin q0") {
		t.Errorf("interrupted record: %+v\n%s", s.Result.Interrupted, out.String())
	}

	out.Reset()
	html := filepath.Join(dir, "r.html")
	if code := benchReport([]string{"-o", html, rec, stopped}, &out, &errb); code != 0 {
		t.Fatalf("report exit %d: %s", code, errb.String())
	}
	if b, err := os.ReadFile(html); err != nil || !bytes.Contains(b, []byte(`<figure class="chart" id="latency-pairs-q1">`)) {
		t.Errorf("report page: %v", err)
	}
	out.Reset()
	if code := benchCompare([]string{rec, stopped}, &out, &errb); code != 0 || !strings.Contains(out.String(), "latency p99") {
		t.Errorf("compare exit %d:\n%s", code, out.String())
	}
	if code := benchCompare(nil, &out, &errb); code != 2 {
		t.Errorf("compare with no file: exit %d", code)
	}
}

// `midge bench suite` spawns `midge serve`, mosquitto and the ceiling
// relay the same way, records them and rewrites only the suite section
// of the Markdown file; --mochi ” leaves mochi out on purpose.
func TestBenchSuiteAgainstMidgeServeAndMosquitto(t *testing.T) {
	bin := buildMidgeBinary(t)
	if _, err := exec.LookPath("mosquitto"); err != nil {
		t.Fatal("mosquitto is not installed: apt-get install mosquitto (scripts/deps.sh)")
	}
	dir := t.TempDir()
	md := filepath.Join(dir, "BENCHMARKS.md")
	os.WriteFile(md, []byte("# B\n<!-- codec:begin -->\nkept\n<!-- codec:end -->\n<!-- suite:begin -->\nNot measured yet.\n<!-- suite:end -->\n"), 0o644)
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	code := benchSuite(context.Background(), []string{"--midge", bin, "--out", out, "--markdown", md,
		"--only", "pairs-q1,conns,latency-q0", "--conns", "1000", "--repeat", "1", "--mochi", ""}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stdout.String(), stderr.String())
	}
	b, _ := os.ReadFile(md)
	doc := string(b)
	for _, want := range []string{"kept", "| pairs-q1 | midge ", "| pairs-q1 | mosquitto 2.", "| pairs-q1 | ceiling, ", "| conns | midge ",
		"| conns | ceiling, ", "--only pairs-q1,conns,latency-q0", "midge % of ceiling", "| RSS per idle connection | conns |", "- conns: 1000 idle connections",
		"Tail latency and the machine", "| latency-q0 | midge | ", "| latency-q0 | mosquitto | "} {
		if !strings.Contains(doc, want) {
			t.Errorf("BENCHMARKS.md lacks %q:\n%s", want, doc)
		}
	}
	if strings.Contains(doc, "Not measured yet") {
		t.Error("the old suite section was kept")
	}
	for _, f := range []string{"pairs-q1-midge-1.json", "pairs-q1-mosquitto-1.json", "pairs-q1-ceiling-1.json", "conns-midge-1.json",
		"conns-mosquitto-1.json", "conns-ceiling-1.json", "report.html"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("suite did not write %s", f)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "pairs-q1-mochi-1.json")); err == nil {
		t.Error("suite ran mochi, which --mochi '' left out")
	}
	if strings.Contains(doc, "| mochi") || !strings.Contains(doc, "--mochi ''") {
		t.Errorf("BENCHMARKS.md shows a broker that did not run:\n%s", doc)
	}
	c, err := bench.Load(filepath.Join(out, "pairs-q1-ceiling-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Broker.Command, " ceiling --loops ") || c.Broker.Name != "ceiling" || c.Result.Received == 0 {
		t.Errorf("ceiling run: broker %+v, received %d", c.Broker, c.Result.Received)
	}
	r, err := bench.Load(filepath.Join(out, "pairs-q1-midge-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Broker.Mode != "spawn" || !strings.Contains(r.Broker.Command, " serve -c ") || r.Usage == nil || r.Usage.CPUSeconds <= 0 {
		t.Errorf("midge run: broker %+v usage %+v", r.Broker, r.Usage)
	}
	if r.Result.Lost != 0 || r.Result.Received != r.Result.Expected {
		t.Errorf("midge pairs-q1: lost %d, received %d of %d", r.Result.Lost, r.Result.Received, r.Result.Expected)
	}
	if r.Stalls != nil {
		t.Errorf("pairs-q1, which has no tail target, probed the machine: %+v", r.Stalls)
	}
	// The latency cases probe the machine before each run.
	for _, b := range []string{"midge", "mosquitto"} {
		l, err := bench.Load(filepath.Join(out, "latency-q0-"+b+"-1.json"))
		if err != nil {
			t.Fatal(err)
		}
		if l.Stalls == nil || l.Stalls.CPUs < 1 || l.Stalls.Seconds != 1 {
			t.Errorf("%s latency-q0: probe %+v", b, l.Stalls)
		}
	}
}

// `midge bench run --inproc --pprof --profile NAME` applies the named
// preset to the broker, records it with the hardware and the emulation
// flag, and writes the profiles beside the record for go tool pprof.
func TestBenchRunInProcWithPprofAndPreset(t *testing.T) {
	t.Setenv(bench.EmulationEnv, "")
	dir := t.TempDir()
	rec := filepath.Join(dir, "p.json")
	var out, errb bytes.Buffer
	code := benchRun(context.Background(), []string{"latency", "--inproc", "--pprof", "--profile", "pi4",
		"--rate", "100", "--duration", "1s", "-o", rec}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	r, err := bench.Load(rec)
	if err != nil {
		t.Fatal(err)
	}
	if r.Board.Preset != "pi4" || !strings.Contains(r.Board.Reason, "asked for by name") || r.Board.Hardware.CPU.Cores == 0 {
		t.Errorf("board %+v", r.Board)
	}
	if r.Emulation != bench.DetectEmulation() {
		t.Errorf("emulation %+v", r.Emulation)
	}
	if r.Pprof == nil || r.Pprof.Source != "inproc" || len(r.Pprof.CPU) == 0 || len(r.Pprof.Heap) == 0 {
		t.Fatalf("pprof %+v", r.Pprof)
	}
	for kind, want := range map[string][]byte{"cpu": r.Pprof.CPU, "heap": r.Pprof.Heap} {
		b, err := os.ReadFile(filepath.Join(dir, "p."+kind+".pprof"))
		if err != nil || !bytes.Equal(b, want) {
			t.Errorf("%s profile file: %v", kind, err)
		}
	}
	out.Reset()
	if code := benchCompare([]string{rec, rec}, &out, &errb); code != 0 || !strings.Contains(out.String(), "Functions whose flat share of CPU changed most") ||
		!strings.Contains(out.String(), "preset pi4") {
		t.Errorf("compare exit %d:\n%s", code, out.String())
	}
	var stderr bytes.Buffer
	for _, bad := range [][]string{{"latency", "--inproc", "--pprof-addr", "127.0.0.1:6060"}} {
		if _, _, err := parseBenchRun(bad, &stderr); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if code := benchRun(context.Background(), []string{"latency", "--inproc", "--profile", "no-such-board", "-o", rec}, &out, &errb); code != 2 {
		t.Errorf("unknown preset: exit %d", code)
	}
	if _, f, err := parseBenchRun([]string{"latency", "--pprof-addr", "127.0.0.1:6060"}, &stderr); err != nil || !f.pprof {
		t.Errorf("--pprof-addr does not imply --pprof: %v", err)
	}
}

// Without mochi-mqtt the suite fails and says how to get it or skip it,
// unless --mochi ” leaves it out explicitly.
func TestBenchSuiteNeedsMochiUnlessDisabled(t *testing.T) {
	dir := t.TempDir()
	midge := filepath.Join(dir, "midge")
	if err := os.WriteFile(midge, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir) // no mochi-broker on PATH either
	var stdout, stderr bytes.Buffer
	code := benchSuite(context.Background(), []string{"--midge", midge, "--mosquitto", "/bin/true", "--markdown", "",
		"--out", filepath.Join(dir, "out"), "--only", "pairs-q1"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "mochi-mqtt broker not found") || !strings.Contains(stderr.String(), "make mochi") {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("the suite started without mochi")
	}
}

// The default mochi-broker is the one next to the midge binary, then the
// one on PATH.
func TestDefaultMochiNextToMidgeThenPath(t *testing.T) {
	bin, onPath := t.TempDir(), t.TempDir()
	t.Setenv("PATH", onPath)
	if got := defaultMochi(filepath.Join(bin, "midge")); got != "" {
		t.Errorf("found %q where there is none", got)
	}
	for _, d := range []string{onPath, bin} {
		if err := os.WriteFile(filepath.Join(d, "mochi-broker"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if got := defaultMochi(filepath.Join(bin, "midge")); got != filepath.Join(bin, "mochi-broker") {
		t.Errorf("next to midge: got %q", got)
	}
	if got := defaultMochi(filepath.Join(t.TempDir(), "midge")); got != filepath.Join(onPath, "mochi-broker") {
		t.Errorf("on PATH: got %q", got)
	}
}

func TestBenchStallsReportsTheProbe(t *testing.T) {
	var out, errb bytes.Buffer
	if code := benchStalls(context.Background(), []string{"--duration", "100ms"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"probed ", "for 0.1s", "gaps ≥ 1ms:", "longest gap:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, bad := range [][]string{{"--duration", "0s"}, {"extra"}, {"--duration", "1h"}} {
		errb.Reset()
		if code := benchStalls(context.Background(), bad, &out, &errb); code != 2 || errb.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errb.String())
		}
	}
}
