package loadgen

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"time"
)

// StampSize is the number of bytes a Stamp takes at the start of every
// payload the load generator sends; payloads are never shorter.
const StampSize = 26

// stampMagic marks a payload written by the load generator, so messages
// from other clients on the same broker are counted apart.
const stampMagic = 0x6d67 // "mg"

// ErrNotStamped is returned by DecodeStamp for payloads the load generator
// did not write.
var ErrNotStamped = errors.New("loadgen: payload carries no stamp")

// Stamp is what every payload carries, little-endian at its start:
// magic (2 bytes), publisher (4), sequence (8), intended send time (8),
// generator wait (4).
type Stamp struct {
	Publisher uint32 // the publisher's number within the run
	Seq       uint64 // 0, 1, 2, ... per publisher
	Intended  int64  // nanoseconds since the run's epoch on its monotonic clock
	// Wait is how many nanoseconds after Intended the generator was ready
	// to send (its own timer's lateness, see SendFunc), at most MaxWait.
	Wait uint32
}

// MaxWait is the largest Stamp.Wait; longer waits are stored as it.
const MaxWait = time.Duration(^uint32(0))

// WaitFor returns the Wait of a message due at intended and ready at
// ready.
func WaitFor(intended, ready time.Duration) uint32 {
	return uint32(min(max(ready-intended, 0), MaxWait))
}

// Ready returns when the generator was ready to send the message:
// Intended plus Wait.
func (s Stamp) Ready() time.Duration {
	return time.Duration(s.Intended) + time.Duration(s.Wait)
}

// Put writes s into the first StampSize bytes of p, which must be at
// least that long.
func (s Stamp) Put(p []byte) {
	_ = p[StampSize-1]
	binary.LittleEndian.PutUint16(p[0:], stampMagic)
	binary.LittleEndian.PutUint32(p[2:], s.Publisher)
	binary.LittleEndian.PutUint64(p[6:], s.Seq)
	binary.LittleEndian.PutUint64(p[14:], uint64(s.Intended))
	binary.LittleEndian.PutUint32(p[22:], s.Wait)
}

// DecodeStamp reads the stamp at the start of p. The result is a copy and
// does not alias p.
func DecodeStamp(p []byte) (Stamp, error) {
	if len(p) < StampSize || binary.LittleEndian.Uint16(p) != stampMagic {
		return Stamp{}, ErrNotStamped
	}
	return Stamp{
		Publisher: binary.LittleEndian.Uint32(p[2:]),
		Seq:       binary.LittleEndian.Uint64(p[6:]),
		Intended:  int64(binary.LittleEndian.Uint64(p[14:])),
		Wait:      binary.LittleEndian.Uint32(p[22:]),
	}, nil
}

// Payload content kinds for the bytes after the stamp.
const (
	ContentZero   = "zero"   // zero bytes
	ContentRandom = "random" // pseudo-random bytes (incompressible)
	ContentText   = "text"   // printable ASCII
)

// payloadTemplate returns a payload of size bytes (at least StampSize)
// whose bytes after the stamp hold the content kind. Publishers copy it
// once and rewrite only the stamp for each message.
func payloadTemplate(size int, content string, seed uint64) ([]byte, error) {
	if size < StampSize {
		size = StampSize
	}
	p := make([]byte, size)
	body := p[StampSize:]
	switch content {
	case "", ContentZero:
	case ContentRandom:
		r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
		for i := range body {
			body[i] = byte(r.Uint32())
		}
	case ContentText:
		const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 "
		for i := range body {
			body[i] = alphabet[(uint64(i)+seed)%uint64(len(alphabet))]
		}
	default:
		return nil, errors.New("loadgen: unknown payload content " + content + " (zero, random, text)")
	}
	return p, nil
}
