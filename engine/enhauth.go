package engine

import (
	"errors"
	"fmt"

	"github.com/midge-mqtt/midge/codec"
)

// MQTT 5 enhanced authentication (§4.12): a CONNECT with an Authentication
// Method starts an exchange of AUTH packets that ends in CONNACK, and a
// connected client may run the exchange again (re-authentication).

// EnhancedAuthenticator is an Authenticator that also runs challenge /
// response exchanges. The broker calls it on the event loop that owns the
// connection, one call at a time per connection; it must not block. A
// CONNECT with an Authentication Method goes to AuthStart instead of
// Authenticate; one without goes to Authenticate as before.
//
// A returned error ends the exchange: a codec.ReasonCode error (for
// instance codec.BadAuthenticationMethod for a method it does not know) is
// sent as the reason, any other error as codec.NotAuthorized. Its text is
// sent as the Reason String when the client asked for problem information.
type EnhancedAuthenticator interface {
	Authenticator
	// AuthStart begins an exchange. At CONNECT, reauth is false and info
	// describes the CONNECT; when a connected client re-authenticates,
	// reauth is true and info holds the connection's ClientInfo only.
	// method and data (the Authentication Data, nil when absent) alias the
	// packet and are valid only during the call.
	AuthStart(info *ConnectInfo, reauth bool, method string, data []byte) (AuthStep, error)
	// AuthContinue takes the client's answer to an AUTH 0x18: state is the
	// State of the previous step. method is the exchange's method; data
	// aliases the packet and is valid only during the call.
	AuthContinue(client *ClientInfo, state any, method string, data []byte) (AuthStep, error)
}

// AuthStep is an EnhancedAuthenticator's answer to one step.
type AuthStep struct {
	// Continue asks the client for more: the broker sends AUTH 0x18 with
	// Data and hands the answer to AuthContinue. Otherwise the client is
	// authenticated and Data, if any, goes out with the CONNACK 0x00 (or
	// the AUTH 0x00 that ends a re-authentication).
	Continue bool
	// Data is the Authentication Data to send; the broker copies it
	// before the call returns to the loop.
	Data []byte
	// State is handed to the next AuthContinue of the same exchange.
	State any
}

// enhancedAuth is a connection's enhanced-authentication state, kept for
// its lifetime so that it can re-authenticate.
type enhancedAuth struct {
	ea          EnhancedAuthenticator // the connection's listener's, nil when it has none
	method      string
	problemInfo bool   // the client asked for Reason Strings
	maxPacket   uint32 // the client's Maximum Packet Size, 0 = no limit
	state       any    // the authenticator's state between steps
	running     bool   // an exchange (at CONNECT or re-authentication) waits for an answer

	// The CONNECT waiting for the exchange to end; nil after CONNACK.
	connect   *codec.Connect
	extra     connackProps
	keepAlive uint16
}

// errBadMethod answers an Authentication Method the broker cannot run.
var errBadMethod = errors.New("unsupported authentication method")

// errAuthTooLarge ends an exchange whose next AUTH would exceed the client's
// Maximum Packet Size, which the broker must not send [MQTT-3.1.2-24].
var errAuthTooLarge = fmt.Errorf("AUTH larger than the client's Maximum Packet Size: %w", codec.ImplementationSpecificError)

// startEnhancedAuth answers a 5.0 CONNECT that carries an Authentication
// Method. p aliases the read buffer; it is cloned if the exchange goes on.
func (c *conn) startEnhancedAuth(p *codec.Connect, auth Authenticator, extra connackProps, keepAlive uint16) error {
	ea, ok := auth.(EnhancedAuthenticator)
	a := &enhancedAuth{
		ea:          ea,
		method:      string(p.Props.AuthMethod),
		problemInfo: !p.Props.Has(codec.PropRequestProblemInfo) || p.Props.RequestProblemInfo == 1, // [MQTT-3.1.2-29]
		maxPacket:   p.Props.MaximumPacketSize,
	}
	c.auth = a
	if !ok {
		return c.refuseAuth(codec.BadAuthenticationMethod, errBadMethod) // [MQTT-4.12.0-1]
	}
	info := ConnectInfo{ClientInfo: c.info, HasUsername: p.UsernameFlag, HasPassword: p.PasswordFlag, Password: p.Password}
	step, err := ea.AuthStart(&info, false, a.method, p.Props.AuthData)
	if err != nil {
		return c.refuseAuth(authReason(err), err) // [MQTT-4.12.0-1] [MQTT-4.12.0-4]
	}
	if !step.Continue {
		extra.authMethod, extra.authData = a.method, cloneData(step.Data) // [MQTT-4.12.0-5]
		return c.acceptConnect(p, extra, keepAlive)
	}
	a.state, a.running = step.State, true
	if !c.writeAuth(codec.ContinueAuthentication, step.Data) { // [MQTT-4.12.0-2]
		return c.refuseAuth(authReason(errAuthTooLarge), errAuthTooLarge)
	}
	a.connect, a.extra, a.keepAlive = p.Clone(), extra, keepAlive
	return nil
}

