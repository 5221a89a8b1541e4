package codec

import "testing"

func benchDecodePublish(b *testing.B, v Version, raw []byte) {
	var p Publish
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		f, err := ReadFrame(raw, 0)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Decode(v, f.Flags, f.Body); err != nil {
			b.Fatal(err)
		}
	}
}

// benchReadDecodePublish is benchDecodePublish with Frame.Read, as a read
// loop that keeps one Frame calls it.
func benchReadDecodePublish(b *testing.B, v Version, raw []byte) {
	var p Publish
	var f Frame
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if err := f.Read(raw, 0); err != nil {
			b.Fatal(err)
		}
		if err := p.Decode(v, f.Flags, f.Body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadDecodePublishV311QoS0(b *testing.B) {
	benchReadDecodePublish(b, V311, publishV311QoS0)
}
func BenchmarkReadDecodePublishV311QoS1(b *testing.B) {
	benchReadDecodePublish(b, V311, publishV311QoS1)
}
func BenchmarkReadDecodePublishV5QoS1Props(b *testing.B) {
	benchReadDecodePublish(b, V5, publishV5QoS1)
}

// A topic beyond 32 bytes takes the fast path's word loop; a payload beyond
// 127 bytes needs a two-byte remaining length.
var (
	publishV311LongTopic = (&Publish{QoS: 1, PacketID: 7, Topic: []byte("factory/line-4/station-12/robot-arm-3/joint-2/torque"),
		Payload: benchPayload}).Append(nil, V311)
	publishV311Payload1K = (&Publish{QoS: 1, PacketID: 7, Topic: []byte("building/3/floor/2/room/17/temp"),
		Payload: make([]byte, 1024)}).Append(nil, V311)
)

func BenchmarkReadDecodePublishV311LongTopic(b *testing.B) {
	benchReadDecodePublish(b, V311, publishV311LongTopic)
}
func BenchmarkReadDecodePublishV311Payload1K(b *testing.B) {
	benchReadDecodePublish(b, V311, publishV311Payload1K)
}

func BenchmarkDecodePublishV311QoS0(b *testing.B) { benchDecodePublish(b, V311, publishV311QoS0) }
func BenchmarkDecodePublishV311QoS1(b *testing.B) { benchDecodePublish(b, V311, publishV311QoS1) }
func BenchmarkDecodePublishV5QoS0(b *testing.B)   { benchDecodePublish(b, V5, publishV5QoS0) }
func BenchmarkDecodePublishV5QoS1Props(b *testing.B) {
	benchDecodePublish(b, V5, publishV5QoS1)
}

func benchEncodePublish(b *testing.B, v Version, raw []byte) {
	var p Publish
	f := mustFrame(raw)
	if err := p.Decode(v, f.Flags, f.Body); err != nil {
		b.Fatal(err)
	}
	p = *p.Clone()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		buf = p.Append(buf[:0], v)
	}
}

func BenchmarkEncodePublishV311QoS0(b *testing.B) { benchEncodePublish(b, V311, publishV311QoS0) }
func BenchmarkEncodePublishV311QoS1(b *testing.B) { benchEncodePublish(b, V311, publishV311QoS1) }
func BenchmarkEncodePublishV5QoS0(b *testing.B)   { benchEncodePublish(b, V5, publishV5QoS0) }
func BenchmarkEncodePublishV5QoS1Props(b *testing.B) {
	benchEncodePublish(b, V5, publishV5QoS1)
}

// BenchmarkEncodePublishHeaderV5 is the per-subscriber cost of a shared
// message: fixed header, topic, packet id, alias, subscription identifier
// and the pre-encoded shared properties.
func BenchmarkEncodePublishHeaderV5(b *testing.B) {
	var p Publish
	f := mustFrame(publishV5QoS1)
	if err := p.Decode(V5, f.Flags, f.Body); err != nil {
		b.Fatal(err)
	}
	h := PublishHeader{QoS: 1, PacketID: 77, Topic: p.Topic, TopicAlias: 3, SubscriptionIDs: []uint32{12},
		Shared: p.Props.AppendShared(nil), PayloadLen: len(p.Payload)}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = h.Append(buf[:0], V5)
	}
}

func benchDecodeConnect(b *testing.B, raw []byte) {
	var c Connect
	b.ReportAllocs()
	for b.Loop() {
		f, err := ReadFrame(raw, 0)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Decode(0, f.Flags, f.Body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeConnectV311(b *testing.B) { benchDecodeConnect(b, connectV311) }
func BenchmarkDecodeConnectV5(b *testing.B)   { benchDecodeConnect(b, connectV5) }

func BenchmarkEncodeConnectV5(b *testing.B) {
	var c Connect
	f := mustFrame(connectV5)
	if err := c.Decode(V5, f.Flags, f.Body); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = c.Append(buf[:0], V5)
	}
}

func benchDecodeSubscribe(b *testing.B, v Version, raw []byte) {
	var s Subscribe
	b.ReportAllocs()
	for b.Loop() {
		f, err := ReadFrame(raw, 0)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Decode(v, f.Flags, f.Body); err != nil {
			b.Fatal(err)
		}
		it := s.Iter()
		for _, ok := it.Next(); ok; _, ok = it.Next() {
		}
	}
}

func BenchmarkDecodeSubscribeV311(b *testing.B) { benchDecodeSubscribe(b, V311, subscribeV311) }
func BenchmarkDecodeSubscribeV5(b *testing.B)   { benchDecodeSubscribe(b, V5, subscribeV5) }

func BenchmarkEncodeSubscribeV5(b *testing.B) {
	s := Subscribe{PacketID: 7, Props: Properties{SubscriptionIDs: []uint32{12}},
		Subscriptions: []Subscription{{Filter: []byte("building/+/floor/+/room/+/temp"), QoS: 1, NoLocal: true},
			{Filter: []byte("alerts/#"), QoS: 2, RetainHandling: 1}, {Filter: []byte("$share/g/jobs/+"), QoS: 1}}}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = s.Append(buf[:0], V5)
	}
}

// The parts of a 3.1.1 PUBLISH decode, for the floor under the whole: the
// frame split alone, and the topic scan alone on the benchmark's topic.
func BenchmarkFrameReadPublish(b *testing.B) {
	var f Frame
	for b.Loop() {
		if err := f.Read(publishV311QoS0, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlainTopic(b *testing.B) {
	topic := []byte("building/3/floor/2/room/17/temp")
	for b.Loop() {
		if !plainTopic(topic) {
			b.Fatal("not plain")
		}
	}
}
