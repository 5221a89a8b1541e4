package main

import (
	"strings"
	"testing"

	"github.com/midge-mqtt/midge/client"
)

// FuzzFormat: any format validateFormat accepts renders without panicking,
// for any payload, in every mode.
func FuzzFormat(f *testing.F) {
	for _, s := range compareFormats {
		f.Add(s, []byte("payload"))
	}
	f.Add("%-05.3t%", []byte{0})
	f.Add("@", []byte(nil))
	f.Add("%.999999999999p", []byte("x"))
	f.Add("%99999999999999999999p", []byte("x"))
	f.Fuzz(func(t *testing.T, format string, payload []byte) {
		if len(format) > 256 {
			return
		}
		if validateFormat(format) != nil {
			return
		}
		pfi, exp := byte(1), uint32(1)
		m := &client.Message{Topic: "t/x", Payload: payload, QoS: 1, PacketID: 9,
			Properties: client.PublishProperties{PayloadFormat: &pfi, MessageExpiry: &exp, ContentType: "c",
				UserProperties: []client.UserProperty{{Key: "k", Value: "v"}}, SubscriptionIDs: []uint32{1}}}
		for _, pretty := range []bool{false, true} {
			out, _ := appendFormatted(nil, format, m, fixedTime, pretty)
			if len(out) > 1<<24 {
				t.Fatalf("format %q printed %d bytes", format, len(out))
			}
		}
	})
}

// FuzzParseArgs: no command line makes the flag parser panic.
func FuzzParseArgs(f *testing.F) {
	f.Add("-t a -m b -q 1 -D publish user-property k v")
	f.Add("-L mqtt://u:p@h:1/t -x ∞ -V 5 -c -i x")
	f.Add("-D connect")
	f.Add("-F %t -W 3 -C 2 -T a/# -U b")
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		if len(args) > 64 {
			return
		}
		for _, kind := range []toolKind{toolPub, toolSub, toolRR} {
			c := newClientConfig(kind)
			if c.parseArgs(args) == nil {
				c.finish()
			}
		}
		parsePasswdArgs(args)
	})
}
