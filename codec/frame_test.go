package codec

import (
	"errors"
	"testing"
)

func TestReadFrameRemainingLength(t *testing.T) {
	cases := []struct {
		header []byte
		rl     int
		hl     int
	}{
		{[]byte{0x30, 0x00}, 0, 2},
		{[]byte{0x30, 0x7F}, 127, 2},
		{[]byte{0x30, 0x80, 0x01}, 128, 3},
		{[]byte{0x30, 0xFF, 0x7F}, 16383, 3},
		{[]byte{0x30, 0x80, 0x80, 0x01}, 16384, 4},
		{[]byte{0x30, 0xFF, 0xFF, 0x7F}, 2097151, 4},
		{[]byte{0x30, 0x80, 0x80, 0x80, 0x01}, 2097152, 5},
		{[]byte{0x30, 0xFF, 0xFF, 0xFF, 0x7F}, MaxVarint, 5},
		// Non-minimal forms are accepted: [MQTT-1.5.5-1] binds the sender.
		{[]byte{0x30, 0x80, 0x00}, 0, 3},
	}
	for _, c := range cases {
		f, err := ReadFrame(c.header, 0)
		if c.rl > 0 && !errors.Is(err, ErrNeedMore) {
			t.Fatalf("%x: err %v, want ErrNeedMore (body missing)", c.header, err)
		}
		if f.RemainingLength != c.rl || f.HeaderLen != c.hl || f.Total != c.rl+c.hl {
			t.Fatalf("%x: got rl %d hl %d total %d, want rl %d hl %d", c.header, f.RemainingLength, f.HeaderLen, f.Total, c.rl, c.hl)
		}
		if got := appendVarint(nil, uint32(c.rl)); c.header[1] != 0x80 && string(got) != string(c.header[1:]) {
			t.Fatalf("appendVarint(%d) = %x, want %x", c.rl, got, c.header[1:])
		}
	}
}

func TestReadFrameErrors(t *testing.T) {
	// §1.5.5: a fifth length byte is malformed, even before the body.
	if _, err := ReadFrame([]byte{0x30, 0x80, 0x80, 0x80, 0x80, 0x01}, 0); ReasonOf(err) != MalformedPacket {
		t.Fatalf("5-byte length: %v", err)
	}
	// Packet too large is known from the header alone.
	f, err := ReadFrame([]byte{0x30, 0x80, 0x08}, 1024)
	if ReasonOf(err) != PacketTooLarge || f.Total != 1027 {
		t.Fatalf("too large: %v total %d", err, f.Total)
	}
	// The limit counts the whole packet (MQTT 5.0 §3.1.2.11.4).
	if _, err := ReadFrame([]byte{0xC0, 0x00}, 2); err != nil {
		t.Fatalf("2-byte packet at limit 2: %v", err)
	}
	if _, err := ReadFrame([]byte{0xE0, 0x01, 0x00}, 2); ReasonOf(err) != PacketTooLarge {
		t.Fatalf("3-byte packet at limit 2: %v", err)
	}
	if _, err := ReadFrame(nil, 0); !errors.Is(err, ErrNeedMore) {
		t.Fatalf("empty: %v", err)
	}
	if _, err := ReadFrame([]byte{0x30}, 0); !errors.Is(err, ErrNeedMore) {
		t.Fatalf("one byte: %v", err)
	}
}

func TestReasonCodeError(t *testing.T) {
	var err error = PacketTooLarge
	if err.Error() != "packet too large" {
		t.Fatalf("Error() = %q", err.Error())
	}
	if !errors.Is(errPublishQoS3, MalformedPacket) || errors.Is(errPublishQoS3, ProtocolError) {
		t.Fatal("errors.Is does not see the reason code")
	}
	var rc ReasonCode
	if !errors.As(errZeroPacketID, &rc) || rc != ProtocolError {
		t.Fatalf("errors.As: %v", rc)
	}
	if ReasonOf(nil) != Success || ReasonOf(errors.New("x")) != UnspecifiedError {
		t.Fatal("ReasonOf of nil or a foreign error")
	}
	if ReasonCode(0x03).String() != "reason code 0x3" {
		t.Fatalf("unknown code: %q", ReasonCode(0x03).String())
	}
	for c := ReturnCode(0); c <= RefusedNotAuthorized; c++ {
		rc, ok := ReasonCodeFor(c)
		if !ok || ReturnCodeFor(rc) != c {
			t.Fatalf("return code %d does not map back: %v", c, rc)
		}
	}
	if _, ok := ReasonCodeFor(6); ok {
		t.Fatal("return code 6 accepted")
	}
}
