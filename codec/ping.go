package codec

// Pingreq is a PINGREQ packet (§3.12): no variable header, no payload.
type Pingreq struct{}

// Pingresp is a PINGRESP packet (§3.13): no variable header, no payload.
type Pingresp struct{}

// Type returns PINGREQ.
func (*Pingreq) Type() PacketType { return PINGREQ }

// Type returns PINGRESP.
func (*Pingresp) Type() PacketType { return PINGRESP }

var errNotEmpty = malformed("packet that has no body sent with one (§3.12, §3.13, 3.1.1 §3.14)")

// Decode checks that flags are 0 and body is empty.
func (*Pingreq) Decode(_ Version, flags byte, body []byte) error { return decodeEmpty(flags, body) }

// Decode checks that flags are 0 and body is empty.
func (*Pingresp) Decode(_ Version, flags byte, body []byte) error { return decodeEmpty(flags, body) }

func decodeEmpty(flags byte, body []byte) error {
	if flags != 0 {
		return errFlags // [MQTT-2.1.3-1] (3.1.1: [MQTT-2.2.2-1])
	}
	if len(body) != 0 {
		return errNotEmpty
	}
	return nil
}

// Append appends the two-byte PINGREQ.
func (*Pingreq) Append(dst []byte, _ Version) []byte { return append(dst, byte(PINGREQ)<<4, 0) }

// Append appends the two-byte PINGRESP.
func (*Pingresp) Append(dst []byte, _ Version) []byte { return append(dst, byte(PINGRESP)<<4, 0) }
