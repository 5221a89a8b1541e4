package matcher

// SharePicker chooses which member of a shared subscription group receives a
// message. Pick is called on every match from any goroutine at once, so it
// must be safe for concurrent use and should not block.
//
// members is the group's current member list (read-only, never empty); seq
// is the group's own message counter, increasing by one per message. Pick
// returns an index into members; an index out of range falls back to round
// robin.
type SharePicker[S comparable] interface {
	Pick(group string, members []Subscription[S], seq uint64) int
}

// RoundRobin gives each message to the next member in turn.
type RoundRobin[S comparable] struct{}

// Pick implements SharePicker.
func (RoundRobin[S]) Pick(_ string, members []Subscription[S], seq uint64) int {
	return int(seq % uint64(len(members)))
}

// LeastLoaded prefers members that are online, then the least loaded, so an
// offline or slow member does not swallow messages. Ties go round robin.
// When no member is online the message goes round robin (to be queued by an
// offline persistent session).
type LeastLoaded[S comparable] struct {
	// Load reports whether sub is connected and how much it has pending
	// (queued messages, inflight window...). It is called for each member
	// on every message, from any goroutine.
	Load func(sub S) (online bool, pending int)
}

// Pick implements SharePicker.
func (l LeastLoaded[S]) Pick(_ string, members []Subscription[S], seq uint64) int {
	n := uint64(len(members))
	start := seq % n
	best, bestLoad := -1, 0
	for k := uint64(0); k < n; k++ {
		i := int((start + k) % n)
		online, pending := l.Load(members[i].Sub)
		if online && (best < 0 || pending < bestLoad) {
			best, bestLoad = i, pending
		}
	}
	if best < 0 {
		return int(start)
	}
	return best
}
