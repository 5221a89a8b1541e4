package engine

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/midge-mqtt/midge/codec"
)

// serverTopicAliasMax is the Topic Alias Maximum the broker announces to
// MQTT 5 clients (mosquitto's max_topic_alias default).
const serverTopicAliasMax = 10

// connackProps are the MQTT 5 CONNACK properties beyond the reason code.
type connackProps struct {
	assignedID      string
	serverKeepAlive int // -1: not sent
	responseInfo    string
	authMethod      string // enhanced authentication: echoed [MQTT-4.12.0-5]
	authData        []byte // the authenticator's last data, if any
}

// writeConnack queues a CONNACK in the client's version: 3.1 has no
// session-present flag, 3.1.1 has it [MQTT-3.2.2-1..3], 5.0 adds the
// reason code and properties announcing the broker's limits.
func (c *conn) writeConnack(present bool, rc codec.ReasonCode, extra *connackProps) {
	if c.version != codec.V5 {
		flags := byte(0)
		if present && c.version != codec.V31 {
			flags = 1
		}
		c.writeSmall(byte(codec.CONNACK)<<4, flags, byte(codec.ReturnCodeFor(rc)))
		return
	}
	b := c.loop.b
	ack := codec.Connack{SessionPresent: present, ReasonCode: rc}
	if rc == codec.Success {
		p := &ack.Props
		p.ReceiveMaximum = uint16(min(b.opts.MaxInflightMessages, 65535))
		if b.opts.MaxPacketSize < MaxPacketSizeProtocol {
			p.MaximumPacketSize = b.opts.MaxPacketSize
		}
		p.TopicAliasMaximum = c.aliasMaxIn // 0: none allowed [MQTT-3.2.2-17]
		if c.maxQoS < 2 {
			p.MaximumQoS = c.maxQoS // [MQTT-3.2.2-9]
			p.Set(codec.PropMaximumQoS)
		}
		if b.opts.RetainUnavailable {
			p.RetainAvailable = 0
			p.Set(codec.PropRetainAvailable)
		}
		if extra != nil {
			p.AssignedClientID = []byte(extra.assignedID)
			if extra.serverKeepAlive >= 0 {
				p.ServerKeepAlive = uint16(extra.serverKeepAlive)
				p.Set(codec.PropServerKeepAlive)
			}
			p.ResponseInfo = []byte(extra.responseInfo)
			p.AuthMethod = []byte(extra.authMethod)
			p.AuthData = extra.authData
		}
	}
	pkt := ack.Append(nil, codec.V5)
	c.reserve(0)
	c.appendView(pkt)
	b.stats.packetOut(c.loop, len(pkt))
}

// refuse sends a refusing CONNACK and closes the connection after it.
func (c *conn) refuse(rc codec.ReasonCode, why string) error {
	c.loop.b.log.Info("connection refused", "remote", c.remote(), "client", c.info.ClientID, "reason", why)
	c.writeConnack(false, rc, nil)
	c.closeReason.Store(why)
	c.state = stateClosing
	return errClose
}

