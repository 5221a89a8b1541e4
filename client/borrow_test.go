package client

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestBorrowedMessagesAreLentAndKeptOnesCopied: with BorrowMessages the
// handler sees each message as sent, a QoS 2 message held until PUBREL
// keeps its own bytes although later packets reuse the read buffer, and
// a topic alias outlives the packet that set it.
func TestBorrowedMessagesAreLentAndKeptOnesCopied(t *testing.T) {
	sc := &scriptConn{fakeConn: fakeConn{closed: make(chan struct{})}, in: make(chan []byte, 8), out: make(chan []byte, 16)}
	sc.in <- []byte{0x20, 0x03, 0, 0, 0} // 5.0 CONNACK
	type seen struct{ topic, payload string }
	got := make(chan seen, 8)
	c, _, err := NewClient(context.Background(), sc, Options{Version: V5, KeepAlive: 600, BorrowMessages: true,
		DeliverQoS2OnRelease: true, OnMessage: func(m *Message) { got <- seen{strings.Clone(m.Topic), string(m.Payload)} }})
	if err != nil {
		t.Fatal(err)
	}
	<-sc.out // CONNECT
	// QoS 2 "a/q2" = "first", id 7, held until PUBREL.
	sc.in <- []byte{0x34, 0x0e, 0, 4, 'a', '/', 'q', '2', 0, 7, 0, 'f', 'i', 'r', 's', 't'}
	<-sc.out // PUBREC
	// QoS 0 "b/xx" = "other", setting topic alias 3, then one using it.
	sc.in <- []byte{0x30, 0x0f, 0, 4, 'b', '/', 'x', 'x', 3, 0x23, 0, 3, 'o', 't', 'h', 'e', 'r'}
	sc.in <- []byte{0x30, 0x0a, 0, 0, 3, 0x23, 0, 3, 'z', 'z', 'z', 'z'}
	sc.in <- []byte{0x62, 0x02, 0, 7} // PUBREL
	if comp := <-sc.out; comp[0] != 0x70 {
		t.Fatalf("expected PUBCOMP, got %x", comp)
	}
	want := []seen{{"b/xx", "other"}, {"b/xx", "zzzz"}, {"a/q2", "first"}}
	for i, w := range want {
		select {
		case g := <-got:
			if g != w {
				t.Errorf("message %d: got %+v, want %+v", i, g, w)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("message %d not delivered", i)
		}
	}
	c.Close()
	<-c.Done()
}

func TestCloneSharesNoMemory(t *testing.T) {
	pf, exp := byte(1), uint32(60)
	topic := []byte("sensors/7/temp")
	m := &Message{Topic: string(topic), Payload: []byte("21.5"), QoS: 1, Properties: PublishProperties{
		PayloadFormat: &pf, MessageExpiry: &exp, ResponseTopic: "r", CorrelationData: []byte{1, 2},
		UserProperties: []UserProperty{{"k", "v"}}, SubscriptionIDs: []uint32{4}, Order: []byte{1, 2}}}
	c := m.Clone()
	m.Payload[0] = 'X'
	*m.Properties.PayloadFormat, *m.Properties.MessageExpiry = 0, 0
	m.Properties.CorrelationData[0] = 9
	m.Properties.UserProperties[0].Key = "changed"
	m.Properties.SubscriptionIDs[0] = 5
	m.Properties.Order[0] = 7
	p := c.Properties
	if c.Topic != "sensors/7/temp" || string(c.Payload) != "21.5" || c.QoS != 1 || *p.PayloadFormat != 1 ||
		*p.MessageExpiry != 60 || p.ResponseTopic != "r" || p.CorrelationData[0] != 1 ||
		p.UserProperties[0].Key != "k" || p.SubscriptionIDs[0] != 4 || p.Order[0] != 1 {
		t.Fatalf("clone changed with the original: %+v", c)
	}
}
