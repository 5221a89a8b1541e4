package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/midge-mqtt/midge/client"
)

// printOptions say how sub and rr print a received message, as mosquitto_sub
// does: raw payload, "-v" topic and payload, or an -F format.
type printOptions struct {
	format  string // -F; empty for the default output
	verbose bool   // -v
	noEOL   bool   // -N
	pretty  bool   // --pretty, for %j and %J
}

// appendMessage appends the printed form of m to dst. now is the time of
// receipt used by the clock tokens. warn is non-nil when a token could not
// be printed (mosquitto prints the rest of the line and reports it).
func appendMessage(dst []byte, o *printOptions, m *client.Message, now time.Time) (out []byte, warn error) {
	if o.format != "" {
		dst, warn = appendFormatted(dst, o.format, m, now, o.pretty)
		if !o.noEOL {
			dst = append(dst, '\n')
		}
		return dst, warn
	}
	if o.verbose {
		if len(m.Payload) > 0 {
			dst = append(dst, m.Topic...)
			dst = append(dst, ' ')
			dst = append(dst, m.Payload...)
			if !o.noEOL {
				dst = append(dst, '\n')
			}
		} else if !o.noEOL {
			dst = append(dst, m.Topic...)
			dst = append(dst, " (null)\n"...)
		}
		return dst, nil
	}
	if len(m.Payload) > 0 {
		dst = append(dst, m.Payload...)
		if !o.noEOL {
			dst = append(dst, '\n')
		}
	}
	return dst, nil
}

// maxFieldWidth caps widths and precisions: a typo such as %99999999999p
// must not print gigabytes of padding (or overflow).
const maxFieldWidth = 1 << 16

// fieldSpec is the optional alignment, padding, width and precision between
// '%' and the token letter.
type fieldSpec struct {
	leftAlign bool
	pad       byte
	width     int
	precision int // -1: none
}

// appendFormatted renders one message through an -F format string, token
// by token as mosquitto_sub 2.0 does (including its quirks: a width
// truncates %p/%x/%X, a letter that is no token prints nothing, a trailing
// lone '%', '@' or '\' prints nothing).
func appendFormatted(dst []byte, format string, m *client.Message, now time.Time, pretty bool) ([]byte, error) {
	var warn error
	n := len(format)
	for i := 0; i < n; i++ {
		switch c := format[i]; c {
		case '%':
			if i >= n-1 {
				continue
			}
			i++
			f := fieldSpec{pad: ' ', precision: -1}
			if format[i] == '-' {
				f.leftAlign = true
				if i < n-1 {
					i++
				}
			}
			if format[i] == '0' {
				f.pad = '0'
				if i < n-1 {
					i++
				}
			}
			for i < n-1 && isDigit(format[i]) {
				f.width = min(f.width*10+int(format[i]-'0'), maxFieldWidth)
				i++
			}
			if format[i] == '.' && i < n-1 {
				i++
				f.precision = 0
				for i < n-1 && isDigit(format[i]) {
					f.precision = min(f.precision*10+int(format[i]-'0'), maxFieldWidth)
					i++
				}
			}
			var err error
			dst, err = appendToken(dst, format[i], f, m, now, pretty)
			if err != nil {
				warn = err
			}
		case '@':
			if i >= n-1 {
				continue
			}
			i++
			switch format[i] {
			case '@':
				dst = append(dst, '@')
			case 'N':
				dst = appendZeroPadded(dst, int64(now.Nanosecond()), 9)
			default:
				dst = appendStrftime(dst, format[i], now)
			}
		case '\\':
			if i >= n-1 {
				continue
			}
			i++
			if e, ok := formatEscapes[format[i]]; ok {
				dst = append(dst, e)
			}
		default:
			dst = append(dst, c)
		}
	}
	return dst, warn
}

var formatEscapes = map[byte]byte{
	'\\': '\\', '0': 0, 'a': '\a', 'e': 0x1b, 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// appendToken renders one '%' token.
func appendToken(dst []byte, tok byte, f fieldSpec, m *client.Message, now time.Time, pretty bool) ([]byte, error) {
	p := &m.Properties
	switch tok {
	case '%':
		dst = append(dst, '%')
	case 'A':
		if p.TopicAlias != 0 {
			return appendInt(dst, int64(p.TopicAlias), f), nil
		}
		return appendBlank(dst, f.pad, f.width), nil
	case 'C':
		if p.ContentType != "" {
			return appendStr(dst, p.ContentType, f), nil
		}
		return appendBlank(dst, ' ', f.width), nil
	case 'D':
		dst = append(dst, p.CorrelationData...)
	case 'E':
		if p.MessageExpiry != nil {
			return appendInt(dst, int64(int32(*p.MessageExpiry)), f), nil
		}
		return appendBlank(dst, f.pad, f.width), nil
	case 'F':
		if p.PayloadFormat != nil {
			return appendInt(dst, int64(*p.PayloadFormat), f), nil
		}
		return appendBlank(dst, f.pad, f.width), nil
	case 'I':
		return appendStr(dst, now.Format("2006-01-02T15:04:05-0700"), f), nil
	case 'j':
		return appendJSON(dst, m, now, true, pretty)
	case 'J':
		out, err := appendJSON(dst, m, now, false, pretty)
		if err != nil {
			return dst, fmt.Errorf("Error: Message payload is not valid JSON on topic %s.", m.Topic)
		}
		return out, nil
	case 'l':
		return appendInt(dst, int64(len(m.Payload)), f), nil
	case 'm':
		return appendInt(dst, int64(m.PacketID), f), nil
	case 'P':
		for i, up := range p.UserProperties {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = append(dst, up.Key...)
			dst = append(dst, ':')
			dst = append(dst, up.Value...)
		}
	case 'p':
		return appendPayload(dst, m.Payload, 0, f), nil
	case 'q':
		dst = append(dst, '0'+m.QoS)
	case 'R':
		if p.ResponseTopic != "" {
			return appendStr(dst, p.ResponseTopic, f), nil
		}
	case 'r':
		if m.Retain {
			dst = append(dst, '1')
		} else {
			dst = append(dst, '0')
		}
	case 'S':
		if len(p.SubscriptionIDs) > 0 {
			return appendInt(dst, int64(int32(p.SubscriptionIDs[0])), f), nil
		}
		return appendBlank(dst, f.pad, f.width), nil
	case 't':
		return appendStr(dst, m.Topic, f), nil
	case 'U':
		dst = strconv.AppendInt(dst, now.Unix(), 10)
		dst = append(dst, '.')
		dst = appendZeroPadded(dst, int64(now.Nanosecond()), 9)
	case 'x':
		return appendPayload(dst, m.Payload, 1, f), nil
	case 'X':
		return appendPayload(dst, m.Payload, 2, f), nil
	}
	return dst, nil
}

func appendBlank(dst []byte, pad byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, pad)
	}
	return dst
}

