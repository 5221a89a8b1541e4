package loadgen

import (
	"sync"
	"sync/atomic"
	"time"
)

// Result is everything one run measured. Rates are messages per second;
// counts are messages unless named otherwise.
type Result struct {
	Params  Params    `json:"params"`
	Started time.Time `json:"started"`
	Elapsed Duration  `json:"elapsed"`
	// Interrupted is set when the run was stopped early (Ctrl-C); the
	// figures cover what was done until then.
	Interrupted bool `json:"interrupted"`

	OfferedRate  float64 `json:"offered_rate"`
	AchievedRate float64 `json:"achieved_rate"` // sent over the sending phase
	// DeliveredRate is deliveries (every subscriber's copy) per second.
	DeliveredRate float64  `json:"delivered_rate"`
	SendPhase     Duration `json:"send_phase"`

	Scheduled  uint64 `json:"scheduled"` // messages on the timetables
	Sent       uint64 `json:"sent"`
	Expected   uint64 `json:"expected"` // deliveries due for what was sent
	Received   uint64 `json:"received"` // distinct deliveries
	Lost       uint64 `json:"lost"`
	Duplicates uint64 `json:"duplicates"`
	// Reordered counts messages that arrived after a later one of the
	// same publisher. In a shared subscription the members receive in
	// parallel, so reordering across the group is expected there.
	Reordered uint64 `json:"reordered"`
	Foreign   uint64 `json:"foreign"` // messages not sent by this run

	// Latency is measured from each message's intended send time
	// (LatencyFrom "intended"), or from the SUBSCRIBE for retained
	// messages ("subscribe").
	Latency     LatencySummary `json:"latency"`
	LatencyFrom string         `json:"latency_from,omitempty"`
	// Transit is measured from when the generator was ready to send each
	// message: its intended time, or later when the generator's own timer
	// woke late. It leaves out the generator's lateness (SendLag) but not
	// a broker that holds the generator back, whose wait still counts from
	// the intended time. It is what a tool that stamps messages as it
	// writes them measures, and the broker's own share of Latency.
	Transit LatencySummary `json:"transit"`
	// SendLag is how late the generator itself handed each message to
	// its connection after the intended time: the share of Latency
	// that the broker is not answerable for (a loaded machine delays
	// the generator's timers and goroutines as much as the broker).
	SendLag LatencySummary `json:"send_lag"`

	Connect   ConnectStats  `json:"connect"`
	Reconnect *ConnectStats `json:"reconnect,omitempty"`

	Errors map[string]uint64 `json:"errors"`
	// Series is messages sent and received in each SeriesBucket of the
	// run, counted from the first message's intended time.
	Series       []SeriesPoint     `json:"series"`
	SeriesBucket Duration          `json:"series_bucket"`
	PerPublisher []PublisherCounts `json:"per_publisher,omitempty"`
}

// ConnectStats are the figures of opening a set of connections.
type ConnectStats struct {
	Attempts  int            `json:"attempts"`
	Connected int            `json:"connected"`
	Failed    int            `json:"failed"`
	Span      Duration       `json:"span"` // first attempt to last CONNACK
	Rate      float64        `json:"rate"` // connections per second over Span
	Latency   LatencySummary `json:"latency"`
}

// SeriesPoint is one bucket of the run's series: the messages sent and
// received in [T, T+SeriesBucket) seconds.
type SeriesPoint struct {
	T        float64 `json:"t"`
	Sent     uint64  `json:"sent"`
	Received uint64  `json:"received"`
}

// PublisherCounts is what happened to one publisher's messages: sent, and
// delivered to the receivers that expect them (Expected is Sent times the
// number of such receivers).
type PublisherCounts struct {
	Publisher  int    `json:"publisher"`
	Sent       uint64 `json:"sent"`
	Expected   uint64 `json:"expected"`
	Received   uint64 `json:"received"`
	Duplicates uint64 `json:"duplicates,omitempty"`
}

// errorCounts counts errors by kind; safe for concurrent use.
type errorCounts struct {
	mu sync.Mutex
	m  map[string]uint64
}

func (e *errorCounts) add(kind string) {
	e.mu.Lock()
	if e.m == nil {
		e.m = map[string]uint64{}
	}
	e.m[kind]++
	e.mu.Unlock()
}

func (e *errorCounts) snapshot() map[string]uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]uint64, len(e.m))
	for k, v := range e.m {
		out[k] = v
	}
	return out
}

// series counts sends and receipts per bucket since an origin.
type series struct {
	origin   atomic.Int64 // time.Duration, set when the first message is due
	bucket   time.Duration
	sent     []atomic.Uint64
	received []atomic.Uint64
}

// newSeries covers about span of run time: 250 ms buckets for runs up to a
// minute, one-second buckets past that.
func newSeries(span time.Duration) *series {
	bucket := 250 * time.Millisecond
	if span > time.Minute {
		bucket = time.Second
	}
	n := min(int(span/bucket)+1, 100000)
	return &series{bucket: bucket, sent: make([]atomic.Uint64, n), received: make([]atomic.Uint64, n)}
}

func (s *series) slot(at time.Duration) int {
	i := int((at - time.Duration(s.origin.Load())) / s.bucket)
	return min(max(i, 0), len(s.sent)-1)
}

func (s *series) countSent(at time.Duration)     { s.sent[s.slot(at)].Add(1) }
func (s *series) countReceived(at time.Duration) { s.received[s.slot(at)].Add(1) }

// points returns the series up to the last bucket with any activity.
func (s *series) points() []SeriesPoint {
	last := -1
	for i := range s.sent {
		if s.sent[i].Load() > 0 || s.received[i].Load() > 0 {
			last = i
		}
	}
	out := make([]SeriesPoint, 0, last+1)
	for i := 0; i <= last; i++ {
		out = append(out, SeriesPoint{T: (time.Duration(i) * s.bucket).Seconds(), Sent: s.sent[i].Load(), Received: s.received[i].Load()})
	}
	return out
}

func (e *errorCounts) total() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	var n uint64
	for _, v := range e.m {
		n += v
	}
	return n
}
