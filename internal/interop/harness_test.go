package interop

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// brokerKind is "midge" or "mosquitto", from MIDGE_TEST_BROKER.
var brokerKind string

// midgeBinary is the path of the midge binary TestMain built.
var midgeBinary string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	brokerKind = os.Getenv("MIDGE_TEST_BROKER")
	if brokerKind == "" {
		brokerKind = "midge"
	}
	switch brokerKind {
	case "mosquitto":
		if _, err := exec.LookPath("mosquitto"); err != nil {
			fmt.Fprintln(os.Stderr, "interop: MIDGE_TEST_BROKER=mosquitto but the mosquitto binary is not on PATH (make deps installs it):", err)
			return 1
		}
	case "midge":
		dir, err := os.MkdirTemp("", "midge-interop-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "interop:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		midgeBinary = filepath.Join(dir, "midge")
		args := []string{"build", "-o", midgeBinary}
		if os.Getenv("MIDGE_TEST_RACE") == "1" {
			args = append(args, "-race")
		}
		args = append(args, "github.com/midge-mqtt/midge/cmd/midge")
		out, err := exec.Command(goTool(), args...).CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "interop: building midge failed: %v\n%s", err, out)
			return 1
		}
	default:
		fmt.Fprintf(os.Stderr, "interop: MIDGE_TEST_BROKER=%q: want midge or mosquitto\n", brokerKind)
		return 1
	}
	return m.Run()
}

// goTool is the go command that runs this test, so the build uses the same
// toolchain even when go is not on PATH.
func goTool() string {
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return "go"
}

// brokerIs reports whether the suite runs against the named broker. Use it
// only to mark a documented deviation of that broker from the specification.
func brokerIs(kind string) bool { return brokerKind == kind }

// requireTool fails the test when a command-line tool it needs is missing.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not on PATH (Debian package mosquitto-clients; `make deps` installs it): %v", name, err)
	}
	return p
}

// brokerConfig is what the generated mosquitto.conf sets. Zero fields are
// left out of the file so the broker's default applies.
type brokerConfig struct {
	maxPacketSize        int
	maxQueuedMessages    int
	maxInflightMessages  int
	sysInterval          int
	persistentExpiration string
	maxKeepalive         int
	tcpListenerOptions   []string // lines right after the TCP listener (per-listener options)
	header               []string // lines before the first listener
	// unixListenerOptions are the lines right after the Unix listener,
	// in place of "allow_anonymous true" when set.
	unixListenerOptions []string
}

// defaultConfig is the configuration most tests share.
func defaultConfig() brokerConfig {
	return brokerConfig{
		maxQueuedMessages:    1000,
		maxInflightMessages:  20,
		sysInterval:          1,
		persistentExpiration: "1h",
		maxKeepalive:         65535,
	}
}

// render writes the mosquitto.conf text for a TCP listener on 127.0.0.1:port
// and a Unix socket listener at sock.
func (c brokerConfig) render(port int, sock string) string {
	var b strings.Builder
	for _, line := range c.header {
		b.WriteString(line + "\n")
	}
	fmt.Fprintf(&b, "listener %d 127.0.0.1\n", port)
	for _, line := range c.tcpListenerOptions {
		b.WriteString(line + "\n")
	}
	fmt.Fprintf(&b, "listener 0 %s\n", sock)
	if c.unixListenerOptions == nil {
		b.WriteString("allow_anonymous true\n")
	}
	for _, line := range c.unixListenerOptions {
		b.WriteString(line + "\n")
	}
	if c.maxPacketSize > 0 {
		fmt.Fprintf(&b, "max_packet_size %d\n", c.maxPacketSize)
	}
	if c.maxQueuedMessages > 0 {
		fmt.Fprintf(&b, "max_queued_messages %d\n", c.maxQueuedMessages)
	}
	if c.maxInflightMessages > 0 {
		fmt.Fprintf(&b, "max_inflight_messages %d\n", c.maxInflightMessages)
	}
	if c.sysInterval > 0 {
		fmt.Fprintf(&b, "sys_interval %d\n", c.sysInterval)
	}
	if c.persistentExpiration != "" {
		fmt.Fprintf(&b, "persistent_client_expiration %s\n", c.persistentExpiration)
	}
	if c.maxKeepalive > 0 {
		fmt.Fprintf(&b, "max_keepalive %d\n", c.maxKeepalive)
	}
	return b.String()
}

// broker is one running broker process.
type broker struct {
	addr string // 127.0.0.1:port
	port int
	sock string // Unix socket path
	dir  string
	cmd  *exec.Cmd
	log  *tailBuffer
	done chan struct{} // closed when the process has exited
}

// startBroker starts a broker with the given configuration, waits until both
// listeners accept, and stops it when the test ends. On failure the broker's
// log is printed.
func startBroker(t testing.TB, c brokerConfig) *broker {
	t.Helper()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		b, err := launchBroker(c)
		if err == nil {
			t.Cleanup(func() {
				b.stop()
				// A data race (MIDGE_TEST_RACE=1) or a panic inside the
				// broker fails the test that provoked it.
				if incident := b.log.incident(); incident != "" {
					t.Errorf("%s reported a data race or a panic:\n%s", brokerKind, incident)
				}
				if t.Failed() {
					t.Logf("%s log (tail):\n%s", brokerKind, b.log.String())
				}
				os.RemoveAll(b.dir)
			})
			return b
		}
		lastErr = err
	}
	t.Fatalf("starting %s: %v", brokerKind, lastErr)
	return nil
}

