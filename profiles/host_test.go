package profiles

import (
	"reflect"
	"runtime"
	"testing"

	"github.com/klauspost/cpuid/v2"
)

func TestDetectHost(t *testing.T) {
	hw := DetectHost()
	if hw.GoArch != runtime.GOARCH {
		t.Errorf("GoArch %q, want %q", hw.GoArch, runtime.GOARCH)
	}
	if hw.CPU.Arch == "" || hw.CPU.Cores < 1 {
		t.Errorf("arch %q, %d cores", hw.CPU.Arch, hw.CPU.Cores)
	}
	p, reason := Choose(hw)
	if err := p.Validate(); err != nil {
		t.Errorf("preset %s for this machine (%s): %v", p.Name, reason, err)
	}
}

func TestMergeCPUID(t *testing.T) {
	id := cpuid.CPUInfo{
		BrandName: "  Some CPU  ", VendorID: cpuid.AMD, PhysicalCores: 128, ThreadsPerCore: 2,
		Family: 25, Model: 1, CacheLine: 64, Hz: 2_000_000_000, BoostFreq: 3_500_000_000,
		HypervisorVendorID: cpuid.KVM,
	}
	id.Cache.L1D, id.Cache.L1I, id.Cache.L2, id.Cache.L3 = 32<<10, 32<<10, 512<<10, -1

	// cpuinfo named the CPU already: its names stay, cpuid fills the gaps;
	// 128 physical cores on a 4-CPU guest is the host's topology, dropped.
	c := CPU{Vendor: "Intel", Brand: "From cpuinfo", Cores: 4}
	mergeCPUID(&c, &id)
	want := CPU{Vendor: "Intel", Brand: "From cpuinfo", Family: 25, Model: 1, Cores: 4, ThreadsPerCore: 2,
		CacheLine: 64, L1D: 32 << 10, L1I: 32 << 10, L2: 512 << 10, MaxHz: 3_500_000_000, Hypervisor: "KVM"}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("merged\n got %+v\nwant %+v", c, want)
	}

	// Nothing from cpuinfo: cpuid's names are used.
	var empty CPU
	mergeCPUID(&empty, &id)
	if empty.Vendor != "AMD" || empty.Brand != "Some CPU" || empty.PhysicalCores != 128 {
		t.Errorf("from cpuid alone: %+v", empty)
	}

	// ARM: the implementer and part from cpuinfo keep cpuid's x86
	// family and model out.
	arm := CPU{Implementer: "0x41", Part: "0xd08", Cores: 4}
	mergeCPUID(&arm, &id)
	if arm.Family != 0 || arm.Model != 0 {
		t.Errorf("x86 family/model on an ARM CPU: %+v", arm)
	}
}
