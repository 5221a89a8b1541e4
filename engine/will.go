package engine

import (
	"sync"
	"time"
)

// will is a connection's Will Message, copied out of CONNECT.
type will struct {
	msg    message // holds one reference
	retain bool
	delay  uint32 // MQTT 5 Will Delay Interval, seconds
}

// pendingWill is a Will Message waiting for its Will Delay Interval after
// its connection closed; it fires once, when due or at session end, unless
// the session resumes first.
type pendingWill struct {
	b    *Broker
	s    *session
	w    *will
	info ClientInfo
	due  time.Time
	once sync.Once
}

// closeWill decides what happens to the will of a connection that ended
// without a normal DISCONNECT: published now, or after its delay (the
// earlier of the delay and the end of the session) [MQTT-3.1.3-9].
func (b *Broker) closeWill(lp *loop, c *conn, w *will) {
	s := c.session
	if w.delay > 0 && s != nil && c.takenOver.Load() {
		s.mu.Lock()
		resumed := !s.expired
		s.mu.Unlock()
		if resumed {
			// A new connection took the session over within the delay:
			// the will is not sent [MQTT-3.1.3-9].
			w.msg.release()
			return
		}
	}
	if w.delay == 0 || s == nil || s.expiry() == 0 || c.takenOver.Load() {
		b.publishWill(lp, w, &c.info)
		w.msg.release()
		return
	}
	pw := &pendingWill{b: b, s: s, w: w, info: c.info, due: b.opts.Now().Add(time.Duration(w.delay) * time.Second)}
	s.mu.Lock()
	old := s.pendingWill
	s.pendingWill = pw
	s.mu.Unlock()
	old.cancel()
	b.willsMu.Lock()
	b.wills[pw] = struct{}{}
	b.willsMu.Unlock()
	b.nudgeExpiry()
}

// willsDelayed reports whether any will waits for its delay.
func (b *Broker) willsDelayed() bool {
	b.willsMu.Lock()
	defer b.willsMu.Unlock()
	return len(b.wills) > 0
}

// fireDueWills publishes the delayed wills whose delay has passed at now;
// housekeeping calls it every second while any is delayed.
func (b *Broker) fireDueWills(now time.Time) {
	var due []*pendingWill
	b.willsMu.Lock()
	for pw := range b.wills {
		if !now.Before(pw.due) {
			due = append(due, pw)
		}
	}
	b.willsMu.Unlock()
	for _, pw := range due {
		s := pw.s
		s.mu.Lock()
		mine := s.pendingWill == pw
		if mine {
			s.pendingWill = nil
		}
		s.mu.Unlock()
		if mine {
			pw.fireNow()
		}
	}
}

// forget removes pw from the broker's list of delayed wills.
func (pw *pendingWill) forget() {
	pw.b.willsMu.Lock()
	delete(pw.b.wills, pw)
	pw.b.willsMu.Unlock()
}

// fireNow publishes the will (once). Safe on nil.
func (pw *pendingWill) fireNow() {
	if pw == nil {
		return
	}
	pw.once.Do(func() {
		pw.forget()
		pw.b.withLocal(func(lp *loop) { pw.b.publishWill(lp, pw.w, &pw.info) })
		pw.w.msg.release()
	})
}

// cancel drops the will without publishing it. Safe on nil.
func (pw *pendingWill) cancel() {
	if pw == nil {
		return
	}
	pw.once.Do(func() {
		pw.forget()
		pw.w.msg.release()
	})
}
