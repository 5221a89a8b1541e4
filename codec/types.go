package codec

import "strconv"

// Version is the protocol level byte of CONNECT.
type Version byte

// Protocol levels.
const (
	V31  Version = 3 // MQTT 3.1, protocol name "MQIsdp"
	V311 Version = 4 // MQTT 3.1.1, protocol name "MQTT"
	V5   Version = 5 // MQTT 5.0, protocol name "MQTT"
)

// String returns "3.1", "3.1.1", "5.0" or the level number.
func (v Version) String() string {
	switch v {
	case V31:
		return "3.1"
	case V311:
		return "3.1.1"
	case V5:
		return "5.0"
	}
	return "level " + strconv.Itoa(int(v))
}

// Valid reports whether v is one of V31, V311, V5.
func (v Version) Valid() bool { return v == V31 || v == V311 || v == V5 }

// PacketType is the control packet type in the high nibble of the first byte.
type PacketType byte

// Control packet types (§2.1.2).
const (
	CONNECT     PacketType = 1
	CONNACK     PacketType = 2
	PUBLISH     PacketType = 3
	PUBACK      PacketType = 4
	PUBREC      PacketType = 5
	PUBREL      PacketType = 6
	PUBCOMP     PacketType = 7
	SUBSCRIBE   PacketType = 8
	SUBACK      PacketType = 9
	UNSUBSCRIBE PacketType = 10
	UNSUBACK    PacketType = 11
	PINGREQ     PacketType = 12
	PINGRESP    PacketType = 13
	DISCONNECT  PacketType = 14
	AUTH        PacketType = 15 // MQTT 5.0 only
)

var packetTypeNames = [16]string{
	"RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL",
	"PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ",
	"PINGRESP", "DISCONNECT", "AUTH",
}

// String returns the specification's name of the type, e.g. "PUBLISH".
func (t PacketType) String() string {
	if t < 16 {
		return packetTypeNames[t]
	}
	return "type " + strconv.Itoa(int(t))
}

// Packet is implemented by a pointer to every packet struct.
type Packet interface {
	// Type is the control packet type.
	Type() PacketType
	// Decode parses a packet body (the bytes after the fixed header) sent
	// with the given fixed-header flags. Fields alias body. After an error
	// the fields are unspecified: the packet is to be refused, not used.
	Decode(v Version, flags byte, body []byte) error
	// Append appends the whole encoded packet to dst.
	Append(dst []byte, v Version) []byte
}

// Quality of service levels (§4.3).
const (
	QoS0 byte = 0
	QoS1 byte = 1
	QoS2 byte = 2
)

// NewPacket returns a new zero packet of type t (an *Ack with Kind set for
// the PUBACK family), or nil for type 0. It allocates; the hot path keeps
// its own packet values and calls their Decode directly.
func NewPacket(t PacketType) Packet {
	switch t {
	case CONNECT:
		return new(Connect)
	case CONNACK:
		return new(Connack)
	case PUBLISH:
		return new(Publish)
	case PUBACK, PUBREC, PUBREL, PUBCOMP:
		return &Ack{Kind: t}
	case SUBSCRIBE:
		return new(Subscribe)
	case SUBACK:
		return new(Suback)
	case UNSUBSCRIBE:
		return new(Unsubscribe)
	case UNSUBACK:
		return new(Unsuback)
	case PINGREQ:
		return new(Pingreq)
	case PINGRESP:
		return new(Pingresp)
	case DISCONNECT:
		return new(Disconnect)
	case AUTH:
		return new(Auth)
	}
	return nil
}

// DecodeFrame decodes f into a new packet of its type. The packet's fields
// alias f.Body. It allocates the packet value; see NewPacket.
func DecodeFrame(v Version, f Frame) (Packet, error) {
	p := NewPacket(f.Type)
	if p == nil {
		return nil, errReservedType
	}
	if err := p.Decode(v, f.Flags, f.Body); err != nil {
		return nil, err
	}
	return p, nil
}
