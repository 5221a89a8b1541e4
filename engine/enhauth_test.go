package engine

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	pahov5 "github.com/eclipse/paho.golang/paho"

	"github.com/midge-mqtt/midge/codec"
)

// crMethod is the test challenge/response method: the broker sends a
// nonce, the client answers HMAC-SHA256(secret, nonce).
const crMethod = "TEST-CR"

var crSecret = []byte("board-secret")

// crWrong is the test authenticator's error text, sent as Reason String.
const crWrong = "wrong answer to the challenge"

// crChallengeSize is the size of the broker's AUTH 0x18 carrying a nonce.
var crChallengeSize = uint32(len(authPacket(codec.ContinueAuthentication, crMethod, make([]byte, 16))))

func crAnswer(secret, nonce []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(nonce)
	return m.Sum(nil)
}

// challengeAuth runs TEST-CR with rounds challenges per exchange.
type challengeAuth struct {
	rounds int

	mu      sync.Mutex // the e2e test calls it from event loops
	starts  []bool     // reauth flag of every AuthStart
	clients []string   // client identifier of every AuthStart
}

type crState struct {
	nonce []byte
	left  int // challenges still to answer, this one included
}

func (a *challengeAuth) Authenticate(*ConnectInfo) error { return nil }

func (a *challengeAuth) AuthStart(info *ConnectInfo, reauth bool, method string, _ []byte) (AuthStep, error) {
	if method != crMethod {
		return AuthStep{}, codec.BadAuthenticationMethod
	}
	a.mu.Lock()
	a.starts = append(a.starts, reauth)
	a.clients = append(a.clients, info.ClientID)
	a.mu.Unlock()
	return challenge(a.rounds), nil
}

func challenge(left int) AuthStep {
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	return AuthStep{Continue: true, Data: nonce, State: &crState{nonce: nonce, left: left}}
}

func (a *challengeAuth) AuthContinue(_ *ClientInfo, state any, _ string, data []byte) (AuthStep, error) {
	st := state.(*crState)
	if !hmac.Equal(data, crAnswer(crSecret, st.nonce)) {
		return AuthStep{}, errors.New(crWrong)
	}
	if st.left > 1 {
		return challenge(st.left - 1), nil
	}
	return AuthStep{Data: []byte("welcome")}, nil
}

func authPacket(rc codec.ReasonCode, method string, data []byte) []byte {
	p := codec.Auth{ReasonCode: rc}
	p.Props.AuthMethod = []byte(method)
	p.Props.AuthData = data
	return p.Append(nil, codec.V5)
}

func connectWithMethod(id, method string, props codec.Properties) []byte {
	props.AuthMethod = []byte(method)
	p := codec.Connect{Version: codec.V5, ClientID: []byte(id), CleanStart: true, Props: props}
	return p.Append(nil, codec.V5)
}

// next returns the broker's next packet, which must be of type want.
func (tc *testClient) next(want codec.PacketType) codec.Frame {
	tc.tb.t.Helper()
	f, ok := tc.first()
	if !ok || f.Type != want {
		tc.tb.t.Fatalf("want %v, got %v (ok %v)", want, f.Type, ok)
	}
	return f
}

func (tc *testClient) nextAuth() codec.Auth {
	tc.tb.t.Helper()
	f := tc.next(codec.AUTH)
	var a codec.Auth
	if err := a.Decode(codec.V5, f.Flags, f.Body); err != nil {
		tc.tb.t.Fatal(err)
	}
	return a
}

func (tc *testClient) nextConnack() codec.Connack {
	tc.tb.t.Helper()
	f := tc.next(codec.CONNACK)
	var a codec.Connack
	if err := a.Decode(codec.V5, f.Flags, f.Body); err != nil {
		tc.tb.t.Fatal(err)
	}
	return a
}

func (tc *testClient) nextDisconnect() codec.Disconnect {
	tc.tb.t.Helper()
	f := tc.next(codec.DISCONNECT)
	var d codec.Disconnect
	if err := d.Decode(codec.V5, f.Flags, f.Body); err != nil {
		tc.tb.t.Fatal(err)
	}
	return d
}

