package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// parseArgs applies one command line (or one options-file line).
func (c *clientConfig) parseArgs(args []string) error {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		// value returns the option's argument or the "given but no X
		// specified" error.
		value := func(what string) (string, error) {
			if i == len(args)-1 {
				return "", fmt.Errorf("%s argument given but no %s specified", arg, what)
			}
			i++
			return args[i], nil
		}
		only := func(kinds ...toolKind) bool {
			for _, k := range kinds {
				if k == c.kind {
					return true
				}
			}
			return false
		}
		unknown := fmt.Errorf("Unknown option '%s'", arg)
		var v string
		var err error
		switch arg {
		case "-A":
			c.bindAddress, err = value("address")
		case "--cafile":
			c.cafile, err = value("file")
		case "--capath":
			c.capath, err = value("directory")
		case "--cert":
			c.certfile, err = value("file")
		case "--key":
			c.keyfile, err = value("file")
		case "--ciphers":
			_, err = value("ciphers")
		case "--tls-alpn":
			c.tlsALPN, err = value("protocol")
		case "--tls-version":
			c.tlsVersion, err = value("version")
		case "--tls-use-os-certs":
			c.tlsUseOSCerts = true
		case "--insecure":
			c.insecure = true
		case "-C":
			if !only(toolSub) {
				return unknown
			}
			if v, err = value("count"); err == nil {
				c.msgCount = atoi(v)
				if c.msgCount < 1 {
					return fmt.Errorf("Invalid message count \"%d\"", c.msgCount)
				}
			}
		case "-c", "--disable-clean-session":
			c.clean = false
		case "-d", "--debug":
			c.debug = true
		case "-D", "--property":
			var p propertyValue
			if p, i, err = parseProperty(args, i+1); err == nil {
				c.props = append(c.props, p)
				c.version = 5
			}
		case "-e":
			if !only(toolRR) {
				return unknown
			}
			if v, err = value("response topic"); err == nil {
				if err = checkUTF8(v, "-e"); err == nil {
					if !validTopicName(v) {
						return fmt.Errorf("Invalid response topic '%s', does it contain '+' or '#'?", v)
					}
					c.responseTopic = v
				}
			}
		case "-E":
			if !only(toolSub) {
				return unknown
			}
			c.exitAfterSub = true
		case "-f", "--file":
			if only(toolSub) {
				return unknown
			}
			if c.mode != msgNone {
				return errors.New("Only one type of message can be sent at once")
			}
			if c.file, err = value("file"); err == nil {
				c.mode = msgFile
			}
		case "-F":
			if only(toolPub) {
				return unknown
			}
			if c.print.format, err = value("format"); err == nil {
				err = validateFormat(c.print.format)
			}
		case "--help":
			return errShowHelp
		case "-h", "--host":
			c.host, err = value("host")
		case "-i", "--id":
			if c.idPrefix != "" {
				return errors.New("-i and -I argument cannot be used together")
			}
			c.id, err = value("id")
		case "-I", "--id-prefix":
			if c.id != "" {
				return errors.New("-i and -I argument cannot be used together")
			}
			c.idPrefix, err = value("id prefix")
		case "-k", "--keepalive":
			if v, err = value("keepalive"); err == nil {
				c.keepalive = atoi(v)
				if c.keepalive < 5 || c.keepalive > 65535 {
					return errors.New("Invalid keepalive given, it must be between 5 and 65535 inclusive")
				}
			}
		case "-L", "--url":
			if v, err = value("URL"); err == nil {
				err = c.parseURL(v)
			}
		case "-l", "--stdin-line":
			if !only(toolPub) {
				return unknown
			}
			if c.mode != msgNone {
				return errors.New("Only one type of message can be sent at once")
			}
			c.mode = msgStdinLine
		case "-m", "--message":
			if only(toolSub) {
				return unknown
			}
			if c.mode != msgNone {
				return errors.New("Only one type of message can be sent at once")
			}
			if c.message, err = value("message"); err == nil {
				c.mode = msgCmdline
			}
		case "-M":
			if v, err = value("max_inflight"); err == nil {
				if c.maxInflight = atoi(v); c.maxInflight < 1 {
					return errors.New("Maximum inflight messages must be greater than 0")
				}
			}
		case "--nodelay":
			c.nodelay = true
		case "-n", "--null-message":
			if only(toolSub) {
				return unknown
			}
			if c.mode != msgNone {
				return errors.New("Only one type of message can be sent at once")
			}
			c.mode = msgNull
		case "-N":
			if only(toolPub) {
				return unknown
			}
			c.print.noEOL = true
		case "-p", "--port":
			if v, err = value("port"); err == nil {
				c.port = atoi(v)
				if c.port < 0 || c.port > 65535 {
					return fmt.Errorf("Invalid port given: %d", c.port)
				}
			}
		case "--pretty":
			if only(toolPub) {
				return unknown
			}
			c.print.pretty = true
		case "-P", "--pw":
			if v, err = value("password"); err == nil {
				c.password = &v
			}
		case "-q", "--qos":
			if v, err = value("QoS"); err == nil {
				q := atoi(v)
				if q < 0 || q > 2 {
					return fmt.Errorf("Invalid QoS given: %d", q)
				}
				c.qos = byte(q)
			}
		case "--quiet":
			c.quiet = true
		case "-r", "--retain":
			if !only(toolPub) {
				return unknown
			}
			c.retain = true
		case "-R":
			if only(toolPub) {
				return unknown
			}
			c.noRetain = true
		case "--random-filter":
			if !only(toolSub) {
				return unknown
			}
			if v, err = value("chance"); err == nil {
				f, _ := strconv.ParseFloat(v, 64)
				if f*10 > 1000 || f*10 < 1 {
					return errors.New("--random-filter chance must be between 0.1-100.0")
				}
				c.randomFilter = f
			}
		case "--remove-retained":
			if !only(toolSub) {
				return unknown
			}
			c.removeRetained = true
		case "--repeat":
			if !only(toolPub) {
				return unknown
			}
			if v, err = value("count"); err == nil {
				if c.repeat = atoi(v); c.repeat < 1 {
					return errors.New("--repeat argument must be >0")
				}
			}
		case "--repeat-delay":
			if !only(toolPub) {
				return unknown
			}
			if v, err = value("time"); err == nil {
				f, _ := strconv.ParseFloat(v, 64)
				if f < 0 {
					return errors.New("--repeat-delay argument must be >=0.0")
				}
				c.repeatDelay = time.Duration(f * float64(time.Second))
			}
		case "--retain-as-published":
			if only(toolPub) {
				return unknown
			}
			c.retainAsPublished = true
		case "--retained-only":
			if !only(toolSub) {
				return unknown
			}
			c.retainedOnly = true
		case "-s", "--stdin-file":
			if only(toolSub) {
				return unknown
			}
			if c.mode != msgNone {
				return errors.New("Only one type of message can be sent at once")
			}
			c.mode = msgStdinFile
		case "-t", "--topic":
			if v, err = value("topic"); err == nil {
				err = c.addTopic(v, "-t")
			}
		case "-T", "--filter-out":
			if !only(toolSub) {
				return unknown
			}
			if v, err = value("topic filter"); err == nil {
				if err = checkUTF8(v, "-T"); err == nil {
					if !validTopicFilter(v) {
						return fmt.Errorf("Invalid filter topic '%s', are all '+' and '#' wildcards correct?", v)
					}
					c.filterOuts = append(c.filterOuts, v)
				}
			}
		case "-U", "--unsubscribe":
			if !only(toolSub) {
				return unknown
			}
			if v, err = value("unsubscribe topic"); err == nil {
				if err = checkUTF8(v, "-U"); err == nil {
					if !validTopicFilter(v) {
						return fmt.Errorf("Invalid unsubscribe topic '%s', are all '+' and '#' wildcards correct?", v)
					}
					c.unsubTopics = append(c.unsubTopics, v)
				}
			}
		case "-u", "--username":
			if v, err = value("username"); err == nil {
				c.username = &v
			}
		case "--unix":
			if v, err = value("socket path"); err == nil {
				c.unixPath = v
				c.host = v
				c.port = 0
			}
		case "-V", "--protocol-version":
			if i == len(args)-1 {
				return errors.New("--protocol-version argument given but no version specified")
			}
			i++
			switch args[i] {
			case "mqttv31", "31":
				c.version = 3
			case "mqttv311", "311":
				c.version = 4
			case "mqttv5", "5":
				c.version = 5
			default:
				return errors.New("Invalid protocol version argument given")
			}
		case "-v", "--verbose":
			if only(toolPub) {
				return unknown
			}
			c.print.verbose = true
		case "--version":
			return errShowVersion
		case "-W":
			if only(toolPub) {
				return unknown
			}
			if v, err = value("timeout"); err == nil {
				if c.timeout = atoi(v); c.timeout < 1 {
					return fmt.Errorf("Invalid timeout \"%d\"", c.timeout)
				}
			}
		case "--will-payload":
			if v, err = value("will payload"); err == nil {
				c.willPayload = &v
			}
		case "--will-qos":
			if v, err = value("will QoS"); err == nil {
				q := atoi(v)
				if q < 0 || q > 2 {
					return fmt.Errorf("Invalid will QoS %d", q)
				}
				c.willQoS = byte(q)
			}
		case "--will-retain":
			c.willRetain = true
		case "--will-topic":
			if v, err = value("will topic"); err == nil {
				if err = checkUTF8(v, "--will-topic"); err == nil {
					if !validTopicName(v) {
						return fmt.Errorf("Invalid will topic '%s', does it contain '+' or '#'?", v)
					}
					c.willTopic = v
				}
			}
		case "-x":
			if v, err = value("session expiry interval"); err == nil {
				err = c.parseExpiry(v)
			}
		default:
			return unknown
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *clientConfig) parseExpiry(v string) error {
	if v == "∞" {
		c.expiry = math.MaxUint32
		return nil
	}
	n, err := strconv.ParseInt(v, 0, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return errors.New("session-expiry-interval out of range")
		}
		return errors.New("session-expiry-interval not a number")
	}
	if n > math.MaxUint32 || n < -1 {
		return errors.New("session-expiry-interval out of range")
	}
	if n == -1 {
		n = math.MaxUint32
	}
	c.expiry = n
	return nil
}

