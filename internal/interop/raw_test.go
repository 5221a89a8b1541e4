package interop

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// Raw MQTT 3.1.1 packets, built byte by byte so the suite does not depend on
// midge's codec. Packet type nibbles (MQTT 3.1.1 table 2.1).
const (
	typeCONNECT     = 1
	typeCONNACK     = 2
	typePUBLISH     = 3
	typePUBACK      = 4
	typePUBREC      = 5
	typePUBREL      = 6
	typePUBCOMP     = 7
	typeSUBSCRIBE   = 8
	typeSUBACK      = 9
	typeUNSUBSCRIBE = 10
	typeUNSUBACK    = 11
	typePINGREQ     = 12
	typePINGRESP    = 13
	typeDISCONNECT  = 14
)

// remainingLength encodes n as MQTT's variable byte integer.
func remainingLength(n int) []byte {
	var out []byte
	for {
		b := byte(n % 128)
		n /= 128
		if n > 0 {
			b |= 0x80
		}
		out = append(out, b)
		if n == 0 {
			return out
		}
	}
}

// packet is a fixed header byte, the remaining length, then the body parts.
func packet(header byte, body ...[]byte) []byte {
	var n int
	for _, p := range body {
		n += len(p)
	}
	out := append([]byte{header}, remainingLength(n)...)
	for _, p := range body {
		out = append(out, p...)
	}
	return out
}

// str is an MQTT UTF-8 string: two-byte big-endian length, then the bytes.
func str(s string) []byte {
	return append(u16(uint16(len(s))), s...)
}

func u16(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }

// will is the will message of a CONNECT.
type will struct {
	topic   string
	payload string
	qos     byte
	retain  bool
}

// connectOpts describes a CONNECT. The zero value is a 3.1.1 clean-session
// CONNECT with an empty client id and keep-alive 0 (off).
type connectOpts struct {
	clientID   string
	persistent bool // clean session 0
	keepAlive  uint16
	will       *will
	mqtt31     bool // protocol name MQIsdp, level 3
	level      byte // overrides the protocol level when non-zero
	flagsOR    byte // OR'd into the connect flags (to set the reserved bit)
}

// connectPacket builds a CONNECT (MQTT 3.1.1 section 3.1).
func connectPacket(o connectOpts) []byte {
	name, level := "MQTT", byte(4)
	if o.mqtt31 {
		name, level = "MQIsdp", 3
	}
	if o.level != 0 {
		level = o.level
	}
	var flags byte
	if !o.persistent {
		flags |= 0x02 // clean session
	}
	payload := str(o.clientID)
	if o.will != nil {
		flags |= 0x04 | o.will.qos<<3 // will flag, will QoS
		if o.will.retain {
			flags |= 0x20 // will retain
		}
		payload = append(payload, str(o.will.topic)...)
		payload = append(payload, str(o.will.payload)...)
	}
	flags |= o.flagsOR
	variable := append(str(name), level, flags)
	variable = append(variable, u16(o.keepAlive)...)
	return packet(typeCONNECT<<4, variable, payload)
}

// publishPacket builds a PUBLISH; id is written only for QoS > 0.
func publishPacket(topic string, payload []byte, qos byte, id uint16, dup, retain bool) []byte {
	h := byte(typePUBLISH<<4) | qos<<1
	if dup {
		h |= 0x08
	}
	if retain {
		h |= 0x01
	}
	variable := str(topic)
	if qos > 0 {
		variable = append(variable, u16(id)...)
	}
	return packet(h, variable, payload)
}

// subscribePacket builds a SUBSCRIBE (fixed header flags 0010) for one filter.
func subscribePacket(id uint16, filter string, qos byte) []byte {
	return packet(typeSUBSCRIBE<<4|0x02, u16(id), str(filter), []byte{qos})
}

// ackPacket builds PUBACK, PUBREC, PUBREL (flags 0010) or PUBCOMP.
func ackPacket(typ byte, id uint16) []byte {
	h := typ << 4
	if typ == typePUBREL {
		h |= 0x02
	}
	return packet(h, u16(id))
}