// answerChallenge reads an AUTH 0x18 challenge and sends the answer.
func (tc *testClient) answerChallenge(secret []byte) []byte {
	tc.tb.t.Helper()
	ch := tc.nextAuth()
	if ch.ReasonCode != codec.ContinueAuthentication { // [MQTT-4.12.0-2]
		tc.tb.t.Fatalf("challenge reason %v, want 0x18", ch.ReasonCode)
	}
	if string(ch.Props.AuthMethod) != crMethod { // [MQTT-4.12.0-5]
		tc.tb.t.Fatalf("challenge method %q", ch.Props.AuthMethod)
	}
	if len(ch.Props.ReasonString) != 0 { // [MQTT-3.15.2-2] none sent at all
		tc.tb.t.Fatalf("AUTH carries a reason string %q", ch.Props.ReasonString)
	}
	nonce := append([]byte(nil), ch.Props.AuthData...)
	tc.send(authPacket(codec.ContinueAuthentication, crMethod, crAnswer(secret, nonce)))
	return nonce
}

// enhancedClient connects with TEST-CR and answers every challenge right.
func enhancedClient(t *testing.T, rounds int) (*testBroker, *testClient, *challengeAuth) {
	t.Helper()
	auth := &challengeAuth{rounds: rounds}
	tb := newTestBroker(t, 1, Options{Authenticator: auth})
	c := tb.dial(0)
	c.v = codec.V5
	c.send(connectWithMethod("sensor-1", crMethod, codec.Properties{}))
	for range rounds {
		c.answerChallenge(crSecret)
	}
	ack := c.nextConnack()
	if ack.ReasonCode != codec.Success {
		t.Fatalf("CONNACK %v, want success", ack.ReasonCode)
	}
	if string(ack.Props.AuthMethod) != crMethod || string(ack.Props.AuthData) != "welcome" { // [MQTT-4.12.0-5]
		t.Fatalf("CONNACK method %q data %q", ack.Props.AuthMethod, ack.Props.AuthData)
	}
	return tb, c, auth
}

func (tc *testClient) pingWorks() bool {
	tc.send([]byte{byte(codec.PINGREQ) << 4, 0})
	f, ok := tc.first()
	return ok && f.Type == codec.PINGRESP
}

func TestEnhancedAuthOneRoundTrip(t *testing.T) {
	_, c, auth := enhancedClient(t, 1)
	if !c.pingWorks() {
		t.Fatal("authenticated client cannot ping")
	}
	if len(auth.starts) != 1 || auth.starts[0] || auth.clients[0] != "sensor-1" {
		t.Fatalf("AuthStart calls: reauth %v clients %v", auth.starts, auth.clients)
	}
}

func TestEnhancedAuthTwoRoundTrips(t *testing.T) {
	_, c, _ := enhancedClient(t, 2)
	if !c.pingWorks() {
		t.Fatal("authenticated client cannot ping")
	}
}

func TestEnhancedAuthNoConnackBeforeTheAnswer(t *testing.T) {
	tb := newTestBroker(t, 1, Options{Authenticator: &challengeAuth{rounds: 1}})
	c := tb.dial(0)
	c.send(connectWithMethod("a", crMethod, codec.Properties{}))
	if pk := c.packets(); len(pk) != 1 || pk[0].Type != codec.AUTH {
		t.Fatalf("after CONNECT want only AUTH, got %v", pk)
	}
}

// refusedWith asserts the exchange ended in one CONNACK rc and a close.
func refusedWith(t *testing.T, c *testClient, rc codec.ReasonCode) codec.Connack {
	t.Helper()
	ack := c.nextConnack()
	if ack.ReasonCode != rc {
		t.Fatalf("CONNACK %v, want %v", ack.ReasonCode, rc)
	}
	if len(ack.Props.AuthMethod) != 0 {
		t.Fatalf("refusing CONNACK carries method %q", ack.Props.AuthMethod)
	}
	if !c.c.sysClosed {
		t.Fatal("connection left open after a refused authentication") // [MQTT-4.12.0-4]
	}
	return ack
}

func TestEnhancedAuthWrongAnswerRefused(t *testing.T) {
	for _, rounds := range []int{1, 2} {
		tb := newTestBroker(t, 1, Options{Authenticator: &challengeAuth{rounds: rounds}})
		c := tb.dial(0)
		c.send(connectWithMethod("a", crMethod, codec.Properties{}))
		for range rounds - 1 {
			c.answerChallenge(crSecret)
		}
		c.answerChallenge([]byte("guess"))
		ack := refusedWith(t, c, codec.NotAuthorized) // [MQTT-4.12.0-4]
		if string(ack.Props.ReasonString) != crWrong {
			t.Fatalf("reason string %q, want the authenticator's error", ack.Props.ReasonString)
		}
	}
}

