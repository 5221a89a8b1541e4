package codectest

// The builders below write test vectors byte by byte, independently of the
// codec's encoder, so that the golden table checks the encoder too.

// cat concatenates parts: a byte or int is one byte, a []byte or raw is
// copied as is.
func cat(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case byte:
			b = append(b, p)
		case int:
			b = append(b, byte(p))
		case rune:
			b = append(b, byte(p))
		case []byte:
			b = append(b, p...)
		case raw:
			b = append(b, p...)
		default:
			panic("codectest: bad part")
		}
	}
	return b
}

// raw is text copied without a length prefix.
type raw string

// s is a UTF-8 string or binary field: two-byte length, then the bytes.
func s(v string) []byte {
	return append([]byte{byte(len(v) >> 8), byte(len(v))}, v...)
}

// u16 is a big-endian Two Byte Integer.
func u16(v int) []byte { return []byte{byte(v >> 8), byte(v)} }

// u32 is a big-endian Four Byte Integer.
func u32(v int) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

// vbi is a Variable Byte Integer in its minimal form.
func vbi(v int) []byte {
	var b []byte
	for {
		c := byte(v % 128)
		v /= 128
		if v > 0 {
			c |= 128
		}
		b = append(b, c)
		if v == 0 {
			return b
		}
	}
}

// pkt is a whole packet: first byte, remaining length, body.
func pkt(first byte, body ...any) []byte {
	b := cat(body...)
	return cat(first, vbi(len(b)), b)
}

// props is a property block with its length prefix.
func props(parts ...any) []byte {
	b := cat(parts...)
	return cat(vbi(len(b)), b)
}

func bs(v string) []byte { return []byte(v) }
