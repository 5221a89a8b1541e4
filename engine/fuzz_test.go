package engine

import (
	"testing"

	"github.com/midge-mqtt/midge/codec"
	"github.com/midge-mqtt/midge/codec/codectest"
)

// FuzzConnBytes feeds arbitrary bytes to a connection, first as the opening
// bytes and then after a CONNECT (3.1.1 or 5.0), with a subscriber and a
// retained message around: the broker never panics, and afterwards it still
// delivers to the subscriber beside.
func FuzzConnBytes(f *testing.F) {
	for _, g := range codectest.Golden {
		f.Add(g.Raw, byte(g.Version))
	}
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"), byte(4))
	f.Add([]byte{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, byte(4))
	f.Add([]byte{0x82, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00}, byte(5))
	f.Fuzz(func(t *testing.T, data []byte, version byte) {
		tb := newTestBroker(t, 2, Options{MaxPacketSize: 4096})
		watcher := tb.dial(1)
		watcher.connect("watcher", false)
		watcher.subscribe("#", 2)
		pub := tb.dial(0)
		pub.connect("pub", true)
		pub.send(publishPacket("retained/x", "r", 1, true, 1))

		raw := tb.dial(0)
		raw.feed(data) // before CONNECT

		c := tb.dial(0)
		if version == 5 {
			c.connectV5("fuzz", version&1 == 0, codec.Properties{SessionExpiry: 30})
		} else {
			c.connect("fuzz", false)
		}
		for i := 0; i+1+len(data)/3 <= len(data) && !c.c.sysClosed; i += 1 + len(data)/3 {
			c.feed(data[i : i+1+len(data)/3])
		}
		tb.tick(100e9)
		c.drop()
		again := tb.dial(1)
		again.send(connectPacket("fuzz", false, 0))
		_ = again.packets()
		if !watcher.c.sysClosed {
			_ = watcher.packets()
			after := tb.dial(0)
			after.connect("after", true)
			after.send(publishPacket("after/x", "alive", 0, false, 0))
			found := false
			for _, p := range watcher.publishes() {
				found = found || string(p.Payload) == "alive"
			}
			if !found {
				t.Fatal("the subscriber beside stopped receiving")
			}
		}
	})
}
