package codec

import "math/bits"

// sharedExclude are the PUBLISH properties that differ per subscriber and so
// are left out of AppendShared: Topic Alias, Subscription Identifier and
// Message Expiry Interval.
const sharedExclude = 1<<PropTopicAlias | 1<<PropSubscriptionID | 1<<PropMessageExpiry

// wanted returns the set of single-valued properties Append will write for
// context t: present or non-zero, and allowed in t.
func (p *Properties) wanted(t PacketType) uint64 {
	m := p.Present
	set := func(id PropertyID, nonZero bool) {
		if nonZero {
			m |= 1 << id
		}
	}
	set(PropPayloadFormat, p.PayloadFormat != 0)
	set(PropMessageExpiry, p.MessageExpiry != 0)
	set(PropContentType, len(p.ContentType) > 0)
	set(PropResponseTopic, len(p.ResponseTopic) > 0)
	set(PropCorrelationData, len(p.CorrelationData) > 0)
	set(PropSessionExpiry, p.SessionExpiry != 0)
	set(PropAssignedClientID, len(p.AssignedClientID) > 0)
	set(PropServerKeepAlive, p.ServerKeepAlive != 0)
	set(PropAuthMethod, len(p.AuthMethod) > 0)
	set(PropAuthData, len(p.AuthData) > 0)
	set(PropRequestProblemInfo, p.RequestProblemInfo != 0)
	set(PropWillDelay, p.WillDelay != 0)
	set(PropRequestResponseInfo, p.RequestResponseInfo != 0)
	set(PropResponseInfo, len(p.ResponseInfo) > 0)
	set(PropServerReference, len(p.ServerReference) > 0)
	set(PropReasonString, len(p.ReasonString) > 0)
	set(PropReceiveMaximum, p.ReceiveMaximum != 0)
	set(PropTopicAliasMaximum, p.TopicAliasMaximum != 0)
	set(PropTopicAlias, p.TopicAlias != 0)
	set(PropMaximumQoS, p.MaximumQoS != 0)
	set(PropRetainAvailable, p.RetainAvailable != 0)
	set(PropMaximumPacketSize, p.MaximumPacketSize != 0)
	set(PropWildcardSubAvailable, p.WildcardSubAvailable != 0)
	set(PropSubIDAvailable, p.SubIDAvailable != 0)
	set(PropSharedSubAvailable, p.SharedSubAvailable != 0)
	m &^= 1<<PropUser | 1<<PropSubscriptionID // written from the lists
	if t > allContexts {
		t = allContexts
	}
	return m & allowedIn[t]
}

// allowedIn[t] is the set of properties allowed in context t;
// allowedIn[allContexts] holds every known property.
var allowedIn = func() (a [allContexts + 1]uint64) {
	for id := range propTable {
		for t := PacketType(0); t < allContexts; t++ {
			if propTable[id].allowed&(1<<t) != 0 {
				a[t] |= 1 << id
				a[allContexts] |= 1 << id
			}
		}
	}
	return a
}()

// EncodedLen is the size of the property block Append writes for packet
// type t (WillProperties for a Will), without the property length prefix.
func (p *Properties) EncodedLen(t PacketType) int {
	return p.blockLen(p.wanted(t), t, true)
}

func (p *Properties) blockLen(m uint64, t PacketType, lists bool) int {
	n := 0
	for m != 0 {
		id := PropertyID(trailingZeros64(m))
		m &= m - 1
		n += 1 + p.valueLen(id)
	}
	if !lists {
		return n
	}
	if PropertyAllowed(PropSubscriptionID, t) {
		it := p.SubscriptionIDIter()
		for id, ok := it.Next(); ok; id, ok = it.Next() {
			n += 1 + varintLen(id)
		}
	}
	if PropertyAllowed(PropUser, t) {
		it := p.UserProperties()
		for k, v, ok := it.Next(); ok; k, v, ok = it.Next() {
			n += 1 + binaryLen(k) + binaryLen(v)
		}
	}
	return n
}

func (p *Properties) valueLen(id PropertyID) int {
	switch propTable[id].typ {
	case TypeByte:
		return 1
	case TypeUint16:
		return 2
	case TypeUint32:
		return 4
	}
	return binaryLen(p.bytesOf(id))
}

func (p *Properties) bytesOf(id PropertyID) []byte {
	switch id {
	case PropContentType:
		return p.ContentType
	case PropResponseTopic:
		return p.ResponseTopic
	case PropCorrelationData:
		return p.CorrelationData
	case PropAssignedClientID:
		return p.AssignedClientID
	case PropAuthMethod:
		return p.AuthMethod
	case PropAuthData:
		return p.AuthData
	case PropResponseInfo:
		return p.ResponseInfo
	case PropServerReference:
		return p.ServerReference
	case PropReasonString:
		return p.ReasonString
	}
	return nil
}

