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
	if len(buf) < 2 {
		return Frame{}, ErrNeedMore
	}
	b0, c := buf[0], buf[1]
	if b0 < 0x10 {
		return Frame{Flags: b0 & 0x0F}, errReservedType // §2.1.2 type 0 is reserved / forbidden
	}
	if c >= 0x80 {
		var f Frame
		err := readFrameLong(&f, buf, maxPacketSize)
		return f, err
	}
	// One-byte remaining length: most packets. The Frame is built in one
	// literal, which the compiler keeps in registers.
	total := 2 + int(c)
	var err error
	switch {
	case maxPacketSize != 0 && uint64(total) > uint64(maxPacketSize):
		err = errPacketTooLarge // [MQTT-3.1.2-24] / [MQTT-3.2.2-15]: checked before the body is read
	case len(buf) < total:
		err = ErrNeedMore
	default:
		return Frame{Type: PacketType(b0 >> 4), Flags: b0 & 0x0F, HeaderLen: 2, RemainingLength: int(c),
			Total: total, Body: buf[2:total:total]}, nil
	}
	return Frame{Type: PacketType(b0 >> 4), Flags: b0 & 0x0F, HeaderLen: 2, RemainingLength: int(c), Total: total}, err
}

// Read is ReadFrame writing into f instead of returning a Frame: the same
// checks, errors and fields (f.Body aliases buf and is valid as long as buf
// is; fields are left as ReadFrame would return them, Body nil on error). A
// Frame returned by value does not fit in registers, so ReadFrame's caller
// stores and copies it through the stack; a loop that reads many packets
// into one Frame with Read skips that copy.
func (f *Frame) Read(buf []byte, maxPacketSize uint32) error {
	// A complete packet with a one-byte remaining length of 1 to 127 (up to
	// 129 bytes: most PUBLISH packets of sensors) within the maximum is
	// filled here; everything else is readSlow's. With the length not 0 the
	// compiler need not clamp Body's pointer for an empty capacity.
	// maxPacketSize-1 wraps to the largest uint32 when it is 0 ("no
	// limit"), and rl+1 <= maxPacketSize-1 is total <= max.
	if len(buf) >= 2 && buf[0] >= 0x10 {
		if rl := int(buf[1]); rl > 0 && rl < 0x80 && rl+2 <= len(buf) && uint32(rl)+1 <= maxPacketSize-1 {
			f.Type, f.Flags, f.HeaderLen, f.RemainingLength, f.Total = PacketType(buf[0]>>4), buf[0]&0x0F, 2, rl, rl+2
			f.Body = buf[2 : rl+2 : rl+2]
			return nil
		}
	}
	return f.readSlow(buf, maxPacketSize)
}

// readSlow is Read for everything but a complete packet with a one-byte
// remaining length other than 0: it fills f as ReadFrame would return it.
func (f *Frame) readSlow(buf []byte, maxPacketSize uint32) error {
	// A two-byte remaining length (packets up to 16 KiB), complete and
	// within the maximum, without the loop.
	if len(buf) >= 3 && buf[0] >= 0x10 && buf[1] >= 0x80 && buf[2] < 0x80 {
		rl := int(buf[1])&0x7F | int(buf[2])<<7
		if total := rl + 3; total <= len(buf) && uint32(total)-1 <= maxPacketSize-1 {
			f.Type, f.Flags, f.HeaderLen, f.RemainingLength, f.Total = PacketType(buf[0]>>4), buf[0]&0x0F, 3, rl, total
			f.Body = buf[3:total:total]
			return nil
		}
	}
	*f = Frame{}
	if len(buf) < 2 {
		return ErrNeedMore
	}
	if buf[0] < 0x10 {
		f.Flags = buf[0] & 0x0F
		return errReservedType // §2.1.2 type 0 is reserved / forbidden
	}
	return readFrameLong(f, buf, maxPacketSize)
}

// readFrameLong is ReadFrame for a remaining length of any length (one to
// four bytes; more is an error) into a zero f, for a buf of at least two
// bytes whose packet type is not 0.
func readFrameLong(f *Frame, buf []byte, maxPacketSize uint32) error {
	f.Type, f.Flags = PacketType(buf[0]>>4), buf[0]&0x0F
	var rl uint32
	i := 1
	for ; ; i++ {
		if i == 5 {
			return errRemainingLength // §1.5.5 at most four bytes
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
	f.Total = f.HeaderLen + f.RemainingLength
	if maxPacketSize != 0 && uint64(f.Total) > uint64(maxPacketSize) {
		return errPacketTooLarge // [MQTT-3.1.2-24] / [MQTT-3.2.2-15]: checked before the body is read
	}
	if len(buf) < f.Total {
		return ErrNeedMore
	}
	f.Body = buf[f.HeaderLen:f.Total:f.Total]
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
