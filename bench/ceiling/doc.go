// Package ceiling is a relay that forwards MQTT PUBLISH packets from
// publishers to subscribers while parsing as little as any MQTT broker
// could: it is the ceiling midge's benchmarks are set beside, not a
// broker.
//
// The relay runs on gnet event loops. It frames packets by their fixed
// header (type and remaining length) and reads only what it must answer:
// the protocol level of CONNECT (to shape CONNACK and SUBACK), the packet
// identifier of PUBLISH, PUBREL, PUBREC, SUBSCRIBE and UNSUBSCRIBE, the
// topic of PUBLISH and the filters of SUBSCRIBE and UNSUBSCRIBE. A PUBLISH
// goes out to every matching subscriber byte for byte as it came in, but
// for the two bytes of its packet identifier at QoS 1 and 2, which go out
// as a separate slice of the same writev.
//
// What it skips, on purpose:
//   - no validation: malformed packets are forwarded or ignored, never
//     refused (only an unreadable remaining length closes the connection);
//   - no sessions: a client identifier means nothing, clean start is
//     assumed, nothing is kept for a client that is gone;
//   - no retained messages, no wills, no keep-alive timeout, no
//     authentication, no shared subscriptions ($share/... is a plain
//     filter), no MQTT 5 topic aliases (a PUBLISH with an empty topic
//     reaches nobody);
//   - no QoS towards subscribers: the subscriber receives the publisher's
//     PUBLISH at the publisher's QoS (not downgraded to its subscription),
//     only the packet identifier renumbered per subscriber so that
//     publishers' identifiers never collide; the relay answers PUBLISH at
//     QoS 1 with PUBACK and at QoS 2 with PUBREC, PUBREL with PUBCOMP and
//     a subscriber's PUBREC with PUBREL, and keeps no state for any of
//     them: nothing is resent, an unacknowledged message is forgotten;
//   - no downgrade or upgrade between protocol versions: a PUBLISH reaches
//     only subscribers that connected with the same MQTT version;
//   - a connection subscribed by several matching filters receives the
//     message once per filter.
//
// Same-loop deliveries alias gnet's read buffer and are written before it
// is released; deliveries to connections on another loop are copied once
// per target loop per read and travel as one task. Each connection's
// output of a loop turn goes out in one writev.
package ceiling
