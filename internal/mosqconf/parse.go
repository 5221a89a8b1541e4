package mosqconf

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxLineBytes bounds one configuration line; mosquitto has no limit but
// nothing real comes near it.
const maxLineBytes = 1 << 20

// ParseFile reads the mosquitto.conf at path and the files its include_dir
// lines name.
func ParseFile(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Msg: fmt.Sprintf("unable to open config file: %v", err)}
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads a mosquitto.conf from r; name is used in errors and warnings.
// include_dir paths are opened from the file system as written (relative
// paths from the working directory, as mosquitto does).
func Parse(r io.Reader, name string) (*Config, error) {
	p := &parser{cfg: newConfig(), readDir: os.ReadDir, open: openFile}
	return p.run(r, name)
}

func openFile(path string) (io.ReadCloser, error) { return os.Open(path) }

// parser holds the state of one Parse call.
type parser struct {
	cfg     *Config
	readDir func(string) ([]fs.DirEntry, error)
	open    func(string) (io.ReadCloser, error)

	def      Listener // mosquitto's default listener, built up in place
	defFile  string   // where the default listener was first touched
	defLine  int
	listener int // index in cfg.Listeners of the current listener, -1 = def
	bridge   int // index in cfg.Bridges of the current bridge, -1 = none
	// plugin is the Plugins list and index of the last plugin line, for
	// its plugin_opt_* lines; nil when there is none.
	plugin      *[]Option
	securitySet bool // a security option was seen (per_listener_settings must precede)
	level       int  // 0 in the main file, 1 in included files
}

// line is one configuration line split into its keyword and values.
type line struct {
	file string
	num  int
	key  string
	rest string   // everything after the keyword, blanks trimmed
	args []string // rest split on blanks
}

func (p *parser) run(r io.Reader, name string) (*Config, error) {
	p.def = defaultListener()
	p.listener, p.bridge = -1, -1
	if err := p.readFile(r, name); err != nil {
		return nil, err
	}
	p.finish()
	return p.cfg, nil
}

// readFile parses one file. Like mosquitto, every file starts outside any
// listener or bridge block; the enclosing file's blocks resume after it.
func (p *parser) readFile(r io.Reader, name string) error {
	p.cfg.Files = append(p.cfg.Files, name)
	savedListener, savedBridge, savedPlugin := p.listener, p.bridge, p.plugin
	p.listener, p.bridge, p.plugin = -1, -1, nil
	defer func() { p.listener, p.bridge, p.plugin = savedListener, savedBridge, savedPlugin }()

	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineBytes)
	num := 0
	for sc.Scan() {
		num++
		l, ok := splitLine(sc.Text())
		if !ok {
			continue
		}
		l.file, l.num = name, num
		if err := p.apply(&l); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return &Error{File: name, Line: num + 1, Msg: "line too long"}
		}
		return &Error{File: name, Line: num, Msg: fmt.Sprintf("read error: %v", err)}
	}
	return nil
}

// splitLine splits a raw line; ok is false for blank lines and comments.
func splitLine(raw string) (l line, ok bool) {
	s := strings.TrimSpace(raw)
	if s == "" || s[0] == '#' {
		return line{}, false
	}
	key, rest, _ := strings.Cut(s, " ")
	if i := strings.IndexByte(key, '\t'); i >= 0 {
		key, rest = key[:i], key[i+1:]+" "+rest
	}
	l.key = key
	l.rest = strings.TrimSpace(rest)
	l.args = strings.Fields(l.rest)
	return l, true
}

// apply dispatches one line to its option handler.
func (p *parser) apply(l *line) error {
	if p.cfg.Given == nil {
		p.cfg.Given = map[string]bool{}
	}
	p.cfg.Given[l.key] = true
	if h, ok := supported[l.key]; ok {
		if err := h(p, l); err != nil {
			return err
		}
		if notYetActive[l.key] {
			p.warnf(l, "%s is parsed but midge does not act on it yet", l.key)
		}
		return nil
	}
	if spec, ok := unsupported[l.key]; ok {
		return p.applyUnsupported(l, spec)
	}
	if strings.HasPrefix(l.key, "plugin_opt_") || strings.HasPrefix(l.key, "auth_opt_") {
		return p.pluginOption(l)
	}
	return p.errf(l, "unknown configuration variable %q", l.key)
}

// cur returns the listener that listener options apply to now.
func (p *parser) cur(l *line) *Listener {
	if p.listener >= 0 {
		return &p.cfg.Listeners[p.listener]
	}
	if p.defFile == "" {
		p.defFile, p.defLine = l.file, l.num
	}
	return &p.def
}

// security returns the authentication options a security line sets, and
// records that one was set.
func (p *parser) security(l *line) *Security {
	p.securitySet = true
	if p.cfg.PerListenerSettings {
		return &p.cur(l).Security
	}
	return &p.cfg.Security
}

