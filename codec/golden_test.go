package codec_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/midge-mqtt/midge/codec"
	"github.com/midge-mqtt/midge/codec/codectest"
)

// decodeWhole reads one frame from raw, checks it spans all of raw, and
// decodes it.
func decodeWhole(t *testing.T, v codec.Version, raw []byte) (codec.Packet, error) {
	t.Helper()
	f, err := codec.ReadFrame(raw, 0)
	if err != nil {
		return nil, err
	}
	if f.Total != len(raw) {
		t.Fatalf("frame spans %d bytes, packet has %d", f.Total, len(raw))
	}
	return codec.DecodeFrame(v, f)
}

func TestGoldenDecode(t *testing.T) {
	for _, g := range codectest.Golden {
		t.Run(g.Name, func(t *testing.T) {
			p, err := decodeWhole(t, g.Version, g.Raw)
			if err != nil {
				t.Fatalf("decode %x: %v", g.Raw, err)
			}
			got, want := codec.ClonePacket(p), codec.ClonePacket(g.Packet)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decoded\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestGoldenEncode(t *testing.T) {
	for _, g := range codectest.Golden {
		if g.NotCanonical {
			continue
		}
		t.Run(g.Name, func(t *testing.T) {
			if got := g.Packet.Append(nil, g.Version); !bytes.Equal(got, g.Raw) {
				t.Fatalf("encoded\n%x\nwant\n%x", got, g.Raw)
			}
			p, err := decodeWhole(t, g.Version, g.Raw)
			if err != nil {
				t.Fatal(err)
			}
			// encode(decode(x)) == x, from the view form as well.
			if got := p.Append(nil, g.Version); !bytes.Equal(got, g.Raw) {
				t.Fatalf("re-encoded\n%x\nwant\n%x", got, g.Raw)
			}
		})
	}
}

func TestGoldenPartial(t *testing.T) {
	for _, g := range codectest.Golden {
		for n := 0; n < len(g.Raw); n++ {
			f, err := codec.ReadFrame(g.Raw[:n], 0)
			if !errors.Is(err, codec.ErrNeedMore) {
				t.Fatalf("%s: prefix of %d bytes: err %v, want ErrNeedMore", g.Name, n, err)
			}
			if f.Total != 0 && f.Total != len(g.Raw) {
				t.Fatalf("%s: prefix of %d bytes: Total %d, want %d", g.Name, n, f.Total, len(g.Raw))
			}
			if n >= f.HeaderLen && f.HeaderLen > 0 && f.Total != len(g.Raw) {
				t.Fatalf("%s: header read but Total %d", g.Name, f.Total)
			}
		}
		// Several packets back to back: each frame is found in turn.
		buf := append(append([]byte(nil), g.Raw...), g.Raw...)
		f, err := codec.ReadFrame(buf, 0)
		if err != nil || f.Total != len(g.Raw) {
			t.Fatalf("%s: first of two: %v, Total %d", g.Name, err, f.Total)
		}
	}
}

func TestBadPackets(t *testing.T) {
	for _, b := range codectest.Bad {
		t.Run(b.Name, func(t *testing.T) {
			_, err := decodeWhole(t, b.Version, b.Raw)
			if err == nil {
				t.Fatalf("decoded %x without error; want %v (%s)", b.Raw, b.Code, b.Rule)
			}
			if got := codec.ReasonOf(err); got != b.Code {
				t.Fatalf("err %v: reason %v, want %v (%s)", err, got, b.Code, b.Rule)
			}
		})
	}
}