var (
	pingreqPacket    = []byte{0xC0, 0x00}
	disconnectPacket = []byte{0xE0, 0x00}
)

// rawPacket is one packet read from the broker.
type rawPacket struct {
	header byte // type<<4 | flags
	body   []byte
}

func (p rawPacket) typ() byte   { return p.header >> 4 }
func (p rawPacket) flags() byte { return p.header & 0x0F }

func (p rawPacket) String() string {
	return fmt.Sprintf("packet(type %d, flags %04b, %d body bytes % x)", p.typ(), p.flags(), len(p.body), p.body)
}

// rawPublish is a decoded PUBLISH.
type rawPublish struct {
	topic   string
	payload string
	qos     byte
	id      uint16
	dup     bool
	retain  bool
}

// publish decodes p as a PUBLISH, failing the test if it is not one.
func (p rawPacket) publish(t testing.TB) rawPublish {
	t.Helper()
	if p.typ() != typePUBLISH {
		t.Fatalf("want PUBLISH, got %v", p)
	}
	b := p.body
	if len(b) < 2 {
		t.Fatalf("short PUBLISH %v", p)
	}
	n := int(binary.BigEndian.Uint16(b))
	if len(b) < 2+n {
		t.Fatalf("short PUBLISH topic %v", p)
	}
	out := rawPublish{
		topic:  string(b[2 : 2+n]),
		qos:    (p.header >> 1) & 3,
		dup:    p.header&0x08 != 0,
		retain: p.header&0x01 != 0,
	}
	b = b[2+n:]
	if out.qos > 0 {
		if len(b) < 2 {
			t.Fatalf("PUBLISH without packet id %v", p)
		}
		out.id = binary.BigEndian.Uint16(b)
		b = b[2:]
	}
	out.payload = string(b)
	return out
}

// rawConn is a client socket that speaks exact bytes.
type rawConn struct {
	t testing.TB
	c net.Conn
	r *bufio.Reader
}

// dialRaw opens a TCP connection to the broker and closes it when the test ends.
func dialRaw(t testing.TB, b *broker) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", b.addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", b.addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, c: c, r: bufio.NewReaderSize(c, 64<<10)}
}

// dialRawUnix opens a connection to the broker's Unix socket.
func dialRawUnix(t testing.TB, b *broker) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("unix", b.sock, 5*time.Second)
	if err != nil {
		t.Fatalf("dial unix %s: %v", b.sock, err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, c: c, r: bufio.NewReaderSize(c, 64<<10)}
}

// send writes bytes, failing the test on error.
func (r *rawConn) send(parts ...[]byte) {
	r.t.Helper()
	if err := r.trySend(parts...); err != nil {
		r.t.Fatalf("write: %v", err)
	}
}

