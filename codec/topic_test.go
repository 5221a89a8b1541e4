package codec

import (
	"errors"
	"testing"
)

func TestValidTopicName(t *testing.T) {
	long := make([]byte, 65536)
	for i := range long {
		long[i] = 'a'
	}
	cases := []struct {
		topic string
		code  ReasonCode // Success: valid
	}{
		{"a", Success},
		{"a/b/c", Success},
		{"/", Success},
		{"$SYS/broker", Success},
		{"température/é", Success},
		{"", TopicNameInvalid},              // [MQTT-4.7.3-1]
		{"a/+", ProtocolError},              // [MQTT-3.3.2-2]
		{"a/#", ProtocolError},              // [MQTT-3.3.2-2]
		{"é/+", ProtocolError},              // wildcard after a multi-byte rune
		{"a\x00", TopicNameInvalid},         // [MQTT-4.7.3-2]
		{"a\xED\xA0\x80", TopicNameInvalid}, // surrogate [MQTT-1.5.4-1]
		{"\xFF", TopicNameInvalid},
		{string(long), TopicNameInvalid}, // [MQTT-4.7.3-3]
	}
	for _, c := range cases {
		err := ValidTopicName([]byte(c.topic))
		if got := ReasonOf(err); got != c.code {
			t.Errorf("ValidTopicName(%q) = %v, want %v", c.topic, err, c.code)
		}
	}
}

func TestValidTopicFilter(t *testing.T) {
	cases := []struct {
		filter string
		ok     bool
	}{
		{"a", true}, {"#", true}, {"+", true}, {"a/#", true}, {"+/+", true}, {"/+", true},
		{"a/+/c", true}, {"+/", true}, {"$share/g/a/#", true}, {"$share/g/#", true},
		{"$share/g//", true}, {"a/b#", false}, {"a/#/b", false}, {"a+", false}, {"+a", false},
		{"a/b+/c", false}, {"##", false}, {"", false}, {"$share/", false}, {"$share//a", false},
		{"$share/g", false}, {"$share/g/", false}, {"$share/g+/a", false}, {"$share/#/a", false},
		{"$share/g/a+", false}, {"a\x00", false}, {"\xED\xBF\xBF", false},
		{"$sharex/a", true}, // not a shared subscription, an ordinary filter
	}
	for _, c := range cases {
		err := ValidTopicFilter([]byte(c.filter))
		if (err == nil) != c.ok {
			t.Errorf("ValidTopicFilter(%q) = %v, want ok=%v", c.filter, err, c.ok)
		}
		if err != nil && !errors.Is(err, TopicFilterInvalid) {
			t.Errorf("ValidTopicFilter(%q) = %v, want TopicFilterInvalid", c.filter, err)
		}
	}
}

func TestSplitShared(t *testing.T) {
	name, filter, ok, err := SplitShared([]byte("$share/group-1/sensors/+/t"))
	if !ok || err != nil || string(name) != "group-1" || string(filter) != "sensors/+/t" {
		t.Fatalf("got %q %q %v %v", name, filter, ok, err)
	}
	if _, f, ok, err := SplitShared([]byte("a/b")); ok || err != nil || string(f) != "a/b" {
		t.Fatalf("plain filter: %q %v %v", f, ok, err)
	}
}

func TestValidUTF8(t *testing.T) {
	cases := []struct {
		s    string
		code ReasonCode
	}{
		{"", Success}, {"plain ascii", Success}, {"ünïcödé ✓ 𝄞", Success},
		{"\uFEFF", Success},                   // [MQTT-1.5.4-3]: BOM kept as U+FEFF
		{"a\x00b", MalformedPacket},           // [MQTT-1.5.4-2]
		{"é\x00", MalformedPacket},            // [MQTT-1.5.4-2] after a multi-byte rune
		{"\xED\xA0\x80", MalformedPacket},     // U+D800 [MQTT-1.5.4-1]
		{"\xED\xBF\xBF", MalformedPacket},     // U+DFFF
		{"\xC0\x80", MalformedPacket},         // overlong NUL
		{"\xE2\x82", MalformedPacket},         // truncated
		{"\xF4\x90\x80\x80", MalformedPacket}, // above U+10FFFF
	}
	for _, c := range cases {
		if got := ReasonOf(ValidUTF8([]byte(c.s))); got != c.code {
			t.Errorf("ValidUTF8(%q) = %v, want %v", c.s, got, c.code)
		}
	}
}
