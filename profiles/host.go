package profiles

import (
	"os"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// DetectHost describes the machine this process runs on: Detect of the
// root file system, completed with what the processor reports through
// cpuid (brand, core topology, cache sizes, clock, hypervisor). Where
// /proc/cpuinfo already named something (ARM boards, where cpuid sees
// little), cpuinfo's value is kept.
func DetectHost() Hardware {
	hw := Detect(os.DirFS("/"))
	mergeCPUID(&hw.CPU, &cpuid.CPU)
	hw.GoArch = runtime.GOARCH
	if hw.CPU.Arch == "" {
		hw.CPU.Arch = runtime.GOARCH
	}
	if hw.CPU.Cores == 0 {
		hw.CPU.Cores = runtime.NumCPU()
	}
	return hw
}

// mergeCPUID fills the fields of c that cpuinfo left empty from cpuid.
func mergeCPUID(c *CPU, id *cpuid.CPUInfo) {
	if c.Vendor == "" && id.VendorID != cpuid.VendorUnknown {
		c.Vendor = id.VendorID.String()
	}
	if c.Brand == "" {
		c.Brand = strings.TrimSpace(id.BrandName)
	}
	if c.Family == 0 && c.Implementer == "" {
		c.Family, c.Model = id.Family, id.Model
	}
	// Hypervisors pass cpuid's topology through from the host: more
	// physical cores than the guest has CPUs says nothing of the guest.
	if c.PhysicalCores == 0 && (c.Cores == 0 || id.PhysicalCores <= c.Cores) {
		c.PhysicalCores = id.PhysicalCores
	}
	if c.ThreadsPerCore == 0 {
		c.ThreadsPerCore = id.ThreadsPerCore
	}
	if c.CacheLine == 0 {
		c.CacheLine = id.CacheLine
	}
	setPositive(&c.L1D, id.Cache.L1D)
	setPositive(&c.L1I, id.Cache.L1I)
	setPositive(&c.L2, id.Cache.L2)
	setPositive(&c.L3, id.Cache.L3)
	if c.MaxHz == 0 {
		c.MaxHz = max(id.BoostFreq, id.Hz)
	}
	if len(c.Features) == 0 {
		for _, f := range id.FeatureSet() {
			c.Features = append(c.Features, strings.ToLower(f))
		}
	}
	if id.HypervisorVendorID != cpuid.VendorUnknown {
		c.Hypervisor = id.HypervisorVendorID.String()
	} else if c.Hypervisor == "" && id.VM() {
		c.Hypervisor = "unknown"
	}
}

// setPositive stores v when dst is unset; cpuid reports -1 for unknown.
func setPositive(dst *int, v int) {
	if *dst == 0 && v > 0 {
		*dst = v
	}
}
