package codec

import (
	"strings"
	"testing"
)

// TestPlainPrefixFindsEveryPosition puts each special byte at every position
// of strings of several lengths, so that the word-at-a-time path and the byte
// loop are both exercised.
func TestPlainPrefixFindsEveryPosition(t *testing.T) {
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
