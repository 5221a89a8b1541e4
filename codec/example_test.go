package codec_test

import (
	"errors"
	"fmt"

	"github.com/midge-mqtt/midge/codec"
)

// A read loop handles every complete packet in the buffer and keeps a
// partial one for later, consuming nothing of it.
func ExampleReadFrame() {
	var in []byte
	in = (&codec.Publish{Topic: []byte("a/b"), Payload: []byte("one")}).Append(in, codec.V311)
	in = (&codec.Publish{QoS: 1, PacketID: 7, Topic: []byte("a/c"), Payload: []byte("two")}).Append(in, codec.V311)
	in = append(in, 0x30, 0x20, 0x00) // the start of a third packet

	var pub codec.Publish // reused: decoding allocates nothing
	for {
		f, err := codec.ReadFrame(in, 1<<20)
		if errors.Is(err, codec.ErrNeedMore) {
			fmt.Printf("keep %d bytes, packet needs %d\n", len(in), f.Total)
			break
		}
		if err != nil {
			fmt.Println("close:", codec.ReasonOf(err))
			break
		}
		if f.Type == codec.PUBLISH {
			if err := pub.Decode(codec.V311, f.Flags, f.Body); err != nil {
				fmt.Println("close:", err)
				break
			}
			// Topic and Payload alias in: use them before in is reused.
			fmt.Printf("%s %s qos=%d id=%d\n", pub.Topic, pub.Payload, pub.QoS, pub.PacketID)
		}
		in = in[f.Total:]
	}
	// Output:
	// a/b one qos=0 id=0
	// a/c two qos=1 id=7
	// keep 3 bytes, packet needs 34
}

// The same read loop with one Frame filled in place by Read, which spares
// the copy of a Frame returned by value.
func ExampleFrame_Read() {
	var in []byte
	in = (&codec.Publish{Topic: []byte("sensors/1/temp"), Payload: []byte("21.5")}).Append(in, codec.V311)
	in = append(in, 0x30, 0x20, 0x00) // the start of a second packet

	var f codec.Frame
	var pub codec.Publish
	for {
		err := f.Read(in, 1<<20)
		if errors.Is(err, codec.ErrNeedMore) {
			fmt.Printf("keep %d bytes, packet needs %d\n", len(in), f.Total)
			break
		}
		if err != nil {
			fmt.Println("close:", codec.ReasonOf(err))
			break
		}
		if f.Type == codec.PUBLISH {
			if err := pub.Decode(codec.V311, f.Flags, f.Body); err != nil {
				fmt.Println("close:", err)
				break
			}
			fmt.Printf("%s %s\n", pub.Topic, pub.Payload)
		}
		in = in[f.Total:]
	}
	// Output:
	// sensors/1/temp 21.5
	// keep 3 bytes, packet needs 34
}

// One message is encoded once for many subscribers: the properties they
// share are encoded once, and each subscriber gets a small header of its
// own; the payload goes out after it (writev) without being copied.
func ExamplePublishHeader() {
	msg := codec.Publish{QoS: 1, Topic: []byte("plant/7/temp"), Payload: []byte("21.5"),
		Props: codec.Properties{ContentType: []byte("text/plain")}}
	shared := msg.Props.AppendShared(nil)

	subscribers := []struct {
		v  codec.Version
		id uint32 // subscription identifier, 5.0
	}{{codec.V5, 12}, {codec.V311, 0}}
	buf := make([]byte, 0, 256)
	for i, s := range subscribers {
		h := codec.PublishHeader{QoS: 1, PacketID: uint16(100 + i), Topic: msg.Topic,
			Shared: shared, PayloadLen: len(msg.Payload)}
		if s.id != 0 {
			h.SubscriptionIDs = []uint32{s.id}
		}
		buf = h.Append(buf[:0], s.v)
		fmt.Printf("%v: header %d bytes + payload %d bytes\n", s.v, len(buf), len(msg.Payload))
	}
	// Output:
	// 5.0: header 34 bytes + payload 4 bytes
	// 3.1.1: header 18 bytes + payload 4 bytes
}

// Decode errors carry the reason code to answer with.
func ExampleReasonOf() {
	var c codec.Connect
	body := []byte("\x00\x04MQTT\x04\x00\x00\x3c\x00\x00") // no client id, no clean session
	err := c.Decode(0, 0, body)
	fmt.Println(codec.ReasonOf(err), "for a", c.Version, "client:", codec.ReturnCodeFor(codec.ReasonOf(err)))
	// Output:
	// client identifier not valid for a 3.1.1 client: connection refused: identifier rejected
}
