package codec

import "unsafe"

// Suback is a SUBACK packet (§3.9): one reason code per filter of the
// SUBSCRIBE, in order. In 3.1 and 3.1.1 the codes are the granted QoS 0-2 or
// 0x80 for failure, which are the same bytes as the 5.0 codes GrantedQoS0-2
// and UnspecifiedError.
type Suback struct {
	PacketID    uint16
	Props       Properties // 5.0 only
	ReasonCodes []ReasonCode
}

// Type returns SUBACK.
func (*Suback) Type() PacketType { return SUBACK }

// Unsuback is an UNSUBACK packet (§3.11). ReasonCodes and Props are 5.0
// only: the 3.1.1 UNSUBACK carries just the packet identifier.
type Unsuback struct {
	PacketID    uint16
	Props       Properties
	ReasonCodes []ReasonCode
}

// Type returns UNSUBACK.
func (*Unsuback) Type() PacketType { return UNSUBACK }

var (
	errAckNoCodes     = protocolErr("SUBACK or UNSUBACK without reason codes (§3.9.3, §3.11.3)")
	errSubackCode311  = protocolErr("SUBACK return code not 0x00-0x02 or 0x80 [MQTT-3.9.3-2]")
	errUnsubackLength = malformed("3.1.1 UNSUBACK remaining length is not 2 (§3.11.1)")
)

// asReasonCodes views b as reason codes without copying.
func asReasonCodes(b []byte) []ReasonCode {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*ReasonCode)(unsafe.Pointer(&b[0])), len(b))
}

func asBytes(rc []ReasonCode) []byte {
	if len(rc) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&rc[0])), len(rc))
}

// Decode parses a SUBACK body. ReasonCodes and the properties alias body.
func (s *Suback) Decode(v Version, flags byte, body []byte) error {
	*s = Suback{}
	if !v.Valid() {
		return errVersion
	}
	if flags != 0 {
		return errFlags // [MQTT-2.1.3-1] (3.1.1: [MQTT-2.2.2-1])
	}
	r := reader{buf: body}
	var err error
	if s.PacketID, err = r.uint16(); err != nil {
		return err
	}
	if v == V5 {
		if err := s.Props.decode(&r, SUBACK); err != nil {
			return err
		}
	}
	codes := r.rest()
	if len(codes) == 0 {
		return errAckNoCodes
	}
	for _, c := range codes {
		if v == V5 {
			if !ReasonCode(c).ValidFor(SUBACK) {
				return errReasonCode // §3.9.3
			}
		} else if c > 2 && c != 0x80 {
			return errSubackCode311 // [MQTT-3.9.3-2]
		}
	}
	s.ReasonCodes = asReasonCodes(codes)
	return nil
}

// Append appends the SUBACK encoded for v.
func (s *Suback) Append(dst []byte, v Version) []byte {
	return appendAckWithCodes(dst, SUBACK, v, s.PacketID, &s.Props, s.ReasonCodes)
}

func appendAckWithCodes(dst []byte, t PacketType, v Version, id uint16, props *Properties, codes []ReasonCode) []byte {
	n := 2 + len(codes)
	var m uint64
	pl := 0
	if v == V5 {
		m, pl = props.plan(t)
		n += varintLen(uint32(pl)) + pl
	}
	dst = appendFixedHeader(dst, t, 0, n)
	dst = appendUint16(dst, id)
	if v == V5 {
		dst = props.appendPlanned(dst, t, m, pl)
	}
	return append(dst, asBytes(codes)...)
}

// Decode parses an UNSUBACK body. ReasonCodes and the properties alias body.
func (u *Unsuback) Decode(v Version, flags byte, body []byte) error {
	*u = Unsuback{}
	if !v.Valid() {
		return errVersion
	}
	if flags != 0 {
		return errFlags // [MQTT-2.1.3-1] (3.1.1: [MQTT-2.2.2-1])
	}
	r := reader{buf: body}
	var err error
	if u.PacketID, err = r.uint16(); err != nil {
		return err
	}
	if v != V5 {
		if len(body) != 2 {
			return errUnsubackLength
		}
		return nil
	}
	if err := u.Props.decode(&r, UNSUBACK); err != nil {
		return err
	}
	codes := r.rest()
	if len(codes) == 0 {
		return errAckNoCodes
	}
	for _, c := range codes {
		if !ReasonCode(c).ValidFor(UNSUBACK) {
			return errReasonCode // §3.11.3
		}
	}
	u.ReasonCodes = asReasonCodes(codes)
	return nil
}

// Append appends the UNSUBACK encoded for v (without reason codes and
// properties before 5.0).
func (u *Unsuback) Append(dst []byte, v Version) []byte {
	if v != V5 {
		dst = appendFixedHeader(dst, UNSUBACK, 0, 2)
		return appendUint16(dst, u.PacketID)
	}
	return appendAckWithCodes(dst, UNSUBACK, v, u.PacketID, &u.Props, u.ReasonCodes)
}
