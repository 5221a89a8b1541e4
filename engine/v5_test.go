package engine

import (
	"net"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/codec"
)

func (tc *testClient) connectV5(id string, cleanStart bool, props codec.Properties) codec.Connack {
	tc.tb.t.Helper()
	tc.v = codec.V5
	p := codec.Connect{Version: codec.V5, ClientID: []byte(id), CleanStart: cleanStart, Props: props}
	tc.send(p.Append(nil, codec.V5))
	f, ok := tc.first()
	if !ok || f.Type != codec.CONNACK {
		tc.tb.t.Fatalf("want CONNACK, got %v", f)
	}
	var ack codec.Connack
	if err := ack.Decode(codec.V5, f.Flags, f.Body); err != nil {
		tc.tb.t.Fatal(err)
	}
	return ack
}

func (tc *testClient) subscribeV5(filter string, opts codec.Subscription, subID uint32) []codec.ReasonCode {
	tc.tb.t.Helper()
	opts.Filter = []byte(filter)
	p := codec.Subscribe{PacketID: 9, Subscriptions: []codec.Subscription{opts}}
	if subID != 0 {
		p.Props.SubscriptionIDs = []uint32{subID}
	}
	tc.send(p.Append(nil, codec.V5))
	f, ok := tc.first()
	if !ok || f.Type != codec.SUBACK {
		tc.tb.t.Fatalf("want SUBACK, got %v", f)
	}
	var ack codec.Suback
	if err := ack.Decode(codec.V5, f.Flags, f.Body); err != nil {
		tc.tb.t.Fatal(err)
	}
	return ack.ReasonCodes
}

func publishV5(topic, payload string, qos byte, pid uint16, props codec.Properties) []byte {
	p := codec.Publish{Topic: []byte(topic), Payload: []byte(payload), QoS: qos, PacketID: pid, Props: props}
	return p.Append(nil, codec.V5)
}

func TestV5ConnackAnnouncesLimitsAndAssignsID(t *testing.T) {
	tb := newTestBroker(t, 1, Options{MaxInflightMessages: 7, MaxPacketSize: 5000, MaxKeepalive: 30})
	c := tb.dial(0)
	ack := c.connectV5("", true, codec.Properties{})
	p := ack.Props
	if ack.ReasonCode != codec.Success || p.ReceiveMaximum != 7 || p.MaximumPacketSize != 5000 ||
		p.TopicAliasMaximum == 0 || len(p.AssignedClientID) == 0 { // [MQTT-3.2.2-16]
		t.Fatalf("CONNACK %+v", ack)
	}
	if p.Has(codec.PropServerKeepAlive) {
		t.Fatal("Server Keep Alive sent for keep-alive 0 within max_keepalive")
	}
	d := tb.dial(0)
	long := codec.Connect{Version: codec.V5, ClientID: []byte("long"), CleanStart: true, KeepAlive: 600}
	d.v = codec.V5
	d.send(long.Append(nil, codec.V5))
	f, _ := d.first()
	var ack2 codec.Connack
	if err := ack2.Decode(codec.V5, f.Flags, f.Body); err != nil || ack2.Props.ServerKeepAlive != 30 {
		t.Fatalf("Server Keep Alive %d (%v), want 30 [MQTT-3.2.2-21]", ack2.Props.ServerKeepAlive, err)
	}
}

func TestV5SessionExpiryInterval(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	c.connectV5("exp", false, codec.Properties{SessionExpiry: 10})
	c.subscribeV5("t", codec.Subscription{QoS: 1}, 0)
	c.drop()
	tb.b.expireSessions(tb.clock.Now().Add(5 * time.Second))
	again := tb.dial(0)
	if ack := again.connectV5("exp", false, codec.Properties{SessionExpiry: 10}); !ack.SessionPresent {
		t.Fatal("session gone before its expiry interval") // [MQTT-3.1.2-23]
	}
	again.drop()
	tb.b.expireSessions(tb.clock.Now().Add(11 * time.Second))
	last := tb.dial(0)
	if ack := last.connectV5("exp", false, codec.Properties{}); ack.SessionPresent {
		t.Fatal("session outlived its expiry interval")
	}
	last.drop() // expiry 0: the session ends with the connection
	if _, ok := tb.b.sessions["exp"]; ok {
		t.Fatal("session with expiry 0 kept after its connection")
	}
}

