package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/loadgen"
)

// e2eCase is one scenario at a size a loaded two-core machine sustains
// without queueing past the brokers' limits.
type e2eCase struct {
	name string
	qos  byte
	edit func(p *loadgen.Params)
}

var e2eCases = []e2eCase{
	{"fanin", 0, func(p *loadgen.Params) { p.Publishers, p.Rate = 20, 50 }},
	{"fanin", 1, func(p *loadgen.Params) { p.Publishers, p.Rate = 20, 50 }},
	{"fanin", 2, func(p *loadgen.Params) { p.Publishers, p.Rate = 10, 50 }},
	{"fanout", 1, func(p *loadgen.Params) { p.Subscribers, p.Rate = 20, 50 }},
	{"pairs", 1, func(p *loadgen.Params) { p.Publishers, p.Subscribers, p.Rate = 10, 10, 50 }},
	{"latency", 1, func(p *loadgen.Params) { p.Publishers, p.Rate = 200, 5 }},
	{"sharedsub", 1, func(p *loadgen.Params) { p.Publishers, p.Subscribers, p.Rate = 20, 3, 50 }},
	{"retained", 1, func(p *loadgen.Params) { p.Publishers, p.Count, p.Rate = 5, 40, 200 }},
	{"conns", 0, func(p *loadgen.Params) { p.Conns, p.Hold = 300, loadgen.Duration(100*time.Millisecond) }},
	{"storm", 1, func(p *loadgen.Params) { p.Conns = 200 }},
}

// TestScenariosEndToEnd runs every scenario briefly against Debian's
// mosquitto and against midge, and checks each record.
func TestScenariosEndToEnd(t *testing.T) {
	brokers := []struct {
		name  string
		start func(*testing.T) *Target
	}{{"mosquitto", startMosquitto}, {"midge", startMidge}}
	for _, b := range brokers {
		t.Run(b.name, func(t *testing.T) {
			tg := b.start(t)
			for _, c := range e2eCases {
				t.Run(c.name+"-q"+string(rune('0'+c.qos)), func(t *testing.T) {
					p, err := loadgen.Preset(c.name)
					if err != nil {
						t.Fatal(err)
					}
					p.QoS = c.qos
					p.Duration = loadgen.Duration(3 * time.Second)
					p.Drain = loadgen.Duration(10 * time.Second)
					c.edit(&p)
					ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
					defer cancel()
					rec, err := Run(ctx, Config{Params: p, Target: tg, Command: "go test"})
					if err != nil {
						t.Fatal(err)
					}
					checkRecord(t, rec, b.name)
					if miss := rateMiss(rec); miss != "" {
						// Other work on a shared machine can stall the
						// process for a few hundred ms, which a 3 s run
						// cannot absorb; a second miss is a failure.
						t.Logf("%s; running again", miss)
						if rec, err = Run(ctx, Config{Params: p, Target: tg, Command: "go test"}); err != nil {
							t.Fatal(err)
						}
						checkRecord(t, rec, b.name)
						if miss := rateMiss(rec); miss != "" {
							t.Error(miss)
						}
					}
				})
			}
		})
	}
}

// checkRecord asserts what every record must show: its fields present,
// every message delivered once at QoS 1 and 2 (rateMiss checks the
// achieved rate).
func checkRecord(t *testing.T, rec *Record, broker string) {
	t.Helper()
	res := rec.Result
	path := filepath.Join(t.TempDir(), "r.json")
	if err := rec.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	b, _ := json.Marshal(back)
	_ = json.Unmarshal(b, &m)
	for _, key := range []string{"schema", "scenario", "label", "broker.name", "broker.version", "broker.address", "broker.mode",
		"board.preset", "board.hardware", "go_version", "commit", "date", "host", "command", "load_average", "generator_cpu_percent", "usage.pid", "usage.rss_peak_bytes",
		"result.params.scenario", "result.params.qos", "result.started", "result.elapsed", "result.connect.connected",
		"result.connect.latency.p99_us", "result.errors"} {
		if v, ok := lookup(m, key); !ok || v == nil || v == "" {
			t.Errorf("record lacks %s", key)
		}
	}
	if rec.Broker.Name != broker {
		t.Errorf("broker identified as %q %q", rec.Broker.Name, rec.Broker.Version)
	}
	if len(res.Errors) > 0 {
		t.Errorf("errors: %v", res.Errors)
	}
	if res.Connect.Failed > 0 || res.Connect.Connected == 0 {
		t.Errorf("connect %+v", res.Connect)
	}
	switch res.Params.Scenario {
	case "conns":
		if res.Connect.Connected != res.Params.Conns || rec.Usage.RSSConnected == 0 {
			t.Errorf("conns: %d connected, usage %+v", res.Connect.Connected, rec.Usage)
		}
		return
	case "storm":
		if res.Reconnect == nil || res.Reconnect.Connected != res.Params.Conns || res.Reconnect.Latency.Count == 0 {
			t.Errorf("storm reconnect %+v", res.Reconnect)
		}
		return
	}
	for _, k := range []string{"result.latency.p50_us", "result.latency.p99_99_us", "result.latency.max_us", "result.latency.curve",
		"result.series", "result.per_publisher", "result.achieved_rate", "result.delivered_rate"} {
		if v, ok := lookup(m, k); !ok || v == nil || v == 0.0 {
			t.Errorf("record lacks %s", k)
		}
	}
	if res.Sent != res.Scheduled {
		t.Errorf("sent %d of %d scheduled", res.Sent, res.Scheduled)
	}
	if res.Params.QoS > 0 {
		if res.Lost != 0 || res.Duplicates != 0 { // QoS 2 exactly once: [MQTT-4.3.3-2] (5.0: [MQTT-4.3.3-10]); QoS 1 at least once, and no duplicate on a clean link
			t.Errorf("QoS %d: lost %d, duplicates %d", res.Params.QoS, res.Lost, res.Duplicates)
		}
		for _, pc := range res.PerPublisher {
			if pc.Received != pc.Expected || pc.Sent == 0 {
				t.Errorf("publisher %d: sent %d, received %d of %d expected", pc.Publisher, pc.Sent, pc.Received, pc.Expected)
				break
			}
		}
	}
	if res.Latency.Count != int64(res.Received) || res.Latency.MaxUs < res.Latency.P50Us {
		t.Errorf("latency %+v for %d received", res.Latency, res.Received)
	}
}

// rateMiss says how a paced run's achieved rate missed the offered rate
// by more than 5%, or returns "".
func rateMiss(rec *Record) string {
	res := rec.Result
	if !res.Params.Paced() {
		return ""
	}
	if d := res.AchievedRate/res.OfferedRate - 1; d < -0.05 || d > 0.05 {
		return fmt.Sprintf("achieved %.1f/s, offered %.1f/s", res.AchievedRate, res.OfferedRate)
	}
	return ""
}

// lookup follows a dotted path through decoded JSON.
func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}
