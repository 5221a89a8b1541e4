package codec

import (
	"bytes"
	"testing"
)

func TestSmokeRoundTrip(t *testing.T) {
	pkts := []struct {
		v Version
		p Packet
	}{
		{V311, &Connect{Version: V311, CleanStart: true, KeepAlive: 30, ClientID: []byte("c1"), WillFlag: true, Will: Will{QoS: 1, Topic: []byte("w/t"), Payload: []byte("bye")}, UsernameFlag: true, Username: []byte("u"), PasswordFlag: true, Password: []byte("p")}},
		{V5, &Connect{Version: V5, KeepAlive: 30, ClientID: []byte("c1"), Props: Properties{SessionExpiry: 60, User: []UserProperty{{[]byte("k"), []byte("v")}}}, WillFlag: true, Will: Will{QoS: 2, Retain: true, Props: Properties{WillDelay: 5, ContentType: []byte("text")}, Topic: []byte("w"), Payload: []byte("x")}}},
		{V31, &Connect{Version: V31, CleanStart: true, ClientID: []byte("old")}},
		{V5, &Connack{SessionPresent: true, ReasonCode: Success, Props: Properties{AssignedClientID: []byte("a"), Present: 1 << PropMaximumQoS}}},
		{V311, &Connack{ReasonCode: NotAuthorized}},
		{V5, &Publish{QoS: 1, PacketID: 7, Topic: []byte("a/b"), Payload: []byte("hello"), Props: Properties{TopicAlias: 3, SubscriptionIDs: []uint32{1, 300}}}},
		{V311, &Publish{QoS: 0, Retain: true, Topic: []byte("a/b"), Payload: []byte("hello")}},
		{V5, &Ack{Kind: PUBREL, PacketID: 9, ReasonCode: PacketIdentifierNotFound}},
		{V5, &Ack{Kind: PUBACK, PacketID: 9, ReasonCode: Success, Props: Properties{ReasonString: []byte("ok")}}},
		{V311, &Ack{Kind: PUBCOMP, PacketID: 9}},
		{V5, &Subscribe{PacketID: 2, Props: Properties{SubscriptionIDs: []uint32{5}}, Subscriptions: []Subscription{{Filter: []byte("a/+"), QoS: 1, NoLocal: true, RetainHandling: 2}, {Filter: []byte("#"), QoS: 2}}}},
		{V311, &Subscribe{PacketID: 2, Subscriptions: []Subscription{{Filter: []byte("a/+"), QoS: 1}}}},
		{V5, &Suback{PacketID: 2, ReasonCodes: []ReasonCode{GrantedQoS1, TopicFilterInvalid}}},
		{V5, &Unsubscribe{PacketID: 3, Filters: [][]byte{[]byte("a"), []byte("b/#")}}},
		{V5, &Unsuback{PacketID: 3, ReasonCodes: []ReasonCode{Success, NoSubscriptionExisted}}},
		{V311, &Unsuback{PacketID: 3}},
		{V5, &Pingreq{}},
		{V5, &Pingresp{}},
		{V5, &Disconnect{ReasonCode: ServerShuttingDown, Props: Properties{ReasonString: []byte("bye")}}},
		{V5, &Auth{ReasonCode: ContinueAuthentication, Props: Properties{AuthMethod: []byte("SCRAM"), AuthData: []byte{1, 2}}}},
	}
	for _, tc := range pkts {
		raw := tc.p.Append(nil, tc.v)
		f, err := ReadFrame(raw, 0)
		if err != nil {
			t.Fatalf("%v %v: ReadFrame: %v", tc.v, tc.p.Type(), err)
		}
		q, err := DecodeFrame(tc.v, f)
		if err != nil {
			t.Fatalf("%v %v: decode %x: %v", tc.v, tc.p.Type(), raw, err)
		}
		again := q.Append(nil, tc.v)
		if !bytes.Equal(raw, again) {
			t.Fatalf("%v %v: re-encode\n%x\n%x", tc.v, tc.p.Type(), raw, again)
		}
	}
}
