package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/codec"
)

func TestFirstPacketMustBeConnect(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	if c.send([]byte{0xC0, 0}) { // PINGREQ before CONNECT
		t.Fatal("connection stays open after a non-CONNECT first packet") // [MQTT-3.1.0-1]
	}
	if got := c.packets(); len(got) != 0 {
		t.Fatalf("broker answered before CONNECT: %v", got)
	}
}

func TestSecondConnectClosesConnection(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	c.connect("twice", true)
	if c.send(connectPacket("twice", true, 0)) {
		t.Fatal("second CONNECT accepted") // [MQTT-3.1.0-2]
	}
	if got := c.packets(); len(got) != 0 {
		t.Fatalf("broker answered a second CONNECT with %v", got)
	}
}

func connackCode(t *testing.T, c *testClient, v codec.Version) (codec.ReasonCode, bool) {
	t.Helper()
	pk := c.packets()
	if len(pk) != 1 || pk[0].Type != codec.CONNACK {
		t.Fatalf("want one CONNACK, got %v", pk)
	}
	var ack codec.Connack
	if err := ack.Decode(v, pk[0].Flags, pk[0].Body); err != nil {
		t.Fatal(err)
	}
	return ack.ReasonCode, ack.SessionPresent
}

func TestEmptyClientIDIsAssignedWithCleanSession(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	c.send(connectPacket("", true, 0))
	if rc, _ := connackCode(t, c, codec.V311); rc != codec.Success {
		t.Fatalf("CONNACK %v", rc)
	}
	if c.c.info.ClientID == "" || c.c.session == nil {
		t.Fatal("no identifier assigned") // [MQTT-3.1.3-6]
	}
}

func TestEmptyClientIDWithoutCleanSessionRejected(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	if c.send(connectPacket("", false, 0)) {
		t.Fatal("connection left open")
	}
	if rc, _ := connackCode(t, c, codec.V311); rc != codec.ClientIdentifierNotValid {
		t.Fatalf("CONNACK %v, want identifier rejected", rc) // [MQTT-3.1.3-8]
	}
}

func TestMQTT31LongClientIDRejected(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	p := codec.Connect{Version: codec.V31, ClientID: []byte("abcdefghijklmnopqrstuvwxyz"), CleanStart: true}
	if c.send(p.Append(nil, codec.V31)) {
		t.Fatal("connection left open")
	}
	if rc, _ := connackCode(t, c, codec.V31); rc != codec.ClientIdentifierNotValid {
		t.Fatalf("CONNACK %v, want identifier rejected", rc)
	}
}

type denyUser struct{ user string }

func (d denyUser) Authenticate(info *ConnectInfo) error {
	if info.Username == d.user {
		return codec.BadUserNameOrPassword
	}
	return nil
}

func TestAuthenticatorRefusesWithReason(t *testing.T) {
	tb := newTestBroker(t, 1, Options{Authenticator: denyUser{"mallory"}})
	c := tb.dial(0)
	p := codec.Connect{Version: codec.V311, ClientID: []byte("m"), CleanStart: true, UsernameFlag: true, Username: []byte("mallory")}
	c.send(p.Append(nil, codec.V311))
	if rc, _ := connackCode(t, c, codec.V311); rc != codec.BadUserNameOrPassword {
		t.Fatalf("CONNACK %v", rc)
	}
	all := newTestBroker(t, 1, Options{Authenticator: DenyAll{}})
	d := all.dial(0)
	d.send(connectPacket("x", true, 0))
	if rc, _ := connackCode(t, d, codec.V311); rc != codec.NotAuthorized {
		t.Fatalf("DenyAll gave CONNACK %v, want not authorized (5)", rc)
	}
}

