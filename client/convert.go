package client

import (
	"encoding/binary"

	"github.com/midge-mqtt/midge/codec"
)

// toCodec returns the properties in the codec's form; the byte slices
// alias p's strings only through conversion copies, so p may change
// afterwards.
func (p *PublishProperties) toCodec() codec.Properties {
	var cp codec.Properties
	if p.PayloadFormat != nil {
		cp.PayloadFormat = *p.PayloadFormat
		cp.Set(codec.PropPayloadFormat)
	}
	if p.MessageExpiry != nil {
		cp.MessageExpiry = *p.MessageExpiry
		cp.Set(codec.PropMessageExpiry)
	}
	if p.ContentType != "" {
		cp.ContentType = []byte(p.ContentType)
	}
	if p.ResponseTopic != "" {
		cp.ResponseTopic = []byte(p.ResponseTopic)
	}
	if p.CorrelationData != nil {
		cp.CorrelationData = p.CorrelationData
		cp.Set(codec.PropCorrelationData)
	}
	cp.TopicAlias = p.TopicAlias
	cp.User = userToCodec(p.UserProperties)
	return cp
}

func userToCodec(u []UserProperty) []codec.UserProperty {
	if len(u) == 0 {
		return nil
	}
	out := make([]codec.UserProperty, len(u))
	for i, kv := range u {
		out[i] = codec.UserProperty{Key: []byte(kv.Key), Value: []byte(kv.Value)}
	}
	return out
}

// userFromCodec copies the user properties out of a decoded packet.
func userFromCodec(p *codec.Properties) []UserProperty {
	n := p.UserCount()
	if n == 0 {
		return nil
	}
	out := make([]UserProperty, 0, n)
	it := p.UserProperties()
	for k, v, ok := it.Next(); ok; k, v, ok = it.Next() {
		out = append(out, UserProperty{Key: string(k), Value: string(v)})
	}
	return out
}

// publishPropsFromCodec copies the properties of a decoded PUBLISH; body
// is the packet body, scanned once more for the order the properties came
// in.
func publishPropsFromCodec(pub *codec.Publish, body []byte) PublishProperties {
	cp := &pub.Props
	var p PublishProperties
	if cp.Has(codec.PropPayloadFormat) {
		v := cp.PayloadFormat
		p.PayloadFormat = &v
	}
	if cp.Has(codec.PropMessageExpiry) {
		v := cp.MessageExpiry
		p.MessageExpiry = &v
	}
	p.ContentType = string(cp.ContentType)
	p.ResponseTopic = string(cp.ResponseTopic)
	if cp.Has(codec.PropCorrelationData) {
		p.CorrelationData = append([]byte{}, cp.CorrelationData...)
	}
	p.TopicAlias = cp.TopicAlias
	p.UserProperties = userFromCodec(cp)
	if n := cp.SubscriptionIDCount(); n > 0 {
		p.SubscriptionIDs = make([]uint32, 0, n)
		it := cp.SubscriptionIDIter()
		for id, ok := it.Next(); ok; id, ok = it.Next() {
			p.SubscriptionIDs = append(p.SubscriptionIDs, id)
		}
	}
	p.Order = propertyOrder(publishPropertyBlock(pub, body))
	return p
}

// publishPropertyBlock returns the property block of a decoded 5.0
// PUBLISH body (which the codec has already checked).
func publishPropertyBlock(pub *codec.Publish, body []byte) []byte {
	off := 2 + len(pub.Topic)
	if pub.QoS > 0 {
		off += 2
	}
	n, w := readVarint(body[off:])
	if w == 0 || off+w+n > len(body) {
		return nil
	}
	return body[off+w : off+w+n]
}

// propertyOrder lists the identifiers in a property block, in order.
func propertyOrder(block []byte) []byte {
	var ids []byte
	for len(block) > 0 {
		id, w := readVarint(block)
		if w == 0 {
			return ids
		}
		block = block[w:]
		ids = append(ids, byte(id))
		var size int
		switch codec.PropertyID(id).Type() {
		case codec.TypeByte:
			size = 1
		case codec.TypeUint16:
			size = 2
		case codec.TypeUint32:
			size = 4
		case codec.TypeVarint:
			_, size = readVarint(block)
		case codec.TypeString, codec.TypeBinary:
			size = 2 + lenPrefix(block)
		case codec.TypeStringPair:
			size = 2 + lenPrefix(block)
			if size <= len(block) {
				size += 2 + lenPrefix(block[size:])
			}
		}
		if size == 0 || size > len(block) {
			return ids
		}
		block = block[size:]
	}
	return ids
}

func lenPrefix(b []byte) int {
	if len(b) < 2 {
		return len(b) + 1 // past the end: stops the scan
	}
	return int(binary.BigEndian.Uint16(b))
}

// readVarint reads a Variable Byte Integer (§1.5.5); w is 0 when b holds
// no complete one.
func readVarint(b []byte) (v, w int) {
	for i := 0; i < 4 && i < len(b); i++ {
		v |= int(b[i]&0x7F) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}
