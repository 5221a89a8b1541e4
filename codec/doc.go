// Package codec decodes and encodes MQTT 3.1, 3.1.1 and 5.0 control packets.
//
// Decoding is zero-copy: ReadFrame splits one packet off a read buffer
// without consuming anything when the packet is incomplete (Frame.Read does
// the same into a Frame the read loop keeps, which is cheaper than a Frame
// returned by value), and each packet
// type's Decode fills a value whose []byte fields (and iterators) are views
// into the frame body. Those views stay valid only while the caller keeps the
// underlying buffer unchanged (for a gnet connection: until the matching
// Discard, inside the same callback). Clone copies a packet into memory it
// owns when it must outlive the buffer.
//
// Encoding appends to a caller-supplied slice and allocates nothing when the
// slice has room. PUBLISH can be encoded as a header without its payload, so
// the payload goes out by writev, and PublishHeader encodes the per-subscriber
// part of one message shared by many subscribers.
//
// Every violation of the specification found while decoding is returned as
// an error that unwraps to a ReasonCode: MalformedPacket or ProtocolError as
// the specification distinguishes them, or the CONNACK reason the server must
// answer with (UnsupportedProtocolVersion, ClientIdentifierNotValid).
// Bad input never panics.
//
// Decode checks each packet on its own. Rules that need the session or the
// direction are the receiver's: a second CONNECT [MQTT-3.1.0-2], a Topic
// Alias above the negotiated maximum [MQTT-3.3.2-9], Subscription
// Identifiers in a PUBLISH from a client [MQTT-3.3.4-6], a payload that is
// not UTF-8 under Payload Format Indicator 1 (§3.3.2.3.2), a packet larger
// than the Maximum Packet Size the peer announced (ReadFrame takes the limit),
// wildcards and $share in SUBSCRIBE and UNSUBSCRIBE filters (ValidTopicFilter,
// so each filter can be refused on its own in SUBACK), and as many reason
// codes in SUBACK and UNSUBACK as filters were sent.
package codec
