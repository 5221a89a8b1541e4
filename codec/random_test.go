package codec

import (
	"math/rand"
	"reflect"
	"testing"
)

// gen builds random valid packets for the property test
// decode(encode(p)) == p.
type gen struct{ r *rand.Rand }

func (g gen) bool() bool { return g.r.Intn(2) == 0 }

// str returns a valid UTF-8 string of 0..max bytes, sometimes multi-byte.
func (g gen) str(max int, alphabet string) []byte {
	runes := []rune(alphabet)
	n := g.r.Intn(max + 1)
	var b []byte
	for len(b) < n {
		b = append(b, string(runes[g.r.Intn(len(runes))])...)
	}
	if len(b) == 0 {
		return nil
	}
	return b
}

const (
	textRunes  = "abcxyz019 -_.é€𝄞/+#$"
	topicRunes = "abcxyz019-_.é€𝄞/$"
)

func (g gen) text() []byte { return g.str(12, textRunes) }
func (g gen) topic() []byte {
	for {
		if t := g.str(16, topicRunes); len(t) > 0 {
			return t
		}
	}
}
func (g gen) bin() []byte {
	n := g.r.Intn(10)
	if n == 0 {
		return nil
	}
	b := make([]byte, n)
	g.r.Read(b)
	return b
}

func (g gen) props(t PacketType) Properties {
	var p Properties
	for id := PropertyID(1); id < 64; id++ {
		if !PropertyAllowed(id, t) || g.bool() {
			continue
		}
		if propTable[id].typ == TypeByte {
			p.Set(id) // so that a 0 is sent too
		}
		switch id {
		case PropPayloadFormat:
			p.PayloadFormat = byte(g.r.Intn(2))
		case PropMessageExpiry:
			p.MessageExpiry = g.r.Uint32()
		case PropContentType:
			p.ContentType = g.text()
		case PropResponseTopic:
			p.ResponseTopic = g.topic()
		case PropCorrelationData:
			p.CorrelationData = g.bin()
		case PropSubscriptionID:
			n := 1
			if t == PUBLISH {
				n = g.r.Intn(4)
			}
			for i := 0; i < n; i++ {
				p.SubscriptionIDs = append(p.SubscriptionIDs, 1+uint32(g.r.Intn(MaxVarint)))
			}
		case PropSessionExpiry:
			p.SessionExpiry = g.r.Uint32()
		case PropAssignedClientID:
			p.AssignedClientID = g.text()
		case PropServerKeepAlive:
			p.ServerKeepAlive = uint16(g.r.Uint32())
		case PropAuthMethod:
			p.AuthMethod = g.text()
		case PropAuthData:
			p.AuthData = g.bin()
		case PropRequestProblemInfo:
			p.RequestProblemInfo = byte(g.r.Intn(2))
		case PropWillDelay:
			p.WillDelay = g.r.Uint32()
		case PropRequestResponseInfo:
			p.RequestResponseInfo = byte(g.r.Intn(2))
		case PropResponseInfo:
			p.ResponseInfo = g.text()
		case PropServerReference:
			p.ServerReference = g.text()
		case PropReasonString:
			p.ReasonString = g.text()
		case PropReceiveMaximum:
			p.ReceiveMaximum = 1 + uint16(g.r.Intn(65535))
		case PropTopicAliasMaximum:
			p.TopicAliasMaximum = uint16(g.r.Uint32())
		case PropTopicAlias:
			p.TopicAlias = 1 + uint16(g.r.Intn(65535))
		case PropMaximumQoS:
			p.MaximumQoS = byte(g.r.Intn(2))
		case PropRetainAvailable:
			p.RetainAvailable = byte(g.r.Intn(2))
		case PropUser:
			for i := g.r.Intn(4); i > 0; i-- {
				p.User = append(p.User, UserProperty{Key: g.text(), Value: g.text()})
			}
		case PropMaximumPacketSize:
			p.MaximumPacketSize = 1 + uint32(g.r.Int63n(1<<32-1))
		case PropWildcardSubAvailable:
			p.WildcardSubAvailable = byte(g.r.Intn(2))
		case PropSubIDAvailable:
			p.SubIDAvailable = byte(g.r.Intn(2))
		case PropSharedSubAvailable:
			p.SharedSubAvailable = byte(g.r.Intn(2))
		}
	}
	return p
}

// code picks a reason code valid in packet type t.
func (g gen) code(t PacketType) ReasonCode {
	for {
		if rc := ReasonCode(g.r.Intn(256)); rc.ValidFor(t) {
			return rc
		}
	}
}

