package codecbench

import (
	"bytes"
	"testing"

	paho5 "github.com/eclipse/paho.golang/packets"
	paho3 "github.com/eclipse/paho.mqtt.golang/packets"
	"github.com/midge-mqtt/midge/codec"
	mochi "github.com/mochi-mqtt/server/v2/packets"
)

// The same bytes are turned into a packet value by each library, with the
// function it offers for that (see report.sh for the table of names):
//
//	midge       (*codec.Frame).Read + (*codec.X).Decode (validation always on)
//	midge.ReadFrame  the same with codec.ReadFrame, which returns the Frame
//	            by value (PUBLISH only)
//	paho.golang packets.ReadPacket (5.0 only; no validation)
//	paho.mqtt   packets.ReadPacket (3.1.1; no validation)
//	mochi       FixedHeader.Decode + DecodeLength + (*Packet).XDecode + XValidate

var payload = []byte(`{"temperature":21.5,"humidity":40,"ts":1732800000}`)

const topic = "building/3/floor/2/room/17/temp"

var (
	pubV311QoS0 = (&codec.Publish{Topic: []byte(topic), Payload: payload}).Append(nil, codec.V311)
	pubV311QoS1 = (&codec.Publish{QoS: 1, PacketID: 4242, Topic: []byte(topic), Payload: payload}).Append(nil, codec.V311)
	pubV5QoS1   = (&codec.Publish{QoS: 1, PacketID: 4242, Topic: []byte(topic), Payload: payload,
		Props: codec.Properties{PayloadFormat: 1, MessageExpiry: 3600, ContentType: []byte("application/json"),
			ResponseTopic: []byte("replies/17"), CorrelationData: []byte("req-0001"),
			User: users("site", "north", "unit", "celsius")}}).Append(nil, codec.V5)
	connV311 = (&codec.Connect{Version: codec.V311, CleanStart: true, KeepAlive: 60, ClientID: []byte("sensor-000123"),
		WillFlag: true, Will: codec.Will{QoS: 1, Retain: true, Topic: []byte("sensors/000123/status"), Payload: []byte("offline")},
		UsernameFlag: true, Username: []byte("sensor"), PasswordFlag: true, Password: []byte("s3cr3t")}).Append(nil, codec.V311)
	connV5 = (&codec.Connect{Version: codec.V5, CleanStart: true, KeepAlive: 60, ClientID: []byte("sensor-000123"),
		Props:    codec.Properties{SessionExpiry: 3600, ReceiveMaximum: 32, TopicAliasMaximum: 16, User: users("fw", "1.2.3")},
		WillFlag: true, Will: codec.Will{QoS: 1, Retain: true, Topic: []byte("sensors/000123/status"), Payload: []byte("offline"),
			Props: codec.Properties{WillDelay: 10}},
		UsernameFlag: true, Username: []byte("sensor"), PasswordFlag: true, Password: []byte("s3cr3t")}).Append(nil, codec.V5)
	subV5 = (&codec.Subscribe{PacketID: 7, Props: codec.Properties{SubscriptionIDs: []uint32{12}},
		Subscriptions: []codec.Subscription{{Filter: []byte("building/+/floor/+/room/+/temp"), QoS: 1, NoLocal: true},
			{Filter: []byte("alerts/#"), QoS: 2, RetainHandling: 1}, {Filter: []byte("jobs/+"), QoS: 1}}}).Append(nil, codec.V5)
	subV311 = (&codec.Subscribe{PacketID: 7, Subscriptions: []codec.Subscription{{Filter: []byte("building/+/floor/+/room/+/temp"), QoS: 1},
		{Filter: []byte("alerts/#"), QoS: 2}, {Filter: []byte("jobs/+"), QoS: 1}}}).Append(nil, codec.V311)
)

// midgeDecode runs Frame.Read and Decode into p (a concrete type per case,
// as a broker calls it); for SUBSCRIBE it also walks the filters, since the
// others hand back a filled slice. Like the other libraries' loops, each
// checks its error inside the loop.
func midgeDecode(b *testing.B, v codec.Version, raw []byte, p codec.Packet) {
	var f codec.Frame // one Frame for every read, as a connection's read loop keeps it
	switch p := p.(type) {
	case *codec.Publish:
		loop(b, func() {
			if err := f.Read(raw, 0); err != nil {
				b.Fatal(err)
			}
			if err := p.Decode(v, f.Flags, f.Body); err != nil {
				b.Fatal(err)
			}
		})
	case *codec.Connect:
		loop(b, func() {
			if err := f.Read(raw, 0); err != nil {
				b.Fatal(err)
			}
			if err := p.Decode(v, f.Flags, f.Body); err != nil {
				b.Fatal(err)
			}
		})
	case *codec.Subscribe:
		loop(b, func() {
			if err := f.Read(raw, 0); err != nil {
				b.Fatal(err)
			}
			if err := p.Decode(v, f.Flags, f.Body); err != nil {
				b.Fatal(err)
			}
			it := p.Iter()
			for _, ok := it.Next(); ok; _, ok = it.Next() {
			}
		})
	default:
		b.Fatalf("no decode loop for %T", p)
	}
}