func TestV5AcksCarryReasonCodes(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	c.connectV5("acks", true, codec.Properties{})
	c.send(publishV5("nobody", "x", 1, 1, codec.Properties{}))
	f, _ := c.first()
	var a codec.Ack
	a.Kind = codec.PUBACK
	if err := a.Decode(codec.V5, f.Flags, f.Body); err != nil || a.ReasonCode != codec.NoMatchingSubscribers {
		t.Fatalf("PUBACK %v %v, want no matching subscribers", a.ReasonCode, err)
	}
	c.send(ackPacket(codec.PUBREL, 77))
	f, _ = c.first()
	a = codec.Ack{Kind: codec.PUBCOMP}
	if err := a.Decode(codec.V5, f.Flags, f.Body); err != nil || a.ReasonCode != codec.PacketIdentifierNotFound {
		t.Fatalf("PUBCOMP %v %v, want packet identifier not found", a.ReasonCode, err)
	}
	if codes := c.subscribeV5("bad/#/filter", codec.Subscription{}, 0); len(codes) != 1 || codes[0] != codec.TopicFilterInvalid {
		t.Fatalf("SUBACK %v, want topic filter invalid", codes)
	}
}

func TestV5TopicAliasInbound(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	sub := tb.dial(0)
	sub.connect("sub", true)
	sub.subscribe("long/topic/name", 0)
	pub := tb.dial(0)
	pub.connectV5("pub", true, codec.Properties{})
	pub.send(publishV5("long/topic/name", "1", 0, 0, codec.Properties{TopicAlias: 3}))
	pub.send(publishV5("", "2", 0, 0, codec.Properties{TopicAlias: 3})) // [MQTT-3.3.2-12]
	got := sub.publishes()
	if len(got) != 2 || string(got[1].Topic) != "long/topic/name" || string(got[1].Payload) != "2" {
		t.Fatalf("aliased PUBLISH: %+v", got)
	}
	if pub.send(publishV5("", "3", 0, 0, codec.Properties{TopicAlias: 4})) {
		t.Fatal("unknown alias accepted")
	}
	f, _ := pub.first()
	if f.Type != codec.DISCONNECT {
		t.Fatalf("want DISCONNECT for an unknown alias, got %v", f)
	}
}

func TestV5NoLocalAndSubscriptionIdentifiers(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	c.connectV5("self", true, codec.Properties{})
	c.subscribeV5("a/+", codec.Subscription{QoS: 0, NoLocal: true}, 0)
	c.subscribeV5("b/#", codec.Subscription{QoS: 0}, 42)
	c.send(publishV5("a/x", "mine", 0, 0, codec.Properties{}))
	if got := c.publishes(); len(got) != 0 {
		t.Fatalf("No Local subscription got its own message: %+v", got) // [MQTT-3.8.3-3]
	}
	other := tb.dial(0)
	other.connectV5("other", true, codec.Properties{})
	other.send(publishV5("b/y", "hi", 0, 0, codec.Properties{ContentType: []byte("text/plain")}))
	got := c.publishes()
	if len(got) != 1 || got[0].Props.SubscriptionID() != 42 || string(got[0].Props.ContentType) != "text/plain" {
		t.Fatalf("delivery without its subscription identifier or properties: %+v", got) // [MQTT-3.3.4-3]
	}
}

