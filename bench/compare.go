package bench

import (
	"fmt"
	"io"
	"time"
)

// metric is one comparable figure of a record; lower says whether smaller
// is better (latency) or worse (throughput).
type metric struct {
	name   string
	value  func(*Record) float64
	format func(float64) string
	lower  bool
}

func usage(f func(*Usage) float64) func(*Record) float64 {
	return func(r *Record) float64 {
		if r.Usage == nil {
			return 0
		}
		return f(r.Usage)
	}
}

var metrics = []metric{
	{"offered rate", func(r *Record) float64 { return r.Result.OfferedRate }, fmtRate, false},
	{"achieved rate", func(r *Record) float64 { return r.Result.AchievedRate }, fmtRate, false},
	{"delivered rate", func(r *Record) float64 { return r.Result.DeliveredRate }, fmtRate, false},
	{"latency p50", func(r *Record) float64 { return r.Result.Latency.P50Us }, fmtUs, true},
	{"latency p90", func(r *Record) float64 { return r.Result.Latency.P90Us }, fmtUs, true},
	{"latency p99", func(r *Record) float64 { return r.Result.Latency.P99Us }, fmtUs, true},
	{"latency p99.9", func(r *Record) float64 { return r.Result.Latency.P999Us }, fmtUs, true},
	{"latency p99.99", func(r *Record) float64 { return r.Result.Latency.P9999Us }, fmtUs, true},
	{"latency max", func(r *Record) float64 { return r.Result.Latency.MaxUs }, fmtUs, true},
	{"transit p50", func(r *Record) float64 { return r.Result.Transit.P50Us }, fmtUs, true},
	{"transit p99", func(r *Record) float64 { return r.Result.Transit.P99Us }, fmtUs, true},
	{"generator lag p99", func(r *Record) float64 { return r.Result.SendLag.P99Us }, fmtUs, true},
	{"lost", func(r *Record) float64 { return float64(r.Result.Lost) }, fmtNum, true},
	{"duplicates", func(r *Record) float64 { return float64(r.Result.Duplicates) }, fmtNum, true},
	{"reordered", func(r *Record) float64 { return float64(r.Result.Reordered) }, fmtNum, true},
	{"connect rate", func(r *Record) float64 { return r.Result.Connect.Rate }, fmtRate, false},
	{"connect p50", func(r *Record) float64 { return r.Result.Connect.Latency.P50Us }, fmtUs, true},
	{"connect p99", func(r *Record) float64 { return r.Result.Connect.Latency.P99Us }, fmtUs, true},
	{"reconnect p99", func(r *Record) float64 {
		if r.Result.Reconnect == nil {
			return 0
		}
		return r.Result.Reconnect.Latency.P99Us
	}, fmtUs, true},
	{"reconnect all", func(r *Record) float64 {
		if r.Result.Reconnect == nil {
			return 0
		}
		return float64(time.Duration(r.Result.Reconnect.Span).Microseconds())
	}, fmtUs, true},
	{"broker cpu", usage(func(u *Usage) float64 { return u.CPUPercent }), fmtPct, true},
	{"broker cpu time", usage(func(u *Usage) float64 { return u.CPUSeconds }), fmtSec, true},
	{"broker rss peak", usage(func(u *Usage) float64 { return float64(u.RSSPeak) }), fmtBytes, true},
	{"broker rss/conn", usage(func(u *Usage) float64 { return u.RSSPerConn }), fmtBytes, true},
	{"generator cpu", func(r *Record) float64 { return r.GeneratorCPUPercent }, fmtPct, true},
}

func fmtNum(v float64) string { return fmt.Sprintf("%.0f", v) }
func fmtPct(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", v)
}
func fmtSec(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fs", v)
}

// ratio renders b/a ("1.25x"), or "-" when it means nothing.
func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "-"
	}
	if r := b / a; r < 0.1 {
		return fmt.Sprintf("%.3fx", r)
	}
	return fmt.Sprintf("%.2fx", b/a)
}

// comparisonTable sets records side by side, one row per figure any of
// them has, with each run's ratio to the first.
func comparisonTable(recs []*Record) *table {
	t := &table{head: []string{"figure"}}
	for i, r := range recs {
		t.head = append(t.head, r.Label)
		if i > 0 {
			t.head = append(t.head, "vs "+recs[0].Label)
		}
	}
	for _, m := range metrics {
		row := []string{m.name}
		any := false
		base := m.value(recs[0])
		for i, r := range recs {
			v := m.value(r)
			any = any || v != 0
			row = append(row, m.format(v))
			if i > 0 {
				row = append(row, ratio(base, v))
			}
		}
		if any {
			t.add(row...)
		}
	}
	return t
}

// WriteComparison prints the records side by side with ratios to the
// first one (for latency, memory and CPU a ratio below 1 is better; for
// rates, above 1).
func WriteComparison(w io.Writer, recs []*Record) error {
	if len(recs) == 0 {
		return fmt.Errorf("bench: nothing to compare")
	}
	recs = distinctLabels(recs)
	for _, r := range recs {
		fmt.Fprintf(w, "%s: %s %s, %s, preset %s, commit %s, %s, %s%s\n", r.Label, r.Broker.Name, r.Broker.Version,
			boardName(r), r.Board.Preset, r.Commit, r.Go, r.Date.Format(time.RFC3339), emulatedNote(r))
	}
	fmt.Fprintln(w)
	if err := comparisonTable(recs).writeText(w); err != nil {
		return err
	}
	writeShareChanges(w, recs)
	return nil
}

// emulatedNote is " (emulated — not a board figure: REASON)" for a record
// made under emulation, else "".
func emulatedNote(r *Record) string {
	if !r.Emulation.Emulated {
		return ""
	}
	return " (" + EmulatedLabel + ": " + r.Emulation.Reason + ")"
}

// boardName names the machine of a record: its board model, else its
// processor, with the architecture and core count.
func boardName(r *Record) string {
	hw := r.Board.Hardware
	name := hw.Board.Model
	if name == "" {
		name = hw.Board.Product
	}
	if name == "" {
		name = hw.CPU.Brand
	}
	if name == "" {
		name = hw.CPU.Core
	}
	if name == "" {
		name = "unknown board"
	}
	arch := hw.GoArch
	if arch == "" {
		arch = hw.CPU.Arch
	}
	return fmt.Sprintf("%s (%s, %d cores)", name, arch, hw.CPU.Cores)
}

// distinctLabels returns recs, with shallow copies relabelled where labels
// repeat (the same scenario on two boards): the board's preset and
// architecture are added, then the record's position if still needed.
func distinctLabels(recs []*Record) []*Record {
	out := append([]*Record(nil), recs...)
	relabel := func(suffix func(i int, r *Record) string) bool {
		count := map[string]int{}
		for _, r := range out {
			count[r.Label]++
		}
		changed := false
		for i, r := range out {
			if count[r.Label] > 1 {
				c := *r
				c.Label += suffix(i, r)
				out[i], changed = &c, true
			}
		}
		return changed
	}
	if relabel(func(_ int, r *Record) string {
		arch := r.Board.Hardware.GoArch
		if arch == "" {
			arch = r.Board.Hardware.CPU.Arch
		}
		return " on " + r.Board.Preset + "/" + arch
	}) {
		relabel(func(i int, _ *Record) string { return fmt.Sprintf(" #%d", i+1) })
	}
	return out
}
