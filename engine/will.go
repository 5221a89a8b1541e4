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
// its connection closed; it fires once, by timer or at session end, unless
// the session resumes first.
type pendingWill struct {
	b     *Broker
	w     *will
	info  ClientInfo
	once  sync.Once
	timer *time.Timer
}

// closeWill decides what happens to the will of a connection that ended
// without a normal DISCONNECT: published now, or after its delay (the
// earlier of the delay and the end of the session) [MQTT-3.1.3-9].
func (b *Broker) closeWill(lp *loop, c *conn, w *will) {
	s := c.session
	if w.delay == 0 || s == nil || s.expiry() == 0 || c.takenOver.Load() {
		b.publishWill(lp, w, &c.info)
		w.msg.release()
		return
	}
	pw := &pendingWill{b: b, w: w, info: c.info}
	s.mu.Lock()
	old := s.pendingWill
	s.pendingWill = pw
	s.mu.Unlock()
	old.cancel()
	pw.timer = time.AfterFunc(time.Duration(w.delay)*time.Second, func() {
		s.mu.Lock()
		mine := s.pendingWill == pw
		if mine {
			s.pendingWill = nil
		}
		s.mu.Unlock()
		if mine {
			pw.fireNow()
		}
	})
}

// fireNow publishes the will (once). Safe on nil.
func (pw *pendingWill) fireNow() {
	if pw == nil {
		return
	}
	pw.once.Do(func() {
		if pw.timer != nil {
			pw.timer.Stop()
		}
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
		if pw.timer != nil {
			pw.timer.Stop()
		}
		pw.w.msg.release()
	})
}
