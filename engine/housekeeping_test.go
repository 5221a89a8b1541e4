package engine

import (
	"fmt"
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

// The expiry pass looks only at offline sessions that can expire: online
// sessions and sessions kept forever are not visited, however many.
func TestExpiryPassLooksOnlyAtMortalSessions(t *testing.T) {
	tb := newTestBroker(t, 1, Options{})
	mortal := func() int {
		tb.b.sessMu.Lock()
		defer tb.b.sessMu.Unlock()
		return len(tb.b.mortal)
	}
	for i := range 20 {
		c := tb.dial(0)
		c.connectV5(fmt.Sprintf("online%d", i), false, codec.Properties{SessionExpiry: 10})
	}
	for i := range 3 {
		c := tb.dial(0)
		c.send(connectPacket(fmt.Sprintf("forever%d", i), false, 60))
		c.drop()
	}
	m := tb.dial(0)
	m.connectV5("m", false, codec.Properties{SessionExpiry: 10})
	m.drop()
	if n := mortal(); n != 1 {
		t.Fatalf("%d sessions indexed, want only the offline one with an expiry", n)
	}

	// Back online, it leaves the index; offline again, it returns.
	back := tb.dial(0)
	back.connectV5("m", false, codec.Properties{SessionExpiry: 10})
	if n := mortal(); n != 0 {
		t.Fatalf("a resumed session is still indexed (%d)", n)
	}
	// An entry left behind by a race with the resume is dropped by the
	// pass, which expires nothing.
	tb.b.sessMu.Lock()
	tb.b.mortal[back.c.session] = struct{}{}
	tb.b.sessMu.Unlock()
	if tb.b.expireSessions(tb.clock.Now().Add(time.Hour)) || mortal() != 0 {
		t.Fatal("an online session kept the pass running or stayed indexed")
	}
	back.drop()
	if n := mortal(); n != 1 {
		t.Fatalf("%d sessions indexed after going offline again", n)
	}

	if !tb.b.expireSessions(tb.clock.Now().Add(5 * time.Second)) {
		t.Error("the pass stopped while a session has 5 s left")
	}
	if tb.b.expireSessions(tb.clock.Now().Add(11*time.Second)) || mortal() != 0 {
		t.Error("the pass kept running or indexing after the only mortal session expired")
	}
	tb.b.sessMu.Lock()
	_, stillThere := tb.b.sessions["m"]
	kept := len(tb.b.sessions)
	tb.b.sessMu.Unlock()
	if stillThere || kept != 23 {
		t.Errorf("after expiry: m still there %v, %d sessions kept (want the 20 online and 3 forever)", stillThere, kept)
	}
}
