package matcher

import (
	"strings"
	"sync/atomic"
)

// node holds the subscriptions of one filter (exact table) or one trie
// position (wildcard trie). Readers load subs, plus, hash and kids
// atomically; the other fields are guarded by the lock of the shard that owns
// the node. The fields readers use come first and the whole node is 64 bytes,
// so a match touches one cache line per node.
type node[S comparable] struct {
	subs atomic.Pointer[subscriberSet[S]]
	plus atomic.Pointer[node[S]]    // '+' child
	hash atomic.Pointer[node[S]]    // '#' child
	id   uint64                     // key of the node's named children in the edge table
	kids atomic.Pointer[kidList[S]] // named children; nil when there are none

	name string // level under the parent, or the whole filter for exact nodes

	// where maps a subscriber to its position in subs.direct once the list
	// is long; writer-only.
	where map[S]int
}

// whereThreshold is the list length from which a node keeps a position map
// rather than scanning its subscribers on every write.
const whereThreshold = 16

// subscriberSet is immutable once published, except that a writer may fill
// spare capacity of direct beyond len (never visible to earlier readers).
type subscriberSet[S comparable] struct {
	direct []Subscription[S] // non-shared subscriptions
	groups []*shareGroup[S]  // shared subscription groups on this filter
	// one holds direct when it has a single subscription (the usual case of
	// per-device filters), so a match reads one cache line less.
	one [1]Subscription[S]
}

// shareGroup is one shared subscription ($share/name/filter); the member list
// is immutable and replaced whole, the round-robin sequence survives it.
type shareGroup[S comparable] struct {
	name    string
	members []Subscription[S]
	seq     *shareSeq
}

// shareSeq is a group's message counter. Every match of the group writes
// it, so it fills a cache line of its own: packed with other small objects
// (level names, other groups' counters) it would make other readers miss.
type shareSeq struct {
	atomic.Uint64
	_ [56]byte
}

func (n *node[S]) isEmpty() bool {
	set := n.subs.Load()
	return set == nil || len(set.direct) == 0 && len(set.groups) == 0
}

// isLeaf reports whether n holds nothing and has no children, so it can be
// unlinked from the trie.
func (n *node[S]) isLeaf() bool {
	return n.isEmpty() && n.plus.Load() == nil && n.hash.Load() == nil && n.kids.Load() == nil
}

func (n *node[S]) indexOf(list []Subscription[S], sub S) int {
	if n.where != nil {
		if i, ok := n.where[sub]; ok {
			return i
		}
		return -1
	}
	for i := range list {
		if list[i].Sub == sub {
			return i
		}
	}
	return -1
}

// setDirect adds or replaces sub's non-shared subscription.
func (n *node[S]) setDirect(sub S, opts Options) (replaced bool) {
	cur := n.subs.Load()
	var list []Subscription[S]
	var groups []*shareGroup[S]
	if cur != nil {
		list, groups = cur.direct, cur.groups
	}
	if i := n.indexOf(list, sub); i >= 0 {
		fresh := make([]Subscription[S], len(list), cap(list))
		copy(fresh, list)
		fresh[i].Options = opts
		n.storeSet(fresh, groups)
		return true
	}
	if len(list) == 0 {
		n.storeSet([]Subscription[S]{{Sub: sub, Options: opts}}, groups)
		return false
	}
	// Appending into spare capacity is safe: every published snapshot of
	// this array is at most len(list) long, so no reader sees the new slot
	// until the new snapshot is stored.
	list = append(list, Subscription[S]{Sub: sub, Options: opts})
	if n.where != nil {
		n.where[sub] = len(list) - 1
	} else if len(list) > whereThreshold {
		n.where = make(map[S]int, len(list))
		for i := range list {
			n.where[list[i].Sub] = i
		}
	}
	n.storeSet(list, groups)
	return false
}

// removeDirect removes sub's non-shared subscription.
func (n *node[S]) removeDirect(sub S) bool {
	cur := n.subs.Load()
	if cur == nil {
		return false
	}
	i := n.indexOf(cur.direct, sub)
	if i < 0 {
		return false
	}
	last := len(cur.direct) - 1
	var fresh []Subscription[S]
	if last > 0 {
		fresh = make([]Subscription[S], last, last+last/4+1)
		copy(fresh, cur.direct[:last])
		if i != last {
			fresh[i] = cur.direct[last]
		}
	}
	if n.where != nil {
		delete(n.where, sub)
		if i != last {
			n.where[fresh[i].Sub] = i
		}
		if last <= whereThreshold/2 {
			n.where = nil
		}
	}
	n.storeSet(fresh, cur.groups)
	return true
}

