package loadgen

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Duration is a time.Duration that reads and writes JSON as "1.5s".
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a Go duration string or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err := json.Unmarshal(b, &n); err != nil {
			return errors.New("loadgen: duration must be a string like \"10s\" or nanoseconds")
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// Params is a scenario with every knob it has. Preset returns the
// defaults of each named scenario; flags change single fields.
type Params struct {
	Scenario string `json:"scenario"`
	Address  string `json:"address"` // broker host:port

	Publishers  int      `json:"publishers"`
	Subscribers int      `json:"subscribers"`
	Rate        float64  `json:"rate"`     // messages per second per publisher
	Duration    Duration `json:"duration"` // of the sending phase
	// Count, when > 0, fixes the messages per publisher (Duration is
	// then derived from Rate).
	Count uint64 `json:"count,omitempty"`
	// Burst, when above 1, makes each publisher send its messages in
	// groups of Burst handed to the connection at once, at the same
	// average rate (see Timetable.Burst).
	Burst uint64 `json:"burst,omitempty"`
	QoS   byte   `json:"qos"`
	// PayloadSize is the bytes per message (at least StampSize).
	PayloadSize int    `json:"payload_size"`
	Content     string `json:"content"` // zero, random or text
	// Topic is the publish topic template: %i is the publisher's number,
	// %r the run's identifier.
	Topic string `json:"topic"`
	// Filter is the subscribers' filter; empty derives it from Topic.
	Filter string `json:"filter,omitempty"`
	// Group is the $share group name of the sharedsub scenario.
	Group string `json:"group,omitempty"`
	// Retain sets the retain flag on published messages.
	Retain bool `json:"retain,omitempty"`

	Version       byte   `json:"mqtt_version"` // 4 (3.1.1) or 5
	Clean         bool   `json:"clean"`
	SessionExpiry uint32 `json:"session_expiry,omitempty"`
	KeepAlive     uint16 `json:"keepalive"`
	// Username and Password authenticate every client (the password is
	// never written to records).
	Username string `json:"username,omitempty"`
	Password string `json:"-"`

	// Conns is the number of idle connections (conns, storm).
	Conns int `json:"conns,omitempty"`
	// RampRate is new connections per second (0: as fast as they go).
	RampRate float64 `json:"ramp_rate"`
	// DialConcurrency bounds connections being opened at once.
	DialConcurrency int `json:"dial_concurrency"`
	// SourceAddrs are local IPs to connect from, used in turn (one
	// address has ~28k ephemeral ports towards one broker port).
	SourceAddrs []string `json:"source_addrs,omitempty"`
	// Hold is how long idle connections stay open (conns).
	Hold Duration `json:"hold,omitempty"`
	// Drain bounds the wait for messages still in flight after the last
	// send.
	Drain Duration `json:"drain"`
	// Settle is the pause between the connections being up and the first
	// message being due.
	Settle Duration `json:"settle"`
	// RunID makes topics and client identifiers unique to the run; empty
	// picks a random one.
	RunID string `json:"run_id"`
}

// presets are the named scenarios' defaults: small enough that each runs
// in seconds on a two-core board, large enough to measure.
var presets = map[string]Params{
	// many sensors, one wildcard subscriber
	"fanin": {Publishers: 100, Subscribers: 1, Rate: 100, Duration: Duration(5 * time.Second)},
	// one publisher, many subscribers of its topic
	"fanout": {Publishers: 1, Subscribers: 100, Rate: 100, Duration: Duration(5 * time.Second)},
	// publisher i to subscriber i
	"pairs": {Publishers: 50, Subscribers: 50, Rate: 100, Duration: Duration(5 * time.Second)},
	// a fixed, modest offered rate: latency, not throughput
	"latency": {Publishers: 1000, Subscribers: 1, Rate: 10, Duration: Duration(5 * time.Second)},
	// fan-in to a $share group
	"sharedsub": {Publishers: 100, Subscribers: 4, Rate: 100, Duration: Duration(5 * time.Second), Group: "midge-bench"},
	// idle connections: connect latency and rate, memory per connection
	"conns": {Conns: 1000, RampRate: 0, Hold: Duration(2 * time.Second)},
	// every client drops and reconnects at once
	"storm": {Conns: 500, RampRate: 0},
	// many retained topics, one '#' subscriber
	"retained": {Publishers: 10, Subscribers: 1, Count: 100, Rate: 1000, Retain: true},
}

// Scenarios returns the names of the preset scenarios, sorted.
func Scenarios() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Preset returns the defaults of a named scenario.
func Preset(name string) (Params, error) {
	p, ok := presets[name]
	if !ok {
		return Params{}, fmt.Errorf("loadgen: unknown scenario %q (one of %s)", name, strings.Join(Scenarios(), ", "))
	}
	p.Scenario = name
	p.PayloadSize = 64
	p.Content = ContentRandom
	p.Topic = "midge-bench/%r/sensors/%i/temp"
	p.Version = 4
	p.Clean = true
	p.KeepAlive = 60
	p.DialConcurrency = 64
	p.Drain = Duration(5 * time.Second)
	p.Settle = Duration(200 * time.Millisecond)
	return p, nil
}

// messages reports whether the scenario publishes paced messages
// (everything but conns and storm).
func (p *Params) messages() bool { return p.Scenario != "conns" && p.Scenario != "storm" }

// Paced reports whether the scenario offers a fixed rate whose achieved
// rate can be compared with it.
func (p *Params) Paced() bool { return p.messages() && p.Scenario != "retained" && p.Rate > 0 }

// perPublisher returns the messages each publisher sends.
func (p *Params) perPublisher() uint64 {
	if p.Count > 0 {
		return p.Count
	}
	return uint64(p.Rate * time.Duration(p.Duration).Seconds())
}

// OfferedRate is the total messages per second the publishers are asked
// to send.
func (p *Params) OfferedRate() float64 { return p.Rate * float64(p.Publishers) }

// Validate reports the first parameter that cannot run.
func (p *Params) Validate() error {
	if _, ok := presets[p.Scenario]; !ok {
		return fmt.Errorf("loadgen: unknown scenario %q", p.Scenario)
	}
	switch {
	case p.Address == "":
		return errors.New("loadgen: no broker address")
	case p.QoS > 2:
		return errors.New("loadgen: QoS must be 0, 1 or 2")
	case p.Version != 4 && p.Version != 5:
		return errors.New("loadgen: MQTT version must be 4 (3.1.1) or 5")
	case p.PayloadSize > 256<<20:
		return errors.New("loadgen: payload too large")
	}
	if p.messages() {
		if p.Publishers <= 0 || p.Subscribers <= 0 {
			return errors.New("loadgen: need at least one publisher and one subscriber")
		}
		if p.perPublisher() == 0 {
			return errors.New("loadgen: no message to send (rate x duration or count is zero)")
		}
		if p.Scenario == "pairs" && p.Publishers != p.Subscribers {
			return errors.New("loadgen: pairs needs as many subscribers as publishers")
		}
		if !strings.Contains(p.Topic, "%i") && p.Scenario != "fanout" {
			return errors.New("loadgen: the topic template needs %i (one topic per publisher)")
		}
	} else if p.Conns <= 0 {
		return errors.New("loadgen: need at least one connection")
	}
	_, err := payloadTemplate(0, p.Content, 0)
	return err
}

// topicFor expands the topic template for publisher i.
func (p *Params) topicFor(i int) string {
	return strings.NewReplacer("%i", fmt.Sprint(i), "%r", p.RunID).Replace(p.Topic)
}

// wildcardFilter derives a filter matching every publisher's topic: each
// level holding %i becomes '+'.
func (p *Params) wildcardFilter() string {
	levels := strings.Split(strings.ReplaceAll(p.Topic, "%r", p.RunID), "/")
	for i, l := range levels {
		if strings.Contains(l, "%i") {
			levels[i] = "+"
		}
	}
	return strings.Join(levels, "/")
}

// hashFilter derives a '#' filter over every publisher's topic: the
// levels before the first one holding %i, then '#'.
func (p *Params) hashFilter() string {
	levels := strings.Split(strings.ReplaceAll(p.Topic, "%r", p.RunID), "/")
	for i, l := range levels {
		if strings.Contains(l, "%i") {
			return strings.Join(append(levels[:i:i], "#"), "/")
		}
	}
	return "#"
}
