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
// index is read through atomic pointers to immutable pieces (small hash
// buckets, per-filter subscriber lists) that writers replace, never modify.
// Writers ([Index.Subscribe], [Index.Unsubscribe]) lock one shard only: exact
// filters are sharded by the hash of the filter, wildcard filters by their
// first level, so subscription storms on different filters proceed in
// parallel, and no writer ever makes a reader wait.
//
// Exact filters (no wildcard), which most deployments use, are found with one
// hash lookup of the whole topic. Wildcard filters live in a trie whose levels
// keep '+' and '#' as dedicated children; named children are entries of a
// sharded hash table keyed by (parent node, level), so inserting a filter
// costs the same at a thousand filters as at a million.
//
// # Lock order
//
// A writer may hold a wildcard shard lock (Index.wildLocks) and then take one
// hash-table shard lock (table shard mu); never the other way round, and never
// two table shard locks at once.
package matcher
