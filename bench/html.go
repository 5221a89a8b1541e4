package bench

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/midge-mqtt/midge/loadgen"
)

// chartGroup is the charts of the runs of one case.
type chartGroup struct {
	Title  string
	Charts []template.HTML
}

type recordGroup struct {
	title string
	recs  []*Record
}

// groupRecords puts runs of the same case (their label without the broker
// name: "fanin q1", "pairs-q1") together, in the order they first appear,
// so each case's charts compare its brokers. One group has no title.
func groupRecords(recs []*Record) []recordGroup {
	var out []recordGroup
	index := map[string]int{}
	for _, r := range recs {
		key := strings.TrimPrefix(r.Label, r.Broker.Name+" ")
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, recordGroup{title: key})
		}
		out[i].recs = append(out[i].recs, r)
	}
	if len(out) == 1 {
		out[0].title = ""
	}
	return out
}

// htmlID keeps letters and digits of s and turns the rest into '-'.
func htmlID(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, s)
}

// buildCharts turns records into the report's charts; charts no record
// has data for are left out.
func buildCharts(recs []*Record) []*chart {
	lat := &chart{ID: "latency", Title: "End-to-end latency by percentile (from the intended send time)",
		XLabel: "percentile", YLabel: "latency (µs)", LogX: true, LogY: true, XTicks: ninesTicks}
	tput := &chart{ID: "throughput", Title: "Throughput over time (solid: received, dashed: sent)",
		XLabel: "seconds since the first message was due", YLabel: "messages per second"}
	conn := &chart{ID: "connect", Title: "Connect latency by percentile (dashed: reconnect after a storm)",
		XLabel: "percentile", YLabel: "CONNECT to CONNACK (µs)", LogX: true, LogY: true, XTicks: ninesTicks}
	rss := &chart{ID: "memory", Title: "Broker resident memory", XLabel: "seconds since the run started", YLabel: "RSS (MiB)"}
	cpu := &chart{ID: "cpu", Title: "Broker CPU (100% = one core)", XLabel: "seconds since the run started", YLabel: "CPU %"}
	curve := func(s []loadgen.PercentilePoint) []point {
		var pts []point
		for _, p := range s {
			pts = append(pts, point{X: percentileX(p.Percentile), Y: p.Us, Title: fmt.Sprintf("p%g %s", p.Percentile, fmtUs(p.Us))})
		}
		return pts
	}
	for i, r := range recs {
		color := palette[i%len(palette)]
		res := r.Result
		if res.Latency.Count > 0 {
			name := r.Label
			if res.LatencyFrom == "subscribe" {
				name += " (from SUBSCRIBE)"
			}
			lat.Series = append(lat.Series, line{Name: name, Color: color, Points: curve(res.Latency.Curve)})
		}
		if len(res.Series) > 0 && res.Sent > 0 {
			var sent, recv []point
			bucket := time.Duration(res.SeriesBucket).Seconds()
			if bucket <= 0 {
				bucket = 1
			}
			for _, s := range res.Series {
				mid := s.T + bucket/2 // a count covers [T, T+bucket)
				sent = append(sent, point{X: mid, Y: float64(s.Sent) / bucket})
				recv = append(recv, point{X: mid, Y: float64(s.Received) / bucket, Title: fmt.Sprintf("%.2f-%.2fs: %.0f/s received", s.T, s.T+bucket, float64(s.Received)/bucket)})
			}
			tput.Series = append(tput.Series, line{Name: r.Label + " received", Color: color, Points: recv},
				line{Name: r.Label + " sent", Color: color, Dashed: true, Points: sent})
		}
		if res.Connect.Latency.Count > 0 {
			conn.Series = append(conn.Series, line{Name: r.Label, Color: color, Points: curve(res.Connect.Latency.Curve)})
		}
		if res.Reconnect != nil && res.Reconnect.Latency.Count > 0 {
			conn.Series = append(conn.Series, line{Name: r.Label + " reconnect", Color: color, Dashed: true, Points: curve(res.Reconnect.Latency.Curve)})
		}
		if r.Usage != nil && len(r.Usage.Samples) > 0 {
			var m, c []point
			for _, s := range r.Usage.Samples {
				m = append(m, point{X: s.T, Y: float64(s.RSS) / (1 << 20), Title: fmt.Sprintf("t=%.1fs %s", s.T, fmtBytes(float64(s.RSS)))})
				c = append(c, point{X: s.T, Y: s.CPUPercent, Title: fmt.Sprintf("t=%.1fs %.0f%%", s.T, s.CPUPercent)})
			}
			rss.Series = append(rss.Series, line{Name: r.Label, Color: color, Points: m})
			cpu.Series = append(cpu.Series, line{Name: r.Label, Color: color, Points: c})
		}
	}
	var out []*chart
	for _, c := range []*chart{lat, tput, conn, rss, cpu} {
		if len(c.Series) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// WriteHTML writes one self-contained page (styles, script and charts
// inline; no network access needed to view it) with the summary table,
// the charts and each run's details.
func WriteHTML(w io.Writer, title string, recs []*Record) error {
	var groups []chartGroup
	for _, g := range groupRecords(recs) {
		cg := chartGroup{Title: g.title}
		for _, c := range buildCharts(g.recs) {
			if g.title != "" {
				c.ID += "-" + htmlID(g.title)
			}
			cg.Charts = append(cg.Charts, template.HTML(c.svg()))
		}
		groups = append(groups, cg)
	}
	var summary bytes.Buffer
	summaryTable(recs).writeHTML(&summary)
	var cmp template.HTML
	if len(recs) > 1 {
		var b bytes.Buffer
		comparisonTable(recs).writeHTML(&b)
		cmp = template.HTML(b.String())
	}
	return pageTemplate.Execute(w, map[string]any{
		"Title":     title,
		"Generated": time.Now().UTC().Format(time.RFC3339),
		"Summary":   template.HTML(summary.String()),
		"Compare":   cmp,
		"Groups":    groups,
		"Records":   recs,
	})
}

func (t *table) writeHTML(w io.Writer) {
	fmt.Fprint(w, "<table><thead><tr>")
	for _, h := range t.head {
		fmt.Fprintf(w, "<th>%s</th>", template.HTMLEscapeString(h))
	}
	fmt.Fprint(w, "</tr></thead><tbody>")
	for _, r := range t.rows {
		fmt.Fprint(w, "<tr>")
		for _, c := range r {
			fmt.Fprintf(w, "<td>%s</td>", template.HTMLEscapeString(c))
		}
		fmt.Fprint(w, "</tr>")
	}
	fmt.Fprint(w, "</tbody></table>")
}

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"rfc3339": func(t time.Time) string { return t.Format(time.RFC3339) },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<script>window.addEventListener('error', function (e) { document.documentElement.setAttribute('data-script-error', String(e.message)); });</script>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px auto; max-width: 1200px; color: #1b1f24; background: #fff; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h3 { font-size: 15px; margin: 18px 0 8px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d8dee4; padding-bottom: 4px; }
.meta { color: #57606a; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eaeef2; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f6f8fa; font-weight: 600; }
.scroll { overflow-x: auto; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 0; border: 1px solid #d8dee4; border-radius: 6px; padding: 8px 10px; background: #fff; box-sizing: border-box; flex: 0 1 592px; max-width: 592px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg { max-width: 100%; height: auto; }
svg .plot { fill: #fbfcfd; stroke: #d0d7de; }
svg .grid { stroke: #e6e9ec; }
svg .tick { font-size: 11px; fill: #57606a; }
svg .label { font-size: 12px; fill: #1b1f24; }
.legend { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 4px; }
.key { font: inherit; font-size: 12px; border: 1px solid #d0d7de; background: #f6f8fa; border-radius: 4px; padding: 2px 8px; cursor: pointer; }
.key.off { opacity: .4; }
.swatch { display: inline-block; width: 18px; height: 0; vertical-align: middle; margin-right: 6px; }
details { margin: 6px 0; } pre { background: #f6f8fa; padding: 8px; overflow-x: auto; font-size: 12px; }
#render-status { color: #57606a; font-size: 12px; }
</style></head>
<body>
<h1>{{.Title}}</h1>
<p class="meta">Generated {{.Generated}} by <code>midge bench report</code>. Latency is measured from each message's intended send time (open loop), so queueing in the broker or the client is counted. Click a legend entry to hide a series; hover a point for its value.</p>
<h2>Summary</h2>
<div class="scroll">{{.Summary}}</div>
{{if .Compare}}<h2>Side by side (ratios to the first run)</h2><div class="scroll">{{.Compare}}</div>{{end}}
<h2>Charts</h2>
{{range .Groups}}{{if .Title}}<h3>{{.Title}}</h3>{{end}}<div class="charts">{{range .Charts}}{{.}}{{end}}</div>
{{end}}
<p id="render-status">charts not checked (scripts off)</p>
<h2>Runs</h2>
{{range .Records}}<details><summary><b>{{.Label}}</b>: {{.Broker.Name}} {{.Broker.Version}} ({{.Broker.Mode}}) on {{.Board.Preset}}, {{.Go}}, commit {{.Commit}}, {{rfc3339 .Date}}{{if .Emulation.Emulated}} <b class="emulated">(emulated — not a board figure)</b>{{end}}</summary>
<p>Command: <code>{{.Command}}</code>{{if .Broker.Command}}<br>Broker command: <code>{{.Broker.Command}}</code>{{end}}<br>
Board: {{.Board.Hardware.CPU.Brand}} {{.Board.Hardware.CPU.Arch}}, {{.Board.Hardware.CPU.Cores}} cores{{if .Emulation.Emulated}}, emulated ({{.Emulation.Reason}}){{end}}. Scenario: {{.Scenario}}, {{.Result.Params.Publishers}} publishers, {{.Result.Params.Subscribers}} subscribers, {{.Result.Params.Rate}} msg/s each, QoS {{.Result.Params.QoS}}, {{.Result.Params.PayloadSize}} byte payloads, MQTT version {{.Result.Params.Version}}.
Sent {{.Result.Sent}} of {{.Result.Scheduled}} scheduled; {{.Result.Received}} of {{.Result.Expected}} deliveries; lost {{.Result.Lost}}, duplicates {{.Result.Duplicates}}, reordered {{.Result.Reordered}}.{{if .Result.Errors}} Errors: {{.Result.Errors}}.{{end}}{{if .Result.Interrupted}} Interrupted before the end.{{end}}</p>
</details>{{end}}
<script>
(function () {
  var status = document.getElementById('render-status');
  var charts = document.querySelectorAll('figure.chart');
  var drawn = 0, empty = [];
  charts.forEach(function (fig) {
    var n = 0;
    fig.querySelectorAll('g.series').forEach(function (g) {
      var path = g.querySelector('path');
      if (Number(g.getAttribute('data-points')) > 0 && path && path.getAttribute('d').length > 0) { n++; }
    });
    fig.setAttribute('data-drawn-series', String(n));
    if (n > 0) { drawn++; } else { empty.push(fig.id); }
  });
  document.querySelectorAll('.legend .key').forEach(function (key) {
    key.addEventListener('click', function () {
      var g = key.closest('figure').querySelector('g.series[data-series="' + key.getAttribute('data-series') + '"]');
      var hidden = g.style.display === 'none';
      g.style.display = hidden ? '' : 'none';
      key.classList.toggle('off', !hidden);
    });
  });
  status.textContent = 'charts drawn: ' + drawn + ' of ' + charts.length + (empty.length ? ' (empty: ' + empty.join(', ') + ')' : '');
  document.body.setAttribute('data-charts', String(charts.length));
  document.body.setAttribute('data-report-ready', empty.length || charts.length === 0 ? 'empty-charts' : 'ok');
})();
</script>
</body></html>
`))
