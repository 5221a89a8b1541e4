package loadgen

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// quick returns a scenario's preset scaled down to run in well under a
// second.
func quick(t *testing.T, name string) Params {
	t.Helper()
	p, err := Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	p.Address = "fake:1883"
	p.Duration = Duration(time.Second)
	p.Settle = Duration(20 * time.Millisecond)
	p.Drain = Duration(500 * time.Millisecond)
	p.Hold = Duration(10 * time.Millisecond)
	p.Publishers = min(p.Publishers, 20)
	p.Subscribers = min(p.Subscribers, 10)
	if p.Scenario == "pairs" {
		p.Publishers, p.Subscribers = 10, 10
	}
	if p.Conns > 50 {
		p.Conns = 50
	}
	return p
}

func TestEveryScenarioAgainstAWellBehavedBroker(t *testing.T) {
	for _, name := range Scenarios() {
		t.Run(name, func(t *testing.T) {
			p := quick(t, name)
			var phases []string
			var mu sync.Mutex
			res, err := Run(context.Background(), p, &fakeBroker{}, RunOptions{OnPhase: func(s string) {
				mu.Lock()
				phases = append(phases, s)
				mu.Unlock()
			}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) != 0 {
				t.Errorf("errors: %v", res.Errors)
			}
			if !contains(phases, "connected") {
				t.Errorf("phases %v lack connected", phases)
			}
			if !p.messages() {
				if res.Connect.Connected != p.Conns || res.Connect.Latency.Count != int64(p.Conns) {
					t.Errorf("connect %+v", res.Connect)
				}
				if name == "storm" && (res.Reconnect == nil || res.Reconnect.Connected != p.Conns) {
					t.Errorf("reconnect %+v", res.Reconnect)
				}
				return
			}
			if res.Sent != res.Scheduled || res.Sent == 0 {
				t.Errorf("sent %d of %d", res.Sent, res.Scheduled)
			}
			if res.Received != res.Expected || res.Lost != 0 || res.Duplicates != 0 {
				t.Errorf("received %d expected %d lost %d dup %d", res.Received, res.Expected, res.Lost, res.Duplicates)
			}
			for _, pc := range res.PerPublisher {
				if pc.Received != pc.Expected || pc.Sent == 0 {
					t.Errorf("publisher %+v", pc)
				}
			}
			if res.Latency.Count != int64(res.Received) || res.Transit.Count != int64(res.Received) {
				t.Errorf("latency count %d, transit count %d, received %d", res.Latency.Count, res.Transit.Count, res.Received)
			}
			if res.Transit.P50Us > res.Latency.P50Us || res.Transit.MaxUs > res.Latency.MaxUs {
				t.Errorf("transit %+v longer than latency %+v", res.Transit, res.Latency)
			}
			// The achieved rate charges a late last send to the whole run;
			// a one-second run on a machine busy with other tests can lose
			// 100 ms to scheduling. The end-to-end test holds real brokers
			// to 5% over longer runs; this one checks the arithmetic.
			if p.Paced() {
				if d := res.AchievedRate/res.OfferedRate - 1; d < -0.25 || d > 0.05 {
					t.Errorf("achieved %.1f/s, offered %.1f/s", res.AchievedRate, res.OfferedRate)
				}
			}
			var seriesSent uint64
			for _, s := range res.Series {
				seriesSent += s.Sent
			}
			if seriesSent != res.Sent {
				t.Errorf("series counts %d sends, sent %d", seriesSent, res.Sent)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A broker that drops every 10th message, sends every 7th twice and holds
// every 5th back until after the next one must be reported exactly so.
func TestRunReportsLossDuplicatesAndReordering(t *testing.T) {
	p := quick(t, "fanin")
	p.Publishers, p.Rate = 1, 200
	p.Duration = Duration(500 * time.Millisecond) // 100 messages, seq 0..99
	p.Drain = Duration(200 * time.Millisecond)
	var mu sync.Mutex
	var held func()
	b := &fakeBroker{deliver: func(_ string, payload []byte, send func([]byte)) {
		st, _ := DecodeStamp(payload)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case st.Seq%10 == 9: // lost
			return
		case st.Seq%5 == 0 && st.Seq < 95: // held back until after the next one
			held = func() { send(payload) }
			return
		}
		send(payload)
		if st.Seq%7 == 3 {
			send(payload)
		}
		if held != nil {
			held()
			held = nil
		}
	}}
	res, err := Run(context.Background(), p, b, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// lost: 9,19,...,99 = 10; duplicated: 3,10?,... seq%7==3 and not lost/held
	var wantDup uint64
	for s := uint64(0); s < 100; s++ {
		if s%7 == 3 && s%10 != 9 && !(s%5 == 0 && s < 95) {
			wantDup++
		}
	}
	if res.Sent != 100 || res.Lost != 10 || res.Received != 90 {
		t.Errorf("sent %d lost %d received %d, want 100, 10, 90", res.Sent, res.Lost, res.Received)
	}
	if res.Duplicates != wantDup {
		t.Errorf("duplicates %d, want %d", res.Duplicates, wantDup)
	}
	if res.Reordered != 19 { // 0,5,...,90: each arrives after its successor
		t.Errorf("reordered %d, want 19", res.Reordered)
	}
	if pc := res.PerPublisher[0]; pc.Sent != 100 || pc.Received != 90 || pc.Duplicates != wantDup {
		t.Errorf("per publisher %+v", pc)
	}
}

func TestRunCountsConnectErrorsByKind(t *testing.T) {
	p := quick(t, "conns")
	p.Conns = 20
	b := &fakeBroker{refuse: func(n int) error {
		if n%4 == 0 {
			return errors.New("not authorized")
		}
		return nil
	}}
	res, err := Run(context.Background(), p, b, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Connect.Failed != 5 || res.Connect.Connected != 15 || res.Errors["connect: not authorized"] != 5 {
		t.Fatalf("connect %+v errors %v", res.Connect, res.Errors)
	}
}

func TestInterruptedRunStillReports(t *testing.T) {
	p := quick(t, "fanin")
	p.Duration = Duration(10 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	res, err := Run(ctx, p, &fakeBroker{}, RunOptions{OnPhase: func(s string) {
		if s == "sending" {
			time.AfterFunc(300*time.Millisecond, cancel)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("interrupted run took %v", took)
	}
	if !res.Interrupted || res.Sent == 0 || res.Sent >= res.Scheduled {
		t.Fatalf("interrupted %v sent %d of %d", res.Interrupted, res.Sent, res.Scheduled)
	}
	if res.Received != res.Sent || res.Lost != 0 {
		t.Fatalf("received %d of %d sent, lost %d", res.Received, res.Sent, res.Lost)
	}
	// The rates cover the time it ran, not the timetable it was cut from.
	if d := res.AchievedRate/res.OfferedRate - 1; d < -0.25 || d > 0.25 {
		t.Errorf("interrupted run achieved %.0f/s of %.0f/s offered", res.AchievedRate, res.OfferedRate)
	}
}

func TestParamsValidation(t *testing.T) {
	if _, err := Preset("nope"); err == nil {
		t.Fatal("unknown scenario accepted")
	}
	bad := []func(*Params){
		func(p *Params) { p.Address = "" },
		func(p *Params) { p.QoS = 3 },
		func(p *Params) { p.Version = 3 },
		func(p *Params) { p.Publishers = 0 },
		func(p *Params) { p.Rate, p.Count = 0, 0 },
		func(p *Params) { p.Topic = "no/index" },
		func(p *Params) { p.Content = "bogus" },
	}
	for i, f := range bad {
		p := quick(t, "fanin")
		f(&p)
		if err := p.Validate(); err == nil {
			t.Errorf("case %d accepted", i)
		}
	}
	p := quick(t, "fanin")
	p.RunID = "r1"
	if got := p.wildcardFilter(); got != "midge-bench/r1/sensors/+/temp" {
		t.Errorf("wildcard filter %q", got)
	}
	if got := p.hashFilter(); got != "midge-bench/r1/sensors/#" {
		t.Errorf("hash filter %q", got)
	}
	if got := p.topicFor(12); got != "midge-bench/r1/sensors/12/temp" {
		t.Errorf("topic %q", got)
	}
}

// The whole pipeline charges a broker stall to every message it delayed:
// a broker that stops for one second in the middle of a 100 msg/s stream
// shows about one second of latency at the top and about 50 messages
// delayed by more than half a second, not one slow message.
func TestRunChargesAStallToEveryDelayedMessage(t *testing.T) {
	p := quick(t, "latency")
	p.Publishers, p.Subscribers, p.Rate = 1, 1, 100
	p.Duration = Duration(2 * time.Second)
	var once sync.Once
	b := &fakeBroker{deliver: func(_ string, payload []byte, send func([]byte)) {
		if st, _ := DecodeStamp(payload); st.Seq == 50 {
			once.Do(func() { time.Sleep(time.Second) }) // the publisher's call blocks
		}
		send(payload)
	}}
	res, err := Run(context.Background(), p, b, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Received != 200 || res.Lost != 0 {
		t.Fatalf("received %d, lost %d", res.Received, res.Lost)
	}
	if res.Latency.MaxUs < 0.95e6 || res.Latency.MaxUs > 1.5e6 {
		t.Errorf("max latency %s, want about 1s", time.Duration(res.Latency.MaxUs*1e3))
	}
	// The stall held the generator back: transit, which leaves out only
	// the generator's own lateness, charges it too.
	if res.Transit.MaxUs < 0.95e6 || res.Transit.P99Us < 0.5e6 {
		t.Errorf("transit max %s p99 %s: the stall is hidden", time.Duration(res.Transit.MaxUs*1e3), time.Duration(res.Transit.P99Us*1e3))
	}
	// 100 messages were due during the stall; those due in its first half
	// waited more than 500 ms: the 75th percentile (message 150 of 200
	// by delay) lies inside the stall's ramp.
	var over500 float64
	for _, pt := range res.Latency.Curve {
		if pt.Us > 500e3 {
			over500 = 100 - pt.Percentile
			break
		}
	}
	if over500 < 20 || over500 > 30 { // ~50 of 200 messages = 25%
		t.Errorf("%.1f%% of messages delayed past 500ms, want ~25%% (curve %v)", over500, res.Latency.Curve)
	}
	if res.Latency.P50Us > 200e3 {
		t.Errorf("p50 %s: half the messages were sent after the stall on time", time.Duration(res.Latency.P50Us*1e3))
	}
}

func TestConnsSubscribesEachConnectionToItsOwnTopic(t *testing.T) {
	p := quick(t, "conns")
	p.Conns = 12
	b := &fakeBroker{}
	var subsWhenConnected int
	_, err := Run(context.Background(), p, b, RunOptions{OnPhase: func(s string) {
		if s == "connected" {
			b.mu.Lock()
			subsWhenConnected = len(b.subs)
			b.mu.Unlock()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if subsWhenConnected != 12 {
		t.Fatalf("%d subscriptions when the connections settle, want one per connection (12)", subsWhenConnected)
	}
}

func TestRunRecordsTheGeneratorsSendLag(t *testing.T) {
	p := quick(t, "fanin")
	p.Publishers, p.Rate = 4, 50
	// A broker that holds every publish for 30 ms: the messages behind
	// it go out late, and the lag says so.
	b := &fakeBroker{publishDelay: 30 * time.Millisecond}
	res, err := Run(context.Background(), p, b, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if uint64(res.SendLag.Count) != res.Sent || res.Sent == 0 {
		t.Fatalf("send lag of %d messages, %d sent", res.SendLag.Count, res.Sent)
	}
	// 50/s is 20 ms apart: with 30 ms per send, the later messages wait.
	if res.SendLag.P99Us < 10_000 {
		t.Errorf("send lag p99 %.0fµs, want the 30 ms sends to show", res.SendLag.P99Us)
	}
}

func TestWorkersRunEachIndexOnceAtMostKAtATime(t *testing.T) {
	const n, k = 500, 7
	var seen [n]atomic.Int32
	var running, peak atomic.Int32
	workers(n, k, func(i int) bool {
		cur := running.Add(1)
		for p := peak.Load(); cur > p && !peak.CompareAndSwap(p, cur); p = peak.Load() {
		}
		seen[i].Add(1)
		time.Sleep(50 * time.Microsecond)
		running.Add(-1)
		return true
	})
	for i := range seen {
		if got := seen[i].Load(); got != 1 {
			t.Fatalf("index %d ran %d times", i, got)
		}
	}
	if p := peak.Load(); p > k || p < 2 {
		t.Fatalf("%d ran at once, want 2 to %d", p, k)
	}
	// A false return stops the run: the workers take no more indexes
	// (each later one takes a millisecond, so they cannot all be taken
	// before index 10 returns).
	var ran atomic.Int32
	workers(n, k, func(i int) bool {
		ran.Add(1)
		if i > 10 {
			time.Sleep(time.Millisecond)
		}
		return i != 10
	})
	if r := ran.Load(); r < 11 || r > n/2 {
		t.Fatalf("%d of %d indexes ran after index 10 returned false", r, n)
	}
	workers(0, k, func(int) bool { t.Fatal("fn called with n = 0"); return true })
}
