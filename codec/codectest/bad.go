package codectest

import "github.com/midge-mqtt/midge/codec"

// BadPacket is a packet that must be refused, and the reason code of the
// refusal: MalformedPacket or ProtocolError (close the connection, in 5.0
// after a DISCONNECT with that code), or the code a server answers CONNECT
// with.
type BadPacket struct {
	Name    string
	Version codec.Version // the session's version (CONNECT finds its own)
	Raw     []byte
	Code    codec.ReasonCode
	Rule    string // the clause broken
}

const (
	malformed = codec.MalformedPacket
	protocol  = codec.ProtocolError
)

// Bad is the table of invalid packets.
var Bad = []BadPacket{
	// Framing.
	{"frame/remaining-length-5-bytes", codec.V311, cat(0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F), malformed, "§1.5.5"},
	{"frame/reserved-type-0", codec.V311, cat(0x00, 0x00), malformed, "§2.1.2"},
	{"frame/auth-in-v311", codec.V311, cat(0xF0, 0x00), malformed, "3.1.1 §2.2.1"},

	// CONNECT.
	{"connect/flags", codec.V311, pkt(0x11, s("MQTT"), 0x04, 0x02, u16(0), s("c")), malformed, "MQTT-2.2.2-1"},
	{"connect/protocol-name", codec.V311, pkt(0x10, s("MQTS"), 0x04, 0x02, u16(0), s("c")), protocol, "MQTT-3.1.2-1"},
	{"connect/protocol-level-6", codec.V311, pkt(0x10, s("MQTT"), 0x06, 0x02, u16(0), s("c")), codec.UnsupportedProtocolVersion, "MQTT-3.1.2-2"},
	{"connect/mqisdp-level-4", codec.V311, pkt(0x10, s("MQIsdp"), 0x04, 0x02, u16(0), s("c")), codec.UnsupportedProtocolVersion, "MQTT-3.1.2-2"},
	{"connect/reserved-flag", codec.V311, pkt(0x10, s("MQTT"), 0x04, 0x03, u16(0), s("c")), malformed, "MQTT-3.1.2-3"},
	{"connect/will-qos-without-will", codec.V311, pkt(0x10, s("MQTT"), 0x04, 0x0A, u16(0), s("c")), malformed, "MQTT-3.1.2-13"},
	{"connect/will-qos-3", codec.V311, pkt(0x10, s("MQTT"), 0x04, 0x1E, u16(0), s("c"), s("w"), s("m")), malformed, "MQTT-3.1.2-14"},
	{"connect/will-retain-without-will", codec.V311, pkt(0x10, s("MQTT"), 0x04, 0x22, u16(0), s("c")), malformed, "MQTT-3.1.2-15"},
	{"connect/password-without-username", codec.V311, pkt(0x10, s("MQTT"), 0x04, 0x42, u16(0), s("c"), s("p")), malformed, "MQTT-3.1.2-22"},
	{"connect/empty-client-id-persistent", codec.V311, pkt(0x10, s("MQTT"), 0x04, 0x00, u16(0), s("")), codec.ClientIdentifierNotValid, "MQTT-3.1.3-8"},
	{"connect/v31-client-id-24-chars", codec.V31, pkt(0x10, s("MQIsdp"), 0x03, 0x02, u16(0), s("abcdefghijklmnopqrstuvwx")), codec.ClientIdentifierNotValid, "3.1 §3.1"},
	{"connect/v31-empty-client-id", codec.V31, pkt(0x10, s("MQIsdp"), 0x03, 0x02, u16(0), s("")), codec.ClientIdentifierNotValid, "3.1 §3.1"},
	{"connect/client-id-null", codec.V311, pkt(0x10, s("MQTT"), 0x04, 0x02, u16(0), s("a\x00b")), malformed, "MQTT-1.5.3-2"},
	{"connect/client-id-surrogate", codec.V311, pkt(0x10, s("MQTT"), 0x04, 0x02, u16(0), s("a\xED\xA0\x80")), malformed, "MQTT-1.5.3-1"},
	{"connect/client-id-ill-formed", codec.V5, pkt(0x10, s("MQTT"), 0x05, 0x02, u16(0), props(), s("\xC3\x28")), malformed, "MQTT-1.5.4-1"},
	{"connect/will-topic-wildcard", codec.V311, pkt(0x10, s("MQTT"), 0x04, 0x06, u16(0), s("c"), s("w/#"), s("m")), protocol, "MQTT-3.3.2-2"},
	{"connect/username-runs-past-end", codec.V311, pkt(0x10, s("MQTT"), 0x04, 0x82, u16(0), s("c"), u16(10), raw("ab")), malformed, "§1.5.4"},
	{"connect/trailing-bytes", codec.V311, pkt(0x10, s("MQTT"), 0x04, 0x02, u16(0), s("c"), 0x00), malformed, "§3.1.3"},
	{"connect/truncated", codec.V311, pkt(0x10, s("MQTT"), 0x04), malformed, "§3.1.2"},
	{"connect/v5-property-not-allowed", codec.V5, pkt(0x10, s("MQTT"), 0x05, 0x02, u16(0), props(0x23, u16(1)), s("c")), codec.MalformedPacket, "§2.2.2.2"},
	{"connect/v5-property-duplicate", codec.V5, pkt(0x10, s("MQTT"), 0x05, 0x02, u16(0), props(0x11, u32(1), 0x11, u32(2)), s("c")), protocol, "§3.1.2.11.2"},
	{"connect/v5-property-unknown", codec.V5, pkt(0x10, s("MQTT"), 0x05, 0x02, u16(0), props(0x05, 0x00), s("c")), malformed, "§2.2.2.2"},
	{"connect/v5-receive-maximum-0", codec.V5, pkt(0x10, s("MQTT"), 0x05, 0x02, u16(0), props(0x21, u16(0)), s("c")), protocol, "§3.1.2.11.3"},
	{"connect/v5-maximum-packet-size-0", codec.V5, pkt(0x10, s("MQTT"), 0x05, 0x02, u16(0), props(0x27, u32(0)), s("c")), protocol, "§3.1.2.11.4"},
	{"connect/v5-request-problem-info-2", codec.V5, pkt(0x10, s("MQTT"), 0x05, 0x02, u16(0), props(0x17, 0x02), s("c")), protocol, "§3.1.2.11.7"},
	{"connect/v5-property-length-past-end", codec.V5, pkt(0x10, s("MQTT"), 0x05, 0x02, u16(0), 0x20, s("c")), malformed, "§2.2.2.1"},
	{"connect/v5-will-property-not-allowed", codec.V5, pkt(0x10, s("MQTT"), 0x05, 0x06, u16(0), props(), s("c"), props(0x11, u32(1)), s("w"), s("m")), codec.MalformedPacket, "§2.2.2.2, §3.1.3.2"},
	{"connect/v5-auth-data-without-method", codec.V5, pkt(0x10, s("MQTT"), 0x05, 0x02, u16(0), props(0x16, s("x")), s("c")), protocol, "§3.1.2.11.10"},
	{"connect/v5-user-property-null", codec.V5, pkt(0x10, s("MQTT"), 0x05, 0x02, u16(0), props(0x26, s("k"), s("\x00")), s("c")), malformed, "MQTT-1.5.4-2"},

	// CONNACK.
	{"connack/reserved-ack-flags", codec.V311, cat(0x20, 0x02, 0x02, 0x00), malformed, "MQTT-3.2.2-1"},
	{"connack/session-present-with-refusal", codec.V311, cat(0x20, 0x02, 0x01, 0x05), protocol, "MQTT-3.2.2-4"},
	{"connack/v5-session-present-with-refusal", codec.V5, cat(0x20, 0x03, 0x01, 0x87, 0x00), protocol, "MQTT-3.2.2-6"},
	{"connack/return-code-6", codec.V311, cat(0x20, 0x02, 0x00, 0x06), malformed, "3.1.1 §3.2.2.3"},
	{"connack/v5-reason-not-for-connack", codec.V5, cat(0x20, 0x03, 0x00, 0x10, 0x00), protocol, "§3.2.2.2"},
	{"connack/v5-missing-property-length", codec.V5, cat(0x20, 0x02, 0x00, 0x00), malformed, "§3.2.2.3"},

	// PUBLISH.
	{"publish/qos3", codec.V311, pkt(0x36, s("a"), u16(1)), malformed, "MQTT-3.3.1-4"},
	{"publish/dup-qos0", codec.V311, pkt(0x38, s("a")), malformed, "MQTT-3.3.1-2"},
	{"publish/topic-plus", codec.V311, pkt(0x30, s("a/+")), protocol, "MQTT-3.3.2-2"},
	{"publish/topic-hash", codec.V5, pkt(0x30, s("#"), props()), protocol, "MQTT-3.3.2-2"},
	{"publish/topic-empty-v311", codec.V311, pkt(0x30, s("")), codec.TopicNameInvalid, "MQTT-4.7.3-1"},
	{"publish/topic-empty-v5-no-alias", codec.V5, pkt(0x30, s(""), props()), protocol, "§3.3.2.1"},
	{"publish/topic-alias-0", codec.V5, pkt(0x30, s("a"), props(0x23, u16(0))), codec.TopicAliasInvalid, "MQTT-3.3.2-8"},
	{"publish/packet-id-0", codec.V311, pkt(0x32, s("a"), u16(0)), protocol, "MQTT-2.3.1-1"},
	{"publish/topic-surrogate", codec.V311, pkt(0x30, s("a\xED\xBF\xBF")), malformed, "MQTT-1.5.3-1"},
	{"publish/topic-null", codec.V5, pkt(0x30, s("a\x00"), props()), malformed, "MQTT-1.5.4-2"},
	{"publish/topic-length-past-end", codec.V311, cat(0x30, 0x03, 0x00, 0x05, 'a'), malformed, "§3.3.2.1"},
	{"publish/v5-duplicate-topic-alias", codec.V5, pkt(0x30, s("a"), props(0x23, u16(1), 0x23, u16(2))), protocol, "§3.3.2.3.4"},
	{"publish/v5-payload-format-2", codec.V5, pkt(0x30, s("a"), props(0x01, 0x02)), protocol, "§3.3.2.3.2"},
	{"publish/v5-subscription-id-0", codec.V5, pkt(0x30, s("a"), props(0x0B, 0x00)), protocol, "§3.3.2.3.8"},
	{"publish/v5-response-topic-wildcard", codec.V5, pkt(0x30, s("a"), props(0x08, s("r/#"))), protocol, "MQTT-3.3.2-14"},
	{"publish/v5-session-expiry-not-allowed", codec.V5, pkt(0x30, s("a"), props(0x11, u32(1))), codec.MalformedPacket, "§2.2.2.2"},
	{"publish/v5-property-varint-5-bytes", codec.V5, pkt(0x30, s("a"), props(0x0B, 0x80, 0x80, 0x80, 0x80, 0x01)), malformed, "§1.5.5"},

	// PUBACK family.
	{"puback/flags", codec.V311, cat(0x41, 0x02, 0x00, 0x01), malformed, "MQTT-2.2.2-1"},
	{"pubrel/flags-0", codec.V311, cat(0x60, 0x02, 0x00, 0x01), malformed, "MQTT-3.6.1-1"},
	{"puback/v311-length-3", codec.V311, cat(0x40, 0x03, 0x00, 0x01, 0x00), malformed, "3.1.1 §3.4.1"},
	{"puback/truncated", codec.V5, cat(0x40, 0x01, 0x00), malformed, "§3.4.2"},
	{"puback/v5-reason-not-for-puback", codec.V5, cat(0x40, 0x03, 0x00, 0x01, 0x92), protocol, "§3.4.2.1"},
	{"pubrel/v5-reason-not-for-pubrel", codec.V5, cat(0x62, 0x03, 0x00, 0x01, 0x10), protocol, "§3.6.2.1"},

	// SUBSCRIBE.
	{"subscribe/flags", codec.V311, pkt(0x80, u16(1), s("a"), 0x00), malformed, "MQTT-3.8.1-1"},
	{"subscribe/packet-id-0", codec.V311, pkt(0x82, u16(0), s("a"), 0x00), protocol, "MQTT-2.3.1-1"},
	{"subscribe/no-filters", codec.V311, pkt(0x82, u16(1)), protocol, "MQTT-3.8.3-3"},
	{"subscribe/v5-no-filters", codec.V5, pkt(0x82, u16(1), props()), protocol, "MQTT-3.8.3-2"},
	{"subscribe/qos3", codec.V311, pkt(0x82, u16(1), s("a"), 0x03), malformed, "MQTT-3-8.3-4"},
	{"subscribe/v311-reserved-option-bits", codec.V311, pkt(0x82, u16(1), s("a"), 0x04), malformed, "MQTT-3-8.3-4"},
	{"subscribe/v5-reserved-option-bits", codec.V5, pkt(0x82, u16(1), props(), s("a"), 0x40), malformed, "MQTT-3.8.3-5"},
	{"subscribe/v5-retain-handling-3", codec.V5, pkt(0x82, u16(1), props(), s("a"), 0x30), protocol, "§3.8.3.1"},
	{"subscribe/v5-no-local-shared", codec.V5, pkt(0x82, u16(1), props(), s("$share/g/a"), 0x04), protocol, "MQTT-3.8.3-4"},
	{"subscribe/v5-two-subscription-ids", codec.V5, pkt(0x82, u16(1), props(0x0B, 0x01, 0x0B, 0x02), s("a"), 0x00), protocol, "§3.8.2.1.2"},
	{"subscribe/missing-options", codec.V311, pkt(0x82, u16(1), s("a")), malformed, "§3.8.3"},
	{"subscribe/filter-ill-formed", codec.V311, pkt(0x82, u16(1), s("\xFF"), 0x00), malformed, "MQTT-1.5.3-1"},

	// SUBACK, UNSUBSCRIBE, UNSUBACK.
	{"suback/v311-return-code-3", codec.V311, cat(0x90, 0x03, 0x00, 0x01, 0x03), protocol, "MQTT-3.9.3-2"},
	{"suback/no-codes", codec.V311, cat(0x90, 0x02, 0x00, 0x01), protocol, "§3.9.3"},
	{"suback/v5-reason-not-for-suback", codec.V5, cat(0x90, 0x04, 0x00, 0x01, 0x00, 0x11), protocol, "§3.9.3"},
	{"unsubscribe/flags", codec.V311, pkt(0xA0, u16(1), s("a")), malformed, "MQTT-3.10.1-1"},
	{"unsubscribe/no-filters", codec.V311, pkt(0xA2, u16(1)), protocol, "MQTT-3.10.3-2"},
	{"unsubscribe/packet-id-0", codec.V5, pkt(0xA2, u16(0), props(), s("a")), protocol, "MQTT-2.2.1-3"},
	{"unsuback/v311-length-3", codec.V311, cat(0xB0, 0x03, 0x00, 0x01, 0x00), malformed, "3.1.1 §3.11.1"},
	{"unsuback/v5-reason-not-for-unsuback", codec.V5, cat(0xB0, 0x04, 0x00, 0x01, 0x00, 0x01), protocol, "§3.11.3"},

	// PINGREQ, PINGRESP, DISCONNECT, AUTH.
	{"pingreq/flags", codec.V311, cat(0xC1, 0x00), malformed, "MQTT-2.2.2-1"},
	{"pingreq/body", codec.V311, cat(0xC0, 0x01, 0x00), malformed, "§3.12"},
	{"pingresp/body", codec.V5, cat(0xD0, 0x01, 0x00), malformed, "§3.13"},
	{"disconnect/v311-body", codec.V311, cat(0xE0, 0x01, 0x00), malformed, "3.1.1 §3.14"},
	{"disconnect/flags", codec.V5, cat(0xE2, 0x00), malformed, "MQTT-2.1.3-1"},
	{"disconnect/v5-reason-not-for-disconnect", codec.V5, cat(0xE0, 0x01, 0x01), protocol, "§3.14.2.1"},
	{"disconnect/v5-property-not-allowed", codec.V5, cat(0xE0, 0x04, 0x00, 0x02, 0x23, 0x00), codec.MalformedPacket, "§2.2.2.2, §3.14.2.2"},
	{"auth/v5-reason-not-for-auth", codec.V5, cat(0xF0, 0x02, 0x87, 0x00), protocol, "§3.15.2.1"},
	{"auth/v5-trailing", codec.V5, cat(0xF0, 0x04, 0x18, 0x00, 0x00, 0x00), malformed, "§3.15.2"},
}
