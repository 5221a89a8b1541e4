package codec

import "encoding/binary"

// Publish is a PUBLISH packet (§3.3).
//
// Decode checks the packet on its own; rules that depend on the session are
// the receiver's: a Topic Alias above its Topic Alias Maximum [MQTT-3.3.2-9],
// a Subscription Identifier in a PUBLISH from a client [MQTT-3.3.4-6], and a
// payload that is not UTF-8 under Payload Format Indicator 1 (§3.3.2.3.2).
type Publish struct {
	Dup      bool
	QoS      byte
	Retain   bool
	PacketID uint16 // QoS 1 and 2 only
	Topic    []byte // empty in 5.0 when a Topic Alias stands for it
	Payload  []byte
	Props    Properties
}

// Type returns PUBLISH.
func (*Publish) Type() PacketType { return PUBLISH }

var (
	errPublishQoS3     = malformed("PUBLISH with QoS 3 [MQTT-3.3.1-4]")
	errPublishDupQoS0  = malformed("PUBLISH with DUP set at QoS 0 [MQTT-3.3.1-2]")
	errTopicEmptyAlias = protocolErr("empty topic name without a topic alias (§3.3.2.1)")
	errTopicEmpty311   = &Error{Code: TopicNameInvalid, Rule: "empty topic name [MQTT-4.7.3-1]"}
)

// Decode parses a PUBLISH body sent with the fixed-header flags (DUP, QoS,
// RETAIN). Topic, Payload and the property views alias body and are valid as
// long as body is: copy them (Clone) before the read buffer is reused.
// Properties exist only in 5.0: decoding a 3.1 or 3.1.1 packet leaves Props
// empty of decoded properties (fields set by hand and never encoded in those
// versions are not cleared, which saves clearing the struct per packet).
func (p *Publish) Decode(v Version, flags byte, body []byte) error {
	// The common 3.1 and 3.1.1 packet is decoded here: flags allowed
	// [MQTT-3.3.1-4] [MQTT-3.3.1-2]; a topic of at least eight bytes that the
	// word scan finds to be ASCII with bit 2, 4 or 6 set in every byte, so
	// neither NUL nor a wildcard [MQTT-3.3.2-2] [MQTT-1.5.4-1..2] (letters,
	// digits, '/', '-', '.', '_', '$' and ':' all pass; the few rare valid
	// bytes that do not are accepted by decodeFull); a packet identifier
	// that is not 0 [MQTT-2.3.1-1]; and at QoS 1 and 2 a payload that is not
	// empty. Anything else, errors included, goes to decodeFull, which checks
	// every rule itself; both give the same result on what this path accepts
	// (FuzzPublishFastPath). The path makes no call, and body's capacity is
	// dropped (Topic and Payload never use it), so that what it keeps fits
	// in registers.
	body = body[:len(body):len(body)]
	if v-V31 <= V311-V31 && len(body) >= 2+minWords && !p.Props.dirty() { // 3.1 or 3.1.1
		end := 2 + (int(body[0])<<8 | int(body[1]))
		if end <= len(body) && end >= 2+minWords {
			topic := body[2:end:end]
			// The first and last words, and for more than 16 bytes the
			// second and the one before the last, overlap as needed; more
			// than 32 bytes take the loop over the words in between.
			n := len(topic)
			x0, x1 := binary.LittleEndian.Uint64(topic), binary.LittleEndian.Uint64(topic[n-8:])
			ok, bad := commonTopicBytes(x0)&commonTopicBytes(x1), x0|x1
			if n > 16 {
				x2, x3 := binary.LittleEndian.Uint64(topic[8:16]), binary.LittleEndian.Uint64(topic[n-16:])
				ok, bad = ok&commonTopicBytes(x2)&commonTopicBytes(x3), bad|x2|x3
				if n > 32 {
					for mid := topic[16 : n-8]; len(mid) > 8; mid = mid[8:] {
						x := binary.LittleEndian.Uint64(mid)
						ok, bad = ok&commonTopicBytes(x), bad|x
					}
				}
			}
			plain := (bad|^ok)&highs == 0
			qos := flags >> 1 & 0x03
			rest := body[end:len(body):len(body)]
			var id uint16
			if qos != 0 && len(rest) > 2 { // rest[2:] not empty: its pointer needs no clamp
				id, rest = binary.BigEndian.Uint16(rest), rest[2:]
			}
			if plain && validPublishFlags>>(flags&0x0F)&1 != 0 && (qos == 0 || id != 0) {
				p.Dup, p.QoS, p.Retain = flags&0x08 != 0, qos, flags&0x01 != 0
				p.PacketID, p.Topic, p.Payload = id, topic, rest
				return nil
			}
		}
	}
	return p.decodeFull(v, flags, body)
}