func (c *conn) handleConnect(f codec.Frame) error {
	b := c.loop.b
	var p codec.Connect
	err := p.Decode(0, f.Flags, f.Body)
	c.version = p.Version
	if !c.version.Valid() {
		c.version = codec.V311
	}
	if err != nil {
		switch rc := codec.ReasonOf(err); rc {
		case codec.UnsupportedProtocolVersion, codec.ClientIdentifierNotValid:
			// [MQTT-3.1.2-2] unacceptable level: CONNACK 0x01 then close;
			// [MQTT-3.1.3-8] / 3.1 length rule: CONNACK 0x02 then close.
			return c.refuse(rc, err.Error())
		default:
			if c.version == codec.V5 && rc.IsError() {
				return c.refuse(rc, err.Error()) // 5.0: CONNACK with the reason [MQTT-4.13.1-1]
			}
			c.protocolError("bad CONNECT", err) // [MQTT-3.1.4-1] close without CONNACK
			return errClose
		}
	}
	v5 := p.Version == codec.V5
	clientID := string(p.ClientID)
	c.info = ClientInfo{ClientID: clientID, Username: string(p.Username), RemoteAddr: c.t.RemoteAddr(), ProtocolVersion: byte(p.Version)}
	extra := connackProps{serverKeepAlive: -1}
	sec := b.securityOf(c.t)
	c.maxQoS, c.aliasMaxIn, c.mount = 2, serverTopicAliasMax, sec.MountPoint
	if sec.LimitQoS && sec.MaxQoS < 2 {
		c.maxQoS = sec.MaxQoS
	}
	if sec.LimitTopicAliases {
		c.aliasMaxIn = sec.TopicAliasMax
	}
	if v5 && p.WillFlag && p.Will.QoS > c.maxQoS {
		// [MQTT-3.2.2-12] a Will QoS beyond what the server supports.
		return c.refuse(codec.QoSNotSupported, "will QoS above max_qos")
	}
	if clientID == "" {
		if sec.RefuseEmptyClientID {
			// [MQTT-3.1.3-8] a server may refuse an empty identifier:
			// 3.1.1 CONNACK 0x02, 5.0 Client Identifier not valid.
			return c.refuse(codec.ClientIdentifierNotValid, "empty client identifier (allow_zero_length_clientid false)")
		}
		// [MQTT-3.1.3-6] the server assigns a unique identifier; the codec
		// already refused an empty one without clean session [MQTT-3.1.3-8].
		clientID = sec.AutoIDPrefix + randomHex(16)
		c.info.ClientID = clientID
		extra.assignedID = clientID // [MQTT-3.2.2-16]
	}
	if sec.UsernameAsClientID {
		// use_username_as_clientid, as mosquitto: the username names the
		// session, whatever identifier the client gave; without one (or
		// with an empty one, which could name no session) the client is
		// not authorised. The client is not told of the replacement: an
		// Assigned Client Identifier answers only an empty identifier.
		if len(p.Username) == 0 {
			return c.refuse(codec.NotAuthorized, "no username (use_username_as_clientid)")
		}
		c.info.ClientID = c.info.Username
		extra.assignedID = ""
	}
	keepAlive := p.KeepAlive
	if b.opts.MaxKeepalive < DefaultMaxKeepalive && keepAlive > b.opts.MaxKeepalive {
		if !v5 {
			// 3.1.1 cannot tell the client another keep-alive: refuse as
			// mosquitto does (identifier rejected).
			return c.refuse(codec.ClientIdentifierNotValid, "keep-alive above max_keepalive")
		}
		keepAlive = b.opts.MaxKeepalive
		extra.serverKeepAlive = int(keepAlive) // [MQTT-3.2.2-21]
	}
	if v5 && len(p.Props.AuthMethod) > 0 {
		return c.startEnhancedAuth(&p, sec.Authenticator, extra, keepAlive)
	}
	if a := sec.Authenticator; a != nil {
		info := ConnectInfo{ClientInfo: c.info, HasUsername: p.UsernameFlag, HasPassword: p.PasswordFlag, Password: p.Password}
		if err := a.Authenticate(&info); err != nil {
			rc := codec.NotAuthorized
			var code codec.ReasonCode
			if errors.As(err, &code) && code.IsError() {
				rc = code
			}
			return c.refuse(rc, "authentication: "+err.Error())
		}
	}
	return c.acceptConnect(&p, extra, keepAlive)
}

// acceptConnect completes an accepted CONNECT: will, session, CONNACK 0x00
// and the keep-alive timer. p may alias the read buffer.
func (c *conn) acceptConnect(p *codec.Connect, extra connackProps, keepAlive uint16) error {
	b := c.loop.b
	v5 := p.Version == codec.V5
	clientID := c.info.ClientID
	if p.WillFlag {
		if err := b.checkTopicLevels(p.Will.Topic); err != nil {
			c.protocolError("will topic", err)
			return errClose
		}
		if p.Will.Retain && b.opts.RetainUnavailable {
			return c.refuse(codec.RetainNotSupported, "retained will with retain_available false")
		}
		w := &will{retain: p.Will.Retain}
		var props []byte
		var expiry int64
		if v5 {
			props = p.Will.Props.AppendShared(c.loop.scratch[:0])
			c.loop.scratch = props[:0]
			w.delay = p.Will.Props.WillDelay
			if p.Will.Props.Has(codec.PropMessageExpiry) {
				expiry = b.opts.Now().Add(time.Duration(p.Will.Props.MessageExpiry) * time.Second).UnixNano()
			}
		}
		w.msg = pooledMessage(c.mounted(p.Will.Topic), p.Will.Payload, props, p.Will.QoS, expiry)
		c.will = w
	}

	expiryInterval := uint32(expiryNever)
	switch {
	case v5:
		expiryInterval = p.Props.SessionExpiry // absent = 0 [MQTT-3.1.2-23]
		c.recvMax = 65535
		if p.Props.Has(codec.PropReceiveMaximum) {
			c.recvMax = p.Props.ReceiveMaximum
		}
		c.maxPacketOut = p.Props.MaximumPacketSize
		c.aliasMaxOut = p.Props.TopicAliasMaximum
		if p.Props.RequestResponseInfo == 1 {
			extra.responseInfo = "midge/response/" + clientID
		}
	case p.CleanStart:
		expiryInterval = 0
	}
	s, present := b.attach(c, clientID, p.CleanStart, expiryInterval)
	c.session = s
	c.state = stateConnected
	c.writeConnack(present, codec.Success, &extra)
	b.log.Info("client connected", "client", clientID, "remote", c.remote(), "version", p.Version.String(),
		"clean", p.CleanStart, "keepalive", keepAlive, "session_present", present)

	c.lastRecv = b.opts.Now()
	c.loop.wheel.cancel(&c.timer)
	if keepAlive > 0 {
		c.keepAlive = time.Duration(keepAlive) * 1500 * time.Millisecond // [MQTT-3.1.2-24]
		c.loop.wheel.schedule(&c.timer, c.lastRecv.Add(c.keepAlive))
	}
	c.resume()
	return nil
}

