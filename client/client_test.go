package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/client"
	"github.com/midge-mqtt/midge/client/clienttest"
)

// forEachBroker runs body once per broker in clienttest.Brokers.
func forEachBroker(t *testing.T, cfg clienttest.Config, body func(t *testing.T, b *clienttest.Broker)) {
	for _, name := range clienttest.Brokers {
		if clienttest.Supports(name, cfg) {
			t.Run(name, func(t *testing.T) { body(t, clienttest.Start(t, name, cfg)) })
		}
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dial(t *testing.T, b *clienttest.Broker, opts client.Options) *client.Client {
	t.Helper()
	if opts.Address == "" {
		opts.Address = b.Addr()
	}
	c, _, err := client.Dial(ctxT(t), opts)
	if err != nil {
		t.Fatalf("dial %s: %v", opts.Address, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func receive(t *testing.T, c *client.Client) *client.Message {
	t.Helper()
	select {
	case m, ok := <-c.Messages():
		if !ok {
			t.Fatalf("connection ended: %v", c.Err())
		}
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5s")
	}
	return nil
}

func TestRoundTripAllQoSAndVersions(t *testing.T) {
	forEachBroker(t, clienttest.Config{}, func(t *testing.T, b *clienttest.Broker) {
		for _, v := range []byte{client.V31, client.V311, client.V5} {
			for qos := byte(0); qos <= 2; qos++ {
				t.Run(fmt.Sprintf("v%d/qos%d", v, qos), func(t *testing.T) {
					ctx := ctxT(t)
					topic := fmt.Sprintf("rt/%d/%d", v, qos)
					sub := dial(t, b, client.Options{Version: v, ClientID: fmt.Sprintf("sub-%d-%d", v, qos), CleanStart: true})
					ack, err := sub.Subscribe(ctx, []client.Subscription{{Filter: topic, QoS: qos}}, 0, nil)
					if err != nil || len(ack.Codes) != 1 || ack.Codes[0] != qos {
						t.Fatalf("subscribe: %+v %v", ack, err)
					}
					pub := dial(t, b, client.Options{Version: v, ClientID: fmt.Sprintf("pub-%d-%d", v, qos), CleanStart: true})
					for i := range 3 {
						payload := []byte(fmt.Sprintf("msg %d", i))
						if err := pub.Publish(ctx, &client.Message{Topic: topic, Payload: payload, QoS: qos}); err != nil {
							t.Fatalf("publish %d: %v", i, err)
						}
					}
					for i := range 3 {
						m := receive(t, sub)
						if m.Topic != topic || string(m.Payload) != fmt.Sprintf("msg %d", i) || m.QoS != qos {
							t.Fatalf("message %d: %+v", i, m)
						}
						if (qos > 0) != (m.PacketID != 0) { // [MQTT-2.2.1-2]
							t.Errorf("packet id %d at QoS %d", m.PacketID, qos)
						}
					}
					if err := pub.Disconnect(nil); err != nil {
						t.Error(err)
					}
					if err := pub.Err(); err != nil {
						t.Errorf("clean disconnect ended with %v", err)
					}
				})
			}
		}
	})
}

func TestV5PropertiesRoundTrip(t *testing.T) {
	forEachBroker(t, clienttest.Config{}, func(t *testing.T, b *clienttest.Broker) {
		ctx := ctxT(t)
		sub := dial(t, b, client.Options{Version: client.V5, CleanStart: true})
		if _, err := sub.Subscribe(ctx, []client.Subscription{{Filter: "props/#", QoS: 1}}, 42, nil); err != nil {
			t.Fatal(err)
		}
		pub := dial(t, b, client.Options{Version: client.V5, CleanStart: true})
		pfi, exp := byte(1), uint32(300)
		sent := client.PublishProperties{PayloadFormat: &pfi, MessageExpiry: &exp, ContentType: "text/plain",
			ResponseTopic: "props/reply", CorrelationData: []byte{0, 1, 2},
			UserProperties: []client.UserProperty{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}, {Key: "b", Value: ""}}}
		if err := pub.Publish(ctx, &client.Message{Topic: "props/x", Payload: []byte("p"), QoS: 1, Properties: sent}); err != nil {
			t.Fatal(err)
		}
		got := receive(t, sub).Properties
		if *got.PayloadFormat != 1 || got.MessageExpiry == nil || *got.MessageExpiry > 300 || got.ContentType != "text/plain" ||
			got.ResponseTopic != "props/reply" || !bytes.Equal(got.CorrelationData, []byte{0, 1, 2}) {
			t.Errorf("properties: %+v", got)
		}
		// [MQTT-3.3.2-17] user properties arrive in order, repeats kept.
		if fmt.Sprint(got.UserProperties) != fmt.Sprint(sent.UserProperties) {
			t.Errorf("user properties %v, want %v", got.UserProperties, sent.UserProperties)
		}
		// [MQTT-3.3.4-3] the subscription identifier comes back.
		if len(got.SubscriptionIDs) != 1 || got.SubscriptionIDs[0] != 42 {
			t.Errorf("subscription ids %v", got.SubscriptionIDs)
		}
	})
}

func TestWillOnAbruptClose(t *testing.T) {
	forEachBroker(t, clienttest.Config{}, func(t *testing.T, b *clienttest.Broker) {
		for _, v := range []byte{client.V311, client.V5} {
			ctx := ctxT(t)
			topic := fmt.Sprintf("will/%d", v)
			watcher := dial(t, b, client.Options{Version: v, CleanStart: true, ClientID: fmt.Sprintf("watch%d", v)})
			if _, err := watcher.Subscribe(ctx, []client.Subscription{{Filter: topic, QoS: 1}}, 0, nil); err != nil {
				t.Fatal(err)
			}
			dying := dial(t, b, client.Options{Version: v, CleanStart: true, ClientID: fmt.Sprintf("dying%d", v),
				Will: &client.Will{Topic: topic, Payload: []byte("gone"), QoS: 1}})
			dying.Close() // no DISCONNECT: the server must publish the will [MQTT-3.1.2-8]
			m := receive(t, watcher)
			if m.Topic != topic || string(m.Payload) != "gone" {
				t.Errorf("will message %+v", m)
			}
		}
	})
}

func TestKeepAlivePings(t *testing.T) {
	forEachBroker(t, clienttest.Config{}, func(t *testing.T, b *clienttest.Broker) {
		var mu sync.Mutex
		var log []string
		c := dial(t, b, client.Options{KeepAlive: 1, CleanStart: true, Log: func(l string) {
			mu.Lock()
			log = append(log, l)
			mu.Unlock()
		}})
		// [MQTT-3.1.2-23] an idle client sends PINGREQ within the keep-alive:
		// two round trips take about two seconds (six allowed for a busy machine).
		var all string
		for deadline := time.Now().Add(6 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			mu.Lock()
			all = strings.Join(log, "\n")
			mu.Unlock()
			if strings.Count(all, "received PINGRESP") >= 2 {
				break
			}
		}
		if strings.Count(all, "sending PINGREQ") < 2 || strings.Count(all, "received PINGRESP") < 2 {
			t.Errorf("expected two ping round trips:\n%s", all)
		}
		select {
		case <-c.Done():
			t.Fatalf("connection ended: %v", c.Err())
		default:
		}
	})
}

func TestUnixSocket(t *testing.T) {
	forEachBroker(t, clienttest.Config{Unix: true}, func(t *testing.T, b *clienttest.Broker) {
		ctx := ctxT(t)
		c := dial(t, b, client.Options{Network: "unix", Address: b.UnixPath, CleanStart: true})
		if _, err := c.Subscribe(ctx, []client.Subscription{{Filter: "unix/t", QoS: 2}}, 0, nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Publish(ctx, &client.Message{Topic: "unix/t", Payload: []byte("over a socket"), QoS: 2}); err != nil {
			t.Fatal(err)
		}
		if m := receive(t, c); string(m.Payload) != "over a socket" || m.QoS != 2 {
			t.Errorf("got %+v", m)
		}
	})
}

func TestRetainedAndUnsubscribe(t *testing.T) {
	forEachBroker(t, clienttest.Config{}, func(t *testing.T, b *clienttest.Broker) {
		ctx := ctxT(t)
		c := dial(t, b, client.Options{Version: client.V5, CleanStart: true})
		if err := c.Publish(ctx, &client.Message{Topic: "ret/a", Payload: []byte("kept"), QoS: 1, Retain: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Subscribe(ctx, []client.Subscription{{Filter: "ret/#"}}, 0, nil); err != nil {
			t.Fatal(err)
		}
		if m := receive(t, c); !m.Retain || string(m.Payload) != "kept" { // [MQTT-3.3.1-8]
			t.Errorf("retained: %+v", m)
		}
		codes, err := c.Unsubscribe(ctx, []string{"ret/#", "never/subscribed"}, nil)
		if err != nil || len(codes) != 2 || codes[0] != 0 || codes[1] != 0x11 {
			t.Errorf("unsuback %x %v", codes, err)
		}
	})
}

func TestRefusedConnection(t *testing.T) {
	dir := t.TempDir()
	pwfile := dir + "/pw"
	writePasswordFile(t, pwfile, "alice", "secret")
	forEachBroker(t, clienttest.Config{PasswordFile: pwfile}, func(t *testing.T, b *clienttest.Broker) {
		user := "alice"
		for _, c := range []struct {
			v    byte
			pw   string
			code byte
		}{{client.V311, "wrong", 5}, {client.V5, "wrong", 0x86}, {client.V311, "secret", 0}} {
			_, ack, err := client.Dial(ctxT(t), client.Options{Address: b.Addr(), Version: c.v, CleanStart: true,
				Username: &user, Password: []byte(c.pw)})
			var ce *client.ConnectError
			if c.code == 0 {
				if err != nil {
					t.Errorf("v%d right password: %v", c.v, err)
				}
				continue
			}
			// A v5 server may answer 0x86 (bad user name or password) or,
			// as mosquitto 2.0 does, 0x87 (not authorized).
			isCE := errors.As(err, &ce)
			if c.code == 0x86 && isCE && ce.Code == 0x87 {
				c.code = 0x87
			}
			if !isCE || ce.Code != c.code || ack.ReasonCode != c.code {
				t.Errorf("v%d wrong password: %v, want code %#x", c.v, err, c.code)
			}
		}
	})
}

// TestQoS2OnRelease: with DeliverQoS2OnRelease a QoS 2 message is held
// until PUBREL, and delivered exactly once either way [MQTT-4.3.3-10].
func TestQoS2OnRelease(t *testing.T) {
	forEachBroker(t, clienttest.Config{}, func(t *testing.T, b *clienttest.Broker) {
		ctx := ctxT(t)
		sub := dial(t, b, client.Options{CleanStart: true, DeliverQoS2OnRelease: true})
		if _, err := sub.Subscribe(ctx, []client.Subscription{{Filter: "q2/#", QoS: 2}}, 0, nil); err != nil {
			t.Fatal(err)
		}
		pub := dial(t, b, client.Options{CleanStart: true})
		for i := range 5 {
			if err := pub.Publish(ctx, &client.Message{Topic: "q2/t", Payload: []byte{byte('0' + i)}, QoS: 2}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 5 {
			if m := receive(t, sub); m.Payload[0] != byte('0'+i) || m.QoS != 2 {
				t.Fatalf("message %d: %+v", i, m)
			}
		}
		select {
		case m := <-sub.Messages():
			t.Errorf("extra message %+v", m)
		case <-time.After(200 * time.Millisecond):
		}
	})
}
