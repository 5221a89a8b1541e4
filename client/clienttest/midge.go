package clienttest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	midgeBin  string
	buildErr  error
)

// buildMidge compiles cmd/midge once per test process.
func buildMidge() (string, error) {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "clienttest-midge")
		if err != nil {
			buildErr = err
			return
		}
		midgeBin = filepath.Join(dir, "midge")
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", midgeBin, "github.com/midge-mqtt/midge/cmd/midge")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("building midge: %v\n%s", err, out)
		}
	})
	return midgeBin, buildErr
}

func startMidge(t testing.TB, cfg Config) *Broker {
	t.Helper()
	if !Supports("midge", cfg) {
		t.Fatalf("clienttest: midge cannot serve this configuration yet: %+v", cfg)
	}
	bin, err := buildMidge()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	b := &Broker{Name: "midge", Host: "127.0.0.1", Dir: dir}
	for attempt := 0; ; attempt++ {
		b.Port = FreePort(t)
		args := []string{"serve", "--listen", b.Addr()}
		if cfg.Unix {
			b.UnixPath = filepath.Join(dir, "mqtt.sock")
			args = append(args, "--listen", "unix://"+b.UnixPath)
		}
		b.argv = append([]string{bin}, args...)
		if b.launch() {
			t.Cleanup(b.stop)
			return b
		}
		if attempt == 2 {
			log, _ := os.ReadFile(b.logPath())
			t.Fatalf("clienttest: midge serve did not start:\n%s", log)
		}
	}
}
