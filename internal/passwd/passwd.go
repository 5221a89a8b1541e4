// Package passwd reads, writes and verifies mosquitto-compatible password
// files: one "username:hash" per line, where hash is
//
//	$7$<iterations>$<base64 salt>$<base64 PBKDF2-HMAC-SHA512 key>  (mosquitto 2.0 default)
//	$6$<base64 salt>$<base64 SHA-512(password || salt)>            (mosquitto 1.6 and earlier)
//
// The same files are accepted by mosquitto's password_file option and by
// midge, so a board can switch brokers without re-hashing its users.
package passwd

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Mosquitto 2.0's defaults for new hashes.
const (
	// DefaultIterations is the PBKDF2 iteration count mosquitto_passwd writes.
	DefaultIterations = 101
	// SaltLen is the length in bytes of the random salt.
	SaltLen = 12
)

// Algorithm names a hash scheme, as mosquitto_passwd's -H flag spells it.
type Algorithm string

const (
	// SHA512PBKDF2 is the "$7$" scheme, mosquitto 2.0's default.
	SHA512PBKDF2 Algorithm = "sha512-pbkdf2"
	// SHA512 is the "$6$" salted SHA-512 scheme of mosquitto 1.6.
	SHA512 Algorithm = "sha512"
)

// ErrMalformed is returned for a hash string that is in neither format.
var ErrMalformed = errors.New("passwd: malformed password hash")

// Hash returns a new hash of password with a fresh random salt, in the
// format of alg.
func Hash(password string, alg Algorithm) (string, error) {
	salt := make([]byte, SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return HashWithSalt(password, salt, alg, DefaultIterations)
}

// HashWithSalt returns the hash of password with the given salt; iterations
// is used by SHA512PBKDF2 only.
func HashWithSalt(password string, salt []byte, alg Algorithm, iterations int) (string, error) {
	enc := base64.StdEncoding
	switch alg {
	case SHA512PBKDF2:
		if iterations < 1 {
			return "", fmt.Errorf("passwd: iterations must be positive, got %d", iterations)
		}
		key, err := pbkdf2.Key(sha512.New, password, salt, iterations, sha512.Size)
		if err != nil {
			return "", err
		}
		return "$7$" + strconv.Itoa(iterations) + "$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key), nil
	case SHA512:
		sum := sha512Salted(password, salt)
		return "$6$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(sum[:]), nil
	}
	return "", fmt.Errorf("passwd: unknown hash algorithm %q", alg)
}

func sha512Salted(password string, salt []byte) [sha512.Size]byte {
	h := sha512.New()
	h.Write([]byte(password))
	h.Write(salt)
	var out [sha512.Size]byte
	h.Sum(out[:0])
	return out
}

// Verify reports whether password matches hash (either format). A hash that
// cannot be parsed returns ErrMalformed. The comparison takes constant time
// in the content of the key.
func Verify(hash, password string) (bool, error) {
	enc := base64.StdEncoding
	switch {
	case strings.HasPrefix(hash, "$7$"):
		parts := strings.Split(hash[3:], "$")
		if len(parts) != 3 {
			return false, ErrMalformed
		}
		iterations, err := strconv.Atoi(parts[0])
		if err != nil || iterations < 1 {
			return false, ErrMalformed
		}
		salt, err1 := enc.DecodeString(parts[1])
		want, err2 := enc.DecodeString(parts[2])
		if err1 != nil || err2 != nil || len(want) == 0 {
			return false, ErrMalformed
		}
		got, err := pbkdf2.Key(sha512.New, password, salt, iterations, len(want))
		if err != nil {
			return false, ErrMalformed
		}
		return hmac.Equal(got, want), nil
	case strings.HasPrefix(hash, "$6$"):
		parts := strings.Split(hash[3:], "$")
		if len(parts) != 2 {
			return false, ErrMalformed
		}
		salt, err1 := enc.DecodeString(parts[0])
		want, err2 := enc.DecodeString(parts[1])
		if err1 != nil || err2 != nil {
			return false, ErrMalformed
		}
		got := sha512Salted(password, salt)
		return hmac.Equal(got[:], want), nil
	}
	return false, ErrMalformed
}
