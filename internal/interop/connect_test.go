package interop

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// TestServerAssignedClientID connects with an empty client id and clean
// session 1: the broker accepts and assigns an id [MQTT-3.1.3-6] with return
// code 0 [MQTT-3.1.4-4]; the client then works normally.
func TestServerAssignedClientID(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	r, sp := connectRaw(t, b, connectOpts{clientID: ""})
	if sp {
		t.Fatal("session present with clean session [MQTT-3.2.2-1]")
	}
	r2, _ := connectRaw(t, b, connectOpts{clientID: ""}) // a second anonymous id does not take the first over
	r.subscribe(1, topic, 0)
	r2.send(publishPacket(topic, []byte("hello"), 0, 0, false, false))
	if p := r.expectPublish(5 * time.Second); p.payload != "hello" {
		t.Fatalf("got %+v", p)
	}
	r2.send(pingreqPacket)
	r2.expectType(typePINGRESP, 5*time.Second)
}

// TestEmptyClientIDWithoutCleanSessionRejected connects with an empty id and
// clean session 0: CONNACK 0x02 identifier rejected, then close
// [MQTT-3.1.3-8] [MQTT-3.2.2-5].
func TestEmptyClientIDWithoutCleanSessionRejected(t *testing.T) {
	b := startBroker(t, defaultConfig())
	r := dialRaw(t, b)
	r.send(connectPacket(connectOpts{clientID: "", persistent: true}))
	sp, rc := r.connack()
	if rc != 0x02 || sp { // [MQTT-3.2.2-4] session present 0 with a non-zero code
		t.Fatalf("CONNACK session present %v, code %d; want 0, 2", sp, rc)
	}
	r.expectClosedSilently(5 * time.Second) // [MQTT-3.2.2-5]
}

// TestBadProtocolLevelRejected connects with protocol level 9: CONNACK 0x01
// unacceptable protocol version, then close [MQTT-3.1.2-2].
func TestBadProtocolLevelRejected(t *testing.T) {
	b := startBroker(t, defaultConfig())
	r := dialRaw(t, b)
	r.send(connectPacket(connectOpts{clientID: "bad-level", level: 9}))
	_, rc := r.connack()
	if rc != 0x01 {
		t.Fatalf("CONNACK code %d, want 1 [MQTT-3.1.2-2]", rc)
	}
	r.expectClosedSilently(5 * time.Second)
}

// TestBadProtocolNameClosed sends a CONNECT whose protocol name is not MQTT:
// the broker closes the connection [MQTT-3.1.2-1], with no CONNACK or a
// refusing one [MQTT-3.2.2-6].
func TestBadProtocolNameClosed(t *testing.T) {
	b := startBroker(t, defaultConfig())
	r := dialRaw(t, b)
	// CONNECT with protocol name "MQTX", level 4, clean session, keep-alive 60, id "x".
	r.send(packet(0x10, str("MQTX"), []byte{4, 0x02, 0, 60}, str("x")))
	got := r.expectClosed(5 * time.Second)
	for _, p := range got {
		if p.typ() != typeCONNACK || len(p.body) != 2 || p.body[1] == 0 {
			t.Fatalf("broker sent %v to a CONNECT with a bad protocol name", p)
		}
	}
}

// TestMQTT31Connect connects with MQTT 3.1 (MQIsdp, level 3) and exchanges
// messages with a 3.1.1 client; mosquitto_sub -V mqttv31 works too.
func TestMQTT31Connect(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	old, _ := connectRaw(t, b, connectOpts{clientID: "v31-client", mqtt31: true, keepAlive: 60})
	old.subscribe(1, topic, 1)
	topic2 := uniqueTopic(t, "from-31")
	s := mosquittoSub(t, b, append(b.tcpArgs(), "-V", "mqttv31", "-t", topic, "-t", topic2, "-q", "1")...)
	mosquittoPub(t, append(b.tcpArgs(), "-t", topic, "-q", "1", "-m", "from-311")...)
	p := old.expectPublish(5 * time.Second)
	if p.payload != "from-311" || p.qos != 1 {
		t.Fatalf("3.1 raw client got %+v", p)
	}
	old.send(ackPacket(typePUBACK, p.id))
	if m := next(t, s.msgs, 5*time.Second); m.payload != "from-311" {
		t.Fatalf("mosquitto_sub -V mqttv31 got %+v", m)
	}
	old.send(publishPacket(topic2, []byte("from-31"), 1, 9, false, false))
	old.expectAck(typePUBACK, 9)
	if m := next(t, s.msgs, 5*time.Second); m.payload != "from-31" {
		t.Fatalf("mosquitto_sub got %+v, want the 3.1 client's message", m)
	}
}