func appendZeroPadded(dst []byte, v int64, width int) []byte {
	s := strconv.FormatInt(v, 10)
	dst = appendBlank(dst, '0', width-len(s))
	return append(dst, s...)
}

// appendInt prints like C's %d, %-*d and %0*d.
func appendInt(dst []byte, v int64, f fieldSpec) []byte {
	s := strconv.FormatInt(v, 10)
	pad := f.width - len(s)
	switch {
	case f.leftAlign:
		dst = append(dst, s...)
		return appendBlank(dst, ' ', pad)
	case f.pad == '0' && v < 0:
		dst = append(dst, '-')
		dst = appendBlank(dst, '0', pad)
		return append(dst, s[1:]...)
	default:
		dst = appendBlank(dst, f.pad, pad)
		return append(dst, s...)
	}
}

// appendStr prints like C's %*.*s (padding always with spaces).
func appendStr(dst []byte, s string, f fieldSpec) []byte {
	if f.precision >= 0 && len(s) > f.precision {
		s = s[:f.precision]
	}
	pad := f.width - len(s)
	if !f.leftAlign {
		dst = appendBlank(dst, ' ', pad)
	}
	dst = append(dst, s...)
	if f.leftAlign {
		dst = appendBlank(dst, ' ', pad)
	}
	return dst
}

const hexLower, hexUpper = "0123456789abcdef", "0123456789ABCDEF"

// appendPayload prints the payload raw (hex 0), as lower-case hex (1) or
// upper-case hex (2). Like mosquitto_sub, a width also truncates: to width
// bytes raw, to width/2 bytes in hex; and a left-aligned token without a
// width is followed by as many spaces as the payload has bytes.
func appendPayload(dst []byte, payload []byte, hex int, f fieldSpec) []byte {
	n := len(payload)
	var padlen int
	if f.width > 0 {
		n = min(n, f.width)
		if hex > 0 {
			n /= 2
			padlen = f.width - n*2
		} else {
			padlen = f.width - n
		}
	} else {
		padlen = -n
	}
	if !f.leftAlign {
		dst = appendBlank(dst, f.pad, padlen)
	}
	switch hex {
	case 0:
		dst = append(dst, payload[:n]...)
	default:
		digits := hexLower
		if hex == 2 {
			digits = hexUpper
		}
		for _, b := range payload[:n] {
			dst = append(dst, digits[b>>4], digits[b&15])
		}
	}
	if f.leftAlign {
		if padlen < 0 {
			padlen = -padlen
		}
		dst = appendBlank(dst, ' ', padlen)
	}
	return dst
}

// validateFormat checks an -F format as mosquitto_sub does before
// connecting: every '%' needs one of the known tokens after its optional
// "-", "0", width and ".precision"; '@' needs a following character; '\'
// one of the known escapes.
func validateFormat(format string) error {
	n := len(format)
	for i := 0; i < n; i++ {
		switch format[i] {
		case '%':
			i++
			if i < n && format[i] == '-' {
				i++
			}
			if i < n && format[i] == '0' {
				i++
			}
			for i < n && isDigit(format[i]) {
				i++
			}
			if i < n && format[i] == '.' {
				i++
				for i < n && isDigit(format[i]) {
					i++
				}
			}
			if i >= n {
				return errors.New("Incomplete format specifier")
			}
			if !strings.ContainsRune("%ACDEFIJPRSUXjlmpqrtx", rune(format[i])) {
				return fmt.Errorf("Invalid format specifier '%c'", format[i])
			}
		case '@':
			if i++; i >= n {
				return errors.New("Incomplete format specifier")
			}
		case '\\':
			if i++; i >= n {
				return errors.New("Incomplete escape specifier")
			}
			if _, ok := formatEscapes[format[i]]; !ok {
				return fmt.Errorf("Invalid escape specifier '%c'", format[i])
			}
		}
	}
	return nil
}
