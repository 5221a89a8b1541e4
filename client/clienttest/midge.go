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
		logf, err := os.Create(filepath.Join(dir, "midge.log"))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			t.Fatalf("clienttest: starting midge: %v", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); logf.Close(); close(exited) }()
		if waitListening("tcp", b.Addr(), exited) && (b.UnixPath == "" || waitListening("unix", b.UnixPath, exited)) {
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-exited
			})
			return b
		}
		cmd.Process.Kill()
		<-exited
		if attempt == 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "midge.log"))
			t.Fatalf("clienttest: midge serve did not start:\n%s", log)
		}
	}
}
