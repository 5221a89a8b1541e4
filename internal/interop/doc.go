// Package interop is the black-box test suite of the broker: it starts a real
// broker process, reads the same generated mosquitto.conf into it, and drives
// it over loopback with two independent clients (the Eclipse Paho Go client
// and Debian's mosquitto_pub/mosquitto_sub) and with raw sockets that send
// exact bytes, built by hand so the suite does not depend on midge's codec.
//
// The package holds only tests. By default TestMain builds ./cmd/midge once
// (with -race when MIDGE_TEST_RACE=1) and runs `midge serve -c FILE`. The same
// suite validates itself against the reference broker:
//
//	go test ./internal/interop/                              # midge
//	MIDGE_TEST_RACE=1 go test ./internal/interop/            # midge built with -race
//	MIDGE_TEST_BROKER=mosquitto go test ./internal/interop/  # Debian's mosquitto 2.0.11
//
// The tests need mosquitto, mosquitto_pub and mosquitto_sub on PATH (`make
// deps` installs them); a missing tool fails the test that needs it. Where
// mosquitto knowingly departs from the MQTT specification the test is written
// to the specification and names the deviation beside a brokerIs("mosquitto")
// branch. docs/CONFORMANCE.md maps every normative statement to its test.
package interop
