// Package clienttest starts brokers for the client and command-line tests:
// Debian's mosquitto today, midge's own broker once it serves. Each broker
// listens on a free loopback port (and a Unix socket) with a generated
// configuration and is stopped when the test ends.
package clienttest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Broker is a running broker.
type Broker struct {
	Name     string // "mosquitto"
	Host     string // "127.0.0.1"
	Port     int
	UnixPath string // Unix socket listener, "" when not configured
	TLSPort  int    // TLS listener, 0 when not configured
	Dir      string // scratch directory holding config and log

	argv []string
	proc *process
}

// Addr is host:port of the TCP listener.
func (b *Broker) Addr() string { return net.JoinHostPort(b.Host, fmt.Sprint(b.Port)) }

// Config adjusts the generated broker configuration.
type Config struct {
	// PasswordFile, if set, turns anonymous access off and checks users
	// against this mosquitto-format file.
	PasswordFile string
	// Unix adds a Unix socket listener.
	Unix bool
	// TLS adds a TLS listener with these PEM files.
	TLS *TLSFiles
}

// TLSFiles are the PEM files of a broker's TLS listener.
type TLSFiles struct {
	CAFile, CertFile, KeyFile string
	// A client certificate signed by the same CA.
	ClientCertFile, ClientKeyFile string
	// RequireClientCert makes the listener ask for (and check) one.
	RequireClientCert bool
}

// Brokers lists the brokers the tests run against: mosquitto and midge,
// or those named in $MIDGE_TEST_BROKERS (comma-separated, e.g. "mosquitto").
var Brokers = brokersFromEnv()

func brokersFromEnv() []string {
	if v := os.Getenv("MIDGE_TEST_BROKERS"); v != "" {
		return strings.Split(v, ",")
	}
	return []string{"mosquitto", "midge"} // both by default: the tools must behave the same on either
}

// Supports reports whether the named broker can run with cfg (midge has no
// password file or TLS listener yet). Tests run a configuration on the
// brokers that support it.
func Supports(name string, cfg Config) bool {
	if name == "midge" {
		return cfg.PasswordFile == "" && cfg.TLS == nil
	}
	return true
}

// Start runs the named broker for the duration of t. A missing program is
// a test failure with a clear message, never a skip.
func Start(t testing.TB, name string, cfg Config) *Broker {
	t.Helper()
	switch name {
	case "mosquitto":
		return startMosquitto(t, cfg)
	case "midge":
		return startMidge(t, cfg)
	}
	t.Fatalf("clienttest: unknown broker %q", name)
	return nil
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("clienttest: no free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startMosquitto(t testing.TB, cfg Config) *Broker {
	t.Helper()
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		for _, p := range []string{"/usr/sbin/mosquitto", "/sbin/mosquitto"} {
			if _, e := os.Stat(p); e == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		t.Fatalf("clienttest: the mosquitto broker is needed for this test and is not installed (apt-get install mosquitto)")
	}
	dir := t.TempDir()
	b := &Broker{Name: "mosquitto", Host: "127.0.0.1", Dir: dir}
	var conf strings.Builder
	for attempt := 0; ; attempt++ {
		b.Port = FreePort(t)
		conf.Reset()
		fmt.Fprintf(&conf, "per_listener_settings false\nlistener %d 127.0.0.1\n", b.Port)
		if u, err := user.Current(); err == nil {
			// Run as ourselves: as root, mosquitto would otherwise switch
			// to the "mosquitto" user, who cannot read the test's files.
			fmt.Fprintf(&conf, "user %s\n", u.Username)
		}
		if cfg.Unix {
			b.UnixPath = filepath.Join(dir, "mqtt.sock")
			fmt.Fprintf(&conf, "listener 0 %s\n", b.UnixPath)
		}
		if cfg.TLS != nil {
			b.TLSPort = FreePort(t)
			fmt.Fprintf(&conf, "listener %d 127.0.0.1\ncafile %s\ncertfile %s\nkeyfile %s\nrequire_certificate %t\n",
				b.TLSPort, cfg.TLS.CAFile, cfg.TLS.CertFile, cfg.TLS.KeyFile, cfg.TLS.RequireClientCert)
		}
		if cfg.PasswordFile != "" {
			fmt.Fprintf(&conf, "allow_anonymous false\npassword_file %s\n", cfg.PasswordFile)
		} else {
			conf.WriteString("allow_anonymous true\n")
		}
		conf.WriteString("log_dest stderr\nlog_type error\nlog_type warning\n")
		path := filepath.Join(dir, "mosquitto.conf")
		if err := os.WriteFile(path, []byte(conf.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		b.argv = []string{bin, "-c", path}
		if b.launch() {
			t.Cleanup(b.stop)
			return b
		}
		if attempt == 2 {
			log, _ := os.ReadFile(b.logPath())
			t.Fatalf("clienttest: mosquitto did not start:\n%s", log)
		}
	}
}

// process is a running broker process.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

func (b *Broker) logPath() string { return filepath.Join(b.Dir, b.Name+".log") }

// launch starts b.argv and waits until every listener accepts.
func (b *Broker) launch() bool {
	logf, err := os.OpenFile(b.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return false
	}
	cmd := exec.Command(b.argv[0], b.argv[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return false
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() { cmd.Wait(); logf.Close(); close(p.exited) }()
	b.proc = p
	if waitListening("tcp", b.Addr(), p.exited) && (b.UnixPath == "" || waitListening("unix", b.UnixPath, p.exited)) {
		return true
	}
	b.stop()
	return false
}

// stop kills the broker process, if running, and waits for it.
func (b *Broker) stop() {
	if b.proc == nil {
		return
	}
	b.proc.cmd.Process.Kill()
	<-b.proc.exited
	b.proc = nil
}

// Restart stops the broker and starts it again on the same ports, so that
// tests can check how clients reconnect. Nothing of its state survives.
func (b *Broker) Restart(t testing.TB) {
	t.Helper()
	b.stop()
	if b.UnixPath != "" {
		os.Remove(b.UnixPath)
	}
	for range 50 {
		if b.launch() {
			return
		}
		time.Sleep(100 * time.Millisecond) // the port may linger briefly
	}
	log, _ := os.ReadFile(b.logPath())
	t.Fatalf("clienttest: %s did not restart:\n%s", b.Name, log)
}

func waitListening(network, addr string, exited <-chan struct{}) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if c, err := net.DialTimeout(network, addr, 200*time.Millisecond); err == nil {
			c.Close()
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
