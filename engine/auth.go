package engine

import (
	"errors"
	"net"
)

// ClientInfo identifies an authenticated client to an Authorizer.
type ClientInfo struct {
	ClientID   string
	Username   string
	RemoteAddr net.Addr
	// ProtocolVersion is the CONNECT protocol level (3, 4 or 5).
	ProtocolVersion byte
}

// ConnectInfo is what an Authenticator sees of a CONNECT. Password aliases
// the packet and is valid only during the Authenticate call.
type ConnectInfo struct {
	ClientInfo
	HasUsername bool
	HasPassword bool
	Password    []byte
}

// Authenticator decides whether a CONNECT is accepted. It runs on an event
// loop and must not block.
type Authenticator interface {
	// Authenticate returns nil to accept. A codec.ReasonCode error is sent
	// back as the refusal reason; any other error refuses the client as
	// not authorized.
	Authenticate(info *ConnectInfo) error
}

// Authorizer decides, per topic, what an accepted client may do. It runs on
// an event loop and must not block.
type Authorizer interface {
	// AllowPublish reports whether the client may publish to topic; topic
	// aliases the packet and is valid only during the call.
	AllowPublish(client *ClientInfo, topic []byte) bool
	// AllowSubscribe reports whether the client may subscribe to filter.
	AllowSubscribe(client *ClientInfo, filter string) bool
}

// ErrNotAuthorized is the refusal DenyAll returns.
var ErrNotAuthorized = errors.New("not authorized")

// DenyAll refuses every client: mosquitto's behaviour with
// allow_anonymous false and no password file.
type DenyAll struct{}

// Authenticate refuses.
func (DenyAll) Authenticate(*ConnectInfo) error { return ErrNotAuthorized }

// DenyAnonymous refuses clients that send no username and accepts the rest
// (allow_anonymous false with an external password check elsewhere).
type DenyAnonymous struct{}

// Authenticate refuses CONNECTs without a username.
func (DenyAnonymous) Authenticate(info *ConnectInfo) error {
	if !info.HasUsername {
		return ErrNotAuthorized
	}
	return nil
}
