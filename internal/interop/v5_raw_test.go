package interop

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"
	"time"
)

// MQTT 5.0 packet type and reason codes the suite names.
const (
	typeAUTH                = 15   // MQTT 5.0 section 3.15
	connackAccepted         = 0x00 // CONNACK Success
	rcNoMatchingSubscribers = 0x10 // PUBACK/PUBREC
	rcNoSubscriptionExisted = 0x11 // UNSUBACK
)

// v5Will is the will message of an MQTT 5.0 CONNECT.
type v5Will struct {
	topic   string
	payload string
	qos     byte
	retain  bool
	props   []prop
}

// v5ConnectOpts describes an MQTT 5.0 CONNECT; the zero value is a Clean
// Start CONNECT with an empty client id, keep-alive 0 and no properties.
type v5ConnectOpts struct {
	clientID  string
	keepStart bool // Clean Start 0
	keepAlive uint16
	props     []prop
	will      *v5Will
}

// connectV5Packet builds an MQTT 5.0 CONNECT (section 3.1).
func connectV5Packet(o v5ConnectOpts) []byte {
	var flags byte
	if !o.keepStart {
		flags |= 0x02 // Clean Start
	}
	payload := str(o.clientID)
	if o.will != nil {
		flags |= 0x04 | o.will.qos<<3
		if o.will.retain {
			flags |= 0x20
		}
		payload = append(payload, propBlock(o.will.props...)...)
		payload = append(payload, str(o.will.topic)...)
		payload = append(payload, str(o.will.payload)...)
	}
	variable := append(str("MQTT"), 5, flags)
	variable = append(variable, u16(o.keepAlive)...)
	variable = append(variable, propBlock(o.props...)...)
	return packet(typeCONNECT<<4, variable, payload)
}

// v5Publish describes or decodes an MQTT 5.0 PUBLISH.
type v5Publish struct {
	topic   string
	payload string
	qos     byte
	id      uint16
	dup     bool
	retain  bool
	props   props
}

// publishV5Packet builds an MQTT 5.0 PUBLISH; id is written only for QoS > 0.
func publishV5Packet(topic string, payload string, qos byte, id uint16, retain bool, ps ...prop) []byte {
	h := byte(typePUBLISH<<4) | qos<<1
	if retain {
		h |= 0x01
	}
	variable := str(topic)
	if qos > 0 {
		variable = append(variable, u16(id)...)
	}
	variable = append(variable, propBlock(ps...)...)
	return packet(h, variable, []byte(payload))
}

// v5Sub is one subscription of a SUBSCRIBE: filter and options byte
// (QoS bits 0-1, No Local bit 2, Retain As Published bit 3, Retain Handling
// bits 4-5).
type v5Sub struct {
	filter string
	opts   byte
}

const (
	optNoLocal           = 0x04
	optRetainAsPublished = 0x08
)

// retainHandling returns the Retain Handling bits for 0, 1 or 2.
func retainHandling(v byte) byte { return v << 4 }

// subscribeV5Packet builds an MQTT 5.0 SUBSCRIBE.
func subscribeV5Packet(id uint16, ps []prop, subs ...v5Sub) []byte {
	body := append(u16(id), propBlock(ps...)...)
	for _, s := range subs {
		body = append(body, str(s.filter)...)
		body = append(body, s.opts)
	}
	return packet(typeSUBSCRIBE<<4|0x02, body)
}

// unsubscribeV5Packet builds an MQTT 5.0 UNSUBSCRIBE.
func unsubscribeV5Packet(id uint16, filters ...string) []byte {
	body := append(u16(id), propBlock()...)
	for _, f := range filters {
		body = append(body, str(f)...)
	}
	return packet(typeUNSUBSCRIBE<<4|0x02, body)
}

// ackV5Packet builds PUBACK, PUBREC, PUBREL or PUBCOMP with a reason code.
func ackV5Packet(typ byte, id uint16, reason byte, ps ...prop) []byte {
	h := typ << 4
	if typ == typePUBREL {
		h |= 0x02
	}
	return packet(h, u16(id), []byte{reason}, propBlock(ps...))
}

// disconnectV5Packet builds an MQTT 5.0 DISCONNECT.
func disconnectV5Packet(reason byte, ps ...prop) []byte {
	return packet(typeDISCONNECT<<4, []byte{reason}, propBlock(ps...))
}

// v5Connack is a decoded MQTT 5.0 CONNACK.
type v5Connack struct {
	sessionPresent bool
	reason         byte
	props          props
}

