package ceiling

import (
	"bytes"
	"testing"
)

func TestNextFrame(t *testing.T) {
	cases := []struct {
		name      string
		in        []byte
		n, header int
		wantErr   bool
	}{
		{"empty", nil, 0, 0, false},
		{"first byte only", []byte{0x30}, 0, 0, false},
		{"pingreq", []byte{0xc0, 0}, 2, 2, false},
		{"pingreq and more", []byte{0xc0, 0, 0xc0}, 2, 2, false},
		{"body short", []byte{0x30, 3, 0, 1}, 0, 0, false},
		{"two-byte length", append([]byte{0x30, 0x80, 0x01}, make([]byte, 128)...), 131, 3, false},
		{"two-byte length, body short", append([]byte{0x30, 0x80, 0x01}, make([]byte, 127)...), 0, 0, false},
		{"length continues", []byte{0x30, 0x80}, 0, 0, false},
		// [MQTT-1.5.5-1] the remaining length has at most four bytes.
		{"five-byte length", []byte{0x30, 0x80, 0x80, 0x80, 0x80, 0x01}, 0, 0, true},
	}
	for _, c := range cases {
		n, h, err := nextFrame(c.in)
		if (err != nil) != c.wantErr || n != c.n || (n > 0 && h != c.header) {
			t.Errorf("%s: nextFrame = %d, %d, %v; want %d, %d, error %v", c.name, n, h, err, c.n, c.header, c.wantErr)
		}
	}
}

func TestFilterMatches(t *testing.T) {
	cases := []struct {
		filter, topic string
		want          bool
	}{
		{"a/b", "a/b", true},
		{"a/b", "a/bc", false},
		{"a/b", "a", false},
		{"a/+", "a/b", true},
		{"a/+", "a/", true}, // an empty level is a level
		{"a/+", "a/b/c", false},
		{"a/+/c", "a/b/c", true},
		{"a/+/c", "a/b", false},
		{"+/+", "a/b", true},
		{"+", "a/b", false},
		{"a/#", "a", true}, // '#' includes the parent level [MQTT-4.7.1-2]
		{"a/#", "a/b/c", true},
		{"a/#", "ab", false},
		{"a/+/#", "a/b", true},
		{"#", "a/b", true},
		{"#", "$SYS/x", false}, // [MQTT-4.7.2-1]
		{"+/x", "$SYS/x", false},
		{"$SYS/#", "$SYS/x", true},
	}
	for _, c := range cases {
		if got := filterMatches(c.filter, []byte(c.topic)); got != c.want {
			t.Errorf("filterMatches(%q, %q) = %v, want %v", c.filter, c.topic, got, c.want)
		}
	}
}

func TestSubackAndVersionPublishShape(t *testing.T) {
	got := appendVersionPublish(nil, 4)
	n, h, err := nextFrame(got)
	if err != nil || n != len(got) {
		t.Fatalf("version PUBLISH does not frame: %d of %d, %v", n, len(got), err)
	}
	topic, _, ok := publishTopic(got[h:], 0)
	if !ok || string(topic) != versionTopic || !bytes.HasSuffix(got, []byte(versionPayload)) {
		t.Fatalf("version PUBLISH = % x", got)
	}
	if v := appendVarint(nil, 321); !bytes.Equal(v, []byte{0xc1, 0x02}) {
		t.Fatalf("appendVarint(321) = % x", v)
	}
}
