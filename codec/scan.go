package codec

import "encoding/binary"

// Word-at-a-time scanning for the common case of plain ASCII strings: the
// UTF-8 and topic checks first test eight bytes at a time, without a branch
// per byte, whether the string holds anything but ASCII other than NUL (and,
// for topic names, '+' and '#'). Only strings that do take the byte loop.

const (
	ones     = 0x0101010101010101
	highs    = 0x8080808080808080
	lows     = 0x7F7F7F7F7F7F7F7F
	plusses  = ones * '+'
	bit3s    = ones * 0x08
	spaces   = ones * ' '
	minWords = 8 // strings shorter than this take the byte loop
)

// In a word whose bytes are all ASCII (below 0x80), adding 0x7F to each byte
// carries into no other byte, and sets the byte's high bit unless the byte
// is 0. So, with bad the OR of the words and ok the AND of the words plus
// lows, the bytes are all ASCII without NUL iff (bad | ^ok) has no high bit
// set. A byte of 0x80 or more makes bad have a high bit, whatever the
// carries it causes do to ok.
//
// '#' (0x23) and '+' (0x2B) differ only in bit 3, and no other byte becomes
// 0x2B once bit 3 is set: (x | bit3s) ^ plusses has a zero byte where x has
// a wildcard, and is ASCII where x is.

// plainASCII reports whether b holds only ASCII without NUL. len(b) must be
// at least minWords. The last word overlaps the previous one when len(b) is
// not a multiple of 8.
func plainASCII(b []byte) bool {
	n := len(b)
	ok, bad := uint64(highs), uint64(0)
	for i := 0; i < n-8; i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		ok &= x + lows
		bad |= x
	}
	x := binary.LittleEndian.Uint64(b[n-8:])
	return (bad|x|^(ok&(x+lows)))&highs == 0
}

// plainShortASCII reports whether the n < minWords bytes of buf from start
// are ASCII without NUL, reading one word of buf around them (the bytes
// around them are taken as spaces). It reports false, to leave the string to
// the byte loop, when buf is shorter than a word.
func plainShortASCII(buf []byte, start, n int) bool {
	if len(buf) < 8 || n >= 8 || start < 0 || start+n > len(buf) {
		return false
	}
	var x uint64
	if end := start + n; end >= 8 {
		x = binary.LittleEndian.Uint64(buf[end-8:]) >> (8 * (8 - n)) // the string in the low bytes
	} else {
		x = binary.LittleEndian.Uint64(buf) >> (8 * start) & (1<<(8*n) - 1)
	}
	x |= spaces << (8 * n)
	return (x|^(x+lows))&highs == 0
}

// plainTopic reports whether b holds only ASCII without NUL, '+' or '#'.
// len(b) must be at least minWords. It reads sixteen bytes a step, the last
// step overlapping the one before when len(b) is not a multiple of 16, and
// a topic of 16 bytes or less in one step of two overlapping words.
func plainTopic(b []byte) bool {
	n := len(b)
	ok, bad := uint64(highs), uint64(0)
	if n > 16 {
		for i := 0; i < n-16; i += 16 {
			x, y := binary.LittleEndian.Uint64(b[i:]), binary.LittleEndian.Uint64(b[i+8:])
			ok &= topicBytes(x) & topicBytes(y)
			bad |= x | y
		}
		b = b[n-16:]
	}
	x, y := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[len(b)-8:])
	ok &= topicBytes(x) & topicBytes(y)
	return (bad|x|y|^ok)&highs == 0
}

// topicBytes has the high bit of each byte set where x, if ASCII, has
// neither NUL nor a wildcard.
func topicBytes(x uint64) uint64 { return (x + lows) & (((x | bit3s) ^ plusses) + lows) }

// commonBits has bits 2, 4 and 6 of each byte set. Every ASCII byte but
// 0x00-0x03, 0x08-0x0B, space, '!', '"', '#', '(', ')', '*' and '+' has one
// of them: letters, digits, '/', '-', '.', '_', '$' and ':' all do.
const commonBits = ones * 0x54

// commonTopicBytes has the high bit of each byte set where x, if ASCII, has
// a byte with bit 2, 4 or 6 set: never NUL or a wildcard. It is a sufficient
// test, cheaper than topicBytes (no carry crosses a byte, as x&commonBits is
// at most 0x54 a byte), that a few rare bytes fail as well.
func commonTopicBytes(x uint64) uint64 { return x&commonBits + lows }