func (g gen) packet(v Version) Packet {
	types := []PacketType{CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE,
		SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT}
	if v == V5 {
		types = append(types, AUTH)
	}
	t := types[g.r.Intn(len(types))]
	pid := func() uint16 { return 1 + uint16(g.r.Intn(65535)) }
	v5 := v == V5
	props := func(t PacketType) Properties {
		if v5 {
			return g.props(t)
		}
		return Properties{}
	}
	switch t {
	case CONNECT:
		c := &Connect{Version: v, CleanStart: g.bool(), KeepAlive: uint16(g.r.Uint32()), Props: props(CONNECT)}
		if len(c.Props.AuthData) > 0 && len(c.Props.AuthMethod) == 0 {
			c.Props.AuthMethod = []byte("m") // §3.1.2.11.10: data needs a method
		}
		c.ClientID = g.str(23, "abcdefghijklmnopqrstuvwxyz0123456789")
		if v == V31 && len(c.ClientID) == 0 {
			c.ClientID = []byte("c")
		}
		if v == V311 && len(c.ClientID) == 0 {
			c.CleanStart = true
		}
		if g.bool() {
			c.WillFlag = true
			c.Will = Will{QoS: byte(g.r.Intn(3)), Retain: g.bool(), Props: props(WillProperties), Topic: g.topic(), Payload: g.bin()}
		}
		c.UsernameFlag = g.bool()
		if c.UsernameFlag {
			c.Username = g.text()
		}
		c.PasswordFlag = g.bool() && (v5 || c.UsernameFlag)
		if c.PasswordFlag {
			c.Password = g.bin()
		}
		return c
	case CONNACK:
		c := &Connack{Props: props(CONNACK)}
		if v5 {
			c.ReasonCode = g.code(CONNACK)
		} else {
			c.ReasonCode, _ = ReasonCodeFor(ReturnCode(g.r.Intn(6)))
		}
		c.SessionPresent = c.ReasonCode == Success && v != V31 && g.bool()
		return c
	case PUBLISH:
		p := &Publish{QoS: byte(g.r.Intn(3)), Retain: g.bool(), Topic: g.topic(), Payload: g.bin(), Props: props(PUBLISH)}
		if p.QoS > 0 {
			p.PacketID = pid()
			p.Dup = g.bool()
		}
		if v5 && p.Props.TopicAlias != 0 && g.bool() {
			p.Topic = nil
		}
		return p
	case PUBACK, PUBREC, PUBREL, PUBCOMP:
		a := &Ack{Kind: t, PacketID: pid(), Props: props(t)}
		if v5 {
			a.ReasonCode = g.code(t)
		}
		return a
	case SUBSCRIBE:
		s := &Subscribe{PacketID: pid(), Props: props(SUBSCRIBE)}
		for i := 1 + g.r.Intn(4); i > 0; i-- {
			sub := Subscription{Filter: g.str(16, textRunes), QoS: byte(g.r.Intn(3))}
			if v5 {
				sub.NoLocal = g.bool() && !IsSharedFilter(sub.Filter)
				sub.RetainAsPublished = g.bool()
				sub.RetainHandling = byte(g.r.Intn(3))
			}
			s.Subscriptions = append(s.Subscriptions, sub)
		}
		return s
	case SUBACK:
		s := &Suback{PacketID: pid(), Props: props(SUBACK)}
		for i := 1 + g.r.Intn(4); i > 0; i-- {
			if v5 {
				s.ReasonCodes = append(s.ReasonCodes, g.code(SUBACK))
			} else {
				s.ReasonCodes = append(s.ReasonCodes, []ReasonCode{0, 1, 2, 0x80}[g.r.Intn(4)])
			}
		}
		return s
	case UNSUBSCRIBE:
		u := &Unsubscribe{PacketID: pid(), Props: props(UNSUBSCRIBE)}
		for i := 1 + g.r.Intn(4); i > 0; i-- {
			u.Filters = append(u.Filters, g.str(16, textRunes))
		}
		return u
	case UNSUBACK:
		u := &Unsuback{PacketID: pid(), Props: props(UNSUBACK)}
		if v5 {
			for i := 1 + g.r.Intn(4); i > 0; i-- {
				u.ReasonCodes = append(u.ReasonCodes, g.code(UNSUBACK))
			}
		}
		return u
	case PINGREQ:
		return &Pingreq{}
	case PINGRESP:
		return &Pingresp{}
	case DISCONNECT:
		d := &Disconnect{Props: props(DISCONNECT)}
		if v5 {
			d.ReasonCode = g.code(DISCONNECT)
		}
		return d
	}
	return &Auth{ReasonCode: g.code(AUTH), Props: g.props(AUTH)}
}

// TestRandomRoundTrip checks decode(encode(p)) == p, and that encoding the
// decoded view gives the same bytes, for random packets of every type, in
// every version, with every property the packet allows.
func TestRandomRoundTrip(t *testing.T) {
	g := gen{rand.New(rand.NewSource(1))}
	for i := 0; i < 20000; i++ {
		v := []Version{V31, V311, V5}[i%3]
		p := g.packet(v)
		raw := p.Append(nil, v)
		f, err := ReadFrame(raw, 0)
		if err != nil || f.Total != len(raw) {
			t.Fatalf("%v %v: ReadFrame %x: %v (total %d)", v, p.Type(), raw, err, f.Total)
		}
		q, err := DecodeFrame(v, f)
		if err != nil {
			t.Fatalf("%v %v: decode %x: %v\n%+v", v, p.Type(), raw, err, p)
		}
		if want, got := ClonePacket(p), ClonePacket(q); !reflect.DeepEqual(want, got) {
			t.Fatalf("%v %v: round trip\n%+v\n%+v", v, p.Type(), want, got)
		}
		if again := q.Append(nil, v); string(again) != string(raw) {
			t.Fatalf("%v %v: re-encode\n%x\n%x", v, p.Type(), raw, again)
		}
	}
}
