package main

import (
	"errors"
	"fmt"
	"strings"
)

// propKind is the wire type of an MQTT 5 property (§2.2.2.2).
type propKind int

const (
	propByte propKind = iota
	propUint16
	propUint32
	propVarint
	propString
	propBinary
	propPair
)

// propertySpec names a property the -D option can set and the packets it
// may appear in.
type propertySpec struct {
	kind     propKind
	commands string // space-separated commands that allow it
}

var propertySpecs = map[string]propertySpec{
	"payload-format-indicator":     {propByte, "publish will"},
	"message-expiry-interval":      {propUint32, "publish will"},
	"content-type":                 {propString, "publish will"},
	"response-topic":               {propString, "publish will"},
	"correlation-data":             {propBinary, "publish will"},
	"subscription-identifier":      {propVarint, "subscribe"},
	"session-expiry-interval":      {propUint32, "connect disconnect"},
	"authentication-method":        {propString, "connect auth"},
	"authentication-data":          {propBinary, "connect auth"},
	"request-problem-information":  {propByte, "connect"},
	"will-delay-interval":          {propUint32, "will"},
	"request-response-information": {propByte, "connect"},
	"server-reference":             {propString, "disconnect"},
	"reason-string":                {propString, "disconnect auth"},
	"receive-maximum":              {propUint16, "connect"},
	"topic-alias-maximum":          {propUint16, "connect"},
	"topic-alias":                  {propUint16, "publish"},
	"maximum-packet-size":          {propUint32, "connect"},
	"user-property":                {propPair, "connect publish subscribe unsubscribe disconnect will auth"},
}

var propertyCommands = "connect publish subscribe unsubscribe disconnect will auth"

// parseProperty reads "command name value" (or "command user-property key
// value") starting at args[i], and returns the index of its last argument.
func parseProperty(args []string, i int) (propertyValue, int, error) {
	short := errors.New("--property argument given but not enough arguments specified")
	if i+2 >= len(args) {
		return propertyValue{}, i, short
	}
	cmd := strings.ToLower(args[i])
	name := args[i+1]
	if !containsWord(propertyCommands, cmd) {
		return propertyValue{}, i, errors.New("Invalid command given in --property argument")
	}
	spec, ok := propertySpecs[name]
	if !ok {
		return propertyValue{}, i, errors.New("Invalid property name given in --property argument")
	}
	if !containsWord(spec.commands, cmd) {
		return propertyValue{}, i, fmt.Errorf("%s property not allowed for %s in --property argument", name, cmd)
	}
	p := propertyValue{command: cmd, name: name, value: args[i+2]}
	last := i + 2
	if spec.kind == propPair {
		if i+3 >= len(args) {
			return propertyValue{}, i, short
		}
		p.key, p.value = args[i+2], args[i+3]
		last = i + 3
	}
	limit := map[propKind]int{propByte: 255, propUint16: 65535, propVarint: 268435455}[spec.kind]
	if limit > 0 {
		if n := atoi(p.value); n < 0 || n > limit {
			return propertyValue{}, i, fmt.Errorf("Property value (%d) out of range for property %s", n, name)
		}
	}
	return p, last, nil
}

// checkPropertyValue rejects values that are in range but not allowed by
// the specification, as mosquitto does when it checks all properties.
func checkPropertyValue(p propertyValue) error {
	bad := false
	switch p.name {
	case "receive-maximum", "topic-alias", "maximum-packet-size", "subscription-identifier":
		bad = atoi(p.value) == 0 // §3.1.2.11.3, §3.3.2.3.4, §3.8.2.1.2: zero is a protocol error
	case "payload-format-indicator", "request-problem-information", "request-response-information":
		bad = atoi(p.value) > 1
	}
	if bad {
		return fmt.Errorf("in %s properties: A network protocol error occurred when communicating with the broker", strings.ToUpper(p.command))
	}
	return nil
}

func containsWord(list, w string) bool {
	for _, f := range strings.Fields(list) {
		if f == w {
			return true
		}
	}
	return false
}