func TestTakeoverClosesFirstConnectionAndKeepsSession(t *testing.T) {
	tb := newTestBroker(t, 2, Options{})
	first := tb.dial(0)
	if first.connect("sensor", false) {
		t.Fatal("session present on a fresh identifier")
	}
	first.subscribe("cmd/#", 1)
	second := tb.dial(1)
	if !second.connect("sensor", false) {
		t.Fatal("session present not set on takeover of a persistent session") // [MQTT-3.2.2-2]
	}
	if !first.tr.closed {
		t.Fatal("first connection not closed on takeover") // [MQTT-3.1.4-2]
	}
	pub := tb.dial(0)
	pub.connect("pub", true)
	pub.send(publishPacket("cmd/x", "go", 1, false, 3))
	if got := second.publishes(); len(got) != 1 || string(got[0].Payload) != "go" {
		t.Fatalf("subscription did not move with the session: %v", got)
	}
	if got := first.publishes(); len(got) != 0 {
		t.Fatalf("old connection still receives: %v", got)
	}
}

func TestCleanSessionDiscardsState(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	c.connect("s", false)
	c.subscribe("a", 1)
	c.drop()
	d := tb.dial(0)
	if d.connect("s", true) {
		t.Fatal("clean session reported a present session") // [MQTT-3.2.2-1]
	}
	pub := tb.dial(0)
	pub.connect("p", true)
	pub.send(publishPacket("a", "x", 1, false, 1))
	if got := d.publishes(); len(got) != 0 {
		t.Fatalf("clean session kept the old subscription: %v", got)
	}
}

func TestConnectTimeoutClosesSilentConnection(t *testing.T) {
	tb := newTestBroker(t, 1, Options{ConnectTimeout: 10 * time.Second})
	c := tb.dial(0)
	tb.tick(9 * time.Second)
	if c.tr.closed {
		t.Fatal("closed before the connect timeout")
	}
	tb.tick(2 * time.Second)
	if !c.tr.closed {
		t.Fatal("silent connection not closed after the connect timeout")
	}
}

func TestKeepAliveOneAndAHalfTimes(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	c.send(connectPacket("ka", true, 10))
	c.packets()
	tb.tick(14 * time.Second)
	if c.tr.closed {
		t.Fatal("closed before 1.5 x keep-alive")
	}
	c.send([]byte{0xC0, 0}) // PINGREQ resets the clock
	if pk := c.packets(); len(pk) != 1 || pk[0].Type != codec.PINGRESP {
		t.Fatalf("want PINGRESP, got %v", pk) // [MQTT-3.12.4-1]
	}
	tb.tick(14 * time.Second)
	if c.tr.closed {
		t.Fatal("PINGREQ did not count as activity")
	}
	tb.tick(2 * time.Second)
	if !c.tr.closed {
		t.Fatal("not closed after 1.5 x keep-alive of silence") // [MQTT-3.1.2-24]
	}
}

func TestMaxKeepaliveRefusesLongerKeepAlive(t *testing.T) {
	tb := newTestBroker(t, 1, Options{MaxKeepalive: 60})
	c := tb.dial(0)
	c.send(connectPacket("ka", true, 61))
	if rc, _ := connackCode(t, c, codec.V311); rc != codec.ClientIdentifierNotValid {
		t.Fatalf("CONNACK %v, want identifier rejected as mosquitto", rc)
	}
}

func TestMaxPacketSizeClosesConnection(t *testing.T) {
	tb := newTestBroker(t, 1, Options{MaxPacketSize: 64})
	c := tb.dial(0)
	c.connect("big", true)
	// Only the fixed header of a 1000-byte PUBLISH: refused before the
	// body arrives.
	used, err := c.c.handleBytes([]byte{0x30, 0xE8, 0x07})
	if err == nil || used != 0 {
		t.Fatalf("oversized packet header: used %d, err %v", used, err)
	}
}

func TestPartialPacketConsumesNothing(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	pkt := connectPacket("partial", true, 0)
	used, err := c.c.handleBytes(pkt[:len(pkt)-1])
	if err != nil || used != 0 {
		t.Fatalf("partial CONNECT: used %d, err %v", used, err)
	}
	used, err = c.c.handleBytes(pkt)
	if err != nil || used != len(pkt) {
		t.Fatalf("complete CONNECT: used %d, err %v", used, err)
	}
}

