package codec

// Disconnect is a DISCONNECT packet (§3.14). ReasonCode and Props are 5.0
// only; 3.1 and 3.1.1 DISCONNECT has no body.
type Disconnect struct {
	ReasonCode ReasonCode
	Props      Properties
}

// Type returns DISCONNECT.
func (*Disconnect) Type() PacketType { return DISCONNECT }

// Decode parses a DISCONNECT body; byte-slice properties alias body.
func (d *Disconnect) Decode(v Version, flags byte, body []byte) error {
	*d = Disconnect{}
	if v != V5 {
		if !v.Valid() {
			return errVersion
		}
		return decodeEmpty(flags, body) // 3.1.1 §3.14: flags 0, no body
	}
	rc, err := decodeReasonAndProps(DISCONNECT, flags, body, &d.Props)
	d.ReasonCode = rc
	return err
}

// decodeReasonAndProps parses the 5.0 body shared by DISCONNECT and AUTH:
// an optional reason code (absent means Success) and optional properties
// (absent when the remaining length is below 2) (§3.14.2, §3.15.2).
func decodeReasonAndProps(t PacketType, flags byte, body []byte, props *Properties) (ReasonCode, error) {
	if flags != 0 {
		return 0, errFlags // [MQTT-2.1.3-1] (3.1.1: [MQTT-2.2.2-1])
	}
	if len(body) == 0 {
		return Success, nil
	}
	rc := ReasonCode(body[0])
	if !rc.ValidFor(t) {
		return rc, errReasonCode // §3.14.2.1, §3.15.2.1
	}
	if len(body) == 1 {
		return rc, nil
	}
	r := reader{buf: body, pos: 1}
	if err := props.decode(&r, t); err != nil {
		return rc, err
	}
	if r.left() != 0 {
		return rc, errTrailing
	}
	return rc, nil
}

func appendReasonAndProps(dst []byte, t PacketType, rc ReasonCode, props *Properties) []byte {
	m, pl := props.plan(t)
	switch {
	case pl == 0 && rc == Success:
		return appendFixedHeader(dst, t, 0, 0)
	case pl == 0:
		dst = appendFixedHeader(dst, t, 0, 1)
		return append(dst, byte(rc))
	}
	dst = appendFixedHeader(dst, t, 0, 1+varintLen(uint32(pl))+pl)
	dst = append(dst, byte(rc))
	return props.appendPlanned(dst, t, m, pl)
}

// Append appends the DISCONNECT encoded for v; in 5.0 the reason code and
// properties are left out when they are Success and empty (§3.14.2.1).
func (d *Disconnect) Append(dst []byte, v Version) []byte {
	if v != V5 {
		return appendFixedHeader(dst, DISCONNECT, 0, 0)
	}
	return appendReasonAndProps(dst, DISCONNECT, d.ReasonCode, &d.Props)
}

// Auth is an AUTH packet (§3.15), MQTT 5.0 only.
type Auth struct {
	ReasonCode ReasonCode
	Props      Properties
}

// Type returns AUTH.
func (*Auth) Type() PacketType { return AUTH }

// Decode parses an AUTH body; byte-slice properties alias body. AUTH in an
// earlier version is a Malformed Packet (packet type 15 is reserved there).
func (a *Auth) Decode(v Version, flags byte, body []byte) error {
	*a = Auth{}
	if v != V5 {
		return errV5Only // 3.1.1 §2.2.1: type 15 is reserved
	}
	rc, err := decodeReasonAndProps(AUTH, flags, body, &a.Props)
	a.ReasonCode = rc
	return err
}

// Append appends the AUTH packet; in 5.0 the reason code and properties are
// left out when they are Success and empty (§3.15.2.1). v is ignored: AUTH
// exists only in 5.0.
func (a *Auth) Append(dst []byte, _ Version) []byte {
	return appendReasonAndProps(dst, AUTH, a.ReasonCode, &a.Props)
}
