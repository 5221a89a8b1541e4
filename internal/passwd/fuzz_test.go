package passwd

import (
	"strings"
	"testing"
)

// FuzzVerify: no stored hash makes Verify panic, and a hash made by
// HashWithSalt always verifies.
func FuzzVerify(f *testing.F) {
	f.Add(mosquittoPBKDF2, "secret", []byte("salt"))
	f.Add(mosquittoSHA512, "x", []byte{})
	f.Add("$7$99999999$AAAA$AAAA", "", []byte{1})
	f.Fuzz(func(t *testing.T, hash, pw string, salt []byte) {
		if strings.HasPrefix(hash, "$7$") && len(hash) > 3 {
			// Keep the iteration count small: the fuzzer would find 10^9.
			if n := strings.IndexByte(hash[3:], '$'); n > 4 {
				return
			}
		}
		Verify(hash, pw)
		h, err := HashWithSalt(pw, salt, SHA512PBKDF2, 3)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := Verify(h, pw); !ok || err != nil {
			t.Fatalf("own hash %q of %q does not verify: %v", h, pw, err)
		}
		f, err := Parse(strings.NewReader(hash))
		if err == nil {
			f.Bytes()
		}
	})
}