// handleAuthBeforeConnack handles a packet between CONNECT and CONNACK:
// only AUTH 0x18 with the CONNECT's method, or DISCONNECT [MQTT-3.1.2-30].
func (c *conn) handleAuthBeforeConnack(f codec.Frame) error {
	a := c.auth
	switch f.Type {
	case codec.DISCONNECT:
		c.closeReason.Store("disconnected during authentication")
		c.state = stateClosing
		return errClose
	case codec.AUTH:
	default:
		return c.refuseAuth(codec.ProtocolError, errors.New(f.Type.String()+" before CONNACK")) // [MQTT-3.1.2-30]
	}
	var p codec.Auth
	if err := p.Decode(codec.V5, f.Flags, f.Body); err != nil {
		rc := codec.ReasonOf(err)
		if !rc.IsError() {
			rc = codec.MalformedPacket
		}
		return c.refuseAuth(rc, err) // [MQTT-3.15.1-1] [MQTT-3.15.2-1]
	}
	if p.ReasonCode != codec.ContinueAuthentication {
		return c.refuseAuth(codec.ProtocolError, errors.New("AUTH before CONNACK must be 0x18")) // [MQTT-4.12.0-3]
	}
	if string(p.Props.AuthMethod) != a.method {
		return c.refuseAuth(codec.ProtocolError, errors.New("authentication method changed")) // [MQTT-4.12.0-5]
	}
	ea := a.ea
	step, err := ea.AuthContinue(&c.info, a.state, a.method, p.Props.AuthData)
	if err != nil {
		return c.refuseAuth(authReason(err), err) // [MQTT-4.12.0-4]
	}
	if step.Continue {
		a.state = step.State
		if !c.writeAuth(codec.ContinueAuthentication, step.Data) { // [MQTT-4.12.0-2]
			return c.refuseAuth(authReason(errAuthTooLarge), errAuthTooLarge)
		}
		return nil
	}
	cp, extra, keepAlive := a.connect, a.extra, a.keepAlive
	a.connect, a.state, a.running = nil, nil, false
	extra.authMethod, extra.authData = a.method, cloneData(step.Data) // [MQTT-4.12.0-5]
	return c.acceptConnect(cp, extra, keepAlive)
}

// handleReauth handles AUTH from a connected client: a re-authentication
// starts with 0x19 and goes on with 0x18 [MQTT-4.12.1-1].
func (c *conn) handleReauth(f codec.Frame) error {
	a := c.auth
	if a == nil {
		c.protocolError("AUTH without an authentication method", codec.ProtocolError) // [MQTT-4.12.0-7]
		return errClose
	}
	var p codec.Auth
	if err := p.Decode(codec.V5, f.Flags, f.Body); err != nil {
		c.protocolError("bad AUTH", err) // [MQTT-3.15.1-1] [MQTT-3.15.2-1]
		return errClose
	}
	if string(p.Props.AuthMethod) != a.method {
		c.protocolError("re-authentication with another method", codec.ProtocolError) // [MQTT-4.12.1-1]
		return errClose
	}
	ea := a.ea
	var step AuthStep
	var err error
	switch {
	case p.ReasonCode == codec.ReAuthenticate && !a.running:
		info := ConnectInfo{ClientInfo: c.info}
		step, err = ea.AuthStart(&info, true, a.method, p.Props.AuthData)
	case p.ReasonCode == codec.ContinueAuthentication && a.running:
		step, err = ea.AuthContinue(&c.info, a.state, a.method, p.Props.AuthData)
	default:
		// 0x19 during an exchange, 0x18 outside one, 0x00 from a client.
		c.protocolError("unexpected AUTH "+p.ReasonCode.String(), codec.ProtocolError) // [MQTT-4.12.0-3]
		return errClose
	}
	if err == nil {
		rc := codec.Success // [MQTT-4.12.0-5] with the method
		if step.Continue {
			rc = codec.ContinueAuthentication // [MQTT-4.12.0-2]
		}
		if !c.writeAuth(rc, step.Data) {
			err = errAuthTooLarge
		}
	}
	if err != nil {
		rc := authReason(err)
		c.loop.b.log.Info("re-authentication failed, closing", "client", c.info.ClientID, "remote", c.remote(), "err", err)
		c.closeReason.Store("re-authentication failed")
		c.writeDisconnectReason(rc, c.reasonString(err)) // [MQTT-4.12.1-2]
		c.state = stateClosing
		return errClose
	}
	a.state, a.running = step.State, step.Continue
	if !step.Continue {
		a.state = nil
	}
	return nil
}

