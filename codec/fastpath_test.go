package codec

import (
	"reflect"
	"testing"
)

// The fast paths (Publish.Decode's plain 3.x path, Frame.Read) must give
// exactly what the paths that check each rule in turn give: same error,
// same fields, on fresh and on reused values.

func seedPublishBodies(f *testing.F) {
	for _, raw := range [][]byte{publishV311QoS0, publishV311QoS1, publishV5QoS1} {
		fr := mustFrame(raw)
		f.Add(byte(V311), byte(PUBLISH)<<4|fr.Flags, fr.Body)
	}
	f.Add(byte(V311), byte(0x32), []byte("\x00\x08abcdefgh\x00\x00"))  // packet identifier 0
	f.Add(byte(V311), byte(0x32), []byte("\x00\x08abcdefgh\x00"))      // identifier cut short
	f.Add(byte(V311), byte(0x32), []byte("\x00\x08abcdefgh\x12\x34"))  // QoS 1, empty payload
	f.Add(byte(V311), byte(0x38), []byte("\x00\x08abcdefghpayload"))   // DUP at QoS 0
	f.Add(byte(V31), byte(0x38), []byte("\x00\x08abcdefghpayload"))    // allowed in 3.1
	f.Add(byte(V311), byte(0x3B), []byte("\x00\x08abcd+fgh\x12\x34"))  // wildcard, DUP QoS 1 retain
	f.Add(byte(V311), byte(0x30), []byte("\x00\x09abcdefg\x00h"))      // NUL
	f.Add(byte(V311), byte(0x30), []byte("\x00\x0aabcdefgh\xc3\xa9x")) // UTF-8 é
	f.Add(byte(V311), byte(0x36), []byte("\x00\x08abcdefgh\x00\x01"))  // QoS 3
}

func FuzzPublishFastPath(f *testing.F) {
	seedPublishBodies(f)
	f.Fuzz(func(t *testing.T, vb, flags byte, body []byte) {
		v := Version(vb) // any byte: 3.1, 3.1.1, 5.0 or invalid
		var fast, full Publish
		for round := 0; round < 2; round++ { // the second round reuses both values
			errFast := fast.Decode(v, flags&0x0F, body)
			errFull := full.decodeFull(v, flags&0x0F, body)
			if errFast != errFull {
				t.Fatalf("round %d: Decode error %v, decodeFull error %v", round, errFast, errFull)
			}
			if !reflect.DeepEqual(fast, full) {
				t.Fatalf("round %d: Decode gave %+v, decodeFull %+v", round, fast, full)
			}
		}
	})
}

func FuzzFrameRead(f *testing.F) {
	for _, raw := range [][]byte{publishV311QoS0, publishV5QoS1, subscribeV5, connectV311} {
		f.Add(raw, uint32(0))
	}
	f.Add([]byte{0x30, 0x02, 0x00, 0x00}, uint32(3)) // over the maximum
	f.Add([]byte{0x30, 0x02, 0x00, 0x00}, uint32(4)) // at the maximum
	f.Add([]byte{0x30, 0x03, 0x00, 0x00}, uint32(0)) // incomplete
	f.Add([]byte{0x00, 0x00}, uint32(0))             // reserved type
	f.Add([]byte{0x30, 0x80, 0x01, 0x00}, uint32(0)) // two-byte remaining length
	f.Add([]byte{0x30, 0x7F}, uint32(0xFFFFFFFF))    // the largest maximum
	f.Fuzz(func(t *testing.T, buf []byte, max uint32) {
		var f Frame
		for round := 0; round < 2; round++ { // the second round reuses f
			want, wantErr := ReadFrame(buf, max)
			err := f.Read(buf, max)
			if err != wantErr || !reflect.DeepEqual(f, want) {
				t.Fatalf("round %d: Read gave %+v, %v; ReadFrame %+v, %v", round, f, err, want, wantErr)
			}
		}
	})
}

// TestPublishFastPathEveryPosition puts each byte that a topic name may not
// hold plainly (NUL, wildcards, the start of a multi-byte or a bad UTF-8
// sequence), and valid bytes that the fast path's word test leaves to
// decodeFull, at every position of topics of 8 to 40 bytes, which covers the
// fast path's word layouts for short topics and its loop for long ones.
func TestPublishFastPathEveryPosition(t *testing.T) {
	for n := minWords; n <= 40; n++ {
		for pos := 0; pos < n; pos++ {
			// Space, '!', '(', '*', 0x01 and 0x0B are valid but fail the fast
			// path's word test: decodeFull must accept them.
			for _, c := range []byte{0x00, '+', '#', 0x7F, 0x80, 0xC3, 0xFF, ' ', '!', '(', '*', 0x01, 0x0B} {
				topic := make([]byte, n)
				for i := range topic {
					topic[i] = 'a' + byte(i%26)
				}
				topic[pos] = c
				body := append([]byte{0, byte(n)}, topic...)
				body = append(body, 0x12, 0x34, 'x')
				var fast, full Publish
				errFast := fast.Decode(V311, 0x02, body)
				errFull := full.decodeFull(V311, 0x02, body)
				if errFast != errFull || !reflect.DeepEqual(fast, full) {
					t.Fatalf("%#x at %d of %d: Decode %v %+v, decodeFull %v %+v", c, pos, n, errFast, fast, errFull, full)
				}
				if wantErr := c == 0 || c == '+' || c == '#' || c >= 0x80; (errFast != nil) != wantErr {
					t.Fatalf("%#x at %d of %d: error %v", c, pos, n, errFast)
				}
			}
		}
	}
}