func TestMaxConnectionsRefuses(t *testing.T) {
	tb := newTestBroker(t, 1, Options{MaxConnections: 2})
	if !tb.b.admitConnection() || !tb.b.admitConnection() {
		t.Fatal("refused within the limit")
	}
	if tb.b.admitConnection() {
		t.Fatal("admitted past max_connections")
	}
	tb.b.releaseSlot()
	if !tb.b.admitConnection() {
		t.Fatal("slot not released")
	}
}

// Ten thousand idle clients cost the loop one tick task per tick, not one
// wake-up per connection, and none of them times out early.
func TestIdleConnectionsShareOneTickTask(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	const n = 10_000
	clients := make([]*testClient, n)
	for i := range clients {
		c := tb.dial(0)
		c.send(connectPacket(fmt.Sprintf("sensor-%d", i), true, 60))
		c.tr.out.Reset()
		clients[i] = c
	}
	for range 3 { // as the ticker would once the keep-alives are due
		tb.loops[0].postTick(tb.clock.Now().Add(time.Hour))
	}
	if got := len(tb.execs[0].tasks); got != 1 {
		t.Fatalf("%d tick tasks queued for one loop, want 1", got)
	}
	for range 8 {
		tb.tick(10 * time.Second) // 80 s: under 1.5 x 60 s
	}
	for i, c := range clients {
		if c.tr.closed {
			t.Fatalf("client %d closed before its keep-alive expired", i)
		}
		if c.c.arena != nil {
			t.Fatalf("idle client %d holds an output arena", i)
		}
	}
	tb.tick(11 * time.Second) // 91 s
	closed := 0
	for _, c := range clients {
		if c.tr.closed {
			closed++
		}
	}
	if closed != n {
		t.Fatalf("%d of %d silent clients closed after 1.5 x keep-alive", closed, n)
	}
}

func TestGarbageBeforeConnectClosesAtOnce(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	// An HTTP request: 'G' is not a CONNECT header, and its "remaining
	// length" claims more than was sent; no need to wait for it.
	if _, err := c.c.handleBytes([]byte("GET / HTTP/1.1\r\n")); err == nil {
		t.Fatal("partial non-CONNECT first packet left open") // [MQTT-3.1.0-1]
	}
}

func TestNoMaxPacketSizeAllowsTheProtocolMaximum(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	c.connect("huge", true)
	// A PUBLISH claiming the largest remaining length: legal, so the
	// broker waits for it.
	used, err := c.c.handleBytes([]byte{0x30, 0xFF, 0xFF, 0xFF, 0x7F, 0, 4, 'h', 'u', 'g', 'e'})
	if err != nil || used != 0 {
		t.Fatalf("used %d, err %v", used, err)
	}
}

// allow_zero_length_clientid false: an empty identifier is refused
// [MQTT-3.1.3-8] with 0x02 in 3.1.1 and Client Identifier not valid in
// 5.0, and the connection closed; auto_id_prefix starts the identifiers
// the broker assigns otherwise.
func TestEmptyClientIDRefusedOrAssignedWithPrefix(t *testing.T) {
	tb := newTestBroker(t, 1, Options{RefuseEmptyClientID: true})
	c := tb.dial(0)
	if c.send(connectPacket("", true, 0)) {
		t.Fatal("3.1.1: connection with an empty client identifier left open")
	}
	f, ok := c.first()
	var ack codec.Connack
	if !ok || f.Type != codec.CONNACK || ack.Decode(codec.V311, f.Flags, f.Body) != nil || codec.ReturnCodeFor(ack.ReasonCode) != 0x02 {
		t.Fatalf("3.1.1: %v %+v, want CONNACK 0x02", f.Type, ack)
	}
	d := tb.dial(0)
	if ack := d.connectV5("", true, codec.Properties{}); ack.ReasonCode != codec.ClientIdentifierNotValid {
		t.Fatalf("5.0: CONNACK %v, want Client Identifier not valid", ack.ReasonCode)
	}
	if d.send([]byte{0xC0, 0}) { // PINGREQ
		t.Fatal("5.0: connection with an empty client identifier left open")
	}
	tb.dial(0).connect("named", true) // a named client is still accepted

	for _, prefix := range []string{"", "dev-"} {
		tb := newTestBroker(t, 1, Options{AutoIDPrefix: prefix})
		c := tb.dial(0)
		ack := c.connectV5("", true, codec.Properties{})
		want := prefix
		if want == "" {
			want = "auto-" // mosquitto's default
		}
		id := string(ack.Props.AssignedClientID)
		if ack.ReasonCode != codec.Success || !strings.HasPrefix(id, want) || len(id) <= len(want) || c.c.info.ClientID != id {
			t.Fatalf("prefix %q: CONNACK %v assigned %q (session runs as %q)", prefix, ack.ReasonCode, id, c.c.info.ClientID)
		}
	}
}

