//go:build !race

package codec

import "testing"

// The hot paths must not allocate: decoding PUBLISH, SUBSCRIBE (walking its
// filters) and CONNECT, and encoding PUBLISH into a buffer with room.
func TestZeroAllocs(t *testing.T) {
	var pub Publish
	var sub Subscribe
	var con Connect
	var frame Frame
	buf := make([]byte, 0, 1024)
	cases := []struct {
		name string
		fn   func()
	}{
		{"ReadFrame+Publish.Decode v311 QoS0", func() { decodePublish(&pub, V311, publishV311QoS0) }},
		{"ReadFrame+Publish.Decode v311 QoS1", func() { decodePublish(&pub, V311, publishV311QoS1) }},
		{"Frame.Read+Publish.Decode v311 QoS0", func() {
			if err := frame.Read(publishV311QoS0, 0); err != nil {
				panic(err)
			}
			if err := pub.Decode(V311, frame.Flags, frame.Body); err != nil {
				panic(err)
			}
		}},
		{"ReadFrame+Publish.Decode v5 properties", func() {
			decodePublish(&pub, V5, publishV5QoS1)
			it := pub.Props.UserProperties()
			for _, _, ok := it.Next(); ok; _, _, ok = it.Next() {
			}
		}},
		{"Subscribe.Decode+Iter v5", func() { decodeSubscribe(&sub, V5, subscribeV5) }},
		{"Subscribe.Decode+Iter v311", func() { decodeSubscribe(&sub, V311, subscribeV311) }},
		{"Connect.Decode v5 will and properties", func() {
			f := mustFrame(connectV5)
			if err := con.Decode(V5, f.Flags, f.Body); err != nil {
				panic(err)
			}
		}},
		{"Connect.Decode v311 will", func() {
			f := mustFrame(connectV311)
			if err := con.Decode(V311, f.Flags, f.Body); err != nil {
				panic(err)
			}
		}},
		{"Publish.Append v5 properties", func() {
			decodePublish(&pub, V5, publishV5QoS1)
			buf = pub.Append(buf[:0], V5)
		}},
		{"Publish.AppendHeader v311", func() {
			decodePublish(&pub, V311, publishV311QoS1)
			buf = pub.AppendHeader(buf[:0], V311)
		}},
		{"PublishHeader.Append v5", func() {
			h := PublishHeader{QoS: 1, PacketID: 9, Topic: []byte("a/b"), TopicAlias: 3, HasMessageExpiry: true, MessageExpiry: 9, PayloadLen: 100}
			buf = h.Append(buf[:0], V5)
		}},
		{"decode error", func() {
			f := mustFrame(publishQoS3)
			if err := pub.Decode(V311, f.Flags, f.Body); err == nil {
				panic("QoS 3 accepted")
			}
		}},
	}
	for _, c := range cases {
		if n := testing.AllocsPerRun(200, c.fn); n != 0 {
			t.Errorf("%s: %.1f allocs, want 0", c.name, n)
		}
	}
}

func decodePublish(p *Publish, v Version, raw []byte) {
	f := mustFrame(raw)
	if err := p.Decode(v, f.Flags, f.Body); err != nil {
		panic(err)
	}
}

func decodeSubscribe(s *Subscribe, v Version, raw []byte) {
	f := mustFrame(raw)
	if err := s.Decode(v, f.Flags, f.Body); err != nil {
		panic(err)
	}
	it := s.Iter()
	n := 0
	for _, ok := it.Next(); ok; _, ok = it.Next() {
		n++
	}
	if n != 3 {
		panic("subscriptions missing")
	}
}

var publishQoS3 = []byte{0x36, 0x03, 0x00, 0x01, 'a'}
