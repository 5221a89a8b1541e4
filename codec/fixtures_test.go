package codec

// Packets shared by the allocation tests and the benchmarks.

var (
	benchPayload = []byte(`{"temperature":21.5,"humidity":40,"ts":1732800000}`)

	publishV311QoS0 = (&Publish{Topic: []byte("building/3/floor/2/room/17/temp"), Payload: benchPayload}).Append(nil, V311)
	publishV311QoS1 = (&Publish{QoS: 1, PacketID: 4242, Topic: []byte("building/3/floor/2/room/17/temp"), Payload: benchPayload}).Append(nil, V311)
	publishV5QoS0   = (&Publish{Topic: []byte("building/3/floor/2/room/17/temp"), Payload: benchPayload}).Append(nil, V5)
	publishV5QoS1   = (&Publish{QoS: 1, PacketID: 4242, Topic: []byte("building/3/floor/2/room/17/temp"), Payload: benchPayload,
		Props: Properties{PayloadFormat: 1, MessageExpiry: 3600, ContentType: []byte("application/json"),
			ResponseTopic: []byte("replies/17"), CorrelationData: []byte("req-0001"),
			User: []UserProperty{{[]byte("site"), []byte("north")}, {[]byte("unit"), []byte("celsius")}}}}).Append(nil, V5)

	connectV5 = (&Connect{Version: V5, CleanStart: true, KeepAlive: 60, ClientID: []byte("sensor-000123"),
		Props:    Properties{SessionExpiry: 3600, ReceiveMaximum: 32, TopicAliasMaximum: 16, User: []UserProperty{{[]byte("fw"), []byte("1.2.3")}}},
		WillFlag: true, Will: Will{QoS: 1, Retain: true, Topic: []byte("sensors/000123/status"), Payload: []byte("offline"),
			Props: Properties{WillDelay: 10, MessageExpiry: 600, ContentType: []byte("text/plain")}},
		UsernameFlag: true, Username: []byte("sensor"), PasswordFlag: true, Password: []byte("s3cr3t")}).Append(nil, V5)
	connectV311 = (&Connect{Version: V311, CleanStart: true, KeepAlive: 60, ClientID: []byte("sensor-000123"),
		WillFlag: true, Will: Will{QoS: 1, Retain: true, Topic: []byte("sensors/000123/status"), Payload: []byte("offline")},
		UsernameFlag: true, Username: []byte("sensor"), PasswordFlag: true, Password: []byte("s3cr3t")}).Append(nil, V311)

	subscribeV5 = (&Subscribe{PacketID: 7, Props: Properties{SubscriptionIDs: []uint32{12}},
		Subscriptions: []Subscription{{Filter: []byte("building/+/floor/+/room/+/temp"), QoS: 1, NoLocal: true},
			{Filter: []byte("alerts/#"), QoS: 2, RetainHandling: 1}, {Filter: []byte("$share/g/jobs/+"), QoS: 1}}}).Append(nil, V5)
	subscribeV311 = (&Subscribe{PacketID: 7,
		Subscriptions: []Subscription{{Filter: []byte("building/+/floor/+/room/+/temp"), QoS: 1},
			{Filter: []byte("alerts/#"), QoS: 2}, {Filter: []byte("jobs/+"), QoS: 1}}}).Append(nil, V311)
)

func mustFrame(raw []byte) Frame {
	f, err := ReadFrame(raw, 0)
	if err != nil {
		panic(err)
	}
	return f
}
