package codec

var (
	errTopicEmpty    = &Error{Code: TopicNameInvalid, Rule: "empty topic name [MQTT-4.7.3-1]"}
	errTopicWildcard = &Error{Code: ProtocolError, Rule: "wildcard in a topic name [MQTT-3.3.2-2]"} // a MUST NOT broken: a Protocol Error, as mosquitto answers
	errFilterEmpty   = &Error{Code: TopicFilterInvalid, Rule: "empty topic filter [MQTT-4.7.3-1]"}
	errFilterHash    = &Error{Code: TopicFilterInvalid, Rule: "'#' not alone in the last level [MQTT-4.7.1-1] (3.1.1: [MQTT-4.7.1-2])"}
	errFilterPlus    = &Error{Code: TopicFilterInvalid, Rule: "'+' not alone in its level [MQTT-4.7.1-2] (3.1.1: [MQTT-4.7.1-3])"}
	errShareName     = &Error{Code: TopicFilterInvalid, Rule: "shared subscription name empty or holding '/', '+' or '#' [MQTT-4.8.2-1]"}
	errShareFilter   = &Error{Code: TopicFilterInvalid, Rule: "shared subscription without a topic filter [MQTT-4.8.2-2]"}
	errTopicLength   = &Error{Code: TopicNameInvalid, Rule: "topic longer than 65535 bytes [MQTT-4.7.3-3]"}
	errFilterLength  = &Error{Code: TopicFilterInvalid, Rule: "topic filter longer than 65535 bytes [MQTT-4.7.3-3]"}
	errTopicUTF8     = &Error{Code: TopicNameInvalid, Rule: "topic name is not a valid UTF-8 string [MQTT-4.7.3-2]"}
	errFilterUTF8    = &Error{Code: TopicFilterInvalid, Rule: "topic filter is not a valid UTF-8 string [MQTT-4.7.3-2]"}
)

// ValidTopicName checks a PUBLISH Topic Name: at least one byte
// [MQTT-4.7.3-1], at most 65535 [MQTT-4.7.3-3], a valid UTF-8 string without
// U+0000 [MQTT-4.7.3-2], and no wildcard [MQTT-3.3.2-2]. It returns nil or an
// error with reason TopicNameInvalid (ProtocolError for a wildcard).
func ValidTopicName(topic []byte) error {
	if len(topic) == 0 {
		return errTopicEmpty // [MQTT-4.7.3-1]
	}
	if len(topic) > 65535 {
		return errTopicLength // [MQTT-4.7.3-3]
	}
	switch err := checkTopicChars(topic); err {
	case nil:
		return nil
	case errUTF8, errUTF8Null:
		return errTopicUTF8 // [MQTT-4.7.3-2]
	default:
		return err
	}
}

// checkTopicChars rejects wildcards (TopicNameInvalid) and bad UTF-8
// (MalformedPacket, as for any string [MQTT-1.5.4-1]) in a topic name; an
// empty name is the caller's concern (MQTT 5.0 allows it with a Topic Alias).
func checkTopicChars(topic []byte) error {
	if len(topic) >= minWords && plainTopic(topic) {
		return nil
	}
	for i := 0; i < len(topic); i++ {
		switch c := topic[i]; {
		case c == '+' || c == '#':
			return errTopicWildcard // [MQTT-3.3.2-2]
		case c == 0:
			return errUTF8Null // [MQTT-1.5.4-2]
		case c >= 0x80:
			if err := checkUTF8Slow(topic[i:]); err != nil {
				return err // [MQTT-1.5.4-1]
			}
			for _, c := range topic[i:] {
				if c == '+' || c == '#' {
					return errTopicWildcard // [MQTT-3.3.2-2]
				}
			}
			return nil
		}
	}
	return nil
}

// ValidTopicFilter checks a SUBSCRIBE or UNSUBSCRIBE Topic Filter: length
// [MQTT-4.7.3-1] [MQTT-4.7.3-3], UTF-8 [MQTT-4.7.3-2], '#' alone in the last
// level [MQTT-4.7.1-1], '+' alone in its level [MQTT-4.7.1-2]; and for
// "$share/{ShareName}/{filter}" a non-empty ShareName without '/', '+' or '#'
// [MQTT-4.8.2-1] followed by a valid filter [MQTT-4.8.2-2]. It returns nil or
// an error with reason TopicFilterInvalid. The $share form is checked in
// every version; whether shared subscriptions are supported is the broker's
// decision.
func ValidTopicFilter(filter []byte) error {
	if len(filter) > 65535 {
		return errFilterLength // [MQTT-4.7.3-3]
	}
	if checkUTF8(filter) != nil {
		return errFilterUTF8 // [MQTT-4.7.3-2]
	}
	if _, f, ok, err := SplitShared(filter); ok || err != nil {
		if err != nil {
			return err
		}
		filter = f
	}
	return checkFilterLevels(filter)
}

func checkFilterLevels(filter []byte) error {
	if len(filter) == 0 {
		return errFilterEmpty // [MQTT-4.7.3-1]
	}
	for i, c := range filter {
		switch c {
		case '#':
			if i != len(filter)-1 || (i > 0 && filter[i-1] != '/') {
				return errFilterHash // [MQTT-4.7.1-1]
			}
		case '+':
			if (i > 0 && filter[i-1] != '/') || (i < len(filter)-1 && filter[i+1] != '/') {
				return errFilterPlus // [MQTT-4.7.1-2]
			}
		}
	}
	return nil
}

var sharePrefix = []byte("$share/")

// SplitShared splits a shared subscription "$share/{ShareName}/{filter}"
// into its share name and filter (both views into filter). ok is false when
// filter does not start with "$share/"; err is set when it does but the form
// is wrong [MQTT-4.8.2-1] [MQTT-4.8.2-2].
func SplitShared(filter []byte) (shareName, topicFilter []byte, ok bool, err error) {
	if len(filter) < len(sharePrefix) || string(filter[:len(sharePrefix)]) != "$share/" {
		return nil, filter, false, nil
	}
	rest := filter[len(sharePrefix):]
	for i, c := range rest {
		switch c {
		case '/':
			if i == 0 {
				return nil, nil, true, errShareName // [MQTT-4.8.2-1] at least one character
			}
			if i == len(rest)-1 {
				return nil, nil, true, errShareFilter // [MQTT-4.8.2-2]
			}
			return rest[:i], rest[i+1:], true, nil
		case '+', '#':
			return nil, nil, true, errShareName // [MQTT-4.8.2-1]
		}
	}
	return nil, nil, true, errShareFilter // [MQTT-4.8.2-2] no '/' after the share name
}

// IsSharedFilter reports whether filter has the "$share/" prefix.
func IsSharedFilter(filter []byte) bool {
	return len(filter) >= len(sharePrefix) && string(filter[:len(sharePrefix)]) == "$share/"
}