// midgeDecodeReadFrame is midgeDecode for PUBLISH with codec.ReadFrame.
func midgeDecodeReadFrame(b *testing.B, v codec.Version, raw []byte) {
	var p codec.Publish
	loop(b, func() {
		f, err := codec.ReadFrame(raw, 0)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Decode(v, f.Flags, f.Body); err != nil {
			b.Fatal(err)
		}
	})
}

func pahoDecode5(b *testing.B, raw []byte) {
	var r bytes.Reader
	loop(b, func() {
		r.Reset(raw)
		if _, err := paho5.ReadPacket(&r); err != nil {
			b.Fatal(err)
		}
	})
}

func pahoDecode3(b *testing.B, raw []byte) {
	var r bytes.Reader
	loop(b, func() {
		r.Reset(raw)
		if _, err := paho3.ReadPacket(&r); err != nil {
			b.Fatal(err)
		}
	})
}

// mochiDecode follows mochi's client read path minus its two copies of the
// body: fixed header, remaining length, XDecode, XValidate.
func mochiDecode(b *testing.B, version byte, raw []byte) {
	var r bytes.Reader
	loop(b, func() {
		r.Reset(raw)
		pk := mochi.Packet{ProtocolVersion: version}
		hb, _ := r.ReadByte()
		if err := pk.FixedHeader.Decode(hb); err != nil {
			b.Fatal(err)
		}
		n, _, err := mochi.DecodeLength(&r)
		if err != nil {
			b.Fatal(err)
		}
		pk.FixedHeader.Remaining = n
		body := raw[len(raw)-r.Len():]
		var code mochi.Code
		switch pk.FixedHeader.Type {
		case mochi.Publish:
			err = pk.PublishDecode(body)
			code = pk.PublishValidate(65535)
		case mochi.Connect:
			err = pk.ConnectDecode(body)
			code = pk.ConnectValidate()
		case mochi.Subscribe:
			err = pk.SubscribeDecode(body)
			code = pk.SubscribeValidate()
		}
		if err != nil || code != mochi.CodeSuccess {
			b.Fatal(err, code)
		}
	})
}

func BenchmarkDecodePublishV311QoS0(b *testing.B) {
	b.Run("lib=midge", func(b *testing.B) { midgeDecode(b, codec.V311, pubV311QoS0, new(codec.Publish)) })
	b.Run("lib=midge.ReadFrame", func(b *testing.B) { midgeDecodeReadFrame(b, codec.V311, pubV311QoS0) })
	b.Run("lib=paho.mqtt", func(b *testing.B) { pahoDecode3(b, pubV311QoS0) })
	b.Run("lib=mochi", func(b *testing.B) { mochiDecode(b, 4, pubV311QoS0) })
}

func BenchmarkDecodePublishV311QoS1(b *testing.B) {
	b.Run("lib=midge", func(b *testing.B) { midgeDecode(b, codec.V311, pubV311QoS1, new(codec.Publish)) })
	b.Run("lib=midge.ReadFrame", func(b *testing.B) { midgeDecodeReadFrame(b, codec.V311, pubV311QoS1) })
	b.Run("lib=paho.mqtt", func(b *testing.B) { pahoDecode3(b, pubV311QoS1) })
	b.Run("lib=mochi", func(b *testing.B) { mochiDecode(b, 4, pubV311QoS1) })
}

func BenchmarkDecodePublishV5QoS1Props(b *testing.B) {
	b.Run("lib=midge", func(b *testing.B) { midgeDecode(b, codec.V5, pubV5QoS1, new(codec.Publish)) })
	b.Run("lib=midge.ReadFrame", func(b *testing.B) { midgeDecodeReadFrame(b, codec.V5, pubV5QoS1) })
	b.Run("lib=paho.golang", func(b *testing.B) { pahoDecode5(b, pubV5QoS1) })
	b.Run("lib=mochi", func(b *testing.B) { mochiDecode(b, 5, pubV5QoS1) })
}

