package client

import (
	"fmt"
	"unsafe"

	"github.com/midge-mqtt/midge/codec"
)

// ConnAck is the server's answer to CONNECT.
type ConnAck struct {
	SessionPresent bool
	// ReasonCode is the 3.x return code or the 5.0 reason code; 0 is
	// success.
	ReasonCode byte
	// MQTT 5 properties.
	SessionExpiry    *uint32
	ReceiveMaximum   uint16
	MaximumQoS       *byte
	RetainAvailable  *byte
	MaxPacketSize    uint32
	AssignedClientID string
	ReasonString     string
	ServerKeepAlive  *uint16
	ResponseInfo     string
	ServerReference  string
	UserProperties   []UserProperty
}

// ConnectError is a CONNACK that refused the connection.
type ConnectError struct {
	Version      byte
	Code         byte
	ReasonString string
}

// Error returns the text mosquitto's clients print for the code.
func (e *ConnectError) Error() string {
	if e.Version == V5 {
		return ReasonString(e.Code)
	}
	return ConnackString(e.Code)
}

// ConnackString describes an MQTT 3.x CONNACK return code (§3.2.2.3 of
// 3.1.1).
func ConnackString(code byte) string {
	switch code {
	case 0:
		return "Connection Accepted."
	case 1:
		return "Connection Refused: unacceptable protocol version."
	case 2:
		return "Connection Refused: identifier rejected."
	case 3:
		return "Connection Refused: broker unavailable."
	case 4:
		return "Connection Refused: bad user name or password."
	case 5:
		return "Connection Refused: not authorised."
	}
	return "Connection Refused: unknown reason."
}

var reasonStrings = map[byte]string{
	0x00: "Success", 0x01: "Granted QoS 1", 0x02: "Granted QoS 2", 0x04: "Disconnect with Will Message",
	0x10: "No matching subscribers", 0x11: "No subscription existed", 0x18: "Continue authentication",
	0x19: "Re-authenticate", 0x80: "Unspecified error", 0x81: "Malformed Packet", 0x82: "Protocol Error",
	0x83: "Implementation specific error", 0x84: "Unsupported Protocol Version",
	0x85: "Client Identifier not valid", 0x86: "Bad User Name or Password", 0x87: "Not authorized",
	0x88: "Server unavailable", 0x89: "Server busy", 0x8A: "Banned", 0x8B: "Server shutting down",
	0x8C: "Bad authentication method", 0x8D: "Keep Alive timeout", 0x8E: "Session taken over",
	0x8F: "Topic Filter invalid", 0x90: "Topic Name invalid", 0x91: "Packet Identifier in use",
	0x92: "Packet Identifier not found", 0x93: "Receive Maximum exceeded", 0x94: "Topic Alias invalid",
	0x95: "Packet too large", 0x96: "Message rate too high", 0x97: "Quota exceeded",
	0x98: "Administrative action", 0x99: "Payload format invalid", 0x9A: "Retain not supported",
	0x9B: "QoS not supported", 0x9C: "Use another server", 0x9D: "Server moved",
	0x9E: "Shared Subscriptions not supported", 0x9F: "Connection rate exceeded",
	0xA0: "Maximum connect time", 0xA1: "Subscription identifiers not supported",
	0xA2: "Wildcard Subscriptions not supported",
}

// ReasonString is the specification's name of an MQTT 5 reason code
// (§2.4).
func ReasonString(code byte) string {
	if s, ok := reasonStrings[code]; ok {
		return s
	}
	return fmt.Sprintf("Unknown reason 0x%02X", code)
}

// Disconnect is a DISCONNECT packet (the reason and properties are MQTT 5).
type Disconnect struct {
	ReasonCode      byte
	SessionExpiry   *uint32
	ReasonString    string
	ServerReference string
	UserProperties  []UserProperty
}

// DisconnectError is how a connection ends when the server sent
// DISCONNECT.
type DisconnectError struct{ Disconnect Disconnect }

// Error names the server's reason.
func (e *DisconnectError) Error() string {
	return "client: server sent DISCONNECT: " + ReasonString(e.Disconnect.ReasonCode)
}

