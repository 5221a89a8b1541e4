package engine

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/midge-mqtt/midge/codec"
)

func TestDeliveryQoSIsMinimumOfPublishAndSubscription(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	sub := tb.dial(0)
	sub.connect("sub", true)
	sub.subscribe("t", 1)
	pub := tb.dial(0)
	pub.connect("pub", true)
	pub.send(publishPacket("t", "two", 2, false, 9))
	pub.send(publishPacket("t", "zero", 0, false, 0))
	got := sub.publishes()
	if len(got) != 2 || got[0].QoS != 1 || got[1].QoS != 0 { // [MQTT-3.8.4-6]
		t.Fatalf("got %+v", got)
	}
}

// The publisher's acknowledgement can wait; the delivery is the message's
// latency. Both come out of one read, and the subscribers are written to
// first.
func TestDeliveriesAreWrittenBeforeThePublishersAck(t *testing.T) {
	for _, qos := range []byte{0, 1, 2} {
		tb := newTestBroker(t, 1, Options{})
		var subs []*testClient
		for i := range 3 {
			s := tb.dial(0)
			s.connect(fmt.Sprintf("sub%d", i), true)
			s.subscribe("t", qos)
			subs = append(subs, s)
		}
		pub := tb.dial(0)
		pub.connect("pub", true)
		pub.packets()
		// Two PUBLISHes in one read: the second one's delivery joins the
		// subscribers' pending output, which still leaves first.
		raw := append(publishPacket("t", "a", qos, false, 1), publishPacket("t", "b", qos, false, 2)...)
		pub.send(raw)
		acks := pub.packets()
		if qos > 0 && (len(acks) != 2 || pub.tr.writes == 0) {
			t.Fatalf("QoS %d: publisher got %v", qos, acks)
		}
		for i, s := range subs {
			if got := s.publishes(); len(got) != 2 {
				t.Fatalf("QoS %d: subscriber %d got %d messages", qos, i, len(got))
			}
			if qos > 0 && s.tr.lastWrite > pub.tr.lastWrite {
				t.Fatalf("QoS %d: subscriber %d was written at %d, after the publisher's ack at %d", qos, i, s.tr.lastWrite, pub.tr.lastWrite)
			}
		}
	}
}

// A write that fails closes its connection from inside the flush, and the
// close ends the turn again; every other connection is still written once.
func TestWriteThatClosesInsideTheFlushLeavesTheRestWritten(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	var subs []*testClient
	for i := range 4 {
		s := tb.dial(0)
		s.connect(fmt.Sprintf("sub%d", i), true)
		s.subscribe("t", 1)
		s.packets()
		subs = append(subs, s)
	}
	pub := tb.dial(0)
	pub.connect("pub", true)
	pub.packets()
	before := make([]int, len(subs))
	for i, s := range subs {
		before[i] = s.tr.writes
	}
	bad := subs[1]
	bad.tr.onWrite = func() {
		bad.c.closed(net.ErrClosed)
		bad.lp.endTurn()
	}
	pub.send(publishPacket("t", "m", 1, false, 1))
	if acks := pub.packets(); len(acks) != 1 || acks[0].Type != codec.PUBACK {
		t.Fatalf("publisher got %v", acks)
	}
	for i, s := range subs {
		if s == bad {
			if !s.c.sysClosed || s.tr.writes != before[i] {
				t.Fatalf("failed subscriber: closed %v, writes %d", s.c.sysClosed, s.tr.writes-before[i])
			}
			continue
		}
		if got := s.publishes(); len(got) != 1 || s.tr.writes-before[i] != 1 {
			t.Fatalf("subscriber %d got %d messages in %d writes", i, len(got), s.tr.writes-before[i])
		}
	}
	if lp := pub.lp; len(lp.dirty) != 0 || lp.flushed != 0 {
		t.Fatalf("dirty list left with %d entries, cursor %d", len(lp.dirty), lp.flushed)
	}
}

func TestInboundQoS2DeliveredExactlyOnce(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	sub := tb.dial(0)
	sub.connect("sub", true)
	sub.subscribe("t", 2)
	pub := tb.dial(0)
	pub.connect("pub", true)
	pub.send(publishPacket("t", "once", 2, false, 5))
	dup := codec.Publish{Topic: []byte("t"), Payload: []byte("once"), QoS: 2, PacketID: 5, Dup: true}
	pub.send(dup.Append(nil, codec.V311))
	acks := pub.packets()
	if len(acks) != 2 || acks[0].Type != codec.PUBREC || acks[1].Type != codec.PUBREC {
		t.Fatalf("want PUBREC twice, got %v", acks)
	}
	if got := sub.publishes(); len(got) != 1 { // [MQTT-4.3.3-2]
		t.Fatalf("re-sent QoS 2 PUBLISH delivered %d times", len(got))
	}
	pub.send(ackPacket(codec.PUBREL, 5))
	if pk := pub.packets(); len(pk) != 1 || pk[0].Type != codec.PUBCOMP {
		t.Fatalf("want PUBCOMP, got %v", pk)
	}
	pub.send(publishPacket("t", "again", 2, false, 5)) // identifier free again
	if got := sub.publishes(); len(got) != 1 || string(got[0].Payload) != "again" {
		t.Fatalf("new message with a released identifier: %v", got)
	}
}