func BenchmarkDecodeConnectV311(b *testing.B) {
	b.Run("lib=midge", func(b *testing.B) { midgeDecode(b, codec.V311, connV311, new(codec.Connect)) })
	b.Run("lib=paho.mqtt", func(b *testing.B) { pahoDecode3(b, connV311) })
	b.Run("lib=mochi", func(b *testing.B) { mochiDecode(b, 4, connV311) })
}

func BenchmarkDecodeConnectV5(b *testing.B) {
	b.Run("lib=midge", func(b *testing.B) { midgeDecode(b, codec.V5, connV5, new(codec.Connect)) })
	b.Run("lib=paho.golang", func(b *testing.B) { pahoDecode5(b, connV5) })
	b.Run("lib=mochi", func(b *testing.B) { mochiDecode(b, 5, connV5) })
}

func BenchmarkDecodeSubscribeV311(b *testing.B) {
	b.Run("lib=midge", func(b *testing.B) { midgeDecode(b, codec.V311, subV311, new(codec.Subscribe)) })
	b.Run("lib=paho.mqtt", func(b *testing.B) { pahoDecode3(b, subV311) })
	b.Run("lib=mochi", func(b *testing.B) { mochiDecode(b, 4, subV311) })
}

func BenchmarkDecodeSubscribeV5(b *testing.B) {
	b.Run("lib=midge", func(b *testing.B) { midgeDecode(b, codec.V5, subV5, new(codec.Subscribe)) })
	b.Run("lib=paho.golang", func(b *testing.B) { pahoDecode5(b, subV5) })
	b.Run("lib=mochi", func(b *testing.B) { mochiDecode(b, 5, subV5) })
}

// Encoding: each library writes the same PUBLISH into a reused buffer.

func BenchmarkEncodePublishV311QoS1(b *testing.B) {
	b.Run("lib=midge", func(b *testing.B) {
		p := codec.Publish{QoS: 1, PacketID: 4242, Topic: []byte(topic), Payload: payload}
		buf := make([]byte, 0, 512)
		loop(b, func() {
			buf = p.Append(buf[:0], codec.V311)
		})
	})
	b.Run("lib=paho.mqtt", func(b *testing.B) {
		p := paho3.NewControlPacket(paho3.Publish).(*paho3.PublishPacket)
		p.Qos, p.MessageID, p.TopicName, p.Payload = 1, 4242, topic, payload
		var buf bytes.Buffer
		loop(b, func() {
			buf.Reset()
			if err := p.Write(&buf); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("lib=mochi", func(b *testing.B) {
		pk := mochi.Packet{ProtocolVersion: 4, FixedHeader: mochi.FixedHeader{Type: mochi.Publish, Qos: 1},
			PacketID: 4242, TopicName: topic, Payload: payload}
		var buf bytes.Buffer
		loop(b, func() {
			buf.Reset()
			if err := pk.PublishEncode(&buf); err != nil {
				b.Fatal(err)
			}
		})
	})
}

func BenchmarkEncodePublishV5QoS1Props(b *testing.B) {
	var src codec.Publish
	f, _ := codec.ReadFrame(pubV5QoS1, 0)
	if err := src.Decode(codec.V5, f.Flags, f.Body); err != nil {
		b.Fatal(err)
	}
	msg := src.Clone()
	b.Run("lib=midge", func(b *testing.B) {
		buf := make([]byte, 0, 512)
		loop(b, func() {
			buf = msg.Append(buf[:0], codec.V5)
		})
	})
	b.Run("lib=paho.golang", func(b *testing.B) {
		p := toPaho5(msg).Content.(*paho5.Publish)
		var buf bytes.Buffer
		loop(b, func() {
			buf.Reset()
			if _, err := p.WriteTo(&buf); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("lib=mochi", func(b *testing.B) {
		pk := mochi.Packet{ProtocolVersion: 5, FixedHeader: mochi.FixedHeader{Type: mochi.Publish, Qos: 1},
			PacketID: 4242, TopicName: topic, Payload: payload,
			Properties: mochi.Properties{PayloadFormat: 1, PayloadFormatFlag: true, MessageExpiryInterval: 3600,
				ContentType: "application/json", ResponseTopic: "replies/17", CorrelationData: []byte("req-0001"),
				User: []mochi.UserProperty{{Key: "site", Val: "north"}, {Key: "unit", Val: "celsius"}}}}
		var buf bytes.Buffer
		loop(b, func() {
			buf.Reset()
			if err := pk.PublishEncode(&buf); err != nil {
				b.Fatal(err)
			}
		})
	})
}
