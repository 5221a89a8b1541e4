package codec

import "encoding/binary"

// Word-at-a-time scanning for the common case of plain ASCII strings: the
// UTF-8 and topic checks first test eight bytes at a time, without a branch
// per byte, whether the string holds anything but ASCII other than NUL (and,
// for topic names, '+' and '#'). Only strings that do take the byte loop.

const (
	ones     = 0x0101010101010101
	highs    = 0x8080808080808080
	plusses  = ones * '+'
	bit3s    = ones * 0x08
	minWords = 8 // strings shorter than this take the byte loop
)

// zeroBytes has the high bit of some byte set iff some byte of x is 0 (the
// position of the bit is not exact; only its existence is used).
func zeroBytes(x uint64) uint64 { return (x - ones) &^ x }

// '#' (0x23) and '+' (0x2B) differ only in bit 3, and no other byte becomes
// 0x2B once bit 3 is set: one zero test finds both wildcards.

// plainASCII reports whether b holds only ASCII without NUL. len(b) must be
// at least minWords.
func plainASCII(b []byte) bool {
	n := len(b)
	var acc uint64
	for i := 0; i+8 <= n; i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		acc |= x | zeroBytes(x)
	}
	// The last word overlaps the previous one when n is not a multiple of 8.
	x := binary.LittleEndian.Uint64(b[n-8:])
	return (acc|x|zeroBytes(x))&highs == 0
}

// plainTopic reports whether b holds only ASCII without NUL, '+' or '#'.
// len(b) must be at least minWords. The last word overlaps the previous one
// when len(b) is not a multiple of 8.
func plainTopic(b []byte) bool {
	last := len(b) - 8
	var acc uint64
	for i := 0; ; i += 8 {
		i = min(i, last)
		x := binary.LittleEndian.Uint64(b[i:])
		acc |= x | zeroBytes(x) | zeroBytes((x|bit3s)^plusses)
		if i == last {
			return acc&highs == 0
		}
	}
}
