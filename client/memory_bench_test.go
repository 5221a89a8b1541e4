package client_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/client"
	"github.com/midge-mqtt/midge/client/clienttest"
)

// BenchmarkIdleConnectionMemory opens 1,000 idle connections to a local
// mosquitto and reports the heap and goroutine stack they hold, per
// connection (b.N is ignored: the figure is per connection, not per op).
//
//	go test ./client -run XXX -bench IdleConnectionMemory -benchtime 1x
func BenchmarkIdleConnectionMemory(b *testing.B) {
	const conns = 1000
	broker := clienttest.Start(b, "mosquitto", clienttest.Config{})
	measure := func() (heap, stack uint64) {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc, ms.StackInuse
	}
	for range b.N {
		heap0, stack0 := measure()
		clients := make([]*client.Client, 0, conns)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		for range conns {
			c, _, err := client.Dial(ctx, client.Options{Address: broker.Addr(), CleanStart: true, KeepAlive: 600})
			if err != nil {
				b.Fatal(err)
			}
			clients = append(clients, c)
		}
		cancel()
		heap1, stack1 := measure()
		b.ReportMetric(float64(heap1-heap0)/conns, "heap-B/conn")
		b.ReportMetric(float64(stack1-stack0)/conns, "stack-B/conn")
		for _, c := range clients {
			c.Disconnect(nil)
		}
		runtime.KeepAlive(clients)
	}
}

// BenchmarkPublishQoS0 measures the send path of one connection.
func BenchmarkPublishQoS0(b *testing.B) {
	broker := clienttest.Start(b, "mosquitto", clienttest.Config{})
	c, _, err := client.Dial(context.Background(), client.Options{Address: broker.Addr(), CleanStart: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	m := &client.Message{Topic: "bench/qos0", Payload: make([]byte, 64)}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(m.Payload)))
	for b.Loop() {
		if err := c.Publish(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublishQoS1Window measures QoS 1 publishing with the inflight
// window full (PublishAsync), the load generator's pattern.
func BenchmarkPublishQoS1Window(b *testing.B) {
	broker := clienttest.Start(b, "mosquitto", clienttest.Config{})
	c, _, err := client.Dial(context.Background(), client.Options{Address: broker.Addr(), CleanStart: true, MaxInflight: 100})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	m := &client.Message{Topic: "bench/qos1", Payload: make([]byte, 64), QoS: 1}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.PublishAsync(ctx, m, nil); err != nil {
			b.Fatal(err)
		}
	}
}