func TestV5ReceiveMaximumBoundsOutboundWindow(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	sub := tb.dial(0)
	sub.connectV5("sub", true, codec.Properties{ReceiveMaximum: 1, Present: 1 << codec.PropReceiveMaximum})
	sub.subscribeV5("t", codec.Subscription{QoS: 1}, 0)
	pub := tb.dial(0)
	pub.connect("pub", true)
	pub.send(publishPacket("t", "1", 1, false, 1))
	pub.send(publishPacket("t", "2", 1, false, 2))
	got := sub.publishes()
	if len(got) != 1 {
		t.Fatalf("Receive Maximum 1 but %d in flight", len(got)) // [MQTT-3.3.4-9]
	}
	sub.send(ackPacket(codec.PUBACK, got[0].PacketID))
	if got := sub.publishes(); len(got) != 1 || string(got[0].Payload) != "2" {
		t.Fatalf("after PUBACK: %+v", got)
	}
}

func TestV5MessageExpiryDropsStaleQueuedMessages(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	sub := tb.dial(0)
	sub.connectV5("sub", false, codec.Properties{SessionExpiry: 100})
	sub.subscribeV5("t", codec.Subscription{QoS: 1}, 0)
	sub.drop()
	pub := tb.dial(0)
	pub.connectV5("pub", true, codec.Properties{})
	pub.send(publishV5("t", "short", 1, 1, codec.Properties{MessageExpiry: 2}))
	pub.send(publishV5("t", "long", 1, 2, codec.Properties{MessageExpiry: 60}))
	tb.clock.Advance(5 * time.Second)
	again := tb.dial(0)
	again.connectV5("sub", false, codec.Properties{SessionExpiry: 100})
	got := again.publishes()
	if len(got) != 1 || string(got[0].Payload) != "long" { // [MQTT-3.3.2-5]
		t.Fatalf("got %+v", got)
	}
	if e := got[0].Props.MessageExpiry; e > 55 || e < 54 { // [MQTT-3.3.2-6] the remaining interval
		t.Fatalf("Message Expiry %d, want the remaining 55", e)
	}
}

func TestV5TakeoverSendsDisconnect(t *testing.T) {
	tb := newTestBroker(t, 2, Options{})
	first := tb.dial(0)
	first.connectV5("dup", true, codec.Properties{})
	second := tb.dial(1)
	second.connectV5("dup", true, codec.Properties{})
	tb.run()
	tb.closeClosed()
	f, ok := first.first()
	if !ok || f.Type != codec.DISCONNECT || len(f.Body) < 1 || codec.ReasonCode(f.Body[0]) != codec.SessionTakenOver {
		t.Fatalf("want DISCONNECT session taken over, got %v", f) // [MQTT-3.1.4-3]
	}
	if !first.tr.closed {
		t.Fatal("old connection not closed")
	}
}

func connectV5WithWill(id string, sessionExpiry, willDelay uint32) []byte {
	p := codec.Connect{Version: codec.V5, ClientID: []byte(id), KeepAlive: 0,
		Props:    codec.Properties{SessionExpiry: sessionExpiry},
		WillFlag: true, Will: codec.Will{Topic: []byte("wills/" + id), Payload: []byte("gone"),
			Props: codec.Properties{WillDelay: willDelay, ContentType: []byte("text/plain")}}}
	return p.Append(nil, codec.V5)
}

func TestV5WillDelay(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	watch := tb.dial(0)
	watch.connectV5("watch", true, codec.Properties{})
	watch.subscribeV5("wills/#", codec.Subscription{}, 0)

	c := tb.dial(0)
	c.v = codec.V5
	c.send(connectV5WithWill("late", 60, 10))
	c.drop()
	tb.clock.Advance(5 * time.Second)
	tb.b.fireDueWills(tb.clock.Now())
	if got := watch.publishes(); len(got) != 0 {
		t.Fatalf("will published before its delay: %+v", got) // [MQTT-3.1.3-9]
	}
	tb.clock.Advance(6 * time.Second)
	tb.b.fireDueWills(tb.clock.Now())
	tb.run()
	got := watch.publishes()
	if len(got) != 1 || string(got[0].Topic) != "wills/late" || string(got[0].Props.ContentType) != "text/plain" {
		t.Fatalf("delayed will: %+v", got)
	}
}

