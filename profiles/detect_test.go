package profiles

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
)

// fixture opens testdata/<board> as the file system root.
func fixture(t *testing.T, board string) Hardware {
	t.Helper()
	dir := filepath.Join("testdata", board)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("fixture %s: %v", board, err)
	}
	return Detect(os.DirFS(dir))
}

const (
	kB  = int64(1024)
	MiB = int64(1) << 20
)

func TestDetectBoards(t *testing.T) {
	tests := []struct {
		board string
		want  Hardware
	}{
		{"pi-zero-2w", Hardware{
			Board: Board{Model: "Raspberry Pi Zero 2 W Rev 1.0", Compatible: []string{"raspberrypi,model-zero-2-w", "brcm,bcm2837"},
				Hardware: "BCM2835", Revision: "902120", CPUInfoModel: "Raspberry Pi Zero 2 W Rev 1.0"},
			CPU:    CPU{Arch: "arm", Vendor: "ARM", Brand: "ARMv7 Processor rev 4 (v7l)", Implementer: "0x41", Part: "0xd03", Core: "Cortex-A53", Cores: 4},
			Memory: Memory{TotalBytes: 439532 * kB, AvailableBytes: 331208 * kB},
			Cgroup: Cgroup{Version: 2},
		}},
		{"pi3b", Hardware{
			Board: Board{Model: "Raspberry Pi 3 Model B Rev 1.2", Compatible: []string{"raspberrypi,3-model-b", "brcm,bcm2837"},
				Hardware: "BCM2835", Revision: "a02082", CPUInfoModel: "Raspberry Pi 3 Model B Rev 1.2"},
			CPU:    CPU{Arch: "arm", Vendor: "ARM", Brand: "ARMv7 Processor rev 4 (v7l)", Implementer: "0x41", Part: "0xd03", Core: "Cortex-A53", Cores: 4},
			Memory: Memory{TotalBytes: 948304 * kB, AvailableBytes: 760112 * kB},
			Cgroup: Cgroup{Version: 1}, // v1 "unlimited" and quota -1 are no limits
		}},
		{"pi4b-4gb", Hardware{
			Board: Board{Model: "Raspberry Pi 4 Model B Rev 1.4", Compatible: []string{"raspberrypi,4-model-b", "brcm,bcm2711"},
				Hardware: "BCM2835", Revision: "c03114", CPUInfoModel: "Raspberry Pi 4 Model B Rev 1.4"},
			CPU:    CPU{Arch: "arm64", Vendor: "ARM", Implementer: "0x41", Part: "0xd08", Core: "Cortex-A72", Cores: 4, MaxHz: 1_800_000_000},
			Memory: Memory{TotalBytes: 3882700 * kB, AvailableBytes: 3412040 * kB},
			Cgroup: Cgroup{Version: 2},
		}},
		{"pi5-8gb", Hardware{
			Board: Board{Model: "Raspberry Pi 5 Model B Rev 1.0", Compatible: []string{"raspberrypi,5-model-b", "brcm,bcm2712"},
				Revision: "d04170", CPUInfoModel: "Raspberry Pi 5 Model B Rev 1.0"},
			CPU:    CPU{Arch: "arm64", Vendor: "ARM", Implementer: "0x41", Part: "0xd0b", Core: "Cortex-A76", Cores: 4, MaxHz: 2_400_000_000},
			Memory: Memory{TotalBytes: 8256800 * kB, AvailableBytes: 7795120 * kB},
			Cgroup: Cgroup{Version: 2},
		}},
		{"beaglebone-black", Hardware{
			Board: Board{Model: "TI AM335x BeagleBone Black", Compatible: []string{"ti,am335x-bone-black", "ti,am335x-bone", "ti,am33xx"},
				Hardware: "Generic AM33XX (Flattened Device Tree)", Revision: "0000"},
			CPU:    CPU{Arch: "arm", Vendor: "ARM", Brand: "ARMv7 Processor rev 2 (v7l)", Implementer: "0x41", Part: "0xc08", Core: "Cortex-A8", Cores: 1},
			Memory: Memory{TotalBytes: 497128 * kB, AvailableBytes: 398112 * kB},
			Cgroup: Cgroup{Version: 2},
		}},
		{"jetson-nano", Hardware{
			Board:  Board{Model: "NVIDIA Jetson Nano Developer Kit", Compatible: []string{"nvidia,p3450-0000", "nvidia,jetson-nano", "nvidia,tegra210"}},
			CPU:    CPU{Arch: "arm64", Vendor: "ARM", Brand: "ARMv8 Processor rev 1 (v8l)", Implementer: "0x41", Part: "0xd07", Core: "Cortex-A57", Cores: 4},
			Memory: Memory{TotalBytes: 4051032 * kB, AvailableBytes: 2910220 * kB},
			Cgroup: Cgroup{Version: 1},
		}},
		{"imx8mm-evk", Hardware{
			Board:  Board{Model: "NXP i.MX8MM EVK board", Compatible: []string{"fsl,imx8mm-evk", "fsl,imx8mm"}},
			CPU:    CPU{Arch: "arm64", Vendor: "ARM", Implementer: "0x41", Part: "0xd03", Core: "Cortex-A53", Cores: 4},
			Memory: Memory{TotalBytes: 1983872 * kB, AvailableBytes: 1723340 * kB},
		}},
		{"orangepi5", Hardware{
			Board:  Board{Model: "Orange Pi 5", Compatible: []string{"rockchip,rk3588s-orangepi-5", "rockchip,rk3588"}},
			CPU:    CPU{Arch: "arm64", Vendor: "ARM", Implementer: "0x41", Part: "0xd05", Core: "Cortex-A55+Cortex-A76", Cores: 8},
			Memory: Memory{TotalBytes: 8040012 * kB, AvailableBytes: 7502112 * kB},
		}},
		{"pi4b-2gb-container", Hardware{
			Board:  Board{Hardware: "BCM2835", Revision: "b03112"},
			CPU:    CPU{Arch: "arm64", Vendor: "ARM", Implementer: "0x41", Part: "0xd08", Core: "Cortex-A72", Cores: 4},
			Memory: Memory{TotalBytes: 1894428 * kB, AvailableBytes: 1623340 * kB},
		}},
		{"x86-server", Hardware{
			Board:  Board{Vendor: "Dell Inc.", Product: "PowerEdge R640"},
			CPU:    CPU{Arch: "amd64", Vendor: "Intel", Brand: "Intel(R) Xeon(R) Silver 4110 CPU @ 2.10GHz", Family: 6, Model: 85, Cores: 16},
			Memory: Memory{TotalBytes: 65852012 * kB, AvailableBytes: 63023104 * kB},
			Cgroup: Cgroup{Version: 2},
		}},
		{"container-v2", Hardware{
			CPU:    CPU{Arch: "amd64", Vendor: "Intel", Brand: "Intel(R) Xeon(R) Silver 4110 CPU @ 2.10GHz", Family: 6, Model: 85, Cores: 16},
			Memory: Memory{TotalBytes: 32827452 * kB, AvailableBytes: 31023104 * kB},
			Cgroup: Cgroup{Version: 2, CPULimit: 1.5, MemoryLimitBytes: 512 * MiB, CPUSet: 16},
		}},
		{"container-v1", Hardware{
			CPU:    CPU{Arch: "amd64", Vendor: "Intel", Brand: "Intel(R) Xeon(R) Silver 4110 CPU @ 2.10GHz", Family: 6, Model: 85, Cores: 16},
			Memory: Memory{TotalBytes: 32827452 * kB, AvailableBytes: 31023104 * kB},
			Cgroup: Cgroup{Version: 1, CPULimit: 2, MemoryLimitBytes: 256 * MiB, CPUSet: 16},
		}},
		{"kvm-small-vm", Hardware{
			Board:  Board{Vendor: "Google", Product: "Google Compute Engine"},
			CPU:    CPU{Arch: "amd64", Vendor: "AMD", Brand: "AMD EPYC 7B12", Family: 23, Model: 49, Cores: 1, Hypervisor: "unknown"},
			Memory: Memory{TotalBytes: 1004772 * kB, AvailableBytes: 802112 * kB},
			Cgroup: Cgroup{Version: 2},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.board, func(t *testing.T) {
			got := fixture(t, tt.board)
			if len(got.CPU.Features) == 0 {
				t.Errorf("no CPU features read")
			}
			got.CPU.Features = nil // long lists; checked for presence above
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Detect:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDetectFeatures(t *testing.T) {
	hw := fixture(t, "pi5-8gb")
	want := []string{"fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp", "asimdhp", "cpuid", "asimdrdm", "lrcpc", "dcpop", "asimddp"}
	if !reflect.DeepEqual(hw.CPU.Features, want) {
		t.Errorf("features %v, want %v", hw.CPU.Features, want)
	}
}

func TestDetectEmptyRoot(t *testing.T) {
	hw := Detect(fstest.MapFS{})
	if !reflect.DeepEqual(hw, Hardware{}) {
		t.Errorf("Detect of an empty tree = %+v, want the zero Hardware", hw)
	}
}

// The device tree is read through sys/firmware when proc/device-tree is
// not there (proc mounted without the link).
func TestDetectDeviceTreeFallback(t *testing.T) {
	hw := Detect(fstest.MapFS{
		"sys/firmware/devicetree/base/model":      {Data: []byte("Raspberry Pi 4 Model B Rev 1.5\x00")},
		"sys/firmware/devicetree/base/compatible": {Data: []byte("raspberrypi,4-model-b\x00brcm,bcm2711\x00")},
	})
	if hw.Board.Model != "Raspberry Pi 4 Model B Rev 1.5" || len(hw.Board.Compatible) != 2 {
		t.Errorf("board %+v", hw.Board)
	}
}

func TestOnlineCPUs(t *testing.T) {
	for in, want := range map[string]int{
		"0":           1,
		"0-3":         4,
		"0-3,6,8-9":   7,
		"0-3\n":       4,
		"":            0,
		"3-1":         0,
		"0-x":         0,
		"a":           0,
		"0-1,,4":      0,
		"0-63,64-127": 128,
	} {
		root := fstest.MapFS{"sys/devices/system/cpu/online": {Data: []byte(in)}}
		if got := readOnlineCPUs(root); got != want {
			t.Errorf("online %q: %d CPUs, want %d", in, got, want)
		}
	}
}

func TestCPUMax(t *testing.T) {
	for in, want := range map[string]float64{
		"max 100000":    0,
		"max":           0,
		"150000 100000": 1.5,
		"50000 100000":  0.5,
		"200000":        2,
		"100000 0":      0,
		"-1 100000":     0,
		"x 100000":      0,
		"":              0,
	} {
		if got := parseCPUMax(in); got != want {
			t.Errorf("cpu.max %q = %v CPUs, want %v", in, got, want)
		}
	}
}

// A limit on a parent group applies to its children: the tightest wins.
func TestCgroupV2AncestorLimit(t *testing.T) {
	root := fstest.MapFS{
		"proc/self/cgroup":                        {Data: []byte("0::/a/b\n")},
		"sys/fs/cgroup/cgroup.controllers":        {Data: []byte("cpu memory\n")},
		"sys/fs/cgroup/a/cpu.max":                 {Data: []byte("100000 100000\n")},
		"sys/fs/cgroup/a/memory.max":              {Data: []byte("max\n")},
		"sys/fs/cgroup/a/b/cpu.max":               {Data: []byte("300000 100000\n")},
		"sys/fs/cgroup/a/b/memory.max":            {Data: []byte("1073741824\n")},
		"sys/fs/cgroup/a/b/cgroup.controllers":    {Data: []byte("cpu memory\n")},
		"sys/fs/cgroup/unrelated/memory.max":      {Data: []byte("1\n")},
		"sys/fs/cgroup/unrelated/cgroup.procs":    {Data: []byte("")},
		"sys/fs/cgroup/a/b/c-not-ours/memory.max": {Data: []byte("2\n")},
	}
	got := Detect(root).Cgroup
	want := Cgroup{Version: 2, CPULimit: 1, MemoryLimitBytes: 1 << 30}
	if got != want {
		t.Errorf("cgroup %+v, want %+v", got, want)
	}
}

// A group path outside the namespace ("/../..") stays inside the mount.
func TestCgroupPathOutsideNamespace(t *testing.T) {
	root := fstest.MapFS{
		"proc/self/cgroup":                 {Data: []byte("0::/../../system.slice/x\n")},
		"sys/fs/cgroup/cgroup.controllers": {Data: []byte("cpu memory\n")},
		"sys/fs/cgroup/memory.max":         {Data: []byte("268435456\n")},
	}
	if got := Detect(root).Cgroup.MemoryLimitBytes; got != 256*MiB {
		t.Errorf("memory limit %d, want %d", got, 256*MiB)
	}
}

func TestUsable(t *testing.T) {
	hw := fixture(t, "container-v2")
	if got := hw.UsableCPUs(); got != 1.5 {
		t.Errorf("UsableCPUs %v, want 1.5", got)
	}
	if got := hw.UsableCPUsCeil(); got != 2 {
		t.Errorf("UsableCPUsCeil %v, want 2", got)
	}
	if got := hw.UsableMemory(); got != 512*MiB {
		t.Errorf("UsableMemory %v, want 512MiB", got)
	}
	if !hw.Limited() {
		t.Error("Limited false for a container held by cpu.max and memory.max")
	}
	// A limit above what the machine has does not limit.
	hw = Hardware{CPU: CPU{Cores: 2}, Memory: Memory{TotalBytes: 1 << 30}, Cgroup: Cgroup{CPULimit: 4, MemoryLimitBytes: 2 << 30}}
	if hw.Limited() || hw.UsableCPUs() != 2 || hw.UsableMemory() != 1<<30 {
		t.Errorf("limits above the machine: Limited %v, CPUs %v, memory %v", hw.Limited(), hw.UsableCPUs(), hw.UsableMemory())
	}
}

// docker --cpuset-cpus 2-3 without a quota: two usable CPUs.
func TestCgroupCPUSet(t *testing.T) {
	root := fstest.MapFS{
		"proc/cpuinfo":                        {Data: []byte("processor: 0\nvendor_id: GenuineIntel\nflags: fpu lm\n")},
		"sys/devices/system/cpu/online":       {Data: []byte("0-7\n")},
		"proc/meminfo":                        {Data: []byte("MemTotal: 16318412 kB\n")},
		"proc/self/cgroup":                    {Data: []byte("0::/\n")},
		"sys/fs/cgroup/cgroup.controllers":    {Data: []byte("cpuset cpu memory\n")},
		"sys/fs/cgroup/cpu.max":               {Data: []byte("max 100000\n")},
		"sys/fs/cgroup/memory.max":            {Data: []byte("max\n")},
		"sys/fs/cgroup/cpuset.cpus.effective": {Data: []byte("2-3\n")},
	}
	hw := Detect(root)
	if hw.Cgroup.CPUSet != 2 || hw.UsableCPUs() != 2 || !hw.Limited() {
		t.Fatalf("cpuset 2-3: %+v, usable %v, limited %v", hw.Cgroup, hw.UsableCPUs(), hw.Limited())
	}
	p, reason := Choose(hw)
	if p.Name != "small-vm" || p.EventLoops != 1 {
		t.Errorf("chose %s with %d loops (%s), want small-vm with 1 (two CPUs: one loop)", p.Name, p.EventLoops, reason)
	}

	// cgroup v1: cpuset.cpus of the cpuset controller's group.
	v1 := fstest.MapFS{
		"proc/self/cgroup":                           {Data: []byte("3:cpuset:/docker/x\n")},
		"sys/fs/cgroup/cpuset/cpuset.cpus":           {Data: []byte("0,4\n")},
		"sys/fs/cgroup/memory/memory.limit_in_bytes": {Data: []byte("9223372036854771712\n")},
	}
	if got := Detect(v1).Cgroup; got != (Cgroup{Version: 1, CPUSet: 2}) {
		t.Errorf("v1 cpuset: %+v", got)
	}
}
