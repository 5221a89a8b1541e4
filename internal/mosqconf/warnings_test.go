package mosqconf

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestUnsupportedOptionsWarn(t *testing.T) {
	c := mustParse(t, `persistence true
log_type all
listener 8883
certfile /etc/c.pem
require_certificate true
password_file /etc/passwd.midge
connection up
address a:1883 b:1884
topic # both 2 "" remote/
plugin /usr/lib/p.so
plugin_opt_level 3
retry_interval 20
`)
	wantLines := []int{1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	var lines []int
	for _, w := range c.Warnings {
		if w.File != "test.conf" {
			t.Errorf("warning file %q", w.File)
		}
		lines = append(lines, w.Line)
	}
	if !reflect.DeepEqual(lines, wantLines) {
		t.Errorf("warning lines %v, want %v: %v", lines, wantLines, c.Warnings)
	}
	if got := c.Warnings[0].String(); got != "test.conf:1: persistence is not supported by midge yet (persistence); ignored" {
		t.Errorf("warning text %q", got)
	}
	if got := c.Warnings[1].Msg; got != "log_type is accepted but has no effect in midge yet" {
		t.Errorf("warning text %q", got)
	}

	wantGeneral := []Option{
		{Name: "persistence", Value: "true", File: "test.conf", Line: 1},
		{Name: "log_type", Value: "all", File: "test.conf", Line: 2},
		{Name: "retry_interval", Value: "20", File: "test.conf", Line: 12},
	}
	if !reflect.DeepEqual(c.Unsupported, wantGeneral) {
		t.Errorf("general unsupported %+v", c.Unsupported)
	}
	l := c.Listeners[0]
	if len(l.Unsupported) != 2 || l.Unsupported[0].Name != "certfile" || l.Unsupported[0].Value != "/etc/c.pem" || l.Unsupported[1].Name != "require_certificate" {
		t.Errorf("listener unsupported %+v", l.Unsupported)
	}
	if c.PasswordFile != "/etc/passwd.midge" {
		t.Errorf("password_file %q", c.PasswordFile)
	}
	if len(c.Bridges) != 1 || c.Bridges[0].Name != "up" || c.Bridges[0].Line != 7 || len(c.Bridges[0].Options) != 2 ||
		c.Bridges[0].Options[1].Value != `# both 2 "" remote/` {
		t.Errorf("bridges %+v", c.Bridges)
	}
	if len(c.Plugins) != 2 || c.Plugins[0].Value != "/usr/lib/p.so" || c.Plugins[1].Name != "plugin_opt_level" {
		t.Errorf("plugins %+v", c.Plugins)
	}
}

// TestEveryUnsupportedOptionParses feeds each unsupported option a valid
// value in its block and checks it is stored and warned about, not refused.
func TestEveryUnsupportedOptionParses(t *testing.T) {
	sample := map[valueKind]string{kindText: "some value", kindBool: "true", kindInt: "5", kindWords: "x", kindAny: ""}
	special := map[string]string{
		"log_dest": "file /var/log/m.log", "topic": "a/# out 1", "restart_timeout": "5 30", "connection": "b2",
		"websockets_log_level": "0", "log_facility": "3",
	}
	for name, spec := range unsupported {
		value, ok := special[name]
		if !ok {
			value = sample[spec.kind]
			if spec.kind == kindEnum {
				value = spec.enum[0]
			}
		}
		conf := "listener 1883\nconnection b1\n" + name + " " + value + "\n"
		c, err := Parse(strings.NewReader(conf), "test.conf")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		last := c.Warnings[len(c.Warnings)-1]
		if last.Line != 3 || !strings.Contains(last.Msg, name) {
			t.Errorf("%s: last warning %v", name, last)
		}
	}
}

// parseMapped parses path with include_dir paths under from read from to.
func parseMapped(t *testing.T, path, from, to string) *Config {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := &parser{cfg: newConfig(), open: openFile, readDir: func(dir string) ([]fs.DirEntry, error) {
		return os.ReadDir(strings.Replace(dir, from, to, 1))
	}}
	c, err := p.run(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDebianDefaultConfig parses Debian's /etc/mosquitto/mosquitto.conf
// (with its conf.d) verbatim: it runs, with warnings only.
func TestDebianDefaultConfig(t *testing.T) {
	c := parseMapped(t, "testdata/debian/mosquitto.conf", "/etc/mosquitto/conf.d", "testdata/debian/conf.d")
	if c.PidFile != "/run/mosquitto/mosquitto.pid" {
		t.Errorf("pid_file %q", c.PidFile)
	}
	var got []string
	for _, w := range c.Warnings {
		got = append(got, w.String())
	}
	want := []string{
		"testdata/debian/mosquitto.conf:8: persistence is not supported by midge yet (persistence); ignored",
		"testdata/debian/mosquitto.conf:9: persistence_location is not supported by midge yet (persistence); ignored",
		"testdata/debian/mosquitto.conf:11: log_dest is accepted but has no effect in midge yet",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("warnings:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !c.LocalOnly || len(c.Listeners) != 2 || !c.Listeners[0].Implicit {
		t.Errorf("Debian's default listens on localhost only: %+v", c.Listeners)
	}
}

// TestExampleConfig parses mosquitto's commented example configuration:
// every option is commented out, so it is all defaults.
func TestExampleConfig(t *testing.T) {
	c, err := ParseFile("testdata/mosquitto.conf.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 0 || c.MaxInflightMessages != 20 || !c.LocalOnly {
		t.Errorf("example config: warnings %v", c.Warnings)
	}
}

// TestRealisticConfig parses a board's configuration with per-listener
// security, a Unix socket, TLS, websockets and a bridge.
func TestRealisticConfig(t *testing.T) {
	c, err := ParseFile(filepath.Join("testdata", "realistic.conf"))
	if err != nil {
		t.Fatal(err)
	}
	type ep struct {
		port       int
		bind, unix string
	}
	var eps []ep
	for _, l := range c.Listeners {
		eps = append(eps, ep{l.Port, l.Bind, l.UnixPath})
	}
	want := []ep{{0, "", "/run/mosquitto/mqtt.sock"}, {1883, "0.0.0.0", ""}, {8883, "", ""}, {9001, "::1", ""}}
	if !reflect.DeepEqual(eps, want) {
		t.Fatalf("listeners %v, want %v", eps, want)
	}
	if !c.AnonymousAllowed(&c.Listeners[0]) || c.AnonymousAllowed(&c.Listeners[1]) || c.AnonymousAllowed(&c.Listeners[2]) {
		t.Error("per-listener allow_anonymous")
	}
	if c.Listeners[1].MaxConnections != 5000 || c.Listeners[1].Security.ACLFile != "/etc/mosquitto/acl" {
		t.Errorf("sensor listener %+v", c.Listeners[1])
	}
	if len(c.Listeners[2].Unsupported) != 5 || c.Listeners[3].Protocol != "websockets" {
		t.Errorf("TLS listener %+v, ws listener %+v", c.Listeners[2], c.Listeners[3])
	}
	if c.SysInterval != 30 || c.MaxInflightMessages != 40 || c.MaxQueuedMessages != 5000 || c.MaxQueuedBytes != 10485760 ||
		!c.QueueQoS0Messages || c.MaxPacketSize != 65536 || c.MaxKeepalive != 300 || c.PersistentClientExpiration.Hours() != 48 {
		t.Errorf("general options %+v", c)
	}
	if len(c.Bridges) != 1 || len(c.Bridges[0].Options) != 8 {
		t.Errorf("bridge %+v", c.Bridges)
	}
	for _, w := range c.Warnings {
		if w.Line == 0 || w.File == "" {
			t.Errorf("warning without position: %v", w)
		}
	}
}