func TestV5WillCancelledWhenSessionResumes(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	watch := tb.dial(0)
	watch.connectV5("watch", true, codec.Properties{})
	watch.subscribeV5("wills/#", codec.Subscription{}, 0)
	c := tb.dial(0)
	c.v = codec.V5
	c.send(connectV5WithWill("back", 60, 10))
	c.drop()
	again := tb.dial(0)
	again.connectV5("back", false, codec.Properties{SessionExpiry: 60})
	tb.clock.Advance(20 * time.Second)
	tb.b.fireDueWills(tb.clock.Now())
	tb.run()
	if got := watch.publishes(); len(got) != 0 {
		t.Fatalf("will published although the session resumed: %+v", got)
	}
}

func TestV5WillAtSessionEndBeforeDelay(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	watch := tb.dial(0)
	watch.connectV5("watch", true, codec.Properties{})
	watch.subscribeV5("wills/#", codec.Subscription{}, 0)
	c := tb.dial(0)
	c.v = codec.V5
	c.send(connectV5WithWill("short", 2, 600))
	c.drop()
	tb.clock.Advance(3 * time.Second)
	tb.b.expireSessions(tb.clock.Now())
	tb.run()
	if got := watch.publishes(); len(got) != 1 || string(got[0].Payload) != "gone" {
		t.Fatalf("will not published when the session ended first: %+v", got)
	}
}

func TestV5DisconnectWithWillMessageAndExpiryChange(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	watch := tb.dial(0)
	watch.connectV5("watch", true, codec.Properties{})
	watch.subscribeV5("wills/#", codec.Subscription{}, 0)
	c := tb.dial(0)
	c.v = codec.V5
	c.send(connectV5WithWill("asks", 60, 0))
	d := codec.Disconnect{ReasonCode: codec.DisconnectWithWillMessage, Props: codec.Properties{SessionExpiry: 0, Present: 1 << codec.PropSessionExpiry}}
	c.send(d.Append(nil, codec.V5))
	if got := watch.publishes(); len(got) != 1 {
		t.Fatalf("DISCONNECT 0x04 did not publish the will: %+v", got)
	}
	if _, ok := tb.b.sessions["asks"]; ok {
		t.Fatal("DISCONNECT with Session Expiry 0 kept the session")
	}
	// Raising the expiry from 0 at DISCONNECT is a protocol error.
	e := tb.dial(0)
	e.connectV5("zero", false, codec.Properties{})
	d = codec.Disconnect{Props: codec.Properties{SessionExpiry: 30}}
	e.send(d.Append(nil, codec.V5))
	f, ok := e.first()
	if !ok || f.Type != codec.DISCONNECT || codec.ReasonCode(f.Body[0]) != codec.ProtocolError {
		t.Fatalf("want DISCONNECT protocol error, got %v", f) // [MQTT-3.14.2-2]
	}
}

func TestV5DelayedWillNotSentOnTakeover(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	watch := tb.dial(0)
	watch.connectV5("watch", true, codec.Properties{})
	watch.subscribeV5("wills/#", codec.Subscription{}, 0)
	first := tb.dial(0)
	first.v = codec.V5
	first.send(connectV5WithWill("moved", 60, 5))
	second := tb.dial(0)
	second.connectV5("moved", false, codec.Properties{SessionExpiry: 60})
	tb.run()
	tb.closeClosed()
	tb.clock.Advance(10 * time.Second)
	tb.b.fireDueWills(tb.clock.Now())
	tb.run()
	if got := watch.publishes(); len(got) != 0 {
		t.Fatalf("delayed will sent although the session was taken over: %+v", got) // [MQTT-3.1.3-9]
	}
}