// use_username_as_clientid: the username names the session, so a second
// client of the same user takes the first one's session over whatever
// identifiers they give, and a client without a username is refused.
func TestUsernameAsClientID(t *testing.T) {
	withUser := func(id, user string, v codec.Version) []byte {
		p := codec.Connect{Version: v, ClientID: []byte(id), CleanStart: true, UsernameFlag: user != "", Username: []byte(user)}
		return p.Append(nil, v)
	}
	tb := newTestBroker(t, 2, Options{UsernameAsClientID: true})
	first := tb.dial(0)
	first.send(withUser("kitchen", "alice", codec.V311))
	if rc, _ := connackCode(t, first, codec.V311); rc != codec.Success || first.c.info.ClientID != "alice" {
		t.Fatalf("CONNACK %v, session %q; want success as alice", rc, first.c.info.ClientID)
	}
	second := tb.dial(1)
	second.v = codec.V5
	second.send(withUser("", "alice", codec.V5))
	f, ok := second.first()
	var ack codec.Connack
	if !ok || f.Type != codec.CONNACK || ack.Decode(codec.V5, f.Flags, f.Body) != nil || ack.ReasonCode != codec.Success {
		t.Fatalf("5.0 with an empty id: %v %+v", f.Type, ack)
	}
	if len(ack.Props.AssignedClientID) != 0 || second.c.info.ClientID != "alice" {
		t.Fatalf("assigned %q, session %q; want none, alice", ack.Props.AssignedClientID, second.c.info.ClientID)
	}
	if !first.tr.closed {
		t.Fatal("the same user's second client did not take the session over") // [MQTT-3.1.4-2]
	}
	other := tb.dial(0)
	other.send(withUser("kitchen", "bob", codec.V311)) // alice's old identifier
	if rc, _ := connackCode(t, other, codec.V311); rc != codec.Success || second.tr.closed {
		t.Fatalf("bob: CONNACK %v, alice closed %v", rc, second.tr.closed)
	}
	anon := tb.dial(0)
	if anon.send(connectPacket("kitchen", true, 0)) {
		t.Fatal("3.1.1 without a username: connection left open")
	}
	if rc, _ := connackCode(t, anon, codec.V311); rc != codec.NotAuthorized {
		t.Fatalf("3.1.1 without a username: CONNACK %v, want 5", rc)
	}
	anon5 := tb.dial(1)
	if ack := anon5.connectV5("kitchen", true, codec.Properties{}); ack.ReasonCode != codec.NotAuthorized {
		t.Fatalf("5.0 without a username: CONNACK %v, want 0x87", ack.ReasonCode)
	}
	// Off (the default), the identifier the client gives names the session.
	plain := newTestBroker(t, 1, Options{})
	c := plain.dial(0)
	c.send(withUser("kitchen", "alice", codec.V311))
	if rc, _ := connackCode(t, c, codec.V311); rc != codec.Success || c.c.info.ClientID != "kitchen" {
		t.Fatalf("default: CONNACK %v, session %q", rc, c.c.info.ClientID)
	}
}