// TestMQTT31LongClientIDRejected connects with MQTT 3.1 and a 24-character
// client id: 3.1 limits ids to 23 characters, so CONNACK 0x02 and close
// [MQTT-3.1.3-9].
func TestMQTT31LongClientIDRejected(t *testing.T) {
	b := startBroker(t, defaultConfig())
	r := dialRaw(t, b)
	r.send(connectPacket(connectOpts{clientID: "abcdefghijklmnopqrstuvwx", mqtt31: true}))
	_, rc := r.connack()
	if brokerIs("mosquitto") {
		// Known deviation: mosquitto 2.0.11 accepts 3.1 client ids longer
		// than the 23 characters MQTT 3.1 (section 3.1, Client Identifier)
		// allows.
		if rc != 0 {
			t.Fatalf("mosquitto refused a long 3.1 id with code %d; the deviation note is stale", rc)
		}
		return
	}
	if rc != 0x02 {
		t.Fatalf("CONNACK code %d, want 2 identifier rejected", rc)
	}
	r.expectClosedSilently(5 * time.Second)
}

// TestConnectReservedFlagClosed sets the reserved bit 0 of the connect
// flags: the broker disconnects [MQTT-3.1.2-3] without a CONNACK
// [MQTT-3.1.4-1].
func TestConnectReservedFlagClosed(t *testing.T) {
	b := startBroker(t, defaultConfig())
	r := dialRaw(t, b)
	r.send(connectPacket(connectOpts{clientID: "reserved-flag", flagsOR: 0x01}))
	r.expectClosedSilently(5 * time.Second)
}

// TestTakeoverClosesFirstConnection connects twice with one client id: the
// second connection is accepted and the first is closed [MQTT-3.1.4-2] with
// no packet — 3.1.1 has no server DISCONNECT. The id is 8 alphanumeric
// characters, which every server must accept [MQTT-3.1.3-5].
func TestTakeoverClosesFirstConnection(t *testing.T) {
	b := startBroker(t, defaultConfig())
	first, _ := connectRaw(t, b, connectOpts{clientID: "takeover", keepAlive: 60})
	second, _ := connectRaw(t, b, connectOpts{clientID: "takeover", keepAlive: 60})
	first.expectClosedSilently(5 * time.Second)
	second.send(pingreqPacket)
	second.expectType(typePINGRESP, 5*time.Second)
}

// TestTakeoverKeepsPersistentSession takes over a persistent session: the
// new connection sees session present and the subscription made by the
// first [MQTT-3.1.4-2] [MQTT-3.2.2-2].
func TestTakeoverKeepsPersistentSession(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	first, _ := connectRaw(t, b, connectOpts{clientID: "takeover-p", persistent: true, keepAlive: 60})
	first.subscribe(1, topic, 1)
	second, sp := connectRaw(t, b, connectOpts{clientID: "takeover-p", persistent: true, keepAlive: 60})
	if !sp {
		t.Fatal("session present 0 after takeover of a persistent session [MQTT-3.2.2-2]")
	}
	first.expectClosedSilently(5 * time.Second)
	pub, _ := connectRaw(t, b, connectOpts{clientID: "takeover-pub"})
	pub.send(publishPacket(topic, []byte("kept"), 1, 1, false, false))
	pub.expectAck(typePUBACK, 1)
	if p := second.expectPublish(5 * time.Second); p.payload != "kept" {
		t.Fatalf("got %+v", p)
	}
}

// TestManyClientsConnect connects 50 clients at once and pings each.
func TestManyClientsConnect(t *testing.T) {
	b := startBroker(t, defaultConfig())
	var conns []*rawConn
	for i := 0; i < 50; i++ {
		r, _ := connectRaw(t, b, connectOpts{clientID: "many-" + strconv.Itoa(i), keepAlive: 60})
		conns = append(conns, r)
	}
	for _, r := range conns {
		r.send(pingreqPacket)
	}
	for _, r := range conns {
		r.expectType(typePINGRESP, 5*time.Second)
	}
}

