package matcher

import (
	"strconv"
	"strings"
	"testing"
)

// TestNameHashBytesMatchesString: matches hash []byte topics, writers hash
// string filters; every length path must agree.
func TestNameHashBytesMatchesString(t *testing.T) {
	seed := newHashSeed()
	long := strings.Repeat("abcdefghij/", 8)
	for n := range len(long) + 1 {
		s := long[:n]
		if nameHash(seed, []byte(s)) != nameHash(seed, s) {
			t.Fatalf("length %d: []byte and string hashes differ", n)
		}
	}
}

// TestNameHashSpreads: per-sensor filters, which differ in a few digits,
// spread evenly over the exact table's shards and over the bits the tables
// take their tags and fingerprints from, without a 64-bit collision.
func TestNameHashSpreads(t *testing.T) {
	const n = 1 << 16
	seed := newHashSeed()
	seen := make(map[uint64]string, n)
	var shards [exactShards]int
	var tags [16]int
	for i := range n {
		f := "sensors/" + strconv.Itoa(i) + "/cmd"
		h := nameHash(seed, f)
		if prev, ok := seen[h]; ok {
			t.Fatalf("%q and %q have the same hash", prev, f)
		}
		seen[h] = f
		shards[h>>(64-exactShardBits)]++
		tags[(h>>44)&15]++
	}
	for i, c := range shards {
		if want := n / exactShards; c < want*3/4 || c > want*5/4 {
			t.Errorf("shard %d holds %d filters, want about %d", i, c, want)
		}
	}
	for i, c := range tags {
		if want := n / 16; c < want*3/4 || c > want*5/4 {
			t.Errorf("tag bit %d set by %d filters, want about %d", i, c, want)
		}
	}
}

// TestLevelEnd compares levelEnd with bytes.IndexByte over topics whose
// levels straddle the eight-byte steps.
func TestLevelEnd(t *testing.T) {
	for _, topic := range []string{"", "/", "a", "a/b", "abcdefgh/x", "abcdefghijklmnop", "abcdefg/", "//a//", "0123456789abcdef/0123456789/"} {
		for start := 0; start <= len(topic); start++ {
			want := len(topic)
			if i := strings.IndexByte(topic[start:], '/'); i >= 0 {
				want = start + i
			}
			if got := levelEnd([]byte(topic), start); got != want {
				t.Fatalf("levelEnd(%q, %d) = %d, want %d", topic, start, got, want)
			}
		}
	}
}
