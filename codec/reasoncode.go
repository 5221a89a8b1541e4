package codec

import "strconv"

// ReasonCode is an MQTT 5.0 reason code (§2.4). A ReasonCode is an error, so
// decoders and the broker can return one without allocating; Success is still
// an error value, callers compare with nil before converting.
type ReasonCode byte

// MQTT 5.0 reason codes (§2.4, Table 2-6).
const (
	Success                             ReasonCode = 0x00 // also Normal disconnection, Granted QoS 0
	NormalDisconnection                 ReasonCode = 0x00
	GrantedQoS0                         ReasonCode = 0x00
	GrantedQoS1                         ReasonCode = 0x01
	GrantedQoS2                         ReasonCode = 0x02
	DisconnectWithWillMessage           ReasonCode = 0x04
	NoMatchingSubscribers               ReasonCode = 0x10
	NoSubscriptionExisted               ReasonCode = 0x11
	ContinueAuthentication              ReasonCode = 0x18
	ReAuthenticate                      ReasonCode = 0x19
	UnspecifiedError                    ReasonCode = 0x80
	MalformedPacket                     ReasonCode = 0x81
	ProtocolError                       ReasonCode = 0x82
	ImplementationSpecificError         ReasonCode = 0x83
	UnsupportedProtocolVersion          ReasonCode = 0x84
	ClientIdentifierNotValid            ReasonCode = 0x85
	BadUserNameOrPassword               ReasonCode = 0x86
	NotAuthorized                       ReasonCode = 0x87
	ServerUnavailable                   ReasonCode = 0x88
	ServerBusy                          ReasonCode = 0x89
	Banned                              ReasonCode = 0x8A
	ServerShuttingDown                  ReasonCode = 0x8B
	BadAuthenticationMethod             ReasonCode = 0x8C
	KeepAliveTimeout                    ReasonCode = 0x8D
	SessionTakenOver                    ReasonCode = 0x8E
	TopicFilterInvalid                  ReasonCode = 0x8F
	TopicNameInvalid                    ReasonCode = 0x90
	PacketIdentifierInUse               ReasonCode = 0x91
	PacketIdentifierNotFound            ReasonCode = 0x92
	ReceiveMaximumExceeded              ReasonCode = 0x93
	TopicAliasInvalid                   ReasonCode = 0x94
	PacketTooLarge                      ReasonCode = 0x95
	MessageRateTooHigh                  ReasonCode = 0x96
	QuotaExceeded                       ReasonCode = 0x97
	AdministrativeAction                ReasonCode = 0x98
	PayloadFormatInvalid                ReasonCode = 0x99
	RetainNotSupported                  ReasonCode = 0x9A
	QoSNotSupported                     ReasonCode = 0x9B
	UseAnotherServer                    ReasonCode = 0x9C
	ServerMoved                         ReasonCode = 0x9D
	SharedSubscriptionsNotSupported     ReasonCode = 0x9E
	ConnectionRateExceeded              ReasonCode = 0x9F
	MaximumConnectTime                  ReasonCode = 0xA0
	SubscriptionIdentifiersNotSupported ReasonCode = 0xA1
	WildcardSubscriptionsNotSupported   ReasonCode = 0xA2
)

var reasonNames = [256]string{
	0x00: "success",
	0x01: "granted QoS 1",
	0x02: "granted QoS 2",
	0x04: "disconnect with will message",
	0x10: "no matching subscribers",
	0x11: "no subscription existed",
	0x18: "continue authentication",
	0x19: "re-authenticate",
	0x80: "unspecified error",
	0x81: "malformed packet",
	0x82: "protocol error",
	0x83: "implementation specific error",
	0x84: "unsupported protocol version",
	0x85: "client identifier not valid",
	0x86: "bad user name or password",
	0x87: "not authorized",
	0x88: "server unavailable",
	0x89: "server busy",
	0x8A: "banned",
	0x8B: "server shutting down",
	0x8C: "bad authentication method",
	0x8D: "keep alive timeout",
	0x8E: "session taken over",
	0x8F: "topic filter invalid",
	0x90: "topic name invalid",
	0x91: "packet identifier in use",
	0x92: "packet identifier not found",
	0x93: "receive maximum exceeded",
	0x94: "topic alias invalid",
	0x95: "packet too large",
	0x96: "message rate too high",
	0x97: "quota exceeded",
	0x98: "administrative action",
	0x99: "payload format invalid",
	0x9A: "retain not supported",
	0x9B: "QoS not supported",
	0x9C: "use another server",
	0x9D: "server moved",
	0x9E: "shared subscriptions not supported",
	0x9F: "connection rate exceeded",
	0xA0: "maximum connect time",
	0xA1: "subscription identifiers not supported",
	0xA2: "wildcard subscriptions not supported",
}

