package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	pahov5 "github.com/eclipse/paho.golang/paho"
	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/midge-mqtt/midge/codec"
)

// startBroker runs a real broker on loopback port 0 (and a Unix socket).
func startBroker(t *testing.T, opts Options) (*Broker, string, string) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "midge.sock")
	opts.Listeners = []Listener{{Network: "tcp4", Address: "127.0.0.1:0"}, {Network: "unix", Address: sock}}
	if opts.EventLoops == 0 {
		opts.EventLoops = 2
	}
	b := runBroker(t, opts)
	var tcp string
	for _, a := range b.Addrs() {
		if ta, ok := a.(*net.TCPAddr); ok {
			tcp = ta.String()
		}
	}
	if tcp == "" || tcp == "127.0.0.1:0" {
		t.Fatalf("no bound TCP address in %v", b.Addrs())
	}
	return b, tcp, sock
}

// runBroker starts a broker with opts (logging nowhere unless opts says)
// and stops it when the test ends.
func runBroker(t *testing.T, opts Options) *Broker {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	b, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = b.Stop(ctx)
	})
	return b
}

func pahoClient(t *testing.T, addr, id string, clean bool, configure func(*paho.ClientOptions)) paho.Client {
	t.Helper()
	o := paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(id).SetCleanSession(clean).
		SetAutoReconnect(false).SetConnectTimeout(5 * time.Second).SetProtocolVersion(4)
	if configure != nil {
		configure(o)
	}
	c := paho.NewClient(o)
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("connect %s: %v", id, tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(50) })
	return c
}

func wait(t *testing.T, tok paho.Token) {
	t.Helper()
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("token: %v", tok.Error())
	}
}

