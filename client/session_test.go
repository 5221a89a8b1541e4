package client_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/client"
	"github.com/midge-mqtt/midge/client/clienttest"
)

// TestPersistentSession: a session that is not clean keeps its
// subscription and queues QoS 1 messages while the client is away.
func TestPersistentSession(t *testing.T) {
	forEachBroker(t, clienttest.Config{}, func(t *testing.T, b *clienttest.Broker) {
		for _, v := range []byte{client.V311, client.V5} {
			ctx := ctxT(t)
			id := fmt.Sprintf("persist-%d", v)
			expiry := uint32(300)
			// 3.1.1 keeps the session when Clean Session is 0 [MQTT-3.1.2-4];
			// 5.0 when the Session Expiry Interval is above 0.
			opts := client.Options{Version: v, ClientID: id, CleanStart: v == client.V5}
			if v == client.V5 {
				opts.SessionExpiry = &expiry
			}
			c := dial(t, b, opts)
			if _, err := c.Subscribe(ctx, []client.Subscription{{Filter: "persist/t", QoS: 1}}, 0, nil); err != nil {
				t.Fatal(err)
			}
			c.Disconnect(nil)
			pub := dial(t, b, client.Options{Version: v, CleanStart: true})
			if err := pub.Publish(ctx, &client.Message{Topic: "persist/t", Payload: []byte("while away"), QoS: 1}); err != nil {
				t.Fatal(err)
			}
			opts.CleanStart = false
			back, ack, err := client.Dial(ctx, withAddr(opts, b))
			if err != nil {
				t.Fatal(err)
			}
			defer back.Close()
			if !ack.SessionPresent { // [MQTT-3.2.2-2]
				t.Errorf("v%d: session not present on reconnect", v)
			}
			if m := receive(t, back); string(m.Payload) != "while away" {
				t.Errorf("v%d: queued message %+v", v, m)
			}
		}
	})
}

func withAddr(o client.Options, b *clienttest.Broker) client.Options {
	o.Address = b.Addr()
	return o
}

// TestTakeoverAndWillOnReason: a second connection with the same client id
// ends the first [MQTT-3.1.4-3]; a DISCONNECT with reason 0x04 still
// publishes the will.
func TestTakeoverAndWillOnReason(t *testing.T) {
	forEachBroker(t, clienttest.Config{}, func(t *testing.T, b *clienttest.Broker) {
		ctx := ctxT(t)
		first := dial(t, b, client.Options{Version: client.V5, ClientID: "twin", CleanStart: true})
		dial(t, b, client.Options{Version: client.V5, ClientID: "twin", CleanStart: true})
		select {
		case <-first.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("first connection not closed by the takeover")
		}
		if first.Err() == nil {
			t.Error("a connection ended by the server reports no error")
		}

		watcher := dial(t, b, client.Options{Version: client.V5, CleanStart: true})
		if _, err := watcher.Subscribe(ctx, []client.Subscription{{Filter: "will/reason"}}, 0, nil); err != nil {
			t.Fatal(err)
		}
		w := dial(t, b, client.Options{Version: client.V5, CleanStart: true,
			Will: &client.Will{Topic: "will/reason", Payload: []byte("bye"), Properties: client.PublishProperties{ContentType: "text/plain"}}})
		w.Disconnect(&client.Disconnect{ReasonCode: 0x04}) // [MQTT-3.14.4-3] 0x04 keeps the will
		m := receive(t, watcher)
		if string(m.Payload) != "bye" || m.Properties.ContentType != "text/plain" {
			t.Errorf("will %+v", m)
		}
	})
}