// validPublishFlags has bit f set for each fixed-header flags nibble f that
// a 3.1.1 PUBLISH may carry: QoS 0, 1 or 2 [MQTT-3.3.1-4], and DUP only with
// QoS 1 or 2 [MQTT-3.3.1-2]. (DUP 8, QoS 6, RETAIN 1; 3.1 allows DUP at QoS
// 0, which Decode leaves to decodeFull.)
const validPublishFlags = 1<<0x0 | 1<<0x1 | 1<<0x2 | 1<<0x3 | 1<<0x4 | 1<<0x5 |
	1<<0xA | 1<<0xB | 1<<0xC | 1<<0xD

// decodeFull is Decode for every packet: it checks each rule in turn.
func (p *Publish) decodeFull(v Version, flags byte, body []byte) error {
	if v != V5 && p.Props.dirty() { // 5.0: Props.decode resets them
		p.Props = Properties{}
	}
	qos := flags >> 1 & 0x03
	dup := flags&0x08 != 0
	p.Dup, p.QoS, p.Retain = dup, qos, flags&0x01 != 0
	var err error
	switch {
	case qos == 3:
		err = errPublishQoS3 // [MQTT-3.3.1-4]
	case dup && qos == 0 && v != V31:
		err = errPublishDupQoS0 // [MQTT-3.3.1-2]
	case len(body) < 2:
		err = errShort
	}
	if err != nil {
		p.Topic, p.Payload, p.PacketID = nil, nil, 0
		return err
	}
	end := 2 + (int(body[0])<<8 | int(body[1]))
	if len(body) < end {
		p.Topic, p.Payload, p.PacketID = nil, nil, 0
		return errShort
	}
	topic := body[2:end:end]
	if len(topic) < minWords || !plainTopic(topic) { // the word scan first: no call for plain topics
		if err := checkTopicChars(topic); err != nil {
			p.Topic, p.Payload, p.PacketID = nil, nil, 0
			return err // [MQTT-3.3.2-2] no wildcards; [MQTT-1.5.4-1..2] UTF-8
		}
	}
	var id uint16
	if qos > 0 {
		if len(body) < end+2 {
			p.Topic, p.Payload, p.PacketID = nil, nil, 0
			return errShort
		}
		id = uint16(body[end])<<8 | uint16(body[end+1])
		end += 2
	}
	p.Topic, p.PacketID = topic, id
	if qos > 0 && id == 0 {
		p.Payload = nil
		return errZeroPacketID // [MQTT-2.2.1-3] (3.1.1: [MQTT-2.3.1-1])
	}
	switch v {
	case V5:
		r := reader{buf: body, pos: end}
		if err := p.Props.decode(&r, PUBLISH); err != nil {
			p.Payload = nil
			return err
		}
		if len(topic) == 0 && p.Props.TopicAlias == 0 {
			p.Payload = nil
			return errTopicEmptyAlias // §3.3.2.1: zero length needs a Topic Alias
		}
		end = r.pos
	case V311, V31:
		if len(topic) == 0 {
			p.Payload = nil
			return errTopicEmpty311 // [MQTT-4.7.3-1]
		}
	default:
		p.Payload = nil
		return errVersion
	}
	p.Payload = body[end:len(body):len(body)]
	return nil
}

func (p *Publish) flags() byte {
	f := (p.QoS & 0x03) << 1
	if p.Dup {
		f |= 0x08
	}
	if p.Retain {
		f |= 0x01
	}
	return f
}

