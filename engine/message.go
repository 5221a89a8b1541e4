package engine

import (
	"github.com/midge-mqtt/midge/internal/pool"
	"github.com/midge-mqtt/midge/matcher"
)

// message is an application message on its way to subscribers. Topic,
// payload and the MQTT 5 properties that are the same for every subscriber
// are shared; the per-subscriber bits (QoS, DUP, RETAIN, packet identifier,
// subscription identifiers, topic alias, remaining expiry) are encoded per
// delivery.
//
// When buf is nil, topic, payload and props alias the read buffer of the
// publishing connection and are valid only until the end of the current
// loop turn: such a message may be written to a connection of the same loop
// but never stored. Otherwise they alias buf, of which the holder owns one
// reference.
type message struct {
	topic   []byte
	payload []byte
	props   []byte // MQTT 5 shared PUBLISH properties, encoded (no length prefix)
	buf     *pool.Buffer
	qos     byte  // QoS it was published with
	expiry  int64 // Message Expiry as absolute Unix nanoseconds, 0 = never
}

// pooledMessage copies topic, payload and props once into a pooled buffer
// with one reference.
func pooledMessage(topic, payload, props []byte, qos byte, expiry int64) message {
	b := pool.Acquire(len(topic) + len(payload) + len(props))
	n := copy(b.B, topic)
	m := n + copy(b.B[n:], payload)
	copy(b.B[m:], props)
	msg := message{topic: b.B[:n:n], payload: b.B[n:m:m], buf: b, qos: qos, expiry: expiry}
	if len(props) > 0 {
		msg.props = b.B[m:]
	}
	return msg
}

// retain adds a reference for a new holder and returns the message.
func (m message) retain() message {
	if m.buf != nil {
		m.buf.Retain()
	}
	return m
}

// release drops the holder's reference.
func (m message) release() {
	if m.buf != nil {
		m.buf.Release()
	}
}

// size is what the message counts against max_queued_bytes (its payload,
// as mosquitto counts it).
func (m message) size() int { return len(m.payload) }

// expired reports whether the Message Expiry Interval has passed at now
// (Unix nanoseconds) [MQTT-3.3.2-5].
func (m message) expired(now int64) bool { return m.expiry != 0 && now >= m.expiry }

// inbound is a PUBLISH being fanned out: views into the read buffer, copied
// into a pooled buffer the first time a delivery must outlive the turn.
type inbound struct {
	msg    message
	pooled bool
	from   *session // the publisher, for No Local; nil for the broker itself
}

// stored returns the message backed by a pooled buffer, copying it on first
// use. The inbound keeps the reference; holders call retain.
func (in *inbound) stored() message {
	if !in.pooled {
		m := in.msg
		in.msg = pooledMessage(m.topic, m.payload, m.props, m.qos, m.expiry)
		in.pooled = true
	}
	return in.msg
}

// done releases the inbound's own reference.
func (in *inbound) done() {
	if in.pooled {
		in.msg.release()
	}
}

// delivery is what one subscription asks of one message: the QoS and
// RETAIN flag it goes out with and the MQTT 5 subscription identifiers.
type delivery struct {
	qos  byte
	ret  bool
	nids uint8
	ids  [matcher.MaxMergedIDs]uint32
}

func (d *delivery) subIDs() []uint32 { return d.ids[:d.nids] }
