package ceiling

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"
)

// BenchmarkHandleSameLoop measures one read of 16 PUBLISH packets framed,
// matched and written to n subscribers on the publisher's loop (fake
// connections: no system calls).
func BenchmarkHandleSameLoop(b *testing.B) {
	for _, n := range []int{1, 100} {
		for _, filter := range []string{"s/7/temp", "s/+/temp"} {
			b.Run(fmt.Sprintf("subs=%d/filter=%s", n, filter), func(b *testing.B) {
				lp, pub, _ := oneLoop(n, filter)
				var read []byte
				for i := range 16 {
					read = append(read, publish("s/7/temp", 1, uint16(i+1), "twenty-byte payload.")...)
				}
				b.SetBytes(int64(len(read)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := lp.handle(pub, read); err != nil {
						b.Fatal(err)
					}
					lp.endTurn()
				}
				b.ReportMetric(float64(16*b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
		}
	}
}

// BenchmarkRelayLoopback measures PUBLISH packets through a running
// relay over loopback TCP: one publisher writing batches of 64 packets,
// one subscriber reading them.
func BenchmarkRelayLoopback(b *testing.B) {
	r := startRelay(b)
	sub := dial(b, r, 4)
	sub.send(subscribe(1, 0, "bench/+"))
	sub.expect("SUBACK", []byte{0x90, 3, 0, 1, 0})
	pub := dial(b, r, 4)
	p := publish("bench/1", 0, 0, string(bytes.Repeat([]byte("p"), 64)))
	batch := bytes.Repeat(p, 64)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	b.ResetTimer()
	_ = sub.c.SetReadDeadline(time.Time{})
	done := make(chan error, 1)
	go func() {
		_, err := io.CopyN(io.Discard, sub.c, int64(b.N*len(p)))
		done <- err
	}()
	for sent := 0; sent < b.N; sent += 64 {
		k := min(64, b.N-sent)
		if _, err := pub.c.Write(batch[:k*len(p)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