// v5Ack is a decoded PUBACK/PUBREC/PUBREL/PUBCOMP/SUBACK/UNSUBACK/DISCONNECT/AUTH.
type v5Ack struct {
	id      uint16
	reason  byte   // PUBACK family, DISCONNECT and AUTH
	reasons []byte // SUBACK and UNSUBACK: one per filter
	props   props
}

// connackV5 decodes p as an MQTT 5.0 CONNACK.
func (p rawPacket) connackV5(t testing.TB) v5Connack {
	t.Helper()
	if p.typ() != typeCONNACK || p.flags() != 0 || len(p.body) < 3 {
		t.Fatalf("want an MQTT 5.0 CONNACK, got %v", p)
	}
	if p.body[0]&0xFE != 0 {
		t.Fatalf("CONNACK acknowledge flags %08b: bits 7-1 are reserved [MQTT-3.2.2-1]", p.body[0])
	}
	ps, rest, err := decodeProps(p.body[2:])
	if err != nil || len(rest) != 0 {
		t.Fatalf("CONNACK properties: %v (rest % x) in %v", err, rest, p)
	}
	return v5Connack{sessionPresent: p.body[0] == 1, reason: p.body[1], props: ps}
}

// publishV5 decodes p as an MQTT 5.0 PUBLISH.
func (p rawPacket) publishV5(t testing.TB) v5Publish {
	t.Helper()
	if p.typ() != typePUBLISH {
		t.Fatalf("want PUBLISH, got %v", p)
	}
	topic, used, err := readString(p.body)
	if err != nil {
		t.Fatalf("PUBLISH topic: %v in %v", err, p)
	}
	out := v5Publish{topic: topic, qos: (p.header >> 1) & 3, dup: p.header&0x08 != 0, retain: p.header&0x01 != 0}
	b := p.body[used:]
	if out.qos > 0 {
		if len(b) < 2 {
			t.Fatalf("PUBLISH without packet id %v", p)
		}
		out.id, b = binary.BigEndian.Uint16(b), b[2:]
	}
	out.props, b, err = decodeProps(b)
	if err != nil {
		t.Fatalf("PUBLISH properties: %v in %v", err, p)
	}
	out.payload = string(b)
	return out
}

// ackV5 decodes an acknowledgement of type typ: the packet identifier (not
// for DISCONNECT and AUTH), the reason code(s) and the properties.
func (p rawPacket) ackV5(t testing.TB, typ byte) v5Ack {
	t.Helper()
	if p.typ() != typ {
		t.Fatalf("want packet type %d, got %v", typ, p)
	}
	if typ == typePUBREL && p.flags() != 0x02 {
		t.Fatalf("PUBREL flags %04b, want 0010 [MQTT-3.6.1-1]", p.flags())
	}
	if typ != typePUBREL && p.flags() != 0 {
		t.Fatalf("reserved fixed-header flags %04b in %v", p.flags(), p)
	}
	b := p.body
	var out v5Ack
	if typ != typeDISCONNECT && typ != typeAUTH {
		if len(b) < 2 {
			t.Fatalf("short acknowledgement %v", p)
		}
		out.id, b = binary.BigEndian.Uint16(b), b[2:]
	}
	switch typ {
	case typeSUBACK, typeUNSUBACK:
		ps, rest, err := decodeProps(b)
		if err != nil {
			t.Fatalf("properties: %v in %v", err, p)
		}
		out.props, out.reasons = ps, rest
		return out
	}
	if len(b) == 0 { // reason code 0 and no properties may be left out
		return out
	}
	out.reason, b = b[0], b[1:]
	if len(b) == 0 {
		return out
	}
	ps, rest, err := decodeProps(b)
	if err != nil || len(rest) != 0 {
		t.Fatalf("properties: %v (rest % x) in %v", err, rest, p)
	}
	out.props = ps
	return out
}

// dialV5 connects with an MQTT 5.0 CONNECT and returns the CONNACK, whatever
// its reason code.
func dialV5(t testing.TB, b *broker, o v5ConnectOpts) (*rawConn, v5Connack) {
	t.Helper()
	r := dialRaw(t, b)
	r.send(connectV5Packet(o))
	return r, r.expect(5 * time.Second).connackV5(t)
}

// connectV5 connects with MQTT 5.0 and requires CONNACK Success.
func connectV5(t testing.TB, b *broker, o v5ConnectOpts) (*rawConn, v5Connack) {
	t.Helper()
	r, ack := dialV5(t, b, o)
	if ack.reason != connackAccepted {
		t.Fatalf("CONNACK reason 0x%02X %v, want 0x00", ack.reason, ack.props)
	}
	return r, ack
}

