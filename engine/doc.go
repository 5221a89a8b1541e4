// Package engine is the midge broker: gnet event loops, sessions, the QoS
// flows of MQTT 3.1, 3.1.1 and 5.0, retained messages, wills, keep-alive,
// limits and $SYS.
//
// # Embedding
//
//	b, err := engine.New(engine.Options{Listeners: []engine.Listener{{Network: "tcp", Address: ":1883"}}})
//	err = b.Start(ctx)          // returns once listening; b.Addrs() has the bound addresses
//	b.Publish("a/b", payload, 1, false)
//	unsub, err := b.Subscribe("a/#", 1, func(topic string, payload []byte, qos byte, retained bool) { ... })
//	err = b.Stop(ctx)
//
// # Threads
//
// Each gnet event loop owns a loop: its timing wheel (keep-alive, CONNECT
// timeouts), its matcher cache, and the connections gnet gave it. A
// connection (conn) is touched only by its loop. A PUBLISH read on one loop
// is written straight into the pending output of subscribers on the same
// loop, as views into gnet's read buffer (no copy), and flushed with one
// writev per connection before the read buffer is discarded, subscribers
// before the publisher's acknowledgement. Subscribers on
// other loops get the message copied once into a pooled, reference-counted
// buffer, in one task per target loop per read. Goroutines that are not
// loops (in-process Publish, $SYS, will delays) publish through the
// broker's local loop, guarded by a mutex.
//
// # Locks
//
// A session belongs to a client identifier and outlives connections; its
// mutex (session.mu) guards its subscriptions list, inflight window, queue
// and inbound QoS 2 identifiers. It is taken by the loop holding the
// session's connection (uncontended) and by publishers on other loops only
// when the session is offline. Lock order, outermost first:
//
//	Broker.sessMu  ->  session.mu
//	Broker.retainMu  ->  the retained index's own lock
//	Broker.localMu  ->  session.mu
//
// No lock is held while calling into another loop; the matcher takes no
// lock on Match.
package engine
