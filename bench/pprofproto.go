package bench

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// This file reads just enough of pprof's profile.proto (gzipped
// protocol buffers, github.com/google/pprof/proto/profile.proto) to sum
// each function's flat CPU: sample types, samples, locations, functions
// and the string table. The profile package of google/pprof is the
// reference parser; the tests check this one against it.

// flatProfile is a profile reduced to each function's flat value.
type flatProfile struct {
	// SampleType is the value summed, e.g. "cpu/nanoseconds".
	SampleType string
	Total      int64
	Flat       map[string]int64 // function name -> value
}

type protoLocation struct {
	functionIDs []uint64 // innermost first: inlined functions, then the caller they sit in
}

type protoSample struct {
	locationIDs []uint64
	values      []int64
}

type protoProfile struct {
	sampleTypes [][2]int64 // type and unit string indexes
	samples     []protoSample
	locations   map[uint64]protoLocation
	functions   map[uint64]int64 // id -> name string index
	strings     []string
}

// maxProfileBytes bounds the decompressed size of a profile read from a
// record or a broker.
const maxProfileBytes = 64 << 20

// parseFlatProfile decodes a pprof profile (gzipped or not) and sums
// the value of sampleType ("cpu", "alloc_space", ...; "" picks "cpu" when
// present, else the last type) by leaf function.
func parseFlatProfile(data []byte, sampleType string) (*flatProfile, error) {
	raw := data
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("pprof: %v", err)
		}
		raw, err = io.ReadAll(io.LimitReader(zr, maxProfileBytes+1))
		if err != nil {
			return nil, fmt.Errorf("pprof: %v", err)
		}
		if len(raw) > maxProfileBytes {
			return nil, errors.New("pprof: profile too large")
		}
	}
	p, err := decodeProfile(raw)
	if err != nil {
		return nil, err
	}
	str := func(i int64) string {
		if i < 0 || i >= int64(len(p.strings)) {
			return ""
		}
		return p.strings[i]
	}
	if len(p.sampleTypes) == 0 {
		return nil, errors.New("pprof: profile has no sample types")
	}
	idx := len(p.sampleTypes) - 1
	want := sampleType
	if want == "" {
		want = "cpu"
	}
	found := false
	for i, st := range p.sampleTypes {
		if str(st[0]) == want {
			idx, found = i, true
		}
	}
	if !found && sampleType != "" {
		return nil, fmt.Errorf("pprof: profile has no %q samples", sampleType)
	}
	fp := &flatProfile{SampleType: str(p.sampleTypes[idx][0]) + "/" + str(p.sampleTypes[idx][1]), Flat: map[string]int64{}}
	for _, s := range p.samples {
		if idx >= len(s.values) {
			return nil, errors.New("pprof: sample has fewer values than sample types")
		}
		v := s.values[idx]
		fp.Total += v
		name := "(unknown)"
		if len(s.locationIDs) > 0 {
			if loc, ok := p.locations[s.locationIDs[0]]; ok && len(loc.functionIDs) > 0 {
				if n, ok := p.functions[loc.functionIDs[0]]; ok {
					name = str(n)
				}
			}
		}
		fp.Flat[name] += v
	}
	return fp, nil
}

// protoField is one field of a protocol buffer message.
type protoField struct {
	num   int
	wire  int
	value uint64 // varint and fixed values
	bytes []byte // length-delimited values; aliases the message
}

// nextField reads the field at the start of b and returns the rest.
func nextField(b []byte) (protoField, []byte, error) {
	key, n := binary.Uvarint(b)
	if n <= 0 {
		return protoField{}, nil, errors.New("pprof: bad field key")
	}
	b = b[n:]
	f := protoField{num: int(key >> 3), wire: int(key & 7)}
	switch f.wire {
	case 0:
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return f, nil, errors.New("pprof: bad varint")
		}
		f.value, b = v, b[n:]
	case 1:
		if len(b) < 8 {
			return f, nil, errors.New("pprof: short fixed64")
		}
		f.value, b = binary.LittleEndian.Uint64(b), b[8:]
	case 2:
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return f, nil, errors.New("pprof: bad length")
		}
		f.bytes, b = b[n:n+int(l)], b[n+int(l):]
	case 5:
		if len(b) < 4 {
			return f, nil, errors.New("pprof: short fixed32")
		}
		f.value, b = uint64(binary.LittleEndian.Uint32(b)), b[4:]
	default:
		return f, nil, fmt.Errorf("pprof: wire type %d not supported", f.wire)
	}
	return f, b, nil
}

// eachField calls fn for every field of message m.
func eachField(m []byte, fn func(protoField) error) error {
	for len(m) > 0 {
		f, rest, err := nextField(m)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
		m = rest
	}
	return nil
}

// appendVarints appends a repeated varint field, packed or not.
func appendVarints(dst []uint64, f protoField) ([]uint64, error) {
	if f.wire == 0 {
		return append(dst, f.value), nil
	}
	if f.wire != 2 {
		return dst, errors.New("pprof: bad repeated integer")
	}
	b := f.bytes
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return dst, errors.New("pprof: bad packed varint")
		}
		dst, b = append(dst, v), b[n:]
	}
	return dst, nil
}

func decodeProfile(b []byte) (*protoProfile, error) {
	p := &protoProfile{locations: map[uint64]protoLocation{}, functions: map[uint64]int64{}}
	err := eachField(b, func(f protoField) error {
		if f.wire != 2 {
			return nil // scalar fields (time, period, ...) are not needed
		}
		switch f.num {
		case 1: // sample_type
			var st [2]int64
			err := eachField(f.bytes, func(g protoField) error {
				if g.wire == 0 && (g.num == 1 || g.num == 2) {
					st[g.num-1] = int64(g.value)
				}
				return nil
			})
			p.sampleTypes = append(p.sampleTypes, st)
			return err
		case 2: // sample
			var s protoSample
			var vals []uint64
			err := eachField(f.bytes, func(g protoField) error {
				var err error
				switch g.num {
				case 1:
					s.locationIDs, err = appendVarints(s.locationIDs, g)
				case 2:
					vals, err = appendVarints(vals, g)
				}
				return err
			})
			for _, v := range vals {
				s.values = append(s.values, int64(v))
			}
			p.samples = append(p.samples, s)
			return err
		case 4: // location
			var id uint64
			var loc protoLocation
			err := eachField(f.bytes, func(g protoField) error {
				switch {
				case g.num == 1 && g.wire == 0:
					id = g.value
				case g.num == 4 && g.wire == 2: // line
					return eachField(g.bytes, func(h protoField) error {
						if h.num == 1 && h.wire == 0 {
							loc.functionIDs = append(loc.functionIDs, h.value)
						}
						return nil
					})
				}
				return nil
			})
			p.locations[id] = loc
			return err
		case 5: // function
			var id uint64
			var name int64
			err := eachField(f.bytes, func(g protoField) error {
				if g.wire == 0 {
					switch g.num {
					case 1:
						id = g.value
					case 2:
						name = int64(g.value)
					}
				}
				return nil
			})
			p.functions[id] = name
			return err
		case 6: // string_table
			p.strings = append(p.strings, string(f.bytes))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}
