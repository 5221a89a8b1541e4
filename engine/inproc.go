package engine

import (
	"errors"
	"strconv"
	"sync/atomic"

	"github.com/midge-mqtt/midge/codec"
	"github.com/midge-mqtt/midge/matcher"
)

// Handler receives messages of an in-process subscription. It runs on the
// publishing event loop, or on the goroutine that called Publish, possibly
// several at once, so it must be quick and must not block; it may call
// Publish. payload is valid only during the call.
type Handler func(topic string, payload []byte, qos byte, retained bool)

var inprocSeq atomic.Uint64

// Publish publishes a message from the embedding program, as if a client
// had. Safe from any goroutine.
func (b *Broker) Publish(topic string, payload []byte, qos byte, retain bool) error {
	if err := codec.ValidTopicName([]byte(topic)); err != nil {
		return err
	}
	if qos > 2 {
		return errors.New("engine: QoS above 2")
	}
	if retain && b.opts.RetainUnavailable {
		return codec.RetainNotSupported
	}
	b.publishLocal(topic, payload, qos, retain)
	return nil
}

// publishLocal publishes from a goroutine that is not an event loop.
func (b *Broker) publishLocal(topic string, payload []byte, qos byte, retain bool) {
	in := inbound{msg: pooledMessage([]byte(topic), payload, nil, qos, 0), pooled: true}
	b.withLocal(func(lp *loop) { lp.publish(&in, retain) })
	in.done()
}

// Subscribe subscribes the embedding program to filter with the given
// maximum QoS; retained messages matching it are delivered first. The
// returned function unsubscribes. Safe from any goroutine.
func (b *Broker) Subscribe(filter string, qos byte, handler Handler) (unsubscribe func(), err error) {
	if err := codec.ValidTopicFilter([]byte(filter)); err != nil {
		return nil, err
	}
	if qos > 2 || handler == nil {
		return nil, errors.New("engine: bad QoS or nil handler")
	}
	s := newSession(b, "$inproc-"+strconv.FormatUint(inprocSeq.Add(1), 10), 0)
	s.handler = handler
	if _, err := b.subs.Subscribe(s, filter, matcher.Options{QoS: qos}); err != nil {
		return nil, err
	}
	b.stats.subscriptionsAdd(1, isShared(filter))
	if _, _, shared := matcher.SplitShared(filter); !shared {
		var found []message
		b.retained.Visit(filter, func(_ string, m message) bool {
			found = append(found, m.retain())
			return true
		})
		for _, m := range found {
			handler(string(m.topic), m.payload, b.outgoingQoS(m.qos, qos), true)
			m.release()
		}
	}
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) && b.subs.Unsubscribe(s, filter) {
			b.stats.subscriptionsAdd(-1, isShared(filter))
		}
	}, nil
}
