package bench

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

// EmulatedLabel is how tables and reports mark a record made under
// emulation.
const EmulatedLabel = "emulated — not a board figure"

// Emulation says whether the run's binary ran under user-mode emulation
// (QEMU running an arm64 or armv7 build on an x86 machine): its figures
// then measure the emulator, not a board.
type Emulation struct {
	Emulated bool `json:"emulated"`
	// Reason says what decided, e.g. "the kernel is x86_64, this binary
	// is arm64".
	Reason string `json:"reason,omitempty"`
}

// EmulationEnv is the environment variable that overrides detection:
// "1" marks the run emulated (scripts that start midge under QEMU set it),
// "0" marks it native.
const EmulationEnv = "MIDGE_EMULATED"

// DetectEmulation looks at this process. QEMU user emulation answers
// uname(2) with the emulated machine, so the test reads what the kernel
// itself says: /proc/sys/kernel/arch, else the x86 lines of
// /proc/cpuinfo, and compares it with the architecture the binary was
// built for.
func DetectEmulation() Emulation {
	kernelArch, _ := os.ReadFile("/proc/sys/kernel/arch")
	cpuinfo, _ := os.ReadFile("/proc/cpuinfo")
	return detectEmulation(os.Getenv(EmulationEnv), strings.TrimSpace(string(kernelArch)), string(cpuinfo), runtime.GOARCH)
}

// nativeArches lists, per kernel machine name, the Go architectures its
// processors run without emulation.
var nativeArches = map[string][]string{
	"x86_64":  {"amd64", "386"},
	"i386":    {"386"},
	"i686":    {"386"},
	"aarch64": {"arm64", "arm"},
	"arm64":   {"arm64", "arm"},
	"armv6l":  {"arm"},
	"armv7l":  {"arm"},
	"armv8l":  {"arm"},
	"riscv64": {"riscv64"},
	"ppc64le": {"ppc64le"},
	"ppc64":   {"ppc64"},
	"s390x":   {"s390x"},
	"mips":    {"mips", "mipsle"},
	"mips64":  {"mips64", "mips64le", "mips", "mipsle"},
}

func detectEmulation(env, kernelArch, cpuinfo, goarch string) Emulation {
	switch env {
	case "1", "true", "yes":
		return Emulation{Emulated: true, Reason: EmulationEnv + "=" + env}
	case "0", "false", "no":
		return Emulation{Reason: EmulationEnv + "=" + env}
	}
	if native, ok := nativeArches[kernelArch]; ok {
		for _, a := range native {
			if a == goarch {
				return Emulation{}
			}
		}
		return Emulation{Emulated: true, Reason: fmt.Sprintf("the kernel is %s, this binary is %s", kernelArch, goarch)}
	}
	if goarch != "amd64" && goarch != "386" && x86CPUInfo(cpuinfo) {
		return Emulation{Emulated: true, Reason: fmt.Sprintf("/proc/cpuinfo describes an x86 processor, this binary is %s", goarch)}
	}
	return Emulation{}
}

// x86CPUInfo reports whether a /proc/cpuinfo text is an x86 kernel's:
// it has "vendor_id" and "flags" lines, which ARM kernels never write.
func x86CPUInfo(cpuinfo string) bool {
	var vendor, flags bool
	for _, line := range strings.Split(cpuinfo, "\n") {
		key, _, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(key) {
		case "vendor_id":
			vendor = true
		case "flags":
			flags = true
		}
	}
	return vendor && flags
}