// String returns the specification's name of the code in lower case.
func (r ReasonCode) String() string {
	if s := reasonNames[r]; s != "" {
		return s
	}
	return "reason code 0x" + strconv.FormatUint(uint64(r), 16)
}

// Error makes a ReasonCode an error without allocation.
func (r ReasonCode) Error() string { return r.String() }

// IsError reports whether r signals a failure (0x80 and above, §2.4).
func (r ReasonCode) IsError() bool { return r >= 0x80 }

// ReturnCode is an MQTT 3.1 / 3.1.1 CONNACK return code (§3.2.2.3 of 3.1.1).
type ReturnCode byte

// MQTT 3.1.1 CONNACK return codes.
const (
	ConnectionAccepted           ReturnCode = 0x00
	RefusedProtocolVersion       ReturnCode = 0x01
	RefusedIdentifierRejected    ReturnCode = 0x02
	RefusedServerUnavailable     ReturnCode = 0x03
	RefusedBadUserNameOrPassword ReturnCode = 0x04
	RefusedNotAuthorized         ReturnCode = 0x05
)

var returnNames = [...]string{
	"connection accepted",
	"connection refused: unacceptable protocol version",
	"connection refused: identifier rejected",
	"connection refused: server unavailable",
	"connection refused: bad user name or password",
	"connection refused: not authorized",
}

// String returns the specification's description of the code.
func (c ReturnCode) String() string {
	if int(c) < len(returnNames) {
		return returnNames[c]
	}
	return "return code 0x" + strconv.FormatUint(uint64(c), 16)
}

// Error makes a ReturnCode an error without allocation.
func (c ReturnCode) Error() string { return c.String() }

// ReturnCodeFor maps a 5.0 CONNACK reason code to the 3.1.1 return code a
// 3.1 or 3.1.1 client understands. Codes without an equivalent map to
// RefusedServerUnavailable.
func ReturnCodeFor(r ReasonCode) ReturnCode {
	switch r {
	case Success:
		return ConnectionAccepted
	case UnsupportedProtocolVersion:
		return RefusedProtocolVersion
	case ClientIdentifierNotValid:
		return RefusedIdentifierRejected
	case BadUserNameOrPassword:
		return RefusedBadUserNameOrPassword
	case NotAuthorized, Banned, BadAuthenticationMethod:
		return RefusedNotAuthorized
	}
	return RefusedServerUnavailable
}

// ReasonCodeFor maps a 3.1.1 return code to its 5.0 reason code; ok is false
// for the reserved values 6-255.
func ReasonCodeFor(c ReturnCode) (r ReasonCode, ok bool) {
	switch c {
	case ConnectionAccepted:
		return Success, true
	case RefusedProtocolVersion:
		return UnsupportedProtocolVersion, true
	case RefusedIdentifierRejected:
		return ClientIdentifierNotValid, true
	case RefusedServerUnavailable:
		return ServerUnavailable, true
	case RefusedBadUserNameOrPassword:
		return BadUserNameOrPassword, true
	case RefusedNotAuthorized:
		return NotAuthorized, true
	}
	return UnspecifiedError, false
}

// reasonAllowed[r] has bit 1<<t set when reason code r may be sent in
// packet type t (§2.4 Table 2-6, and the reason code lists of §3.2.2.2,
// §3.4.2.1, §3.5.2.1, §3.6.2.1, §3.7.2.1, §3.9.3, §3.11.3, §3.14.2.1,
// §3.15.2.1).
var reasonAllowed = func() (a [256]uint16) {
	add := func(t PacketType, codes ...ReasonCode) {
		for _, c := range codes {
			a[c] |= 1 << t
		}
	}
	add(CONNACK, 0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
		0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F)
	add(PUBACK, 0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99)
	add(PUBREC, 0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99)
	add(PUBREL, 0x00, 0x92)
	add(PUBCOMP, 0x00, 0x92)
	add(SUBACK, 0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2)
	add(UNSUBACK, 0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91)
	add(DISCONNECT, 0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E,
		0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D,
		0x9E, 0x9F, 0xA0, 0xA1, 0xA2)
	add(AUTH, 0x00, 0x18, 0x19)
	return a
}()

// ValidFor reports whether MQTT 5.0 allows reason code r in packet type t.
func (r ReasonCode) ValidFor(t PacketType) bool { return t < 16 && reasonAllowed[r]&(1<<t) != 0 }

var errReasonCode = protocolErr("reason code not defined for this packet (§2.4)")
