package matcher

import (
	"errors"
	"testing"
)

// specCase is one example of MQTT 3.1.1 section 4.7 or MQTT 5.0 sections 4.7
// and 4.8: whether filter matches topic.
type specCase struct {
	clause string
	filter string
	topic  string
	match  bool
}

var specCases = []specCase{
	// 4.7.1.2 multi-level wildcard.
	{"MQTT-4.7.1-2", "sport/tennis/player1/#", "sport/tennis/player1", true},
	{"MQTT-4.7.1-2", "sport/tennis/player1/#", "sport/tennis/player1/ranking", true},
	{"MQTT-4.7.1-2", "sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true},
	{"MQTT-4.7.1-2", "sport/#", "sport", true}, // '#' includes the parent level
	{"MQTT-4.7.1-2", "#", "sport/tennis/player1", true},
	{"MQTT-4.7.1-2", "sport/tennis/#", "sport/tennis", true},
	{"MQTT-4.7.1-2", "sport/tennis/#", "sport/tennisplayer", false},
	// 4.7.1.3 single-level wildcard.
	{"MQTT-4.7.1-3", "sport/tennis/+", "sport/tennis/player1", true},
	{"MQTT-4.7.1-3", "sport/tennis/+", "sport/tennis/player2", true},
	{"MQTT-4.7.1-3", "sport/tennis/+", "sport/tennis/player1/ranking", false},
	{"MQTT-4.7.1-3", "sport/+", "sport", false},
	{"MQTT-4.7.1-3", "sport/+", "sport/", true}, // an empty level is a level
	{"MQTT-4.7.1-3", "sport/+/player1", "sport/tennis/player1", true},
	{"MQTT-4.7.1-3", "+/+", "/finance", true},
	{"MQTT-4.7.1-3", "/+", "/finance", true},
	{"MQTT-4.7.1-3", "+", "/finance", false},
	{"MQTT-4.7.1-3", "+/tennis/#", "sport/tennis/player1", true},
	// 4.7.2 topics beginning with '$'.
	{"MQTT-4.7.2-1", "#", "$SYS/monitor/Clients", false},
	{"MQTT-4.7.2-1", "+/monitor/Clients", "$SYS/monitor/Clients", false},
	{"MQTT-4.7.2-1", "$SYS/#", "$SYS/monitor/Clients", true},
	{"MQTT-4.7.2-1", "$SYS/monitor/+", "$SYS/monitor/Clients", true},
	{"MQTT-4.7.2-1", "+", "$SYS", false},
	// 4.7.3 topic semantics: case sensitive, '/' distinct, spaces allowed.
	{"MQTT-4.7.3", "ACCOUNTS", "Accounts", false},
	{"MQTT-4.7.3", "Accounts payable", "Accounts payable", true},
	{"MQTT-4.7.3", "/finance", "finance", false},
	{"MQTT-4.7.3", "/", "/", true},
	{"MQTT-4.7.3", "+/+", "/", true},
	{"MQTT-4.7.3", "#", "/", true},
	{"MQTT-4.7.3", "a//b", "a//b", true},
	{"MQTT-4.7.3", "a/+/b", "a//b", true},
	{"MQTT-4.7.3", "a/+/b", "a/b", false},
}

func TestSpecExamplesMatch(t *testing.T) {
	for _, c := range specCases {
		if got := refMatch(c.filter, c.topic); got != c.match {
			t.Errorf("reference [%s] %q on %q = %v, want %v", c.clause, c.filter, c.topic, got, c.match)
		}
		x := New[int]()
		if _, err := x.Subscribe(1, c.filter, Options{}); err != nil {
			t.Fatalf("[%s] subscribe %q: %v", c.clause, c.filter, err)
		}
		got := len(x.Match([]byte(c.topic), nil)) == 1
		if got != c.match {
			t.Errorf("[%s] filter %q on topic %q matched %v, want %v", c.clause, c.filter, c.topic, got, c.match)
		}
		// The same filter shared must match the same topics [MQTT-4.8.2-1].
		x = New[int]()
		if _, err := x.Subscribe(1, "$share/g/"+c.filter, Options{}); err != nil {
			t.Fatalf("[%s] subscribe shared %q: %v", c.clause, c.filter, err)
		}
		out := x.Match([]byte(c.topic), nil)
		if got := len(out) == 1 && out[0].Group == "g"; got != c.match {
			t.Errorf("[MQTT-4.8.2-1] shared filter %q on topic %q matched %v, want %v", c.filter, c.topic, got, c.match)
		}
	}
}

func TestFilterValidity(t *testing.T) {
	cases := []struct {
		filter string
		want   error
	}{
		{"#", nil},                                     // [MQTT-4.7.1-2]
		{"sport/tennis/#", nil},                        // [MQTT-4.7.1-2]
		{"sport/tennis#", ErrInvalidWildcard},          // [MQTT-4.7.1-2]
		{"sport/tennis/#/ranking", ErrInvalidWildcard}, // [MQTT-4.7.1-2]
		{"+", nil},                     // [MQTT-4.7.1-3]
		{"+/tennis/#", nil},            // [MQTT-4.7.1-3]
		{"sport+", ErrInvalidWildcard}, // [MQTT-4.7.1-3]
		{"sport/+/player1", nil},       // [MQTT-4.7.1-3]
		{"", ErrEmptyFilter},           // [MQTT-4.7.3-1]
		{"a\x00b", ErrNullCharacter},   // [MQTT-4.7.3-2]
		{"a/\xff", ErrInvalidUTF8},     // [MQTT-1.5.3-1]
		{" ", nil},                     // [MQTT-4.7.3] spaces are allowed
		{"/", nil},
		{"$share/consumer1/sport/tennis/+", nil},    // [MQTT-4.8.2-1]
		{"$share/consumer2//finance", nil},          // [MQTT-4.8.2-1] filter "/finance"
		{"$share//sport", ErrInvalidShare},          // [MQTT-4.8.2-1] ShareName at least one character
		{"$share/consumer1", ErrInvalidShare},       // [MQTT-4.8.2-1] '/' and a filter must follow
		{"$share/consumer1/", ErrEmptyFilter},       // [MQTT-4.8.2-1]
		{"$share/con+sumer/sport", ErrInvalidShare}, // [MQTT-4.8.2-2]
		{"$share/con#sumer/sport", ErrInvalidShare}, // [MQTT-4.8.2-2]
		{"$share/g/sport/#/x", ErrInvalidWildcard},
		{"$share/\x00/sport", ErrNullCharacter}, // [MQTT-4.7.3-2]
		{"$share/\xff/sport", ErrInvalidUTF8},   // [MQTT-1.5.3-1]
	}
	for _, c := range cases {
		_, _, err := ParseFilter(c.filter)
		if !errors.Is(err, c.want) {
			t.Errorf("ParseFilter(%q) = %v, want %v", c.filter, err, c.want)
		}
		x := New[int]()
		if _, err := x.Subscribe(1, c.filter, Options{}); !errors.Is(err, c.want) {
			t.Errorf("Subscribe(%q) = %v, want %v", c.filter, err, c.want)
		}
		if c.want != nil && x.Len() != 0 {
			t.Errorf("Subscribe(%q) failed but left a subscription", c.filter)
		}
	}
}

func TestTopicValidity(t *testing.T) {
	cases := []struct {
		topic string
		want  error
	}{
		{"sport/tennis", nil},
		{"/", nil},
		{"", ErrEmptyTopic},             // [MQTT-4.7.3-1]
		{"a\x00", ErrNullCharacter},     // [MQTT-4.7.3-2]
		{"sport/+", ErrWildcardInTopic}, // [MQTT-3.3.2-2]
		{"sport/#", ErrWildcardInTopic}, // [MQTT-3.3.2-2]
		{"\xc3\x28", ErrInvalidUTF8},    // [MQTT-1.5.3-1]
		{"$SYS/broker/uptime", nil},
	}
	for _, c := range cases {
		if err := ValidTopic([]byte(c.topic)); !errors.Is(err, c.want) {
			t.Errorf("ValidTopic(%q) = %v, want %v", c.topic, err, c.want)
		}
	}
}

// TestSharedGroupsDistinct: [MQTT-4.8.2-1] the same filter under two share
// names is two shared subscriptions; each gets one copy, and a non-shared
// subscription of the same client gets its own.
func TestSharedGroupsDistinct(t *testing.T) {
	x := New[int]()
	mustSub(t, x, 1, "$share/consumer1/sport/tennis/+", Options{QoS: 1})
	mustSub(t, x, 2, "$share/consumer1/sport/tennis/+", Options{QoS: 1})
	mustSub(t, x, 1, "$share/consumer2/sport/tennis/+", Options{QoS: 2})
	mustSub(t, x, 1, "sport/tennis/+", Options{QoS: 0})
	out := x.Match([]byte("sport/tennis/player1"), nil)
	byGroup := map[string]int{}
	for _, d := range out {
		byGroup[d.Group]++
	}
	if len(out) != 3 || byGroup["consumer1"] != 1 || byGroup["consumer2"] != 1 || byGroup[""] != 1 {
		t.Fatalf("deliveries %+v, want one per group and one non-shared", out)
	}
	// Round robin: consumer1 alternates between its two members.
	seen := map[int]int{}
	for range 10 {
		for _, d := range x.Match([]byte("sport/tennis/player1"), nil) {
			if d.Group == "consumer1" {
				seen[d.Sub]++
			}
		}
	}
	if seen[1] != 5 || seen[2] != 5 {
		t.Fatalf("round robin gave %v, want 5 each", seen)
	}
}

func mustSub(t testing.TB, x *Index[int], sub int, filter string, opts Options) bool {
	t.Helper()
	replaced, err := x.Subscribe(sub, filter, opts)
	if err != nil {
		t.Fatalf("Subscribe(%d, %q): %v", sub, filter, err)
	}
	return replaced
}
