package codec

import "encoding/binary"

// Word-at-a-time scanning for the common case of plain ASCII strings: the
// UTF-8 and topic checks skip eight bytes at a time while none of them is
// non-ASCII, NUL, or (for topic names) a wildcard.

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasZeroByte reports whether any byte of x is 0.
func hasZeroByte(x uint64) bool { return (x-ones)&^x&highs != 0 }

// plainPrefix returns how many leading bytes of b are in whole 8-byte words
// of ASCII without NUL and, when wildcards is set, without '+' or '#'.
func plainPrefix(b []byte, wildcards bool) int {
	i := 0
	for ; len(b)-i >= 8; i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if x&highs != 0 || hasZeroByte(x) {
			break
		}
		if wildcards && (hasZeroByte(x^(ones*'+')) || hasZeroByte(x^(ones*'#'))) {
			break
		}
	}
	return i
}
