package profiles

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// FuzzParsePreset: any text either fails to parse or gives a preset whose
// values print back (Get) to text that parses to the same preset.
func FuzzParsePreset(f *testing.F) {
	for _, n := range Names() {
		data, _ := PresetFile(n)
		f.Add(data)
	}
	f.Add([]byte("max_connections = 5\nmax_connections = 6\n"))
	f.Add([]byte("gomemlimit = 9223372036854775807TiB\n"))
	f.Add([]byte("= \n#\n\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePreset("fuzz", data)
		if err != nil {
			return
		}
		var q Preset
		q.Name = "fuzz"
		for _, k := range Keys() {
			v, _ := p.Get(k)
			if err := q.Set(k, v); err != nil {
				t.Fatalf("Set(%q, %q) of a parsed value: %v", k, v, err)
			}
		}
		if q != p {
			t.Fatalf("round trip:\n got %+v\nwant %+v", q, p)
		}
		_ = p.Validate()
		p.Fit(Hardware{CPU: CPU{Cores: 3}, Memory: Memory{TotalBytes: 1 << 30}})
	})
}

// FuzzDetect: whatever the kernel files hold, Detect and Choose return
// without panicking, and the usable resources are never negative.
func FuzzDetect(f *testing.F) {
	for _, board := range []string{"pi4b-4gb", "container-v1", "x86-server"} {
		read := func(name string) []byte {
			data, _ := os.ReadFile(filepath.Join("testdata", board, name))
			return data
		}
		f.Add(read("proc/cpuinfo"), read("proc/meminfo"), read("proc/self/cgroup"), []byte("150000 100000"), []byte("max"))
	}
	f.Add([]byte("CPU part: 0xzz\nCPU implementer: 0x41\n"), []byte("MemTotal: -5 kB\nMemAvailable: 9223372036854775807 kB"), []byte("0::/../../.."), []byte("-1 -1"), []byte("-9"))
	f.Fuzz(func(t *testing.T, cpuinfo, meminfo, selfCgroup, cpuMax, memMax []byte) {
		root := fstest.MapFS{
			"proc/cpuinfo":                     {Data: cpuinfo},
			"proc/meminfo":                     {Data: meminfo},
			"proc/self/cgroup":                 {Data: selfCgroup},
			"sys/fs/cgroup/cgroup.controllers": {Data: []byte("cpu memory")},
			"sys/fs/cgroup/cpu.max":            {Data: cpuMax},
			"sys/fs/cgroup/memory.max":         {Data: memMax},
		}
		hw := Detect(root)
		if hw.UsableCPUs() < 0 || hw.UsableMemory() < 0 {
			t.Fatalf("negative usable resources: %+v", hw)
		}
		if p, _ := Choose(hw); p.Name == "" {
			t.Fatal("no preset chosen")
		}
	})
}