func TestOutboundQoS2Flow(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	sub := tb.dial(0)
	sub.connect("sub", true)
	sub.subscribe("t", 2)
	pub := tb.dial(0)
	pub.connect("pub", true)
	pub.send(publishPacket("t", "x", 2, false, 1))
	got := sub.publishes()
	if len(got) != 1 || got[0].QoS != 2 || got[0].PacketID == 0 {
		t.Fatalf("got %+v", got)
	}
	sub.send(ackPacket(codec.PUBREC, got[0].PacketID))
	if pk := sub.packets(); len(pk) != 1 || pk[0].Type != codec.PUBREL || pk[0].Flags != 2 {
		t.Fatalf("want PUBREL with flags 0010, got %v", pk) // [MQTT-3.6.1-1]
	}
	sub.send(ackPacket(codec.PUBCOMP, got[0].PacketID))
	s := sub.c.session
	if len(s.inflight) != 0 {
		t.Fatalf("inflight after PUBCOMP: %d", len(s.inflight))
	}
}

// A read full of PUBLISH packets reaches a subscriber in one write, in
// order, whatever their size: small ones are copied into the output arena
// (more arenas are taken as they fill), larger ones go as views.
func TestOneReadOfManyPublishesIsOneWrite(t *testing.T) {
	for _, tc := range []struct {
		qos byte
		v5  bool
	}{{0, false}, {1, false}, {0, true}, {1, true}} {
		qos := tc.qos
		tb := newTestBroker(t, 1, Options{MaxInflightMessages: 1000})
		sub := tb.dial(0)
		if tc.v5 {
			sub.connectV5("sub", true, codec.Properties{})
			sub.subscribeV5("t/#", codec.Subscription{QoS: qos}, 0)
		} else {
			sub.connect("sub", true)
			sub.subscribe("t/#", qos)
		}
		sub.packets()
		pub := tb.dial(0)
		pub.connect("pub", true)
		pub.packets()
		var raw []byte
		var want []string
		for i := range 300 {
			payload := fmt.Sprintf("%03d", i)
			if i%50 == 7 {
				payload += strings.Repeat("L", 1000) // past inlineMax
			}
			want = append(want, payload)
			raw = append(raw, publishPacket(fmt.Sprintf("t/%d", i), payload, qos, false, uint16(i+1))...)
		}
		before := sub.tr.writes
		if !pub.send(raw) {
			t.Fatal("publisher closed")
		}
		if w := sub.tr.writes - before; w != 1 {
			t.Fatalf("QoS %d: %d writes to the subscriber, want 1", qos, w)
		}
		got := sub.publishes()
		if len(got) != len(want) {
			t.Fatalf("QoS %d: got %d messages, want %d", qos, len(got), len(want))
		}
		for i, p := range got {
			if string(p.Payload) != want[i] || string(p.Topic) != fmt.Sprintf("t/%d", i) {
				t.Fatalf("QoS %d: message %d is %q on %q", qos, i, p.Payload[:3], p.Topic)
			}
		}
		if c := sub.c; c.arena != nil || len(c.spent) != 0 || len(c.holds) != 0 || len(c.iov) != 0 {
			t.Fatalf("QoS %d: output left after the flush: arena %v, %d spent, %d holds, %d iovecs", qos, c.arena != nil, len(c.spent), len(c.holds), len(c.iov))
		}
	}
}

func TestInflightWindowHoldsTheRestInOrder(t *testing.T) {
	tb := newTestBroker(t, 1, Options{MaxInflightMessages: 2})
	sub := tb.dial(0)
	sub.connect("sub", true)
	sub.subscribe("t", 1)
	pub := tb.dial(0)
	pub.connect("pub", true)
	for i := range 5 {
		pub.send(publishPacket("t", fmt.Sprint(i), 1, false, uint16(i+1)))
	}
	got := sub.publishes()
	if len(got) != 2 {
		t.Fatalf("window of 2 sent %d", len(got))
	}
	var seen []string
	for len(got) > 0 {
		p := got[0]
		seen = append(seen, string(p.Payload))
		sub.send(ackPacket(codec.PUBACK, p.PacketID))
		got = append(got[1:], sub.publishes()...)
	}
	if fmt.Sprint(seen) != "[0 1 2 3 4]" { // [MQTT-4.6.0-2] order kept
		t.Fatalf("order %v", seen)
	}
}

