package bench

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// chart is one SVG line chart, drawn here so the report needs no script
// library and works offline.
type chart struct {
	ID, Title, XLabel, YLabel string
	LogX, LogY                bool
	// XTicks, when set, replaces the automatic ticks of the x axis.
	XTicks []tick
	Series []line
}

type tick struct {
	At    float64
	Label string
}

// line is one series of a chart.
type line struct {
	Name   string
	Dashed bool
	Color  string
	Points []point
}

type point struct {
	X, Y  float64
	Title string // shown on hover
}

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"}

const (
	chartW, chartH                     = 570, 320
	marginL, marginR, marginT, marginB = 70, 20, 30, 50
)

// axis maps data values onto pixels, linearly or by log10.
type axis struct {
	lo, hi   float64
	log      bool
	from, to float64 // pixels
}

func (a axis) tr(v float64) float64 { // value -> scaled
	if a.log {
		return math.Log10(math.Max(v, 1e-9))
	}
	return v
}

func (a axis) px(v float64) float64 {
	lo, hi := a.tr(a.lo), a.tr(a.hi)
	if hi == lo {
		return (a.from + a.to) / 2
	}
	return a.from + (a.tr(v)-lo)/(hi-lo)*(a.to-a.from)
}

// ticks returns round values to label on the axis.
func (a axis) ticks() []tick {
	var out []tick
	if a.log {
		for e := math.Floor(math.Log10(a.lo)); e <= math.Ceil(math.Log10(a.hi)); e++ {
			v := math.Pow(10, e)
			if v >= a.lo*0.999 && v <= a.hi*1.001 {
				out = append(out, tick{v, shortNum(v)})
			}
		}
		return out
	}
	span := a.hi - a.lo
	if span <= 0 {
		return []tick{{a.lo, shortNum(a.lo)}}
	}
	step := math.Pow(10, math.Floor(math.Log10(span/5)))
	for _, m := range []float64{1, 2, 5, 10} {
		if span/(step*m) <= 6 {
			step *= m
			break
		}
	}
	for v := math.Ceil(a.lo/step) * step; v <= a.hi+step/1e6; v += step {
		out = append(out, tick{v, shortNum(v)})
	}
	return out
}

func shortNum(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e6), ".0") + "M"
	case a >= 1e3:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v/1e3), ".0") + "k"
	case a >= 1 || a == 0:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
	default:
		return fmt.Sprintf("%.2g", v)
	}
}

// bounds returns the data range over every series (positive values only
// on log axes).
func (c *chart) bounds() (xlo, xhi, ylo, yhi float64, ok bool) {
	xlo, ylo = math.Inf(1), math.Inf(1)
	xhi, yhi = math.Inf(-1), math.Inf(-1)
	for _, s := range c.Series {
		for _, p := range s.Points {
			if (c.LogX && p.X <= 0) || (c.LogY && p.Y <= 0) {
				continue
			}
			xlo, xhi = math.Min(xlo, p.X), math.Max(xhi, p.X)
			ylo, yhi = math.Min(ylo, p.Y), math.Max(yhi, p.Y)
			ok = true
		}
	}
	if !c.LogY {
		ylo = math.Min(ylo, 0)
	}
	if yhi == ylo {
		yhi = ylo + 1
		if c.LogY {
			ylo, yhi = ylo/2, yhi*2
		}
	}
	if c.LogY {
		ylo, yhi = math.Pow(10, math.Floor(math.Log10(ylo))), math.Pow(10, math.Ceil(math.Log10(yhi)))
	} else {
		yhi *= 1.05
	}
	if xhi == xlo {
		xhi = xlo + 1
	}
	return xlo, xhi, ylo, yhi, ok
}

