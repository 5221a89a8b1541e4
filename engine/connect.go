package engine

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/midge-mqtt/midge/codec"
)

// will is a connection's Will Message, copied out of CONNECT.
type will struct {
	msg    message // holds one reference
	retain bool
}

// writeConnack queues a CONNACK in the client's version: 3.1 has no
// session-present flag, 3.1.1 has it [MQTT-3.2.2-1..3], 5.0 adds the
// properties length.
func (c *conn) writeConnack(present bool, rc codec.ReasonCode) {
	flags := byte(0)
	if present && c.version != codec.V31 {
		flags = 1
	}
	if c.version == codec.V5 {
		c.writeSmall(byte(codec.CONNACK)<<4, flags, byte(rc), 0)
		return
	}
	c.writeSmall(byte(codec.CONNACK)<<4, flags, byte(codec.ReturnCodeFor(rc)))
}

// refuse sends a refusing CONNACK and closes the connection after it.
func (c *conn) refuse(rc codec.ReasonCode, why string) error {
	c.loop.b.log.Info("connection refused", "remote", c.remote(), "client", c.info.ClientID, "reason", why)
	c.writeConnack(false, rc)
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
			c.protocolError("bad CONNECT", err) // [MQTT-3.1.4-1] close without CONNACK
			return errClose
		}
	}
	if p.Version == codec.V5 {
		return c.refuse(codec.UnsupportedProtocolVersion, "MQTT 5.0 is not supported yet")
	}
	clientID := string(p.ClientID)
	c.info = ClientInfo{ClientID: clientID, Username: string(p.Username), RemoteAddr: c.t.RemoteAddr(), ProtocolVersion: byte(p.Version)}
	if clientID == "" {
		// [MQTT-3.1.3-6] the server assigns a unique identifier; the codec
		// already refused an empty one without clean session [MQTT-3.1.3-8].
		clientID = "auto-" + randomHex(16)
		c.info.ClientID = clientID
	}
	if b.opts.MaxKeepalive < DefaultMaxKeepalive && p.KeepAlive > b.opts.MaxKeepalive {
		// 3.1.1 cannot tell the client another keep-alive: refuse as
		// mosquitto does (identifier rejected).
		return c.refuse(codec.ClientIdentifierNotValid, "keep-alive above max_keepalive")
	}
	if a := b.opts.Authenticator; a != nil {
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
	if p.WillFlag {
		if err := b.checkTopicLevels(p.Will.Topic); err != nil {
			c.protocolError("will topic", err)
			return errClose
		}
		if p.Will.Retain && b.opts.RetainUnavailable {
			return c.refuse(codec.RetainNotSupported, "retained will with retain_available false")
		}
		c.will = &will{msg: pooledMessage(p.Will.Topic, p.Will.Payload, p.Will.QoS), retain: p.Will.Retain}
	}

	s, present := b.attach(c, clientID, p.CleanStart)
	c.session = s
	c.state = stateConnected
	c.writeConnack(present, codec.Success)
	b.log.Info("client connected", "client", clientID, "remote", c.remote(), "version", p.Version.String(),
		"clean", p.CleanStart, "keepalive", p.KeepAlive, "session_present", present)

	c.lastRecv = b.opts.Now()
	c.loop.wheel.cancel(&c.timer)
	if p.KeepAlive > 0 {
		c.keepAlive = time.Duration(p.KeepAlive) * 1500 * time.Millisecond // [MQTT-3.1.2-24]
		c.loop.wheel.schedule(&c.timer, c.lastRecv.Add(c.keepAlive))
	}
	c.resume()
	return nil
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
			c.writeAck(codec.PUBREL, o.pid)
		} else {
			c.writePublish(o.msg, o.qos, o.ret, true, o.pid) // [MQTT-3.3.1-1] DUP on re-delivery
		}
	}
	c.drainLocked()
	s.mu.Unlock()
}

// drainLocked moves queued messages into the inflight window and sends
// them, QoS 0 ones straight out. Caller holds the session's mu.
func (c *conn) drainLocked() {
	s := c.session
	max := c.loop.b.opts.MaxInflightMessages
	for len(s.queue) > 0 && (s.queue[0].qos == 0 || len(s.inflight) < max) {
		o := s.dequeue()
		if o.qos == 0 {
			c.writePublish(o.msg, 0, o.ret, false, 0)
			o.msg.release()
			continue
		}
		o.pid = s.allocPID()
		o.state = awaitPuback
		if o.qos == 2 {
			o.state = awaitPubrec
		}
		s.addInflight(o)
		c.writePublish(o.msg, o.qos, o.ret, false, o.pid)
	}
}

func randomHex(n int) string {
	b := make([]byte, n/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (c *conn) handleDisconnect(f codec.Frame) error {
	if f.Flags != 0 || (c.version != codec.V5 && f.RemainingLength != 0) {
		c.protocolError("malformed DISCONNECT", codec.MalformedPacket) // [MQTT-2.2.2-2]
		return errClose
	}
	c.cleanDisconnect = true // [MQTT-3.14.4-3] discard the will
	c.state = stateClosing
	return errClose
}
