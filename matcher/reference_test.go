package matcher

import (
	"fmt"
	"slices"
	"strings"
)

// refMatch is the plain reading of MQTT 4.7: split both on '/' and compare
// level by level. The index must agree with it on every filter and topic.
func refMatch(filter, topic string) bool {
	// [MQTT-4.7.2-1] wildcards at the first level do not match '$' topics.
	if strings.HasPrefix(topic, "$") && (strings.HasPrefix(filter, "+") || strings.HasPrefix(filter, "#")) {
		return false
	}
	f := strings.Split(filter, "/")
	t := strings.Split(topic, "/")
	for i, level := range f {
		if level == "#" {
			return true // [MQTT-4.7.1-2] includes the parent level
		}
		if i >= len(t) {
			return false
		}
		if level != "+" && level != t[i] { // [MQTT-4.7.1-3]
			return false
		}
	}
	return len(f) == len(t)
}

type refSub struct {
	sub    int
	filter string
	opts   Options
}

// refIndex keeps subscriptions in a list and matches them one by one.
type refIndex struct {
	subs []refSub
}

func (r *refIndex) subscribe(sub int, filter string, opts Options) (replaced bool) {
	for i := range r.subs {
		if r.subs[i].sub == sub && r.subs[i].filter == filter {
			r.subs[i].opts = opts
			return true
		}
	}
	r.subs = append(r.subs, refSub{sub, filter, opts})
	return false
}

func (r *refIndex) unsubscribe(sub int, filter string) bool {
	for i := range r.subs {
		if r.subs[i].sub == sub && r.subs[i].filter == filter {
			r.subs = slices.Delete(r.subs, i, i+1)
			return true
		}
	}
	return false
}

// merged is what one subscriber should receive from its non-shared
// subscriptions, in a form independent of how deliveries are split.
type merged struct {
	qos     byte
	noLocal bool
	rap     bool
	ids     []uint32 // sorted
}

// expect returns the merged non-shared result per subscriber and, per
// matching share group ("group\x00filter"), its member subscribers.
func (r *refIndex) expect(topic string) (map[int]merged, map[string][]int) {
	direct := map[int]merged{}
	groups := map[string][]int{}
	for _, s := range r.subs {
		group, tf, _ := ParseFilter(s.filter)
		if !refMatch(tf, topic) {
			continue
		}
		if group != "" {
			key := group + "\x00" + tf
			groups[key] = append(groups[key], s.sub)
			continue
		}
		m, seen := direct[s.sub]
		if !seen {
			m = merged{noLocal: true}
		}
		m.qos = max(m.qos, s.opts.QoS)
		m.noLocal = m.noLocal && s.opts.NoLocal
		m.rap = m.rap || s.opts.RetainAsPublished
		if s.opts.SubscriptionID != 0 {
			m.ids = append(m.ids, s.opts.SubscriptionID)
			slices.Sort(m.ids)
		}
		direct[s.sub] = m
	}
	return direct, groups
}

// foldDeliveries turns Match output into the reference's form. A subscriber
// may have several deliveries only when its identifiers do not fit in one,
// and then one per subscription (at most one identifier each); problem
// says what broke that rule.
func foldDeliveries(out []Delivery[int]) (direct map[int]merged, shared map[string][]int, problem string) {
	direct = map[int]merged{}
	shared = map[string][]int{}
	count := map[int]int{}
	idsOf := map[int]int{}
	maxIDs := map[int]int{}
	for i := range out {
		d := &out[i]
		if d.Group != "" {
			shared[d.Group] = append(shared[d.Group], d.Sub)
			continue
		}
		count[d.Sub]++
		idsOf[d.Sub] += len(d.SubscriptionIDs())
		maxIDs[d.Sub] = max(maxIDs[d.Sub], len(d.SubscriptionIDs()))
		m, seen := direct[d.Sub]
		if !seen {
			m = merged{noLocal: true}
		}
		m.qos = max(m.qos, d.QoS)
		m.noLocal = m.noLocal && d.NoLocal
		m.rap = m.rap || d.RetainAsPublished
		m.ids = append(m.ids, d.SubscriptionIDs()...)
		slices.Sort(m.ids)
		direct[d.Sub] = m
	}
	for sub, n := range count {
		if n > 1 && (idsOf[sub] <= MaxMergedIDs || maxIDs[sub] > 1) {
			problem = fmt.Sprintf("subscriber %d split into %d deliveries with %d identifiers", sub, n, idsOf[sub])
		}
	}
	return direct, shared, problem
}