// storeSet publishes a new subscriber set; a single direct subscription is
// copied inline.
func (n *node[S]) storeSet(direct []Subscription[S], groups []*shareGroup[S]) {
	if len(direct) == 0 && len(groups) == 0 {
		n.subs.Store(nil)
		return
	}
	set := &subscriberSet[S]{groups: groups}
	if len(direct) == 1 {
		set.one[0] = direct[0]
		set.direct = set.one[:1:1]
	} else {
		set.direct = direct
	}
	n.subs.Store(set)
}

// setShared adds or replaces sub's membership of the share group name.
func (n *node[S]) setShared(name string, sub S, opts Options) (replaced bool) {
	cur := n.subs.Load()
	var direct []Subscription[S]
	var groups []*shareGroup[S]
	if cur != nil {
		direct, groups = cur.direct, cur.groups
	}
	gi := groupIndex(groups, name)
	var members []Subscription[S]
	seq := new(shareSeq)
	if gi >= 0 {
		members, seq = groups[gi].members, groups[gi].seq
	}
	fresh := make([]Subscription[S], len(members), len(members)+1)
	copy(fresh, members)
	replaced = false
	for i := range fresh {
		if fresh[i].Sub == sub {
			fresh[i].Options = opts
			replaced = true
			break
		}
	}
	if !replaced {
		fresh = append(fresh, Subscription[S]{Sub: sub, Options: opts})
	}
	if gi < 0 {
		name = strings.Clone(name) // the caller's string may be a reused buffer
	}
	g := &shareGroup[S]{name: name, members: fresh, seq: seq}
	newGroups := make([]*shareGroup[S], len(groups), len(groups)+1)
	copy(newGroups, groups)
	if gi >= 0 {
		newGroups[gi] = g
	} else {
		newGroups = append(newGroups, g)
	}
	n.storeSet(direct, newGroups)
	return replaced
}

// removeShared removes sub from the share group name.
func (n *node[S]) removeShared(name string, sub S) bool {
	cur := n.subs.Load()
	if cur == nil {
		return false
	}
	gi := groupIndex(cur.groups, name)
	if gi < 0 {
		return false
	}
	g := cur.groups[gi]
	mi := -1
	for i := range g.members {
		if g.members[i].Sub == sub {
			mi = i
			break
		}
	}
	if mi < 0 {
		return false
	}
	newGroups := make([]*shareGroup[S], 0, len(cur.groups))
	newGroups = append(newGroups, cur.groups[:gi]...)
	if len(g.members) > 1 {
		members := make([]Subscription[S], 0, len(g.members)-1)
		members = append(members, g.members[:mi]...)
		members = append(members, g.members[mi+1:]...)
		newGroups = append(newGroups, &shareGroup[S]{name: name, members: members, seq: g.seq})
	}
	newGroups = append(newGroups, cur.groups[gi+1:]...)
	if len(newGroups) == 0 {
		newGroups = nil
	}
	n.storeSet(cur.direct, newGroups)
	return true
}

// lookupOptions returns sub's options on this node, for writers and tests.
func (n *node[S]) lookupOptions(group string, sub S) (Options, bool) {
	cur := n.subs.Load()
	if cur == nil {
		return Options{}, false
	}
	list := cur.direct
	if group != "" {
		gi := groupIndex(cur.groups, group)
		if gi < 0 {
			return Options{}, false
		}
		list = cur.groups[gi].members
	}
	for i := range list {
		if list[i].Sub == sub {
			return list[i].Options, true
		}
	}
	return Options{}, false
}

func groupIndex[S comparable](groups []*shareGroup[S], name string) int {
	for i, g := range groups {
		if g.name == name {
			return i
		}
	}
	return -1
}

// trieCell is a new named trie node with its edge table bucket, for the
// same reason.
type trieCell[S comparable] struct {
	bucket bucket[*node[S]]
	node   node[S]
}

// nodeSize is checked by a test: a node must stay within one cache line.
const nodeSize = 64
