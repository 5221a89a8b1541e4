package codecbench

import (
	"bytes"
	"testing"

	paho3 "github.com/eclipse/paho.mqtt.golang/packets"
	"github.com/midge-mqtt/midge/codec"
)

// Conversions between midge's packets and paho.mqtt.golang's (MQTT 3.1.1).

func toPaho3(p codec.Packet) paho3.ControlPacket {
	cp := paho3.NewControlPacket(byte(p.Type()))
	switch p := p.(type) {
	case *codec.Connect:
		c := cp.(*paho3.ConnectPacket)
		c.ProtocolName, c.ProtocolVersion = "MQTT", 4
		c.CleanSession, c.Keepalive, c.ClientIdentifier = p.CleanStart, p.KeepAlive, string(p.ClientID)
		if p.WillFlag {
			c.WillFlag, c.WillQos, c.WillRetain, c.WillTopic, c.WillMessage = true, p.Will.QoS, p.Will.Retain, string(p.Will.Topic), p.Will.Payload
		}
		c.UsernameFlag, c.Username, c.PasswordFlag, c.Password = p.UsernameFlag, string(p.Username), p.PasswordFlag, p.Password
	case *codec.Connack:
		c := cp.(*paho3.ConnackPacket)
		c.SessionPresent, c.ReturnCode = p.SessionPresent, byte(codec.ReturnCodeFor(p.ReasonCode))
	case *codec.Publish:
		c := cp.(*paho3.PublishPacket)
		c.Qos, c.Dup, c.Retain, c.TopicName, c.MessageID, c.Payload = p.QoS, p.Dup, p.Retain, string(p.Topic), p.PacketID, p.Payload
	case *codec.Ack:
		switch c := cp.(type) {
		case *paho3.PubackPacket:
			c.MessageID = p.PacketID
		case *paho3.PubrecPacket:
			c.MessageID = p.PacketID
		case *paho3.PubrelPacket:
			c.MessageID = p.PacketID
		case *paho3.PubcompPacket:
			c.MessageID = p.PacketID
		}
	case *codec.Subscribe:
		c := cp.(*paho3.SubscribePacket)
		c.MessageID = p.PacketID
		it := p.Iter()
		for s, ok := it.Next(); ok; s, ok = it.Next() {
			c.Topics, c.Qoss = append(c.Topics, string(s.Filter)), append(c.Qoss, s.QoS)
		}
	case *codec.Suback:
		c := cp.(*paho3.SubackPacket)
		c.MessageID, c.ReturnCodes = p.PacketID, codesToBytes(p.ReasonCodes)
	case *codec.Unsubscribe:
		c := cp.(*paho3.UnsubscribePacket)
		c.MessageID = p.PacketID
		it := p.Iter()
		for f, ok := it.Next(); ok; f, ok = it.Next() {
			c.Topics = append(c.Topics, string(f))
		}
	case *codec.Unsuback:
		cp.(*paho3.UnsubackPacket).MessageID = p.PacketID
	}
	return cp
}

func fromPaho3(cp paho3.ControlPacket) codec.Packet {
	switch c := cp.(type) {
	case *paho3.ConnectPacket:
		p := &codec.Connect{Version: codec.Version(c.ProtocolVersion), CleanStart: c.CleanSession, KeepAlive: c.Keepalive,
			ClientID: []byte(c.ClientIdentifier), UsernameFlag: c.UsernameFlag, Username: []byte(c.Username),
			PasswordFlag: c.PasswordFlag, Password: c.Password}
		if c.WillFlag {
			p.WillFlag, p.Will = true, codec.Will{QoS: c.WillQos, Retain: c.WillRetain, Topic: []byte(c.WillTopic), Payload: c.WillMessage}
		}
		return p
	case *paho3.ConnackPacket:
		rc, _ := codec.ReasonCodeFor(codec.ReturnCode(c.ReturnCode))
		return &codec.Connack{SessionPresent: c.SessionPresent, ReasonCode: rc}
	case *paho3.PublishPacket:
		return &codec.Publish{QoS: c.Qos, Dup: c.Dup, Retain: c.Retain, Topic: []byte(c.TopicName), PacketID: c.MessageID, Payload: c.Payload}
	case *paho3.PubackPacket:
		return &codec.Ack{Kind: codec.PUBACK, PacketID: c.MessageID}
	case *paho3.PubrecPacket:
		return &codec.Ack{Kind: codec.PUBREC, PacketID: c.MessageID}
	case *paho3.PubrelPacket:
		return &codec.Ack{Kind: codec.PUBREL, PacketID: c.MessageID}
	case *paho3.PubcompPacket:
		return &codec.Ack{Kind: codec.PUBCOMP, PacketID: c.MessageID}
	case *paho3.SubscribePacket:
		p := &codec.Subscribe{PacketID: c.MessageID}
		for i, t := range c.Topics {
			p.Subscriptions = append(p.Subscriptions, codec.Subscription{Filter: []byte(t), QoS: c.Qoss[i]})
		}
		return p
	case *paho3.SubackPacket:
		return &codec.Suback{PacketID: c.MessageID, ReasonCodes: bytesToCodes(c.ReturnCodes)}
	case *paho3.UnsubscribePacket:
		p := &codec.Unsubscribe{PacketID: c.MessageID}
		for _, t := range c.Topics {
			p.Filters = append(p.Filters, []byte(t))
		}
		return p
	case *paho3.UnsubackPacket:
		return &codec.Unsuback{PacketID: c.MessageID}
	case *paho3.PingreqPacket:
		return &codec.Pingreq{}
	case *paho3.PingrespPacket:
		return &codec.Pingresp{}
	case *paho3.DisconnectPacket:
		return &codec.Disconnect{}
	}
	return nil
}

// TestCrossPaho3 encodes each packet with paho.mqtt.golang and decodes it
// with midge, and the other way round, comparing values.
func TestCrossPaho3(t *testing.T) {
	for _, c := range v311Cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := toPaho3(c.p).Write(&buf); err != nil {
				t.Fatalf("paho encode: %v", err)
			}
			sameValue(t, "paho → midge", decodeMidge(t, codec.V311, buf.Bytes()), c.p)

			raw := c.p.Append(nil, codec.V311)
			cp, err := paho3.ReadPacket(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("paho cannot decode midge's %x: %v", raw, err)
			}
			sameValue(t, "midge → paho", fromPaho3(cp), c.p)
		})
	}
}