// max_qos and max_topic_alias of a listener: its MQTT 5 clients are told
// in CONNACK, subscriptions are granted at most the maximum
// [MQTT-3.2.2-10], a PUBLISH above it or an alias past the maximum closes
// the connection with the reason, and a Will QoS above it is refused
// [MQTT-3.2.2-12]. Clients of other listeners keep the defaults.
func TestListenerMaxQoSAndTopicAliases(t *testing.T) {
	one := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1884}
	zero := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1885}
	tb := newTestBroker(t, 1, Options{Listeners: []Listener{
		{Network: "tcp4", Address: one.String(), Security: &Security{LimitQoS: true, MaxQoS: 1, LimitTopicAliases: true, TopicAliasMax: 2}},
		{Network: "tcp4", Address: zero.String(), Security: &Security{LimitQoS: true, MaxQoS: 0, LimitTopicAliases: true, TopicAliasMax: 0}},
		{Network: "tcp4", Address: "127.0.0.1:1886"},
	}})
	// disconnected checks the reason sent before the close send reported.
	disconnected := func(c *testClient, rc codec.ReasonCode) {
		t.Helper()
		f, ok := c.first()
		if !ok || f.Type != codec.DISCONNECT || len(f.Body) < 1 || codec.ReasonCode(f.Body[0]) != rc {
			t.Fatalf("want DISCONNECT %v, got %v", rc, f)
		}
	}
	c := tb.dialOn(0, one)
	ack := c.connectV5("one", true, codec.Properties{})
	if !ack.Props.Has(codec.PropMaximumQoS) || ack.Props.MaximumQoS != 1 || ack.Props.TopicAliasMaximum != 2 {
		t.Fatalf("CONNACK on the max_qos 1 listener: %+v", ack.Props)
	}
	if codes := c.subscribeV5("t/#", codec.Subscription{QoS: 2}, 0); len(codes) != 1 || codes[0] != 1 {
		t.Fatalf("SUBSCRIBE at QoS 2 granted %v, want QoS 1", codes)
	}
	if !c.send(publishV5("t/a", "ok", 1, 1, codec.Properties{TopicAlias: 2})) {
		t.Fatal("a QoS 1 PUBLISH with alias 2 closed the connection")
	}
	if got := c.publishes(); len(got) != 1 || got[0].QoS != 1 {
		t.Fatalf("own message back: %+v", got)
	}
	if c.send(publishV5("t/b", "x", 0, 0, codec.Properties{TopicAlias: 3})) {
		t.Fatal("alias 3 past the maximum of 2 accepted")
	}
	disconnected(c, codec.TopicAliasInvalid)
	c = tb.dialOn(0, one)
	c.connectV5("one-b", true, codec.Properties{})
	if c.send(publishV5("t/a", "too high", 2, 1, codec.Properties{})) {
		t.Fatal("a QoS 2 PUBLISH on the max_qos 1 listener left the connection open")
	}
	disconnected(c, codec.QoSNotSupported)

	z := tb.dialOn(0, zero)
	ack = z.connectV5("zero", true, codec.Properties{})
	if !ack.Props.Has(codec.PropMaximumQoS) || ack.Props.MaximumQoS != 0 || ack.Props.Has(codec.PropTopicAliasMaximum) {
		t.Fatalf("CONNACK on the max_qos 0 listener: %+v (want Maximum QoS 0, no aliases)", ack.Props)
	}
	old := tb.dialOn(0, zero) // 3.1.1 clients are not told, but held to it
	old.connect("zero-311", true)
	if old.send(publishPacket("t/a", "x", 1, false, 1)) {
		t.Fatal("3.1.1 QoS 1 PUBLISH on the max_qos 0 listener left the connection open")
	}
	w := tb.dialOn(0, zero)
	w.v = codec.V5
	conn := codec.Connect{Version: codec.V5, ClientID: []byte("will"), CleanStart: true, WillFlag: true,
		Will: codec.Will{Topic: []byte("w"), Payload: []byte("bye"), QoS: 1}}
	if w.send(conn.Append(nil, codec.V5)) {
		t.Fatal("CONNECT with a Will QoS above max_qos left the connection open")
	}
	if rc, _ := connackCode(t, w, codec.V5); rc != codec.QoSNotSupported {
		t.Fatalf("CONNECT with will QoS 1 on max_qos 0: CONNACK %v, want 0x9B", rc)
	}

	d := tb.dialOn(0, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1886})
	ack = d.connectV5("default", true, codec.Properties{})
	if ack.Props.Has(codec.PropMaximumQoS) || ack.Props.TopicAliasMaximum != serverTopicAliasMax {
		t.Fatalf("CONNACK on a listener without limits: %+v", ack.Props)
	}
	if codes := d.subscribeV5("t/#", codec.Subscription{QoS: 2}, 0); len(codes) != 1 || codes[0] != 2 {
		t.Fatalf("SUBSCRIBE at QoS 2 without limits granted %v", codes)
	}
}

