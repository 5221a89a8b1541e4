package bench

import (
	"math/rand/v2"
	"time"

	"github.com/midge-mqtt/midge/loadgen"
)

// sampleRecord builds a record with every chart's data: latencies from a
// log-normal-ish distribution through the real histogram, a per-second
// series, connect latencies and broker usage samples.
func sampleRecord(broker, scenario string, scale float64, seed uint64) *Record {
	r := rand.New(rand.NewPCG(seed, 7))
	lat, conn, re := loadgen.NewLatencyRecorder(), loadgen.NewLatencyRecorder(), loadgen.NewLatencyRecorder()
	transit, lag := loadgen.NewLatencyRecorder(), loadgen.NewLatencyRecorder()
	for i := 0; i < 20000; i++ {
		wait := r.ExpFloat64() * 20 // the generator's own lateness, µs
		d := scale * float64(50+r.ExpFloat64()*200)
		lat.Record(i, time.Duration((d+wait)*float64(time.Microsecond)))
		transit.Record(i, time.Duration(d*float64(time.Microsecond)))
		lag.Record(i, time.Duration(wait*float64(time.Microsecond)))
	}
	for i := 0; i < 200; i++ {
		conn.Record(i, time.Duration(scale*float64(300+r.ExpFloat64()*500)*float64(time.Microsecond)))
		re.Record(i, time.Duration(scale*float64(2000+r.ExpFloat64()*5000)*float64(time.Microsecond)))
	}
	p, _ := loadgen.Preset(scenario)
	p.QoS = 1
	res := &loadgen.Result{
		Params: p, Started: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC), Elapsed: loadgen.Duration(6 * time.Second),
		OfferedRate: 10000, AchievedRate: 9990, DeliveredRate: 9980 / scale, SendPhase: loadgen.Duration(5 * time.Second),
		Scheduled: 50000, Sent: 50000, Expected: 50000, Received: 50000,
		Latency: loadgen.Summarize(lat.Merged()), LatencyFrom: "intended",
		Transit: loadgen.Summarize(transit.Merged()), SendLag: loadgen.Summarize(lag.Merged()),
		Connect: loadgen.ConnectStats{Attempts: 200, Connected: 200, Span: loadgen.Duration(80 * time.Millisecond), Rate: 2500 / scale,
			Latency: loadgen.Summarize(conn.Merged())},
		Errors: map[string]uint64{},
	}
	if scenario == "storm" {
		st := loadgen.ConnectStats{Attempts: 200, Connected: 200, Span: loadgen.Duration(40 * time.Millisecond), Latency: loadgen.Summarize(re.Merged())}
		res.Reconnect = &st
	}
	res.SeriesBucket = loadgen.Duration(250 * time.Millisecond)
	for s := 0; s < 24; s++ {
		res.Series = append(res.Series, loadgen.SeriesPoint{T: float64(s) / 4, Sent: 2500 - uint64(r.IntN(50)), Received: 2500 - uint64(r.IntN(300))})
	}
	u := &Usage{PID: 42, CPUSeconds: 1.2 * scale, CPUPercent: 20 * scale, RSSStart: 8 << 20, RSSPeak: int64(scale * (12 << 20))}
	for i := 0; i < 24; i++ {
		u.Samples = append(u.Samples, UsageSample{T: float64(i) / 4, CPUPercent: 10 + 15*scale*r.Float64(), RSS: 8<<20 + int64(i)*int64(scale*(150<<10))})
	}
	rec := &Record{Schema: SchemaVersion, Scenario: scenario, Broker: BrokerInfo{Name: broker, Version: "1.0", Address: "127.0.0.1:1883", Mode: "spawn"},
		Go: "go1.26", Commit: "abc123", Date: res.Started, Host: "test", Command: "midge bench run " + scenario, Result: res, Usage: u}
	rec.Label = DefaultLabel(rec)
	return rec
}

// loadgenSummaryZero is the latency summary of a run that sent nothing.
func loadgenSummaryZero() loadgen.LatencySummary { return loadgen.LatencySummary{} }
