package codec

// Connect is a CONNECT packet (§3.1).
type Connect struct {
	// Version is the protocol level. Decode sets it from the packet: it is
	// valid even when Decode fails with UnsupportedProtocolVersion or
	// ClientIdentifierNotValid, so the server can answer in the client's
	// version.
	Version    Version
	CleanStart bool // Clean Session in 3.1 and 3.1.1
	KeepAlive  uint16
	Props      Properties // 5.0 only

	ClientID []byte

	WillFlag bool
	Will     Will // meaningful when WillFlag is set

	UsernameFlag bool // Append also sends a username when it is not empty
	Username     []byte
	PasswordFlag bool // Append also sends a password when it is not empty
	Password     []byte
}

// Will is the Will Message carried by CONNECT.
type Will struct {
	QoS     byte
	Retain  bool
	Props   Properties // Will Properties, 5.0 only
	Topic   []byte
	Payload []byte
}

// Type returns CONNECT.
func (*Connect) Type() PacketType { return CONNECT }

var (
	errProtocolName     = protocolErr("protocol name neither \"MQTT\" nor \"MQIsdp\" [MQTT-3.1.2-1]")
	errProtocolLevel    = &Error{Code: UnsupportedProtocolVersion, Rule: "unsupported protocol level [MQTT-3.1.2-2]"}
	errConnectReserved  = malformed("CONNECT reserved flag set [MQTT-3.1.2-3]")
	errWillQoSNoWill    = malformed("will QoS without the will flag [MQTT-3.1.2-11] (3.1.1: [MQTT-3.1.2-13])")
	errWillQoS3         = malformed("will QoS 3 [MQTT-3.1.2-12] (3.1.1: [MQTT-3.1.2-14])")
	errWillRetainNoWill = malformed("will retain without the will flag [MQTT-3.1.2-13] (3.1.1: [MQTT-3.1.2-15])")
	errPasswordNoUser   = malformed("password without a user name in 3.1.1 [MQTT-3.1.2-22]")
	errAuthDataNoMethod = protocolErr("authentication data without an authentication method (§3.1.2.11.10)")
	errClientIDEmpty    = &Error{Code: ClientIdentifierNotValid, Rule: "empty client identifier without clean session [MQTT-3.1.3-8]"}
	errClientID31       = &Error{Code: ClientIdentifierNotValid, Rule: "MQTT 3.1 client identifier not 1 to 23 characters (3.1 §3.1)"}
)

// Decode parses a CONNECT body. The version comes from the packet's protocol
// name and level, not from v. Byte-slice fields (and the property views)
// alias body and are valid as long as body is.
func (c *Connect) Decode(_ Version, flags byte, body []byte) error {
	*c = Connect{}
	if flags != 0 {
		return errFlags // [MQTT-2.1.3-1] (3.1.1: [MQTT-2.2.2-1]) CONNECT flags are 0000
	}
	r := reader{buf: body}
	name, err := r.binary()
	if err != nil {
		return err
	}
	level, err := r.byte()
	if err != nil {
		return err
	}
	c.Version = Version(level)
	switch string(name) {
	case "MQTT":
		if c.Version != V311 && c.Version != V5 {
			return errProtocolLevel // [MQTT-3.1.2-2]
		}
	case "MQIsdp":
		if c.Version != V31 {
			return errProtocolLevel // [MQTT-3.1.2-2]
		}
	default:
		return errProtocolName // [MQTT-3.1.2-1]
	}
	cf, err := r.byte()
	if err != nil {
		return err
	}
	if cf&0x01 != 0 {
		return errConnectReserved // [MQTT-3.1.2-3]
	}
	c.CleanStart = cf&0x02 != 0
	c.WillFlag = cf&0x04 != 0
	c.Will.QoS = cf >> 3 & 0x03
	c.Will.Retain = cf&0x20 != 0
	c.PasswordFlag = cf&0x40 != 0
	c.UsernameFlag = cf&0x80 != 0
	if !c.WillFlag && c.Will.QoS != 0 {
		return errWillQoSNoWill // [MQTT-3.1.2-11] (3.1.1: [MQTT-3.1.2-13])
	}
	if c.Will.QoS == 3 {
		return errWillQoS3 // [MQTT-3.1.2-12] (3.1.1: [MQTT-3.1.2-14])
	}
	if !c.WillFlag && c.Will.Retain {
		return errWillRetainNoWill // [MQTT-3.1.2-13] (3.1.1: [MQTT-3.1.2-15])
	}
	if c.Version != V5 && c.PasswordFlag && !c.UsernameFlag {
		return errPasswordNoUser // [MQTT-3.1.2-22]; 5.0 allows it (§3.1.2.9)
	}
	if c.KeepAlive, err = r.uint16(); err != nil {
		return err
	}
	if c.Version == V5 {
		if err := c.Props.decode(&r, CONNECT); err != nil {
			return err
		}
		if c.Props.Has(PropAuthData) && !c.Props.Has(PropAuthMethod) {
			return errAuthDataNoMethod // §3.1.2.11.10
		}
	}
	if c.ClientID, err = r.string(); err != nil {
		return err // [MQTT-3.1.3-4] a UTF-8 Encoded String
	}
	if c.WillFlag {
		if c.Version == V5 {
			if err := c.Will.Props.decode(&r, WillProperties); err != nil {
				return err
			}
		}
		if c.Will.Topic, err = r.string(); err != nil {
			return err
		}
		if err := ValidTopicName(c.Will.Topic); err != nil {
			return err // the Will Topic is a Topic Name (§3.1.3.3)
		}
		if c.Will.Payload, err = r.binary(); err != nil {
			return err
		}
	}
	if c.UsernameFlag {
		if c.Username, err = r.string(); err != nil {
			return err // [MQTT-3.1.3-11] a UTF-8 Encoded String
		}
	}
	if c.PasswordFlag {
		if c.Password, err = r.binary(); err != nil {
			return err
		}
	}
	if r.left() != 0 {
		return errTrailing
	}
	switch c.Version {
	case V31:
		if len(c.ClientID) == 0 || len(c.ClientID) > 23 {
			return errClientID31 // 3.1 §3.1: 1 to 23 characters, else return code 2
		}
	case V311:
		if len(c.ClientID) == 0 && !c.CleanStart {
			return errClientIDEmpty // [MQTT-3.1.3-8]
		}
	}
	return nil
}

