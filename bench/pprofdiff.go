package bench

import (
	"fmt"
	"io"
	"math"
	"sort"
)

// ShareChange is one function's flat share of CPU in two profiles.
type ShareChange struct {
	Function string
	// Before and After are the function's flat CPU as a fraction of each
	// profile's total (0.12 = 12%).
	Before, After float64
}

// Change is After - Before.
func (c ShareChange) Change() float64 { return c.After - c.Before }

// CPUShareChanges compares two CPU profiles (pprof format, gzipped or
// not) and returns the n functions whose flat share of CPU changed most,
// largest absolute change first (n <= 0: all of them).
func CPUShareChanges(before, after []byte, n int) ([]ShareChange, error) {
	a, err := parseFlatProfile(before, "cpu")
	if err != nil {
		return nil, err
	}
	b, err := parseFlatProfile(after, "cpu")
	if err != nil {
		return nil, err
	}
	share := func(p *flatProfile, fn string) float64 {
		if p.Total == 0 {
			return 0
		}
		return float64(p.Flat[fn]) / float64(p.Total)
	}
	seen := map[string]bool{}
	var out []ShareChange
	for _, p := range []*flatProfile{a, b} {
		for fn := range p.Flat {
			if !seen[fn] {
				seen[fn] = true
				out = append(out, ShareChange{Function: fn, Before: share(a, fn), After: share(b, fn)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		di, dj := math.Abs(out[i].Change()), math.Abs(out[j].Change())
		if di != dj {
			return di > dj
		}
		return out[i].Function < out[j].Function
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// topShareChanges is how many functions a comparison lists.
const topShareChanges = 15

// writeShareChanges prints, for each record after the first that has a
// CPU profile like the first, the functions whose share of CPU changed
// most.
func writeShareChanges(w io.Writer, recs []*Record) {
	base := recs[0]
	if base.Pprof == nil || len(base.Pprof.CPU) == 0 {
		return
	}
	for _, r := range recs[1:] {
		if r.Pprof == nil || len(r.Pprof.CPU) == 0 {
			continue
		}
		changes, err := CPUShareChanges(base.Pprof.CPU, r.Pprof.CPU, topShareChanges)
		if err != nil {
			fmt.Fprintf(w, "\nCPU profiles of %s and %s: %v\n", base.Label, r.Label, err)
			continue
		}
		fmt.Fprintf(w, "\nFunctions whose flat share of CPU changed most, %s -> %s:\n", base.Label, r.Label)
		t := &table{head: []string{"function", base.Label, r.Label, "change"}}
		for _, c := range changes {
			t.add(c.Function, fmtShare(c.Before), fmtShare(c.After), fmt.Sprintf("%+.1f pt", 100*c.Change()))
		}
		_ = t.writeText(w)
	}
}

func fmtShare(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }
