package matcher

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Errors returned for filters and topics that break the MQTT rules.
var (
	ErrEmptyFilter     = errors.New("matcher: empty topic filter")
	ErrInvalidWildcard = errors.New("matcher: wildcard must occupy a whole level, '#' only the last")
	ErrNullCharacter   = errors.New("matcher: topic or filter contains U+0000")
	ErrInvalidUTF8     = errors.New("matcher: topic or filter is not valid UTF-8")
	ErrInvalidShare    = errors.New("matcher: malformed shared subscription filter")
	ErrEmptyTopic      = errors.New("matcher: empty topic name")
	ErrWildcardInTopic = errors.New("matcher: topic name contains a wildcard")
)

// sharePrefix starts a shared subscription filter: $share/{group}/{filter}.
const sharePrefix = "$share/"

// Options are the subscription options of one subscription, stored with it
// and returned with every delivery so the engine applies them per message.
type Options struct {
	// QoS is the maximum QoS granted for the subscription (0, 1 or 2).
	QoS byte
	// NoLocal asks that messages published by the subscriber itself are not
	// sent back to it (MQTT 5).
	NoLocal bool
	// RetainAsPublished keeps the RETAIN flag of forwarded messages (MQTT 5).
	RetainAsPublished bool
	// RetainHandling says when retained messages are sent at subscribe time
	// (0, 1 or 2, MQTT 5). The index stores it; the engine acts on it.
	RetainHandling byte
	// SubscriptionID is the MQTT 5 subscription identifier, 0 for none.
	SubscriptionID uint32
}

// Subscription is one subscriber with the options of its subscription.
type Subscription[S comparable] struct {
	Sub     S
	Options Options
}

// SplitShared splits a shared subscription filter "$share/{group}/{filter}"
// into its share name and topic filter. For any other filter it returns an
// empty group and the filter unchanged. It does not validate the filter.
func SplitShared(filter string) (group, topicFilter string, shared bool) {
	if !strings.HasPrefix(filter, sharePrefix) {
		return "", filter, false
	}
	rest := filter[len(sharePrefix):]
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return rest, "", true
	}
	return rest[:slash], rest[slash+1:], true
}

// ParseFilter validates a subscription filter and splits a shared one into
// its share name and topic filter (group is "" when not shared).
func ParseFilter(filter string) (group, topicFilter string, err error) {
	group, topicFilter, shared := SplitShared(filter)
	if shared {
		// [MQTT-4.8.2-1] the ShareName is at least one character long and
		// followed by '/' and a topic filter.
		if group == "" || len(filter) == len(sharePrefix)+len(group) {
			return "", "", ErrInvalidShare
		}
		// [MQTT-4.8.2-2] the ShareName must not contain '/', '+' or '#'.
		if strings.ContainsAny(group, "+#") {
			return "", "", ErrInvalidShare
		}
		if strings.IndexByte(group, 0) >= 0 {
			return "", "", ErrNullCharacter // [MQTT-4.7.3-2]
		}
		if !utf8.ValidString(group) {
			return "", "", ErrInvalidUTF8 // [MQTT-1.5.3-1]
		}
	}
	if err := ValidFilter(topicFilter); err != nil {
		return "", "", err
	}
	return group, topicFilter, nil
}

// ValidFilter reports whether filter is a well-formed topic filter (not a
// shared one: use [ParseFilter] for those).
func ValidFilter(filter string) error {
	// [MQTT-4.7.3-1] topic filters are at least one character long.
	if filter == "" {
		return ErrEmptyFilter
	}
	// [MQTT-4.7.3-2] topic filters must not include the null character.
	if strings.IndexByte(filter, 0) >= 0 {
		return ErrNullCharacter
	}
	// [MQTT-1.5.3-1] UTF-8 encoded strings must be well-formed.
	if !utf8.ValidString(filter) {
		return ErrInvalidUTF8
	}
	for start := 0; start <= len(filter); {
		end := strings.IndexByte(filter[start:], '/')
		last := end < 0
		if last {
			end = len(filter)
		} else {
			end += start
		}
		level := filter[start:end]
		if strings.ContainsAny(level, "+#") {
			switch {
			case level == "+": // [MQTT-4.7.1-3] '+' occupies an entire level.
			case level == "#" && last: // [MQTT-4.7.1-2] '#' is the last character, alone in its level.
			default:
				return ErrInvalidWildcard
			}
		}
		if last {
			break
		}
		start = end + 1
	}
	return nil
}

// ValidTopic reports whether topic is a well-formed topic name for PUBLISH.
// [Index.Match] does not validate its topic: the codec does.
func ValidTopic(topic []byte) error {
	// [MQTT-4.7.3-1] topic names are at least one character long.
	if len(topic) == 0 {
		return ErrEmptyTopic
	}
	for _, c := range topic {
		switch c {
		case 0:
			return ErrNullCharacter // [MQTT-4.7.3-2]
		case '+', '#':
			return ErrWildcardInTopic // [MQTT-3.3.2-2]
		}
	}
	if !utf8.Valid(topic) {
		return ErrInvalidUTF8 // [MQTT-1.5.3-1]
	}
	return nil
}

// hasWildcard reports whether a valid filter has a '+' or '#' level.
func hasWildcard(filter string) bool {
	return strings.ContainsAny(filter, "+#")
}
