package codec

// Subscription is one topic filter of a SUBSCRIBE with its options
// (§3.8.3.1). In 3.1 and 3.1.1 only QoS is carried.
type Subscription struct {
	Filter            []byte
	QoS               byte
	NoLocal           bool // 5.0
	RetainAsPublished bool // 5.0
	RetainHandling    byte // 5.0: 0 send retained, 1 only if new, 2 never
}

func (s *Subscription) options(v Version) byte {
	o := s.QoS & 0x03
	if v == V5 {
		if s.NoLocal {
			o |= 0x04
		}
		if s.RetainAsPublished {
			o |= 0x08
		}
		o |= (s.RetainHandling & 0x03) << 4
	}
	return o
}

// Subscribe is a SUBSCRIBE packet (§3.8).
//
// After Decode the topic filters are a view over the payload: walk them with
// Iter (no allocation). Subscriptions is for encoding; Append writes the
// decoded filters first, then Subscriptions.
type Subscribe struct {
	PacketID      uint16
	Props         Properties // 5.0: Subscription Identifier and User Properties
	Subscriptions []Subscription

	raw   []byte // decoded payload
	count int
	v     Version
}

// Type returns SUBSCRIBE.
func (*Subscribe) Type() PacketType { return SUBSCRIBE }

// Len is the number of subscriptions, decoded and in Subscriptions.
func (s *Subscribe) Len() int { return s.count + len(s.Subscriptions) }

var (
	errSubscribeEmpty   = protocolErr("SUBSCRIBE without a topic filter [MQTT-3.8.3-2] (3.1.1: [MQTT-3.8.3-3])")
	errSubscribeOptions = malformed("SUBSCRIBE options reserved bits set or QoS 3 [MQTT-3-8.3-4] [MQTT-3.8.3-5]")
	errRetainHandling   = protocolErr("retain handling 3 (§3.8.3.1)")
	errNoLocalShared    = protocolErr("no local set on a shared subscription [MQTT-3.8.3-4]")
	errUnsubscribeEmpty = protocolErr("UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2]")
	errSubscribeFlags   = malformed("SUBSCRIBE flags are not 0010 [MQTT-3.8.1-1]")
	errUnsubscribeFlags = malformed("UNSUBSCRIBE flags are not 0010 [MQTT-3.10.1-1]")
)

// checkFlags0010 checks the fixed-header flags of PUBREL, SUBSCRIBE and
// UNSUBSCRIBE; 3.1 sent them with QoS 1 and allowed DUP.
func checkFlags0010(v Version, flags byte) bool {
	if v == V31 {
		flags &^= 0x08
	}
	return flags == 0x02
}

// Decode parses a SUBSCRIBE body. It checks each filter is a UTF-8 string
// [MQTT-1.5.4-1] and each options byte; it does not judge the filters'
// wildcards, so that a server can refuse a bad filter on its own in SUBACK
// (0x8F, or 0x80 in 3.1.1): call ValidTopicFilter on each. Filters and
// properties alias body.
func (s *Subscribe) Decode(v Version, flags byte, body []byte) error {
	*s = Subscribe{v: v}
	if !v.Valid() {
		return errVersion
	}
	if !checkFlags0010(v, flags) {
		return errSubscribeFlags // [MQTT-3.8.1-1]
	}
	r := reader{buf: body}
	var err error
	if s.PacketID, err = r.idAndProperties(v, SUBSCRIBE, &s.Props); err != nil {
		return err
	}
	payload := r.buf[r.pos:]
	if len(payload) == 0 {
		return errSubscribeEmpty // [MQTT-3.8.3-3] (5.0: [MQTT-3.8.3-2])
	}
	for r.left() > 0 {
		f, err := r.string()
		if err != nil {
			return err
		}
		o, err := r.byte()
		if err != nil {
			return err
		}
		if err := checkOptions(v, f, o); err != nil {
			return err
		}
		s.count++
	}
	s.raw = payload
	return nil
}

func checkOptions(v Version, filter []byte, o byte) error {
	if o&0x03 == 3 {
		return errSubscribeOptions // [MQTT-3-8.3-4] QoS 3
	}
	if v != V5 {
		if o&0xFC != 0 {
			return errSubscribeOptions // [MQTT-3-8.3-4] reserved bits
		}
		return nil
	}
	if o&0xC0 != 0 {
		return errSubscribeOptions // [MQTT-3.8.3-5] reserved bits
	}
	if o>>4&0x03 == 3 {
		return errRetainHandling // §3.8.3.1: retain handling 3 is a Protocol Error
	}
	if o&0x04 != 0 && IsSharedFilter(filter) {
		return errNoLocalShared // [MQTT-3.8.3-4]
	}
	return nil
}

// SubscriptionIter walks the subscriptions of a Subscribe.
type SubscriptionIter struct {
	r    reader
	v    Version
	list []Subscription
}

// Iter returns an iterator over the decoded subscriptions, then those in
// Subscriptions.
func (s *Subscribe) Iter() SubscriptionIter {
	return SubscriptionIter{r: reader{buf: s.raw}, v: s.v, list: s.Subscriptions}
}

// Next returns the next subscription; ok is false at the end. Filter
// aliases the decoded body.
func (it *SubscriptionIter) Next() (sub Subscription, ok bool) {
	if it.r.left() > 0 {
		f, err1 := it.r.binary()
		o, err2 := it.r.byte()
		if err1 == nil && err2 == nil {
			sub.Filter = f
			sub.QoS = o & 0x03
			if it.v == V5 {
				sub.NoLocal = o&0x04 != 0
				sub.RetainAsPublished = o&0x08 != 0
				sub.RetainHandling = o >> 4 & 0x03
			}
			return sub, true
		}
		it.r.pos = len(it.r.buf)
	}
	if len(it.list) > 0 {
		sub = it.list[0]
		it.list = it.list[1:]
		return sub, true
	}
	return sub, false
}

// Append appends the SUBSCRIBE encoded for v.
func (s *Subscribe) Append(dst []byte, v Version) []byte {
	n := 2
	var m uint64
	pl := 0
	if v == V5 {
		m, pl = s.Props.plan(SUBSCRIBE)
		n += varintLen(uint32(pl)) + pl
	}
	it := s.Iter()
	for sub, ok := it.Next(); ok; sub, ok = it.Next() {
		n += binaryLen(sub.Filter) + 1
	}
	dst = appendFixedHeader(dst, SUBSCRIBE, 0x02, n)
	dst = appendUint16(dst, s.PacketID)
	if v == V5 {
		dst = s.Props.appendPlanned(dst, SUBSCRIBE, m, pl)
	}
	it = s.Iter()
	for sub, ok := it.Next(); ok; sub, ok = it.Next() {
		dst = appendBinary(dst, sub.Filter)
		dst = append(dst, sub.options(v))
	}
	return dst
}

// idAndProperties reads the packet identifier that opens SUBSCRIBE and
// UNSUBSCRIBE, which may not be 0, and in 5.0 the properties of packet
// type t that follow it.
func (r *reader) idAndProperties(v Version, t PacketType, props *Properties) (uint16, error) {
	id, err := r.uint16()
	if err != nil {
		return 0, err
	}
	if id == 0 {
		return 0, errZeroPacketID // [MQTT-2.2.1-3] (3.1.1: [MQTT-2.3.1-1])
	}
	if v == V5 {
		if err := props.decode(r, t); err != nil {
			return 0, err
		}
	}
	return id, nil
}
