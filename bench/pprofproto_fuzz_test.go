package bench

import (
	"bytes"
	"testing"

	"github.com/google/pprof/profile"
)

// FuzzParseFlatProfile: a profile from a record (a file from another
// machine) returns a result or an error, never a panic, and its flat
// values always add up to its total.
func FuzzParseFlatProfile(f *testing.F) {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Function:   []*profile.Function{{ID: 1, Name: "a"}, {ID: 2, Name: "b"}},
	}
	p.Location = []*profile.Location{
		{ID: 1, Line: []profile.Line{{Function: p.Function[0]}, {Function: p.Function[1]}}},
		{ID: 2, Line: []profile.Line{{Function: p.Function[1]}}},
	}
	p.Sample = []*profile.Sample{{Location: p.Location, Value: []int64{1, 10}}, {Location: p.Location[1:], Value: []int64{2, 20}}}
	var raw bytes.Buffer
	if err := p.WriteUncompressed(&raw); err != nil {
		f.Fatal(err)
	}
	f.Add(raw.Bytes())
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f}) // a length past the end
	f.Add([]byte{0x12, 0x02, 0x0a, 0x80})             // a packed varint cut short
	f.Fuzz(func(t *testing.T, data []byte) {
		fp, err := parseFlatProfile(data, "")
		if err != nil {
			return
		}
		var sum int64
		for _, v := range fp.Flat {
			sum += v
		}
		if sum != fp.Total {
			t.Fatalf("flat values add up to %d, total %d", sum, fp.Total)
		}
	})
}
