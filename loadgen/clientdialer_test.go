package loadgen

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// acceptAll is a minimal MQTT server for connection tests: it answers
// every CONNECT with a successful CONNACK, records the peer's IP, and
// reads until the client leaves.
func acceptAll(t *testing.T) (addr string, peers func() map[string]int) {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var mu sync.Mutex
	seen := map[string]int{}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			ip := c.RemoteAddr().(*net.TCPAddr).IP.String()
			mu.Lock()
			seen[ip]++
			mu.Unlock()
			go func() {
				defer c.Close()
				buf := make([]byte, 2)
				if _, err := io.ReadFull(c, buf); err != nil || buf[0] != 0x10 { // CONNECT
					return
				}
				body := make([]byte, buf[1]) // short CONNECTs: one-byte remaining length
				if _, err := io.ReadFull(c, body); err != nil {
					return
				}
				c.Write([]byte{0x20, 0x02, 0x00, 0x00}) // CONNACK, accepted
				for {                                   // answer each SUBSCRIBE (short packets) with a SUBACK granting QoS 0
					if _, err := io.ReadFull(c, buf); err != nil {
						return
					}
					body := make([]byte, buf[1])
					if _, err := io.ReadFull(c, body); err != nil {
						return
					}
					if buf[0] == 0x82 {
						c.Write([]byte{0x90, 0x03, body[0], body[1], 0x00})
					}
				}
			}()
		}
	}()
	return l.Addr().String(), func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]int{}
		for k, v := range seen {
			out[k] = v
		}
		return out
	}
}

// Connections are spread over the source addresses in turn, which is how
// one process opens more connections than one address has ports.
func TestConnectionsUseEverySourceAddress(t *testing.T) {
	addr, peers := acceptAll(t)
	p, _ := Preset("conns")
	p.Address, p.Conns, p.Hold = addr, 6, Duration(10*time.Millisecond)
	p.SourceAddrs = []string{"127.0.0.2", "127.0.0.3"}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := Run(ctx, p, &ClientDialer{Address: addr}, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Connect.Connected != 6 || len(res.Errors) != 0 {
		t.Fatalf("connect %+v errors %v", res.Connect, res.Errors)
	}
	got := peers()
	if got["127.0.0.2"] != 3 || got["127.0.0.3"] != 3 || len(got) != 2 {
		t.Fatalf("connections came from %v, want 3 from each source address", got)
	}
}