// max_inflight_bytes bounds the window in payload bytes: a message goes in
// flight only if the window then holds at most that many, or alone when it
// is larger; the queue drains in order as acknowledgements free room.
func TestInflightWindowBoundedInBytes(t *testing.T) {
	tb := newTestBroker(t, 1, Options{MaxInflightMessages: 100, MaxInflightBytes: 100})
	sub := tb.dial(0)
	sub.connect("sub", true)
	sub.subscribe("t", 1)
	sub.packets()
	pub := tb.dial(0)
	pub.connect("pub", true)
	pub.packets()
	sizes := []int{40, 40, 40, 150, 10, 60}
	for i, n := range sizes {
		pub.send(publishPacket("t", fmt.Sprintf("%d%s", i, strings.Repeat("x", n-1)), 1, false, uint16(i+1)))
	}
	// Each step: what goes out, then which message the subscriber acks.
	steps := []struct {
		sent string
		ack  int
	}{
		{"[0 1]", 0}, // 80 bytes; 40 more would be 120
		{"[2]", 1},   // 40 + 40
		{"", 2},      // 150 waits for an empty window
		{"[3]", 3},   // alone
		{"[4 5]", 4}, // 10 + 60
		{"", 5},
	}
	s := sub.c.session
	var window []codec.Publish
	for i, st := range steps {
		got := sub.publishes()
		var ids []string
		for _, p := range got {
			ids = append(ids, string(p.Payload[:1]))
		}
		if st.sent != "" && fmt.Sprint(ids) != st.sent || st.sent == "" && len(ids) != 0 {
			t.Fatalf("step %d: sent %v, want %s", i, ids, st.sent)
		}
		window = append(window, got...)
		if s.inflightBytes > 100 && len(s.inflight) > 1 {
			t.Fatalf("step %d: window holds %d bytes in %d messages", i, s.inflightBytes, len(s.inflight))
		}
		p := window[0]
		if want := fmt.Sprint(st.ack); string(p.Payload[:1]) != want {
			t.Fatalf("step %d: oldest in flight is %q, want %s", i, p.Payload[:1], want)
		}
		window = window[1:]
		sub.send(ackPacket(codec.PUBACK, p.PacketID))
	}
	if len(s.inflight) != 0 || s.inflightBytes != 0 || len(s.queue) != 0 {
		t.Fatalf("left %d in flight (%d bytes), %d queued", len(s.inflight), s.inflightBytes, len(s.queue))
	}
}

func TestPersistentSessionQueuesOfflineAndRedeliversWithDup(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	sub := tb.dial(0)
	sub.connect("sub", false)
	sub.subscribe("t", 1)
	pub := tb.dial(0)
	pub.connect("pub", true)
	pub.send(publishPacket("t", "unacked", 1, false, 1))
	if got := sub.publishes(); len(got) != 1 {
		t.Fatalf("online delivery: %v", got)
	}
	sub.drop() // without PUBACK
	pub.send(publishPacket("t", "offline1", 1, false, 2))
	pub.send(publishPacket("t", "offline0", 0, false, 0)) // QoS 0 not queued by default
	pub.send(publishPacket("t", "offline2", 2, false, 3))
	again := tb.dial(0)
	if !again.connect("sub", false) {
		t.Fatal("session not present")
	}
	got := again.publishes()
	if len(got) != 3 {
		t.Fatalf("after reconnect got %d messages: %+v", len(got), got)
	}
	if string(got[0].Payload) != "unacked" || !got[0].Dup { // [MQTT-4.4.0-1]
		t.Fatalf("unacknowledged message not re-sent with DUP: %+v", got[0])
	}
	if string(got[1].Payload) != "offline1" || got[1].Dup || string(got[2].Payload) != "offline2" || got[2].QoS != 1 {
		t.Fatalf("queued messages: %+v", got[1:])
	}
}

