package ceiling

import "sync"

// index is the relay's whole subscription state: filters without
// wildcards in a map keyed by the exact topic, the others in a list
// matched one by one with filterMatches. Readers take the read lock, so
// a SUBSCRIBE on one loop never blocks forwarding for longer than its
// own insert.
type index struct {
	mu    sync.RWMutex
	exact map[string][]*rconn
	wild  []wildSub
}

// wildSub is one subscription whose filter has a wildcard.
type wildSub struct {
	filter string
	c      *rconn
}

func newIndex() *index { return &index{exact: make(map[string][]*rconn)} }

// add subscribes c to filter. Subscribing twice to one filter keeps one
// subscription.
func (ix *index) add(filter []byte, c *rconn) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if hasWildcard(filter) {
		for _, w := range ix.wild {
			if w.c == c && w.filter == string(filter) {
				return
			}
		}
		ix.wild = append(ix.wild, wildSub{filter: string(filter), c: c})
		return
	}
	subs := ix.exact[string(filter)]
	for _, s := range subs {
		if s == c {
			return
		}
	}
	ix.exact[string(filter)] = append(subs, c)
}

// remove drops c's subscription to filter.
func (ix *index) remove(filter []byte, c *rconn) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeLocked(string(filter), c)
}

func (ix *index) removeLocked(filter string, c *rconn) {
	if hasWildcard([]byte(filter)) {
		for i, w := range ix.wild {
			if w.c == c && w.filter == filter {
				ix.wild = append(ix.wild[:i:i], ix.wild[i+1:]...)
				return
			}
		}
		return
	}
	subs := ix.exact[filter]
	for i, s := range subs {
		if s == c {
			if len(subs) == 1 {
				delete(ix.exact, filter)
			} else {
				// A fresh slice: readers may still range over the old one.
				ix.exact[filter] = append(subs[:i:i], subs[i+1:]...)
			}
			return
		}
	}
}

// removeAll drops every subscription of c (its filters are listed in
// c.filters).
func (ix *index) removeAll(c *rconn) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, f := range c.filters {
		ix.removeLocked(f, c)
	}
}

// match appends to dst every connection subscribed to a filter matching
// topic and returns it; it allocates only when dst must grow.
func (ix *index) match(topic []byte, dst []*rconn) []*rconn {
	ix.mu.RLock()
	dst = append(dst, ix.exact[string(topic)]...)
	for i := range ix.wild {
		if filterMatches(ix.wild[i].filter, topic) {
			dst = append(dst, ix.wild[i].c)
		}
	}
	ix.mu.RUnlock()
	return dst
}

// subscribed reports whether any connection holds filter (for tests and
// diagnostics).
func (r *Relay) subscribed(filter string) bool {
	r.ix.mu.RLock()
	defer r.ix.mu.RUnlock()
	if len(r.ix.exact[filter]) > 0 {
		return true
	}
	for _, w := range r.ix.wild {
		if w.filter == filter {
			return true
		}
	}
	return false
}
