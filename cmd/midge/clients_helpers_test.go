package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// midgeBin is the binary built once, on first use, for the tests that
// run the tools as a user would (fuzz workers and unit tests never build it).
var (
	midgeBin  string
	buildOnce sync.Once
	buildErr  error
	buildDir  string
)

func buildMidgeBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "midge-clients-test")
		if buildErr != nil {
			return
		}
		midgeBin = filepath.Join(buildDir, "midge")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		out, err := exec.Command(goTool, "build", "-o", midgeBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("building midge for the tests: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return midgeBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// toolResult is what one run of a command printed and returned.
type toolResult struct {
	stdout, stderr string
	code           int
}

// needTool fails the test when a mosquitto program is missing.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed by this test and is not installed (apt-get install mosquitto-clients)", name)
	}
	return p
}

// command returns the argv for tool ("pub", "sub", "rr", "passwd") of
// program "midge" or "mosquitto".
func toolArgv(t *testing.T, program, tool string, args ...string) []string {
	if program == "midge" {
		return append([]string{buildMidgeBinary(t), tool}, args...)
	}
	return append([]string{needTool(t, "mosquitto_"+tool)}, args...)
}

// runTool runs a command to completion (at most 15s) with stdin.
func runTool(t *testing.T, env []string, stdin string, argv ...string) toolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%q: %v", argv, err)
	}
	return toolResult{out.String(), errb.String(), code}
}

// liveTool is a long-running command whose output the test watches.
type liveTool struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	errb bytes.Buffer
	done chan struct{}
	code int
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func startTool(t *testing.T, env []string, argv ...string) *liveTool {
	t.Helper()
	lt := &liveTool{done: make(chan struct{})}
	lt.cmd = exec.Command(argv[0], argv[1:]...)
	lt.cmd.Env = append(os.Environ(), env...)
	lt.cmd.Stdout = lockedWriter{&lt.mu, &lt.out}
	lt.cmd.Stderr = lockedWriter{&lt.mu, &lt.errb}
	if err := lt.cmd.Start(); err != nil {
		t.Fatalf("%q: %v", argv, err)
	}
	go func() {
		err := lt.cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok {
			lt.code = ee.ExitCode()
		}
		close(lt.done)
	}()
	t.Cleanup(func() {
		lt.cmd.Process.Kill()
		<-lt.done
	})
	return lt
}

func (lt *liveTool) stdout() string {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	return lt.out.String()
}

// waitFor waits until stdout contains s.
func (lt *liveTool) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(lt.stdout(), s) {
			return
		}
		select {
		case <-lt.done:
			t.Fatalf("%q exited (%d) before printing %q:\n%s\n%s", lt.cmd.Args, lt.code, s, lt.stdout(), lt.errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("%q did not print %q within 10s; got:\n%s", lt.cmd.Args, s, lt.stdout())
}

// wait waits for the command to exit and returns its code.
func (lt *liveTool) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-lt.done:
		return lt.code
	case <-time.After(15 * time.Second):
		t.Fatalf("%q still running after 15s; output so far:\n%s", lt.cmd.Args, lt.stdout())
	}
	return -1
}

// isolatedEnv keeps the user's options files out of a test.
func isolatedEnv(t *testing.T) []string {
	return []string{"XDG_CONFIG_HOME=" + t.TempDir()}
}