func TestOfflineQueueBounded(t *testing.T) {
	tb := newTestBroker(t, 1, Options{MaxQueuedMessages: 2, QueueQoS0Messages: true})
	sub := tb.dial(0)
	sub.connect("sub", false)
	sub.subscribe("t", 1)
	sub.drop()
	pub := tb.dial(0)
	pub.connect("pub", true)
	for i := range 5 {
		pub.send(publishPacket("t", fmt.Sprint(i), 0, false, 0))
	}
	snap := tb.b.stats.st.Snapshot()
	if snap.PublishDropped != 3 {
		t.Fatalf("dropped %d, want 3", snap.PublishDropped)
	}
	again := tb.dial(0)
	again.connect("sub", false)
	if got := again.publishes(); len(got) != 2 || string(got[0].Payload) != "0" {
		t.Fatalf("queued QoS 0: %+v", got)
	}
}

func TestSlowSubscriberLosesQoS0NotQoS1(t *testing.T) {
	tb := newTestBroker(t, 1, Options{OutboundLimit: 1000})
	slow := tb.dial(0)
	slow.connect("slow", true)
	slow.subscribe("t", 1)
	fast := tb.dial(0)
	fast.connect("fast", true)
	fast.subscribe("t", 0)
	slow.tr.buffered = 5000 // the peer stopped reading
	pub := tb.dial(0)
	pub.connect("pub", true)
	pub.send(publishPacket("t", "q0", 0, false, 0))
	pub.send(publishPacket("t", "q1", 1, false, 1))
	if got := fast.publishes(); len(got) != 2 {
		t.Fatalf("the fast subscriber suffered: %d messages", len(got))
	}
	got := slow.publishes()
	if len(got) != 1 || string(got[0].Payload) != "q1" {
		t.Fatalf("slow subscriber got %+v", got)
	}
	if d := tb.b.stats.st.Snapshot().PublishDropped; d != 1 {
		t.Fatalf("dropped counter %d, want 1", d)
	}
}

func TestCrossLoopDeliveriesTravelAsOneBatch(t *testing.T) {
	tb := newTestBroker(t, 2, Options{})
	sub := tb.dial(1)
	sub.connect("sub", true)
	sub.subscribe("t", 1)
	pub := tb.dial(0)
	pub.connect("pub", true)
	var read []byte
	for i := range 10 {
		read = append(read, publishPacket("t", fmt.Sprint(i), 1, false, uint16(i+1))...)
	}
	sub.tr.writes = 0
	if _, err := pub.c.handleBytes(read); err != nil {
		t.Fatal(err)
	}
	pub.lp.endTurn()
	if n := len(tb.execs[1].tasks); n != 1 {
		t.Fatalf("%d tasks posted to the subscriber's loop for one read, want 1", n)
	}
	tb.run()
	if sub.tr.writes != 1 {
		t.Fatalf("%d writes for one batch, want 1 writev", sub.tr.writes)
	}
	if got := sub.publishes(); len(got) != 10 {
		t.Fatalf("got %d of 10", len(got))
	}
}

func TestCrossLoopDeliveryToGoneConnectionFallsBackToSession(t *testing.T) {
	tb := newTestBroker(t, 2, Options{})
	sub := tb.dial(1)
	sub.connect("sub", false)
	sub.subscribe("t", 1)
	pub := tb.dial(0)
	pub.connect("pub", true)
	if _, err := pub.c.handleBytes(publishPacket("t", "late", 1, false, 1)); err != nil {
		t.Fatal(err)
	}
	pub.lp.endTurn() // the batch is posted, not yet run
	sub.drop()       // the connection goes before the batch runs
	tb.run()
	again := tb.dial(1)
	again.connect("sub", false)
	if got := again.publishes(); len(got) != 1 || string(got[0].Payload) != "late" {
		t.Fatalf("message for a gone connection lost: %+v", got)
	}
}

func TestUnsubscribeStopsDelivery(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	sub := tb.dial(0)
	sub.connect("sub", true)
	sub.subscribe("t/+", 0)
	sub.send((&codec.Unsubscribe{PacketID: 4, Filters: [][]byte{[]byte("t/+")}}).Append(nil, codec.V311))
	if pk := sub.packets(); len(pk) != 1 || pk[0].Type != codec.UNSUBACK {
		t.Fatalf("want UNSUBACK, got %v", pk) // [MQTT-3.10.4-4]
	}
	pub := tb.dial(0)
	pub.connect("pub", true)
	pub.send(publishPacket("t/a", "x", 0, false, 0))
	if got := sub.publishes(); len(got) != 0 {
		t.Fatalf("delivered after UNSUBSCRIBE: %v", got)
	}
}

