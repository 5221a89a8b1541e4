package codec

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// TestPlainASCIIEveryByte puts every byte value at every position of
// strings of several lengths and compares the word-at-a-time test with a
// byte-by-byte one.
func TestPlainASCIIEveryByte(t *testing.T) {
	for n := minWords; n <= 40; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				s := []byte(strings.Repeat("a", n))
				s[pos] = byte(c)
				plain := c != 0 && c < 0x80
				if got := plainASCII(s); got != plain {
					t.Fatalf("plainASCII(%q) = %v", s, got)
				}
				plain = plain && c != '+' && c != '#'
				if got := plainTopic(s); got != plain {
					t.Fatalf("plainTopic(%q) = %v", s, got)
				}
			}
		}
	}
}

// TestCommonTopicBytesEveryByte checks the PUBLISH fast path's word test
// byte by byte: for every ASCII value at every position of a word of
// letters, the byte's high bit is set exactly when the value has bit 2, 4 or
// 6 set, which NUL, '+' and '#' never have [MQTT-1.5.4-2] [MQTT-3.3.2-2],
// and the other bytes' high bits stay set.
func TestCommonTopicBytesEveryByte(t *testing.T) {
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 0x80; c++ {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			got := commonTopicBytes(binary.LittleEndian.Uint64(w))
			for i := 0; i < 8; i++ {
				want := i != pos || c&0x54 != 0
				if high := got>>(8*i+7)&1 == 1; high != want {
					t.Fatalf("%#x at %d: byte %d high bit %v, want %v", c, pos, i, high, want)
				}
			}
			if c == 0 || c == '+' || c == '#' {
				if got&highs == highs {
					t.Fatalf("%#x at %d passes the word test", c, pos)
				}
			}
		}
	}
}

// TestStringChecksFindEveryPosition puts each special byte at every position
// of strings of several lengths, through both the word and the byte paths.
func TestStringChecksFindEveryPosition(t *testing.T) {
	for n := 1; n <= 40; n++ {
		for pos := 0; pos < n; pos++ {
			for _, c := range []string{"\x00", "+", "#", "\xC3\xA9", "\xFF"} {
				s := []byte(strings.Repeat("a", pos) + c + strings.Repeat("b", n-pos-1))
				topicErr := checkTopicChars(s)
				utfErr := checkUTF8(s)
				switch c {
				case "\x00":
					if topicErr != errUTF8Null || utfErr != errUTF8Null {
						t.Fatalf("NUL at %d of %d: %v %v", pos, n, topicErr, utfErr)
					}
				case "+", "#":
					if topicErr != errTopicWildcard || utfErr != nil {
						t.Fatalf("%q at %d of %d: %v %v", c, pos, n, topicErr, utfErr)
					}
				case "\xC3\xA9":
					if topicErr != nil || utfErr != nil {
						t.Fatalf("é at %d of %d: %v %v", pos, n, topicErr, utfErr)
					}
				case "\xFF":
					if topicErr != errUTF8 || utfErr != errUTF8 {
						t.Fatalf("0xFF at %d of %d: %v %v", pos, n, topicErr, utfErr)
					}
				}
			}
		}
	}
}

// TestPlainShortASCIIEveryByte checks the one-word test of short strings
// against a byte loop: every byte value at every position of strings of 0
// to 7 bytes, at every place in buffers of 8 and 20 bytes whose other bytes
// are NUL or high (which the test must not see).
func TestPlainShortASCIIEveryByte(t *testing.T) {
	for _, size := range []int{8, 20} {
		for _, fill := range []byte{0x00, 0xFF} {
			for n := 0; n < minWords; n++ {
				for start := 0; start+n <= size; start++ {
					for pos := 0; pos < max(n, 1); pos++ {
						for c := 0; c < 256; c++ {
							buf := bytes.Repeat([]byte{fill}, size)
							copy(buf[start:], strings.Repeat("a", n))
							if n > 0 {
								buf[start+pos] = byte(c)
							}
							want := n == 0 || (c != 0 && c < 0x80)
							if got := plainShortASCII(buf, start, n); got != want {
								t.Fatalf("plainShortASCII(%x, %d, %d) = %v", buf, start, n, got)
							}
						}
					}
				}
			}
		}
	}
	if plainShortASCII([]byte("abc"), 0, 3) {
		t.Fatal("a buffer shorter than a word must go to the byte loop")
	}
}
