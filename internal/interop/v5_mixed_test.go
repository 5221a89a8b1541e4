package interop

import (
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
)

// TestV5MixedProtocolVersions puts an MQTT 3.1.1 client (paho.mqtt.golang)
// and an MQTT 5.0 client (paho.golang) on one broker: each receives the
// other's messages in its own protocol. The 3.1.1 subscriber gets the exact
// payload (the publisher's properties are dropped, not glued to the payload),
// and a raw 3.1.1 subscriber sees a 3.1.1 PUBLISH with nothing but topic,
// packet id and payload.
func TestV5MixedProtocolVersions(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	old, oldMsgs, _ := pahoClient(t, b, "v311-mixed", pahoOpts{})
	pahoSubscribe(t, old, topic+"/to-311", 1)
	raw, _ := connectRaw(t, b, connectOpts{clientID: "v311-mixed-raw"})
	raw.subscribe(1, topic+"/to-311", 1)
	modern, modernMsgs := pahoV5Client(t, b, "v5-mixed")
	pahoV5Subscribe(t, modern, topic+"/to-5", 1)

	pahoPublish(t, old, topic+"/to-5", 1, false, "from 3.1.1")
	m := nextV5(t, modernMsgs)
	if string(m.Payload) != "from 3.1.1" || m.Topic != topic+"/to-5" || m.QoS != 1 {
		t.Fatalf("v5 subscriber got %q on %q QoS %d", m.Payload, m.Topic, m.QoS)
	}
	if m.Properties != nil && (len(m.Properties.User) > 0 || m.Properties.ContentType != "") {
		t.Fatalf("message from a 3.1.1 client arrived with properties %+v", m.Properties)
	}

	format := byte(1)
	pahoV5Publish(t, modern, &paho.Publish{Topic: topic + "/to-311", QoS: 1, Payload: []byte("from 5.0"),
		Properties: &paho.PublishProperties{ContentType: "text/plain", PayloadFormat: &format,
			User: paho.UserProperties{{Key: "k", Value: "v"}}, ResponseTopic: topic + "/r", CorrelationData: []byte("c")}})
	if got := next(t, oldMsgs, 5*time.Second); got.payload != "from 5.0" || got.qos != 1 {
		t.Fatalf("3.1.1 subscriber got %+v", got)
	}
	p := raw.expectPublish(5 * time.Second)
	if p.payload != "from 5.0" || p.topic != topic+"/to-311" || p.qos != 1 {
		t.Fatalf("raw 3.1.1 subscriber got %+v: properties must not reach a 3.1.1 client", p)
	}
	raw.send(ackPacket(typePUBACK, p.id))
}
