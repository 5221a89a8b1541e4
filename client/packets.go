package client

import "fmt"

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

func (e *DisconnectError) Error() string {
	return "client: server sent DISCONNECT: " + ReasonString(e.Disconnect.ReasonCode)
}

// connectBody encodes the CONNECT variable header and payload (§3.1.2,
// §3.1.3).
func (c *Client) connectBody() []byte {
	o := &c.opts
	var b []byte
	if c.version == V31 {
		b = appendString(b, "MQIsdp")
	} else {
		b = appendString(b, "MQTT")
	}
	b = append(b, c.version)
	var flags byte
	if o.CleanStart {
		flags |= 0x02
	}
	if o.Will != nil {
		flags |= 0x04 | o.Will.QoS<<3 // [MQTT-3.1.2-9]
		if o.Will.Retain {
			flags |= 0x20
		}
	}
	if o.Password != nil {
		flags |= 0x40
	}
	if o.Username != nil {
		flags |= 0x80
	}
	b = append(b, flags)
	b = appendUint16(b, o.keepAlive())
	if c.version == V5 {
		var p propWriter
		if o.SessionExpiry != nil {
			p.u32(propSessionExpiry, *o.SessionExpiry)
		}
		if o.ReceiveMaximum != 0 {
			p.u16(propReceiveMaximum, o.ReceiveMaximum)
		}
		if o.MaximumPacketSize != 0 {
			p.u32(propMaximumPacketSize, o.MaximumPacketSize)
		}
		if o.TopicAliasMaximum != 0 {
			p.u16(propTopicAliasMaximum, o.TopicAliasMaximum)
		}
		if o.RequestResponseInfo {
			p.byte1(propRequestResponseInfo, 1)
		}
		if o.RequestProblemInfo != nil {
			p.byte1(propRequestProblemInfo, byte(b2i(*o.RequestProblemInfo)))
		}
		p.user(o.UserProperties)
		if o.AuthMethod != "" {
			p.str(propAuthMethod, o.AuthMethod)
			if o.AuthData != nil {
				p.bin(propAuthData, o.AuthData)
			}
		}
		b = p.appendTo(b)
	}
	b = appendString(b, o.ClientID) // [MQTT-3.1.3-3]
	if w := o.Will; w != nil {
		if c.version == V5 {
			var p propWriter
			if w.Delay != 0 {
				p.u32(propWillDelay, w.Delay)
			}
			w.Properties.encode(&p)
			b = p.appendTo(b)
		}
		b = appendString(b, w.Topic)
		b = appendString(b, w.Payload)
	}
	if o.Username != nil {
		b = appendString(b, *o.Username)
	}
	if o.Password != nil {
		b = appendString(b, o.Password)
	}
	return b
}

func decodeConnack(v byte, body []byte) (*ConnAck, error) {
	r := reader{b: body}
	ack := &ConnAck{}
	ack.SessionPresent = r.u8()&1 == 1
	ack.ReasonCode = r.u8()
	if v == V5 && r.err == nil && len(r.b) > 0 {
		block := r.props()
		err := eachProp(block, func(id byte, r *reader) {
			switch id {
			case propSessionExpiry:
				x := r.u32()
				ack.SessionExpiry = &x
			case propReceiveMaximum:
				ack.ReceiveMaximum = r.u16()
			case propMaximumQoS:
				x := r.u8()
				ack.MaximumQoS = &x
			case propRetainAvailable:
				x := r.u8()
				ack.RetainAvailable = &x
			case propMaximumPacketSize:
				ack.MaxPacketSize = r.u32()
			case propAssignedClientID:
				ack.AssignedClientID = string(r.bytes())
			case propReasonString:
				ack.ReasonString = string(r.bytes())
			case propServerKeepAlive:
				x := r.u16()
				ack.ServerKeepAlive = &x
			case propResponseInfo:
				ack.ResponseInfo = string(r.bytes())
			case propServerReference:
				ack.ServerReference = string(r.bytes())
			case propUserProperty:
				k, v := r.bytes(), r.bytes()
				ack.UserProperties = append(ack.UserProperties, UserProperty{string(k), string(v)})
			default:
				skipProp(id, r)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return ack, nil
}

// decodePublish copies an incoming PUBLISH into a Message that owns its
// memory.
func decodePublish(v byte, first byte, body []byte) (*Message, error) {
	m := &Message{
		QoS:       first >> 1 & 3,
		Retain:    first&1 == 1,
		Duplicate: first&8 != 0,
	}
	if m.QoS == 3 {
		return nil, errMalformed // [MQTT-3.3.1-4]
	}
	r := reader{b: body}
	m.Topic = string(r.bytes())
	if m.QoS > 0 {
		m.PacketID = r.u16()
	}
	if v == V5 && r.err == nil {
		block := r.props()
		p := &m.Properties
		err := eachProp(block, func(id byte, r *reader) {
			p.Order = append(p.Order, id)
			switch id {
			case propPayloadFormat:
				x := r.u8()
				p.PayloadFormat = &x
			case propMessageExpiry:
				x := r.u32()
				p.MessageExpiry = &x
			case propContentType:
				p.ContentType = string(r.bytes())
			case propResponseTopic:
				p.ResponseTopic = string(r.bytes())
			case propCorrelationData:
				p.CorrelationData = append([]byte{}, r.bytes()...)
			case propTopicAlias:
				p.TopicAlias = r.u16()
			case propSubscriptionID:
				p.SubscriptionIDs = append(p.SubscriptionIDs, uint32(r.varint()))
			case propUserProperty:
				k, v := r.bytes(), r.bytes()
				p.UserProperties = append(p.UserProperties, UserProperty{string(k), string(v)})
			default:
				skipProp(id, r)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) > 0 {
		m.Payload = append([]byte(nil), r.b...)
	}
	return m, nil
}

func (c *Client) disconnectBody(d *Disconnect) []byte {
	if c.version != V5 || d == nil {
		return nil
	}
	var p propWriter
	if d.SessionExpiry != nil {
		p.u32(propSessionExpiry, *d.SessionExpiry)
	}
	if d.ReasonString != "" {
		p.str(propReasonString, d.ReasonString)
	}
	if d.ServerReference != "" {
		p.str(propServerReference, d.ServerReference)
	}
	p.user(d.UserProperties)
	if d.ReasonCode == 0 && len(p.b) == 0 {
		return nil // §3.14.2.1: reason 0 without properties may be left out
	}
	return p.appendTo([]byte{d.ReasonCode})
}

func decodeDisconnect(v byte, body []byte) (*Disconnect, error) {
	d := &Disconnect{}
	if v != V5 || len(body) == 0 {
		return d, nil
	}
	r := reader{b: body}
	d.ReasonCode = r.u8()
	if len(r.b) > 0 {
		block := r.props()
		err := eachProp(block, func(id byte, r *reader) {
			switch id {
			case propSessionExpiry:
				x := r.u32()
				d.SessionExpiry = &x
			case propReasonString:
				d.ReasonString = string(r.bytes())
			case propServerReference:
				d.ServerReference = string(r.bytes())
			case propUserProperty:
				k, v := r.bytes(), r.bytes()
				d.UserProperties = append(d.UserProperties, UserProperty{string(k), string(v)})
			default:
				skipProp(id, r)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return d, r.err
}
