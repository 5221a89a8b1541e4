package bench

import (
	"bytes"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// syntheticCPUProfile builds a CPU profile with the pprof library: flat
// nanoseconds per function. A function named "inlined" is reported
// inside "outer" at one location, as the compiler's inlining shows.
func syntheticCPUProfile(t *testing.T, flat map[string]int64) []byte {
	t.Helper()
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
	}
	fn := func(name string) *profile.Function {
		for _, f := range p.Function {
			if f.Name == name {
				return f
			}
		}
		f := &profile.Function{ID: uint64(len(p.Function) + 1), Name: name, SystemName: name, Filename: name + ".go"}
		p.Function = append(p.Function, f)
		return f
	}
	main := fn("main.main")
	for _, name := range slices.Sorted(maps.Keys(flat)) {
		loc := &profile.Location{ID: uint64(len(p.Location) + 1), Address: uint64(0x1000 * (len(p.Location) + 1))}
		if name == "inlined" {
			loc.Line = []profile.Line{{Function: fn("inlined"), Line: 3}, {Function: fn("outer"), Line: 9}}
		} else {
			loc.Line = []profile.Line{{Function: fn(name), Line: 1}}
		}
		caller := &profile.Location{ID: uint64(len(p.Location) + 2), Address: 0x9_0000 + loc.Address, Line: []profile.Line{{Function: main, Line: 5}}}
		p.Location = append(p.Location, loc, caller)
		// Two samples per function, so sums are exercised.
		half := flat[name] / 2
		for _, v := range []int64{half, flat[name] - half} {
			p.Sample = append(p.Sample, &profile.Sample{Location: []*profile.Location{loc, caller}, Value: []int64{v / 10_000_000, v}})
		}
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Board A spends 50% in encode, 30% in match, 20% in an inlined helper;
// board B 20%, 35%, 25%, and 20% in a function A never ran.
var (
	boardA = map[string]int64{"codec.encode": 500e6, "matcher.match": 300e6, "inlined": 200e6}
	boardB = map[string]int64{"codec.encode": 400e6, "matcher.match": 700e6, "inlined": 500e6, "runtime.futex": 400e6}
)

func TestCPUShareChangesLargestFirst(t *testing.T) {
	changes, err := CPUShareChanges(syntheticCPUProfile(t, boardA), syntheticCPUProfile(t, boardB), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []ShareChange{
		{"codec.encode", 0.50, 0.20},  // -30 points
		{"runtime.futex", 0, 0.20},    // +20
		{"inlined", 0.20, 0.25},       // +5: the leaf is the inlined function, not the one it sits in
		{"matcher.match", 0.30, 0.35}, // +5, after "inlined" by name
	}
	if len(changes) != len(want) {
		t.Fatalf("got %+v, want %+v", changes, want)
	}
	for i, w := range want {
		c := changes[i]
		if c.Function != w.Function || math.Abs(c.Before-w.Before) > 1e-9 || math.Abs(c.After-w.After) > 1e-9 {
			t.Errorf("row %d: %+v, want %+v", i, c, w)
		}
	}
	top, err := CPUShareChanges(syntheticCPUProfile(t, boardA), syntheticCPUProfile(t, boardB), 2)
	if err != nil || len(top) != 2 || top[0].Function != "codec.encode" {
		t.Errorf("top 2: %+v, %v", top, err)
	}
	if _, err := CPUShareChanges([]byte("not a profile"), syntheticCPUProfile(t, boardB), 5); err == nil {
		t.Error("garbage accepted as a profile")
	}
}

// Truncated and corrupted profiles return errors, never panic.
func TestParseFlatProfileRejectsDamage(t *testing.T) {
	good := syntheticCPUProfile(t, boardA)
	fp, err := parseFlatProfile(good, "cpu")
	if err != nil || fp.Total != 1000e6 {
		t.Fatalf("good profile: %+v, %v", fp, err)
	}
	var b bytes.Buffer
	p, _ := profile.Parse(bytes.NewReader(good))
	_ = p.WriteUncompressed(&b)
	raw := b.Bytes()
	if fp, err := parseFlatProfile(raw, ""); err != nil || fp.SampleType != "cpu/nanoseconds" || fp.Total != 1000e6 {
		t.Errorf("uncompressed profile: %+v, %v", fp, err)
	}
	if _, err := parseFlatProfile(raw, "alloc_space"); err == nil {
		t.Error("missing sample type accepted")
	}
	for n := 0; n < len(raw); n += 7 {
		_, _ = parseFlatProfile(raw[:n], "cpu") // must not panic
	}
	for _, n := range []int{1, 10, len(good) / 2} {
		if _, err := parseFlatProfile(good[:n], "cpu"); err == nil {
			t.Errorf("gzip cut at %d accepted", n)
		}
	}
}

// compare prints the function shares when both records have profiles,
// and marks an emulated record.
func TestWriteComparisonShowsShareChangesAndEmulation(t *testing.T) {
	a, b := sampleRecord("midge", "latency", 1, 1), sampleRecord("midge", "latency", 2, 2)
	a.Label, b.Label = "ours", "board"
	a.Pprof = &Pprof{Source: "inproc", CPU: syntheticCPUProfile(t, boardA)}
	b.Pprof = &Pprof{Source: "inproc", CPU: syntheticCPUProfile(t, boardB)}
	b.Emulation = Emulation{Emulated: true, Reason: "the kernel is x86_64, this binary is arm64"}
	var out bytes.Buffer
	if err := WriteComparison(&out, []*Record{a, b}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	i := strings.Index(s, "Functions whose flat share of CPU changed most, ours -> board")
	if i < 0 {
		t.Fatalf("no function shares:\n%s", s)
	}
	rows := strings.Split(strings.TrimSpace(s[i:]), "\n")
	if len(rows) < 3 || !strings.Contains(rows[2], "codec.encode") || !strings.Contains(rows[2], "50.0%") ||
		!strings.Contains(rows[2], "20.0%") || !strings.Contains(rows[2], "-30.0 pt") {
		t.Errorf("first function row %q:\n%s", rows[min(2, len(rows)-1)], s)
	}
	if !strings.Contains(s, "board: ") || !strings.Contains(s, EmulatedLabel) || strings.Count(s, EmulatedLabel) != 1 {
		t.Errorf("emulated record not marked once:\n%s", s)
	}
	var tbl bytes.Buffer
	if err := WriteTable(&tbl, []*Record{a, b}); err != nil || !strings.Contains(tbl.String(), "board (emulated)") ||
		!strings.Contains(tbl.String(), EmulatedLabel) {
		t.Errorf("table does not mark the emulated run:\n%s", tbl.String())
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, "boards", []*Record{a, b}); err != nil || strings.Count(page.String(), EmulatedLabel) != 1 {
		t.Errorf("report page marks the emulated run %d times (want 1), %v", strings.Count(page.String(), EmulatedLabel), err)
	}
	// Runs that share a label are told apart by board, then by position.
	a.Label, b.Label = "midge latency q0", "midge latency q0"
	a.Board.Preset, a.Board.Hardware.GoArch = "small-vm", "amd64"
	b.Board.Preset, b.Board.Hardware.GoArch = "pi4", "arm64"
	out.Reset()
	_ = WriteComparison(&out, []*Record{a, b, b})
	for _, want := range []string{"changed most, midge latency q0 on small-vm/amd64 -> midge latency q0 on pi4/arm64 #2:",
		"midge latency q0 on pi4/arm64 #3"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("comparison lacks %q:\n%s", want, out.String())
		}
	}
	if a.Label != "midge latency q0" {
		t.Error("comparison relabelled the caller's record")
	}
	// Without a profile on one side there is nothing to set beside.
	b.Pprof = nil
	out.Reset()
	_ = WriteComparison(&out, []*Record{a, b})
	if strings.Contains(out.String(), "Functions whose") {
		t.Error("function shares printed without two profiles")
	}
}