// TestZeroLengthClientIDOptions: with allow_zero_length_clientid false an
// empty id is refused even with clean session 1, CONNACK 0x02 then close
// [MQTT-3.1.3-8], for a raw client and for Paho, while a named client
// connects; auto_id_prefix starts the id a 5.0 client without one is
// assigned [MQTT-3.2.2-16].
func TestZeroLengthClientIDOptions(t *testing.T) {
	cfg := defaultConfig()
	cfg.tcpListenerOptions = []string{"allow_zero_length_clientid false"}
	b := startBroker(t, cfg)
	r := dialRaw(t, b)
	r.send(connectPacket(connectOpts{clientID: ""}))
	if sp, rc := r.connack(); rc != 0x02 || sp {
		t.Fatalf("CONNACK session present %v, code %d; want 0, 2", sp, rc)
	}
	r.expectClosedSilently(5 * time.Second)
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + b.addr).SetClientID("").SetCleanSession(true).
		SetAutoReconnect(false).SetConnectRetry(false).SetConnectTimeout(5 * time.Second))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() == nil {
		c.Disconnect(0)
		t.Fatalf("paho with an empty id connected (%v)", tok.Error())
	}
	pahoClient(t, b, "named-zero-len", pahoOpts{})

	cfg = defaultConfig()
	cfg.tcpListenerOptions = []string{"auto_id_prefix dev-"}
	b = startBroker(t, cfg)
	conn, err := net.DialTimeout("tcp", b.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	v5 := paho.NewClient(paho.ClientConfig{Conn: conn})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ack, err := v5.Connect(ctx, &paho.Connect{CleanStart: true, KeepAlive: 30})
	if err != nil || ack.ReasonCode != 0 {
		t.Fatalf("paho.golang without an id: %v %+v", err, ack)
	}
	defer v5.Disconnect(&paho.Disconnect{})
	if id := ack.Properties.AssignedClientID; !strings.HasPrefix(id, "dev-") || len(id) <= len("dev-") {
		t.Fatalf("assigned client id %q, want one starting with dev-", id)
	}
}

// use_username_as_clientid true: the username, not the identifier the
// client gives, names the session, so a second client of the same user
// resumes (and takes over) the first one's session; a client without a
// username is refused as not authorised.
func TestUsernameAsClientID(t *testing.T) {
	cfg := defaultConfig()
	cfg.tcpListenerOptions = []string{"use_username_as_clientid true"}
	b := startBroker(t, cfg)
	connect := func(id, user string, lost chan<- error) (mqtt.Client, bool, error) {
		opts := mqtt.NewClientOptions().AddBroker("tcp://" + b.addr).SetClientID(id).SetUsername(user).
			SetCleanSession(false).SetAutoReconnect(false).SetConnectRetry(false).SetConnectTimeout(5 * time.Second).
			SetKeepAlive(30 * time.Second)
		if lost != nil {
			opts.SetConnectionLostHandler(func(_ mqtt.Client, err error) { lost <- err })
		}
		c := mqtt.NewClient(opts)
		tok := c.Connect()
		if !tok.WaitTimeout(10 * time.Second) {
			t.Fatalf("paho %q as %q: connect timed out", id, user)
		}
		return c, tok.(*mqtt.ConnectToken).SessionPresent(), tok.Error()
	}
	lost := make(chan error, 1)
	first, present, err := connect("kitchen", "alice", lost)
	if err != nil || present {
		t.Fatalf("first client: %v, session present %v", err, present)
	}
	defer first.Disconnect(0)
	if tok := first.Subscribe("u/alice/#", 1, nil); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	second, present, err := connect("hall", "alice", nil)
	if err != nil || !present {
		t.Fatalf("the same user under another identifier: %v, session present %v; want alice's session", err, present)
	}
	defer second.Disconnect(0)
	select {
	case <-lost:
	case <-time.After(10 * time.Second):
		t.Fatal("the first client was not disconnected when its user connected again")
	}
	bob, present, err := connect("kitchen", "bob", nil) // alice's first identifier
	if err != nil || present {
		t.Fatalf("another user with the same identifier: %v, session present %v", err, present)
	}
	defer bob.Disconnect(0)
	if !second.IsConnectionOpen() {
		t.Fatal("another user's client took alice's session over")
	}
	r := dialRaw(t, b)
	r.send(connectPacket(connectOpts{clientID: "kitchen"}))
	if sp, rc := r.connack(); rc != 0x05 || sp {
		t.Fatalf("without a username: CONNACK session present %v, code %d; want 0, 5", sp, rc)
	}
	r.expectClosedSilently(5 * time.Second)
}