// connectPacket builds the CONNECT for the options (§3.1).
func (c *Client) connectPacket() *codec.Connect {
	o := &c.opts
	p := &codec.Connect{
		Version:    codec.Version(c.version),
		CleanStart: o.CleanStart,
		KeepAlive:  o.keepAlive(),
		ClientID:   []byte(o.ClientID), // [MQTT-3.1.3-3]
	}
	if o.Username != nil {
		p.UsernameFlag = true
		p.Username = []byte(*o.Username)
	}
	if o.Password != nil {
		p.PasswordFlag = true
		p.Password = o.Password
	}
	if w := o.Will; w != nil {
		p.WillFlag = true
		p.Will = codec.Will{QoS: w.QoS, Retain: w.Retain, Topic: []byte(w.Topic), Payload: w.Payload,
			Props: w.Properties.toCodec()}
		if w.Payload == nil {
			p.Will.Payload = []byte{}
		}
		p.Will.Props.WillDelay = w.Delay
	}
	if c.version == V5 {
		pp := &p.Props
		if o.SessionExpiry != nil {
			pp.SessionExpiry = *o.SessionExpiry
			pp.Set(codec.PropSessionExpiry)
		}
		pp.ReceiveMaximum = o.ReceiveMaximum
		pp.MaximumPacketSize = o.MaximumPacketSize
		pp.TopicAliasMaximum = o.TopicAliasMaximum
		if o.RequestResponseInfo {
			pp.RequestResponseInfo = 1
		}
		if o.RequestProblemInfo != nil {
			pp.RequestProblemInfo = byte(b2i(*o.RequestProblemInfo))
			pp.Set(codec.PropRequestProblemInfo)
		}
		pp.User = userToCodec(o.UserProperties)
		if o.AuthMethod != "" {
			pp.AuthMethod = []byte(o.AuthMethod)
			pp.AuthData = o.AuthData
		}
	}
	return p
}

// connAckFrom copies a decoded CONNACK. In 3.x ReasonCode is the return
// code as sent (0-5), not its 5.0 translation.
func connAckFrom(v byte, p *codec.Connack) *ConnAck {
	ack := &ConnAck{SessionPresent: p.SessionPresent, ReasonCode: byte(p.ReasonCode)}
	if v != V5 {
		ack.ReasonCode = byte(codec.ReturnCodeFor(p.ReasonCode))
		return ack
	}
	cp := &p.Props
	if cp.Has(codec.PropSessionExpiry) {
		x := cp.SessionExpiry
		ack.SessionExpiry = &x
	}
	if cp.Has(codec.PropReceiveMaximum) {
		ack.ReceiveMaximum = cp.ReceiveMaximum
	}
	if cp.Has(codec.PropMaximumQoS) {
		x := cp.MaximumQoS
		ack.MaximumQoS = &x
	}
	if cp.Has(codec.PropRetainAvailable) {
		x := cp.RetainAvailable
		ack.RetainAvailable = &x
	}
	ack.MaxPacketSize = cp.MaximumPacketSize
	ack.AssignedClientID = string(cp.AssignedClientID)
	ack.ReasonString = string(cp.ReasonString)
	if cp.Has(codec.PropServerKeepAlive) {
		x := cp.ServerKeepAlive
		ack.ServerKeepAlive = &x
	}
	ack.ResponseInfo = string(cp.ResponseInfo)
	ack.ServerReference = string(cp.ServerReference)
	ack.UserProperties = userFromCodec(cp)
	return ack
}

// messageFrom copies a decoded PUBLISH into a Message that owns its memory.
// lentMessage fills m from p without copying: its Topic and Payload
// alias the packet, so m is valid only while the packet's bytes are
// (Options.BorrowMessages).
func lentMessage(m *Message, v byte, p *codec.Publish, body []byte) *Message {
	*m = Message{QoS: p.QoS, Retain: p.Retain, Duplicate: p.Dup, PacketID: p.PacketID, Payload: p.Payload}
	if len(p.Topic) > 0 {
		m.Topic = unsafe.String(&p.Topic[0], len(p.Topic))
	}
	if v == V5 {
		m.Properties = publishPropsFromCodec(p, body)
	}
	return m
}

func messageFrom(v byte, p *codec.Publish, body []byte) *Message {
	m := &Message{Topic: string(p.Topic), QoS: p.QoS, Retain: p.Retain, Duplicate: p.Dup, PacketID: p.PacketID}
	if len(p.Payload) > 0 {
		m.Payload = append([]byte(nil), p.Payload...)
	}
	if v == V5 {
		m.Properties = publishPropsFromCodec(p, body)
	}
	return m
}

func (d *Disconnect) toCodec() *codec.Disconnect {
	p := &codec.Disconnect{}
	if d == nil {
		return p
	}
	p.ReasonCode = codec.ReasonCode(d.ReasonCode)
	if d.SessionExpiry != nil {
		p.Props.SessionExpiry = *d.SessionExpiry
		p.Props.Set(codec.PropSessionExpiry)
	}
	p.Props.ReasonString = []byte(d.ReasonString)
	p.Props.ServerReference = []byte(d.ServerReference)
	p.Props.User = userToCodec(d.UserProperties)
	return p
}

func disconnectFrom(p *codec.Disconnect) *Disconnect {
	d := &Disconnect{ReasonCode: byte(p.ReasonCode), ReasonString: string(p.Props.ReasonString),
		ServerReference: string(p.Props.ServerReference), UserProperties: userFromCodec(&p.Props)}
	if p.Props.Has(codec.PropSessionExpiry) {
		x := p.Props.SessionExpiry
		d.SessionExpiry = &x
	}
	return d
}
