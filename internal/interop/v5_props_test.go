package interop

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// MQTT 5.0 property identifiers (MQTT 5.0 section 2.2.2.2), written by hand
// so the suite does not depend on midge's codec.
const (
	propPayloadFormat       = 0x01
	propMessageExpiry       = 0x02
	propContentType         = 0x03
	propResponseTopic       = 0x08
	propCorrelationData     = 0x09
	propSubscriptionID      = 0x0B
	propSessionExpiry       = 0x11
	propAssignedClientID    = 0x12
	propServerKeepAlive     = 0x13
	propAuthMethod          = 0x15
	propAuthData            = 0x16
	propRequestProblemInfo  = 0x17
	propWillDelay           = 0x18
	propRequestResponseInfo = 0x19
	propResponseInfo        = 0x1A
	propServerReference     = 0x1C
	propReasonString        = 0x1F
	propReceiveMaximum      = 0x21
	propTopicAliasMaximum   = 0x22
	propTopicAlias          = 0x23
	propMaximumQoS          = 0x24
	propRetainAvailable     = 0x25
	propUserProperty        = 0x26
	propMaximumPacketSize   = 0x27
	propWildcardAvailable   = 0x28
	propSubIDAvailable      = 0x29
	propSharedAvailable     = 0x2A
)

// propKind is how a property's value is encoded (MQTT 5.0 table 2-4).
type propKind int

const (
	kindByte propKind = iota
	kindU16
	kindU32
	kindVarint
	kindString
	kindBinary
	kindPair
)

var propKinds = map[byte]propKind{
	propPayloadFormat: kindByte, propMessageExpiry: kindU32, propContentType: kindString,
	propResponseTopic: kindString, propCorrelationData: kindBinary, propSubscriptionID: kindVarint,
	propSessionExpiry: kindU32, propAssignedClientID: kindString, propServerKeepAlive: kindU16,
	propAuthMethod: kindString, propAuthData: kindBinary, propRequestProblemInfo: kindByte,
	propWillDelay: kindU32, propRequestResponseInfo: kindByte, propResponseInfo: kindString,
	propServerReference: kindString, propReasonString: kindString, propReceiveMaximum: kindU16,
	propTopicAliasMaximum: kindU16, propTopicAlias: kindU16, propMaximumQoS: kindByte,
	propRetainAvailable: kindByte, propUserProperty: kindPair, propMaximumPacketSize: kindU32,
	propWildcardAvailable: kindByte, propSubIDAvailable: kindByte, propSharedAvailable: kindByte,
}

// prop is one encoded property: identifier and value bytes.
type prop struct {
	id  byte
	val []byte
}

func pByte(id, v byte) prop        { return prop{id, []byte{v}} }
func pU16(id byte, v uint16) prop  { return prop{id, u16(v)} }
func pU32(id byte, v uint32) prop  { return prop{id, binary.BigEndian.AppendUint32(nil, v)} }
func pStr(id byte, s string) prop  { return prop{id, str(s)} }
func pBin(id byte, b []byte) prop  { return prop{id, append(u16(uint16(len(b))), b...)} }
func pVarint(id byte, v int) prop  { return prop{id, remainingLength(v)} }
func pUser(key, value string) prop { return prop{propUserProperty, append(str(key), str(value)...)} }

// propBlock encodes a property list with its variable byte integer length.
func propBlock(ps ...prop) []byte {
	var body []byte
	for _, p := range ps {
		body = append(body, p.id)
		body = append(body, p.val...)
	}
	return append(remainingLength(len(body)), body...)
}

// props is a decoded property list in wire order.
type props []decodedProp

// decodedProp is one decoded property; num holds integers, s strings and
// binary data, key/s a user property pair.
type decodedProp struct {
	id  byte
	num uint32
	s   string
	key string
}

func (ps props) get(id byte) (decodedProp, bool) {
	for _, p := range ps {
		if p.id == id {
			return p, true
		}
	}
	return decodedProp{}, false
}

func (ps props) has(id byte) bool { _, ok := ps.get(id); return ok }

