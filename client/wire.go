package client

import (
	"encoding/binary"
	"errors"
)

// Control packet types (§2.1.2).
const (
	pktConnect     = 1
	pktConnack     = 2
	pktPublish     = 3
	pktPuback      = 4
	pktPubrec      = 5
	pktPubrel      = 6
	pktPubcomp     = 7
	pktSubscribe   = 8
	pktSuback      = 9
	pktUnsubscribe = 10
	pktUnsuback    = 11
	pktPingreq     = 12
	pktPingresp    = 13
	pktDisconnect  = 14
	pktAuth        = 15
)

var packetNames = [16]string{"RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL",
	"PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"}

// MQTT 5 property identifiers (§2.2.2.2).
const (
	propPayloadFormat       = 0x01
	propMessageExpiry       = 0x02
	propContentType         = 0x03
	propResponseTopic       = 0x08
	propCorrelationData     = 0x09
	propSubscriptionID      = 0x0B
	propSessionExpiry       = 0x11
	propAssignedClientID    = 0x12
	propServerKeepAlive     = 0x13
	propAuthMethod          = 0x15
	propAuthData            = 0x16
	propRequestProblemInfo  = 0x17
	propWillDelay           = 0x18
	propRequestResponseInfo = 0x19
	propResponseInfo        = 0x1A
	propServerReference     = 0x1C
	propReasonString        = 0x1F
	propReceiveMaximum      = 0x21
	propTopicAliasMaximum   = 0x22
	propTopicAlias          = 0x23
	propMaximumQoS          = 0x24
	propRetainAvailable     = 0x25
	propUserProperty        = 0x26
	propMaximumPacketSize   = 0x27
	propWildcardAvailable   = 0x28
	propSubIDAvailable      = 0x29
	propSharedAvailable     = 0x2A
)

var errMalformed = errors.New("client: malformed packet from server")

// appendVarint appends a Variable Byte Integer (§1.5.5).
func appendVarint(dst []byte, v int) []byte {
	for {
		b := byte(v & 0x7F)
		v >>= 7
		if v > 0 {
			b |= 0x80
		}
		dst = append(dst, b)
		if v == 0 {
			return dst
		}
	}
}

func varintLen(v int) int {
	n := 1
	for v >= 128 {
		v >>= 7
		n++
	}
	return n
}

func appendUint16(dst []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(dst, v) }
func appendUint32(dst []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(dst, v) }

// appendString appends a length-prefixed UTF-8 string or binary (§1.5.4).
func appendString[T string | []byte](dst []byte, s T) []byte {
	dst = appendUint16(dst, uint16(len(s)))
	return append(dst, s...)
}

// appendPacket appends a fixed header (§2.1.1) and body to dst.
func appendPacket(dst []byte, first byte, body []byte) []byte {
	dst = appendVarint(append(dst, first), len(body))
	return append(dst, body...)
}

// propWriter collects an MQTT 5 property block.
type propWriter struct{ b []byte }

func (p *propWriter) byte1(id, v byte)      { p.b = append(p.b, id, v) }
func (p *propWriter) u16(id byte, v uint16) { p.b = appendUint16(append(p.b, id), v) }
func (p *propWriter) u32(id byte, v uint32) { p.b = appendUint32(append(p.b, id), v) }
func (p *propWriter) varint(id byte, v int) { p.b = appendVarint(append(p.b, id), v) }
func (p *propWriter) str(id byte, v string) { p.b = appendString(append(p.b, id), v) }
func (p *propWriter) bin(id byte, v []byte) { p.b = appendString(append(p.b, id), v) }
func (p *propWriter) user(u []UserProperty) {
	for _, kv := range u {
		p.b = appendString(append(p.b, propUserProperty), kv.Key)
		p.b = appendString(p.b, kv.Value)
	}
}

// appendTo appends the property length and the properties.
func (p *propWriter) appendTo(dst []byte) []byte {
	return append(appendVarint(dst, len(p.b)), p.b...)
}

func (pp *PublishProperties) encode(p *propWriter) {
	if pp.PayloadFormat != nil {
		p.byte1(propPayloadFormat, *pp.PayloadFormat)
	}
	if pp.MessageExpiry != nil {
		p.u32(propMessageExpiry, *pp.MessageExpiry)
	}
	if pp.ContentType != "" {
		p.str(propContentType, pp.ContentType)
	}
	if pp.ResponseTopic != "" {
		p.str(propResponseTopic, pp.ResponseTopic)
	}
	if pp.CorrelationData != nil {
		p.bin(propCorrelationData, pp.CorrelationData)
	}
	if pp.TopicAlias != 0 {
		p.u16(propTopicAlias, pp.TopicAlias)
	}
	p.user(pp.UserProperties)
}

// reader walks a packet body; any overrun sets err.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() { r.err = errMalformed; r.b = nil }

func (r *reader) u8() byte {
	if len(r.b) < 1 {
		r.fail()
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) u16() uint16 {
	if len(r.b) < 2 {
		r.fail()
		return 0
	}
	v := binary.BigEndian.Uint16(r.b)
	r.b = r.b[2:]
	return v
}

func (r *reader) u32() uint32 {
	if len(r.b) < 4 {
		r.fail()
		return 0
	}
	v := binary.BigEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *reader) varint() int {
	v, shift := 0, 0
	for i := 0; i < 4; i++ {
		if len(r.b) == 0 {
			break
		}
		c := r.b[0]
		r.b = r.b[1:]
		v |= int(c&0x7F) << shift
		if c&0x80 == 0 {
			return v
		}
		shift += 7
	}
	r.fail()
	return 0
}

// bytes returns a length-prefixed field; the result aliases the body.
func (r *reader) bytes() []byte {
	n := int(r.u16())
	if r.err != nil || len(r.b) < n {
		r.fail()
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// props returns the property block of a v5 packet; it aliases the body.
func (r *reader) props() []byte {
	n := r.varint()
	if r.err != nil || len(r.b) < n {
		r.fail()
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// eachProp calls fn for every property in block with a reader positioned
// on its value; fn must consume the value.
func eachProp(block []byte, fn func(id byte, r *reader)) error {
	r := reader{b: block}
	for len(r.b) > 0 && r.err == nil {
		id := r.varint()
		if r.err != nil {
			break
		}
		fn(byte(id), &r)
	}
	return r.err
}

// skipProp consumes the value of a property the client does not use.
func skipProp(id byte, r *reader) {
	switch id {
	case propPayloadFormat, propRequestProblemInfo, propRequestResponseInfo, propMaximumQoS,
		propRetainAvailable, propWildcardAvailable, propSubIDAvailable, propSharedAvailable:
		r.u8()
	case propServerKeepAlive, propReceiveMaximum, propTopicAliasMaximum, propTopicAlias:
		r.u16()
	case propMessageExpiry, propSessionExpiry, propWillDelay, propMaximumPacketSize:
		r.u32()
	case propSubscriptionID:
		r.varint()
	case propUserProperty:
		r.bytes()
		r.bytes()
	case propContentType, propResponseTopic, propCorrelationData, propAssignedClientID, propAuthMethod,
		propAuthData, propResponseInfo, propServerReference, propReasonString:
		r.bytes()
	default:
		r.fail()
	}
}
