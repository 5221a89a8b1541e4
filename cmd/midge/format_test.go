package main

import (
	"strings"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/client"
)

var fixedTime = time.Date(2026, 3, 7, 9, 5, 3, 12345678, time.UTC)

func TestFormatTokens(t *testing.T) {
	pfi := byte(1)
	exp := uint32(3600)
	m := &client.Message{Topic: "a/b", Payload: []byte("hello world"), QoS: 1, Retain: true, PacketID: 7,
		Properties: client.PublishProperties{PayloadFormat: &pfi, MessageExpiry: &exp, ContentType: "text/plain",
			ResponseTopic: "re/ply", CorrelationData: []byte("cd1"), TopicAlias: 4,
			UserProperties: []client.UserProperty{{Key: "k1", Value: "v1"}, {Key: "k2", Value: "v2"}}, SubscriptionIDs: []uint32{9}}}
	cases := []struct{ format, want string }{
		{"%t %p %q %r %l %m %%", "a/b hello world 1 1 11 7 %"},
		{"%x|%X", "68656c6c6f20776f726c64|68656C6C6F20776F726C64"},
		// Widths truncate payloads, as mosquitto_sub 2.0 does.
		{"%5p|%-5p|%05p|%14p|%-14p|", "hello|hello|hello|   hello world|hello world   |"},
		{"%-p|", "hello world           |"},
		{"%5x|%-7X|%07X", " 6865|68656C |068656C"},
		{"%6t|%-6t|%.1t|%6.2t|%-6.2t|", "   a/b|a/b   |a|    a/|a/    |"},
		{"%5l|%-5l|%05l|%3q", "   11|11   |00011|1"},
		{"%A %C %D %E %F %R %S %P", "4 text/plain cd1 3600 1 re/ply 9 k1:v1 k2:v2"},
		{"%04E|%-6F|", "3600|1     |"},
		{"a\\tb\\\\c\\nd\\0e\\e\\a\\r\\v", "a\tb\\c\nd\x00e\x1b\a\r\v"},
		{"@Y-@m-@d @H:@M:@S.@N @@ @j @a @b", "2026-03-07 09:05:03.012345678 @ 066 Sat Mar"},
		{"%U", "1772874303.012345678"},
		{"%I", "2026-03-07T09:05:03+0000"},
	}
	for _, c := range cases {
		if err := validateFormat(c.format); err != nil {
			t.Errorf("validateFormat(%q) = %v", c.format, err)
		}
		got, err := appendFormatted(nil, c.format, m, fixedTime, false)
		if err != nil || string(got) != c.want {
			t.Errorf("format %q:\n got %q (%v)\nwant %q", c.format, got, err, c.want)
		}
	}
}

func TestFormatAbsentProperties(t *testing.T) {
	m := &client.Message{Topic: "t", Payload: []byte("p")}
	// Absent numeric properties print the padding only; %C pads with spaces.
	got, _ := appendFormatted(nil, "[%A][%3A][%03E][%4C][%R][%D][%P][%2S]", m, fixedTime, false)
	if want := "[][   ][000][    ][][][][  ]"; string(got) != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestValidateFormat(t *testing.T) {
	bad := map[string]string{
		"%":      "Incomplete format specifier",
		"x%-05":  "Incomplete format specifier",
		"%.3":    "Incomplete format specifier",
		"@":      "Incomplete format specifier",
		"\\":     "Incomplete escape specifier",
		"%Z":     "Invalid format specifier 'Z'",
		"%5@":    "Invalid format specifier '@'",
		"\\q":    "Invalid escape specifier 'q'",
		"ok %t ": "",
		"@Q%.t":  "",
	}
	for f, want := range bad {
		err := validateFormat(f)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("validateFormat(%q) = %q, want %q", f, got, want)
		}
	}
}

func TestDefaultAndVerboseOutput(t *testing.T) {
	m := &client.Message{Topic: "a", Payload: []byte("x")}
	empty := &client.Message{Topic: "a"}
	cases := []struct {
		o    printOptions
		m    *client.Message
		want string
	}{
		{printOptions{}, m, "x\n"},
		{printOptions{noEOL: true}, m, "x"},
		{printOptions{}, empty, ""},
		{printOptions{verbose: true}, m, "a x\n"},
		{printOptions{verbose: true}, empty, "a (null)\n"},
		{printOptions{verbose: true, noEOL: true}, empty, ""},
		{printOptions{format: "%t"}, empty, "a\n"},
		{printOptions{format: "%t", noEOL: true}, m, "a"},
	}
	for _, c := range cases {
		got, _ := appendMessage(nil, &c.o, c.m, fixedTime)
		if string(got) != c.want {
			t.Errorf("%+v on %q: got %q want %q", c.o, c.m.Payload, got, c.want)
		}
	}
}

func TestFormatJSON(t *testing.T) {
	m := &client.Message{Topic: "t/\"q\"", Payload: []byte("a\"b"), QoS: 2, PacketID: 3}
	got, err := appendFormatted(nil, "%j", m, fixedTime, false)
	want := `{"tst":"2026-03-07T09:05:03.012345Z+0000","topic":"t/\"q\"","qos":2,"retain":0,"payloadlen":3,"mid":3,"payload":"a\"b"}`
	if err != nil || string(got) != want {
		t.Errorf("%%j:\n got %s\nwant %s", got, want)
	}
	// The payload is a C string to mosquitto_sub: it ends at a zero byte.
	m = &client.Message{Topic: "t", Payload: []byte{'a', 0x1f, 0xff, 0, 'b'}}
	got, _ = appendFormatted(nil, "%j", m, fixedTime, false)
	if !strings.HasSuffix(string(got), "\"payload\":\"a\\u001f\xff\"}") {
		t.Errorf("binary %%j: %q", got)
	}
	m = &client.Message{Topic: "t", Payload: []byte(` {"a": [1, 2]} `)}
	got, err = appendFormatted(nil, "%J", m, fixedTime, false)
	if err != nil || !strings.HasSuffix(string(got), `"payload":{"a":[1,2]}}`) {
		t.Errorf("%%J: %s %v", got, err)
	}
	got, err = appendFormatted(nil, "<%J>", &client.Message{Topic: "t", Payload: []byte("{")}, fixedTime, false)
	if err == nil || string(got) != "<>" {
		t.Errorf("%%J with invalid JSON: %q, %v", got, err)
	}
	got, _ = appendFormatted(nil, "%j", &client.Message{Topic: "t"}, fixedTime, true)
	want = "{\n\t\"tst\":\t\"2026-03-07T09:05:03.012345Z+0000\",\n\t\"topic\":\t\"t\",\n\t\"qos\":\t0,\n\t\"retain\":\t0,\n\t\"payloadlen\":\t0,\n\t\"payload\":\tnull\n}"
	if string(got) != want {
		t.Errorf("pretty %%j:\n got %q\nwant %q", got, want)
	}
}
