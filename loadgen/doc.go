// Package loadgen is a fleet of MQTT clients in one process that drives any
// broker and measures it end to end.
//
// Publishers are open-loop: each one sends on a timetable fixed before the
// run starts, and every message carries its intended send time (monotonic
// nanoseconds since the run began), the publisher's number and a sequence
// number (see Stamp). Subscribers compute latency from the intended time, so
// a broker that stalls is charged for every message that should have been
// sent during the stall, not only for the one that was in flight
// (coordinated omission). The stamp also says how much later than intended
// the generator was ready to send (its own timer waking late), so a second
// figure, transit, leaves out the generator's lateness but still charges a
// broker that held the generator back. They also detect loss, duplicates
// and reordering per publisher (see Tracker).
//
// Latencies go into HDR histograms with three significant digits at
// nanosecond resolution. A run returns a Result: latency percentiles,
// offered versus achieved throughput, connect latency and rate, errors by
// kind, and a per-second series of messages sent and received.
//
// loadgen sees the broker only through a Dialer (ClientDialer wraps the
// project's client package), so tests drive it against fake brokers.
package loadgen
