package codec

// Unsubscribe is an UNSUBSCRIBE packet (§3.10).
//
// After Decode the topic filters are a view over the payload: walk them with
// Iter. Filters is for encoding; Append writes the decoded filters first.
type Unsubscribe struct {
	PacketID uint16
	Props    Properties // 5.0: User Properties
	Filters  [][]byte

	raw   []byte
	count int
}

// Type returns UNSUBSCRIBE.
func (*Unsubscribe) Type() PacketType { return UNSUBSCRIBE }

// Len is the number of filters, decoded and in Filters.
func (u *Unsubscribe) Len() int { return u.count + len(u.Filters) }

// Decode parses an UNSUBSCRIBE body. Filters must be UTF-8 strings
// [MQTT-1.5.4-1]; their wildcards are left to ValidTopicFilter, as for
// SUBSCRIBE. Filters and properties alias body.
func (u *Unsubscribe) Decode(v Version, flags byte, body []byte) error {
	*u = Unsubscribe{}
	if !v.Valid() {
		return errVersion
	}
	if !checkFlags0010(v, flags) {
		return errUnsubscribeFlags // [MQTT-3.10.1-1]
	}
	r := reader{buf: body}
	var err error
	if u.PacketID, err = r.idAndProperties(v, UNSUBSCRIBE, &u.Props); err != nil {
		return err
	}
	payload := r.buf[r.pos:]
	if len(payload) == 0 {
		return errUnsubscribeEmpty // [MQTT-3.10.3-2]
	}
	for r.left() > 0 {
		if _, err := r.string(); err != nil {
			return err
		}
		u.count++
	}
	u.raw = payload
	return nil
}

// FilterIter walks the topic filters of an Unsubscribe.
type FilterIter struct {
	r    reader
	list [][]byte
}

// Iter returns an iterator over the decoded filters, then those in Filters.
func (u *Unsubscribe) Iter() FilterIter { return FilterIter{r: reader{buf: u.raw}, list: u.Filters} }

// Next returns the next filter; ok is false at the end.
func (it *FilterIter) Next() (filter []byte, ok bool) {
	if it.r.left() > 0 {
		if f, err := it.r.binary(); err == nil {
			return f, true
		}
		it.r.pos = len(it.r.buf)
	}
	if len(it.list) > 0 {
		filter = it.list[0]
		it.list = it.list[1:]
		return filter, true
	}
	return nil, false
}

// Append appends the UNSUBSCRIBE encoded for v.
func (u *Unsubscribe) Append(dst []byte, v Version) []byte {
	n := 2
	var m uint64
	pl := 0
	if v == V5 {
		m, pl = u.Props.plan(UNSUBSCRIBE)
		n += varintLen(uint32(pl)) + pl
	}
	it := u.Iter()
	for f, ok := it.Next(); ok; f, ok = it.Next() {
		n += binaryLen(f)
	}
	dst = appendFixedHeader(dst, UNSUBSCRIBE, 0x02, n)
	dst = appendUint16(dst, u.PacketID)
	if v == V5 {
		dst = u.Props.appendPlanned(dst, UNSUBSCRIBE, m, pl)
	}
	it = u.Iter()
	for f, ok := it.Next(); ok; f, ok = it.Next() {
		dst = appendBinary(dst, f)
	}
	return dst
}