// subscribeV5 subscribes and returns the SUBACK, checking its packet id.
func (r *rawConn) subscribeV5(id uint16, ps []prop, subs ...v5Sub) v5Ack {
	r.t.Helper()
	r.send(subscribeV5Packet(id, ps, subs...))
	ack := r.expect(5*time.Second).ackV5(r.t, typeSUBACK)
	if ack.id != id || len(ack.reasons) != len(subs) {
		r.t.Fatalf("SUBACK id %d reasons % x, want id %d and %d reasons", ack.id, ack.reasons, id, len(subs))
	}
	return ack
}

// mustSubscribeV5 subscribes to one filter with options and requires the
// granted QoS to equal the requested QoS.
func (r *rawConn) mustSubscribeV5(id uint16, filter string, opts byte, ps ...prop) {
	r.t.Helper()
	ack := r.subscribeV5(id, ps, v5Sub{filter, opts})
	if ack.reasons[0] != opts&3 {
		r.t.Fatalf("SUBACK reason 0x%02X for %q, want granted QoS %d", ack.reasons[0], filter, opts&3)
	}
}

// expectPublishV5 reads one MQTT 5.0 PUBLISH.
func (r *rawConn) expectPublishV5(timeout time.Duration) v5Publish {
	r.t.Helper()
	return r.expect(timeout).publishV5(r.t)
}

// expectAckV5 reads an acknowledgement of type typ for packet id.
func (r *rawConn) expectAckV5(typ byte, id uint16) v5Ack {
	r.t.Helper()
	ack := r.expect(5*time.Second).ackV5(r.t, typ)
	if ack.id != id {
		r.t.Fatalf("ack type %d for id %d, want id %d", typ, ack.id, id)
	}
	return ack
}

// expectDisconnectV5 waits for the broker to send DISCONNECT with reason and
// close the connection [MQTT-4.13.1-1]; PUBLISH packets before it are
// ignored. It returns the DISCONNECT.
func (r *rawConn) expectDisconnectV5(reason byte, timeout time.Duration) v5Ack {
	r.t.Helper()
	got := r.expectClosed(timeout)
	for _, p := range got {
		if p.typ() == typeCONNACK {
			r.t.Fatalf("a second CONNACK on the connection [MQTT-3.2.0-2]: %v", p)
		}
	}
	for i := len(got) - 1; i >= 0; i-- {
		if got[i].typ() == typeDISCONNECT {
			if i != len(got)-1 {
				r.t.Fatalf("packets after the server's DISCONNECT [MQTT-3.14.4-1]: %v", got[i+1:])
			}
			d := got[i].ackV5(r.t, typeDISCONNECT)
			if d.props.has(propSessionExpiry) {
				r.t.Fatalf("server DISCONNECT carries Session Expiry Interval %v [MQTT-3.14.2-2]", d.props)
			}
			if d.reason != reason {
				r.t.Fatalf("DISCONNECT reason 0x%02X %v, want 0x%02X", d.reason, d.props, reason)
			}
			return d
		}
	}
	r.t.Fatalf("connection closed without DISCONNECT 0x%02X (received %v)", reason, got)
	return v5Ack{}
}

// expectDisconnectOrSilentCloseV5 is expectDisconnectV5, except that when
// silentOK is true a close without any DISCONNECT is accepted too. Use it
// only for a documented broker deviation where the spec says the server
// SHOULD (not MUST) send the DISCONNECT (MQTT 5.0 section 4.13).
func (r *rawConn) expectDisconnectOrSilentCloseV5(reason byte, timeout time.Duration, silentOK bool) {
	r.t.Helper()
	if !silentOK {
		r.expectDisconnectV5(reason, timeout)
		return
	}
	for _, p := range r.expectClosed(timeout) {
		if p.typ() == typeDISCONNECT {
			if d := p.ackV5(r.t, typeDISCONNECT); d.reason != reason {
				r.t.Fatalf("DISCONNECT reason 0x%02X %v, want 0x%02X", d.reason, d.props, reason)
			}
		}
	}
}

// drainUntilQuiet reads packets until none arrives for quiet and returns them.
func (r *rawConn) drainUntilQuiet(quiet time.Duration) []rawPacket {
	r.t.Helper()
	var got []rawPacket
	for {
		p, err := r.read(quiet)
		if err == nil {
			got = append(got, p)
			continue
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return got
		}
		r.t.Fatalf("reading: %v (after %v)", err, got)
	}
}
