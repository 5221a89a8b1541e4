package interop

import (
	"errors"
	"os"
	"strconv"
	"testing"
	"time"
)

// robustCase is one hostile or malformed input on its own connection.
type robustCase struct {
	name    string
	connect bool     // send a valid CONNECT first
	send    [][]byte // then these bytes
	// clientCloses: the client closes after sending (truncated input);
	// otherwise the broker must close the connection without sending
	// anything.
	clientCloses bool
	// mosquittoDeviation, when set, says why mosquitto 2.0.11 keeps this
	// connection open; against mosquitto the close is then not asserted.
	mosquittoDeviation string
	// prompt: the first byte already shows the violation, so the broker
	// must close well before the connect timeout instead of waiting for
	// the rest of a frame that will never make sense.
	prompt bool
}

// robustCases are malformed or forbidden inputs, each with the clause that
// makes the broker close the connection. leak is the topic a watcher
// subscribes to: a PUBLISH in these cases must never reach it.
func robustCases(leak string) []robustCase {
	pub := func(topic string) []byte { return publishPacket(topic, []byte("leak"), 0, 0, false, false) }
	return []robustCase{
		{name: "GarbageBeforeConnect", send: [][]byte{[]byte("GET / HTTP/1.1\r\nHost: broker\r\n\r\n")}, prompt: true}, // 'G' is no CONNECT header [MQTT-3.1.0-1]
		{name: "ReservedType0AfterConnect", connect: true, send: [][]byte{{0x00, 0x00}}},                               // table 2.1: type 0 reserved
		{name: "ReservedType15AfterConnect", connect: true, send: [][]byte{{0xF0, 0x00}}},                              // type 15 reserved in 3.1.1
		{name: "ServerPacketFromClient", connect: true, send: [][]byte{{0x20, 0x02, 0x00, 0x00}}},                      // CONNACK to the server
		{name: "TruncatedConnectThenClose", send: [][]byte{connectPacket(connectOpts{clientID: "trunc"})[:7]}, clientCloses: true},
		{name: "TruncatedPublishThenClose", connect: true, send: [][]byte{publishPacket(leak, make([]byte, 100), 0, 0, false, false)[:40]}, clientCloses: true},
		{name: "HugeRemainingLengthOverMaxPacketSize", connect: true, send: [][]byte{{0x30, 0xFF, 0xFF, 0xFF, 0x7F}}}, // claims 268435455 bytes
		{name: "RemainingLengthFiveBytes", connect: true, send: [][]byte{{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}}},
		{name: "PublishBeforeConnect", send: [][]byte{pub(leak)}},                                                                 // [MQTT-3.1.0-1]
		{name: "SubscribeBeforeConnect", send: [][]byte{subscribePacket(1, "#", 0)}},                                              // [MQTT-3.1.0-1]
		{name: "PingBeforeConnect", send: [][]byte{pingreqPacket}},                                                                // [MQTT-3.1.0-1]
		{name: "SecondConnect", connect: true, send: [][]byte{connectPacket(connectOpts{clientID: "x"})}},                         // [MQTT-3.1.0-2]
		{name: "InvalidUTF8Topic", connect: true, send: [][]byte{pub(leak + "\xff\xfe")}},                                         // [MQTT-1.5.3-1]
		{name: "SurrogateInTopic", connect: true, send: [][]byte{pub(leak + "\xed\xa0\x80")}},                                     // U+D800 [MQTT-1.5.3-1]
		{name: "NulInTopic", connect: true, send: [][]byte{pub(leak + "\x00")}},                                                   // [MQTT-1.5.3-2]
		{name: "PlusWildcardInPublishTopic", connect: true, send: [][]byte{pub(leak[:len(leak)-1] + "+")}},                        // [MQTT-3.3.2-2]
		{name: "HashWildcardInPublishTopic", connect: true, send: [][]byte{pub(leak[:len(leak)-1] + "#")}},                        // [MQTT-3.3.2-2]
		{name: "EmptyPublishTopic", connect: true, send: [][]byte{pub("")}},                                                       // [MQTT-4.7.3-1]
		{name: "PublishQoS3", connect: true, send: [][]byte{packet(0x36, str(leak), u16(1), []byte("leak"))}},                     // [MQTT-3.3.1-4]
		{name: "PublishQoS1PacketIDZero", connect: true, send: [][]byte{publishPacket(leak, []byte("leak"), 1, 0, false, false)}}, // [MQTT-2.3.1-1]
		{name: "SubscribeFlagsZero", connect: true, send: [][]byte{packet(0x80, u16(1), str("a"), []byte{0})}},                    // [MQTT-3.8.1-1]
		{name: "SubscribeNoFilters", connect: true, send: [][]byte{packet(0x82, u16(1))}},                                         // [MQTT-3.8.3-3]
		{name: "SubscribeQoS3", connect: true, send: [][]byte{subscribePacket(1, "a", 3)}},                                        // [MQTT-3-8.3-4]
		{name: "SubscribeInvalidUTF8Filter", connect: true, send: [][]byte{packet(0x82, u16(1), str("a/\xff"), []byte{0})}},       // [MQTT-3.8.3-1]
		{name: "UnsubscribeInvalidUTF8Filter", connect: true, send: [][]byte{packet(0xA2, u16(1), str("a/\xc0\x80"))}},            // overlong NUL [MQTT-3.10.3-1]
		{name: "UnsubscribeFlagsZero", connect: true, send: [][]byte{packet(0xA0, u16(1), str("a"))}},                             // [MQTT-3.10.1-1]
		{name: "UnsubscribeNoFilters", connect: true, send: [][]byte{packet(0xA2, u16(1))}},                                       // [MQTT-3.10.3-2]
		{name: "PubrelFlagsZero", connect: true, send: [][]byte{{0x60, 0x02, 0x00, 0x01}}},                                        // [MQTT-3.6.1-1]
		{name: "PingreqTrailingByte", connect: true, send: [][]byte{{0xC0, 0x01, 0x00}}, // PINGREQ has no body (3.12) [MQTT-4.8.0-1]
			mosquittoDeviation: "mosquitto 2.0.11 ignores the remaining length of PINGREQ and answers PINGRESP"},
		{name: "PubackTrailingByte", connect: true, send: [][]byte{{0x40, 0x03, 0x00, 0x01, 0x00}}, // remaining length of PUBACK is 2 (3.4.1) [MQTT-4.8.0-1]
			mosquittoDeviation: "mosquitto 2.0.11 does not check the remaining length of PUBACK from a 3.1.1 client"},
		{name: "SubscribeTrailingByte", connect: true, send: [][]byte{packet(0x82, u16(1), str("a"), []byte{0, 0})}},                          // a partial filter [MQTT-4.8.0-1]
		{name: "ConnectTrailingBytes", send: [][]byte{packet(0x10, str("MQTT"), []byte{4, 0x02, 0, 60}, str("tb"), []byte{0, 1, 2})}},         // [MQTT-4.8.0-1]
		{name: "DisconnectFlagsSet", connect: true, send: [][]byte{{0xE1, 0x00}}},                                                             // [MQTT-2.2.2-2] [MQTT-3.14.1-1]
		{name: "ConnectWillQoS3", send: [][]byte{connectPacket(connectOpts{clientID: "wq3", will: &will{topic: "w", payload: "p", qos: 3}})}}, // [MQTT-3.1.2-14]
		{name: "ConnectWillQoSWithoutWillFlag", send: [][]byte{connectPacket(connectOpts{clientID: "wq-nowill", flagsOR: 0x08})}},             // [MQTT-3.1.2-13]
		{name: "ConnectWillRetainWithoutWillFlag", send: [][]byte{connectPacket(connectOpts{clientID: "wr-nowill", flagsOR: 0x20})}},          // [MQTT-3.1.2-15]
		{name: "ConnectPasswordWithoutUsername", send: [][]byte{connectPacket(connectOpts{clientID: "pw-nouser", flagsOR: 0x40})}},            // [MQTT-3.1.2-22]
		{name: "ConnectInvalidUTF8ClientID", send: [][]byte{connectPacket(connectOpts{clientID: "bad\xc3\x28"})}},                             // [MQTT-1.5.3-1]
	}
}

