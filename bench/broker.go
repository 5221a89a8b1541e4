package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/midge-mqtt/midge/client"
	"github.com/midge-mqtt/midge/engine"
)

// Target is a broker under test: where it listens and, when known, its
// process.
type Target struct {
	Info BrokerInfo
	// PID is the broker's process (0: unknown, no usage figures).
	PID int
	// PprofAddr is the loopback host:port of the broker's net/http/pprof
	// handler ("": none), for runs that take profiles.
	PprofAddr string
	shared    bool // the broker is this process
	stop      func(context.Context) error
}

// Stop stops a broker the benchmark started; it does nothing for an
// external one.
func (t *Target) Stop(ctx context.Context) error {
	if t.stop == nil {
		return nil
	}
	return t.stop(ctx)
}

// External is a broker that runs on its own at address; pid (0 when
// unknown) lets the run read its CPU and memory.
func External(address string, pid int) *Target {
	return &Target{Info: BrokerInfo{Address: address, Mode: "external"}, PID: pid}
}

// RaiseOpenFileLimit lifts this process's open-file limit as far as it
// may go: the hard limit up to the kernel's fs.nr_open when the process is
// privileged, and the soft limit to the hard limit. Processes it starts
// inherit the raised limit, so a spawned broker can hold as many
// connections as the load generator opens. It returns the soft limit now
// in force.
func RaiseOpenFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if b, err := os.ReadFile("/proc/sys/fs/nr_open"); err == nil {
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && n > lim.Max {
			raised := syscall.Rlimit{Cur: n, Max: n}
			if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
				return n, nil
			}
		}
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	return lim.Cur, nil
}

// Spawn starts a broker with command (run by /bin/sh, so quoting and
// arguments work as typed) and waits until address accepts connections;
// an address that accepts connections before the broker starts is an
// error.
// The broker runs in its own process group with the open-file limit
// raised to the hard limit, and env (KEY=value) added to this process's
// environment; Stop sends it SIGTERM, then SIGKILL after five seconds.
func Spawn(ctx context.Context, command, address string, env ...string) (*Target, error) {
	if c, err := net.DialTimeout("tcp", address, 200*time.Millisecond); err == nil {
		c.Close() // measuring whatever already listens there would be a lie
		return nil, fmt.Errorf("bench: %s is already in use by another process; give the spawned broker a free address", address)
	}
	limit, _ := RaiseOpenFileLimit()
	script := "exec " + command
	if limit > 0 {
		script = fmt.Sprintf("ulimit -n %d 2>/dev/null; exec %s", limit, command)
	}
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	out := &limitedWriter{n: 4096}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{}) // closed when the process has ended
	var exitErr error
	go func() { exitErr = cmd.Wait(); close(exited) }()
	t := &Target{
		Info: BrokerInfo{Address: address, Mode: "spawn", Command: command, Name: nameFromCommand(command)},
		PID:  cmd.Process.Pid,
	}
	var stopOnce sync.Once
	var stopErr error
	t.stop = func(ctx context.Context) error {
		stopOnce.Do(func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-exited:
				return
			case <-time.After(5 * time.Second):
			case <-ctx.Done():
			}
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
			stopErr = errors.New("bench: broker did not stop on SIGTERM; killed")
		})
		return stopErr
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", address, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return t, nil
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("bench: broker %q exited before listening (%v): %s", command, exitErr, strings.TrimSpace(out.String()))
		case <-ctx.Done():
			_ = t.stop(context.Background())
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = t.stop(context.Background())
			return nil, fmt.Errorf("bench: broker %q not listening on %s after 10s: %s", command, address, strings.TrimSpace(out.String()))
		}
	}
}

// nameFromCommand guesses the broker's name from its program's file name.
func nameFromCommand(command string) string {
	f := strings.Fields(command)
	if len(f) == 0 {
		return "broker"
	}
	return filepath.Base(f[0])
}

// InProc starts midge in this process on a free loopback port.
func InProc(ctx context.Context, opts engine.Options) (*Target, error) {
	opts.Listeners = []engine.Listener{{Network: "tcp4", Address: "127.0.0.1:0"}}
	b, err := engine.New(opts)
	if err != nil {
		return nil, err
	}
	if err := b.Start(ctx); err != nil {
		return nil, err
	}
	addrs := b.Addrs()
	if len(addrs) == 0 {
		_ = b.Stop(ctx)
		return nil, errors.New("bench: in-process broker has no listener")
	}
	return &Target{
		Info:   BrokerInfo{Name: "midge", Address: addrs[0].String(), Mode: "inproc"},
		PID:    os.Getpid(),
		shared: true,
		stop:   b.Stop,
	}, nil
}

// identify asks the broker its name and version through the
// $SYS/broker/version topic that mosquitto and midge publish ("mosquitto
// version 2.0.11"); it keeps what it knew when the broker does not answer
// within a second.
func (t *Target) identify(ctx context.Context, username, password string) {
	ctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	got := make(chan string, 1)
	opts := client.Options{
		Address: t.Info.Address, CleanStart: true, DialTimeout: time.Second,
		OnMessage: func(m *client.Message) {
			select {
			case got <- string(m.Payload):
			default:
			}
		},
	}
	if username != "" {
		opts.Username, opts.Password = &username, []byte(password)
	}
	c, _, err := client.Dial(ctx, opts)
	if err != nil {
		return
	}
	defer c.Disconnect(nil)
	if _, err := c.Subscribe(ctx, []client.Subscription{{Filter: "$SYS/broker/version"}}, 0, nil); err != nil {
		return
	}
	select {
	case v := <-got:
		name, version, ok := strings.Cut(strings.TrimSpace(v), " version ")
		if ok && name != "" {
			t.Info.Name, t.Info.Version = name, version
		} else if v != "" {
			t.Info.Version = v
		}
	case <-ctx.Done():
	}
	if t.Info.Name == "" {
		t.Info.Name = "broker"
	}
}

// limitedWriter keeps the first n bytes written to it (a spawned
// broker's output, for error messages); safe for concurrent use.
type limitedWriter struct {
	mu  sync.Mutex
	buf []byte
	n   int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.n - len(l.buf); room > 0 {
		l.buf = append(l.buf, p[:min(len(p), room)]...)
	}
	return len(p), nil
}

func (l *limitedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}
