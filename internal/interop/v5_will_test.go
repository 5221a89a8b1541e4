package interop

import (
	"strings"
	"testing"
	"time"
)

// v5WillWatcher connects a raw MQTT 5.0 client subscribed to topic at QoS 0.
func v5WillWatcher(t testing.TB, b *broker, id, topic string) *rawConn {
	t.Helper()
	w, _ := connectV5(t, b, v5ConnectOpts{clientID: id})
	w.mustSubscribeV5(1, topic, 0)
	return w
}

// TestV5WillDelayAndProperties connects with a will (Will Delay Interval 2 s,
// Content Type, Payload Format Indicator, Response Topic, Correlation Data
// and three User Properties) and a session that outlives the delay, then
// drops the connection: the will is kept with the session [MQTT-3.1.2-7],
// nothing is published before ~2 s, then the will arrives with its properties unchanged and its user properties in order
// [MQTT-3.1.2-8] [MQTT-3.1.3-10].
func TestV5WillDelayAndProperties(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "will")
	w := v5WillWatcher(t, b, "v5-will-watch", topic)
	r, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-will-delay", keepStart: true, keepAlive: 60,
		props: []prop{pU32(propSessionExpiry, 60)},
		will: &v5Will{topic: topic, payload: "gone", qos: 0, props: []prop{
			pU32(propWillDelay, 2), pStr(propContentType, "text/plain"), pByte(propPayloadFormat, 1),
			pStr(propResponseTopic, topic+"/reply"), pBin(propCorrelationData, []byte{0, 1, 2}),
			pUser("b", "2"), pUser("a", "1"), pUser("b", "3"),
		}}})
	r.resetClose()
	start := time.Now()
	w.expectOpen(1200 * time.Millisecond) // the delay holds the will back
	p := w.expectPublishV5(5 * time.Second)
	if d := time.Since(start); d < 1500*time.Millisecond {
		t.Fatalf("will published after %v, before its 2 s delay", d)
	}
	if p.payload != "gone" || p.topic != topic {
		t.Fatalf("will %+v", p)
	}
	if ct, _ := p.props.get(propContentType); ct.s != "text/plain" {
		t.Fatalf("Content Type %q in %v, want text/plain", ct.s, p.props)
	}
	if pf, ok := p.props.get(propPayloadFormat); !ok || pf.num != 1 {
		t.Fatalf("Payload Format Indicator missing or wrong in %v", p.props)
	}
	if rt, _ := p.props.get(propResponseTopic); rt.s != topic+"/reply" {
		t.Fatalf("Response Topic in %v", p.props)
	}
	if cd, _ := p.props.get(propCorrelationData); cd.s != "\x00\x01\x02" {
		t.Fatalf("Correlation Data in %v", p.props)
	}
	if got := strings.Join(p.props.userProps(), ","); got != "b=2,a=1,b=3" {
		t.Fatalf("will user properties %q, want b=2,a=1,b=3 in order [MQTT-3.1.3-10]", got)
	}
	if p.props.has(propWillDelay) {
		t.Fatal("Will Delay Interval forwarded as a PUBLISH property")
	}
}

// TestV5WillCancelledWhenSessionResumes drops a connection with Will Delay
// Interval 3 s and reconnects to the session after 1 s: the will is never
// published [MQTT-3.1.3-9].
func TestV5WillCancelledWhenSessionResumes(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "will")
	w := v5WillWatcher(t, b, "v5-will-cancel-watch", topic)
	o := v5ConnectOpts{clientID: "v5-will-cancel", keepStart: true, keepAlive: 60,
		props: []prop{pU32(propSessionExpiry, 60)},
		will:  &v5Will{topic: topic, payload: "gone", props: []prop{pU32(propWillDelay, 3)}}}
	r, _ := connectV5(t, b, o)
	r.resetClose()
	time.Sleep(time.Second)
	o.will = nil
	r, ack := connectV5(t, b, o)
	if !ack.sessionPresent {
		t.Fatal("session lost")
	}
	w.expectOpen(3500 * time.Millisecond) // [MQTT-3.1.3-9]
	r.send(disconnectV5Packet(0))
}

// TestV5WillAtSessionEnd drops a connection whose Session Expiry Interval
// (1 s) is shorter than its Will Delay Interval (60 s): the will is
// published when the session ends [MQTT-3.1.2-8].
func TestV5WillAtSessionEnd(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "will")
	w := v5WillWatcher(t, b, "v5-will-end-watch", topic)
	r, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-will-end", keepStart: true, keepAlive: 60,
		props: []prop{pU32(propSessionExpiry, 1)},
		will:  &v5Will{topic: topic, payload: "session over", props: []prop{pU32(propWillDelay, 60)}}})
	r.resetClose()
	if p := w.expectPublishV5(8 * time.Second); p.payload != "session over" {
		t.Fatalf("got %+v", p)
	}
}

// TestV5DisconnectWithWillMessage ends one connection with DISCONNECT 0x04
// Disconnect with Will Message (the will is published) and another with
// 0x00 Normal disconnection (it is not) [MQTT-3.1.2-10] [MQTT-3.14.4-3].
func TestV5DisconnectWithWillMessage(t *testing.T) {
	b := startBroker(t, defaultConfig())
	topic := uniqueTopic(t, "will")
	w := v5WillWatcher(t, b, "v5-will-04-watch", topic)
	normal, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-will-00", keepAlive: 60,
		will: &v5Will{topic: topic, payload: "normal"}})
	normal.send(disconnectV5Packet(0x00))
	normal.expectClosed(5 * time.Second)
	with, _ := connectV5(t, b, v5ConnectOpts{clientID: "v5-will-04", keepAlive: 60,
		will: &v5Will{topic: topic, payload: "with will"}})
	with.send(disconnectV5Packet(0x04))
	with.expectClosed(5 * time.Second)
	if p := w.expectPublishV5(5 * time.Second); p.payload != "with will" {
		t.Fatalf("got %+v, want only the will of the 0x04 disconnect", p)
	}
	w.expectOpen(300 * time.Millisecond)
}