// parseURL reads -L mqtt(s)://[user[:pass]@]host[:port]/topic.
func (c *clientConfig) parseURL(url string) error {
	switch {
	case len(url) >= 7 && strings.EqualFold(url[:7], "mqtt://"):
		url = url[7:]
		c.port = 1883
	case len(url) >= 8 && strings.EqualFold(url[:8], "mqtts://"):
		url = url[8:]
		c.port = 8883
		c.tlsUseOSCerts = true
	default:
		return errors.New("unsupported URL scheme")
	}
	hostPart, topic, ok := strings.Cut(url, "/")
	if !ok {
		return errors.New("Invalid URL for -L argument specified - topic missing")
	}
	if err := c.addTopic(topic, "-L topic"); err != nil {
		return err
	}
	if cred, host, ok := strings.Cut(hostPart, "@"); ok {
		user, pass, hasPass := strings.Cut(cred, ":")
		c.username = &user
		if hasPass {
			c.password = &pass
		}
		hostPart = host
	}
	host, port, hasPort := strings.Cut(hostPart, ":")
	c.host = host
	if hasPort {
		c.port = atoi(port)
	}
	return nil
}

func (c *clientConfig) addTopic(topic, arg string) error {
	if err := checkUTF8(topic, arg); err != nil {
		return err
	}
	if c.kind == toolSub {
		if !validTopicFilter(topic) {
			return fmt.Errorf("Invalid subscription topic '%s', are all '+' and '#' wildcards correct?", topic)
		}
		c.topics = append(c.topics, topic)
		return nil
	}
	if !validTopicName(topic) {
		return fmt.Errorf("Invalid publish topic '%s', does it contain '+' or '#'?", topic)
	}
	c.topic = topic
	return nil
}

func checkUTF8(s, arg string) error {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("Malformed UTF-8 in %s argument", arg)
	}
	return nil
}

// validTopicName: a topic to publish to has no wildcards [MQTT-3.3.2-2]
// and is not empty [MQTT-4.7.3-1].
func validTopicName(t string) bool {
	return t != "" && len(t) <= 65535 && !strings.ContainsAny(t, "+#")
}

// validTopicFilter: '+' fills a whole level [MQTT-4.7.1-3] and '#' is the
// whole last level [MQTT-4.7.1-2].
func validTopicFilter(f string) bool {
	if f == "" || len(f) > 65535 {
		return false
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		if strings.ContainsAny(l, "+#") && len(l) != 1 {
			return false
		}
		if l == "#" && i != len(levels)-1 {
			return false
		}
	}
	return true
}

// atoi converts like C's atoi: leading digits, 0 when there are none.
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t\n")
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(s[:end])
	return n
}
