package profiles

import "math"

// Hardware is what was detected about a machine. Zero fields were not
// found. Its JSON form is part of benchmark records: rename nothing.
type Hardware struct {
	Board  Board  `json:"board"`
	CPU    CPU    `json:"cpu"`
	Memory Memory `json:"memory"`
	Cgroup Cgroup `json:"cgroup"`
	// GoArch is the architecture the running binary was built for
	// (runtime.GOARCH); set by DetectHost only. It differs from CPU.Arch
	// when, say, an armv7 binary runs on a 64-bit kernel.
	GoArch string `json:"goarch,omitempty"`
}

// Board names the machine as its firmware and kernel do.
type Board struct {
	// Model is /proc/device-tree/model, e.g. "Raspberry Pi 4 Model B Rev 1.1".
	Model string `json:"model,omitempty"`
	// Compatible is /proc/device-tree/compatible, most specific first,
	// e.g. ["nvidia,p3450-0000", "nvidia,jetson-nano", "nvidia,tegra210"].
	Compatible []string `json:"compatible,omitempty"`
	// Hardware and Revision are the "Hardware" and "Revision" lines of
	// /proc/cpuinfo (Raspberry Pi kernels: "BCM2835", "c03111").
	Hardware string `json:"hardware,omitempty"`
	Revision string `json:"revision,omitempty"`
	// CPUInfoModel is the "Model" line of /proc/cpuinfo that Raspberry Pi
	// kernels add; it repeats the device-tree model.
	CPUInfoModel string `json:"cpuinfo_model,omitempty"`
	// Vendor and Product come from DMI (/sys/class/dmi/id/sys_vendor and
	// product_name) on PCs, servers and virtual machines.
	Vendor  string `json:"vendor,omitempty"`
	Product string `json:"product,omitempty"`
}

// CPU describes the processor.
type CPU struct {
	// Arch is the instruction set the kernel reports: "arm64", "arm",
	// "amd64", "386", "riscv64", or "" when unknown.
	Arch string `json:"arch,omitempty"`
	// Vendor is the maker: cpuid's vendor on x86, the name of the ARM
	// implementer code otherwise ("ARM", "NVIDIA", "Apple", ...).
	Vendor string `json:"vendor,omitempty"`
	// Brand is the marketing name (x86 "model name", cpuid brand string).
	Brand string `json:"brand,omitempty"`
	// Implementer and Part are the ARM "CPU implementer" and "CPU part"
	// codes of /proc/cpuinfo ("0x41", "0xd08"); Core names the part
	// ("Cortex-A72") when it is known.
	Implementer string `json:"implementer,omitempty"`
	Part        string `json:"part,omitempty"`
	Core        string `json:"core,omitempty"`
	// Family and Model are the x86 family and model numbers.
	Family int `json:"family,omitempty"`
	Model  int `json:"model,omitempty"`
	// Cores is the number of logical CPUs the kernel runs (online CPUs).
	Cores int `json:"cores"`
	// PhysicalCores and ThreadsPerCore come from cpuid, 0 when unknown.
	PhysicalCores  int `json:"physical_cores,omitempty"`
	ThreadsPerCore int `json:"threads_per_core,omitempty"`
	// Cache sizes in bytes (per core or shared, as cpuid reports them) and
	// the cache line size; 0 when unknown.
	CacheLine int `json:"cache_line,omitempty"`
	L1D       int `json:"l1d,omitempty"`
	L1I       int `json:"l1i,omitempty"`
	L2        int `json:"l2,omitempty"`
	L3        int `json:"l3,omitempty"`
	// MaxHz is the highest clock in Hz that cpuid or cpufreq reports.
	MaxHz int64 `json:"max_hz,omitempty"`
	// Features are the processor's feature flags, lower case, as
	// /proc/cpuinfo lists them ("asimd", "crc32", "avx2", ...).
	Features []string `json:"features,omitempty"`
	// Hypervisor names the hypervisor when the CPU runs virtualised
	// ("KVM", "VMware", or "unknown" when only the flag says so).
	Hypervisor string `json:"hypervisor,omitempty"`
}

// Memory is /proc/meminfo.
type Memory struct {
	TotalBytes     int64 `json:"total_bytes"`
	AvailableBytes int64 `json:"available_bytes,omitempty"`
}

// Cgroup holds the limits of the control group the process runs in, the
// tightest of its own group and its ancestors.
type Cgroup struct {
	// Version is 1 or 2; 0 when no cgroup file system was found.
	Version int `json:"version,omitempty"`
	// CPULimit is the CPU quota in CPUs (cpu.max or cpu.cfs_quota_us over
	// the period), e.g. 1.5; 0 means no limit.
	CPULimit float64 `json:"cpu_limit,omitempty"`
	// MemoryLimitBytes is memory.max or memory.limit_in_bytes; 0 means
	// no limit.
	MemoryLimitBytes int64 `json:"memory_limit_bytes,omitempty"`
	// CPUSet is the number of CPUs the group may run on
	// (cpuset.cpus.effective, v1 cpuset.cpus); 0 when unknown.
	CPUSet int `json:"cpuset,omitempty"`
}

// UsableCPUs is how many CPUs' worth of time the process may use: the
// online CPUs, lowered to the cgroup's cpuset and quota. 0 when nothing
// is known.
func (h Hardware) UsableCPUs() float64 {
	n := float64(h.CPU.Cores)
	if s := float64(h.Cgroup.CPUSet); s > 0 && (n == 0 || s < n) {
		n = s
	}
	if q := h.Cgroup.CPULimit; q > 0 && (n == 0 || q < n) {
		n = q
	}
	return n
}

// UsableCPUsCeil is UsableCPUs rounded up to whole CPUs, at least 1.
func (h Hardware) UsableCPUsCeil() int {
	n := int(math.Ceil(h.UsableCPUs()))
	if n < 1 {
		n = 1
	}
	return n
}

// UsableMemory is the memory in bytes the process may use: MemTotal,
// lowered to the cgroup limit. 0 when nothing is known.
func (h Hardware) UsableMemory() int64 {
	m := h.Memory.TotalBytes
	if l := h.Cgroup.MemoryLimitBytes; l > 0 && (m == 0 || l < m) {
		m = l
	}
	return m
}

// Limited reports whether a cgroup limit or cpuset lowers the CPUs or memory below
// what the machine has.
func (h Hardware) Limited() bool {
	cpu := h.Cgroup.CPULimit > 0 && (h.CPU.Cores == 0 || h.Cgroup.CPULimit < float64(h.CPU.Cores)) ||
		h.Cgroup.CPUSet > 0 && (h.CPU.Cores == 0 || h.Cgroup.CPUSet < h.CPU.Cores)
	mem := h.Cgroup.MemoryLimitBytes > 0 && (h.Memory.TotalBytes == 0 || h.Cgroup.MemoryLimitBytes < h.Memory.TotalBytes)
	return cpu || mem
}
