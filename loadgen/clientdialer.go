package loadgen

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/midge-mqtt/midge/client"
)

// ClientDialer opens connections with the project's client package: the
// fleet sees the broker exactly as any MQTT client does.
type ClientDialer struct {
	Network string // "tcp" (default) or "unix"
	Address string
	// MaxInflight is each connection's window of unacknowledged QoS 1 and
	// 2 messages (default 20, capped by the broker's Receive Maximum).
	MaxInflight int
	// DialTimeout bounds one connect (default 10s).
	DialTimeout time.Duration
}

// Dial connects one client as spec says.
func (d *ClientDialer) Dial(ctx context.Context, spec ConnSpec) (Conn, error) {
	timeout := d.DialTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	opts := client.Options{
		Network:      d.Network,
		Address:      d.Address,
		BindAddress:  spec.BindAddress,
		DialTimeout:  timeout,
		Version:      spec.Version,
		ClientID:     spec.ClientID,
		CleanStart:   spec.Clean,
		KeepAlive:    spec.KeepAlive,
		KeepAliveSet: true,
		MaxInflight:  d.MaxInflight,
	}
	if spec.Username != "" {
		user := spec.Username
		opts.Username, opts.Password = &user, []byte(spec.Password)
	}
	if spec.Version == client.V5 && !spec.Clean && spec.SessionExpiry > 0 {
		exp := spec.SessionExpiry
		opts.SessionExpiry = &exp
	}
	if spec.OnMessage != nil {
		on := spec.OnMessage
		opts.OnMessage = func(m *client.Message) { on(m.Topic, m.Payload) }
		// OnMessage's topic and payload are valid only during the call, so
		// the client may lend them: receiving then allocates nothing, and
		// the generator's garbage collector stays out of the latencies.
		opts.BorrowMessages = true
	} else {
		opts.OnMessage = func(*client.Message) {}
	}
	cc := &clientConn{onError: spec.OnError}
	cc.acked = cc.ack
	opts.OnClose = cc.closed
	c, _, err := client.Dial(ctx, opts)
	if err != nil {
		return nil, err
	}
	cc.c = c
	return cc, nil
}

// clientConn adapts a *client.Client to Conn.
type clientConn struct {
	c        *client.Client
	onError  func(phase string, err error)
	inflight sync.WaitGroup // QoS 1 and 2 publishes not yet acknowledged
	leaving  atomic.Bool    // Disconnect or Drop was called
	// acked is ack as a func value, made once: a closure per message
	// would be garbage the generator collects during the run.
	acked func(error)
}

// ack ends one QoS 1 or 2 publish; PublishAsync calls it exactly once for
// each publish it accepted, and never for one it refused.
func (cc *clientConn) ack(err error) {
	cc.inflight.Done()
	if err != nil && cc.onError != nil && !cc.leaving.Load() {
		cc.onError("publish ack", err)
	}
}

// closed reports a connection that ends without the fleet closing it. It
// is the client's OnClose, which spares the fleet a goroutine per
// connection waiting for the end.
func (cc *clientConn) closed(err error) {
	if !cc.leaving.Load() && cc.onError != nil {
		if err == nil {
			err = client.ErrClosed
		}
		cc.onError("connection lost", err)
	}
}

func (cc *clientConn) Publish(ctx context.Context, topic string, payload []byte, qos byte, retain bool) error {
	m := &client.Message{Topic: topic, Payload: payload, QoS: qos, Retain: retain}
	if qos == 0 {
		return cc.c.PublishAsync(ctx, m, nil)
	}
	cc.inflight.Add(1)
	err := cc.c.PublishAsync(ctx, m, cc.acked)
	if err != nil {
		cc.inflight.Done() // refused: ack is not called, the caller reports err
	}
	return err
}

// Cork and Uncork make clientConn a Batcher.
func (cc *clientConn) Cork()         { cc.c.Cork() }
func (cc *clientConn) Uncork() error { return cc.c.Uncork() }

func (cc *clientConn) Subscribe(ctx context.Context, filter string, qos byte) error {
	ack, err := cc.c.Subscribe(ctx, []client.Subscription{{Filter: filter, QoS: qos}}, 0, nil)
	if err != nil {
		return err
	}
	if len(ack.Codes) != 1 || ack.Codes[0] >= 0x80 {
		code := byte(0x80)
		if len(ack.Codes) > 0 {
			code = ack.Codes[0]
		}
		return &client.AckError{Packet: "SUBACK", Code: code, ReasonString: ack.ReasonString}
	}
	return nil
}

func (cc *clientConn) Flush(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		cc.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (cc *clientConn) Disconnect() error {
	cc.leaving.Store(true)
	return cc.c.Disconnect(nil)
}

func (cc *clientConn) Drop() error {
	cc.leaving.Store(true)
	return cc.c.Close()
}