func TestEnhancedAuthReasonStringOnlyWhenRequested(t *testing.T) {
	tb := newTestBroker(t, 1, Options{Authenticator: &challengeAuth{rounds: 1}})
	c := tb.dial(0)
	var props codec.Properties
	props.RequestProblemInfo = 0
	props.Set(codec.PropRequestProblemInfo)
	c.send(connectWithMethod("a", crMethod, props))
	c.answerChallenge([]byte("guess"))
	ack := refusedWith(t, c, codec.NotAuthorized)
	if len(ack.Props.ReasonString) != 0 { // [MQTT-3.1.2-29]
		t.Fatalf("reason string %q sent without problem information requested", ack.Props.ReasonString)
	}
}

func TestEnhancedAuthReasonStringDroppedBeyondMaximumPacketSize(t *testing.T) {
	tb := newTestBroker(t, 1, Options{Authenticator: &challengeAuth{rounds: 1}})
	c := tb.dial(0)
	var props codec.Properties
	props.MaximumPacketSize = crChallengeSize // the challenge fits, a CONNACK with crWrong does not
	c.send(connectWithMethod("a", crMethod, props))
	c.answerChallenge([]byte("guess"))
	ack := refusedWith(t, c, codec.NotAuthorized)
	if len(ack.Props.ReasonString) != 0 { // [MQTT-3.2.2-19]
		t.Fatalf("reason string %q sent beyond the client's Maximum Packet Size", ack.Props.ReasonString)
	}
}

func TestEnhancedAuthUnknownMethod(t *testing.T) {
	tb := newTestBroker(t, 1, Options{Authenticator: &challengeAuth{rounds: 1}})
	c := tb.dial(0)
	c.send(connectWithMethod("a", "SCRAM-SHA-1", codec.Properties{}))
	refusedWith(t, c, codec.BadAuthenticationMethod) // [MQTT-4.12.0-1]

	// An authenticator without enhanced authentication knows no method.
	tb = newTestBroker(t, 1, Options{Authenticator: denyUser{"nobody"}})
	c = tb.dial(0)
	c.send(connectWithMethod("a", crMethod, codec.Properties{}))
	refusedWith(t, c, codec.BadAuthenticationMethod) // [MQTT-4.12.0-1]
}

func TestEnhancedAuthProtocolErrorsBeforeConnack(t *testing.T) {
	cases := []struct {
		name string
		pkt  []byte
		want codec.ReasonCode
	}{
		{"method changed", authPacket(codec.ContinueAuthentication, "OTHER", nil), codec.ProtocolError},          // [MQTT-4.12.0-5]
		{"re-authenticate before CONNACK", authPacket(codec.ReAuthenticate, crMethod, nil), codec.ProtocolError}, // [MQTT-4.12.0-3]
		{"PUBLISH before CONNACK", publishV5("t", "x", 0, 0, codec.Properties{}), codec.ProtocolError},           // [MQTT-3.1.2-30]
		{"AUTH flags", []byte{byte(codec.AUTH)<<4 | 1, 0}, codec.MalformedPacket},                                // [MQTT-3.15.1-1]
		{"AUTH reason 0x87", []byte{byte(codec.AUTH) << 4, 1, 0x87}, codec.ProtocolError},                        // [MQTT-3.15.2-1]
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tb := newTestBroker(t, 1, Options{Authenticator: &challengeAuth{rounds: 1}})
			c := tb.dial(0)
			c.send(connectWithMethod("a", crMethod, codec.Properties{}))
			c.nextAuth()
			c.send(tc.pkt)
			got := c.nextConnack().ReasonCode
			if got != tc.want {
				t.Fatalf("CONNACK %v, want %v", got, tc.want)
			}
			if !c.c.sysClosed {
				t.Fatal("connection left open")
			}
		})
	}
}

func TestEnhancedAuthDisconnectDuringExchange(t *testing.T) {
	tb := newTestBroker(t, 1, Options{Authenticator: &challengeAuth{rounds: 1}})
	c := tb.dial(0)
	c.send(connectWithMethod("a", crMethod, codec.Properties{}))
	c.nextAuth()
	if c.send([]byte{byte(codec.DISCONNECT) << 4, 0}) {
		t.Fatal("DISCONNECT during the exchange did not close")
	}
	if pk := c.packets(); len(pk) != 0 {
		t.Fatalf("broker answered DISCONNECT with %v", pk)
	}
}

func TestEnhancedAuthConnectTimeoutCoversExchange(t *testing.T) {
	tb := newTestBroker(t, 1, Options{Authenticator: &challengeAuth{rounds: 2}, ConnectTimeout: 10 * time.Second})
	c := tb.dial(0)
	c.send(connectWithMethod("a", crMethod, codec.Properties{}))
	tb.tick(6 * time.Second)
	c.answerChallenge(crSecret)
	tb.tick(3 * time.Second)
	if c.tr.closed {
		t.Fatal("closed before the connect timeout")
	}
	tb.tick(2 * time.Second)
	if !c.tr.closed {
		t.Fatal("an exchange still running after the connect timeout was not closed")
	}
}