// inflightMax is the outbound window for this connection: the broker's
// max_inflight_messages, and for 5.0 clients their Receive Maximum
// [MQTT-3.3.4-9].
func (c *conn) inflightMax() int {
	n := c.loop.b.opts.MaxInflightMessages
	if c.version == codec.V5 && int(c.recvMax) < n {
		n = int(c.recvMax)
	}
	return n
}

// windowOpen reports whether a QoS 1/2 message of size payload bytes may
// go in flight: the window holds fewer messages than inflightMax and, with
// max_inflight_bytes set, stays within it or is empty. Caller holds the
// session's mu.
func (c *conn) windowOpen(size int) bool {
	s := c.session
	if len(s.inflight) >= c.inflightMax() {
		return false
	}
	mb := c.loop.b.opts.MaxInflightBytes
	return mb <= 0 || len(s.inflight) == 0 || s.inflightBytes+size <= mb
}

// resume sends what a persistent session holds after CONNACK: unacknowledged
// messages again with DUP (PUBREL for those past PUBREC) [MQTT-4.4.0-1],
// then as much of the queue as the window allows.
func (c *conn) resume() {
	s := c.session
	s.mu.Lock()
	for i := range s.inflight {
		o := &s.inflight[i]
		if o.state == awaitPubcomp {
			c.writeAck(codec.PUBREL, o.pid, codec.Success)
		} else {
			c.writePublish(o.msg, &o.d, true, o.pid) // [MQTT-3.3.1-1] DUP on re-delivery
		}
	}
	c.drainLocked()
	s.mu.Unlock()
}

// drainLocked moves queued messages into the inflight window and sends
// them, QoS 0 ones straight out. Caller holds the session's mu.
func (c *conn) drainLocked() {
	s := c.session
	now := c.loop.b.opts.Now().UnixNano()
	for len(s.queue) > 0 && (s.queue[0].d.qos == 0 || c.windowOpen(s.queue[0].msg.size())) {
		o := s.dequeue()
		if o.msg.expired(now) {
			o.msg.release() // [MQTT-3.3.2-5] expired while queued
			continue
		}
		if o.d.qos == 0 {
			c.writePublish(o.msg, &o.d, false, 0)
			o.msg.release()
			continue
		}
		o.pid = s.allocPID()
		o.state = awaitPuback
		if o.d.qos == 2 {
			o.state = awaitPubrec
		}
		if !c.writePublish(o.msg, &o.d, false, o.pid) {
			o.msg.release() // larger than the client accepts [MQTT-3.1.2-25]
			continue
		}
		s.addInflight(o)
	}
}

func randomHex(n int) string {
	b := make([]byte, n/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (c *conn) handleDisconnect(f codec.Frame) error {
	var d codec.Disconnect
	if err := d.Decode(c.version, f.Flags, f.Body); err != nil {
		c.protocolError("bad DISCONNECT", err) // [MQTT-2.2.2-2]
		return errClose
	}
	if c.version == codec.V5 && d.Props.Has(codec.PropSessionExpiry) {
		s := c.session
		s.mu.Lock()
		was := s.expiryInterval
		if was != 0 || d.Props.SessionExpiry == 0 {
			s.expiryInterval = d.Props.SessionExpiry
		}
		s.mu.Unlock()
		if was == 0 && d.Props.SessionExpiry != 0 {
			c.protocolError("DISCONNECT sets a session expiry after 0", codec.ProtocolError) // [MQTT-3.14.2-2]
			return errClose
		}
	}
	// [MQTT-3.14.4-3] a normal DISCONNECT discards the will; 5.0's 0x04
	// asks for it to be published.
	c.cleanDisconnect = d.ReasonCode != codec.DisconnectWithWillMessage
	c.state = stateClosing
	return errClose
}
