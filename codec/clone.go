package codec

// Clone functions copy a decoded packet into memory it owns, so that it
// outlives the read buffer. The copy is in a canonical form: repeatable
// properties and subscription lists become the encoding slices (User,
// SubscriptionIDs, Subscriptions, Filters), empty byte slices become nil, and
// Present has a bit for every property that would be encoded. Two packets
// that encode the same have deeply equal clones.

func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// Clone returns a canonical copy of p that shares no memory with it.
func (p *Properties) Clone() Properties {
	c := *p
	c.raw, c.userCount, c.subIDCount = nil, 0, 0
	c.ContentType = cloneBytes(p.ContentType)
	c.ResponseTopic = cloneBytes(p.ResponseTopic)
	c.CorrelationData = cloneBytes(p.CorrelationData)
	c.AssignedClientID = cloneBytes(p.AssignedClientID)
	c.AuthMethod = cloneBytes(p.AuthMethod)
	c.AuthData = cloneBytes(p.AuthData)
	c.ResponseInfo = cloneBytes(p.ResponseInfo)
	c.ServerReference = cloneBytes(p.ServerReference)
	c.ReasonString = cloneBytes(p.ReasonString)
	c.User, c.SubscriptionIDs = nil, nil
	if n := p.UserCount(); n > 0 {
		c.User = make([]UserProperty, 0, n)
		it := p.UserProperties()
		for k, v, ok := it.Next(); ok; k, v, ok = it.Next() {
			c.User = append(c.User, UserProperty{Key: cloneBytes(k), Value: cloneBytes(v)})
		}
	}
	if n := p.SubscriptionIDCount(); n > 0 {
		c.SubscriptionIDs = make([]uint32, 0, n)
		it := p.SubscriptionIDIter()
		for id, ok := it.Next(); ok; id, ok = it.Next() {
			c.SubscriptionIDs = append(c.SubscriptionIDs, id)
		}
	}
	c.Present = p.wanted(allContexts)
	if len(c.User) > 0 {
		c.Present |= 1 << PropUser
	}
	if len(c.SubscriptionIDs) > 0 {
		c.Present |= 1 << PropSubscriptionID
	}
	return c
}

// allContexts is a context value for wanted that allows every property.
const allContexts PacketType = 16

// Clone returns a canonical copy of c that shares no memory with it.
func (c *Connect) Clone() *Connect {
	d := *c
	d.Props = c.Props.Clone()
	d.ClientID = cloneBytes(c.ClientID)
	d.Will.Props = c.Will.Props.Clone()
	d.Will.Topic = cloneBytes(c.Will.Topic)
	d.Will.Payload = cloneBytes(c.Will.Payload)
	d.Username = cloneBytes(c.Username)
	d.Password = cloneBytes(c.Password)
	d.UsernameFlag = c.UsernameFlag || len(c.Username) > 0
	d.PasswordFlag = c.PasswordFlag || len(c.Password) > 0
	if !c.WillFlag {
		d.Will = Will{}
	}
	return &d
}

// Clone returns a canonical copy of c.
func (c *Connack) Clone() *Connack {
	d := *c
	d.Props = c.Props.Clone()
	return &d
}

// Clone returns a canonical copy of p that shares no memory with it.
func (p *Publish) Clone() *Publish {
	d := *p
	d.Topic = cloneBytes(p.Topic)
	d.Payload = cloneBytes(p.Payload)
	d.Props = p.Props.Clone()
	return &d
}

// Clone returns a canonical copy of a.
func (a *Ack) Clone() *Ack {
	d := *a
	d.Props = a.Props.Clone()
	return &d
}

// Clone returns a canonical copy of s: every subscription in Subscriptions.
func (s *Subscribe) Clone() *Subscribe {
	d := Subscribe{PacketID: s.PacketID, Props: s.Props.Clone(), v: s.v}
	if n := s.Len(); n > 0 {
		d.Subscriptions = make([]Subscription, 0, n)
		it := s.Iter()
		for sub, ok := it.Next(); ok; sub, ok = it.Next() {
			sub.Filter = cloneBytes(sub.Filter)
			d.Subscriptions = append(d.Subscriptions, sub)
		}
	}
	d.v = 0
	return &d
}

// Clone returns a canonical copy of u: every filter in Filters.
func (u *Unsubscribe) Clone() *Unsubscribe {
	d := Unsubscribe{PacketID: u.PacketID, Props: u.Props.Clone()}
	if n := u.Len(); n > 0 {
		d.Filters = make([][]byte, 0, n)
		it := u.Iter()
		for f, ok := it.Next(); ok; f, ok = it.Next() {
			d.Filters = append(d.Filters, cloneBytes(f))
		}
	}
	return &d
}

func cloneCodes(rc []ReasonCode) []ReasonCode {
	if len(rc) == 0 {
		return nil
	}
	return append([]ReasonCode(nil), rc...)
}

// Clone returns a canonical copy of s.
func (s *Suback) Clone() *Suback {
	return &Suback{PacketID: s.PacketID, Props: s.Props.Clone(), ReasonCodes: cloneCodes(s.ReasonCodes)}
}

// Clone returns a canonical copy of u.
func (u *Unsuback) Clone() *Unsuback {
	return &Unsuback{PacketID: u.PacketID, Props: u.Props.Clone(), ReasonCodes: cloneCodes(u.ReasonCodes)}
}

// Clone returns a canonical copy of d.
func (d *Disconnect) Clone() *Disconnect {
	return &Disconnect{ReasonCode: d.ReasonCode, Props: d.Props.Clone()}
}

// Clone returns a canonical copy of a.
func (a *Auth) Clone() *Auth { return &Auth{ReasonCode: a.ReasonCode, Props: a.Props.Clone()} }

// Clone returns p.
func (p *Pingreq) Clone() *Pingreq { return &Pingreq{} }

// Clone returns p.
func (p *Pingresp) Clone() *Pingresp { return &Pingresp{} }

// ClonePacket returns the canonical copy of any packet (see Clone).
func ClonePacket(p Packet) Packet {
	switch p := p.(type) {
	case *Connect:
		return p.Clone()
	case *Connack:
		return p.Clone()
	case *Publish:
		return p.Clone()
	case *Ack:
		return p.Clone()
	case *Subscribe:
		return p.Clone()
	case *Suback:
		return p.Clone()
	case *Unsubscribe:
		return p.Clone()
	case *Unsuback:
		return p.Clone()
	case *Pingreq:
		return p.Clone()
	case *Pingresp:
		return p.Clone()
	case *Disconnect:
		return p.Clone()
	case *Auth:
		return p.Clone()
	}
	return p
}
