package codec

// Connack is a CONNACK packet (§3.2).
type Connack struct {
	SessionPresent bool
	// ReasonCode is the 5.0 reason code. For 3.1 and 3.1.1 Decode maps the
	// return code to its 5.0 equivalent (ReasonCodeFor) and Append maps it
	// back (ReturnCodeFor), so a server can use 5.0 codes throughout.
	ReasonCode ReasonCode
	Props      Properties // 5.0 only
}

// Type returns CONNACK.
func (*Connack) Type() PacketType { return CONNACK }

var (
	errConnackFlags      = malformed("CONNACK acknowledge flags bits 7-1 set [MQTT-3.2.2-1]")
	errConnackReturnCode = malformed("CONNACK return code 6-255 is reserved (3.1.1 §3.2.2.3)")
	errConnackLength     = malformed("3.1.1 CONNACK remaining length is not 2 (§3.2.1)")
	errSessionPresentRC  = protocolErr("session present with a refusal [MQTT-3.2.2-6] (3.1.1: [MQTT-3.2.2-4])")
)

// Decode parses a CONNACK body; byte-slice properties alias body.
func (c *Connack) Decode(v Version, flags byte, body []byte) error {
	*c = Connack{}
	if flags != 0 {
		return errFlags // [MQTT-2.1.3-1] (3.1.1: [MQTT-2.2.2-1])
	}
	if !v.Valid() {
		return errVersion
	}
	if v != V5 && len(body) != 2 {
		return errConnackLength
	}
	r := reader{buf: body}
	af, err := r.byte()
	if err != nil {
		return err
	}
	if af&0xFE != 0 {
		return errConnackFlags // [MQTT-3.2.2-1] reserved bits are 0
	}
	c.SessionPresent = af&0x01 != 0 && v != V31 // 3.1 has no acknowledge flags
	rc, err := r.byte()
	if err != nil {
		return err
	}
	if v != V5 {
		code, ok := ReasonCodeFor(ReturnCode(rc))
		if !ok {
			return errConnackReturnCode
		}
		c.ReasonCode = code
		if c.SessionPresent && code != Success {
			return errSessionPresentRC // [MQTT-3.2.2-4]
		}
		return nil
	}
	c.ReasonCode = ReasonCode(rc)
	if !c.ReasonCode.ValidFor(CONNACK) {
		return errReasonCode // §3.2.2.2
	}
	if c.SessionPresent && c.ReasonCode != Success {
		return errSessionPresentRC // [MQTT-3.2.2-6]
	}
	if err := c.Props.decode(&r, CONNACK); err != nil { // §3.2.2.3: the property length is required

		return err
	}
	if r.left() != 0 {
		return errTrailing
	}
	return nil
}

// Append appends the CONNACK encoded for v. Session Present is sent only
// with Success [MQTT-3.2.2-6] (3.1.1: [MQTT-3.2.2-4]) and never to a 3.1
// client, whose CONNACK has no flags.
func (c *Connack) Append(dst []byte, v Version) []byte {
	var af byte
	if c.SessionPresent && c.ReasonCode == Success && v != V31 {
		af = 1
	}
	if v != V5 {
		dst = appendFixedHeader(dst, CONNACK, 0, 2)
		return append(dst, af, byte(ReturnCodeFor(c.ReasonCode)))
	}
	m, pl := c.Props.plan(CONNACK)
	dst = appendFixedHeader(dst, CONNACK, 0, 2+varintLen(uint32(pl))+pl)
	dst = append(dst, af, byte(c.ReasonCode))
	return c.Props.appendPlanned(dst, CONNACK, m, pl)
}
