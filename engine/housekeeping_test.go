package engine

import (
	"testing"
	"time"

	"github.com/midge-mqtt/midge/codec"
)

// nudged reports whether housekeeping was asked for an expiry pass, and
// takes the nudge.
func nudged(b *Broker) bool {
	select {
	case <-b.expiryWork:
		return true
	default:
		return false
	}
}

// The once-a-second expiry pass runs only while something can expire: a
// session that goes offline with a finite lifetime, or a delayed will,
// wakes it; a pass that finds nothing left lets it sleep.
func TestExpiryPassRunsOnlyWhileSomethingCanExpire(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	nudged(tb.b)

	// A 3.1.1 persistent session never expires without
	// persistent_client_expiration: nothing to wake for.
	p := tb.dial(0)
	p.send(connectPacket("forever", false, 60))
	p.drop()
	if nudged(tb.b) {
		t.Error("a session that never expires woke the expiry pass")
	}
	if tb.b.expireSessions(tb.clock.Now().Add(time.Hour)) {
		t.Error("a session that never expires keeps the expiry pass running")
	}

	// A 5.0 session with an expiry interval: wake, and keep running until
	// it has expired.
	c := tb.dial(0)
	c.connectV5("exp", false, codec.Properties{SessionExpiry: 10})
	c.drop()
	if !nudged(tb.b) {
		t.Fatal("a session that will expire did not wake the expiry pass")
	}
	if !tb.b.expireSessions(tb.clock.Now().Add(5 * time.Second)) {
		t.Error("the pass stopped while a session has 5 s left")
	}
	if tb.b.expireSessions(tb.clock.Now().Add(11 * time.Second)) {
		t.Error("the pass keeps running after the only expiring session expired")
	}

	// A delayed will wakes it too (its session never expires, so the
	// will alone asks), and keeps it running until it fired.
	w := tb.dial(0)
	w.v = codec.V5
	w.send(connectV5WithWill("late", 0xFFFFFFFF, 10))
	w.drop()
	if !nudged(tb.b) {
		t.Fatal("a delayed will did not wake the expiry pass")
	}
	if !tb.b.willsDelayed() {
		t.Fatal("no will delayed")
	}
	tb.clock.Advance(11 * time.Second)
	tb.b.fireDueWills(tb.clock.Now())
	tb.b.expireSessions(tb.clock.Now())
	tb.run()
	if tb.b.willsDelayed() {
		t.Error("a will is still delayed after it fired")
	}
}
