package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/midge-mqtt/midge/codec"
)

// AckError is an acknowledgement with a failure reason code (0x80 or
// above), or a refused subscription (0x80 in 3.1.1).
type AckError struct {
	Packet       string // "PUBACK", "PUBREC", "PUBCOMP", "SUBACK", "UNSUBACK"
	Code         byte
	ReasonString string
}

func (e *AckError) Error() string {
	return fmt.Sprintf("client: %s reason 0x%02X (%s)", e.Packet, e.Code, ReasonString(e.Code))
}

// PublishAsync sends m and calls done when its flow completes: at once for
// QoS 0, on PUBACK for QoS 1 and PUBCOMP for QoS 2 (on the reader
// goroutine), or with an error when the connection ends first. done is
// called exactly once when PublishAsync returns nil, and never when it
// returns an error. It blocks while MaxInflight messages are
// unacknowledged. done may be nil; m may be reused once PublishAsync
// returns.
func (c *Client) PublishAsync(ctx context.Context, m *Message, done func(error)) error {
	if m.QoS > 2 {
		return errors.New("client: QoS must be 0, 1 or 2")
	}
	if m.QoS > c.server.maxQoS {
		return fmt.Errorf("client: the server accepts QoS %d at most", c.server.maxQoS) // [MQTT-3.2.2-11]
	}
	if m.Retain && !c.server.retain {
		return errors.New("client: the server does not support retained messages") // [MQTT-3.2.2-14]
	}
	if m.QoS == 0 {
		if err := c.writePublish(m, 0); err != nil {
			return err
		}
		if done != nil {
			done(nil)
		}
		return nil
	}
	select {
	case c.inflight <- struct{}{}:
	default:
		// The window is full: what a Cork holds must leave before its
		// acknowledgements can free a slot.
		if err := c.flushHeld(); err != nil {
			return err
		}
		select {
		case c.inflight <- struct{}{}:
		case <-c.done:
			return c.closedErr()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	op := opPool.Get().(*pendingOp)
	op.kind = codec.PUBACK
	if m.QoS == 2 {
		op.kind = codec.PUBREC
	}
	op.pubDone = done
	id, err := c.allocID(op)
	if err != nil {
		<-c.inflight
		opPool.Put(op)
		return err
	}
	kind := op.kind // op may be finished and reused once written
	if err := c.writePublish(m, id); err != nil {
		if mine := c.takePending(id, kind); mine != nil {
			<-c.inflight
			*mine = pendingOp{}
			opPool.Put(mine)
			if !errors.Is(err, ErrPacketTooLarge) {
				c.shutdown(err)
			}
			return err
		}
		// The connection's end has already finished op through done.
	}
	return nil
}

// Publish sends m and, for QoS 1 and 2, waits for its flow to complete.
func (c *Client) Publish(ctx context.Context, m *Message) error {
	if m.QoS == 0 {
		return c.PublishAsync(ctx, m, nil)
	}
	ch := make(chan error, 1)
	if err := c.PublishAsync(ctx, m, func(err error) { ch <- err }); err != nil {
		return err
	}
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Client) writePublish(m *Message, id uint16) error {
	if c.opts.Log != nil {
		c.logf("Client %s sending PUBLISH (d%d, q%d, r%d, m%d, '%s', ... (%d bytes))",
			c.logID(), b2i(m.Duplicate), m.QoS, b2i(m.Retain), id, m.Topic, len(m.Payload))
	}
	return c.writePublishPacket(m, id)
}

// Subscription is one topic filter of a SUBSCRIBE with its options.
type Subscription struct {
	Filter            string
	QoS               byte
	NoLocal           bool // MQTT 5
	RetainAsPublished bool // MQTT 5
	RetainHandling    byte // MQTT 5: 0 send, 1 send if new, 2 never
}

// SubAck is the server's answer to SUBSCRIBE: one reason code (granted QoS
// or failure) per filter.
type SubAck struct {
	PacketID       uint16 // of the SUBSCRIBE it answers
	Codes          []byte
	ReasonString   string
	UserProperties []UserProperty
}

// Subscribe sends SUBSCRIBE and waits for SUBACK. subID (MQTT 5) is the
// subscription identifier, 0 for none.
func (c *Client) Subscribe(ctx context.Context, subs []Subscription, subID uint32, user []UserProperty) (*SubAck, error) {
	if len(subs) == 0 {
		return nil, errors.New("client: SUBSCRIBE needs a topic filter") // [MQTT-3.8.3-3]
	}
	build := func(id uint16) codec.Packet {
		p := &codec.Subscribe{PacketID: id, Subscriptions: make([]codec.Subscription, len(subs))}
		for i, s := range subs {
			p.Subscriptions[i] = codec.Subscription{Filter: []byte(s.Filter), QoS: s.QoS, NoLocal: s.NoLocal,
				RetainAsPublished: s.RetainAsPublished, RetainHandling: s.RetainHandling}
		}
		if subID != 0 {
			p.Props.SubscriptionIDs = []uint32{subID}
		}
		p.Props.User = userToCodec(user)
		return p
	}
	res, err := c.request(ctx, codec.SUBACK, build, func(id uint16) {
		for _, s := range subs {
			opts := s.QoS
			if s.NoLocal {
				opts |= 0x04
			}
			if s.RetainAsPublished {
				opts |= 0x08
			}
			opts |= s.RetainHandling << 4
			c.logf("Client %s sending SUBSCRIBE (Mid: %d, Topic: %s, QoS: %d, Options: 0x%02x)", c.logID(), id, s.Filter, s.QoS, opts&0xfc)
		}
	})
	if err != nil {
		return nil, err
	}
	return &SubAck{PacketID: res.id, Codes: res.codes, ReasonString: res.props.reasonString, UserProperties: res.props.user}, nil
}

// Unsubscribe sends UNSUBSCRIBE and waits for UNSUBACK; the codes are MQTT
// 5 reason codes (empty before 5).
func (c *Client) Unsubscribe(ctx context.Context, filters []string, user []UserProperty) ([]byte, error) {
	build := func(id uint16) codec.Packet {
		p := &codec.Unsubscribe{PacketID: id, Filters: make([][]byte, len(filters))}
		for i, f := range filters {
			p.Filters[i] = []byte(f)
		}
		p.Props.User = userToCodec(user)
		return p
	}
	res, err := c.request(ctx, codec.UNSUBACK, build, func(id uint16) {
		for _, f := range filters {
			c.logf("Client %s sending UNSUBSCRIBE (Mid: %d, Topic: %s)", c.logID(), id, f)
		}
	})
	if err != nil {
		return nil, err
	}
	return res.codes, nil
}

// request sends a SUBSCRIBE or UNSUBSCRIBE and waits for its answer.
func (c *Client) request(ctx context.Context, kind codec.PacketType, build func(uint16) codec.Packet, log func(uint16)) (ackResult, error) {
	ch := make(chan ackResult, 1)
	op := &pendingOp{kind: kind, reply: ch}
	id, err := c.allocID(op)
	if err != nil {
		return ackResult{}, err
	}
	log(id)
	if err := c.writePacket(build(id)); err != nil {
		c.shutdown(err)
		return ackResult{}, err
	}
	select {
	case r := <-ch:
		r.id = id
		return r, r.err
	case <-ctx.Done():
		return ackResult{}, ctx.Err()
	}
}
