// Package codectest holds test vectors for the codec, shared by the codec's
// tests and by packages that test against real packets (the engine, the
// client): a table of named golden packets in every protocol version, and a
// table of invalid packets with the reason code each must be refused with.
package codectest

import "github.com/midge-mqtt/midge/codec"

// GoldenPacket is a valid packet as sent on the wire and the value it
// decodes to.
type GoldenPacket struct {
	Name    string
	Version codec.Version
	Raw     []byte       // the whole packet, fixed header included
	Packet  codec.Packet // the decoded value, compared through codec.ClonePacket
	// NotCanonical marks valid packets that the codec's encoder writes
	// differently (e.g. an optional zero property length); they decode to
	// Packet but do not re-encode to Raw.
	NotCanonical bool
}

// Golden is the table of valid packets: every packet type in each version.
var Golden = []GoldenPacket{
	// MQTT 3.1.1
	{Name: "v311/connect/minimal", Version: codec.V311,
		Raw:    cat(0x10, 0x0F, 0x00, 0x04, raw("MQTT"), 0x04, 0x02, 0x00, 0x3C, 0x00, 0x03, raw("abc")),
		Packet: &codec.Connect{Version: codec.V311, CleanStart: true, KeepAlive: 60, ClientID: bs("abc")}},
	{Name: "v311/connect/will-user-password", Version: codec.V311,
		Raw: pkt(0x10, s("MQTT"), 0x04, 0xEE, u16(30), s("client-1"), s("dev/1/status"), s("offline"), s("user"), s("pa\x00ss")),
		Packet: &codec.Connect{Version: codec.V311, CleanStart: true, KeepAlive: 30, ClientID: bs("client-1"),
			WillFlag: true, Will: codec.Will{QoS: 1, Retain: true, Topic: bs("dev/1/status"), Payload: bs("offline")},
			UsernameFlag: true, Username: bs("user"), PasswordFlag: true, Password: bs("pa\x00ss")}},
	{Name: "v311/connect/empty-client-id-clean", Version: codec.V311,
		Raw:    pkt(0x10, s("MQTT"), 0x04, 0x02, u16(0), s("")),
		Packet: &codec.Connect{Version: codec.V311, CleanStart: true}},
	{Name: "v311/connect/empty-username-flag", Version: codec.V311,
		Raw:    pkt(0x10, s("MQTT"), 0x04, 0x80, u16(10), s("c"), s("")),
		Packet: &codec.Connect{Version: codec.V311, KeepAlive: 10, ClientID: bs("c"), UsernameFlag: true}},
	{Name: "v311/connack/accepted-session-present", Version: codec.V311,
		Raw:    cat(0x20, 0x02, 0x01, 0x00),
		Packet: &codec.Connack{SessionPresent: true, ReasonCode: codec.Success}},
	{Name: "v311/connack/not-authorized", Version: codec.V311,
		Raw:    cat(0x20, 0x02, 0x00, 0x05),
		Packet: &codec.Connack{ReasonCode: codec.NotAuthorized}},
	{Name: "v311/connack/bad-version", Version: codec.V311,
		Raw:    cat(0x20, 0x02, 0x00, 0x01),
		Packet: &codec.Connack{ReasonCode: codec.UnsupportedProtocolVersion}},
	{Name: "v311/publish/qos0", Version: codec.V311,
		Raw:    cat(0x30, 0x0A, 0x00, 0x03, raw("a/b"), raw("hello")),
		Packet: &codec.Publish{Topic: bs("a/b"), Payload: bs("hello")}},
	{Name: "v311/publish/qos0-empty-payload-retain", Version: codec.V311,
		Raw:    pkt(0x31, s("sensors/t")),
		Packet: &codec.Publish{Retain: true, Topic: bs("sensors/t")}},
	{Name: "v311/publish/qos1-dup", Version: codec.V311,
		Raw:    pkt(0x3A, s("a/b"), u16(10), raw("x")),
		Packet: &codec.Publish{Dup: true, QoS: 1, PacketID: 10, Topic: bs("a/b"), Payload: bs("x")}},
	{Name: "v311/publish/qos2-utf8-topic", Version: codec.V311,
		Raw:    pkt(0x34, s("maison/cuisine/température"), u16(65535), raw("21.5")),
		Packet: &codec.Publish{QoS: 2, PacketID: 65535, Topic: bs("maison/cuisine/température"), Payload: bs("21.5")}},
	{Name: "v311/puback", Version: codec.V311, Raw: cat(0x40, 0x02, 0x00, 0x01),
		Packet: &codec.Ack{Kind: codec.PUBACK, PacketID: 1}},
	{Name: "v311/pubrec", Version: codec.V311, Raw: cat(0x50, 0x02, 0x01, 0x00),
		Packet: &codec.Ack{Kind: codec.PUBREC, PacketID: 256}},
	{Name: "v311/pubrel", Version: codec.V311, Raw: cat(0x62, 0x02, 0x01, 0x00),
		Packet: &codec.Ack{Kind: codec.PUBREL, PacketID: 256}},
	{Name: "v311/pubcomp", Version: codec.V311, Raw: cat(0x70, 0x02, 0x01, 0x00),
		Packet: &codec.Ack{Kind: codec.PUBCOMP, PacketID: 256}},
	{Name: "v311/subscribe/two-filters", Version: codec.V311,
		Raw: pkt(0x82, u16(7), s("a/+/c"), 0x01, s("#"), 0x02),
		Packet: &codec.Subscribe{PacketID: 7, Subscriptions: []codec.Subscription{
			{Filter: bs("a/+/c"), QoS: 1}, {Filter: bs("#"), QoS: 2}}}},
	{Name: "v311/suback", Version: codec.V311,
		Raw:    cat(0x90, 0x05, 0x00, 0x07, 0x01, 0x02, 0x80),
		Packet: &codec.Suback{PacketID: 7, ReasonCodes: []codec.ReasonCode{codec.GrantedQoS1, codec.GrantedQoS2, codec.UnspecifiedError}}},
	{Name: "v311/unsubscribe", Version: codec.V311,
		Raw:    pkt(0xA2, u16(8), s("a/+/c"), s("$share/g/x")),
		Packet: &codec.Unsubscribe{PacketID: 8, Filters: [][]byte{bs("a/+/c"), bs("$share/g/x")}}},
	{Name: "v311/unsuback", Version: codec.V311, Raw: cat(0xB0, 0x02, 0x00, 0x08),
		Packet: &codec.Unsuback{PacketID: 8}},
	{Name: "v311/pingreq", Version: codec.V311, Raw: cat(0xC0, 0x00), Packet: &codec.Pingreq{}},
	{Name: "v311/pingresp", Version: codec.V311, Raw: cat(0xD0, 0x00), Packet: &codec.Pingresp{}},
	{Name: "v311/disconnect", Version: codec.V311, Raw: cat(0xE0, 0x00), Packet: &codec.Disconnect{}},

	// MQTT 3.1
	{Name: "v31/connect", Version: codec.V31,
		Raw:    pkt(0x10, s("MQIsdp"), 0x03, 0x02, u16(60), s("mosq-12345")),
		Packet: &codec.Connect{Version: codec.V31, CleanStart: true, KeepAlive: 60, ClientID: bs("mosq-12345")}},
	{Name: "v31/connect/will-user", Version: codec.V31,
		Raw: pkt(0x10, s("MQIsdp"), 0x03, 0xD4, u16(5), s("c31"), s("w"), s("gone"), s("u"), s("p")),
		Packet: &codec.Connect{Version: codec.V31, KeepAlive: 5, ClientID: bs("c31"),
			WillFlag: true, Will: codec.Will{QoS: 2, Topic: bs("w"), Payload: bs("gone")},
			UsernameFlag: true, Username: bs("u"), PasswordFlag: true, Password: bs("p")}},
	{Name: "v31/connack", Version: codec.V31, Raw: cat(0x20, 0x02, 0x00, 0x02),
		Packet: &codec.Connack{ReasonCode: codec.ClientIdentifierNotValid}},
	{Name: "v31/publish/qos1", Version: codec.V31, Raw: pkt(0x32, s("t"), u16(1), raw("p")),
		Packet: &codec.Publish{QoS: 1, PacketID: 1, Topic: bs("t"), Payload: bs("p")}},
	{Name: "v31/subscribe", Version: codec.V31, Raw: pkt(0x82, u16(2), s("t/#"), 0x00),
		Packet: &codec.Subscribe{PacketID: 2, Subscriptions: []codec.Subscription{{Filter: bs("t/#")}}}},
	{Name: "v31/subscribe/dup", Version: codec.V31, Raw: pkt(0x8A, u16(2), s("t/#"), 0x00), NotCanonical: true,
		Packet: &codec.Subscribe{PacketID: 2, Subscriptions: []codec.Subscription{{Filter: bs("t/#")}}}},
	{Name: "v31/suback", Version: codec.V31, Raw: cat(0x90, 0x03, 0x00, 0x02, 0x00),
		Packet: &codec.Suback{PacketID: 2, ReasonCodes: []codec.ReasonCode{codec.GrantedQoS0}}},
	{Name: "v31/unsubscribe", Version: codec.V31, Raw: pkt(0xA2, u16(3), s("t/#")),
		Packet: &codec.Unsubscribe{PacketID: 3, Filters: [][]byte{bs("t/#")}}},
	{Name: "v31/unsuback", Version: codec.V31, Raw: cat(0xB0, 0x02, 0x00, 0x03), Packet: &codec.Unsuback{PacketID: 3}},
	{Name: "v31/puback", Version: codec.V31, Raw: cat(0x40, 0x02, 0x00, 0x01), Packet: &codec.Ack{Kind: codec.PUBACK, PacketID: 1}},
	{Name: "v31/pubrec", Version: codec.V31, Raw: cat(0x50, 0x02, 0x00, 0x03), Packet: &codec.Ack{Kind: codec.PUBREC, PacketID: 3}},
	{Name: "v31/pubcomp", Version: codec.V31, Raw: cat(0x70, 0x02, 0x00, 0x03), Packet: &codec.Ack{Kind: codec.PUBCOMP, PacketID: 3}},
	{Name: "v31/pubrel/dup", Version: codec.V31, Raw: cat(0x6A, 0x02, 0x00, 0x03), NotCanonical: true,
		Packet: &codec.Ack{Kind: codec.PUBREL, PacketID: 3}},
	{Name: "v31/pingresp", Version: codec.V31, Raw: cat(0xD0, 0x00), Packet: &codec.Pingresp{}},
	{Name: "v31/publish/qos0-dup", Version: codec.V31, Raw: pkt(0x38, s("t"), raw("p")),
		Packet: &codec.Publish{Dup: true, Topic: bs("t"), Payload: bs("p")}},
	{Name: "v31/pubrel", Version: codec.V31, Raw: cat(0x62, 0x02, 0x00, 0x03), Packet: &codec.Ack{Kind: codec.PUBREL, PacketID: 3}},
	{Name: "v31/pingreq", Version: codec.V31, Raw: cat(0xC0, 0x00), Packet: &codec.Pingreq{}},
	{Name: "v31/disconnect", Version: codec.V31, Raw: cat(0xE0, 0x00), Packet: &codec.Disconnect{}},
}
