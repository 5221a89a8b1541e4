package interop

import (
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWildcardSubscriptions checks + and # filters against a set of topics
// [MQTT-4.7.1-2] [MQTT-4.7.1-3]; every topic delivered matches the filter
// [MQTT-3.3.2-3] and wildcards are supported [MQTT-3.8.3-2].
func TestWildcardSubscriptions(t *testing.T) {
	b := startBroker(t, defaultConfig())
	base := uniqueTopic(t, "sport")
	topics := []string{
		base + "/tennis/player1",
		base + "/tennis/player1/ranking",
		base + "/tennis/player2",
		base + "/golf/player1",
		base + "/tennis",
		base + "/",
		base + "/TENNIS/player1", // no case folding or normalisation [MQTT-4.7.3-4]
	}
	cases := []struct {
		filter string
		want   []string // indexes into topics
	}{
		{base + "/tennis/player1/#", []string{"0", "1"}}, // # includes the parent level
		{base + "/#", []string{"0", "1", "2", "3", "4", "5", "6"}},
		{base + "/+/player1", []string{"0", "3", "6"}},
		{base + "/+", []string{"4", "5"}}, // + matches the empty level
		{base + "/tennis/+", []string{"0", "2"}},
		{base + "/+/+/ranking", []string{"1"}},
		{base + "/tennis/player1", []string{"0"}},
	}
	pub, _ := connectRaw(t, b, connectOpts{clientID: "wild-pub"})
	for i, c := range cases {
		r, _ := connectRaw(t, b, connectOpts{clientID: "wild-sub-" + strconv.Itoa(i)})
		r.subscribe(1, c.filter, 0)
		r.subscribe(2, base+"/end", 0)
		for j, topic := range topics {
			pub.send(publishPacket(topic, []byte(strconv.Itoa(j)), 0, 0, false, false))
		}
		pub.send(publishPacket(base+"/end", []byte("end"), 0, 0, false, false))
		var got []string
		for {
			p := r.expectPublish(5 * time.Second)
			if p.payload == "end" {
				break
			}
			got = append(got, p.payload)
		}
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("filter %s matched topics %v, want %v", c.filter, got, c.want)
		}
	}
}

// TestDollarTopicsNotMatchedByWildcards subscribes "#" and "+/broker/uptime"
// while the broker publishes $SYS/broker/uptime every second: neither filter
// matches a topic that starts with $ [MQTT-4.7.2-1], while the filter naming
// $SYS does. (Clients do not publish $ topics themselves: the server SHOULD
// prevent it, section 4.7.2.)
func TestDollarTopicsNotMatchedByWildcards(t *testing.T) {
	b := startBroker(t, defaultConfig())
	wild, _ := connectRaw(t, b, connectOpts{clientID: "dollar-wild"})
	wild.subscribe(1, "#", 0)
	wild.subscribe(2, "+/broker/uptime", 0)
	wild.subscribe(3, "+/+/uptime", 0)
	exact, _ := connectRaw(t, b, connectOpts{clientID: "dollar-exact"})
	exact.subscribe(1, "$SYS/broker/uptime", 0)

	// Two uptime publications after the subscriptions: the first may be the
	// retained one, the second is live.
	for i := 0; i < 2; i++ {
		if p := exact.expectPublish(5 * time.Second); p.topic != "$SYS/broker/uptime" {
			t.Fatalf("$SYS/broker/uptime subscriber got %+v", p)
		}
	}
	pub, _ := connectRaw(t, b, connectOpts{clientID: "dollar-pub"})
	plain := uniqueTopic(t, "plain")
	pub.send(publishPacket(plain, []byte("plain"), 0, 0, false, false))
	for {
		p := wild.expectPublish(5 * time.Second)
		if strings.HasPrefix(p.topic, "$") {
			t.Fatalf("a wildcard filter matched %q [MQTT-4.7.2-1]", p.topic)
		}
		if p.payload == "plain" {
			break
		}
	}

	// A client PUBLISH to a $ topic may be refused (the server SHOULD keep
	// clients off $ topics) but must not disturb the packets after it in the
	// same read.
	pub.send(publishPacket("$app/x", []byte("dollar"), 0, 0, false, false),
		publishPacket(plain, []byte("after-dollar"), 0, 0, false, false))
	for {
		p := wild.expectPublish(5 * time.Second)
		if strings.HasPrefix(p.topic, "$") {
			t.Fatalf("a wildcard filter matched %q [MQTT-4.7.2-1]", p.topic)
		}
		if p.payload == "after-dollar" {
			break
		}
	}
}

// sysReader subscribes to $SYS/# and collects the latest value of each topic.
type sysReader struct {
	r      *rawConn
	values map[string]string
}

func newSysReader(t testing.TB, b *broker) *sysReader {
	t.Helper()
	r, _ := connectRaw(t, b, connectOpts{clientID: "sys-reader", keepAlive: 60})
	r.subscribe(1, "$SYS/#", 0)
	return &sysReader{r: r, values: map[string]string{}}
}

// waitFor reads $SYS messages until cond holds for the values seen so far.
func (s *sysReader) waitFor(t testing.TB, what string, timeout time.Duration, cond func(map[string]string) bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond(s.values) {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("$SYS: %s not seen within %v; values: %v", what, timeout, s.values)
		}
		p, err := s.r.read(left)
		if err != nil {
			t.Fatalf("$SYS: %s not seen within %v (%v); values: %v", what, timeout, err, s.values)
		}
		m := p.publish(t)
		s.values[m.topic] = m.payload
	}
}

