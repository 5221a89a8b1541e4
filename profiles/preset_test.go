package profiles

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// wantPresets are the board classes issue 8 names; each must exist.
var wantPresets = []string{"beaglebone", "generic-arm64", "generic-armv7", "imx8", "jetson",
	"pi-zero-2w", "pi3", "pi4", "pi5", "server", "small-vm"}

func TestEmbeddedPresetsValidate(t *testing.T) {
	if got := Names(); !reflect.DeepEqual(got, wantPresets) {
		t.Fatalf("Names() = %v, want %v", got, wantPresets)
	}
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		t.Run(p.Name, func(t *testing.T) {
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			if p.GOMEMLIMIT >= p.Memory {
				t.Errorf("gomemlimit %d not below memory %d", p.GOMEMLIMIT, p.Memory)
			}
			data, _ := PresetFile(p.Name)
			// Every value is justified: the file has more comment lines
			// than a header.
			if c := strings.Count(string(data), "\n#"); c < 8 {
				t.Errorf("only %d comment lines", c)
			}
			if strings.Contains(strings.ToLower(string(data)), "measured ") &&
				!strings.Contains(string(data), "not from measurements") {
				t.Errorf("a preset claims a measurement")
			}
		})
	}
}

// Every field of Preset but the name is a key of the preset files, under
// its JSON name, so files, overrides and records speak the same names.
func TestKeysCoverPreset(t *testing.T) {
	var tags []string
	typ := reflect.TypeFor[Preset]()
	for i := range typ.NumField() {
		if tag := typ.Field(i).Tag.Get("json"); tag != "name" {
			tags = append(tags, strings.Split(tag, ",")[0])
		}
	}
	if keys := Keys(); !reflect.DeepEqual(keys, tags) {
		t.Errorf("Keys() = %v\n JSON fields %v", keys, tags)
	}
}

// Set and Get round-trip every key of every preset.
func TestSetGetRoundTrip(t *testing.T) {
	all, _ := All()
	for _, p := range all {
		var q Preset
		q.Name = p.Name
		for _, k := range Keys() {
			v, ok := p.Get(k)
			if !ok {
				t.Fatalf("Get(%q) not found", k)
			}
			if err := q.Set(k, v); err != nil {
				t.Fatalf("%s: Set(%q, %q): %v", p.Name, k, v, err)
			}
		}
		if q != p {
			t.Errorf("%s: round trip gives %+v, want %+v", p.Name, q, p)
		}
	}
}

func TestLookup(t *testing.T) {
	p, err := Lookup("x86-server")
	if err != nil || p.Name != "server" {
		t.Errorf("Lookup(x86-server) = %q, %v; want the server preset", p.Name, err)
	}
	if p, err := Lookup("container"); err != nil || p.Name != "small-vm" {
		t.Errorf("Lookup(container) = %q, %v; want small-vm", p.Name, err)
	}
	for _, bad := range []string{"", "nope", "../presets/pi4", "presets/pi4", "pi4.conf", "."} {
		if _, err := Lookup(bad); err == nil {
			t.Errorf("Lookup(%q) found a preset", bad)
		}
	}
}

