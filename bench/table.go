package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// table is a grid of text rendered as aligned text or Markdown.
type table struct {
	head []string
	rows [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(t.head, "\t")+"\t")
	for _, r := range t.rows {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	return tw.Flush()
}

func (t *table) writeMarkdown(w io.Writer) {
	fmt.Fprintln(w, "| "+strings.Join(t.head, " | ")+" |")
	seps := make([]string, len(t.head))
	for i := range seps {
		seps[i] = "---:"
		if i == 0 {
			seps[i] = "---"
		}
	}
	fmt.Fprintln(w, "| "+strings.Join(seps, " | ")+" |")
	for _, r := range t.rows {
		fmt.Fprintln(w, "| "+strings.Join(r, " | ")+" |")
	}
}

// fmtUs renders microseconds with a unit that keeps three digits.
func fmtUs(us float64) string {
	switch {
	case us == 0:
		return "-"
	case us < 1000:
		return fmt.Sprintf("%.1fµs", us)
	case us < 1e6:
		return fmt.Sprintf("%.2fms", us/1e3)
	default:
		return fmt.Sprintf("%.2fs", us/1e6)
	}
}

// fmtRate renders a per-second rate.
func fmtRate(v float64) string {
	switch {
	case v == 0:
		return "-"
	case v >= 1e6:
		return fmt.Sprintf("%.2fM/s", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1fk/s", v/1e3)
	default:
		return fmt.Sprintf("%.0f/s", v)
	}
}

// fmtBytes renders a size in binary units.
func fmtBytes(v float64) string {
	switch {
	case v == 0:
		return "-"
	case v >= 1<<30:
		return fmt.Sprintf("%.2fGiB", v/(1<<30))
	case v >= 1<<20:
		return fmt.Sprintf("%.1fMiB", v/(1<<20))
	case v >= 1<<10:
		return fmt.Sprintf("%.1fKiB", v/(1<<10))
	default:
		return fmt.Sprintf("%.0fB", v)
	}
}

func fmtCount(v uint64) string { return fmt.Sprint(v) }

func fmtDur(d time.Duration) string { return d.Round(time.Millisecond).String() }

// summaryTable has one row per record with the headline figures.
func summaryTable(recs []*Record) *table {
	t := &table{head: []string{"run", "broker", "qos", "offered", "achieved", "delivered",
		"p50", "p99", "p99.9", "max", "transit p99", "lost", "dup", "reord", "conn/s", "conn p99", "cpu", "rss peak", "gen cpu"}}
	for _, r := range recs {
		res := r.Result
		cpu, rss := "-", "-"
		if r.Usage != nil {
			cpu = fmt.Sprintf("%.0f%%", r.Usage.CPUPercent)
			rss = fmtBytes(float64(r.Usage.RSSPeak))
			if r.Usage.Shared {
				cpu += "*"
			}
		}
		lost := fmtCount(res.Lost)
		if res.Interrupted {
			lost += " (stopped)"
		}
		run := r.Label
		if r.Emulation.Emulated {
			run += " (emulated)"
		}
		t.add(run, r.Broker.Name+" "+r.Broker.Version, fmt.Sprint(res.Params.QoS),
			fmtRate(res.OfferedRate), fmtRate(res.AchievedRate), fmtRate(res.DeliveredRate),
			fmtUs(res.Latency.P50Us), fmtUs(res.Latency.P99Us), fmtUs(res.Latency.P999Us), fmtUs(res.Latency.MaxUs),
			fmtUs(res.Transit.P99Us), lost, fmtCount(res.Duplicates), fmtCount(res.Reordered),
			fmtRate(res.Connect.Rate), fmtUs(res.Connect.Latency.P99Us), cpu, rss, fmtPct(r.GeneratorCPUPercent))
	}
	return t
}

// WriteTable prints one line per record with the headline figures.
func WriteTable(w io.Writer, recs []*Record) error {
	if err := summaryTable(recs).writeText(w); err != nil {
		return err
	}
	for _, r := range recs {
		if len(r.Result.Errors) > 0 {
			fmt.Fprintf(w, "%s errors: %v\n", r.Label, r.Result.Errors)
		}
		if r.Result.Reconnect != nil {
			fmt.Fprintf(w, "%s reconnect after the storm: %d of %d in %s, p50 %s, p99 %s, max %s\n", r.Label,
				r.Result.Reconnect.Connected, r.Result.Reconnect.Attempts, fmtDur(time.Duration(r.Result.Reconnect.Span)),
				fmtUs(r.Result.Reconnect.Latency.P50Us), fmtUs(r.Result.Reconnect.Latency.P99Us), fmtUs(r.Result.Reconnect.Latency.MaxUs))
		}
		if r.Usage != nil && r.Usage.RSSPerConn > 0 {
			fmt.Fprintf(w, "%s broker memory per connection: %s\n", r.Label, fmtBytes(r.Usage.RSSPerConn))
		}
		if r.Emulation.Emulated {
			fmt.Fprintf(w, "%s: %s (%s)\n", r.Label, EmulatedLabel, r.Emulation.Reason)
		}
		if r.Usage != nil && r.Usage.Shared {
			fmt.Fprintf(w, "%s *: broker in the benchmark's process; CPU and memory include the load generator\n", r.Label)
		}
	}
	return nil
}
