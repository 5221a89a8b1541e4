package client

import (
	"slices"
	"strings"
)

// UserProperty is one MQTT 5 user property (a name/value pair; names may
// repeat).
type UserProperty struct {
	Key, Value string
}

// PublishProperties are the MQTT 5 properties a PUBLISH can carry. The zero
// value means "none present". Optional integers are pointers so that an
// absent property differs from a zero one.
type PublishProperties struct {
	PayloadFormat   *byte
	MessageExpiry   *uint32
	TopicAlias      uint16 // 0: absent
	ResponseTopic   string
	CorrelationData []byte
	ContentType     string
	UserProperties  []UserProperty
	// SubscriptionIDs is filled on received messages only.
	SubscriptionIDs []uint32
	// Order lists the property identifiers of a received message in the
	// order they arrived (MQTT 5 §2.2.2.2 numbering; repeats included), so
	// that tools can print them as sent. Not used when encoding.
	Order []byte
}

// Empty reports whether no property is set.
func (p *PublishProperties) Empty() bool {
	return p.PayloadFormat == nil && p.MessageExpiry == nil && p.TopicAlias == 0 &&
		p.ResponseTopic == "" && p.CorrelationData == nil && p.ContentType == "" &&
		len(p.UserProperties) == 0 && len(p.SubscriptionIDs) == 0
}

// Message is an application message, sent or received. A received Message
// owns its memory: Topic, Payload and the properties are copies and stay
// valid after the receive callback returns, unless the client lends its
// messages (Options.BorrowMessages).
type Message struct {
	Topic     string
	Payload   []byte
	QoS       byte
	Retain    bool
	Duplicate bool
	// PacketID is the packet identifier the message arrived with (0 for
	// QoS 0).
	PacketID   uint16
	Properties PublishProperties
}

// Clone returns a deep copy of m that shares no memory with it: what a
// handler keeps of a lent message (Options.BorrowMessages).
func (m *Message) Clone() *Message {
	c := *m
	c.Topic = strings.Clone(m.Topic)
	c.Payload = slices.Clone(m.Payload)
	p := &c.Properties
	if v := p.PayloadFormat; v != nil {
		x := *v
		p.PayloadFormat = &x
	}
	if v := p.MessageExpiry; v != nil {
		x := *v
		p.MessageExpiry = &x
	}
	p.ResponseTopic = strings.Clone(p.ResponseTopic)
	p.ContentType = strings.Clone(p.ContentType)
	p.CorrelationData = slices.Clone(p.CorrelationData)
	p.UserProperties = slices.Clone(p.UserProperties)
	for i := range p.UserProperties {
		u := &p.UserProperties[i]
		u.Key, u.Value = strings.Clone(u.Key), strings.Clone(u.Value)
	}
	p.SubscriptionIDs = slices.Clone(p.SubscriptionIDs)
	p.Order = slices.Clone(p.Order)
	return &c
}
