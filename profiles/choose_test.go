package profiles

import (
	"strings"
	"testing"
)

func TestChooseBoards(t *testing.T) {
	tests := []struct {
		board      string
		preset     string
		reasonHas  string // what decided
		eventLoops int    // after Fit
		conns      int    // after Fit
		memLimit   int64  // after Fit
	}{
		{"pi-zero-2w", "pi-zero-2w", `device-tree model "Raspberry Pi Zero 2 W Rev 1.0"`, 2, 1024, 256 * MiB},
		{"pi3b", "pi3", `device-tree model "Raspberry Pi 3 Model B Rev 1.2"`, 2, 2048, 512 * MiB},
		{"pi4b-4gb", "pi4", `device-tree model "Raspberry Pi 4 Model B Rev 1.4"`, 3, 8192, 2048 * MiB},
		// 8 GB keeps the 4 GB sizing: the pi5 preset does not scale up.
		{"pi5-8gb", "pi5", `device-tree model "Raspberry Pi 5 Model B Rev 1.0"`, 4, 10000, 2048 * MiB},
		{"beaglebone-black", "beaglebone", `device-tree model "TI AM335x BeagleBone Black"`, 1, 512, 256 * MiB},
		{"jetson-nano", "jetson", `device-tree model "NVIDIA Jetson Nano Developer Kit"`, 2, 1024, 1024 * MiB},
		{"imx8mm-evk", "imx8", `device-tree model "NXP i.MX8MM EVK board"`, 2, 4096, 1024 * MiB},
		// 7851 MiB found, sized for 768 MiB: 512 MiB and 2048 connections
		// times 7851/768; one loop per CPU.
		{"orangepi5", "generic-arm64", "unknown arm64 board with 8 CPUs, 7851MiB memory", 8, 20936, 5234 * MiB},
		// No device tree, no Model line: the revision code says Pi 4;
		// 1850 MiB of the 3 GiB the preset is sized for.
		{"pi4b-2gb-container", "pi4", "cpuinfo Revision b03112", 3, 4933, 1233 * MiB},
		// 64308 MiB, sized for 7168: 5120 MiB and 13000 connections times
		// 64308/7168.
		{"x86-server", "server", "amd64 machine with 16 CPUs, 64308MiB memory", 16, 116630, 45934 * MiB},
		{"container-v2", "small-vm", "amd64 container with 1.5 CPUs, 512MiB memory (cgroup limit): small", 1, 1365, 341 * MiB},
		{"container-v1", "small-vm", "amd64 container with 2 CPUs, 256MiB memory (cgroup limit): small", 1, 682, 170 * MiB},
		{"kvm-small-vm", "small-vm", "amd64 virtual machine with 1 CPU, 981MiB memory: small", 1, 2616, 654 * MiB},
	}
	for _, tt := range tests {
		t.Run(tt.board, func(t *testing.T) {
			hw := fixture(t, tt.board)
			p, reason := Choose(hw)
			if p.Name != tt.preset {
				t.Fatalf("Choose = %s (%s), want %s", p.Name, reason, tt.preset)
			}
			if !strings.Contains(reason, tt.reasonHas) {
				t.Errorf("reason %q does not say %q", reason, tt.reasonHas)
			}
			if p.EventLoops != tt.eventLoops || p.MaxConnections != tt.conns || p.GOMEMLIMIT != tt.memLimit {
				t.Errorf("fitted event_loops %d, max_connections %d, gomemlimit %s; want %d, %d, %s (%s)",
					p.EventLoops, p.MaxConnections, formatBytes(p.GOMEMLIMIT), tt.eventLoops, tt.conns, formatBytes(tt.memLimit), reason)
			}
			if err := p.Validate(); err != nil {
				t.Errorf("fitted preset does not validate: %v", err)
			}
			if p.GOMEMLIMIT >= hw.UsableMemory() {
				t.Errorf("gomemlimit %d not below usable memory %d", p.GOMEMLIMIT, hw.UsableMemory())
			}
			if p.GOMAXPROCS > hw.UsableCPUsCeil() || p.EventLoops > hw.UsableCPUsCeil() {
				t.Errorf("gomaxprocs %d / event_loops %d above %d usable CPUs", p.GOMAXPROCS, p.EventLoops, hw.UsableCPUsCeil())
			}
		})
	}
}

// The device-tree model decides before cpuinfo: a model naming one board
// wins over a revision code naming another.
func TestChooseOrder(t *testing.T) {
	hw := Hardware{
		Board: Board{Model: "Raspberry Pi 5 Model B Rev 1.0", Revision: "c03114", Hardware: "Generic AM33XX"},
		CPU:   CPU{Arch: "arm64", Cores: 4},
	}
	if p, reason := Choose(hw); p.Name != "pi5" {
		t.Errorf("model and revision disagree: chose %s (%s), want pi5 from the model", p.Name, reason)
	}
	hw.Board.Model = ""
	if p, reason := Choose(hw); p.Name != "pi4" {
		t.Errorf("no model: chose %s (%s), want pi4 from the revision", p.Name, reason)
	}
	hw.Board.Revision = "0000" // BeagleBone's: old-style, no board type
	if p, reason := Choose(hw); p.Name != "beaglebone" {
		t.Errorf("no model, no revision: chose %s (%s), want beaglebone from Hardware", p.Name, reason)
	}
	hw.Board.Hardware = ""
	if p, reason := Choose(hw); p.Name != "generic-arm64" {
		t.Errorf("nothing named: chose %s (%s), want generic-arm64", p.Name, reason)
	}
	hw.CPU.Arch = "arm"
	if p, _ := Choose(hw); p.Name != "generic-armv7" {
		t.Errorf("32-bit ARM: chose %s, want generic-armv7", p.Name)
	}
	hw = Hardware{CPU: CPU{Arch: "arm64", Cores: 64}, Memory: Memory{TotalBytes: 128 << 30}}
	if p, reason := Choose(hw); p.Name != "server" {
		t.Errorf("64-core arm64: chose %s (%s), want server", p.Name, reason)
	}
	// Nothing known at all still gives a preset that validates.
	p, reason := Choose(Hardware{})
	if p.Name != "server" || p.Validate() != nil {
		t.Errorf("empty hardware: %s (%s), validate %v", p.Name, reason, p.Validate())
	}
}

func TestRaspberryPiRevision(t *testing.T) {
	for rev, want := range map[string]string{
		"902120": "pi-zero-2w",
		"a02082": "pi3",
		"a020d3": "pi3", // 3B+
		"9020e0": "pi3", // 3A+
		"c03111": "pi4",
		"b03114": "pi4",
		"c03130": "pi4", // 400
		"a03140": "pi4", // CM4
		"d04170": "pi5",
		"c04170": "pi5",
		"9000c1": "", // Zero W: no preset of its own
		"000e":   "", // old-style code (Pi 1 B)
		"a21041": "", // Pi 2 B
		"zzz":    "", // not hexadecimal
		"":       "",
	} {
		got, ok := raspberryPiPreset(rev)
		if got != want || ok != (want != "") {
			t.Errorf("revision %q: %q, %v; want %q", rev, got, ok, want)
		}
	}
}