// refuseAuth ends an exchange before CONNACK with a refusing CONNACK rc,
// then closes [MQTT-4.12.0-4].
func (c *conn) refuseAuth(rc codec.ReasonCode, err error) error {
	c.loop.b.log.Info("connection refused", "remote", c.remote(), "client", c.info.ClientID, "reason", "authentication: "+err.Error())
	ack := codec.Connack{ReasonCode: rc}
	ack.Props.ReasonString = []byte(c.reasonString(err))
	c.writeBuilt(ack.Append(nil, codec.V5), &ack.Props, func() []byte { return ack.Append(nil, codec.V5) })
	c.closeReason.Store("authentication: " + err.Error())
	c.state = stateClosing
	return errClose
}

// writeAuth queues an AUTH rc carrying the exchange's method [MQTT-4.12.0-5]
// and data, which is copied. It sends nothing and returns false when the
// packet exceeds the client's Maximum Packet Size [MQTT-3.1.2-24].
func (c *conn) writeAuth(rc codec.ReasonCode, data []byte) bool {
	p := codec.Auth{ReasonCode: rc} // [MQTT-3.15.2-1] 0x00 or 0x18 from the broker
	p.Props.AuthMethod = []byte(c.auth.method)
	p.Props.AuthData = data
	pkt := p.Append(nil, codec.V5)
	if m := c.auth.maxPacket; m > 0 && uint32(len(pkt)) > m {
		return false
	}
	c.writeBuilt(pkt, &p.Props, nil)
	return true
}

// writeDisconnectReason queues a DISCONNECT rc with an optional Reason
// String for a 5.0 client.
func (c *conn) writeDisconnectReason(rc codec.ReasonCode, reason string) {
	if c.sentDisconnect {
		return
	}
	c.sentDisconnect = true
	d := codec.Disconnect{ReasonCode: rc}
	d.Props.ReasonString = []byte(reason)
	c.writeBuilt(d.Append(nil, codec.V5), &d.Props, func() []byte { return d.Append(nil, codec.V5) })
}

// writeBuilt queues pkt; when it is larger than the client's Maximum Packet
// Size it is rebuilt without the Reason String in props.
func (c *conn) writeBuilt(pkt []byte, props *codec.Properties, rebuild func() []byte) {
	if a := c.auth; a != nil && a.maxPacket > 0 && uint32(len(pkt)) > a.maxPacket && len(props.ReasonString) > 0 {
		// [MQTT-3.2.2-19] CONNACK, [MQTT-3.14.2-3] DISCONNECT, [MQTT-3.15.2-2] AUTH
		props.ReasonString = nil
		pkt = rebuild()
	}
	c.reserve(0)
	c.appendView(pkt)
	c.loop.b.stats.packetOut(c.loop, len(pkt))
}

// reasonString is err's text when the client asked for problem
// information, else empty [MQTT-3.1.2-29].
func (c *conn) reasonString(err error) string {
	if c.auth == nil || !c.auth.problemInfo {
		return ""
	}
	return err.Error()
}

// authReason maps an authenticator's error to the reason code sent back.
func authReason(err error) codec.ReasonCode {
	var rc codec.ReasonCode
	if errors.As(err, &rc) && rc.IsError() {
		return rc
	}
	return codec.NotAuthorized
}

func cloneData(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
