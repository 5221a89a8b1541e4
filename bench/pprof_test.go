package bench

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/midge-mqtt/midge/loadgen"
)

// shortLatencyParams is a one-second, low-rate latency run.
func shortLatencyParams(t *testing.T) loadgen.Params {
	t.Helper()
	p, err := loadgen.Preset("latency")
	if err != nil {
		t.Fatal(err)
	}
	p.Rate, p.Duration, p.Drain = 200, loadgen.Duration(time.Second), loadgen.Duration(2*time.Second)
	return p
}

// parseProfile parses with google/pprof, the reference parser.
func parseProfile(t *testing.T, kind string, data []byte) *profile.Profile {
	t.Helper()
	if len(data) == 0 {
		t.Fatalf("%s profile is empty", kind)
	}
	p, err := profile.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s profile: %v", kind, err)
	}
	return p
}

func hasSampleType(p *profile.Profile, typ string) bool {
	for _, st := range p.SampleType {
		if st.Type == typ {
			return true
		}
	}
	return false
}

// leafShares sums each sample's value of sample type index i by the
// innermost function of its leaf location, using the reference parser.
func leafShares(p *profile.Profile, i int) (map[string]int64, int64) {
	flat, total := map[string]int64{}, int64(0)
	for _, s := range p.Sample {
		name := "(unknown)"
		if len(s.Location) > 0 && len(s.Location[0].Line) > 0 && s.Location[0].Line[0].Function != nil {
			name = s.Location[0].Line[0].Function.Name
		}
		flat[name] += s.Value[i]
		total += s.Value[i]
	}
	return flat, total
}

// A run with Pprof against midge in this process records parseable CPU
// and heap profiles, the board and preset, and that it was not emulated.
func TestRunInProcTakesProfiles(t *testing.T) {
	t.Setenv(EmulationEnv, "")
	tg := startMidge(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec, err := Run(ctx, Config{Params: shortLatencyParams(t), Target: tg, Command: "go test", Pprof: true})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Board.Preset == "" || rec.Board.Hardware.CPU.Cores == 0 || rec.Board.Values.Name != rec.Board.Preset {
		t.Errorf("board record %+v", rec.Board)
	}
	if rec.Emulation != DetectEmulation() {
		t.Errorf("emulation %+v, host says %+v", rec.Emulation, DetectEmulation())
	}
	pp := rec.Pprof
	if pp == nil || pp.Source != "inproc" || pp.Error != "" || pp.CPUSeconds < 1 {
		t.Fatalf("pprof %+v", pp)
	}
	cpu := parseProfile(t, "CPU", pp.CPU)
	if !hasSampleType(cpu, "cpu") {
		t.Errorf("CPU profile sample types %v", cpu.SampleType)
	}
	heap := parseProfile(t, "heap", pp.Heap)
	if !hasSampleType(heap, "inuse_space") || !hasSampleType(heap, "alloc_space") {
		t.Errorf("heap profile sample types %v", heap.SampleType)
	}
	// This file's reader agrees with the reference parser on every
	// function's flat CPU.
	ours, err := parseFlatProfile(pp.CPU, "cpu")
	if err != nil {
		t.Fatal(err)
	}
	cpuIndex := len(cpu.SampleType) - 1
	ref, total := leafShares(cpu, cpuIndex)
	if ours.Total != total || len(ours.Flat) != len(ref) {
		t.Fatalf("total %d over %d functions, reference %d over %d", ours.Total, len(ours.Flat), total, len(ref))
	}
	for fn, v := range ref {
		if ours.Flat[fn] != v {
			t.Errorf("%s: %d, reference %d", fn, ours.Flat[fn], v)
		}
	}
	// The record keeps the profiles through Save and Load.
	path := t.TempDir() + "/r.json"
	if err := rec.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Pprof.CPU, pp.CPU) || !bytes.Equal(back.Pprof.Heap, pp.Heap) || back.Board.Preset != rec.Board.Preset ||
		back.Emulation != rec.Emulation {
		t.Error("profiles, board or emulation changed through Save and Load")
	}
}

// A broker in another process is profiled through its net/http/pprof
// handler (what a midge started with MIDGE_PPROF serves).
func TestRunFetchesProfilesOverHTTP(t *testing.T) {
	broker := startMidge(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tg := External(broker.Info.Address, 0)
	tg.PprofAddr = strings.TrimPrefix(srv.URL, "http://")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec, err := Run(ctx, Config{Params: shortLatencyParams(t), Target: tg, Command: "go test", Pprof: true, PprofSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	pp := rec.Pprof
	if pp == nil || !strings.HasPrefix(pp.Source, srv.URL) || pp.Error != "" {
		t.Fatalf("pprof %+v", pp)
	}
	if !hasSampleType(parseProfile(t, "CPU", pp.CPU), "cpu") || !hasSampleType(parseProfile(t, "heap", pp.Heap), "inuse_space") {
		t.Error("profiles lack their sample types")
	}
}

// A broker that serves no profiles leaves the run's figures and says why
// the profiles are missing.
func TestRunWithoutProfileSource(t *testing.T) {
	broker := startMidge(t)
	tg := External(broker.Info.Address, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec, err := Run(ctx, Config{Params: shortLatencyParams(t), Target: tg, Command: "go test", Pprof: true})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Pprof == nil || rec.Pprof.Error == "" || len(rec.Pprof.CPU) != 0 || rec.Result.Received == 0 {
		t.Errorf("pprof %+v, received %d", rec.Pprof, rec.Result.Received)
	}
	tg.PprofAddr = freeAddr(t) // nothing listens there
	rec, err = Run(ctx, Config{Params: shortLatencyParams(t), Target: tg, Command: "go test", Pprof: true})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Pprof == nil || !strings.Contains(rec.Pprof.Error, PprofEnv) {
		t.Errorf("pprof %+v", rec.Pprof)
	}
}

// Spawn hands the extra environment to the broker process.
func TestSpawnPassesEnvironment(t *testing.T) {
	tg := startMosquittoEnv(t, PprofEnv+"=127.0.0.1:1")
	b, err := readEnviron(tg.PID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains("\x00"+b+"\x00", "\x00"+PprofEnv+"=127.0.0.1:1\x00") {
		t.Errorf("broker environment lacks %s", PprofEnv)
	}
}
