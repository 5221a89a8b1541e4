package profiles

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// presetFiles holds one file per board class: "# comment" lines and
// "key = value" lines, every key of Keys set exactly once.
//
//go:embed presets/*.conf
var presetFiles embed.FS

// aliases are other names Lookup accepts for a preset.
var aliases = map[string]string{
	"x86-server": "server",
	"container":  "small-vm",
	"pi-zero2w":  "pi-zero-2w",
}

// Names lists the embedded presets, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(presetFiles, "presets")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".conf"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Lookup returns the embedded preset called name (or one of its aliases:
// "x86-server", "container"). The preset is parsed but not validated; the
// tests validate every embedded preset.
func Lookup(name string) (Preset, error) {
	if real, ok := aliases[name]; ok {
		name = real
	}
	data, err := PresetFile(name)
	if err != nil {
		return Preset{}, err
	}
	return ParsePreset(name, data)
}

// PresetFile returns the text of an embedded preset file, comments
// included: the justification of each value. The slice is the caller's.
func PresetFile(name string) ([]byte, error) {
	if real, ok := aliases[name]; ok {
		name = real
	}
	if !fs.ValidPath(name) || strings.Contains(name, "/") {
		return nil, fmt.Errorf("profiles: no preset %q", name)
	}
	data, err := presetFiles.ReadFile("presets/" + name + ".conf")
	if err != nil {
		return nil, fmt.Errorf("profiles: no preset %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return data, nil
}

// All returns every embedded preset in name order.
func All() ([]Preset, error) {
	var all []Preset
	for _, n := range Names() {
		p, err := Lookup(n)
		if err != nil {
			return nil, err
		}
		all = append(all, p)
	}
	return all, nil
}

// ParsePreset reads a preset file: blank lines, lines starting with '#',
// and "key = value" lines. Every key of Keys must be set exactly once.
// name becomes the preset's Name. The result holds copies: it shares no
// memory with data.
func ParsePreset(name string, data []byte) (Preset, error) {
	p := Preset{Name: name}
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, value, ok := strings.Cut(text, "=")
		if !ok {
			return p, fmt.Errorf("profiles: preset %s line %d: want key = value", name, line)
		}
		key = strings.TrimSpace(key)
		if seen[key] {
			return p, fmt.Errorf("profiles: preset %s line %d: %s set twice", name, line, key)
		}
		seen[key] = true
		if err := p.Set(key, value); err != nil {
			return p, fmt.Errorf("preset %s line %d: %w", name, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return p, err
	}
	for _, k := range presetKeys {
		if !seen[k.name] {
			return p, fmt.Errorf("profiles: preset %s does not set %s", name, k.name)
		}
	}
	return p, nil
}

// Apply returns p with overrides laid over it: an explicit value (from
// the command line or the configuration file) always wins over the
// preset's. Keys are those of Keys. Apply checks each value's syntax, not
// the preset's budget: call Validate to warn about a combination that
// does not fit.
func Apply(p Preset, overrides map[string]string) (Preset, error) {
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report the same first error every run
	for _, k := range keys {
		if err := p.Set(k, overrides[k]); err != nil {
			return p, err
		}
	}
	return p, nil
}
