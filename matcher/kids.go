package matcher

// kidList counts a trie node's named children, which are all entries of the
// edge table, and lists them inline while they are few. Most trie nodes near
// the root have a handful of named children (the first levels of a
// deployment's topics): a match compares the level with those names
// directly, without hashing it or reading the edge table.
//
// A list is immutable once published; writers replace it by
// compare-and-swap, because the root's children are written under the
// locks of different first levels.
type kidList[S comparable] struct {
	count int // named children
	// small holds every named child while count has stayed within
	// smallKids since the node last had none; otherwise inline is false and
	// matches look children up in the edge table.
	small  [smallKids]kid[S]
	inline bool
}

type kid[S comparable] struct {
	name string
	node *node[S]
}

// smallKids is how many named children a node lists inline.
const smallKids = 4

// namedCount returns the number of n's named children.
func (n *node[S]) namedCount() int {
	if k := n.kids.Load(); k != nil {
		return k.count
	}
	return 0
}

// namedChild returns n's child named level, without locking or allocating.
func (x *Index[S]) namedChild(n *node[S], level []byte) *node[S] {
	k := n.kids.Load()
	if k == nil {
		return nil
	}
	if k.inline {
		for i := range k.small[:k.count] {
			if k.small[i].name == string(level) {
				return k.small[i].node
			}
		}
		return nil
	}
	c, _ := x.edges.lookup(x.edges.hashBytes(n.id, level), n.id, level)
	return c
}

// addKid records c, just added to the edge table, as a named child of n.
func (n *node[S]) addKid(c *node[S]) {
	for {
		cur := n.kids.Load()
		next := &kidList[S]{count: 1, inline: true}
		if cur != nil {
			next.count = cur.count + 1
			next.inline = cur.inline && next.count <= smallKids
		}
		if next.inline {
			if cur != nil {
				copy(next.small[:], cur.small[:cur.count])
			}
			next.small[next.count-1] = kid[S]{name: c.name, node: c}
		}
		if n.kids.CompareAndSwap(cur, next) {
			return
		}
	}
}

// removeKid forgets c, just removed from the edge table, as a named child of
// n.
func (n *node[S]) removeKid(c *node[S]) {
	for {
		cur := n.kids.Load()
		var next *kidList[S]
		if cur.count > 1 {
			next = &kidList[S]{count: cur.count - 1, inline: cur.inline}
			if cur.inline {
				j := 0
				for _, k := range cur.small[:cur.count] {
					if k.node != c {
						next.small[j] = k
						j++
					}
				}
			}
		}
		if n.kids.CompareAndSwap(cur, next) {
			return
		}
	}
}
