package codec

var (
	errPropUnknown    = malformed("unknown property identifier (§2.2.2.2)")
	errPropNotAllowed = malformed("property not valid for this packet type (§2.2.2.2: a Malformed Packet; Table 2-4)")
	errPropDuplicate  = protocolErr("property included more than once (§2.2.2.2: only User Property, and Subscription Identifier in PUBLISH, repeat)")
	errPropLength     = malformed("property length runs past the packet (§2.2.2.1)")
	errPropBool       = protocolErr("property value other than 0 or 1 (§3.1.2.11, §3.2.2.3, §3.3.2.3.2)")
	errPropZero       = protocolErr("property value 0 not permitted (receive maximum, maximum packet size, subscription identifier, topic alias)")
)

// decode reads a property length and that many bytes of properties for
// context t (a packet type, or WillProperties), validating each property
// against Table 2-4: an unknown identifier or one not valid for t is a
// Malformed Packet (§2.2.2.2), one repeated when it may not be is a Protocol
// Error. Fields alias r's buffer.
func (p *Properties) decode(r *reader, t PacketType) error {
	*p = Properties{}
	n, err := r.varint()
	if err != nil {
		return err
	}
	if uint64(n) > uint64(r.left()) {
		return errPropLength // §2.2.2.1: the length counts the bytes that follow
	}
	block := r.buf[r.pos : r.pos+int(n) : r.pos+int(n)]
	r.pos += int(n)
	if n == 0 {
		return nil
	}
	pr := reader{buf: block}
	for pr.left() > 0 {
		v := uint32(pr.buf[pr.pos])
		if v < 0x80 { // every defined identifier fits one byte
			pr.pos++
		} else if v, err = pr.varintLong(); err != nil {
			return err
		}
		if v >= 64 || propTypes[v] == 0 {
			return errPropUnknown
		}
		id := PropertyID(v)
		if propAllowed[id]&(1<<t) == 0 {
			return errPropNotAllowed // §2.2.2.2: only the properties of Table 2-4 for this packet
		}
		bit := uint64(1) << id
		if p.Present&bit != 0 && !repeatable(id, t) {
			return errPropDuplicate // "It is a Protocol Error to include ... more than once"
		}
		p.Present |= bit
		if err := p.decodeValue(&pr, id); err != nil {
			return err
		}
	}
	p.raw = block
	return nil
}

func (p *Properties) decodeValue(r *reader, id PropertyID) error {
	var err error
	switch id {
	case PropPayloadFormat:
		p.PayloadFormat, err = readBool(r) // §3.3.2.3.2: 0 or 1
	case PropMessageExpiry:
		p.MessageExpiry, err = r.uint32()
	case PropContentType:
		p.ContentType, err = r.string()
	case PropResponseTopic:
		p.ResponseTopic, err = r.string()
		if err == nil {
			err = checkResponseTopic(p.ResponseTopic)
		}
	case PropCorrelationData:
		p.CorrelationData, err = r.binary()
	case PropSubscriptionID:
		var v uint32
		v, err = r.varint()
		if err == nil && v == 0 {
			err = errPropZero // §3.3.2.3.8, §3.8.2.1.2: 0 is a Protocol Error
		}
		p.subIDCount++
	case PropSessionExpiry:
		p.SessionExpiry, err = r.uint32()
	case PropAssignedClientID:
		p.AssignedClientID, err = r.string()
	case PropServerKeepAlive:
		p.ServerKeepAlive, err = r.uint16()
	case PropAuthMethod:
		p.AuthMethod, err = r.string()
	case PropAuthData:
		p.AuthData, err = r.binary()
	case PropRequestProblemInfo:
		p.RequestProblemInfo, err = readBool(r) // §3.1.2.11.7: 0 or 1
	case PropWillDelay:
		p.WillDelay, err = r.uint32()
	case PropRequestResponseInfo:
		p.RequestResponseInfo, err = readBool(r) // §3.1.2.11.6: 0 or 1
	case PropResponseInfo:
		p.ResponseInfo, err = r.string()
	case PropServerReference:
		p.ServerReference, err = r.string()
	case PropReasonString:
		p.ReasonString, err = r.string()
	case PropReceiveMaximum:
		p.ReceiveMaximum, err = r.uint16()
		if err == nil && p.ReceiveMaximum == 0 {
			err = errPropZero // §3.1.2.11.3, §3.2.2.3.3: 0 is a Protocol Error
		}
	case PropTopicAliasMaximum:
		p.TopicAliasMaximum, err = r.uint16()
	case PropTopicAlias:
		p.TopicAlias, err = r.uint16()
		if err == nil && p.TopicAlias == 0 {
			err = errTopicAliasZero // [MQTT-3.3.2-8]
		}
	case PropMaximumQoS:
		p.MaximumQoS, err = readBool(r) // §3.2.2.3.4: 0 or 1 (2 is expressed by absence)
	case PropRetainAvailable:
		p.RetainAvailable, err = readBool(r) // §3.2.2.3.5
	case PropUser:
		if _, err = r.string(); err == nil {
			_, err = r.string()
		}
		p.userCount++
	case PropMaximumPacketSize:
		p.MaximumPacketSize, err = r.uint32()
		if err == nil && p.MaximumPacketSize == 0 {
			err = errPropZero // §3.1.2.11.4, §3.2.2.3.6: 0 is a Protocol Error
		}
	case PropWildcardSubAvailable:
		p.WildcardSubAvailable, err = readBool(r) // §3.2.2.3.11
	case PropSubIDAvailable:
		p.SubIDAvailable, err = readBool(r) // §3.2.2.3.12
	case PropSharedSubAvailable:
		p.SharedSubAvailable, err = readBool(r) // §3.2.2.3.13
	}
	if err == errShort {
		return errPropLength
	}
	return err
}

// errTopicAliasZero carries Topic Alias invalid (0x94), the code for an alias
// the receiver cannot accept, as for one above its maximum.
var errTopicAliasZero = &Error{Code: TopicAliasInvalid, Rule: "topic alias 0 [MQTT-3.3.2-8]"}

func readBool(r *reader) (byte, error) {
	b, err := r.byte()
	if err == nil && b > 1 {
		return b, errPropBool
	}
	return b, err
}

var errResponseTopic = protocolErr("response topic with a wildcard [MQTT-3.3.2-14]")

// checkResponseTopic applies [MQTT-3.3.2-14]: the Response Topic is a Topic
// Name, so it holds no wildcard.
func checkResponseTopic(b []byte) error {
	for _, c := range b {
		if c == '+' || c == '#' {
			return errResponseTopic
		}
	}
	return nil
}