// trySend writes bytes and returns the error (a broker may already have
// closed the connection).
func (r *rawConn) trySend(parts ...[]byte) error {
	r.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	for _, p := range parts {
		if _, err := r.c.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// read reads one packet within timeout.
func (r *rawConn) read(timeout time.Duration) (rawPacket, error) {
	r.c.SetReadDeadline(time.Now().Add(timeout))
	h, err := r.r.ReadByte()
	if err != nil {
		return rawPacket{}, err
	}
	n, mul := 0, 1
	for i := 0; ; i++ {
		b, err := r.r.ReadByte()
		if err != nil {
			return rawPacket{}, err
		}
		if i == 4 {
			return rawPacket{}, errors.New("remaining length longer than 4 bytes")
		}
		n += int(b&0x7F) * mul
		mul *= 128
		if b&0x80 == 0 {
			break
		}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r.r, body); err != nil {
		return rawPacket{}, err
	}
	return rawPacket{header: h, body: body}, nil
}

// expect reads one packet, failing the test on timeout or close.
func (r *rawConn) expect(timeout time.Duration) rawPacket {
	r.t.Helper()
	p, err := r.read(timeout)
	if err != nil {
		r.t.Fatalf("waiting for a packet: %v", err)
	}
	return p
}

// expectType reads one packet and checks its type.
func (r *rawConn) expectType(typ byte, timeout time.Duration) rawPacket {
	r.t.Helper()
	p := r.expect(timeout)
	if p.typ() != typ {
		r.t.Fatalf("want packet type %d, got %v", typ, p)
	}
	return p
}

// expectAck reads an acknowledgement of the given type and packet id.
func (r *rawConn) expectAck(typ byte, id uint16) {
	r.t.Helper()
	p := r.expectType(typ, 5*time.Second)
	if len(p.body) != 2 || binary.BigEndian.Uint16(p.body) != id {
		r.t.Fatalf("want ack type %d for id %d, got %v", typ, id, p)
	}
	if typ == typePUBREL && p.flags() != 0x02 {
		r.t.Fatalf("PUBREL flags %04b, want 0010 [MQTT-3.6.1-1]", p.flags())
	}
}

// expectPublish reads one PUBLISH.
func (r *rawConn) expectPublish(timeout time.Duration) rawPublish {
	r.t.Helper()
	return r.expect(timeout).publish(r.t)
}

// isClosed reports whether err means the peer closed the connection.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

// expectClosed waits up to timeout for the broker to close the connection
// and returns the packets that arrived before the close.
func (r *rawConn) expectClosed(timeout time.Duration) []rawPacket {
	r.t.Helper()
	var got []rawPacket
	deadline := time.Now().Add(timeout)
	for {
		p, err := r.read(time.Until(deadline))
		if err == nil {
			got = append(got, p)
			continue
		}
		if isClosed(err) {
			return got
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			r.t.Fatalf("connection still open after %v (received %v)", timeout, got)
		}
		r.t.Fatalf("reading: %v", err)
	}
}

// expectClosedSilently waits for the close and fails if any packet arrived.
func (r *rawConn) expectClosedSilently(timeout time.Duration) {
	r.t.Helper()
	if got := r.expectClosed(timeout); len(got) > 0 {
		r.t.Fatalf("broker sent %v before closing, want nothing", got)
	}
}

// expectOpen checks that nothing arrives and the connection stays open for d.
func (r *rawConn) expectOpen(d time.Duration) {
	r.t.Helper()
	p, err := r.read(d)
	if err == nil {
		r.t.Fatalf("unexpected %v", p)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		r.t.Fatalf("connection closed: %v", err)
	}
}

// connack reads a CONNACK and returns (session present, return code).
func (r *rawConn) connack() (bool, byte) {
	r.t.Helper()
	p := r.expectType(typeCONNACK, 5*time.Second)
	if p.flags() != 0 || len(p.body) != 2 {
		r.t.Fatalf("malformed CONNACK %v", p)
	}
	if p.body[0]&0xFE != 0 {
		r.t.Fatalf("CONNACK acknowledge flags %08b: bits 7-1 are reserved (3.2.2.1)", p.body[0])
	}
	return p.body[0] == 1, p.body[1]
}

// connectRaw dials, sends CONNECT and requires CONNACK accepted. It returns
// the connection and the session-present flag.
func connectRaw(t testing.TB, b *broker, o connectOpts) (*rawConn, bool) {
	t.Helper()
	r := dialRaw(t, b)
	r.send(connectPacket(o))
	sp, rc := r.connack()
	if rc != 0 {
		t.Fatalf("CONNACK return code %d, want 0", rc)
	}
	return r, sp
}

// subscribe sends SUBSCRIBE for one filter and checks the SUBACK grant.
func (r *rawConn) subscribe(id uint16, filter string, qos byte) {
	r.t.Helper()
	r.send(subscribePacket(id, filter, qos))
	p := r.expectType(typeSUBACK, 5*time.Second)
	if len(p.body) != 3 || binary.BigEndian.Uint16(p.body) != id || p.body[2] != qos {
		r.t.Fatalf("SUBACK %v, want id %d granting QoS %d", p, id, qos)
	}
}

// resetClose closes the socket with SO_LINGER 0, so the broker sees a reset.
func (r *rawConn) resetClose() {
	if tc, ok := r.c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	r.c.Close()
}

// newReader buffers a connection for rawConn.read.
func newReader(c net.Conn) *bufio.Reader { return bufio.NewReaderSize(c, 64<<10) }