// TestRobustMalformedInput sends each malformed input on its own connection
// beside a subscriber: the broker closes only that connection (without a
// reply: 3.1.1 has no server DISCONNECT), no message leaks to the
// subscriber, and the subscriber keeps receiving.
func TestRobustMalformedInput(t *testing.T) {
	cfg := defaultConfig()
	cfg.maxPacketSize = 1 << 20
	b := startBroker(t, cfg)
	leak := uniqueTopic(t, "beside")
	watch, _ := connectRaw(t, b, connectOpts{clientID: "robust-watch", keepAlive: 60})
	watch.subscribe(1, leak, 0)
	feeder, _ := connectRaw(t, b, connectOpts{clientID: "robust-feeder", keepAlive: 60})

	for i, c := range robustCases(leak) {
		t.Run(c.name, func(t *testing.T) {
			r := dialRaw(t, b)
			if c.connect {
				r.send(connectPacket(connectOpts{clientID: "robust-" + c.name, keepAlive: 60}))
				if _, rc := r.connack(); rc != 0 {
					t.Fatalf("CONNACK code %d", rc)
				}
			}
			for _, part := range c.send {
				r.trySend(part)
			}
			switch {
			case c.clientCloses:
				r.c.Close()
			case c.mosquittoDeviation != "" && brokerIs("mosquitto"):
				t.Logf("known mosquitto deviation: %s", c.mosquittoDeviation)
				r.c.Close()
			case c.prompt:
				r.expectClosedSilently(midgeConnectTimeout / 2)
			default:
				r.expectClosedSilently(5 * time.Second)
			}
			probe := "alive-" + strconv.Itoa(i)
			if err := feeder.trySend(publishPacket(leak, []byte(probe), 0, 0, false, false)); err != nil {
				t.Fatalf("feeder connection lost: %v", err)
			}
			p, err := watch.read(5 * time.Second)
			if err != nil {
				t.Fatalf("subscriber beside lost: %v", err)
			}
			if p.typ() != typePUBLISH {
				t.Fatalf("subscriber beside got %v", p)
			}
			if got := p.publish(t); got.payload != probe {
				t.Fatalf("subscriber beside got %+v, want %q (a malformed PUBLISH leaked)", got, probe)
			}
			b.requireAlive(t)
		})
	}
}