// svg renders the chart; a chart with no drawable point renders a note
// instead of axes.
func (c *chart) svg() string {
	var b strings.Builder
	xlo, xhi, ylo, yhi, ok := c.bounds()
	fmt.Fprintf(&b, `<figure class="chart" id="%s"><figcaption>%s</figcaption>`, html.EscapeString(c.ID), html.EscapeString(c.Title))
	if !ok {
		b.WriteString(`<p class="empty">no data</p></figure>`)
		return b.String()
	}
	x := axis{lo: xlo, hi: xhi, log: c.LogX, from: marginL, to: chartW - marginR}
	y := axis{lo: ylo, hi: yhi, log: c.LogY, from: chartH - marginB, to: marginT}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img">`, chartW, chartH, chartW, chartH)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" class="plot"/>`, marginL, marginT, chartW-marginL-marginR, chartH-marginT-marginB)
	xt := c.XTicks
	if xt == nil {
		xt = x.ticks()
	}
	for _, t := range xt {
		if t.At < xlo || t.At > xhi {
			continue
		}
		px := x.px(t.At)
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" y1="%d" x2="%.1f" y2="%d"/>`, px, marginT, px, chartH-marginB)
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%d" text-anchor="middle">%s</text>`, px, chartH-marginB+16, html.EscapeString(t.Label))
	}
	for _, t := range y.ticks() {
		py := y.px(t.At)
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, marginL, py, chartW-marginR, py)
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%.1f" text-anchor="end">%s</text>`, marginL-6, py+4, html.EscapeString(t.Label))
	}
	fmt.Fprintf(&b, `<text class="label" x="%d" y="%d" text-anchor="middle">%s</text>`, (marginL+chartW-marginR)/2, chartH-10, html.EscapeString(c.XLabel))
	fmt.Fprintf(&b, `<text class="label" transform="translate(16 %d) rotate(-90)" text-anchor="middle">%s</text>`, (marginT+chartH-marginB)/2, html.EscapeString(c.YLabel))
	for i, s := range c.Series {
		color := s.Color
		if color == "" {
			color = palette[i%len(palette)]
		}
		var d strings.Builder
		var dots strings.Builder
		n := 0
		for _, p := range s.Points {
			if (c.LogX && p.X <= 0) || (c.LogY && p.Y <= 0) {
				continue
			}
			cmd := "L"
			if n == 0 {
				cmd = "M"
			}
			px, py := x.px(p.X), y.px(p.Y)
			fmt.Fprintf(&d, "%s%.1f %.1f ", cmd, px, py)
			if p.Title != "" {
				fmt.Fprintf(&dots, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s</title></circle>`, px, py, color, html.EscapeString(s.Name+": "+p.Title))
			}
			n++
		}
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(&b, `<g class="series" data-series="%d" data-name="%s" data-points="%d"><path d="%s" stroke="%s" fill="none" stroke-width="2"%s/>%s</g>`,
			i, html.EscapeString(s.Name), n, strings.TrimSpace(d.String()), color, dash, dots.String())
	}
	b.WriteString(`</svg><div class="legend">`)
	for i, s := range c.Series {
		color := s.Color
		if color == "" {
			color = palette[i%len(palette)]
		}
		style := "solid"
		if s.Dashed {
			style = "dashed"
		}
		fmt.Fprintf(&b, `<button type="button" class="key" data-series="%d"><span class="swatch" style="border-top:3px %s %s"></span>%s</button>`, i, style, color, html.EscapeString(s.Name))
	}
	b.WriteString(`</div></figure>`)
	return b.String()
}

// percentileX places a percentile on the "nines" axis: 1/(1-p), so 90%,
// 99%, 99.9% are evenly spaced; 100% sits one decade past 99.999%.
func percentileX(p float64) float64 {
	if p >= 100 {
		return 1e6
	}
	return 100 / (100 - p)
}

var ninesTicks = []tick{{1, "0%"}, {10, "90%"}, {100, "99%"}, {1e3, "99.9%"}, {1e4, "99.99%"}, {1e5, "99.999%"}, {1e6, "max"}}
