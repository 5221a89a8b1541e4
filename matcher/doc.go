// Package matcher is midge's subscription index: it maps topic filters to
// subscribers and answers, on every PUBLISH, who receives a message on a
// topic; and it indexes retained messages by topic so a new subscription
// finds the retained messages its filter matches.
//
// The package knows topics and filters only, nothing of packets or
// connections. It imports the standard library only.
//
// # Reading without locks
//
// [Index.Match] and [Reader.Match] take no lock and allocate nothing: the
// index is read through atomic pointers to immutable pieces (hash buckets,
// per-filter subscriber sets) that writers replace, never modify, and
// through table slots and control words that writers set one atomic store
// at a time, the slot before the word that makes it visible.
// Writers ([Index.Subscribe], [Index.Unsubscribe]) lock one shard only: exact
// filters are sharded by the hash of the filter, wildcard filters by their
// first level, so subscription storms on different filters proceed in
// parallel, and no writer ever makes a reader wait.
//
// Exact filters (no wildcard), which most deployments use, are found with one
// hash lookup of the whole topic, in an open-addressed table whose slots
// point at one cache line holding the filter and, usually, its only
// subscription: a hit reads a control word, a slot and that line. A match
// prefetches the line and walks the wildcard trie while it arrives.
// Wildcard filters live in a trie whose levels keep '+' and '#' as dedicated
// children; named children are entries of a sharded hash table keyed by
// (parent node, level), and a node with few of them (the first levels,
// typically) also lists them inline, so a match compares names there
// without hashing. Tables grow shard by shard (the exact table rebuilds
// one shard's arrays, the trie's table copies one small bucket per insert),
// so an insert costs O(1) amortised whatever the number of filters (the same
// allocations per insert at a thousand filters as at a million).
//
// # Merged deliveries
//
// A subscriber matched by several of its filters receives one [Delivery]
// with the highest QoS and every subscription identifier; see [Delivery] for
// NoLocal and RetainAsPublished. Shared subscription groups each add one
// Delivery for the member a [SharePicker] chooses (round robin by default,
// [LeastLoaded] to skip offline and busy members).
//
// # Lock order
//
// A writer may hold a wildcard shard lock (Index.wildLocks) and then take one
// hash-table shard lock (table shard mu); never the other way round, and never
// two table shard locks at once.
package matcher
