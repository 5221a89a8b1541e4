package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/midge-mqtt/midge/client"
)

// jsonWriter renders the small JSON documents of %j and %J in the layout of
// the cJSON library that mosquitto_sub uses: compact, or with tabs and
// ":\t" when pretty.
type jsonWriter struct {
	dst    []byte
	pretty bool
	depth  int
	first  []bool
}

func (w *jsonWriter) open(c byte) {
	w.dst = append(w.dst, c)
	w.depth++
	w.first = append(w.first, true)
}

func (w *jsonWriter) close(c byte) {
	w.depth--
	w.first = w.first[:len(w.first)-1]
	if w.pretty {
		w.dst = append(w.dst, '\n')
		w.dst = appendBlank(w.dst, '\t', w.depth)
	}
	w.dst = append(w.dst, c)
}

// key starts a member of the innermost object.
func (w *jsonWriter) key(k string) {
	top := len(w.first) - 1
	if !w.first[top] {
		w.dst = append(w.dst, ',')
	}
	w.first[top] = false
	if w.pretty {
		w.dst = append(w.dst, '\n')
		w.dst = appendBlank(w.dst, '\t', w.depth)
	}
	w.dst = appendJSONString(w.dst, k)
	w.dst = append(w.dst, ':')
	if w.pretty {
		w.dst = append(w.dst, '\t')
	}
}

func (w *jsonWriter) str(k, v string) { w.key(k); w.dst = appendJSONString(w.dst, v) }
func (w *jsonWriter) num(k string, v int64) {
	w.key(k)
	w.dst = strconv.AppendInt(w.dst, v, 10)
}

// appendJSONString quotes s with cJSON's escapes.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c < 0x20 {
				dst = append(dst, '\\', 'u', '0', '0', hexLower[c>>4], hexLower[c&15])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

var errPayloadNotJSON = errors.New("payload is not valid JSON")

// appendJSON renders %j (escaped: payload as a string, or an array of byte
// values when it has unprintable bytes) or %J (payload embedded as JSON;
// errPayloadNotJSON when it is not). On error dst is returned unchanged.
func appendJSON(dst []byte, m *client.Message, now time.Time, escaped, pretty bool) ([]byte, error) {
	var embedded []byte
	if !escaped && len(m.Payload) > 0 {
		if !json.Valid(m.Payload) {
			return dst, errPayloadNotJSON
		}
		var b bytes.Buffer
		if pretty {
			json.Indent(&b, m.Payload, "", "\t")
		} else {
			json.Compact(&b, m.Payload)
		}
		embedded = b.Bytes()
	}
	w := jsonWriter{dst: dst, pretty: pretty}
	w.open('{')
	tst := now.Format("2006-01-02T15:04:05.000000Z-0700")
	w.str("tst", tst)
	w.str("topic", m.Topic)
	w.num("qos", int64(m.QoS))
	retain := int64(0)
	if m.Retain {
		retain = 1
	}
	w.num("retain", retain)
	w.num("payloadlen", int64(len(m.Payload)))
	if m.QoS > 0 {
		w.num("mid", int64(m.PacketID))
	}
	if p := &m.Properties; !p.Empty() {
		w.key("properties")
		w.open('{')
		appendJSONProperties(&w, p)
		w.close('}')
	}
	w.key("payload")
	switch {
	case len(m.Payload) == 0:
		w.dst = append(w.dst, "null"...)
	case !escaped:
		w.dst = append(w.dst, embedded...)
	default:
		// mosquitto_sub 2.0 passes the payload to cJSON as a C string: it
		// ends at the first zero byte.
		w.dst = appendJSONString(w.dst, string(cString(m.Payload)))
	}
	w.close('}')
	return w.dst, nil
}

func cString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// propertyOrder is the order used for properties of a message that did
// not record its arrival order.
var propertyOrder = []byte{0x01, 0x02, 0x03, 0x08, 0x09, 0x0B, 0x23, 0x26}

// appendJSONProperties writes the properties in the order they arrived,
// as mosquitto_sub does; user properties form one "user-properties"
// object at the place of the first one.
func appendJSONProperties(w *jsonWriter, p *client.PublishProperties) {
	order := p.Order
	if len(order) == 0 {
		order = propertyOrder
	}
	subIDs := p.SubscriptionIDs
	userDone := false
	for _, id := range order {
		switch id {
		case 0x01:
			if p.PayloadFormat != nil {
				w.num("payload-format-indicator", int64(*p.PayloadFormat))
			}
		case 0x02:
			if p.MessageExpiry != nil {
				w.num("message-expiry-interval", int64(*p.MessageExpiry))
			}
		case 0x03:
			if p.ContentType != "" {
				w.str("content-type", p.ContentType)
			}
		case 0x08:
			if p.ResponseTopic != "" {
				w.str("response-topic", p.ResponseTopic)
			}
		case 0x09:
			if p.CorrelationData != nil {
				w.str("correlation-data", string(cString(p.CorrelationData)))
			}
		case 0x0B:
			if len(subIDs) > 0 {
				w.num("subscription-identifier", int64(subIDs[0]))
				subIDs = subIDs[1:]
			}
		case 0x23:
			if p.TopicAlias != 0 {
				w.num("topic-alias", int64(p.TopicAlias))
			}
		case 0x26:
			if userDone || len(p.UserProperties) == 0 {
				continue
			}
			userDone = true
			w.key("user-properties")
			w.open('{')
			for _, up := range p.UserProperties {
				w.str(up.Key, up.Value)
			}
			w.close('}')
		}
	}
}