func (p *parser) errf(l *line, format string, args ...any) error {
	return &Error{File: l.file, Line: l.num, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) warnf(l *line, format string, args ...any) {
	p.cfg.Warnings = append(p.cfg.Warnings, Warning{File: l.file, Line: l.num, Msg: fmt.Sprintf(format, args...)})
}

// option returns the line as a verbatim Option.
func (l *line) option() Option {
	return Option{Name: l.key, Value: l.rest, File: l.file, Line: l.num}
}

// word returns the single value of the line. A trailing comment ("# ...")
// after the value is allowed, as mosquitto ignores it.
func (p *parser) word(l *line) (string, error) {
	switch {
	case len(l.args) == 0:
		return "", p.errf(l, "empty %s value", l.key)
	case len(l.args) > 1 && !strings.HasPrefix(l.args[1], "#"):
		return "", p.errf(l, "%s takes one value, got %d", l.key, len(l.args))
	}
	return l.args[0], nil
}

// integer returns the single value of the line as an integer in [lo, hi].
func (p *parser) integer(l *line, lo, hi int64) (int64, error) {
	w, err := p.word(l)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(w, 10, 64)
	if err != nil {
		return 0, p.errf(l, "invalid %s value %q: not an integer", l.key, w)
	}
	if n < lo || n > hi {
		return 0, p.errf(l, "invalid %s value %d: must be between %d and %d", l.key, n, lo, hi)
	}
	return n, nil
}

// boolean returns the single value of the line: true/1 or false/0, the
// forms mosquitto accepts.
func (p *parser) boolean(l *line) (bool, error) {
	w, err := p.word(l)
	if err != nil {
		return false, err
	}
	switch w {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, p.errf(l, "invalid %s value %q: want true or false", l.key, w)
}

// text returns the rest of the line as one string value (paths may hold
// blanks), which must be valid UTF-8.
func (p *parser) text(l *line) (string, error) {
	if l.rest == "" {
		return "", p.errf(l, "empty %s value", l.key)
	}
	if !utf8.ValidString(l.rest) {
		return "", p.errf(l, "malformed UTF-8 in %s value", l.key)
	}
	return l.rest, nil
}

// setText stores a string option that mosquitto refuses to see twice.
func (p *parser) setText(l *line, dst *string) error {
	v, err := p.text(l)
	if err != nil {
		return err
	}
	if *dst != "" {
		return p.errf(l, "duplicate %s value", l.key)
	}
	*dst = v
	return nil
}

// includeDir parses every file ending in .conf in the directory, in ASCII
// order. mosquitto only honours include_dir in the main file.
func (p *parser) includeDir(l *line) error {
	dir, err := p.text(l)
	if err != nil {
		return err
	}
	if p.level > 0 {
		p.warnf(l, "include_dir in an included file is ignored (as mosquitto does)")
		return nil
	}
	entries, err := p.readDir(dir)
	if err != nil {
		return p.errf(l, "unable to open include_dir %q: %v", dir, err)
	}
	// os.ReadDir sorts by name byte-wise: ASCII order, as mosquitto's
	// scandir/alphasort in the C locale.
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || len(name) <= len(".conf") || !strings.HasSuffix(name, ".conf") {
			continue
		}
		path := filepath.Join(dir, name)
		f, err := p.open(path)
		if err != nil {
			return p.errf(l, "unable to open included file %q: %v", path, err)
		}
		p.level++
		err = p.readFile(f, path)
		p.level--
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// finish adds the default or implicit listeners once every file is read.
func (p *parser) finish() {
	c := p.cfg
	d := &p.def
	base := defaultListener()
	touched := d.Port != 0 || d.Bind != "" || d.BindInterface != "" ||
		d.MaxConnections != base.MaxConnections || d.MaxQoS != base.MaxQoS ||
		d.Protocol != base.Protocol || d.SocketDomain != "" || d.UseUsernameAsClientID ||
		len(d.Unsupported) > 0 || d.Security.PasswordFile != "" || d.Security.PSKFile != "" ||
		len(d.Security.Plugins) > 0 || !d.Security.AllowZeroLengthClientID
	if touched {
		if d.Port == 0 {
			d.Port = 1883
		}
		d.Default = true
		d.File, d.Line = p.defFile, p.defLine
		c.Listeners = append(c.Listeners, *d)
	}
	c.MaxConnections = d.MaxConnections
	if len(c.Listeners) == 0 {
		for _, host := range []string{"127.0.0.1", "::1"} {
			l := defaultListener()
			l.Port, l.Bind, l.Implicit = 1883, host, true
			c.Listeners = append(c.Listeners, l)
		}
	}
}