func TestPahoPublishSubscribeAllQoS(t *testing.T) {
	// One loop accepts on its listener itself; two share gnet's acceptor.
	for _, loops := range []int{1, 2} {
		t.Run(fmt.Sprintf("loops=%d", loops), func(t *testing.T) {
			_, addr, _ := startBroker(t, Options{EventLoops: loops})
			got := make(chan paho.Message, 16)
			sub := pahoClient(t, addr, "e2e-sub", true, nil)
			wait(t, sub.Subscribe("e2e/#", 2, func(_ paho.Client, m paho.Message) { got <- m }))
			pub := pahoClient(t, addr, "e2e-pub", true, nil)
			for qos := byte(0); qos <= 2; qos++ {
				wait(t, pub.Publish(fmt.Sprintf("e2e/q%d", qos), qos, false, fmt.Sprintf("payload %d", qos)))
			}
			for qos := byte(0); qos <= 2; qos++ {
				select {
				case m := <-got:
					if m.Topic() != fmt.Sprintf("e2e/q%d", qos) || m.Qos() != qos || m.Retained() {
						t.Fatalf("got %s qos %d retained %v", m.Topic(), m.Qos(), m.Retained())
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("QoS %d message not delivered", qos)
				}
			}
		})
	}
}

// A one-loop broker listens with SO_REUSEPORT, which would let a second
// broker of the same user bind the same port and take half its clients.
// The second must fail to start, as mosquitto does, and the first keep
// serving.
func TestSecondBrokerOnTheSamePortFailsToStart(t *testing.T) {
	for _, loops := range []int{1, 2} {
		t.Run(fmt.Sprintf("loops=%d", loops), func(t *testing.T) {
			// The kernel lets a socket share only a port named at bind, so
			// the first broker binds a port a probe found free.
			probe, err := net.Listen("tcp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := probe.Addr().String()
			probe.Close()
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			runBroker(t, Options{Listeners: []Listener{{Network: "tcp4", Address: addr}}, EventLoops: 1})
			second, err := New(Options{Listeners: []Listener{{Network: "tcp4", Address: addr}}, EventLoops: loops, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			if err := second.Start(ctx); err == nil {
				_ = second.Stop(ctx)
				t.Fatalf("a second broker started on %s, which the first holds", addr)
			} else if !errors.Is(err, syscall.EADDRINUSE) {
				t.Fatalf("second broker: %v, want address in use", err)
			}
			// Every new connection still reaches the first broker.
			for i := range 20 {
				c := pahoClient(t, addr, fmt.Sprintf("still-%d", i), true, nil)
				wait(t, c.Subscribe("still/#", 1, nil))
			}
		})
	}
}

func TestPahoRetainedAndWillAcrossLoops(t *testing.T) {
	_, addr, _ := startBroker(t, Options{EventLoops: 2})
	pub := pahoClient(t, addr, "r-pub", true, nil)
	wait(t, pub.Publish("state/door", 1, true, "open"))
	got := make(chan paho.Message, 4)
	watcher := pahoClient(t, addr, "r-watch", true, nil)
	wait(t, watcher.Subscribe("state/#", 1, func(_ paho.Client, m paho.Message) { got <- m }))
	select {
	case m := <-got:
		if string(m.Payload()) != "open" || !m.Retained() {
			t.Fatalf("retained: %q retained=%v", m.Payload(), m.Retained())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("retained message not delivered on subscribe")
	}
	// A client with a will whose connection dies without DISCONNECT.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	will := []byte{0x10, 0, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x0E, 0, 0, 0, 1, 'w', 0, 10, 's', 't', 'a', 't', 'e', '/', 'w', 'i', 'l', 'l', 0, 4, 'g', 'o', 'n', 'e'}
	will[1] = byte(len(will) - 2)
	if _, err := conn.Write(will); err != nil {
		t.Fatal(err)
	}
	ack := make([]byte, 4)
	if _, err := io.ReadFull(conn, ack); err != nil || ack[3] != 0 {
		t.Fatalf("CONNACK % x %v", ack, err)
	}
	conn.Close()
	select {
	case m := <-got:
		if m.Topic() != "state/will" || string(m.Payload()) != "gone" {
			t.Fatalf("will: %s %q", m.Topic(), m.Payload())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("will not published")
	}
}

func TestPahoPersistentSessionOfflineQueue(t *testing.T) {
	_, addr, _ := startBroker(t, Options{})
	got := make(chan paho.Message, 16)
	handler := func(_ paho.Client, m paho.Message) { got <- m }
	sub := pahoClient(t, addr, "persist", false, func(o *paho.ClientOptions) { o.SetDefaultPublishHandler(handler) })
	wait(t, sub.Subscribe("q/#", 1, handler))
	sub.Disconnect(50)
	pub := pahoClient(t, addr, "q-pub", true, nil)
	for i := range 3 {
		wait(t, pub.Publish("q/x", 1, false, fmt.Sprint(i)))
	}
	pahoClient(t, addr, "persist", false, func(o *paho.ClientOptions) { o.SetDefaultPublishHandler(handler) })
	for i := range 3 {
		select {
		case m := <-got:
			if string(m.Payload()) != fmt.Sprint(i) {
				t.Fatalf("message %d: %q", i, m.Payload())
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("queued message %d not delivered", i)
		}
	}
}

func TestUnixSocketListener(t *testing.T) {
	b, _, sock := startBroker(t, Options{})
	got := make(chan string, 1)
	unsub, err := b.Subscribe("ipc/#", 0, func(topic string, payload []byte, _ byte, _ bool) { got <- topic + "=" + string(payload) })
	if err != nil {
		t.Fatal(err)
	}
	defer unsub()
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	connect := []byte{0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 0, 0, 1, 'u'}
	publish := []byte{0x30, 9, 0, 5, 'i', 'p', 'c', '/', 'a', 'h', 'i'}
	if _, err := conn.Write(append(connect, publish...)); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "ipc/a=hi" {
			t.Fatalf("got %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing arrived over the Unix socket")
	}
}

// A PUBLISH that arrives in pieces over several reads, with reads that hold
// no complete packet at all, is delivered intact.
func TestPacketSplitAcrossReads(t *testing.T) {
	b, addr, _ := startBroker(t, Options{})
	got := make(chan string, 1)
	unsub, err := b.Subscribe("split", 0, func(_ string, payload []byte, _ byte, _ bool) { got <- string(payload) })
	if err != nil {
		t.Fatal(err)
	}
	defer unsub()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	connect := []byte{0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 0, 0, 1, 's'}
	payload := make([]byte, 3000)
	for i := range payload {
		payload[i] = byte('a' + i%26)
	}
	publish := append([]byte{0x30, 0xBF, 0x17, 0, 5, 's', 'p', 'l', 'i', 't'}, payload...) // remaining length 3007
	if _, err := conn.Write(connect); err != nil {
		t.Fatal(err)
	}
	for _, piece := range [][]byte{publish[:2], publish[2:9], publish[9:1500], publish[1500:]} {
		if _, err := conn.Write(piece); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // separate reads on the broker side
	}
	select {
	case s := <-got:
		if s != string(payload) {
			t.Fatalf("payload corrupted: %d bytes", len(s))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("split PUBLISH not delivered")
	}
}

// Stop tells an MQTT 5 client the server is shutting down before closing.
func TestStopSendsServerShuttingDown(t *testing.T) {
	b, addr, _ := startBroker(t, Options{})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	connect := []byte{0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 5, 2, 0, 0, 0, 0, 1, 'x'}
	if _, err := conn.Write(connect); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	ack := make([]byte, 2)
	if _, err := io.ReadFull(conn, ack); err != nil || ack[0] != 0x20 {
		t.Fatalf("CONNACK % x %v", ack, err)
	}
	if _, err := io.ReadFull(conn, make([]byte, ack[1])); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() { _ = b.Stop(ctx) }()
	disc := make([]byte, 3)
	if _, err := io.ReadFull(conn, disc); err != nil || disc[0] != 0xE0 || disc[2] != 0x8B {
		t.Fatalf("want DISCONNECT 0x8B, got % x (%v)", disc, err)
	}
}

// A listener with its own Security admits clients by it; the others keep
// the broker-wide settings (per_listener_settings).
func TestListenerSecurityAppliesToItsOwnClients(t *testing.T) {
	for _, loops := range []int{1, 2} { // own accept, gnet's acceptor
		t.Run(fmt.Sprintf("loops=%d", loops), func(t *testing.T) { testListenerSecurity(t, loops) })
	}
}

func testListenerSecurity(t *testing.T, loops int) {
	sock := filepath.Join(t.TempDir(), "midge.sock")
	b := runBroker(t, Options{
		Listeners: []Listener{
			{Network: "tcp4", Address: "127.0.0.1:0", Security: &Security{Authenticator: DenyAll{}}},
			{Network: "unix", Address: sock, Security: &Security{RefuseEmptyClientID: true}},
			{Network: "tcp4", Address: "127.0.0.2:0"},
		},
		EventLoops:   loops,
		AutoIDPrefix: "wide-",
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var denyAddr, openAddr string
	for _, a := range b.Addrs() {
		if ta, ok := a.(*net.TCPAddr); ok && ta.IP.Equal(net.IPv4(127, 0, 0, 1)) {
			denyAddr = ta.String()
		} else if ok {
			openAddr = ta.String()
		}
	}
	// connack sends a 3.1.1 CONNECT with client id id over network/addr
	// and returns the CONNACK return code.
	connack := func(network, addr, id string) byte {
		t.Helper()
		c, err := net.Dial(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		p := codec.Connect{Version: codec.V311, ClientID: []byte(id), CleanStart: true}
		if _, err := c.Write(p.Append(nil, codec.V311)); err != nil {
			t.Fatal(err)
		}
		ack := make([]byte, 4)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(c, ack); err != nil || ack[0] != 0x20 {
			t.Fatalf("%s %s: CONNACK % x %v", network, addr, ack, err)
		}
		return ack[3]
	}
	if rc := connack("tcp", denyAddr, "named"); rc != 0x05 {
		t.Errorf("listener with DenyAll: return code %d, want 5 (not authorized)", rc)
	}
	if rc := connack("unix", sock, ""); rc != 0x02 {
		t.Errorf("listener refusing empty ids: return code %d, want 2", rc)
	}
	if rc := connack("unix", sock, "named"); rc != 0 {
		t.Errorf("listener refusing empty ids refused a named client: %d", rc)
	}
	if rc := connack("tcp", openAddr, ""); rc != 0 {
		t.Errorf("listener on the broker-wide settings refused an empty id: %d", rc)
	}
	// A 5.0 client (paho.golang) on the broker-wide listener gets the
	// broker-wide prefix.
	conn, err := net.Dial("tcp", openAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cl := pahov5.NewClient(pahov5.ClientConfig{Conn: conn})
	ack, err := cl.Connect(ctx, &pahov5.Connect{CleanStart: true, KeepAlive: 30})
	if err != nil || ack.ReasonCode != 0 || ack.Properties == nil || !strings.HasPrefix(ack.Properties.AssignedClientID, "wide-") {
		t.Fatalf("paho.golang without an id: %v %+v", err, ack)
	}
	_ = cl.Disconnect(&pahov5.Disconnect{})
}
