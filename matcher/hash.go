package matcher

import (
	"math/bits"
	"math/rand/v2"
)

// nameHash hashes a topic, a filter or one level of either, keyed by seed
// (random per table, so that hashes cannot be predicted from outside). Both
// a publish's []byte topic and a subscription's string hash the same.
//
// It reads eight bytes at a time and folds them with 64x64->128-bit
// multiplications, the construction of wyhash and of the Go runtime's own
// fallback hash: cheaper than hash/maphash for the short levels of a topic,
// and inlined in the walk.
func nameHash[T ~string | ~[]byte](seed uint64, p T) uint64 {
	const k0, k1, k2 = 0xa0761d6478bd642f, 0xe7037ed1a0b428db, 0x8ebc6af09c88c6e3
	n := len(p)
	s := seed ^ k0
	var a, b uint64
	switch {
	case n > 16:
		i := 0
		for ; n-i > 16; i += 16 {
			s = fold(read8(p, i)^k1, read8(p, i+8)^s)
		}
		a, b = read8(p, n-16), read8(p, n-8)
	case n >= 8:
		a, b = read8(p, 0), read8(p, n-8)
	case n >= 4:
		a, b = read4(p, 0), read4(p, n-4)
	case n > 0:
		a = uint64(p[0])<<16 | uint64(p[n>>1])<<8 | uint64(p[n-1])
	}
	return fold(fold(a^k1, b^s)^k2, uint64(n)^s)
}

// fold multiplies a and b to 128 bits and returns both halves xored.
func fold(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func read8[T ~string | ~[]byte](p T, i int) uint64 {
	_ = p[i+7]
	return uint64(p[i]) | uint64(p[i+1])<<8 | uint64(p[i+2])<<16 | uint64(p[i+3])<<24 |
		uint64(p[i+4])<<32 | uint64(p[i+5])<<40 | uint64(p[i+6])<<48 | uint64(p[i+7])<<56
}

func read4[T ~string | ~[]byte](p T, i int) uint64 {
	_ = p[i+3]
	return uint64(p[i]) | uint64(p[i+1])<<8 | uint64(p[i+2])<<16 | uint64(p[i+3])<<24
}

// newHashSeed returns a random seed for nameHash.
func newHashSeed() uint64 {
	return rand.Uint64()
}