func TestPersistentSessionExpires(t *testing.T) {
	tb := newTestBroker(t, 1, Options{PersistentClientExpiration: 60e9})
	sub := tb.dial(0)
	sub.connect("sub", false)
	sub.subscribe("t", 1)
	sub.drop()
	tb.b.expireSessions(tb.clock.Now().Add(30e9))
	if _, ok := tb.b.sessions["sub"]; !ok {
		t.Fatal("expired too early")
	}
	tb.b.expireSessions(tb.clock.Now().Add(61e9))
	if _, ok := tb.b.sessions["sub"]; ok {
		t.Fatal("not expired")
	}
	if n := tb.b.stats.st.Snapshot().ClientsExpired; n != 1 {
		t.Fatalf("clients expired = %d", n)
	}
	again := tb.dial(0)
	if again.connect("sub", false) {
		t.Fatal("expired session still present")
	}
}

func TestDisconnectedClientsGauge(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	gauge := func() int64 { return tb.b.stats.st.Snapshot().ClientsDisconnected }
	c := tb.dial(0)
	c.connect("p", false)
	c.drop()
	if g := gauge(); g != 1 {
		t.Fatalf("disconnected = %d after a persistent client left, want 1", g)
	}
	d := tb.dial(0)
	d.connect("p", true) // clean session discards the offline one
	if g := gauge(); g != 0 {
		t.Fatalf("disconnected = %d after the offline session was discarded, want 0", g)
	}
	if n := tb.b.stats.st.Snapshot().ClientsConnected; n != 1 {
		t.Fatalf("connected = %d, want 1", n)
	}
}

func TestSharedSubscriptionPrefersMembersThatKeepUp(t *testing.T) {
	tb := newTestBroker(t, 1, Options{MaxInflightMessages: 2})
	slow := tb.dial(0)
	slow.connect("slow", true)
	slow.subscribe("$share/g/jobs", 1)
	fast := tb.dial(0)
	fast.connect("fast", true)
	fast.subscribe("$share/g/jobs", 1)
	pub := tb.dial(0)
	pub.connect("pub", true)
	for i := range 4 {
		pub.send(publishPacket("jobs", fmt.Sprint(i), 1, false, uint16(i+1)))
		for _, p := range fast.publishes() { // fast acknowledges at once
			fast.send(ackPacket(codec.PUBACK, p.PacketID))
		}
	}
	// The slow member never acknowledges: once it has a backlog, the
	// fast one gets the rest.
	for i := 4; i < 20; i++ {
		pub.send(publishPacket("jobs", fmt.Sprint(i), 1, false, uint16(i+1)))
		for _, p := range fast.publishes() {
			fast.send(ackPacket(codec.PUBACK, p.PacketID))
		}
	}
	if n := slow.c.session.backlog.Load(); n > 2 {
		t.Fatalf("slow member holds %d messages; the group kept feeding it", n)
	}
	if len(slow.c.session.queue) != 0 {
		t.Fatal("messages queued behind the slow member")
	}
}

func TestPublishWithPacketIDZeroCloses(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	c := tb.dial(0)
	c.connect("zero", true)
	if c.send([]byte{0x32, 5, 0, 1, 't', 0, 0}) { // QoS 1, topic "t", id 0
		t.Fatal("QoS 1 PUBLISH with packet identifier 0 accepted") // [MQTT-2.3.1-1]
	}
	if pk := c.packets(); len(pk) != 0 {
		t.Fatalf("answered with %v", pk)
	}
}

// upgrade_outgoing_qos delivers at the granted QoS, live and retained
// messages alike; without it a delivery never exceeds the published QoS
// [MQTT-3.8.4-6].
func TestUpgradeOutgoingQoS(t *testing.T) {
	for _, upgrade := range []bool{false, true} {
		tb := newTestBroker(t, 2, Options{UpgradeOutgoingQoS: upgrade})
		pub := tb.dial(0)
		pub.connect("pub", true)
		pub.send(publishPacket("t/kept", "old", 0, true, 0))
		sub := tb.dial(1) // on the other loop: the delivery crosses loops
		sub.connect("sub", true)
		sub.send(subscribePacket(7, "t/#", 2))
		pub.send(publishPacket("t/live", "new", 1, false, 5))
		want := map[string]byte{"old": 0, "new": 1}
		if upgrade {
			want = map[string]byte{"old": 2, "new": 2}
		}
		got := sub.publishes()
		if len(got) != 2 {
			t.Fatalf("upgrade %v: %d deliveries, want the retained and the live one", upgrade, len(got))
		}
		for _, p := range got {
			if q := want[string(p.Payload)]; p.QoS != q || (q > 0) != (p.PacketID != 0) {
				t.Errorf("upgrade %v: %q delivered at QoS %d (packet id %d), want QoS %d", upgrade, p.Payload, p.QoS, p.PacketID, q)
			}
		}
	}
}
