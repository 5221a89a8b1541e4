package matcher

import (
	"strings"
	"sync"
)

// RetainedIndex holds one retained value per topic, indexed by topic level
// so that Visit reaches the topics a filter matches without scanning the
// others. It is safe for concurrent use (a read-write lock: retained lookups
// run on SUBSCRIBE, not on every PUBLISH).
type RetainedIndex[V any] struct {
	mu    sync.RWMutex
	root  retainedNode[V]
	count int
}

type retainedNode[V any] struct {
	children map[string]*retainedNode[V]
	topic    string
	value    V
	has      bool
}

// Set stores v as the retained value of topic and reports whether it
// replaced one.
func (r *RetainedIndex[V]) Set(topic string, v V) (replaced bool) {
	_, replaced = r.Swap(topic, v)
	return replaced
}

// Swap stores v as the retained value of topic and returns the value it
// replaced, in one step (so a caller can release the old value without a
// lock of its own).
func (r *RetainedIndex[V]) Swap(topic string, v V) (old V, replaced bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := &r.root
	for level := range strings.SplitSeq(topic, "/") {
		c := n.children[level]
		if c == nil {
			if n.children == nil {
				n.children = make(map[string]*retainedNode[V])
			}
			c = &retainedNode[V]{}
			n.children[strings.Clone(level)] = c
		}
		n = c
	}
	old, replaced = n.value, n.has
	if !replaced {
		r.count++
		n.topic = strings.Clone(topic)
	}
	n.value, n.has = v, true
	return old, replaced
}

// Clear removes the retained value of topic and reports whether there was
// one.
func (r *RetainedIndex[V]) Clear(topic string) bool {
	_, had := r.Take(topic)
	return had
}

// Take removes the retained value of topic and returns it.
func (r *RetainedIndex[V]) Take(topic string) (old V, had bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.take(&r.root, topic)
}

// take removes topic below n, pruning emptied nodes on the way back.
func (r *RetainedIndex[V]) take(n *retainedNode[V], rest string) (old V, had bool) {
	level, tail, more := strings.Cut(rest, "/")
	c := n.children[level]
	if c == nil {
		return old, false
	}
	if more {
		if old, had = r.take(c, tail); !had {
			return old, false
		}
	} else {
		if !c.has {
			return old, false
		}
		var zero V
		old = c.value
		c.value, c.has, c.topic = zero, false, ""
		r.count--
	}
	if !c.has && len(c.children) == 0 {
		delete(n.children, level)
	}
	return old, true
}

// Get returns the retained value of topic.
func (r *RetainedIndex[V]) Get(topic string) (v V, ok bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n := &r.root
	for level := range strings.SplitSeq(topic, "/") {
		n = n.children[level]
		if n == nil {
			return v, false
		}
	}
	return n.value, n.has
}

// Len returns the number of retained topics.
func (r *RetainedIndex[V]) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.count
}

// Visit calls fn for every retained topic that filter matches, until fn
// returns false. filter is a topic filter (not $share/, which the caller
// strips: retained messages are sent to shared subscriptions per the
// engine's rules). fn runs under the index's read lock: it must not call
// Set or Clear. Order is unspecified.
func (r *RetainedIndex[V]) Visit(filter string, fn func(topic string, v V) bool) {
	if filter == "" {
		return
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	visitLevel(&r.root, filter, true, fn)
}

// visitLevel matches filter (the rest of the filter) below n; it returns
// false when fn asked to stop.
func visitLevel[V any](n *retainedNode[V], filter string, first bool, fn func(string, V) bool) bool {
	level, tail, more := strings.Cut(filter, "/")
	switch level {
	case "#":
		// [MQTT-4.7.1-2] '#' matches the parent level too.
		if !first && n.has && !fn(n.topic, n.value) {
			return false
		}
		for name, c := range n.children {
			// [MQTT-4.7.2-1] wildcards at the first level skip '$' topics.
			if first && strings.HasPrefix(name, "$") {
				continue
			}
			if !visitAll(c, fn) {
				return false
			}
		}
		return true
	case "+":
		for name, c := range n.children {
			if first && strings.HasPrefix(name, "$") { // [MQTT-4.7.2-1]
				continue
			}
			if !visitChild(c, tail, more, fn) {
				return false
			}
		}
		return true
	}
	c := n.children[level]
	if c == nil {
		return true
	}
	return visitChild(c, tail, more, fn)
}

func visitChild[V any](c *retainedNode[V], tail string, more bool, fn func(string, V) bool) bool {
	if more {
		return visitLevel(c, tail, false, fn)
	}
	if c.has {
		return fn(c.topic, c.value)
	}
	return true
}

func visitAll[V any](n *retainedNode[V], fn func(string, V) bool) bool {
	if n.has && !fn(n.topic, n.value) {
		return false
	}
	for _, c := range n.children {
		if !visitAll(c, fn) {
			return false
		}
	}
	return true
}
