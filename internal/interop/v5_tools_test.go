package interop

import (
	"strings"
	"testing"
	"time"
)

// TestV5WillPropertiesMosquittoSub gives Debian's mosquitto_sub -V mqttv5 a
// will with -D will properties (Will Delay Interval 1 s, Content Type, two
// User Properties) and a session that outlives the delay, then kills it: the
// will arrives after the delay with its properties, user properties in order
// [MQTT-3.1.2-8] [MQTT-3.1.3-10] [MQTT-3.3.2-20].
func TestV5WillPropertiesMosquittoSub(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "will")
	w := v5WillWatcher(t, b, "v5-tool-will-watch", topic)
	s := mosquittoSub(t, b, append(b.tcpArgs(), "-V", "mqttv5", "-i", "v5-tool-will", "-c", "-x", "60",
		"-t", topic+"/unused", "--will-topic", topic, "--will-payload", "tool gone",
		"-D", "will", "will-delay-interval", "1",
		"-D", "will", "content-type", "text/plain",
		"-D", "will", "user-property", "z", "last",
		"-D", "will", "user-property", "a", "first")...)
	s.cancel() // SIGKILL: the connection ends without DISCONNECT
	<-s.done
	start := time.Now()
	p := w.expectPublishV5(5 * time.Second)
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Fatalf("will after %v, before its 1 s delay", d)
	}
	if p.payload != "tool gone" || p.topic != topic {
		t.Fatalf("will %+v", p)
	}
	if ct, _ := p.props.get(propContentType); ct.s != "text/plain" {
		t.Fatalf("will properties %v, want Content Type text/plain", p.props)
	}
	if got := strings.Join(p.props.userProps(), ","); got != "z=last,a=first" {
		t.Fatalf("will user properties %q, want z=last,a=first [MQTT-3.1.3-10]", got)
	}
}

// TestV5SubscriptionIdentifierMosquittoSub subscribes with mosquitto_sub -V
// mqttv5 -D subscribe subscription-identifier 7: messages arrive carrying
// identifier 7 [MQTT-3.3.4-3].
func TestV5SubscriptionIdentifierMosquittoSub(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "x")
	s := mosquittoSub(t, b, append(b.tcpArgs(), "-V", "mqttv5", "-t", topic,
		"-D", "subscribe", "subscription-identifier", "7", "-F", "MSG|%t|%q|%r|%S;%p")...)
	pub, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-tool-subid-pub"})
	pub.send(publishV5Packet(topic, "tagged", 0, 0, false))
	if m := next(t, s.msgs, 5*time.Second); m.payload != "7;tagged" {
		t.Fatalf("mosquitto_sub printed %q, want subscription identifier 7 and the payload", m.payload)
	}
}
