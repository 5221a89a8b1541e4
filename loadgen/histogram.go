package loadgen

import (
	"runtime"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram range: 1 ns to one hour at three significant digits, so every
// recorded latency is kept within 0.1% of its value.
const (
	histLowest  = 1
	histHighest = int64(time.Hour)
	histDigits  = 3
)

func newHDR() *hdrhistogram.Histogram { return hdrhistogram.New(histLowest, histHighest, histDigits) }

// LatencyRecorder is an HDR histogram of durations split into shards, so
// thousands of receiving connections can record at once with little lock
// contention. Its methods are safe for concurrent use.
type LatencyRecorder struct {
	shards []latencyShard
}

type latencyShard struct {
	mu   sync.Mutex
	h    *hdrhistogram.Histogram
	over uint64 // values past the histogram's range, recorded as its maximum
	_    [40]byte
}

// NewLatencyRecorder returns an empty recorder with a shard per two
// processors.
func NewLatencyRecorder() *LatencyRecorder {
	n := runtime.GOMAXPROCS(0)*2 + 1
	r := &LatencyRecorder{shards: make([]latencyShard, n)}
	for i := range r.shards {
		r.shards[i].h = newHDR()
	}
	return r
}

// Record adds one duration; hint picks the shard (a connection's number
// keeps one connection on one shard). Negative durations count as zero.
func (r *LatencyRecorder) Record(hint int, d time.Duration) {
	s := &r.shards[uint(hint)%uint(len(r.shards))]
	v := int64(d)
	if v < histLowest {
		v = histLowest
	}
	s.mu.Lock()
	if v > histHighest {
		v = histHighest
		s.over++
	}
	_ = s.h.RecordValue(v)
	s.mu.Unlock()
}

// Merged returns one histogram holding every shard's values.
func (r *LatencyRecorder) Merged() *hdrhistogram.Histogram {
	all := newHDR()
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		all.Merge(s.h)
		s.mu.Unlock()
	}
	return all
}

// LatencySummary is a histogram's figures in microseconds (fractional, so
// sub-microsecond resolution is kept).
type LatencySummary struct {
	Count  int64   `json:"count"`
	MinUs  float64 `json:"min_us"`
	MeanUs float64 `json:"mean_us"`
	P50Us  float64 `json:"p50_us"`
	P90Us  float64 `json:"p90_us"`
	P99Us  float64 `json:"p99_us"`
	P999Us float64 `json:"p99_9_us"`
	// P9999Us is the 99.99th percentile.
	P9999Us float64 `json:"p99_99_us"`
	MaxUs   float64 `json:"max_us"`
	// Curve is the percentile curve for charts: latency at each of
	// CurvePercentiles.
	Curve []PercentilePoint `json:"curve"`
}

// PercentilePoint is one point of a latency percentile curve.
type PercentilePoint struct {
	Percentile float64 `json:"p"`
	Us         float64 `json:"us"`
}

// CurvePercentiles are the percentiles a summary's curve holds: dense
// towards the tail, as HDR percentile charts are drawn.
var CurvePercentiles = []float64{0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96.875,
	98, 99, 99.5, 99.75, 99.9, 99.95, 99.99, 99.995, 99.999, 100}

func nsToUs(v int64) float64 { return float64(v) / 1e3 }

// Summarize returns the figures of h. An empty histogram gives a zero
// summary with no curve.
func Summarize(h *hdrhistogram.Histogram) LatencySummary {
	if h.TotalCount() == 0 {
		return LatencySummary{}
	}
	s := LatencySummary{
		Count:   h.TotalCount(),
		MinUs:   nsToUs(h.Min()),
		MeanUs:  h.Mean() / 1e3,
		P50Us:   nsToUs(h.ValueAtQuantile(50)),
		P90Us:   nsToUs(h.ValueAtQuantile(90)),
		P99Us:   nsToUs(h.ValueAtQuantile(99)),
		P999Us:  nsToUs(h.ValueAtQuantile(99.9)),
		P9999Us: nsToUs(h.ValueAtQuantile(99.99)),
		MaxUs:   nsToUs(h.Max()),
	}
	vals := h.ValueAtPercentilesSlice(CurvePercentiles)
	for i, p := range CurvePercentiles {
		v := vals[i]
		if p == 0 {
			v = h.Min()
		}
		if p == 100 {
			v = h.Max()
		}
		s.Curve = append(s.Curve, PercentilePoint{Percentile: p, Us: nsToUs(v)})
	}
	return s
}
