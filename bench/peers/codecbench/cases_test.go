package codecbench

import "github.com/midge-mqtt/midge/codec"

type crossCase struct {
	name string
	p    codec.Packet
	// Directions the other library cannot do, and why; the test asserts the
	// failure where it can, so a fixed library shows up.
	theyCannotEncode string
	theyCannotDecode string
}

func b(s string) []byte { return []byte(s) }

func users(kv ...string) []codec.UserProperty {
	var u []codec.UserProperty
	for i := 0; i+1 < len(kv); i += 2 {
		u = append(u, codec.UserProperty{Key: b(kv[i]), Value: b(kv[i+1])})
	}
	return u
}

// v5Cases are MQTT 5.0 packets with the properties each type allows (one
// subscription identifier: paho.golang keeps only one).
var v5Cases = []crossCase{
	{name: "connect/will-properties", p: &codec.Connect{Version: codec.V5, CleanStart: true, KeepAlive: 45, ClientID: b("dev-7"),
		Props: codec.Properties{SessionExpiry: 600, ReceiveMaximum: 10, MaximumPacketSize: 4096, TopicAliasMaximum: 5,
			RequestResponseInfo: 1, AuthMethod: b("PLAIN"), AuthData: b("\x00u\x00p"), User: users("a", "1", "a", "2")},
		WillFlag: true, Will: codec.Will{QoS: 1, Retain: true, Topic: b("dev/7/lwt"), Payload: b("bye"),
			Props: codec.Properties{WillDelay: 5, User: users("k", "v")}},
		UsernameFlag: true, Username: b("u"), PasswordFlag: true, Password: b("p")}},
	{name: "connect/will-publish-properties", p: &codec.Connect{Version: codec.V5, ClientID: b("dev-8"), WillFlag: true,
		Will: codec.Will{Topic: b("w"), Payload: b("m"), Props: codec.Properties{PayloadFormat: 1, MessageExpiry: 60,
			ContentType: b("text/plain"), ResponseTopic: b("r/7"), CorrelationData: b("c1")}}},
		theyCannotEncode: "paho.golang packs Will Properties as CONNECT properties and drops the PUBLISH-only ones"},
	{name: "connect/minimal", p: &codec.Connect{Version: codec.V5, KeepAlive: 0, ClientID: b("x")}},
	{name: "connack/properties", p: &codec.Connack{SessionPresent: true, Props: codec.Properties{
		Present:          1<<codec.PropMaximumQoS | 1<<codec.PropRetainAvailable,
		AssignedClientID: b("gen-1"), ServerKeepAlive: 20, ReceiveMaximum: 50, TopicAliasMaximum: 8,
		MaximumPacketSize: 1 << 16, SubIDAvailable: 1, SharedSubAvailable: 1, WildcardSubAvailable: 1,
		ResponseInfo: b("ri"), ReasonString: b("hi"), User: users("x", "y")}}},
	{name: "connack/refused", p: &codec.Connack{ReasonCode: codec.BadUserNameOrPassword, Props: codec.Properties{ReasonString: b("no")}}},
	{name: "publish/qos0", p: &codec.Publish{Topic: b("a/b"), Payload: b("hello")}},
	{name: "publish/qos1-properties", p: &codec.Publish{QoS: 1, PacketID: 17, Retain: true, Topic: b("s/1/t"), Payload: b("21.5"),
		Props: codec.Properties{PayloadFormat: 1, MessageExpiry: 30, ContentType: b("text/plain"), ResponseTopic: b("re/1"),
			CorrelationData: b("id-9"), TopicAlias: 3, SubscriptionIDs: []uint32{42}, User: users("u", "1", "v", "2")}}},
	{name: "publish/qos2-dup", p: &codec.Publish{QoS: 2, Dup: true, PacketID: 65535, Topic: b("q/2"), Payload: []byte{0, 1, 2}}},
	{name: "puback/success", p: &codec.Ack{Kind: codec.PUBACK, PacketID: 17}},
	{name: "puback/reason", p: &codec.Ack{Kind: codec.PUBACK, PacketID: 17, ReasonCode: codec.NotAuthorized, Props: codec.Properties{ReasonString: b("acl"), User: users("k", "v")}}},
	{name: "pubrec/reason", p: &codec.Ack{Kind: codec.PUBREC, PacketID: 18, ReasonCode: codec.NoMatchingSubscribers}},
	{name: "pubrel/not-found", p: &codec.Ack{Kind: codec.PUBREL, PacketID: 18, ReasonCode: codec.PacketIdentifierNotFound}},
	{name: "pubcomp", p: &codec.Ack{Kind: codec.PUBCOMP, PacketID: 18, Props: codec.Properties{ReasonString: b("done")}}},
	{name: "subscribe/options", p: &codec.Subscribe{PacketID: 3, Props: codec.Properties{SubscriptionIDs: []uint32{268435455}, User: users("k", "v")},
		Subscriptions: []codec.Subscription{{Filter: b("a/+"), QoS: 2, NoLocal: true, RetainAsPublished: true, RetainHandling: 2},
			{Filter: b("$share/g/b/#"), QoS: 1, RetainHandling: 1}, {Filter: b("#")}}}},
	{name: "suback", p: &codec.Suback{PacketID: 3, Props: codec.Properties{ReasonString: b("r")},
		ReasonCodes: []codec.ReasonCode{codec.GrantedQoS2, codec.GrantedQoS1, codec.NotAuthorized}}},
	{name: "unsubscribe", p: &codec.Unsubscribe{PacketID: 4, Props: codec.Properties{User: users("k", "v")}, Filters: [][]byte{b("a/+"), b("#")}}},
	{name: "unsuback", p: &codec.Unsuback{PacketID: 4, ReasonCodes: []codec.ReasonCode{codec.Success, codec.NoSubscriptionExisted}}},
	{name: "pingreq", p: &codec.Pingreq{}},
	{name: "pingresp", p: &codec.Pingresp{}},
	{name: "disconnect/properties", p: &codec.Disconnect{ReasonCode: codec.ServerMoved, Props: codec.Properties{
		SessionExpiry: 10, ServerReference: b("h2:1883"), ReasonString: b("move"), User: users("k", "v")}}},
	{name: "disconnect/normal", p: &codec.Disconnect{},
		theyCannotDecode: "paho.golang reads a reason code from a DISCONNECT of remaining length 0 (allowed by §3.14.2.1)"},
	{name: "auth/continue", p: &codec.Auth{ReasonCode: codec.ContinueAuthentication, Props: codec.Properties{
		AuthMethod: b("SCRAM-SHA-256"), AuthData: b("c=biws"), ReasonString: b("step")}}},
}

