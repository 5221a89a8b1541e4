package interop

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"testing"
	"time"
)

// TestIdleConnectionClosedAfterConnectTimeout opens a TCP connection and
// sends nothing: the broker closes it once the connect timeout passes
// (midge: MIDGE_CONNECT_TIMEOUT, set by the harness, default 10 s).
func TestIdleConnectionClosedAfterConnectTimeout(t *testing.T) {
	b := startBroker(t, defaultConfig())
	r := dialRaw(t, b)
	if brokerIs("mosquitto") {
		// Known deviation: mosquitto 2.0.11 has no connect timeout; a socket
		// that never sends CONNECT stays open (MQTT 3.1.1 section 3.1.4
		// leaves a reasonable time to the server).
		r.expectOpen(midgeConnectTimeout + time.Second)
		return
	}
	start := time.Now()
	r.expectClosedSilently(midgeConnectTimeout + 3*time.Second)
	if el := time.Since(start); el < midgeConnectTimeout/2 {
		t.Fatalf("closed after %v, long before the connect timeout %v", el, midgeConnectTimeout)
	}
}

// resourceBaseline is the broker's fd count and RSS before a churn test.
type resourceBaseline struct {
	fds int
	rss int64
}

func measureBaseline(t testing.TB, b *broker) resourceBaseline {
	time.Sleep(300 * time.Millisecond)
	return resourceBaseline{fds: b.openFDs(t), rss: b.rssBytes(t)}
}

// expectResourcesReturn waits up to 5 s for the broker's fd count to come
// back to the baseline (+2) and checks RSS stays within 1.25x + 16 MB
// (memorySlack).
func expectResourcesReturn(t testing.TB, b *broker, base resourceBaseline, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	fds := b.openFDs(t)
	for fds > base.fds+2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		fds = b.openFDs(t)
	}
	rss := b.rssBytes(t)
	t.Logf("%s: fds %d -> %d, RSS %.1f MB -> %.1f MB", what, base.fds, fds, float64(base.rss)/(1<<20), float64(rss)/(1<<20))
	if fds > base.fds+2 {
		t.Errorf("%s: broker holds %d fds, %d before: descriptors leak", what, fds, base.fds)
	}
	if limit := base.rss + base.rss/4 + memorySlack(16); rss > limit {
		t.Errorf("%s: RSS %d MB, over the %d MB allowed (baseline %d MB)", what, rss>>20, limit>>20, base.rss>>20)
	}
}

// churnCycle is one short-lived connection: kind 0 resets before CONNECT,
// 1 resets right after sending CONNECT, 2 resets after CONNACK, 3 sends
// DISCONNECT after CONNACK and closes normally, 4 closes after a truncated
// CONNECT.
func churnCycle(b *broker, id string, kind int) error {
	c, err := net.DialTimeout("tcp", b.addr, 5*time.Second)
	if err != nil {
		return err
	}
	tc := c.(*net.TCPConn)
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	conn := connectPacket(connectOpts{clientID: id, keepAlive: 30})
	switch kind {
	case 0:
		tc.SetLinger(0)
		return nil
	case 1:
		c.Write(conn)
		tc.SetLinger(0)
		return nil
	case 4:
		c.Write(conn[:len(conn)/2])
		return nil
	}
	if _, err := c.Write(conn); err != nil {
		return err
	}
	ack := make([]byte, 4)
	if _, err := c.Read(ack); err != nil {
		return fmt.Errorf("waiting for CONNACK: %w", err)
	}
	if ack[0] != 0x20 {
		return fmt.Errorf("first bytes % x, want CONNACK", ack)
	}
	if kind == 2 {
		tc.SetLinger(0)
		return nil
	}
	c.Write(disconnectPacket)
	return nil
}

// TestConnectResetCyclesReleaseResources runs 2,000 connections that are
// reset at every stage of connecting: the broker's open fds and RSS return
// to where they were.
func TestConnectResetCyclesReleaseResources(t *testing.T) {
	b := startBroker(t, defaultConfig())
	for i := 0; i < 200; i++ { // warm up pools and buffers
		if err := churnCycle(b, fmt.Sprintf("reset-%d", i), i%3); err != nil {
			t.Fatalf("warm-up cycle %d: %v", i, err)
		}
	}
	base := measureBaseline(t, b)
	for i := 0; i < 2000; i++ {
		if err := churnCycle(b, fmt.Sprintf("reset-%d", i), i%3); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
	}
	expectResourcesReturn(t, b, base, "2000 connect-then-reset cycles")
	r, _ := connectRaw(t, b, connectOpts{clientID: "after-reset", keepAlive: 60})
	r.send(pingreqPacket)
	r.expectType(typePINGRESP, 5*time.Second)
}

