package codec

// UserProperty is one User Property name/value pair (§3.1.2.11.8).
type UserProperty struct {
	Key, Value []byte
}

// Properties holds the MQTT 5.0 properties of one packet (or of a Will).
//
// Present has bit 1<<id set for each property that was decoded. When
// encoding, a property is written if its bit is set or its field is not zero
// (non-empty for byte slices), and only if it is allowed in the packet being
// encoded; so set a field to send it, and set its bit as well to send a zero
// value such as Maximum QoS 0.
//
// After Decode, byte-slice fields alias the packet body, and the repeatable
// User Property and Subscription Identifier are kept as a view over the
// property block: read them with UserProperties and SubscriptionIDs. The
// User and SubscriptionIDs slices are for encoding; Append writes the decoded
// view first, then those slices.
type Properties struct {
	Present uint64

	PayloadFormat        byte   // 0x01: 0 unspecified bytes, 1 UTF-8
	MessageExpiry        uint32 // 0x02, seconds
	ContentType          []byte // 0x03
	ResponseTopic        []byte // 0x08
	CorrelationData      []byte // 0x09
	SessionExpiry        uint32 // 0x11, seconds
	AssignedClientID     []byte // 0x12
	ServerKeepAlive      uint16 // 0x13, seconds
	AuthMethod           []byte // 0x15
	AuthData             []byte // 0x16
	RequestProblemInfo   byte   // 0x17, default 1
	WillDelay            uint32 // 0x18, seconds
	RequestResponseInfo  byte   // 0x19
	ResponseInfo         []byte // 0x1A
	ServerReference      []byte // 0x1C
	ReasonString         []byte // 0x1F
	ReceiveMaximum       uint16 // 0x21, default 65535
	TopicAliasMaximum    uint16 // 0x22
	TopicAlias           uint16 // 0x23
	MaximumQoS           byte   // 0x24, default 2
	RetainAvailable      byte   // 0x25, default 1
	MaximumPacketSize    uint32 // 0x27
	WildcardSubAvailable byte   // 0x28, default 1
	SubIDAvailable       byte   // 0x29, default 1
	SharedSubAvailable   byte   // 0x2A, default 1

	// SubscriptionIDs (0x0B) to encode, after any decoded ones.
	SubscriptionIDs []uint32
	// User properties (0x26) to encode, after any decoded ones.
	User []UserProperty

	// raw is the decoded property block; userCount and subIDCount count the
	// user properties and subscription identifiers in it.
	raw        []byte
	userCount  int
	subIDCount int
}

// dirty reports whether p may hold anything: decoded properties, or the
// fields Append writes without a Present bit that matter most (lists).
func (p *Properties) dirty() bool {
	return p.Present != 0 || p.raw != nil || p.User != nil || p.SubscriptionIDs != nil
}

// Has reports whether property id is present.
func (p *Properties) Has(id PropertyID) bool { return p.Present&(1<<(id&63)) != 0 }

// Set marks property id as present, so that it is encoded even when zero.
func (p *Properties) Set(id PropertyID) { p.Present |= 1 << (id & 63) }

// UserCount is the number of user properties, decoded and in User.
func (p *Properties) UserCount() int { return p.userCount + len(p.User) }

// SubscriptionIDCount is the number of subscription identifiers, decoded and
// in SubscriptionIDs.
func (p *Properties) SubscriptionIDCount() int { return p.subIDCount + len(p.SubscriptionIDs) }

// SubscriptionID returns the first subscription identifier, or 0 when there
// is none (0 is not a valid identifier).
func (p *Properties) SubscriptionID() uint32 {
	it := p.SubscriptionIDIter()
	if id, ok := it.Next(); ok {
		return id
	}
	return 0
}

// UserIter iterates over user properties in order: the decoded ones (views
// into the packet body), then those in User.
type UserIter struct {
	raw  []byte
	pos  int
	list []UserProperty
}

// UserProperties returns an iterator over the user properties.
func (p *Properties) UserProperties() UserIter {
	it := UserIter{list: p.User}
	if p.userCount > 0 {
		it.raw = p.raw
	}
	return it
}

// Next returns the next pair; ok is false at the end.
func (it *UserIter) Next() (key, value []byte, ok bool) {
	for it.pos < len(it.raw) {
		id, start, end := nextProperty(it.raw, it.pos)
		if end < 0 {
			break
		}
		it.pos = end
		if id == PropUser {
			r := reader{buf: it.raw[:end], pos: start}
			k, _ := r.binary()
			v, _ := r.binary()
			return k, v, true
		}
	}
	it.raw = nil
	if len(it.list) > 0 {
		u := it.list[0]
		it.list = it.list[1:]
		return u.Key, u.Value, true
	}
	return nil, nil, false
}

// SubIDIter iterates over subscription identifiers: the decoded ones, then
// those in SubscriptionIDs.
type SubIDIter struct {
	raw  []byte
	pos  int
	list []uint32
}

// SubscriptionIDIter returns an iterator over the subscription identifiers.
func (p *Properties) SubscriptionIDIter() SubIDIter {
	it := SubIDIter{list: p.SubscriptionIDs}
	if p.subIDCount > 0 {
		it.raw = p.raw
	}
	return it
}

// Next returns the next identifier; ok is false at the end.
func (it *SubIDIter) Next() (id uint32, ok bool) {
	for it.pos < len(it.raw) {
		pid, start, end := nextProperty(it.raw, it.pos)
		if end < 0 {
			break
		}
		it.pos = end
		if pid == PropSubscriptionID {
			v, _, _ := readVarint(it.raw[start:end])
			return v, true
		}
	}
	it.raw = nil
	if len(it.list) > 0 {
		id = it.list[0]
		it.list = it.list[1:]
		return id, true
	}
	return 0, false
}

// nextProperty finds the property starting at pos in a property block that
// decode has already validated: its identifier, where its value starts and
// where the next property starts (-1 if b is not a valid block).
func nextProperty(b []byte, pos int) (id PropertyID, start, end int) {
	v, n, err := readVarint(b[pos:])
	if err != nil || v >= 64 {
		return 0, 0, -1
	}
	id = PropertyID(v)
	start = pos + n
	end = start
	switch propTable[id].typ {
	case TypeByte:
		end += 1
	case TypeUint16:
		end += 2
	case TypeUint32:
		end += 4
	case TypeVarint:
		_, m, err := readVarint(b[start:])
		if err != nil {
			return 0, 0, -1
		}
		end += m
	case TypeString, TypeBinary:
		if start+2 > len(b) {
			return 0, 0, -1
		}
		end += 2 + (int(b[start])<<8 | int(b[start+1]))
	case TypeStringPair:
		for k := 0; k < 2; k++ {
			if end+2 > len(b) {
				return 0, 0, -1
			}
			end += 2 + (int(b[end])<<8 | int(b[end+1]))
		}
	default:
		return 0, 0, -1
	}
	if end > len(b) {
		return 0, 0, -1
	}
	return id, start, end
}