// num returns an integer property, failing the test if it is absent.
func (ps props) num(t testing.TB, id byte) uint32 {
	t.Helper()
	p, ok := ps.get(id)
	if !ok {
		t.Fatalf("property 0x%02X absent from %v", id, ps)
	}
	return p.num
}

// all returns every occurrence of id.
func (ps props) all(id byte) []decodedProp {
	var out []decodedProp
	for _, p := range ps {
		if p.id == id {
			out = append(out, p)
		}
	}
	return out
}

// userProps returns the user properties as "key=value" in order.
func (ps props) userProps() []string {
	var out []string
	for _, p := range ps.all(propUserProperty) {
		out = append(out, p.key+"="+p.s)
	}
	return out
}

func (ps props) String() string {
	var b strings.Builder
	b.WriteString("[")
	for i, p := range ps {
		if i > 0 {
			b.WriteString(" ")
		}
		switch propKinds[p.id] {
		case kindString, kindBinary:
			fmt.Fprintf(&b, "0x%02X=%q", p.id, p.s)
		case kindPair:
			fmt.Fprintf(&b, "0x%02X=%q:%q", p.id, p.key, p.s)
		default:
			fmt.Fprintf(&b, "0x%02X=%d", p.id, p.num)
		}
	}
	b.WriteString("]")
	return b.String()
}

// readVarint decodes a variable byte integer.
func readVarint(b []byte) (int, int, error) {
	n, mul := 0, 1
	for i := 0; i < 4; i++ {
		if i >= len(b) {
			return 0, 0, errors.New("short variable byte integer")
		}
		n += int(b[i]&0x7F) * mul
		mul *= 128
		if b[i]&0x80 == 0 {
			return n, i + 1, nil
		}
	}
	return 0, 0, errors.New("variable byte integer longer than 4 bytes")
}

// readString decodes a two-byte-length string or binary value.
func readString(b []byte) (string, int, error) {
	if len(b) < 2 {
		return "", 0, errors.New("short string length")
	}
	n := int(binary.BigEndian.Uint16(b))
	if len(b) < 2+n {
		return "", 0, errors.New("short string")
	}
	return string(b[2 : 2+n]), 2 + n, nil
}

// decodeProps decodes a property block at the start of b and returns the
// properties and the rest of b.
func decodeProps(b []byte) (props, []byte, error) {
	n, used, err := readVarint(b)
	if err != nil {
		return nil, nil, err
	}
	b = b[used:]
	if len(b) < n {
		return nil, nil, fmt.Errorf("property length %d beyond the packet", n)
	}
	block, rest := b[:n], b[n:]
	var out props
	for len(block) > 0 {
		p := decodedProp{id: block[0]}
		kind, ok := propKinds[p.id]
		if !ok {
			return nil, nil, fmt.Errorf("unknown property 0x%02X", p.id)
		}
		block = block[1:]
		switch kind {
		case kindByte:
			if len(block) < 1 {
				return nil, nil, errors.New("short byte property")
			}
			p.num, block = uint32(block[0]), block[1:]
		case kindU16:
			if len(block) < 2 {
				return nil, nil, errors.New("short two-byte property")
			}
			p.num, block = uint32(binary.BigEndian.Uint16(block)), block[2:]
		case kindU32:
			if len(block) < 4 {
				return nil, nil, errors.New("short four-byte property")
			}
			p.num, block = binary.BigEndian.Uint32(block), block[4:]
		case kindVarint:
			v, used, err := readVarint(block)
			if err != nil {
				return nil, nil, err
			}
			p.num, block = uint32(v), block[used:]
		case kindString, kindBinary:
			s, used, err := readString(block)
			if err != nil {
				return nil, nil, err
			}
			p.s, block = s, block[used:]
		case kindPair:
			k, used, err := readString(block)
			if err != nil {
				return nil, nil, err
			}
			v, used2, err := readString(block[used:])
			if err != nil {
				return nil, nil, err
			}
			p.key, p.s, block = k, v, block[used+used2:]
		}
		out = append(out, p)
	}
	return out, rest, nil
}