// Append appends the whole PUBLISH packet encoded for v.
func (p *Publish) Append(dst []byte, v Version) []byte {
	dst = p.AppendHeader(dst, v)
	return append(dst, p.Payload...)
}

// AppendHeader appends the PUBLISH packet without its payload: fixed header
// (whose remaining length counts len(p.Payload)), topic, packet identifier
// and properties. Send p.Payload after it, e.g. in the same writev.
func (p *Publish) AppendHeader(dst []byte, v Version) []byte {
	n := binaryLen(p.Topic) + len(p.Payload)
	if p.QoS > 0 {
		n += 2
	}
	var m uint64
	pl := 0
	if v == V5 {
		m, pl = p.Props.plan(PUBLISH)
		n += varintLen(uint32(pl)) + pl
	}
	dst = appendFixedHeader(dst, PUBLISH, p.flags(), n)
	dst = appendBinary(dst, p.Topic)
	if p.QoS > 0 {
		dst = appendUint16(dst, p.PacketID)
	}
	if v == V5 {
		dst = p.Props.appendPlanned(dst, PUBLISH, m, pl)
	}
	return dst
}

// PublishHeader is the per-subscriber part of a PUBLISH whose topic, payload
// and shared properties are encoded once for many subscribers. Fill it from
// the message and the subscription, then Append it before the payload.
type PublishHeader struct {
	Dup, Retain bool
	QoS         byte
	PacketID    uint16 // QoS 1 and 2 only
	Topic       []byte // may be empty in 5.0 when TopicAlias is already known to the receiver
	// 5.0 only:
	TopicAlias       uint16   // 0: none
	MessageExpiry    uint32   // the remaining expiry, sent when HasMessageExpiry
	HasMessageExpiry bool     //
	SubscriptionIDs  []uint32 // the matching subscriptions' identifiers
	Shared           []byte   // Properties.AppendShared output for the message
	PayloadLen       int      // length of the payload sent after the header
}

// Append appends the fixed header, topic, packet identifier and (5.0)
// properties of the PUBLISH described by h. It allocates nothing when dst
// has room.
func (h *PublishHeader) Append(dst []byte, v Version) []byte {
	n := binaryLen(h.Topic) + h.PayloadLen
	if h.QoS > 0 {
		n += 2
	}
	pl := 0
	if v == V5 {
		pl = h.propsLen()
		n += varintLen(uint32(pl)) + pl
	}
	f := (h.QoS & 0x03) << 1
	if h.Dup {
		f |= 0x08
	}
	if h.Retain {
		f |= 0x01
	}
	dst = appendFixedHeader(dst, PUBLISH, f, n)
	dst = appendBinary(dst, h.Topic)
	if h.QoS > 0 {
		dst = appendUint16(dst, h.PacketID)
	}
	if v != V5 {
		return dst
	}
	dst = appendVarint(dst, uint32(pl))
	if h.HasMessageExpiry {
		dst = append(dst, byte(PropMessageExpiry))
		dst = appendUint32(dst, h.MessageExpiry)
	}
	if h.TopicAlias != 0 {
		dst = append(dst, byte(PropTopicAlias))
		dst = appendUint16(dst, h.TopicAlias)
	}
	for _, id := range h.SubscriptionIDs {
		dst = append(dst, byte(PropSubscriptionID))
		dst = appendVarint(dst, id)
	}
	return append(dst, h.Shared...)
}

func (h *PublishHeader) propsLen() int {
	n := len(h.Shared)
	if h.HasMessageExpiry {
		n += 5
	}
	if h.TopicAlias != 0 {
		n += 3
	}
	for _, id := range h.SubscriptionIDs {
		n += 1 + varintLen(id)
	}
	return n
}

// MarkDup sets the DUP flag in an encoded PUBLISH (its first byte), for
// resending a QoS 1 or 2 message [MQTT-3.3.1-1].
func MarkDup(packet []byte) {
	if len(packet) > 0 && PacketType(packet[0]>>4) == PUBLISH && packet[0]&0x06 != 0 {
		packet[0] |= 0x08
	}
}
