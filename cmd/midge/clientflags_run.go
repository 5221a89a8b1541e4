package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/midge-mqtt/midge/client"
)

// Exit codes shared with mosquitto's clients (libmosquitto's error
// numbers where mosquitto returns them).
const (
	exitOK      = 0
	exitError   = 1
	exitTimeout = 27 // MOSQ_ERR_TIMEOUT, -W expired
)

// toolOutput is where a tool prints: stdout for messages and -d lines,
// stderr for errors (silenced by --quiet).
type toolOutput struct {
	stdout, stderr io.Writer
	quiet          bool
}

func (o *toolOutput) errorf(format string, args ...any) {
	if !o.quiet {
		fmt.Fprintf(o.stderr, format, args...)
	}
}

// errorSentence renders a parse error the way mosquitto words it: most
// messages end with a full stop, the questions and "given: N" ones do not.
func errorSentence(msg string) string {
	switch {
	case strings.HasPrefix(msg, "in "):
		return "Error " + msg
	case strings.HasSuffix(msg, "?"), strings.HasPrefix(msg, "Invalid QoS given:"),
		strings.HasPrefix(msg, "Invalid port given:"):
		return "Error: " + msg
	}
	return "Error: " + msg + "."
}

// loadToolConfig parses a tool's command line; ok is false when the tool
// should exit with code (help, version or an error, already printed).
func loadToolConfig(kind toolKind, args []string, out *toolOutput, usage string) (c *clientConfig, code int, ok bool) {
	c, err := loadClientConfig(kind, args)
	switch {
	case err == nil:
		return c, 0, true
	case errors.Is(err, errShowHelp):
		fmt.Fprint(out.stdout, usage)
		return nil, exitError, false
	case errors.Is(err, errShowVersion):
		fmt.Fprintf(out.stdout, "midge %s version %s.\n", kind.name(), Version)
		return nil, exitError, false
	}
	fmt.Fprintf(out.stderr, "%s\n\nUse 'midge %s --help' to see usage.\n", errorSentence(err.Error()), kind.name())
	return nil, exitError, false
}

// clientOptions maps the parsed flags onto client.Options.
func (c *clientConfig) clientOptions(out *toolOutput) (client.Options, error) {
	o := client.Options{
		Version:      c.version,
		ClientID:     c.clientID(),
		CleanStart:   c.clean,
		KeepAlive:    uint16(c.keepalive),
		KeepAliveSet: true,
		Username:     c.username,
		BindAddress:  c.bindAddress,
		MaxInflight:  c.maxInflight,
		DialTimeout:  30 * time.Second,
		// Print QoS 2 messages when mosquitto_sub would: on PUBREL.
		DeliverQoS2OnRelease: true,
	}
	if c.password != nil {
		if c.username == nil {
			return o, errors.New("Problem setting username and/or password")
		}
		o.Password = []byte(*c.password)
	}
	if c.unixPath != "" {
		o.Network, o.Address = "unix", c.unixPath
	} else {
		port := c.port
		if port == -1 {
			port = 1883
			if c.cafile != "" || c.capath != "" {
				port = 8883
			}
		}
		o.Network, o.Address = "tcp", net.JoinHostPort(c.host, strconv.Itoa(port))
	}
	if c.cafile != "" || c.capath != "" || c.tlsUseOSCerts || c.port == 8883 && c.unixPath == "" {
		cfg, err := client.TLSConfig(client.TLSOptions{CAFile: c.cafile, CAPath: c.capath, CertFile: c.certfile,
			KeyFile: c.keyfile, Insecure: c.insecure, Version: c.tlsVersion, ServerName: c.host,
			UseOSCerts: c.tlsUseOSCerts, ALPN: c.tlsALPN})
		if err != nil {
			return o, fmt.Errorf("Problem setting TLS options: %v", err)
		}
		o.TLS = cfg
	}
	if c.version == 5 && c.expiry > 0 {
		e := uint32(c.expiry)
		o.SessionExpiry = &e
	}
	if c.msgCount > 0 && c.msgCount < 20 && c.version == 5 {
		// Ask for no more in flight than will be printed before exiting.
		o.ReceiveMaximum = uint16(c.msgCount)
	}
	if c.willTopic != "" {
		o.Will = &client.Will{Topic: c.willTopic, QoS: c.willQoS, Retain: c.willRetain}
		if c.willPayload != nil {
			o.Will.Payload = []byte(*c.willPayload)
		}
	}
	for _, p := range c.props {
		switch p.command {
		case "connect":
			applyConnectProperty(&o, p)
		case "will":
			if o.Will != nil {
				if p.name == "will-delay-interval" {
					o.Will.Delay = uint32(atoi(p.value))
				} else {
					applyPublishProperty(&o.Will.Properties, p)
				}
			}
		}
	}
	if c.debug {
		o.Log = func(line string) { fmt.Fprintln(out.stdout, line) }
	}
	return o, nil
}

