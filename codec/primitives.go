package codec

import "unicode/utf8"

// reader walks a packet body. Each read returns a view into buf; on error the
// reader's position is unspecified and the packet is abandoned.
type reader struct {
	buf []byte
	pos int
}

func (r *reader) left() int { return len(r.buf) - r.pos }

func (r *reader) byte() (byte, error) {
	if r.pos >= len(r.buf) {
		return 0, errShort
	}
	b := r.buf[r.pos]
	r.pos++
	return b, nil
}

func (r *reader) uint16() (uint16, error) {
	if len(r.buf)-r.pos < 2 {
		return 0, errShort
	}
	v := uint16(r.buf[r.pos])<<8 | uint16(r.buf[r.pos+1])
	r.pos += 2
	return v, nil
}

func (r *reader) uint32() (uint32, error) {
	if len(r.buf)-r.pos < 4 {
		return 0, errShort
	}
	b := r.buf[r.pos : r.pos+4]
	r.pos += 4
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), nil
}

// varint reads a Variable Byte Integer (§1.5.5). Non-minimal encodings are
// accepted: [MQTT-1.5.5-1] binds the sender, and no clause asks the receiver
// to reject them.
func (r *reader) varint() (uint32, error) {
	if r.pos < len(r.buf) && r.buf[r.pos] < 0x80 { // one byte: every property identifier
		v := r.buf[r.pos]
		r.pos++
		return uint32(v), nil
	}
	return r.varintLong()
}

func (r *reader) varintLong() (uint32, error) {
	v, n, err := readVarint(r.buf[r.pos:])
	if err != nil {
		return 0, err
	}
	r.pos += n
	return v, nil
}

// binary reads Binary Data: a two-byte length and that many bytes (§1.5.6).
func (r *reader) binary() ([]byte, error) {
	p := r.pos
	if len(r.buf)-p < 2 {
		return nil, errShort
	}
	end := p + 2 + (int(r.buf[p])<<8 | int(r.buf[p+1]))
	if end > len(r.buf) {
		return nil, errShort
	}
	r.pos = end
	return r.buf[p+2 : end : end], nil
}

// string reads a UTF-8 Encoded String and checks it [MQTT-1.5.4-1..2].
func (r *reader) string() ([]byte, error) {
	start := r.pos + 2
	b, err := r.binary()
	if err != nil {
		return nil, err
	}
	if len(b) < minWords && plainShortASCII(r.buf, start, len(b)) {
		return b, nil
	}
	if err := checkUTF8(b); err != nil {
		return nil, err
	}
	return b, nil
}

// rest returns everything not read yet.
func (r *reader) rest() []byte {
	b := r.buf[r.pos:len(r.buf):len(r.buf)]
	r.pos = len(r.buf)
	return b
}

// readVarint decodes a Variable Byte Integer from the start of b and returns
// its value and length. It returns ErrNeedMore when b ends before the last
// byte and errVarintTooLong past four bytes.
func readVarint(b []byte) (uint32, int, error) {
	var v uint32
	for i := 0; i < 4; i++ {
		if i >= len(b) {
			return 0, 0, errShort
		}
		c := b[i]
		v |= uint32(c&0x7F) << (7 * i)
		if c&0x80 == 0 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errVarintTooLong // §1.5.5: at most four bytes
}

// checkUTF8 applies the UTF-8 Encoded String rules: well-formed, no
// surrogates [MQTT-1.5.4-1] (3.1.1: [MQTT-1.5.3-1]) and no U+0000
// [MQTT-1.5.4-2] (3.1.1: [MQTT-1.5.3-2]). Go's decoder rejects encoded
// surrogates as ill-formed.
func checkUTF8(b []byte) error {
	if len(b) >= minWords && plainASCII(b) {
		return nil
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == 0 {
			return errUTF8Null // [MQTT-1.5.4-2]
		}
		if c >= utf8.RuneSelf {
			return checkUTF8Slow(b[i:])
		}
	}
	return nil
}

func checkUTF8Slow(b []byte) error {
	if !utf8.Valid(b) {
		return errUTF8 // [MQTT-1.5.4-1]
	}
	for _, c := range b {
		if c == 0 {
			return errUTF8Null // [MQTT-1.5.4-2]
		}
	}
	return nil
}

// ValidUTF8 reports whether s satisfies the UTF-8 Encoded String rules
// [MQTT-1.5.4-1] [MQTT-1.5.4-2] and fits a two-byte length; it returns nil or
// an error whose reason code is MalformedPacket.
func ValidUTF8(s []byte) error {
	if len(s) > 65535 {
		return errStringTooLong
	}
	return checkUTF8(s)
}

var errStringTooLong = malformed("string longer than 65535 bytes (§1.5.4)")

// varintLen is the encoded length of a Variable Byte Integer.
func varintLen(v uint32) int {
	switch {
	case v < 1<<7:
		return 1
	case v < 1<<14:
		return 2
	case v < 1<<21:
		return 3
	}
	return 4
}

// appendVarint appends v in the minimal form [MQTT-1.5.5-1]. Values above
// MaxVarint are truncated to their low 28 bits.
func appendVarint(dst []byte, v uint32) []byte {
	v &= MaxVarint
	for {
		c := byte(v & 0x7F)
		v >>= 7
		if v == 0 {
			return append(dst, c)
		}
		dst = append(dst, c|0x80)
	}
}

// MaxVarint is the largest Variable Byte Integer, and so the largest
// remaining length (§1.5.5).
const MaxVarint = 268_435_455

func appendUint16(dst []byte, v uint16) []byte { return append(dst, byte(v>>8), byte(v)) }

func appendUint32(dst []byte, v uint32) []byte {
	return append(dst, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// appendBinary appends a two-byte length and b. Longer inputs are truncated
// to 65535 bytes so that the output stays well-formed.
func appendBinary(dst []byte, b []byte) []byte {
	if len(b) > 65535 {
		b = b[:65535]
	}
	dst = appendUint16(dst, uint16(len(b)))
	return append(dst, b...)
}

func binaryLen(b []byte) int {
	if len(b) > 65535 {
		return 2 + 65535
	}
	return 2 + len(b)
}
