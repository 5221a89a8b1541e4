package codec

// Frame is one control packet split off a read buffer by ReadFrame.
type Frame struct {
	Type            PacketType
	Flags           byte // low nibble of the first byte
	HeaderLen       int  // bytes of fixed header: 1 + length of the remaining length
	RemainingLength int  // bytes of variable header and payload
	// Total is HeaderLen+RemainingLength: the bytes to consume. With
	// ErrNeedMore it is the whole packet's size once the remaining length
	// could be read, or 0 while even that is incomplete.
	Total int
	// Body is the variable header and payload. It aliases the buffer given
	// to ReadFrame and is valid as long as that buffer is.
	Body []byte
}

var (
	errPacketTooLarge = &Error{Code: PacketTooLarge, Rule: "packet larger than the maximum packet size [MQTT-3.2.2-15] (§4.13)"}
)

// ReadFrame splits the first control packet off buf. It never consumes
// anything itself: the caller discards f.Total bytes once done with f.Body,
// which aliases buf.
//
// When buf holds only part of a packet ReadFrame returns ErrNeedMore, with
// f.Total set to the full packet size once the remaining length is readable.
// If maxPacketSize is not 0 and the packet (fixed header included, as MQTT
// 5.0 counts it) would exceed it, ReadFrame returns an error with reason
// PacketTooLarge as soon as the remaining length is read, before the body
// has arrived. A remaining length longer than four bytes and the reserved
// packet type 0 give MalformedPacket. The fixed-header flags are checked by
// each packet's Decode, which knows the protocol version.
func ReadFrame(buf []byte, maxPacketSize uint32) (Frame, error) {
	var f Frame
	if len(buf) < 2 {
		return f, ErrNeedMore
	}
	f.Type = PacketType(buf[0] >> 4)
	f.Flags = buf[0] & 0x0F
	if f.Type == 0 {
		return f, errReservedType // [MQTT-2.1.2] type 0 is reserved / forbidden
	}
	if c := buf[1]; c < 0x80 { // one-byte remaining length: most packets
		f.HeaderLen, f.RemainingLength = 2, int(c)
	} else if err := readLongLength(buf, &f); err != nil {
		return f, err
	}
	f.Total = f.HeaderLen + f.RemainingLength
	if maxPacketSize != 0 && uint64(f.Total) > uint64(maxPacketSize) {
		return f, errPacketTooLarge // [MQTT-3.1.2-24] / [MQTT-3.2.2-15]: checked before the body is read
	}
	if len(buf) < f.Total {
		return f, ErrNeedMore
	}
	f.Body = buf[f.HeaderLen:f.Total:f.Total]
	return f, nil
}

// readLongLength reads a remaining length of two to four bytes.
func readLongLength(buf []byte, f *Frame) error {
	var rl uint32
	i := 1
	for ; ; i++ {
		if i == 5 {
			return errRemainingLength // [MQTT-1.5.5] at most four bytes
		}
		if i >= len(buf) {
			return ErrNeedMore
		}
		c := buf[i]
		rl |= uint32(c&0x7F) << (7 * (i - 1))
		if c&0x80 == 0 {
			break
		}
	}
	f.HeaderLen, f.RemainingLength = i+1, int(rl)
	return nil
}

// appendFixedHeader appends the first byte and the remaining length.
func appendFixedHeader(dst []byte, t PacketType, flags byte, remaining int) []byte {
	dst = append(dst, byte(t)<<4|flags&0x0F)
	return appendVarint(dst, uint32(remaining))
}

// AppendFixedHeader appends a fixed header for a packet of type t with the
// given flags and remaining length.
func AppendFixedHeader(dst []byte, t PacketType, flags byte, remaining int) []byte {
	return appendFixedHeader(dst, t, flags, remaining)
}
