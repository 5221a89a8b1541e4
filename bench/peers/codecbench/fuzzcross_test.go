package codecbench

import (
	"bytes"
	"reflect"
	"testing"

	paho5 "github.com/eclipse/paho.golang/packets"
	paho3 "github.com/eclipse/paho.mqtt.golang/packets"
	"github.com/midge-mqtt/midge/codec"
	"github.com/midge-mqtt/midge/codec/codectest"
)

// FuzzCrossPaho is a differential test: whatever midge's codec accepts, the
// Paho library of that version must decode to the same value (Paho checks
// less, so the other direction is not required). Known Paho limits are
// skipped: a 5.0 DISCONNECT or AUTH (paho.golang needs a reason code and a
// property length, and sends AUTH with flags 0001), more than one
// subscription identifier, properties present with an empty value (Paho
// cannot tell them from absent ones), and a 3.1.1 UNSUBSCRIBE holding an
// empty filter (paho.mqtt stops there).
func FuzzCrossPaho(f *testing.F) {
	for _, g := range codectest.Golden {
		if g.Version != codec.V31 {
			f.Add(g.Version == codec.V5, g.Raw)
		}
	}
	f.Fuzz(func(t *testing.T, v5 bool, raw []byte) {
		v := codec.V311
		if v5 {
			v = codec.V5
		}
		fr, err := codec.ReadFrame(raw, 0)
		if err != nil || fr.Total != len(raw) {
			return
		}
		p, err := codec.DecodeFrame(v, fr)
		if err != nil {
			return
		}
		if c, ok := p.(*codec.Connect); ok && c.Version != v {
			return
		}
		if v5 {
			if pahoCannot5(p) {
				return
			}
			cp, err := paho5.ReadPacket(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("midge decodes %x as %v, paho.golang fails: %v", raw, p.Type(), err)
			}
			if a, b := codec.ClonePacket(fromPaho5(cp)), codec.ClonePacket(p); !reflect.DeepEqual(a, b) {
				t.Fatalf("%x:\npaho  %+v\nmidge %+v", raw, a, b)
			}
			return
		}
		if u, ok := p.(*codec.Unsubscribe); ok && hasEmptyFilter(u) {
			return // paho.mqtt stops reading UNSUBSCRIBE filters at an empty one
		}
		cp, err := paho3.ReadPacket(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("midge decodes %x as %v, paho.mqtt fails: %v", raw, p.Type(), err)
		}
		if a, b := codec.ClonePacket(fromPaho3(cp)), codec.ClonePacket(p); !reflect.DeepEqual(a, b) {
			t.Fatalf("%x:\npaho  %+v\nmidge %+v", raw, a, b)
		}
	})
}

func hasEmptyFilter(u *codec.Unsubscribe) bool {
	it := u.Iter()
	for f, ok := it.Next(); ok; f, ok = it.Next() {
		if len(f) == 0 {
			return true
		}
	}
	return false
}

// pahoCannot5 reports packets paho.golang cannot represent or read.
func pahoCannot5(p codec.Packet) bool {
	var props []*codec.Properties
	switch p := p.(type) {
	case *codec.Disconnect:
		return true // paho needs a reason code and a property length
	case *codec.Auth:
		return true
	case *codec.Connect:
		props = append(props, &p.Props, &p.Will.Props)
	case *codec.Connack:
		props = append(props, &p.Props)
	case *codec.Publish:
		props = append(props, &p.Props)
	case *codec.Ack:
		props = append(props, &p.Props)
	case *codec.Subscribe:
		props = append(props, &p.Props)
	case *codec.Suback:
		props = append(props, &p.Props)
	case *codec.Unsubscribe:
		props = append(props, &p.Props)
	case *codec.Unsuback:
		props = append(props, &p.Props)
	}
	for _, pr := range props {
		if pr.SubscriptionIDCount() > 1 {
			return true
		}
		for _, id := range []codec.PropertyID{codec.PropContentType, codec.PropResponseTopic, codec.PropCorrelationData,
			codec.PropAssignedClientID, codec.PropAuthMethod, codec.PropAuthData, codec.PropResponseInfo,
			codec.PropServerReference, codec.PropReasonString} {
			if pr.Has(id) && emptyValue(pr, id) {
				return true
			}
		}
	}
	return false
}

func emptyValue(p *codec.Properties, id codec.PropertyID) bool {
	switch id {
	case codec.PropContentType:
		return len(p.ContentType) == 0
	case codec.PropResponseTopic:
		return len(p.ResponseTopic) == 0
	case codec.PropCorrelationData:
		return len(p.CorrelationData) == 0
	case codec.PropAssignedClientID:
		return len(p.AssignedClientID) == 0
	case codec.PropAuthMethod:
		return len(p.AuthMethod) == 0
	case codec.PropAuthData:
		return len(p.AuthData) == 0
	case codec.PropResponseInfo:
		return len(p.ResponseInfo) == 0
	case codec.PropServerReference:
		return len(p.ServerReference) == 0
	case codec.PropReasonString:
		return len(p.ReasonString) == 0
	}
	return false
}
