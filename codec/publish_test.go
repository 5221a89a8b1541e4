package codec

import (
	"bytes"
	"reflect"
	"testing"
)

// TestPublishHeaderPerSubscriber encodes one message once (shared
// properties) and then per subscriber, and checks each delivery decodes to
// the message with that subscriber's QoS, packet id, alias, expiry and
// subscription identifiers.
func TestPublishHeaderPerSubscriber(t *testing.T) {
	msg := Publish{QoS: 2, PacketID: 99, Retain: true, Topic: []byte("plant/7/temp"), Payload: []byte("21.5"),
		Props: Properties{PayloadFormat: 1, ContentType: []byte("text/plain"), CorrelationData: []byte{1, 2},
			ResponseTopic: []byte("re/7"), MessageExpiry: 100, TopicAlias: 4, SubscriptionIDs: []uint32{8},
			User: []UserProperty{{[]byte("site"), []byte("north")}}}}
	shared := msg.Props.AppendShared(nil)
	subs := []struct {
		v      Version
		h      PublishHeader
		expiry bool
	}{
		{V5, PublishHeader{QoS: 1, PacketID: 5, Topic: msg.Topic, TopicAlias: 2, SubscriptionIDs: []uint32{1, 70000}, MessageExpiry: 40, HasMessageExpiry: true}, true},
		{V5, PublishHeader{QoS: 0, Retain: true, TopicAlias: 2}, false},
		{V5, PublishHeader{QoS: 2, Dup: true, PacketID: 6, Topic: msg.Topic}, false},
		{V311, PublishHeader{QoS: 1, PacketID: 7, Topic: msg.Topic}, false},
		{V31, PublishHeader{QoS: 0, Topic: msg.Topic}, false},
	}
	for i, s := range subs {
		h := s.h
		h.Shared = shared
		h.PayloadLen = len(msg.Payload)
		pkt := append(h.Append(nil, s.v), msg.Payload...)
		f, err := ReadFrame(pkt, 0)
		if err != nil || f.Total != len(pkt) {
			t.Fatalf("%d: frame: %v", i, err)
		}
		var got Publish
		if err := got.Decode(s.v, f.Flags, f.Body); err != nil {
			t.Fatalf("%d: decode %x: %v", i, pkt, err)
		}
		want := Publish{Dup: h.Dup, QoS: h.QoS, Retain: h.Retain, PacketID: h.PacketID, Topic: h.Topic, Payload: msg.Payload}
		if s.v == V5 {
			want.Props = msg.Props.Clone()
			want.Props.TopicAlias = h.TopicAlias
			want.Props.SubscriptionIDs = h.SubscriptionIDs
			want.Props.MessageExpiry = h.MessageExpiry
			want.Props.Present = 0
		}
		if a, b := want.Clone(), got.Clone(); !reflect.DeepEqual(a, b) {
			t.Fatalf("%d: got\n%+v\nwant\n%+v", i, b, a)
		}
	}
}

// TestPublishAppendHeader checks that header + payload is the whole packet.
func TestPublishAppendHeader(t *testing.T) {
	p := Publish{QoS: 1, PacketID: 3, Topic: []byte("a"), Payload: bytes.Repeat([]byte("x"), 300),
		Props: Properties{User: []UserProperty{{[]byte("k"), []byte("v")}}}}
	for _, v := range []Version{V31, V311, V5} {
		whole := p.Append(nil, v)
		split := append(p.AppendHeader(nil, v), p.Payload...)
		if !bytes.Equal(whole, split) {
			t.Fatalf("%v: header+payload differs from the whole packet", v)
		}
	}
}

func TestMarkDup(t *testing.T) {
	p := Publish{QoS: 1, PacketID: 3, Topic: []byte("a")}
	pkt := p.Append(nil, V311)
	MarkDup(pkt)
	var q Publish
	f, _ := ReadFrame(pkt, 0)
	if err := q.Decode(V311, f.Flags, f.Body); err != nil || !q.Dup {
		t.Fatalf("after MarkDup: dup=%v err=%v", q.Dup, err)
	}
	p.QoS, p.PacketID = 0, 0
	pkt = p.Append(nil, V311)
	MarkDup(pkt) // [MQTT-3.3.1-2]: never on QoS 0
	if pkt[0]&0x08 != 0 {
		t.Fatal("MarkDup set DUP on a QoS 0 PUBLISH")
	}
}

// TestDecodeResetsPacket checks that decoding into a reused value leaves
// nothing of the previous packet.
func TestDecodeResetsPacket(t *testing.T) {
	var p Publish
	a := (&Publish{QoS: 1, PacketID: 1, Topic: []byte("a"), Props: Properties{ContentType: []byte("x"), User: []UserProperty{{[]byte("k"), nil}}}}).Append(nil, V5)
	b := (&Publish{Topic: []byte("b")}).Append(nil, V5)
	for _, raw := range [][]byte{a, b} {
		f, _ := ReadFrame(raw, 0)
		if err := p.Decode(V5, f.Flags, f.Body); err != nil {
			t.Fatal(err)
		}
	}
	if p.PacketID != 0 || p.Props.ContentType != nil || p.Props.UserCount() != 0 || string(p.Topic) != "b" {
		t.Fatalf("stale fields: %+v", p)
	}
}
