package engine

import "github.com/midge-mqtt/midge/internal/pool"

// message is an application message on its way to subscribers. Topic and
// payload are shared by every subscriber; the per-subscriber bits (QoS,
// DUP, RETAIN, packet identifier) are encoded per delivery.
//
// When buf is nil, topic and payload alias the read buffer of the
// publishing connection and are valid only until the end of the current
// loop turn: such a message may be written to a connection of the same loop
// but never stored. Otherwise topic and payload alias buf, of which the
// holder owns one reference.
type message struct {
	topic   []byte
	payload []byte
	buf     *pool.Buffer
	qos     byte // QoS it was published with
}

// pooledMessage copies topic and payload once into a pooled buffer with
// one reference.
func pooledMessage(topic, payload []byte, qos byte) message {
	b := pool.Acquire(len(topic) + len(payload))
	n := copy(b.B, topic)
	copy(b.B[n:], payload)
	return message{topic: b.B[:n:n], payload: b.B[n:], buf: b, qos: qos}
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

// inbound is a PUBLISH being fanned out: views into the read buffer, copied
// into a pooled buffer the first time a delivery must outlive the turn.
type inbound struct {
	msg    message
	pooled bool
}

// stored returns the message backed by a pooled buffer, copying it on first
// use. The inbound keeps the reference; holders call retain.
func (in *inbound) stored() message {
	if !in.pooled {
		in.msg = pooledMessage(in.msg.topic, in.msg.payload, in.msg.qos)
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
