// Package codecbench checks midge's codec against independent MQTT packet
// libraries (Eclipse Paho's two packet packages and mochi-mqtt's packets) and
// compares their speed. It lives in the bench/peers module so that those
// libraries never become dependencies of midge itself. Everything is in the
// test files; report.sh turns the benchmarks into the codec section of
// BENCHMARKS.md.
package codecbench