// v311Cases are MQTT 3.1.1 packets.
var v311Cases = []crossCase{
	{name: "connect/will-user-password", p: &codec.Connect{Version: codec.V311, CleanStart: true, KeepAlive: 30, ClientID: b("c-311"),
		WillFlag: true, Will: codec.Will{QoS: 2, Retain: true, Topic: b("w/t"), Payload: b("gone")},
		UsernameFlag: true, Username: b("user"), PasswordFlag: true, Password: b("pw")}},
	{name: "connect/minimal", p: &codec.Connect{Version: codec.V311, CleanStart: true, ClientID: b("m")}},
	{name: "connack/accepted", p: &codec.Connack{SessionPresent: true}},
	{name: "connack/not-authorized", p: &codec.Connack{ReasonCode: codec.NotAuthorized}},
	{name: "publish/qos0", p: &codec.Publish{Topic: b("a/b"), Payload: b("hello")}},
	{name: "publish/qos1-retain", p: &codec.Publish{QoS: 1, Retain: true, PacketID: 9, Topic: b("a/b"), Payload: b("x")}},
	{name: "publish/qos2-dup", p: &codec.Publish{QoS: 2, Dup: true, PacketID: 10, Topic: b("a/é"), Payload: b("y")}},
	{name: "puback", p: &codec.Ack{Kind: codec.PUBACK, PacketID: 9}},
	{name: "pubrec", p: &codec.Ack{Kind: codec.PUBREC, PacketID: 10}},
	{name: "pubrel", p: &codec.Ack{Kind: codec.PUBREL, PacketID: 10}},
	{name: "pubcomp", p: &codec.Ack{Kind: codec.PUBCOMP, PacketID: 10}},
	{name: "subscribe", p: &codec.Subscribe{PacketID: 11, Subscriptions: []codec.Subscription{{Filter: b("a/+"), QoS: 1}, {Filter: b("#"), QoS: 2}}}},
	{name: "suback", p: &codec.Suback{PacketID: 11, ReasonCodes: []codec.ReasonCode{codec.GrantedQoS1, codec.UnspecifiedError}}},
	{name: "unsubscribe", p: &codec.Unsubscribe{PacketID: 12, Filters: [][]byte{b("a/+"), b("#")}}},
	{name: "unsuback", p: &codec.Unsuback{PacketID: 12}},
	{name: "pingreq", p: &codec.Pingreq{}},
	{name: "pingresp", p: &codec.Pingresp{}},
	{name: "disconnect", p: &codec.Disconnect{}},
}