func (p *Properties) scalarOf(id PropertyID) uint32 {
	switch id {
	case PropPayloadFormat:
		return uint32(p.PayloadFormat)
	case PropMessageExpiry:
		return p.MessageExpiry
	case PropSessionExpiry:
		return p.SessionExpiry
	case PropServerKeepAlive:
		return uint32(p.ServerKeepAlive)
	case PropRequestProblemInfo:
		return uint32(p.RequestProblemInfo)
	case PropWillDelay:
		return p.WillDelay
	case PropRequestResponseInfo:
		return uint32(p.RequestResponseInfo)
	case PropReceiveMaximum:
		return uint32(p.ReceiveMaximum)
	case PropTopicAliasMaximum:
		return uint32(p.TopicAliasMaximum)
	case PropTopicAlias:
		return uint32(p.TopicAlias)
	case PropMaximumQoS:
		return uint32(p.MaximumQoS)
	case PropRetainAvailable:
		return uint32(p.RetainAvailable)
	case PropMaximumPacketSize:
		return p.MaximumPacketSize
	case PropWildcardSubAvailable:
		return uint32(p.WildcardSubAvailable)
	case PropSubIDAvailable:
		return uint32(p.SubIDAvailable)
	case PropSharedSubAvailable:
		return uint32(p.SharedSubAvailable)
	}
	return 0
}

// Append appends the property length and the properties allowed in packet
// type t (WillProperties for a Will), in identifier order with subscription
// identifiers and user properties last.
func (p *Properties) Append(dst []byte, t PacketType) []byte {
	m, n := p.plan(t)
	return p.appendPlanned(dst, t, m, n)
}

// plan returns the set of single-valued properties to write for t and the
// size of the property block, so that a packet's encoder computes them once
// for its remaining length and for the block.
func (p *Properties) plan(t PacketType) (m uint64, n int) {
	m = p.wanted(t)
	return m, p.blockLen(m, t, true)
}

// appendPlanned appends the property length n and the block planned by plan.
func (p *Properties) appendPlanned(dst []byte, t PacketType, m uint64, n int) []byte {
	dst = appendVarint(dst, uint32(n))
	return p.appendBlock(dst, m, t, true)
}

// AppendShared appends, without a length prefix, the PUBLISH properties that
// are the same for every subscriber of a message: all but Topic Alias,
// Subscription Identifier and Message Expiry Interval. PublishHeader.Shared
// takes the result.
func (p *Properties) AppendShared(dst []byte) []byte {
	m := p.wanted(PUBLISH) &^ sharedExclude
	dst = p.appendBlock(dst, m, PUBLISH, false)
	it := p.UserProperties()
	for k, v, ok := it.Next(); ok; k, v, ok = it.Next() {
		dst = appendUserProperty(dst, k, v)
	}
	return dst
}

func (p *Properties) appendBlock(dst []byte, m uint64, t PacketType, lists bool) []byte {
	for m != 0 {
		id := PropertyID(trailingZeros64(m))
		m &= m - 1
		dst = append(dst, byte(id))
		switch propTable[id].typ {
		case TypeByte:
			dst = append(dst, byte(p.scalarOf(id)))
		case TypeUint16:
			dst = appendUint16(dst, uint16(p.scalarOf(id)))
		case TypeUint32:
			dst = appendUint32(dst, p.scalarOf(id))
		default:
			dst = appendBinary(dst, p.bytesOf(id))
		}
	}
	if !lists {
		return dst
	}
	if PropertyAllowed(PropSubscriptionID, t) {
		it := p.SubscriptionIDIter()
		for id, ok := it.Next(); ok; id, ok = it.Next() {
			dst = append(dst, byte(PropSubscriptionID))
			dst = appendVarint(dst, id)
		}
	}
	if PropertyAllowed(PropUser, t) {
		it := p.UserProperties()
		for k, v, ok := it.Next(); ok; k, v, ok = it.Next() {
			dst = appendUserProperty(dst, k, v)
		}
	}
	return dst
}

func appendUserProperty(dst, k, v []byte) []byte {
	dst = append(dst, byte(PropUser))
	dst = appendBinary(dst, k)
	return appendBinary(dst, v)
}

func trailingZeros64(m uint64) int { return bits.TrailingZeros64(m) }
