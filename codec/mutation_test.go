package codec_test

import (
	"testing"

	"github.com/midge-mqtt/midge/codec"
	"github.com/midge-mqtt/midge/codec/codectest"
)

// TestGoldenMutations decodes every prefix of every golden body and every
// body with one byte changed to a set of telling values, in every version:
// no panic, every error carries an error reason code, and whatever decodes
// survives a round trip.
func TestGoldenMutations(t *testing.T) {
	values := []byte{0x00, 0x01, 0x02, 0x03, 0x23, 0x2B, 0x7F, 0x80, 0xC0, 0xED, 0xFF}
	for _, g := range codectest.Golden {
		f, err := codec.ReadFrame(g.Raw, 0)
		if err != nil {
			t.Fatal(err)
		}
		try := func(v codec.Version, flags byte, body []byte) {
			p := codec.NewPacket(f.Type)
			if err := p.Decode(v, flags, body); err != nil {
				if codec.ReasonOf(err) < 0x80 {
					t.Fatalf("%s: error %v has reason %v", g.Name, err, codec.ReasonOf(err))
				}
				return
			}
			checkReencode(t, v, p)
		}
		for _, v := range versions {
			for n := 0; n <= len(f.Body); n++ {
				try(v, f.Flags, f.Body[:n])
			}
			body := make([]byte, len(f.Body))
			for i := range body {
				for _, c := range values {
					copy(body, f.Body)
					body[i] = c
					try(v, f.Flags, body)
				}
			}
			for flags := byte(0); flags < 16; flags++ {
				try(v, flags, f.Body)
			}
		}
	}
}
