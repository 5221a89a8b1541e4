package codec_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/midge-mqtt/midge/codec"
	"github.com/midge-mqtt/midge/codec/codectest"
)

// Each fuzz target decodes arbitrary bodies as one packet type in the
// version the first input byte selects. Properties checked: no panic, and a
// packet that decodes re-encodes to bytes that decode to the same value and
// re-encode to the same bytes.

var versions = [...]codec.Version{codec.V31, codec.V311, codec.V5}

// seedFrames adds every golden and bad packet of the given types as seeds.
func seedFrames(f *testing.F, types ...codec.PacketType) {
	want := map[codec.PacketType]bool{}
	for _, t := range types {
		want[t] = true
	}
	add := func(v codec.Version, raw []byte) {
		fr, err := codec.ReadFrame(raw, 0)
		if err == nil && want[fr.Type] {
			f.Add(byte(v), byte(fr.Type)<<4|fr.Flags, fr.Body)
		}
	}
	for _, g := range codectest.Golden {
		add(g.Version, g.Raw)
	}
	for _, b := range codectest.Bad {
		add(b.Version, b.Raw)
	}
}

func fuzzDecode(f *testing.F, types ...codec.PacketType) {
	seedFrames(f, types...)
	f.Fuzz(func(t *testing.T, vb byte, first byte, body []byte) {
		v := versions[int(vb)%len(versions)]
		pt := types[int(first>>4)%len(types)]
		p := codec.NewPacket(pt)
		if err := p.Decode(v, first&0x0F, body); err != nil {
			if codec.ReasonOf(err) < 0x80 {
				t.Fatalf("error %v carries a non-error reason code", err)
			}
			return
		}
		checkReencode(t, v, p)
	})
}

func checkReencode(t *testing.T, v codec.Version, p codec.Packet) {
	t.Helper()
	if c, ok := p.(*codec.Connect); ok {
		v = c.Version
	}
	raw := p.Append(nil, v)
	fr, err := codec.ReadFrame(raw, 0)
	if err != nil || fr.Total != len(raw) {
		t.Fatalf("re-encoded %v does not frame: %v", p.Type(), err)
	}
	q, err := codec.DecodeFrame(v, fr)
	if err != nil {
		t.Fatalf("re-encoded %v %x does not decode: %v", p.Type(), raw, err)
	}
	if a, b := codec.ClonePacket(p), codec.ClonePacket(q); !reflect.DeepEqual(a, b) {
		t.Fatalf("%v changed in a round trip:\n%+v\n%+v", p.Type(), a, b)
	}
	if again := q.Append(nil, v); !bytes.Equal(again, raw) {
		t.Fatalf("%v encodes differently after a round trip:\n%x\n%x", p.Type(), raw, again)
	}
}

func FuzzReadFrame(f *testing.F) {
	for _, g := range codectest.Golden {
		f.Add(byte(g.Version), g.Raw, uint32(0))
	}
	for _, b := range codectest.Bad {
		f.Add(byte(b.Version), b.Raw, uint32(0))
	}
	f.Add(byte(1), []byte{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, uint32(0))
	f.Add(byte(1), []byte{0x30, 0x80}, uint32(0))
	f.Add(byte(2), []byte{0x30, 0x80, 0x08, 0x00}, uint32(100))
	f.Fuzz(func(t *testing.T, vb byte, buf []byte, max uint32) {
		v := versions[int(vb)%len(versions)]
		if len(buf) > 512 {
			buf = buf[:512] // minimization is quadratic in the input length
		}
		for len(buf) > 0 {
			fr, err := codec.ReadFrame(buf, max)
			if err != nil {
				if fr.Total != 0 && fr.Total < fr.HeaderLen {
					t.Fatalf("Total %d below HeaderLen %d", fr.Total, fr.HeaderLen)
				}
				return
			}
			if fr.Total > len(buf) || len(fr.Body) != fr.RemainingLength || (max != 0 && uint32(fr.Total) > max) {
				t.Fatalf("bad frame %+v for %d bytes, max %d", fr, len(buf), max)
			}
			if p, err := codec.DecodeFrame(v, fr); err == nil {
				checkReencode(t, v, p)
			}
			buf = buf[fr.Total:]
		}
	})
}

func FuzzDecodeConnect(f *testing.F) {
	f.Add(byte(1), byte(0x10), []byte("\x00\x04MQTT\x04\x02\x00\x00\x00\x02\xED\xA0"))
	f.Add(byte(2), byte(0x10), []byte("\x00\x04MQTT\x05\x02\x00\x00\x05\x26\x00\x01k\x00\x00\x01c"))
	fuzzDecode(f, codec.CONNECT)
}

func FuzzDecodeConnack(f *testing.F) { fuzzDecode(f, codec.CONNACK) }

func FuzzDecodePublish(f *testing.F) {
	f.Add(byte(1), byte(0x30), []byte("\x00\x03a\x00b"))
	f.Add(byte(2), byte(0x32), []byte("\x00\x01a\x00\x01\x05\x0b\x80\x80\x80\x80"))
	fuzzDecode(f, codec.PUBLISH)
}

func FuzzDecodeAck(f *testing.F) {
	fuzzDecode(f, codec.PUBACK, codec.PUBREC, codec.PUBREL, codec.PUBCOMP)
}

func FuzzDecodeSubscribe(f *testing.F) {
	f.Add(byte(2), byte(0x82), []byte("\x00\x01\x00\x00\x03a/+\x3F"))
	fuzzDecode(f, codec.SUBSCRIBE)
}

func FuzzDecodeSuback(f *testing.F)      { fuzzDecode(f, codec.SUBACK) }
func FuzzDecodeUnsubscribe(f *testing.F) { fuzzDecode(f, codec.UNSUBSCRIBE) }
func FuzzDecodeUnsuback(f *testing.F)    { fuzzDecode(f, codec.UNSUBACK) }
func FuzzDecodePing(f *testing.F)        { fuzzDecode(f, codec.PINGREQ, codec.PINGRESP) }
func FuzzDecodeDisconnect(f *testing.F)  { fuzzDecode(f, codec.DISCONNECT) }
func FuzzDecodeAuth(f *testing.F)        { fuzzDecode(f, codec.AUTH) }

// referenceFilterOK is a plain restatement of the topic filter rules for
// filters outside "$share/": non-empty, '#' only as the whole last level,
// '+' only as a whole level [MQTT-4.7.1-1] [MQTT-4.7.1-2] [MQTT-4.7.3-1].
func referenceFilterOK(f string) bool {
	if f == "" {
		return false
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		if strings.Contains(l, "#") && (l != "#" || i != len(levels)-1) {
			return false
		}
		if strings.Contains(l, "+") && l != "+" {
			return false
		}
	}
	return true
}

func FuzzValidTopic(f *testing.F) {
	for _, s := range []string{"a/b", "a/+/c", "#", "a/#/b", "$share/g/a", "$share//a", "a\x00", "\xED\xA0\x80", "é/+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		wellFormed := utf8.ValidString(s) && !strings.ContainsRune(s, 0) && len(s) <= 65535
		nameOK := codec.ValidTopicName(b) == nil
		if nameOK != (wellFormed && s != "" && !strings.ContainsAny(s, "+#")) {
			t.Fatalf("ValidTopicName(%q) = %v", s, nameOK)
		}
		if strings.HasPrefix(s, "$share/") {
			return
		}
		filterOK := codec.ValidTopicFilter(b) == nil
		if filterOK != (wellFormed && referenceFilterOK(s)) {
			t.Fatalf("ValidTopicFilter(%q) = %v", s, filterOK)
		}
	})
}