// mount_point: a listener's clients live under a topic prefix. What they
// publish (their wills too) gets it, what they subscribe and unsubscribe
// gets it, and what they receive loses it; clients elsewhere see the
// prefixed topics and nothing outside the prefix reaches the mounted ones.
func TestListenerMountPoint(t *testing.T) {
	mnt := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1887}
	tb := newTestBroker(t, 2, Options{Listeners: []Listener{
		{Network: "tcp4", Address: mnt.String(), Security: &Security{MountPoint: "tenant/a/"}},
		{Network: "tcp4", Address: "127.0.0.1:1888"},
	}})
	topics := func(c *testClient) []string {
		var out []string
		for _, p := range c.publishes() {
			out = append(out, string(p.Topic)+"="+string(p.Payload))
		}
		return out
	}
	outside := tb.dial(1)
	outside.connect("outside", true)
	outside.subscribe("#", 0)
	// A retained message under the prefix, before the mounted client comes.
	outside.send(publishPacket("tenant/a/r", "kept", 0, true, 0))
	outside.packets()
	in := tb.dialOn(0, mnt)
	in.connect("inside", true)
	in.send(subscribePacket(7, "x/#", 0))
	in.send(subscribePacket(8, "r", 0))
	in.send(subscribePacket(9, "$share/g/s", 0))
	if got := topics(in); len(got) != 1 || got[0] != "r=kept" {
		t.Fatalf("retained under the mount point: %v, want r=kept", got)
	}
	in.send(publishPacket("x/1", "from inside", 0, false, 0))
	if got := topics(outside); len(got) != 1 || got[0] != "tenant/a/x/1=from inside" {
		t.Fatalf("outside saw %v, want the prefixed topic", got)
	}
	if got := topics(in); len(got) != 1 || got[0] != "x/1=from inside" {
		t.Fatalf("inside saw its own message as %v", got)
	}
	outside.send(publishPacket("tenant/a/x/2", "to inside", 0, false, 0))
	outside.send(publishPacket("x/3", "outside the mount", 0, false, 0))
	outside.send(publishPacket("tenant/a/s", "shared", 0, false, 0))
	outside.send(publishPacket("tenant/a", "no name left", 0, false, 0)) // matches tenant/a/# one level up
	tb.run()
	if got := topics(in); len(got) != 2 || got[0] != "x/2=to inside" || got[1] != "s=shared" {
		t.Fatalf("inside got %v, want x/2 and the shared s only", got)
	}
	in.send((&codec.Unsubscribe{PacketID: 10, Filters: [][]byte{[]byte("x/#")}}).Append(nil, codec.V311))
	outside.send(publishPacket("tenant/a/x/4", "after unsubscribe", 0, false, 0))
	tb.run()
	if got := topics(in); len(got) != 0 {
		t.Fatalf("inside still receives after UNSUBSCRIBE x/#: %v", got)
	}
	outside.packets()
	w := tb.dialOn(0, mnt)
	conn := codec.Connect{Version: codec.V311, ClientID: []byte("willing"), CleanStart: true, WillFlag: true,
		Will: codec.Will{Topic: []byte("gone"), Payload: []byte("bye")}}
	w.send(conn.Append(nil, codec.V311))
	w.first()
	w.drop()
	tb.run()
	if got := topics(outside); len(got) != 1 || got[0] != "tenant/a/gone=bye" {
		t.Fatalf("will of a mounted client seen outside as %v", got)
	}
}