// TestConnectCloseCyclesReleaseResources runs 2,000 ordinary connections
// (CONNECT, CONNACK, DISCONNECT, close; some truncated): fds and RSS return.
func TestConnectCloseCyclesReleaseResources(t *testing.T) {
	b := startBroker(t, defaultConfig())
	kinds := []int{3, 3, 3, 4}
	for i := 0; i < 200; i++ {
		if err := churnCycle(b, fmt.Sprintf("close-%d", i), kinds[i%4]); err != nil {
			t.Fatalf("warm-up cycle %d: %v", i, err)
		}
	}
	base := measureBaseline(t, b)
	for i := 0; i < 2000; i++ {
		if err := churnCycle(b, fmt.Sprintf("close-%d", i), kinds[i%4]); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
	}
	expectResourcesReturn(t, b, base, "2000 connect/close cycles")
}

// fightCycle connects with the contested id and checks what the broker sends:
// CONNACK first (nothing before it), never a DISCONNECT packet (3.1.1 has
// none from the server); a takeover is just a close.
func fightCycle(b *broker, id string, n int) error {
	c, err := net.DialTimeout("tcp", b.addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	r := &rawConn{c: c, r: newReader(c)}
	if err := r.trySend(connectPacket(connectOpts{clientID: id, persistent: n%2 == 0, keepAlive: 30})); err != nil {
		return nil // taken over and closed already
	}
	p, err := r.read(5 * time.Second)
	if err != nil {
		if isClosed(err) {
			return nil
		}
		return fmt.Errorf("waiting for CONNACK: %w", err)
	}
	if p.typ() != typeCONNACK {
		return fmt.Errorf("received %v before CONNACK [MQTT-3.2.0-1]", p)
	}
	if len(p.body) != 2 || p.body[1] != 0 {
		return fmt.Errorf("CONNACK %v, want accepted", p)
	}
	r.trySend(pingreqPacket)
	for {
		p, err := r.read(200 * time.Millisecond)
		if err != nil {
			if isClosed(err) || errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
			return err
		}
		if p.typ() == typeDISCONNECT {
			return errors.New("a 3.1.1 client received a DISCONNECT packet")
		}
		if p.typ() == typePINGRESP {
			break
		}
	}
	switch n % 3 {
	case 0:
		r.trySend(disconnectPacket)
	case 1:
		c.(*net.TCPConn).SetLinger(0)
	}
	return nil
}

// TestClientIDFight has 20 goroutines connect 100 times each with one client
// id [MQTT-3.1.4-2]. No client receives anything before CONNACK
// [MQTT-3.2.0-1] or any DISCONNECT; afterwards fds return and a normal client with that id
// connects and publishes/subscribes.
func TestClientIDFight(t *testing.T) {
	b := startBroker(t, defaultConfig())
	base := measureBaseline(t, b)
	const workers, cycles = 20, 100
	errs := make(chan error, workers*cycles)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < cycles; i++ {
				if err := fightCycle(b, "contested", w*cycles+i); err != nil {
					errs <- fmt.Errorf("worker %d cycle %d: %w", w, i, err)
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	var n int
	for err := range errs {
		if n++; n <= 10 {
			t.Error(err)
		}
	}
	if n > 10 {
		t.Errorf("... %d errors in all", n)
	}
	b.requireAlive(t)
	expectResourcesReturn(t, b, base, "client id fight")

	c, msgs, _ := pahoClient(t, b, "contested", pahoOpts{})
	topic := uniqueTopic(t, "after")
	pahoSubscribe(t, c, topic, 1)
	pahoPublish(t, c, topic, 1, false, "consistent")
	if m := next(t, msgs, 5*time.Second); m.payload != "consistent" {
		t.Fatalf("got %+v", m)
	}
}
