package ceiling

import "errors"

// MQTT control packet types, the high nibble of the first byte.
const (
	typeConnect     = 1
	typePublish     = 3
	typePuback      = 4
	typePubrec      = 5
	typePubrel      = 6
	typePubcomp     = 7
	typeSubscribe   = 8
	typeUnsubscribe = 10
	typePingreq     = 12
	typeDisconnect  = 14
)

// errBadLength is a remaining length longer than four bytes [MQTT-1.5.5-1].
var errBadLength = errors.New("ceiling: malformed remaining length")

// nextFrame reads the fixed header at the start of b. It returns the
// length of the whole packet and of its fixed header, or n == 0 when b
// does not yet hold the whole packet. The packet is b[:n]; its body is
// b[header:n].
func nextFrame(b []byte) (n, header int, err error) {
	var length, shift int
	for i := 1; i < len(b); i++ {
		if i > 4 {
			return 0, 0, errBadLength // [MQTT-1.5.5-1] at most four bytes
		}
		length |= int(b[i]&0x7f) << shift
		shift += 7
		if b[i]&0x80 == 0 {
			header = i + 1
			if len(b)-header < length {
				return 0, 0, nil
			}
			return header + length, header, nil
		}
	}
	if len(b) > 5 {
		return 0, 0, errBadLength
	}
	return 0, 0, nil
}

// prefixed returns the two-byte-length prefixed string at the start of
// b and what follows it; ok is false when b is too short. The result
// aliases b.
func prefixed(b []byte) (s, rest []byte, ok bool) {
	if len(b) < 2 {
		return nil, nil, false
	}
	n := int(b[0])<<8 | int(b[1])
	if len(b)-2 < n {
		return nil, nil, false
	}
	return b[2 : 2+n], b[2+n:], true
}

// skipProperties skips a variable byte integer (an MQTT 5 property length)
// and the properties it counts.
func skipProperties(b []byte) ([]byte, bool) {
	var length, shift int
	for i := 0; i < len(b) && i < 4; i++ {
		length |= int(b[i]&0x7f) << shift
		shift += 7
		if b[i]&0x80 == 0 {
			if len(b)-i-1 < length {
				return nil, false
			}
			return b[i+1+length:], true
		}
	}
	return nil, false
}

// connectVersion returns the protocol level of a CONNECT body (3, 4 or
// 5; 4 when the body is too short to say).
func connectVersion(body []byte) byte {
	_, rest, ok := prefixed(body) // protocol name
	if !ok || len(rest) == 0 {
		return 4
	}
	return rest[0]
}

// publishTopic returns the topic of a PUBLISH body and its packet
// identifier (0 at QoS 0). The topic aliases body.
func publishTopic(body []byte, qos byte) (topic []byte, id uint16, ok bool) {
	topic, rest, ok := prefixed(body)
	if !ok {
		return nil, 0, false
	}
	if qos > 0 {
		if len(rest) < 2 {
			return nil, 0, false
		}
		id = uint16(rest[0])<<8 | uint16(rest[1])
	}
	return topic, id, true
}

// appendAck appends a four-byte acknowledgement (PUBACK, PUBREC, PUBREL,
// PUBCOMP: remaining length 2, reason code omitted, which MQTT 5 reads
// as success [MQTT-3.4.2.1]).
func appendAck(out []byte, first byte, id uint16) []byte {
	return append(out, first, 2, byte(id>>8), byte(id))
}

// appendConnack appends a CONNACK accepting the connection, shaped for
// the client's protocol version.
func appendConnack(out []byte, version byte) []byte {
	if version == 5 {
		return append(out, 0x20, 3, 0, 0, 0) // no properties
	}
	return append(out, 0x20, 2, 0, 0)
}

// filterMatches reports whether topic matches filter, comparing bytes:
// '+' stands for one level, a final '#' for any number of levels
// (including the parent), and wildcards at the first level do not match
// topics starting with '$' [MQTT-4.7.2-1].
func filterMatches(filter string, topic []byte) bool {
	if len(topic) > 0 && topic[0] == '$' && len(filter) > 0 && (filter[0] == '+' || filter[0] == '#') {
		return false // [MQTT-4.7.2-1]
	}
	f, t := 0, 0
	for f < len(filter) {
		switch filter[f] {
		case '#':
			return true
		case '+':
			for t < len(topic) && topic[t] != '/' {
				t++
			}
			f++
		default:
			if t >= len(topic) {
				// "a/#" matches "a": the filter's rest is exactly "/#".
				return filter[f:] == "/#"
			}
			if filter[f] != topic[t] {
				return false
			}
			f++
			t++
		}
	}
	return t == len(topic)
}

// hasWildcard reports whether filter holds '+' or '#'.
func hasWildcard(filter []byte) bool {
	for _, c := range filter {
		if c == '+' || c == '#' {
			return true
		}
	}
	return false
}