func launchBroker(c brokerConfig) (*broker, error) {
	dir, err := os.MkdirTemp("", "midge-interop-")
	if err != nil {
		return nil, err
	}
	// mosquitto started as root drops to user mosquitto before it binds the
	// Unix socket, so the directory must be writable by everyone.
	if err := os.Chmod(dir, 0o777); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	b := &broker{
		addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		port: port,
		sock: filepath.Join(dir, "broker.sock"),
		dir:  dir,
		log:  &tailBuffer{max: 64 << 10},
		done: make(chan struct{}),
	}
	conf := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(conf, []byte(c.render(port, b.sock)), 0o644); err != nil {
		return nil, err
	}
	if brokerIs("mosquitto") {
		b.cmd = exec.Command("mosquitto", "-c", conf)
	} else {
		// --profile none: mosquitto's defaults, the behaviour this suite compares.
		b.cmd = exec.Command(midgeBinary, "serve", "--profile", "none", "-c", conf)
	}
	b.cmd.Env = append(os.Environ(), "MIDGE_CONNECT_TIMEOUT="+midgeConnectTimeout.String())
	b.cmd.Stdout = b.log
	b.cmd.Stderr = b.log
	if err := b.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	go func() {
		b.cmd.Wait()
		close(b.done)
	}()
	if err := b.waitReady(15 * time.Second); err != nil {
		b.stop()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("%w\nlog:\n%s", err, b.log.String())
	}
	return b, nil
}

// midgeConnectTimeout is passed to midge as MIDGE_CONNECT_TIMEOUT; a broker
// that does not read it uses its default of 10 s.
var midgeConnectTimeout = 3 * time.Second

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady waits until both listeners accept connections.
func (b *broker) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-b.done:
			return errors.New("broker exited during start")
		default:
		}
		c1, err1 := net.DialTimeout("tcp", b.addr, 200*time.Millisecond)
		if err1 == nil {
			c1.Close()
		}
		c2, err2 := net.DialTimeout("unix", b.sock, 200*time.Millisecond)
		if err2 == nil {
			c2.Close()
		}
		if err1 == nil && err2 == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("broker not accepting after %v: tcp: %v, unix: %v", limit, err1, err2)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether the broker process is still running.
func (b *broker) alive() bool {
	select {
	case <-b.done:
		return false
	default:
		return true
	}
}

// requireAlive fails the test if the broker process has exited.
func (b *broker) requireAlive(t testing.TB) {
	t.Helper()
	if !b.alive() {
		t.Fatalf("broker process exited: %v", b.cmd.ProcessState)
	}
}

// stop terminates the broker: SIGTERM, then SIGKILL after 3 s.
func (b *broker) stop() {
	if !b.alive() {
		return
	}
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.done:
	case <-time.After(3 * time.Second):
		b.cmd.Process.Kill()
		<-b.done
	}
}

// pid is the broker's process id.
func (b *broker) pid() int { return b.cmd.Process.Pid }

// openFDs counts the broker's open file descriptors.
func (b *broker) openFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", b.pid()))
	if err != nil {
		t.Fatalf("reading the broker's fd table: %v", err)
	}
	return len(ents)
}

// rssBytes is the broker's resident set size (VmRSS).
func (b *broker) rssBytes(t testing.TB) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", b.pid()))
	if err != nil {
		t.Fatalf("reading the broker's status: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest) // "1234 kB"
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				t.Fatalf("VmRSS line %q: %v", line, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", b.pid())
	return 0
}

// memorySlack is the absolute RSS tolerance of the memory tests, mb
// megabytes; four times that for a broker built with -race, whose shadow
// memory multiplies every allocation.
func memorySlack(mb int64) int64 {
	if brokerIs("midge") && os.Getenv("MIDGE_TEST_RACE") == "1" {
		mb *= 4
	}
	return mb << 20
}

// tailBuffer keeps the last max bytes written to it, and separately the
// first write that reports a data race or a panic (so later output cannot
// push it out); safe for concurrent use.
type tailBuffer struct {
	mu    sync.Mutex
	max   int
	buf   bytes.Buffer
	first string
}

func (w *tailBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.first == "" && (bytes.Contains(p, []byte("WARNING: DATA RACE")) || bytes.Contains(p, []byte("panic:"))) {
		w.first = string(p[:min(len(p), 8<<10)])
	}
	w.buf.Write(p)
	if over := w.buf.Len() - w.max; over > 0 {
		w.buf.Next(over)
	}
	return len(p), nil
}

// incident is the first output that reported a data race or a panic.
func (w *tailBuffer) incident() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.first
}

func (w *tailBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// uniqueTopic returns a topic no other test uses.
func uniqueTopic(t testing.TB, suffix string) string {
	name := strings.NewReplacer("/", "_", " ", "_", "#", "_", "+", "_").Replace(t.Name())
	return "interop/" + name + "/" + suffix
}
