// Package codec decodes and encodes MQTT 3.1, 3.1.1 and 5.0 control packets.
//
// Decoding is zero-copy: ReadFrame splits one packet off a read buffer
// without consuming anything when the packet is incomplete, and each packet
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
package codec