func TestApplyOverridesWin(t *testing.T) {
	base, _ := Lookup("pi4")
	got, err := Apply(base, map[string]string{
		"max_connections":       "100",
		"max_queued_bytes":      "1MiB",
		"lock_os_thread":        "true",
		"gomemlimit":            "1500MiB",
		"max_inflight_messages": "5",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := base
	want.MaxConnections, want.MaxQueuedBytes, want.LockOSThread = 100, 1<<20, true
	want.GOMEMLIMIT, want.MaxInflightMessages = 1500<<20, 5
	if got != want {
		t.Errorf("Apply:\n got %+v\nwant %+v", got, want)
	}
	// Applied over a fitted preset, the explicit value still wins.
	fitted, _ := Choose(fixture(t, "container-v1"))
	got, _ = Apply(fitted, map[string]string{"max_connections": "5000", "event_loops": "7"})
	if got.MaxConnections != 5000 || got.EventLoops != 7 {
		t.Errorf("override after Fit: max_connections %d, event_loops %d", got.MaxConnections, got.EventLoops)
	}
	if base.MaxConnections != 8192 {
		t.Error("Apply changed its argument")
	}
	if _, err := Apply(base, nil); err != nil {
		t.Errorf("no overrides: %v", err)
	}
}

func TestApplyRejectsBadValues(t *testing.T) {
	base, _ := Lookup("pi4")
	for _, o := range []map[string]string{
		{"no_such_key": "1"},
		{"max_connections": "many"},
		{"max_connections": "99999999999999999999"},
		{"lock_os_thread": "perhaps"},
		{"gomemlimit": "1XiB"},
		{"gomemlimit": "-1"},
		{"max_packet_size": "4GiB"}, // more than an int32 holds
		{"read_buffer_cap": "9999999TiB"},
	} {
		if _, err := Apply(base, o); err == nil {
			t.Errorf("Apply(%v) accepted", o)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	base, _ := Lookup("pi4")
	for name, change := range map[string]func(*Preset){
		"no name":             func(p *Preset) { p.Name = "" },
		"no description":      func(p *Preset) { p.Description = "" },
		"no memory":           func(p *Preset) { p.Memory = 0 },
		"negative loops":      func(p *Preset) { p.EventLoops = -1 },
		"negative gomaxprocs": func(p *Preset) { p.GOMAXPROCS = -2 },
		"read cap not pow2":   func(p *Preset) { p.ReadBufferCap = 3000 },
		"write cap zero":      func(p *Preset) { p.WriteBufferCap = 0 },
		"no outbound":         func(p *Preset) { p.OutboundLimit = 0 },
		"no connections":      func(p *Preset) { p.MaxConnections = 0 },
		"no queue":            func(p *Preset) { p.MaxQueuedMessages = 0 },
		"no queue bytes":      func(p *Preset) { p.MaxQueuedBytes = 0 },
		"no cache":            func(p *Preset) { p.MatcherCacheSize = 0 },
		"packet zero":         func(p *Preset) { p.MaxPacketSize = 0 },
		"packet too big":      func(p *Preset) { p.MaxPacketSize = MaxPacketSizeProtocol + 1 },
		"inflight zero":       func(p *Preset) { p.MaxInflightMessages = 0 },
		"inflight 65536":      func(p *Preset) { p.MaxInflightMessages = 65536 },
		"no gomemlimit":       func(p *Preset) { p.GOMEMLIMIT = 0 },
		"gomemlimit = memory": func(p *Preset) { p.GOMEMLIMIT = p.Memory },
		"over budget":         func(p *Preset) { p.MaxConnections = 100000 },
	} {
		p := base
		change(&p)
		if err := p.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, p)
		}
	}
	edge := base
	edge.MaxPacketSize, edge.MaxInflightMessages = MaxPacketSizeProtocol, 65535
	if err := edge.Validate(); err != nil {
		t.Errorf("protocol maxima rejected: %v", err)
	}
}

func TestParsePresetErrors(t *testing.T) {
	good, _ := PresetFile("pi4")
	if _, err := ParsePreset("x", good); err != nil {
		t.Fatalf("pi4 file: %v", err)
	}
	lines := strings.Split(string(good), "\n")
	without := func(key string) string {
		var out []string
		for _, l := range lines {
			if !strings.HasPrefix(l, key+" ") {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	for name, text := range map[string]string{
		"missing key":   without("matcher_cache_size"),
		"duplicate key": string(good) + "\nmax_connections = 5\n",
		"no equals":     string(good) + "\nmax_connections 5\n",
		"unknown key":   string(good) + "\ncolour = blue\n",
		"bad value":     without("max_connections") + "\nmax_connections = lots\n",
	} {
		if _, err := ParsePreset("x", []byte(text)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func TestBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "512": 512, "1B": 1, "64KiB": 64 << 10, "3MiB": 3 << 20, "2GiB": 2 << 30, "1TiB": 1 << 40, " 7 MiB": 7 << 20,
	} {
		got, err := parseBytes(strings.TrimSpace(in))
		if err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "KiB", "1.5GiB", "-5", "10PiB", "9000000TiB", "0x10"} {
		if _, err := parseBytes(bad); err == nil {
			t.Errorf("parseBytes(%q) accepted", bad)
		}
	}
	for n, want := range map[int64]string{0: "0", 1: "1", 1023: "1023", 1024: "1KiB", 1536: "1536", 3 << 20: "3MiB", 5 << 30: "5GiB", 1 << 40: "1TiB"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFit(t *testing.T) {
	pi4, _ := Lookup("pi4")
	// More memory than the sizing: a board preset does not grow.
	big := Hardware{CPU: CPU{Cores: 4}, Memory: Memory{TotalBytes: 8 << 30}}
	if got, notes := pi4.Fit(big); got != pi4 || len(notes) != 0 {
		t.Errorf("pi4 on 8 GiB changed: %v", notes)
	}
	// Fewer CPUs than the loops (a cgroup quota of 1.2): lowered to 2.
	quota := Hardware{CPU: CPU{Cores: 4}, Cgroup: Cgroup{CPULimit: 1.2}}
	got, notes := pi4.Fit(quota)
	if got.EventLoops != 2 || got.GOMAXPROCS != 2 || len(notes) != 2 {
		t.Errorf("quota 1.2: event_loops %d, gomaxprocs %d, notes %v", got.EventLoops, got.GOMAXPROCS, notes)
	}
	// Nothing known: nothing changes, event_loops 0 stays 0.
	server, _ := Lookup("server")
	if got, notes := server.Fit(Hardware{}); got != server || len(notes) != 0 {
		t.Errorf("unknown hardware changed the server preset: %v", notes)
	}
	// A tiny container keeps a few connections and a 1 MiB floor.
	tiny := Hardware{CPU: CPU{Cores: 1}, Memory: Memory{TotalBytes: 2 << 20}}
	got, _ = server.Fit(tiny)
	if got.MaxConnections != minFittedConnections || got.GOMEMLIMIT != 1<<20 {
		t.Errorf("2 MiB: max_connections %d, gomemlimit %d", got.MaxConnections, got.GOMEMLIMIT)
	}
}

func TestRecordJSON(t *testing.T) {
	hw := fixture(t, "pi4b-4gb")
	r := NewRecord(hw)
	if r.Preset != "pi4" || r.Values.Name != "pi4" || r.Reason == "" {
		t.Fatalf("record %+v", r)
	}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"preset":"pi4"`, `"model":"Raspberry Pi 4 Model B Rev 1.4"`, `"core":"Cortex-A72"`,
		`"max_inflight_messages":100`, `"max_inflight_bytes":8192`, `"gomemlimit":2147483648`, `"total_bytes":3975884800`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("record JSON lacks %s:\n%s", want, data)
		}
	}
	var back Record
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("JSON round trip:\n got %+v\nwant %+v", back, r)
	}
	if !slices.Contains(back.Hardware.CPU.Features, "crc32") {
		t.Error("features lost")
	}
}
