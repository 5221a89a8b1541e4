package matcher

// MaxMergedIDs is how many subscription identifiers one Delivery carries.
const MaxMergedIDs = 4

// Delivery is one copy of a message for one subscriber.
//
// A subscriber whose non-shared filters match a topic several times receives
// one Delivery, merged as MQTT 5 allows:
//   - QoS is the highest QoS of the matching subscriptions ([MQTT-3.3.4-2]);
//   - the subscription identifiers of all of them are carried
//     ([MQTT-3.3.4-3], [MQTT-3.3.4-4]);
//   - NoLocal is true only when every matching subscription set it: the
//     message is sent back to its publisher if any of its subscriptions
//     asks for local messages;
//   - RetainAsPublished is true when any matching subscription set it.
//
// When those identifiers are more than MaxMergedIDs, the subscriber receives
// one Delivery per matching subscription instead, each with that
// subscription's QoS, options and identifier ([MQTT-3.3.4-2] permits the
// copies, [MQTT-3.3.4-5] gives each its own identifier).
//
// Each shared subscription group that matches yields its own Delivery
// (Group set) for the one member chosen, apart from the member's non-shared
// deliveries; a client may thus receive a message twice, once as a member of
// a group.
type Delivery[S comparable] struct {
	Sub S
	// Group is the share name of a shared subscription, "" otherwise.
	Group             string
	QoS               byte
	NoLocal           bool
	RetainAsPublished bool
	idCount           uint8
	ids               [MaxMergedIDs]uint32
}

// SubscriptionIDs returns the subscription identifiers of the matching
// subscriptions (none when they had none). The slice aliases d: it is valid
// while d is, and is not to be modified.
func (d *Delivery[S]) SubscriptionIDs() []uint32 {
	return d.ids[:d.idCount]
}

func deliveryOf[S comparable](s *Subscription[S], group string) Delivery[S] {
	d := Delivery[S]{
		Sub:               s.Sub,
		Group:             group,
		QoS:               s.Options.QoS,
		NoLocal:           s.Options.NoLocal,
		RetainAsPublished: s.Options.RetainAsPublished,
	}
	if s.Options.SubscriptionID != 0 {
		d.ids[0] = s.Options.SubscriptionID
		d.idCount = 1
	}
	return d
}

// merge folds src (a delivery of the same subscriber) into d; the caller
// has checked that the identifiers fit.
func (d *Delivery[S]) merge(src *Delivery[S]) {
	for _, id := range src.ids[:src.idCount] {
		d.ids[d.idCount] = id
		d.idCount++
	}
	d.QoS = max(d.QoS, src.QoS)
	d.NoLocal = d.NoLocal && src.NoLocal
	d.RetainAsPublished = d.RetainAsPublished || src.RetainAsPublished
}
