package matcherbench

import (
	"strings"
	"sync"
)

// RWTrie is the straightforward subscription index: a trie of topic levels
// with maps of children, guarded by one sync.RWMutex. It is the baseline a
// lock-free index has to beat. Subscribers are ints with a QoS.
type RWTrie struct {
	mu   sync.RWMutex
	root trieNode
}

type trieNode struct {
	children map[string]*trieNode
	subs     map[int]byte
}

// Subscribe adds (or replaces) sub's subscription to filter.
func (t *RWTrie) Subscribe(sub int, filter string, qos byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := &t.root
	for level := range strings.SplitSeq(filter, "/") {
		c := n.children[level]
		if c == nil {
			if n.children == nil {
				n.children = map[string]*trieNode{}
			}
			c = &trieNode{}
			n.children[level] = c
		}
		n = c
	}
	if n.subs == nil {
		n.subs = map[int]byte{}
	}
	n.subs[sub] = qos
}

// Unsubscribe removes sub's subscription to filter (empty nodes stay).
func (t *RWTrie) Unsubscribe(sub int, filter string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := &t.root
	for level := range strings.SplitSeq(filter, "/") {
		if n = n.children[level]; n == nil {
			return
		}
	}
	delete(n.subs, sub)
}

// Match appends the subscribers of topic to out (one entry per matching
// filter: no merging).
func (t *RWTrie) Match(topic string, out []int) []int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.root.match(topic, true, out)
}

func (n *trieNode) match(rest string, first bool, out []int) []int {
	level, tail, more := strings.Cut(rest, "/")
	dollar := first && strings.HasPrefix(level, "$")
	if !dollar {
		if c := n.children["#"]; c != nil {
			out = c.appendSubs(out)
		}
		if c := n.children["+"]; c != nil {
			out = c.next(tail, more, out)
		}
	}
	if c := n.children[level]; c != nil {
		out = c.next(tail, more, out)
	}
	return out
}

func (n *trieNode) next(tail string, more bool, out []int) []int {
	if more {
		return n.match(tail, false, out)
	}
	out = n.appendSubs(out)
	if c := n.children["#"]; c != nil {
		out = c.appendSubs(out)
	}
	return out
}

func (n *trieNode) appendSubs(out []int) []int {
	for s := range n.subs {
		out = append(out, s)
	}
	return out
}