// Append appends the CONNECT packet encoded for version v (V31, V311 or V5;
// any other value is encoded as V311).
func (c *Connect) Append(dst []byte, v Version) []byte {
	if !v.Valid() {
		v = V311
	}
	name := "MQTT"
	if v == V31 {
		name = "MQIsdp"
	}
	hasUser := c.UsernameFlag || len(c.Username) > 0
	hasPass := c.PasswordFlag || len(c.Password) > 0
	n := 2 + len(name) + 1 + 1 + 2
	var propLen, willPropLen int
	var propSet, willPropSet uint64
	if v == V5 {
		propSet, propLen = c.Props.plan(CONNECT)
		n += varintLen(uint32(propLen)) + propLen
	}
	n += binaryLen(c.ClientID)
	if c.WillFlag {
		if v == V5 {
			willPropSet, willPropLen = c.Will.Props.plan(WillProperties)
			n += varintLen(uint32(willPropLen)) + willPropLen
		}
		n += binaryLen(c.Will.Topic) + binaryLen(c.Will.Payload)
	}
	if hasUser {
		n += binaryLen(c.Username)
	}
	if hasPass {
		n += binaryLen(c.Password)
	}
	dst = appendFixedHeader(dst, CONNECT, 0, n)
	dst = appendUint16(dst, uint16(len(name)))
	dst = append(dst, name...)
	dst = append(dst, byte(v))
	var cf byte
	if c.CleanStart {
		cf |= 0x02
	}
	if c.WillFlag {
		cf |= 0x04 | (c.Will.QoS&0x03)<<3
		if c.Will.Retain {
			cf |= 0x20
		}
	}
	if hasPass {
		cf |= 0x40
	}
	if hasUser {
		cf |= 0x80
	}
	dst = append(dst, cf)
	dst = appendUint16(dst, c.KeepAlive)
	if v == V5 {
		dst = c.Props.appendPlanned(dst, CONNECT, propSet, propLen)
	}
	dst = appendBinary(dst, c.ClientID)
	if c.WillFlag {
		if v == V5 {
			dst = c.Will.Props.appendPlanned(dst, WillProperties, willPropSet, willPropLen)
		}
		dst = appendBinary(dst, c.Will.Topic)
		dst = appendBinary(dst, c.Will.Payload)
	}
	if hasUser {
		dst = appendBinary(dst, c.Username)
	}
	if hasPass {
		dst = appendBinary(dst, c.Password)
	}
	return dst
}
