package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/midge-mqtt/midge/engine"
)

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startMosquitto spawns Debian's mosquitto on a free loopback port with a
// generated configuration, stopped when the test ends.
func startMosquitto(t *testing.T) *Target {
	t.Helper()
	return startMosquittoEnv(t)
}

// startMosquittoEnv is startMosquitto with env added to its environment.
func startMosquittoEnv(t *testing.T, env ...string) *Target {
	t.Helper()
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		t.Fatal("mosquitto is not installed: apt-get install mosquitto (scripts/deps.sh)")
	}
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	conf := filepath.Join(t.TempDir(), "mosquitto.conf")
	body := fmt.Sprintf("listener %s 127.0.0.1\nallow_anonymous true\nmax_queued_messages 100000\n", port)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	tg, err := Spawn(ctx, bin+" -c "+conf, addr, env...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tg.Stop(context.Background()) })
	return tg
}

// startMidge starts midge in this process, stopped when the test ends.
func startMidge(t *testing.T) *Target {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tg, err := InProc(ctx, engine.Options{EventLoops: 2, MaxQueuedMessages: 100000, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = tg.Stop(ctx)
	})
	return tg
}

// readEnviron reads /proc/PID/environ.
func readEnviron(pid int) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	return string(b), err
}

// suiteSection is the suite's Markdown section for recs.
func suiteSection(recs []*Record, repeat int) string {
	var b bytes.Buffer
	WriteSuiteMarkdown(&b, recs, "midge bench suite", repeat)
	return b.String()
}

// wantAll fails t for each of wants that the section s lacks.
func wantAll(t *testing.T, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("section lacks %q:\n%s", w, s)
		}
	}
}