// TestHugeRemainingLengthDoesNotReserveMemory runs with no max_packet_size:
// eight connections each send a PUBLISH header claiming the largest legal
// remaining length, 268,435,455 bytes (256 MB; MQTT 3.1.1 section 2.2.3), and
// only a kilobyte of it. The broker's RSS must not grow by anything like the
// 2 GB claimed: memory follows the bytes that arrive. With no limit
// configured the packet is legal, so the connections stay open.
func TestHugeRemainingLengthDoesNotReserveMemory(t *testing.T) {
	b := startBroker(t, defaultConfig())
	base := b.rssBytes(t)
	var conns []*rawConn
	for i := 0; i < 8; i++ {
		r, _ := connectRaw(t, b, connectOpts{clientID: "huge-" + strconv.Itoa(i), keepAlive: 60})
		// PUBLISH QoS 0, remaining length 268,435,455 (0xFF 0xFF 0xFF 0x7F),
		// then the topic and 1 KB of the promised body.
		r.send([]byte{0x30}, remainingLength(268_435_455), str("huge"), make([]byte, 1024))
		conns = append(conns, r)
	}
	time.Sleep(time.Second)
	grown := b.rssBytes(t) - base
	t.Logf("RSS %d MB -> grew %d KB with 2 GB claimed", base>>20, grown>>10)
	if grown > memorySlack(64) {
		t.Fatalf("RSS grew %d MB for 8 KB received: the broker reserves memory for claimed lengths", grown>>20)
	}
	for i, r := range conns {
		// With no max_packet_size the packet is legal: the broker waits for
		// the rest of it rather than closing the connection (the protocol
		// maximum bounds the remaining length, not the whole frame).
		if p, err := r.read(10 * time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("connection %d, in the middle of a legal 256 MB PUBLISH, got %v / %v; want it left open", i, p, err)
		}
	}
	b.requireAlive(t)
}
