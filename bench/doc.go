// Package bench runs the load generator against a broker and keeps what it
// measured: it starts the broker when asked (a command, or midge in this
// process), watches the broker's CPU time and memory in /proc during the
// run, and writes versioned JSON records (scenario, parameters, broker,
// board profile, Go version, commit, date and every figure of the run).
// It turns records into a text table, a self-contained HTML report with
// charts, side-by-side comparisons, and the suite section of
// BENCHMARKS.md.
package bench