func TestReauthenticationSuccess(t *testing.T) {
	_, c, auth := enhancedClient(t, 1)
	c.send(authPacket(codec.ReAuthenticate, crMethod, nil)) // [MQTT-4.12.1-1]
	ch := c.nextAuth()
	if ch.ReasonCode != codec.ContinueAuthentication || string(ch.Props.AuthMethod) != crMethod {
		t.Fatalf("re-authentication challenge %v %q", ch.ReasonCode, ch.Props.AuthMethod)
	}
	if !c.pingWorks() { // other packets flow during re-authentication
		t.Fatal("ping refused during re-authentication")
	}
	c.send(authPacket(codec.ContinueAuthentication, crMethod, crAnswer(crSecret, ch.Props.AuthData)))
	done := c.nextAuth()
	if done.ReasonCode != codec.Success || string(done.Props.AuthMethod) != crMethod || string(done.Props.AuthData) != "welcome" { // [MQTT-4.12.0-5]
		t.Fatalf("re-authentication result %v %q %q", done.ReasonCode, done.Props.AuthMethod, done.Props.AuthData)
	}
	if len(auth.starts) != 2 || !auth.starts[1] {
		t.Fatalf("AuthStart reauth flags %v", auth.starts)
	}
	// And again: re-authentication can be repeated.
	c.send(authPacket(codec.ReAuthenticate, crMethod, nil))
	c.answerChallenge(crSecret)
	if rc := c.nextAuth().ReasonCode; rc != codec.Success {
		t.Fatalf("second re-authentication %v", rc)
	}
}

func TestReauthenticationFailureDisconnects(t *testing.T) {
	_, c, _ := enhancedClient(t, 1)
	c.send(authPacket(codec.ReAuthenticate, crMethod, nil))
	c.answerChallenge([]byte("stolen"))
	d := c.nextDisconnect()
	if d.ReasonCode != codec.NotAuthorized { // [MQTT-4.12.1-2]
		t.Fatalf("DISCONNECT %v, want 0x87", d.ReasonCode)
	}
	if string(d.Props.ReasonString) != crWrong {
		t.Fatalf("reason string %q", d.Props.ReasonString)
	}
	if !c.c.sysClosed {
		t.Fatal("connection left open after a failed re-authentication") // [MQTT-4.12.1-2]
	}
}

func TestReauthenticationProtocolErrors(t *testing.T) {
	cases := []struct {
		name string
		pkts [][]byte
	}{
		{"other method", [][]byte{authPacket(codec.ReAuthenticate, "OTHER", nil)}},                          // [MQTT-4.12.1-1]
		{"continue outside an exchange", [][]byte{authPacket(codec.ContinueAuthentication, crMethod, nil)}}, // [MQTT-4.12.1-1]
		{"success from the client", [][]byte{authPacket(codec.Success, crMethod, nil)}},                     // [MQTT-4.12.0-3]
		{"re-authenticate twice", [][]byte{authPacket(codec.ReAuthenticate, crMethod, nil), authPacket(codec.ReAuthenticate, crMethod, nil)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, c, _ := enhancedClient(t, 1)
			for _, p := range tc.pkts {
				c.send(p)
			}
			var last codec.Frame
			for _, f := range c.packets() {
				last = f
			}
			if last.Type != codec.DISCONNECT || len(last.Body) == 0 || codec.ReasonCode(last.Body[0]) != codec.ProtocolError {
				t.Fatalf("want DISCONNECT 0x82, got %v % x", last.Type, last.Body)
			}
			if !c.c.sysClosed {
				t.Fatal("connection left open")
			}
		})
	}
}

func TestAuthWithoutEnhancedAuthDisconnects(t *testing.T) {
	tb := newTestBroker(t, 1, Options{Authenticator: &challengeAuth{rounds: 1}})
	c := tb.dial(0)
	if ack := c.connectV5("plain", true, codec.Properties{}); ack.ReasonCode != codec.Success || len(ack.Props.AuthMethod) != 0 {
		t.Fatalf("CONNACK %v method %q", ack.ReasonCode, ack.Props.AuthMethod) // [MQTT-4.12.0-6]
	}
	c.send(authPacket(codec.ReAuthenticate, crMethod, nil))
	if d := c.nextDisconnect(); d.ReasonCode != codec.ProtocolError { // [MQTT-4.12.0-7]
		t.Fatalf("DISCONNECT %v, want 0x82", d.ReasonCode)
	}
	if !c.c.sysClosed {
		t.Fatal("connection left open")
	}
}

