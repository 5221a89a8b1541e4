package codec

// Ack is a PUBACK, PUBREC, PUBREL or PUBCOMP packet (§3.4-§3.7), told apart
// by Kind. Set Kind before Decode (from Frame.Type): it selects the flags and
// reason codes to check.
type Ack struct {
	Kind       PacketType // PUBACK, PUBREC, PUBREL or PUBCOMP
	PacketID   uint16
	ReasonCode ReasonCode // 5.0 only; Success in 3.1 and 3.1.1
	Props      Properties // 5.0 only
}

// Type returns a.Kind.
func (a *Ack) Type() PacketType { return a.Kind }

var (
	errAckKind   = malformed("Ack.Kind is not PUBACK, PUBREC, PUBREL or PUBCOMP")
	errAckLength = malformed("3.1.1 acknowledgement remaining length is not 2")
)

func ackFlags(k PacketType) byte {
	if k == PUBREL {
		return 0x02 // [MQTT-3.6.1-1]
	}
	return 0
}

// Decode parses the body of a packet of type a.Kind. Byte-slice properties
// alias body.
func (a *Ack) Decode(v Version, flags byte, body []byte) error {
	k := a.Kind
	*a = Ack{Kind: k}
	if k < PUBACK || k > PUBCOMP {
		return errAckKind
	}
	if v == V31 && k == PUBREL {
		flags &^= 0x08 // 3.1 allows DUP on PUBREL (3.1 §3.6)
	}
	if flags != ackFlags(k) {
		return errFlags // [MQTT-2.1.3-1] (3.1.1: [MQTT-2.2.2-1]), PUBREL: [MQTT-3.6.1-1]
	}
	r := reader{buf: body}
	id, err := r.uint16()
	if err != nil {
		return err
	}
	a.PacketID = id
	switch v {
	case V5:
	case V311, V31:
		if len(body) != 2 {
			return errAckLength // §3.4.1: remaining length 2
		}
		return nil
	default:
		return errVersion
	}
	if r.left() == 0 {
		return nil // §3.4.2.1: reason code and properties omitted means Success
	}
	rc, _ := r.byte()
	a.ReasonCode = ReasonCode(rc)
	if !a.ReasonCode.ValidFor(k) {
		return errReasonCode // §3.4.2.1 / §3.5.2.1 / §3.6.2.1 / §3.7.2.1
	}
	if r.left() == 0 {
		return nil // §3.4.2.2.1: no property length means none
	}
	if err := a.Props.decode(&r, k); err != nil {
		return err
	}
	if r.left() != 0 {
		return errTrailing
	}
	return nil
}

// Append appends the packet of type a.Kind encoded for v. In 5.0 the reason
// code and properties are left out when they are Success and empty
// (§3.4.2.1).
func (a *Ack) Append(dst []byte, v Version) []byte {
	k := a.Kind
	if k < PUBACK || k > PUBCOMP {
		k = PUBACK
	}
	if v != V5 {
		dst = appendFixedHeader(dst, k, ackFlags(k), 2)
		return appendUint16(dst, a.PacketID)
	}
	m, pl := a.Props.plan(k)
	switch {
	case pl == 0 && a.ReasonCode == Success:
		dst = appendFixedHeader(dst, k, ackFlags(k), 2)
		return appendUint16(dst, a.PacketID)
	case pl == 0:
		dst = appendFixedHeader(dst, k, ackFlags(k), 3)
		dst = appendUint16(dst, a.PacketID)
		return append(dst, byte(a.ReasonCode))
	}
	dst = appendFixedHeader(dst, k, ackFlags(k), 3+varintLen(uint32(pl))+pl)
	dst = appendUint16(dst, a.PacketID)
	dst = append(dst, byte(a.ReasonCode))
	return a.Props.appendPlanned(dst, k, m, pl)
}
