package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/client"
	"github.com/midge-mqtt/midge/client/clienttest"
)

// TestRRMatchesMosquittoRR answers requests with a small responder and
// compares what midge rr and mosquitto_rr print.
func TestRRMatchesMosquittoRR(t *testing.T) {
	b := clienttest.Start(t, "mosquitto", clienttest.Config{})
	env := isolatedEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var responder *client.Client
	responder, _, err := client.Dial(ctx, client.Options{Address: b.Addr(), Version: client.V5, CleanStart: true,
		OnMessage: func(m *client.Message) {
			// [MQTT-4.10] the response goes to the request's response topic,
			// with its correlation data.
			reply := &client.Message{Topic: m.Properties.ResponseTopic, Payload: []byte("re: " + string(m.Payload)),
				Properties: client.PublishProperties{CorrelationData: m.Properties.CorrelationData}}
			go responder.Publish(ctx, reply)
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer responder.Close()
	if _, err := responder.Subscribe(ctx, []client.Subscription{{Filter: "rr/req"}}, 0, nil); err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(b.Port)
	for _, args := range [][]string{
		{"-p", port, "-t", "rr/req", "-e", "rr/resp", "-m", "ping"},
		{"-p", port, "-t", "rr/req", "-e", "rr/resp", "-m", "ping", "-F", "%t|%p|%D|%q", "-D", "publish", "correlation-data", "c-42"},
		{"-p", port, "-t", "rr/req", "-e", "rr/resp", "-n", "-v", "-q", "1"},
		{"-p", port, "-t", "rr/req", "-e", "rr/resp", "-m", "x", "-N", "-W", "5"},
	} {
		m := runTool(t, env, "", toolArgv(t, "midge", "rr", args...)...)
		q := runTool(t, env, "", toolArgv(t, "mosquitto", "rr", args...)...)
		if m.stdout != q.stdout || m.code != q.code {
			t.Errorf("rr %q:\nmidge:     %d %q %q\nmosquitto: %d %q %q", args, m.code, m.stdout, m.stderr, q.code, q.stdout, q.stderr)
		}
		if !strings.Contains(m.stdout, "re: ") {
			t.Errorf("rr %q printed no response: %q", args, m.stdout)
		}
	}
}

// TestSubOptionsMatchMosquittoSub compares the message-selection options
// on retained messages: -R, --retained-only, -T, -E, --remove-retained.
func TestSubOptionsMatchMosquittoSub(t *testing.T) {
	b := clienttest.Start(t, "mosquitto", clienttest.Config{})
	env := isolatedEnv(t)
	port := fmt.Sprint(b.Port)
	retain := func() {
		for _, tp := range []string{"r/a", "r/b", "r/c"} {
			r := runTool(t, env, "", toolArgv(t, "mosquitto", "pub", "-p", port, "-t", tp, "-m", "v-"+tp, "-r", "-q", "1")...)
			if r.code != 0 {
				t.Fatalf("mosquitto_pub: %s", r.stderr)
			}
		}
	}
	retain()
	for _, args := range [][]string{
		{"-t", "r/#", "-v", "--retained-only", "-C", "3"},
		{"-t", "r/#", "-v", "-R", "-E"},
		{"-t", "r/#", "-v", "-T", "r/b", "-C", "2"},
		{"-t", "r/#", "-t", "s/#", "-v", "-E"},
		{"-t", "r/+", "-F", "%t=%p %r", "-U", "r/+", "-C", "3"},
		{"-t", "r/#", "-v", "-T", "r/a", "-T", "r/c", "-C", "1", "-V", "5", "--retain-as-published"},
		{"-t", "none/#", "-t", "x", "-q", "1", "-E", "-d"},
	} {
		full := append([]string{"-p", port, "-W", "10"}, args...)
		m := runTool(t, env, "", toolArgv(t, "midge", "sub", full...)...)
		q := runTool(t, env, "", toolArgv(t, "mosquitto", "sub", full...)...)
		if m.stdout != q.stdout || m.code != q.code {
			t.Errorf("sub %q:\nmidge:     %d %q\nmosquitto: %d %q", args, m.code, m.stdout, q.code, q.stdout)
		}
	}
	// The -d packet log of a publish matches too.
	for _, args := range [][]string{{"-q", "1"}, {"-q", "2"}, {"-q", "2", "-V", "31", "-i", "logger"}} {
		full := append([]string{"-p", port, "-t", "d/t", "-m", "x", "-d"}, args...)
		m := runTool(t, env, "", toolArgv(t, "midge", "pub", full...)...)
		q := runTool(t, env, "", toolArgv(t, "mosquitto", "pub", full...)...)
		if m.stdout != q.stdout || m.code != q.code {
			t.Errorf("pub %q:\nmidge:     %d %q\nmosquitto: %d %q", args, m.code, m.stdout, q.code, q.stdout)
		}
	}
	// --remove-retained clears what it receives (here all but r/b).
	for _, program := range []string{"midge", "mosquitto"} {
		r := runTool(t, env, "", toolArgv(t, program, "sub", "-p", port, "-W", "10", "-t", "r/#", "-T", "r/b", "--remove-retained", "-C", "2", "-v")...)
		if r.stdout != "r/a v-r/a\nr/c v-r/c\n" {
			t.Errorf("%s --remove-retained printed %q", program, r.stdout)
		}
		left := runTool(t, env, "", toolArgv(t, "mosquitto", "sub", "-p", port, "-t", "r/#", "-v", "-W", "1")...)
		if left.stdout != "r/b v-r/b\n" {
			t.Errorf("after %s --remove-retained the retained messages are %q", program, left.stdout)
		}
		retain()
	}
}

// TestTLSFlagsMatchMosquitto connects both programs through a TLS
// listener with --cafile.
func TestTLSFlagsMatchMosquitto(t *testing.T) {
	dir := t.TempDir()
	files := clienttest.WriteTestCerts(t, dir, "localhost", "127.0.0.1")
	b := clienttest.Start(t, "mosquitto", clienttest.Config{TLS: &files})
	env := isolatedEnv(t)
	tlsPort := fmt.Sprint(b.TLSPort)
	for _, program := range []string{"midge", "mosquitto"} {
		r := runTool(t, env, "", toolArgv(t, program, "pub", "-h", "127.0.0.1", "-p", tlsPort, "--cafile", files.CAFile,
			"-t", "tls/"+program, "-m", "over tls", "-r", "-q", "1")...)
		if r.code != 0 {
			t.Errorf("%s pub over TLS: %d %s", program, r.code, r.stderr)
		}
	}
	for _, program := range []string{"midge", "mosquitto"} {
		r := runTool(t, env, "", toolArgv(t, program, "sub", "-h", "127.0.0.1", "-p", tlsPort, "--cafile", files.CAFile,
			"-t", "tls/#", "-v", "-C", "2", "-W", "10")...)
		if r.stdout != "tls/midge over tls\ntls/mosquitto over tls\n" {
			t.Errorf("%s sub over TLS: %d %q %s", program, r.code, r.stdout, r.stderr)
		}
	}
}