func applyConnectProperty(o *client.Options, p propertyValue) {
	n := atoi(p.value)
	switch p.name {
	case "session-expiry-interval":
		v := uint32(n)
		o.SessionExpiry = &v
	case "receive-maximum":
		o.ReceiveMaximum = uint16(n)
	case "maximum-packet-size":
		o.MaximumPacketSize = uint32(n)
	case "topic-alias-maximum":
		o.TopicAliasMaximum = uint16(n)
	case "request-response-information":
		o.RequestResponseInfo = n != 0
	case "request-problem-information":
		v := n != 0
		o.RequestProblemInfo = &v
	case "user-property":
		o.UserProperties = append(o.UserProperties, client.UserProperty{Key: p.key, Value: p.value})
	case "authentication-method":
		o.AuthMethod = p.value
	case "authentication-data":
		o.AuthData = []byte(p.value)
	}
}

func applyPublishProperty(pp *client.PublishProperties, p propertyValue) {
	n := atoi(p.value)
	switch p.name {
	case "payload-format-indicator":
		v := byte(n)
		pp.PayloadFormat = &v
	case "message-expiry-interval":
		v := uint32(n)
		pp.MessageExpiry = &v
	case "content-type":
		pp.ContentType = p.value
	case "response-topic":
		pp.ResponseTopic = p.value
	case "correlation-data":
		pp.CorrelationData = []byte(p.value)
	case "topic-alias":
		pp.TopicAlias = uint16(n)
	case "user-property":
		pp.UserProperties = append(pp.UserProperties, client.UserProperty{Key: p.key, Value: p.value})
	}
}

// propsFor returns the user properties (and subscription identifier) given
// with -D for a SUBSCRIBE, UNSUBSCRIBE or DISCONNECT.
func (c *clientConfig) propsFor(command string) (user []client.UserProperty, subID uint32) {
	for _, p := range c.props {
		if p.command != command {
			continue
		}
		switch p.name {
		case "user-property":
			user = append(user, client.UserProperty{Key: p.key, Value: p.value})
		case "subscription-identifier":
			subID = uint32(atoi(p.value))
		}
	}
	return user, subID
}

// disconnectPacket is the DISCONNECT to send, with -D disconnect properties.
func (c *clientConfig) disconnectPacket(reason byte) *client.Disconnect {
	d := &client.Disconnect{ReasonCode: reason}
	for _, p := range c.props {
		if p.command != "disconnect" {
			continue
		}
		switch p.name {
		case "session-expiry-interval":
			v := uint32(atoi(p.value))
			d.SessionExpiry = &v
		case "reason-string":
			d.ReasonString = p.value
		case "server-reference":
			d.ServerReference = p.value
		case "user-property":
			d.UserProperties = append(d.UserProperties, client.UserProperty{Key: p.key, Value: p.value})
		}
	}
	return d
}

// connectTool dials and reports failures as mosquitto's clients do. On
// failure it returns the exit code: 1 for a network error, the CONNACK
// code for a refusal.
func connectTool(ctx context.Context, c *clientConfig, out *toolOutput, onMessage func(*client.Message)) (*client.Client, int, error) {
	opts, err := c.clientOptions(out)
	if err != nil {
		out.errorf("Error: %v.\n", err)
		return nil, exitError, err
	}
	opts.OnMessage = onMessage
	cl, _, err := client.Dial(ctx, opts)
	if err == nil {
		return cl, exitOK, nil
	}
	var ce *client.ConnectError
	if errors.As(err, &ce) {
		msg := ce.Error()
		if ce.Version == 5 && ce.Code == 0x84 {
			msg += ". Try connecting to an MQTT v5 broker, or use MQTT v3.x mode."
		}
		out.errorf("Connection error: %s\n", msg)
		return nil, int(ce.Code), err
	}
	out.errorf("%s\n", describeDialError(err))
	return nil, exitError, err
}

// describeDialError words a connect failure like mosquitto: the C
// strerror text for a socket error, "Unable to connect (Lookup error.)."
// for a name that does not resolve.
func describeDialError(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "Unable to connect (Lookup error.)."
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return "Error: " + strings.ToUpper(s[:1]) + s[1:]
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "Error: Connection timed out"
	}
	return "Error: " + err.Error()
}
