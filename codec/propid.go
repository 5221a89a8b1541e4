package codec

// PropertyID identifies an MQTT 5.0 property (§2.2.2.2, Table 2-4).
type PropertyID byte

// Property identifiers.
const (
	PropPayloadFormat        PropertyID = 0x01
	PropMessageExpiry        PropertyID = 0x02
	PropContentType          PropertyID = 0x03
	PropResponseTopic        PropertyID = 0x08
	PropCorrelationData      PropertyID = 0x09
	PropSubscriptionID       PropertyID = 0x0B
	PropSessionExpiry        PropertyID = 0x11
	PropAssignedClientID     PropertyID = 0x12
	PropServerKeepAlive      PropertyID = 0x13
	PropAuthMethod           PropertyID = 0x15
	PropAuthData             PropertyID = 0x16
	PropRequestProblemInfo   PropertyID = 0x17
	PropWillDelay            PropertyID = 0x18
	PropRequestResponseInfo  PropertyID = 0x19
	PropResponseInfo         PropertyID = 0x1A
	PropServerReference      PropertyID = 0x1C
	PropReasonString         PropertyID = 0x1F
	PropReceiveMaximum       PropertyID = 0x21
	PropTopicAliasMaximum    PropertyID = 0x22
	PropTopicAlias           PropertyID = 0x23
	PropMaximumQoS           PropertyID = 0x24
	PropRetainAvailable      PropertyID = 0x25
	PropUser                 PropertyID = 0x26
	PropMaximumPacketSize    PropertyID = 0x27
	PropWildcardSubAvailable PropertyID = 0x28
	PropSubIDAvailable       PropertyID = 0x29
	PropSharedSubAvailable   PropertyID = 0x2A
)

// PropertyType is the data type of a property's value (§1.5).
type PropertyType byte

// Property data types.
const (
	TypeByte       PropertyType = iota + 1 // one byte
	TypeUint16                             // Two Byte Integer
	TypeUint32                             // Four Byte Integer
	TypeVarint                             // Variable Byte Integer
	TypeString                             // UTF-8 Encoded String
	TypeBinary                             // Binary Data
	TypeStringPair                         // UTF-8 String Pair
)

// WillProperties is the context value for the Will Properties of CONNECT in
// PropertyAllowed; packet types use their PacketType.
const WillProperties PacketType = 0

// propInfo describes one property: its type and where it may appear, as a
// bitmask of 1<<PacketType with bit 0 for Will Properties.
type propInfo struct {
	name    string
	typ     PropertyType
	allowed uint16
}

func in(ts ...PacketType) uint16 {
	var m uint16
	for _, t := range ts {
		m |= 1 << t
	}
	return m
}

// propTable is Table 2-4 of MQTT 5.0 §2.2.2.2.
var propTable = [64]propInfo{
	PropPayloadFormat:        {"payload format indicator", TypeByte, in(PUBLISH, WillProperties)},
	PropMessageExpiry:        {"message expiry interval", TypeUint32, in(PUBLISH, WillProperties)},
	PropContentType:          {"content type", TypeString, in(PUBLISH, WillProperties)},
	PropResponseTopic:        {"response topic", TypeString, in(PUBLISH, WillProperties)},
	PropCorrelationData:      {"correlation data", TypeBinary, in(PUBLISH, WillProperties)},
	PropSubscriptionID:       {"subscription identifier", TypeVarint, in(PUBLISH, SUBSCRIBE)},
	PropSessionExpiry:        {"session expiry interval", TypeUint32, in(CONNECT, CONNACK, DISCONNECT)},
	PropAssignedClientID:     {"assigned client identifier", TypeString, in(CONNACK)},
	PropServerKeepAlive:      {"server keep alive", TypeUint16, in(CONNACK)},
	PropAuthMethod:           {"authentication method", TypeString, in(CONNECT, CONNACK, AUTH)},
	PropAuthData:             {"authentication data", TypeBinary, in(CONNECT, CONNACK, AUTH)},
	PropRequestProblemInfo:   {"request problem information", TypeByte, in(CONNECT)},
	PropWillDelay:            {"will delay interval", TypeUint32, in(WillProperties)},
	PropRequestResponseInfo:  {"request response information", TypeByte, in(CONNECT)},
	PropResponseInfo:         {"response information", TypeString, in(CONNACK)},
	PropServerReference:      {"server reference", TypeString, in(CONNACK, DISCONNECT)},
	PropReasonString:         {"reason string", TypeString, in(CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH)},
	PropReceiveMaximum:       {"receive maximum", TypeUint16, in(CONNECT, CONNACK)},
	PropTopicAliasMaximum:    {"topic alias maximum", TypeUint16, in(CONNECT, CONNACK)},
	PropTopicAlias:           {"topic alias", TypeUint16, in(PUBLISH)},
	PropMaximumQoS:           {"maximum QoS", TypeByte, in(CONNACK)},
	PropRetainAvailable:      {"retain available", TypeByte, in(CONNACK)},
	PropUser:                 {"user property", TypeStringPair, in(CONNECT, CONNACK, PUBLISH, WillProperties, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, DISCONNECT, AUTH)},
	PropMaximumPacketSize:    {"maximum packet size", TypeUint32, in(CONNECT, CONNACK)},
	PropWildcardSubAvailable: {"wildcard subscription available", TypeByte, in(CONNACK)},
	PropSubIDAvailable:       {"subscription identifier available", TypeByte, in(CONNACK)},
	PropSharedSubAvailable:   {"shared subscription available", TypeByte, in(CONNACK)},
}

// propTypes and propAllowed are propTable's columns, for the decode loop.
var propTypes, propAllowed = func() (types [64]PropertyType, allowed [64]uint16) {
	for id, info := range propTable {
		types[id], allowed[id] = info.typ, info.allowed
	}
	return
}()

// Type returns the property's data type, or 0 for an unknown identifier.
func (id PropertyID) Type() PropertyType {
	if id >= 64 {
		return 0
	}
	return propTable[id].typ
}

// String returns the specification's name of the property.
func (id PropertyID) String() string {
	if id < 64 && propTable[id].name != "" {
		return propTable[id].name
	}
	return "unknown property"
}

// PropertyAllowed reports whether property id may appear in packets of type
// t (WillProperties for the Will Properties of CONNECT), per Table 2-4.
func PropertyAllowed(id PropertyID, t PacketType) bool {
	return id < 64 && t < 16 && propTable[id].allowed&(1<<t) != 0
}

// repeatable reports whether id may appear more than once in context t:
// User Property anywhere, Subscription Identifier in PUBLISH (§2.2.2.2,
// §3.3.2.3.8).
func repeatable(id PropertyID, t PacketType) bool {
	return id == PropUser || (id == PropSubscriptionID && t == PUBLISH)
}