// pahoAuther answers TEST-CR challenges for the Paho v5 client.
type pahoAuther struct{ secret []byte }

func (a pahoAuther) Authenticate(in *pahov5.Auth) *pahov5.Auth {
	return &pahov5.Auth{ReasonCode: byte(codec.ContinueAuthentication), Properties: &pahov5.AuthProperties{
		AuthMethod: crMethod, AuthData: crAnswer(a.secret, in.Properties.AuthData)}}
}
func (pahoAuther) Authenticated() {}

func TestPahoV5EnhancedAuthAndReauthentication(t *testing.T) {
	_, addr, _ := startBroker(t, Options{Authenticator: &challengeAuth{rounds: 2}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dial := func(secret []byte) (*pahov5.Client, *pahov5.Connack, error) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		cl := pahov5.NewClient(pahov5.ClientConfig{Conn: conn, AuthHandler: pahoAuther{secret}})
		ack, err := cl.Connect(ctx, &pahov5.Connect{ClientID: "paho-cr", CleanStart: true, KeepAlive: 30,
			Properties: &pahov5.ConnectProperties{AuthMethod: crMethod}})
		return cl, ack, err
	}

	cl, ack, err := dial(crSecret)
	if err != nil {
		t.Fatal(err)
	}
	if ack.ReasonCode != 0 || ack.Properties == nil || ack.Properties.AuthMethod != crMethod || string(ack.Properties.AuthData) != "welcome" {
		t.Fatalf("CONNACK %+v", ack)
	}
	resp, err := cl.Authenticate(ctx, &pahov5.Auth{ReasonCode: byte(codec.ReAuthenticate),
		Properties: &pahov5.AuthProperties{AuthMethod: crMethod}})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Success || resp.ReasonCode != 0 {
		t.Fatalf("re-authentication response %+v", resp)
	}
	_ = cl.Disconnect(&pahov5.Disconnect{})

	cl, ack, err = dial([]byte("wrong"))
	if err == nil && ack.ReasonCode == 0 {
		_ = cl.Disconnect(&pahov5.Disconnect{})
		t.Fatal("wrong secret accepted")
	}
	if ack == nil || ack.ReasonCode != byte(codec.NotAuthorized) { // [MQTT-4.12.0-4]
		t.Fatalf("wrong secret refused with %+v (%v), want CONNACK 0x87", ack, err)
	}
}

func TestEnhancedAuthKeepsTheConnectAcrossTheExchange(t *testing.T) {
	tb := newTestBroker(t, 1, Options{Authenticator: &challengeAuth{rounds: 2}})
	sub := tb.dial(0)
	sub.connectV5("watcher", true, codec.Properties{})
	sub.subscribeV5("sensors/+/state", codec.Subscription{QoS: 1}, 0)

	c := tb.dial(0)
	c.v = codec.V5
	p := codec.Connect{Version: codec.V5, ClientID: []byte("sensor-7"), CleanStart: true, WillFlag: true,
		Will: codec.Will{Topic: []byte("sensors/7/state"), Payload: []byte("offline"), QoS: 1}}
	p.Props.AuthMethod = []byte(crMethod)
	raw := p.Append(nil, codec.V5)
	c.send(raw)
	clear(raw) // the read buffer is reused before the exchange ends
	c.answerChallenge(crSecret)
	c.answerChallenge(crSecret)
	if ack := c.nextConnack(); ack.ReasonCode != codec.Success {
		t.Fatalf("CONNACK %v", ack.ReasonCode)
	}
	c.drop()
	got := sub.publishes()
	if len(got) != 1 || string(got[0].Topic) != "sensors/7/state" || string(got[0].Payload) != "offline" {
		t.Fatalf("will after an enhanced-auth CONNECT: %v", got)
	}
}

func TestEnhancedAuthChallengeBeyondMaximumPacketSize(t *testing.T) {
	tb := newTestBroker(t, 1, Options{Authenticator: &challengeAuth{rounds: 1}})
	c := tb.dial(0)
	var props codec.Properties
	props.MaximumPacketSize = crChallengeSize - 1
	c.send(connectWithMethod("a", crMethod, props))
	ack := refusedWith(t, c, codec.ImplementationSpecificError) // [MQTT-3.1.2-24] the challenge is not sent
	if len(ack.Props.ReasonString) != 0 {
		t.Fatalf("reason string %q beyond the client's Maximum Packet Size", ack.Props.ReasonString) // [MQTT-3.2.2-19]
	}
}
