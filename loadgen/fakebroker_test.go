package loadgen

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"
)

// fakeBroker is an in-process broker for the fleet's tests: it routes
// publishes to matching subscriptions synchronously and can misbehave on
// purpose (drop, duplicate, reorder, stall) through its hooks.
type fakeBroker struct {
	mu     sync.Mutex
	subs   []*fakeSub
	shared map[string]int // $share group -> next member (round robin)
	// deliver decides what happens to one delivery; nil delivers once.
	// It may call send zero, one or more times, now or later.
	deliver  func(topic string, payload []byte, send func([]byte))
	dials    int
	retained map[string][]byte
	refuse   func(n int) error // n-th dial (from 1) fails when it returns an error
	// publishDelay makes every Publish call take this long.
	publishDelay time.Duration
}

type fakeSub struct {
	filter, group string
	conn          *fakeConn
}

type fakeConn struct {
	b       *fakeBroker
	spec    ConnSpec
	mu      sync.Mutex // one delivery at a time, as a reader goroutine would
	closed  bool
	dropped bool
}

func (b *fakeBroker) Dial(ctx context.Context, spec ConnSpec) (Conn, error) {
	b.mu.Lock()
	b.dials++
	n := b.dials
	b.mu.Unlock()
	if b.refuse != nil {
		if err := b.refuse(n); err != nil {
			return nil, err
		}
	}
	return &fakeConn{b: b, spec: spec}, ctx.Err()
}

func (c *fakeConn) Subscribe(_ context.Context, filter string, _ byte) error {
	group := ""
	if rest, ok := strings.CutPrefix(filter, "$share/"); ok {
		group, filter, _ = strings.Cut(rest, "/")
	}
	c.b.mu.Lock()
	c.b.subs = append(c.b.subs, &fakeSub{filter: filter, group: group, conn: c})
	var kept [][2]string
	for t, p := range c.b.retained {
		if group == "" && topicMatches(filter, t) {
			kept = append(kept, [2]string{t, string(p)})
		}
	}
	c.b.mu.Unlock()
	for _, m := range kept {
		c.receive(m[0], []byte(m[1]))
	}
	return nil
}

func (c *fakeConn) Publish(_ context.Context, topic string, payload []byte, _ byte, retain bool) error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return errors.New("fake: connection closed")
	}
	if c.b.publishDelay > 0 {
		time.Sleep(c.b.publishDelay)
	}
	b := c.b
	b.mu.Lock()
	if retain {
		if b.retained == nil {
			b.retained = map[string][]byte{}
		}
		if len(payload) == 0 {
			delete(b.retained, topic)
		} else {
			b.retained[topic] = append([]byte(nil), payload...)
		}
	}
	var targets []*fakeConn
	groups := map[string][]*fakeConn{}
	for _, s := range b.subs {
		if !topicMatches(s.filter, topic) {
			continue
		}
		if s.group != "" {
			groups[s.group] = append(groups[s.group], s.conn)
			continue
		}
		targets = append(targets, s.conn)
	}
	for g, members := range groups {
		if b.shared == nil {
			b.shared = map[string]int{}
		}
		targets = append(targets, members[b.shared[g]%len(members)])
		b.shared[g]++
	}
	deliver := b.deliver
	b.mu.Unlock()
	for _, t := range targets {
		msg := append([]byte(nil), payload...)
		if deliver == nil {
			t.receive(topic, msg)
			continue
		}
		deliver(topic, msg, func(p []byte) { t.receive(topic, p) })
	}
	return nil
}

func (c *fakeConn) receive(topic string, payload []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed && c.spec.OnMessage != nil {
		c.spec.OnMessage(topic, payload)
	}
}

func (c *fakeConn) Flush(context.Context) error { return nil }

func (c *fakeConn) Disconnect() error { return c.close(false) }
func (c *fakeConn) Drop() error       { return c.close(true) }

func (c *fakeConn) close(drop bool) error {
	c.mu.Lock()
	c.closed, c.dropped = true, drop
	c.mu.Unlock()
	b := c.b
	b.mu.Lock()
	kept := b.subs[:0]
	for _, s := range b.subs {
		if s.conn != c {
			kept = append(kept, s)
		}
	}
	b.subs = kept
	b.mu.Unlock()
	return nil
}

// topicMatches is MQTT filter matching with '+' and '#'.
func topicMatches(filter, topic string) bool {
	f, t := strings.Split(filter, "/"), strings.Split(topic, "/")
	for i, l := range f {
		if l == "#" {
			return true
		}
		if i >= len(t) || (l != "+" && l != t[i]) {
			return false
		}
	}
	return len(f) == len(t)
}
