package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/midge-mqtt/midge/loadgen"
	"github.com/midge-mqtt/midge/profiles"
)

// SchemaVersion is the version of the Record JSON layout. It changes when
// a field is renamed or its meaning changes; adding fields keeps it.
const SchemaVersion = 1

// Record is one run, as stored in a JSON file.
type Record struct {
	Schema   int    `json:"schema"`
	Scenario string `json:"scenario"`
	// Label names the run in tables and charts (default: broker and
	// scenario).
	Label   string          `json:"label"`
	Broker  BrokerInfo      `json:"broker"`
	Board   profiles.Record `json:"board"`
	Go      string          `json:"go_version"`
	Commit  string          `json:"commit"`
	Date    time.Time       `json:"date"`
	Host    string          `json:"host"`
	Command string          `json:"command"` // the command line that produced it
	// LoadAverage is the machine's 1, 5 and 15 minute load average when
	// the run started: other work on the machine shows in the figures.
	LoadAverage [3]float64 `json:"load_average"`
	// GeneratorCPUPercent is the load generator's own CPU over the run
	// (100 = one core): near the core count, the generator, not the
	// broker, may be what limited the figures.
	GeneratorCPUPercent float64         `json:"generator_cpu_percent"`
	Result              *loadgen.Result `json:"result"`
	// Usage is the broker process's CPU and memory during the run, when
	// its process was known.
	Usage *Usage `json:"usage,omitempty"`
	// Emulation says whether the run ran under user-mode emulation; such
	// figures are not a board's.
	Emulation Emulation `json:"emulation"`
	// Pprof holds the broker's CPU and heap profiles when the run took
	// them (--pprof).
	Pprof *Pprof `json:"pprof,omitempty"`
	// Stalls is what a probe of the machine (ProbeStalls) saw just before
	// the run, when the suite took one.
	Stalls *Stalls `json:"stalls,omitempty"`
}

// BrokerInfo says which broker was measured and how it ran.
type BrokerInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Address string `json:"address"`
	// Mode is "spawn" (started for the run by Command), "inproc" (midge
	// in the benchmark's own process) or "external".
	Mode    string `json:"mode"`
	Command string `json:"command,omitempty"`
}

// Save writes r as indented JSON to path.
func (r *Record) Save(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Load reads a record written by Save, refusing layouts newer than this
// program knows.
func Load(path string) (*Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if r.Schema < 1 || r.Schema > SchemaVersion {
		return nil, fmt.Errorf("%s: record schema %d, this program reads 1..%d", path, r.Schema, SchemaVersion)
	}
	if r.Result == nil {
		return nil, fmt.Errorf("%s: record has no result", path)
	}
	return &r, nil
}

// newRecord fills the fields that describe where and when a run happened.
func newRecord(res *loadgen.Result, broker BrokerInfo, command string) *Record {
	host, _ := os.Hostname()
	r := &Record{
		Schema:    SchemaVersion,
		Scenario:  res.Params.Scenario,
		Broker:    broker,
		Board:     profiles.NewRecord(profiles.DetectHost()),
		Go:        runtime.Version(),
		Commit:    commit(),
		Date:      res.Started.UTC(),
		Host:      host,
		Command:   command,
		Result:    res,
		Emulation: DetectEmulation(),
	}
	r.Label = DefaultLabel(r)
	return r
}

// loadAverage reads /proc/loadavg (zeros when unreadable).
func loadAverage() [3]float64 {
	var la [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return la
	}
	f := strings.Fields(string(b))
	for i := 0; i < 3 && i < len(f); i++ {
		la[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return la
}

// DefaultLabel is "broker scenario qN".
func DefaultLabel(r *Record) string {
	return fmt.Sprintf("%s %s q%d", r.Broker.Name, r.Scenario, r.Result.Params.QoS)
}

// BuildVersion is the version the binary was built as (`make build` sets
// it from git describe); records name it when the build recorded no
// revision of its own.
var BuildVersion string

// commit is the revision this binary was built from: the one the Go
// build recorded, else BuildVersion when it names a git revision, else the
// current checkout's (go test, go run).
func commit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if dirty {
				rev += "-dirty"
			}
			return rev
		}
	}
	if BuildVersion != "" && !strings.HasSuffix(BuildVersion, "-dev") && BuildVersion != "dev" {
		return BuildVersion
	}
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}
