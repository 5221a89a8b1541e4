package codec

import "errors"

// ErrNeedMore is returned by ReadFrame when buf holds only part of a packet.
// Nothing is consumed; call again once more bytes have arrived.
var ErrNeedMore = errors.New("codec: incomplete packet")

// Error is a decoding failure: the rule that was broken and the reason code
// it maps to. Every *Error the codec returns is a package-level value, so
// returning one allocates nothing. errors.Is(err, MalformedPacket) and
// errors.As(err, &rc) with rc a ReasonCode both work through Unwrap.
type Error struct {
	Code ReasonCode // MalformedPacket, ProtocolError, or the CONNACK reason to send
	Rule string     // what was wrong, with the specification clause
}

func (e *Error) Error() string { return "codec: " + e.Rule + " (" + e.Code.String() + ")" }

// Unwrap returns the reason code.
func (e *Error) Unwrap() error { return e.Code }

func malformed(rule string) *Error   { return &Error{Code: MalformedPacket, Rule: rule} }
func protocolErr(rule string) *Error { return &Error{Code: ProtocolError, Rule: rule} }

// ReasonOf returns the reason code carried by err: err itself when it is a
// ReasonCode, the Code of an *Error, Success for nil and UnspecifiedError for
// any other error.
func ReasonOf(err error) ReasonCode {
	if err == nil {
		return Success
	}
	var rc ReasonCode
	if errors.As(err, &rc) {
		return rc
	}
	return UnspecifiedError
}

// Shared decoding errors.
var (
	errShort           = malformed("packet ends inside a field")
	errTrailing        = malformed("bytes left after the last field")
	errVarintTooLong   = malformed("variable byte integer longer than 4 bytes (§1.5.5)")
	errUTF8            = malformed("ill-formed UTF-8 or a surrogate in a string [MQTT-1.5.4-1]")
	errUTF8Null        = malformed("U+0000 in a UTF-8 string [MQTT-1.5.4-2]")
	errReservedType    = malformed("reserved packet type 0 (§2.1.2)")
	errRemainingLength = malformed("remaining length longer than 4 bytes (§2.2.3)")
	errFlags           = malformed("reserved fixed header flags not as specified [MQTT-2.1.3-1] (3.1.1: [MQTT-2.2.2-1])")
	errV5Only          = malformed("packet type exists only in MQTT 5.0")
	errVersion         = malformed("unknown protocol version for this packet")
	errZeroPacketID    = protocolErr("packet identifier 0 [MQTT-2.3.1-1] [MQTT-2.2.1-3]")
)
