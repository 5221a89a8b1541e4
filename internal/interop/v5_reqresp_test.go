package interop

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
)

// pahoV5Client connects an Eclipse Paho MQTT 5.0 client (paho.golang) with
// Clean Start; every message it receives goes to the returned channel. It
// disconnects when the test ends.
func pahoV5Client(t testing.TB, b *broker, id string) (*paho.Client, chan *paho.Publish) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", b.addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", b.addr, err)
	}
	msgs := make(chan *paho.Publish, 1000)
	c := paho.NewClient(paho.ClientConfig{
		ClientID: id,
		Conn:     conn,
		OnPublishReceived: []func(paho.PublishReceived) (bool, error){
			func(pr paho.PublishReceived) (bool, error) {
				msgs <- pr.Packet
				return true, nil
			},
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ack, err := c.Connect(ctx, &paho.Connect{ClientID: id, CleanStart: true, KeepAlive: 30})
	if err != nil {
		t.Fatalf("paho.golang %q: connect: %v", id, err)
	}
	if ack.ReasonCode != 0 {
		t.Fatalf("paho.golang %q: CONNACK reason 0x%02X", id, ack.ReasonCode)
	}
	t.Cleanup(func() {
		c.Disconnect(&paho.Disconnect{ReasonCode: 0})
		conn.Close()
	})
	return c, msgs
}

// pahoV5Subscribe subscribes and requires the granted QoS.
func pahoV5Subscribe(t testing.TB, c *paho.Client, filter string, qos byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ack, err := c.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: filter, QoS: qos}}})
	if err != nil {
		t.Fatalf("subscribe %s: %v", filter, err)
	}
	if len(ack.Reasons) != 1 || ack.Reasons[0] != qos {
		t.Fatalf("subscribe %s: SUBACK reasons %v, want [%d]", filter, ack.Reasons, qos)
	}
}

// pahoV5Publish publishes and waits for the QoS flow to complete.
func pahoV5Publish(t testing.TB, c *paho.Client, p *paho.Publish) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Publish(ctx, p)
	if err != nil {
		t.Fatalf("publish %s: %v", p.Topic, err)
	}
	if p.QoS > 0 && resp.ReasonCode >= 0x80 {
		t.Fatalf("publish %s: reason 0x%02X", p.Topic, resp.ReasonCode)
	}
}

// nextV5 waits for one paho.golang message.
func nextV5(t testing.TB, msgs <-chan *paho.Publish) *paho.Publish {
	t.Helper()
	select {
	case m := <-msgs:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5s")
	}
	return nil
}

// userPropsString renders paho user properties as k=v,k=v.
func userPropsString(u paho.UserProperties) string {
	var parts []string
	for _, p := range u {
		parts = append(parts, p.Key+"="+p.Value)
	}
	return strings.Join(parts, ",")
}

// TestV5RequestResponsePaho runs a request/response exchange between two
// paho.golang clients: the request reaches the responder with Response
// Topic [MQTT-3.3.2-15], Correlation Data [MQTT-3.3.2-16], Content Type [MQTT-3.3.2-20],
// Payload Format Indicator [MQTT-3.3.2-4] and User Properties in order
// [MQTT-3.3.2-17] [MQTT-3.3.2-18] unchanged, and the reply carries the
// correlation data back.
func TestV5RequestResponsePaho(t *testing.T) {
	b := startBroker(t, defaultConfig())
	reqTopic, respTopic := uniqueTopic(t, "request"), uniqueTopic(t, "response")
	responder, requests := pahoV5Client(t, b, "v5-responder")
	pahoV5Subscribe(t, responder, reqTopic, 1)
	requester, replies := pahoV5Client(t, b, "v5-requester")
	pahoV5Subscribe(t, requester, respTopic, 1)

	format := byte(1)
	corr := []byte{0xCA, 0xFE, 0x00, 0x01}
	pahoV5Publish(t, requester, &paho.Publish{Topic: reqTopic, QoS: 1, Payload: []byte(`{"op":"time"}`),
		Properties: &paho.PublishProperties{
			ResponseTopic: respTopic, CorrelationData: corr, ContentType: "application/json",
			PayloadFormat: &format,
			User:          paho.UserProperties{{Key: "z", Value: "1"}, {Key: "a", Value: "2"}, {Key: "z", Value: "3"}, {Key: "m", Value: ""}},
		}})
	req := nextV5(t, requests)
	pp := req.Properties
	if pp == nil || pp.ResponseTopic != respTopic || !bytes.Equal(pp.CorrelationData, corr) ||
		pp.ContentType != "application/json" || pp.PayloadFormat == nil || *pp.PayloadFormat != 1 {
		t.Fatalf("request properties %+v changed in transit", pp)
	}
	if got := userPropsString(pp.User); got != "z=1,a=2,z=3,m=" {
		t.Fatalf("user properties %q, want z=1,a=2,z=3,m= in order [MQTT-3.3.2-18]", got)
	}
	pahoV5Publish(t, responder, &paho.Publish{Topic: pp.ResponseTopic, QoS: 1, Payload: []byte("noon"),
		Properties: &paho.PublishProperties{CorrelationData: pp.CorrelationData}})
	reply := nextV5(t, replies)
	if string(reply.Payload) != "noon" || reply.Properties == nil || !bytes.Equal(reply.Properties.CorrelationData, corr) {
		t.Fatalf("reply %q %+v, want noon with the request's correlation data", reply.Payload, reply.Properties)
	}
}

// TestV5PropertiesMosquittoClients publishes with Debian's mosquitto_pub -V
// mqttv5 and -D properties and receives with mosquitto_sub -V mqttv5: content
// type [MQTT-3.3.2-20], response topic [MQTT-3.3.2-15], correlation data
// [MQTT-3.3.2-16], user properties in order [MQTT-3.3.2-17] [MQTT-3.3.2-18],
// payload format indicator [MQTT-3.3.2-4] and a counted-down message expiry
// [MQTT-3.3.2-6] arrive.
func TestV5PropertiesMosquittoClients(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	s := mosquittoSub(t, b, append(b.tcpArgs(), "-V", "mqttv5", "-q", "1", "-t", topic,
		"-F", "MSG|%t|%q|%r|%C;%R;%D;%P;%F;%E;%p")...)
	mosquittoPub(t, append(b.tcpArgs(), "-V", "mqttv5", "-q", "1", "-t", topic, "-m", "body",
		"-D", "publish", "content-type", "text/plain",
		"-D", "publish", "response-topic", topic+"/reply",
		"-D", "publish", "correlation-data", "corr-7",
		"-D", "publish", "user-property", "second", "2",
		"-D", "publish", "user-property", "first", "1",
		"-D", "publish", "payload-format-indicator", "1",
		"-D", "publish", "message-expiry-interval", "30")...)
	m := next(t, s.msgs, 5*time.Second)
	f := strings.Split(m.payload, ";")
	if len(f) != 7 {
		t.Fatalf("mosquitto_sub line %q", m.payload)
	}
	want := []string{"text/plain", topic + "/reply", "corr-7", "second:2 first:1", "1"}
	for i, w := range want {
		if f[i] != w {
			t.Fatalf("field %d = %q, want %q (line %q)", i, f[i], w, m.payload)
		}
	}
	if f[5] != "30" && f[5] != "29" {
		t.Fatalf("message expiry %q, want 30 or 29", f[5])
	}
	if f[6] != "body" || m.qos != 1 {
		t.Fatalf("payload %q QoS %d", f[6], m.qos)
	}
}