// TestSysTopics subscribes to $SYS/# with sys_interval 1 and checks the
// broker publishes its version, uptime, connected-client count (following
// connects), message counters and load averages.
func TestSysTopics(t *testing.T) {
	b := startBroker(t, defaultConfig())
	s := newSysReader(t, b)
	has := func(topics ...string) func(map[string]string) bool {
		return func(v map[string]string) bool {
			for _, k := range topics {
				if _, ok := v[k]; !ok {
					return false
				}
			}
			return true
		}
	}
	s.waitFor(t, "version, uptime, counters and load", 5*time.Second, has(
		"$SYS/broker/version",
		"$SYS/broker/uptime",
		"$SYS/broker/messages/received",
		"$SYS/broker/messages/sent",
		"$SYS/broker/load/messages/received/1min",
		"$SYS/broker/load/bytes/sent/5min",
		"$SYS/broker/load/connections/15min",
	))
	if v := s.values["$SYS/broker/version"]; !strings.Contains(v, "version") {
		t.Errorf("$SYS/broker/version = %q", v)
	}
	if v := s.values["$SYS/broker/uptime"]; !strings.HasSuffix(v, " seconds") {
		t.Errorf("$SYS/broker/uptime = %q, want \"N seconds\"", v)
	}
	if _, err := strconv.ParseFloat(s.values["$SYS/broker/load/messages/received/1min"], 64); err != nil {
		t.Errorf("load/messages/received/1min: %v", err)
	}

	connected := func(n int) func(map[string]string) bool {
		return func(v map[string]string) bool { return v["$SYS/broker/clients/connected"] == strconv.Itoa(n) }
	}
	s.waitFor(t, "clients/connected 1", 5*time.Second, connected(1))
	var extra []*rawConn
	for i := 0; i < 3; i++ {
		r, _ := connectRaw(t, b, connectOpts{clientID: "sys-extra-" + strconv.Itoa(i), keepAlive: 60})
		extra = append(extra, r)
	}
	s.waitFor(t, "clients/connected 4", 5*time.Second, connected(4))
	for _, r := range extra {
		r.send(disconnectPacket)
	}
	s.waitFor(t, "clients/connected 1 again", 5*time.Second, connected(1))

	before, _ := strconv.Atoi(s.values["$SYS/broker/messages/received"])
	pub, _ := connectRaw(t, b, connectOpts{clientID: "sys-pub"})
	for i := 0; i < 20; i++ {
		pub.send(publishPacket(uniqueTopic(t, "x"), []byte("m"), 0, 0, false, false))
	}
	s.waitFor(t, "messages/received grow by 20", 5*time.Second, func(v map[string]string) bool {
		n, _ := strconv.Atoi(v["$SYS/broker/messages/received"])
		return n >= before+20
	})
	s.waitFor(t, "uptime advance", 5*time.Second, func(v map[string]string) bool {
		return v["$SYS/broker/uptime"] != "0 seconds"
	})
}

// TestSysHeapCurrent reads $SYS/broker/heap/current, the value the memory
// tests can use.
func TestSysHeapCurrent(t *testing.T) {
	b := startBroker(t, defaultConfig())
	s := newSysReader(t, b)
	s.waitFor(t, "heap/current", 5*time.Second, func(v map[string]string) bool {
		_, ok := v["$SYS/broker/heap/current"]
		return ok
	})
	if n, err := strconv.ParseInt(s.values["$SYS/broker/heap/current"], 10, 64); err != nil || n <= 0 {
		t.Fatalf("heap/current = %q", s.values["$SYS/broker/heap/current"])
	}
}

// TestOverlappingSubscriptionsMaxQoS subscribes one client to two filters
// (separate SUBSCRIBE packets) that both match a topic: the message arrives,
// and at the highest QoS of the matching subscriptions [MQTT-3.3.5-1] (one
// copy, or one per subscription: both are allowed in 3.1.1).
func TestOverlappingSubscriptionsMaxQoS(t *testing.T) {
	b := startBroker(t, defaultConfig())
	base := uniqueTopic(t, "o")
	r, _ := connectRaw(t, b, connectOpts{clientID: "overlap", keepAlive: 60})
	r.subscribe(1, base+"/#", 0)
	r.subscribe(2, base+"/+/leaf", 1)
	pub, _ := connectRaw(t, b, connectOpts{clientID: "overlap-pub"})
	publishQoS1(t, pub, 1, base+"/x/leaf", "both")
	pub.send(publishPacket(base+"/end", []byte("end"), 0, 0, false, false))
	var maxQoS byte
	copies := 0
	for {
		p := r.expectPublish(5 * time.Second)
		if p.payload == "end" {
			break
		}
		copies++
		maxQoS = max(maxQoS, p.qos)
		if p.qos == 1 {
			r.send(ackPacket(typePUBACK, p.id))
		}
	}
	if copies == 0 || copies > 2 || maxQoS != 1 {
		t.Fatalf("got %d copies, highest QoS %d; want 1 or 2 copies, one at QoS 1 [MQTT-3.3.5-1]", copies, maxQoS)
	}
}
