package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestHTMLIsSelfContainedAndEveryChartHasData(t *testing.T) {
	recs := []*Record{sampleRecord("midge", "fanin", 1, 1), sampleRecord("mosquitto", "storm", 1.6, 2)}
	var b bytes.Buffer
	if err := WriteHTML(&b, "test report", recs); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	// Boards are often offline: nothing may be fetched.
	for _, bad := range []string{"<link", " src=", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page references an external resource (%q)", bad)
		}
	}
	if refs := regexp.MustCompile(`https?://[^"\s<]+`).FindAllString(page, -1); len(refs) != strings.Count(page, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("page has URLs besides the SVG namespace: %v", refs)
	}
	// Two cases: each gets its own charts.
	for _, id := range []string{"latency-fanin-q1", "throughput-fanin-q1", "connect-fanin-q1", "memory-fanin-q1", "cpu-fanin-q1",
		"connect-storm-q1", "memory-storm-q1", "cpu-storm-q1"} {
		if !strings.Contains(page, `<figure class="chart" id="`+id+`">`) {
			t.Errorf("chart %s missing", id)
		}
	}
	if !strings.Contains(page, "<h3>fanin q1</h3>") || !strings.Contains(page, "<h3>storm q1</h3>") {
		t.Error("charts not grouped by case")
	}
	for _, c := range buildCharts(recs) {
		for _, s := range c.Series {
			if len(s.Points) == 0 {
				t.Errorf("chart %s series %s is empty", c.ID, s.Name)
			}
		}
	}
	if strings.Contains(page, `data-points="0"`) {
		t.Error("a series has no drawable point")
	}
	for _, r := range recs {
		if !strings.Contains(page, r.Label) {
			t.Errorf("page does not name %s", r.Label)
		}
	}
}

func TestTablesAndComparison(t *testing.T) {
	a, b := sampleRecord("midge", "fanin", 1, 1), sampleRecord("mosquitto", "fanin", 2, 1)
	var out bytes.Buffer
	if err := WriteComparison(&out, []*Record{a, b}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, "latency p99") || !strings.Contains(s, "2.00x") {
		t.Errorf("comparison lacks the p99 row or the 2x RSS ratio:\n%s", s)
	}
	for _, row := range []string{"transit p50", "transit p99", "generator lag p99"} {
		if !strings.Contains(s, row) {
			t.Errorf("comparison lacks the %s row:\n%s", row, s)
		}
	}
	out.Reset()
	if err := WriteTable(&out, []*Record{a, b}); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(out.String(), "\n"); lines != 3 {
		t.Errorf("table has %d lines, want a header and two rows:\n%s", lines, out.String())
	}
	if !strings.Contains(out.String(), "transit p99") {
		t.Errorf("table lacks the transit column:\n%s", out.String())
	}
	if ratio(0, 1) != "-" || ratio(2, 1) != "0.50x" {
		t.Error("ratio")
	}
	for in, want := range map[float64]string{0.5: "0.5µs", 1500: "1.50ms", 2.5e6: "2.50s"} {
		if got := fmtUs(in); got != want {
			t.Errorf("fmtUs(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestSuiteMarkdownReplacesOnlyItsSection(t *testing.T) {
	doc := "# b\n<!-- codec:begin -->\nkeep\n<!-- codec:end -->\n<!-- suite:begin -->\nold\n<!-- suite:end -->\ntail\n"
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	recs := []*Record{sampleRecord("midge", "fanin", 1, 1), sampleRecord("mosquitto", "fanin", 2, 1)}
	for _, r := range recs {
		r.Label = r.Broker.Name + " fanin-q1"
	}
	var sec bytes.Buffer
	WriteSuiteMarkdown(&sec, recs, "midge bench suite", 3)
	if err := UpdateMarkdownSection(path, "suite", sec.String()); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	s := string(got)
	if strings.Contains(s, "\nold\n") || !strings.Contains(s, "keep") || !strings.HasSuffix(s, "<!-- suite:end -->\ntail\n") {
		t.Errorf("section not replaced in place:\n%s", s)
	}
	wantAll(t, s, "`midge bench suite`", "| fanin-q1 | midge 1.0 |", "| fanin-q1 | mosquitto 1.0 |", "commit abc123", "0.50x", "ran 3 times",
		"- fanin-q1: 100 publishers x 100 msg/s")
	if err := UpdateMarkdownSection(path, "nope", "x"); err == nil {
		t.Error("missing markers accepted")
	}
}

func TestReadProcFixture(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "77")
	os.MkdirAll(dir, 0o755)
	// comm with a space and a parenthesis, as /proc allows
	stat := "77 (my (broker) x) S 1 77 77 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 100 1000000 300 18446744073709551615\n"
	os.WriteFile(filepath.Join(dir, "stat"), []byte(stat), 0o644)
	os.WriteFile(filepath.Join(dir, "status"), []byte("Name:\tx\nVmRSS:\t    2048 kB\nThreads:\t3\n"), 0o644)
	s, err := readProc(root, 77)
	if err != nil {
		t.Fatal(err)
	}
	if s.cpu != 3*time.Second || s.rss != 2<<20 || s.wait != 0 { // (250+50) ticks at 100 Hz; no task dir
		t.Fatalf("cpu %v rss %d wait %v", s.cpu, s.rss, s.wait)
	}
	// Each thread's schedstat: CPU time, run-queue wait, timeslices (ns).
	for tid, line := range map[string]string{"77": "900 1500000 12\n", "80": "100 2500000 3\n", "81": "garbled\n"} {
		os.MkdirAll(filepath.Join(dir, "task", tid), 0o755)
		os.WriteFile(filepath.Join(dir, "task", tid, "schedstat"), []byte(line), 0o644)
	}
	os.MkdirAll(filepath.Join(dir, "task", "82"), 0o755) // ended: no schedstat
	if s, err = readProc(root, 77); err != nil || s.wait != 4*time.Millisecond {
		t.Fatalf("wait %v err %v, want the threads' 1.5 + 2.5 ms", s.wait, err)
	}
	if _, err := readProc(root, 78); err == nil {
		t.Fatal("missing process read")
	}
}

func TestLoadRefusesUnknownSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	r := sampleRecord("midge", "fanin", 1, 1)
	r.Schema = SchemaVersion + 1
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil {
		t.Fatal("newer schema accepted")
	}
}

func TestMedianRunPicksTheMiddleKeyFigure(t *testing.T) {
	var runs []*Record
	for _, p99 := range []float64{900, 100, 300} {
		r := sampleRecord("midge", "fanin", 1, 1)
		r.Result.Latency.P99Us = p99
		runs = append(runs, r)
	}
	if got := medianRun(runs).Result.Latency.P99Us; got != 300 {
		t.Errorf("median p99 run has %v", got)
	}
	var conns []*Record
	for _, rate := range []float64{500, 2000, 1000, 3000} {
		r := sampleRecord("midge", "conns", 1, 1)
		r.Result.Latency = loadgenSummaryZero()
		r.Result.Connect.Rate = rate
		conns = append(conns, r)
	}
	if got := medianRun(conns).Result.Connect.Rate; got != 2000 {
		t.Errorf("median connect-rate run has %v", got)
	}
}
