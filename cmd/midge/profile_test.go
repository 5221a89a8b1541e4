package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/midge-mqtt/midge/engine"
	"github.com/midge-mqtt/midge/profiles"
)

func profileFixture(board string) string {
	return filepath.Join("..", "..", "profiles", "testdata", board)
}

func runProfileArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runProfile(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestProfileDetectText(t *testing.T) {
	code, out, errOut := runProfileArgs(t, "--root", profileFixture("pi4b-4gb"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"board     Raspberry Pi 4 Model B Rev 1.4 (hardware BCM2835; revision c03114; compatible raspberrypi,4-model-b, brcm,bcm2711)",
		"cpu       arm64, ARM Cortex-A72, 4 CPUs, 1.80 GHz",
		"memory    3791 MiB total, 3332 MiB available",
		"cgroup    v2, no CPU limit, no memory limit",
		"preset    pi4: Raspberry Pi 4",
		`reason    device-tree model "Raspberry Pi 4 Model B Rev 1.4" is a Raspberry Pi 4`,
		"  event_loops            3\n",
		"  max_connections        8192\n",
		"  gomemlimit             2GiB\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
}

func TestProfileDetectJSON(t *testing.T) {
	code, out, errOut := runProfileArgs(t, "--json", "--root", profileFixture("container-v1"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rec profiles.Record
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	code, text, _ := runProfileArgs(t, "--root", profileFixture("container-v1"))
	if want := "cgroup    v1, CPU limit 2, memory limit 256 MiB, cpuset of 16 CPUs\n"; code != 0 || !strings.Contains(text, want) {
		t.Errorf("text output lacks %q:\n%s", want, text)
	}
	if rec.Preset != "small-vm" || rec.Hardware.Cgroup.MemoryLimitBytes != 256<<20 || rec.Values.MaxConnections != 682 {
		t.Errorf("record: preset %s, memory limit %d, max_connections %d",
			rec.Preset, rec.Hardware.Cgroup.MemoryLimitBytes, rec.Values.MaxConnections)
	}
}

func TestProfileSetOverrides(t *testing.T) {
	code, out, errOut := runProfileArgs(t, "--json", "--root", profileFixture("pi3b"),
		"--set", "max_connections=50", "--set", "max_packet_size=64KiB")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rec profiles.Record
	if err := json.Unmarshal([]byte(out), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Values.MaxConnections != 50 || rec.Values.MaxPacketSize != 64<<10 || rec.Values.MaxInflightMessages != 100 {
		t.Errorf("overrides not applied: %+v", rec.Values)
	}
	if !strings.Contains(rec.Reason, "overridden") {
		t.Errorf("reason %q does not mention the overrides", rec.Reason)
	}

	// An override that breaks the memory budget is applied, with a warning.
	code, _, errOut = runProfileArgs(t, "--root", profileFixture("pi3b"), "--set", "max_connections=1000000")
	if code != 0 || !strings.Contains(errOut, "warning") {
		t.Errorf("budget-breaking override: exit %d, stderr %q", code, errOut)
	}
	for _, bad := range [][]string{{"--set", "colour=blue"}, {"--set", "max_connections=x"}, {"--set", "novalue"}} {
		args := append([]string{"--root", profileFixture("pi3b")}, bad...)
		if code, _, _ := runProfileArgs(t, args...); code == 0 {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestProfileList(t *testing.T) {
	code, out, _ := runProfileArgs(t, "--list")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(profiles.Names()) {
		t.Errorf("%d lines for %d presets:\n%s", len(lines), len(profiles.Names()), out)
	}
	for i, n := range profiles.Names() {
		if i < len(lines) && !strings.HasPrefix(lines[i], n+" ") {
			t.Errorf("line %d %q does not start with %s", i, lines[i], n)
		}
	}
	code, out, _ = runProfileArgs(t, "--list", "--json")
	var all []profiles.Preset
	if err := json.Unmarshal([]byte(out), &all); code != 0 || err != nil || len(all) != len(profiles.Names()) {
		t.Errorf("--list --json: exit %d, %v, %d presets", code, err, len(all))
	}
}

func TestProfileShow(t *testing.T) {
	code, out, _ := runProfileArgs(t, "--show", "beaglebone")
	if code != 0 || !strings.Contains(out, "event_loops = 1") || !strings.Contains(out, "# One core") {
		t.Errorf("--show beaglebone: exit %d\n%s", code, out)
	}
	code, out, _ = runProfileArgs(t, "--show", "x86-server", "--json")
	var p profiles.Preset
	if err := json.Unmarshal([]byte(out), &p); code != 0 || err != nil || p.Name != "server" || !p.LockOSThread {
		t.Errorf("--show x86-server --json: exit %d, %v, %+v", code, err, p)
	}
	if code, _, errOut := runProfileArgs(t, "--show", "toaster"); code != 1 || !strings.Contains(errOut, "no preset") {
		t.Errorf("unknown preset: exit %d, %q", code, errOut)
	}
}

func TestProfileBadUsage(t *testing.T) {
	for _, args := range [][]string{{"--nope"}, {"extra"}, {"--root", profileFixture("no-such-board")}} {
		if code, _, _ := runProfileArgs(t, args...); code == 0 {
			t.Errorf("%v: exit 0", args)
		}
	}
	if code, _, errOut := runProfileArgs(t, "-h"); code != 0 || !strings.Contains(errOut, "max_queued_bytes") {
		t.Errorf("-h: exit %d, usage %q", code, errOut)
	}
}

func TestSelectPreset(t *testing.T) {
	hw := profiles.Detect(os.DirFS(profileFixture("container-v2")))
	p, reason, err := selectPreset("auto", hw)
	if err != nil || p.Name != "small-vm" || !strings.Contains(reason, "cgroup limit") {
		t.Errorf("auto: %s, %q, %v", p.Name, reason, err)
	}
	// By name, the preset is still fitted to the container's limits.
	p, reason, err = selectPreset("pi4", hw)
	if err != nil || p.Name != "pi4" || p.EventLoops != 2 || p.GOMEMLIMIT >= 512<<20 {
		t.Errorf("pi4 in a 1.5-CPU 512 MiB container: %+v, %q, %v", p, reason, err)
	}
	if _, _, err := selectPreset("toaster", hw); err == nil {
		t.Error("unknown preset accepted")
	}
}

func TestPresetEngineOptions(t *testing.T) {
	p, _ := profiles.Lookup("beaglebone")
	var o engine.Options
	presetEngineOptions(p, &o)
	want := engine.Options{EventLoops: 1, MaxConnections: 512, MaxPacketSize: 1 << 20, MaxInflightMessages: 10, MaxInflightBytes: 8 << 10,
		MaxQueuedMessages: 100, MaxQueuedBytes: 64 << 10, OutboundLimit: 64 << 10}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("engine options\n got %+v\nwant %+v", o, want)
	}
}
