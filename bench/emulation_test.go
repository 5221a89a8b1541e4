package bench

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

const x86CPUInfoText = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\nflags\t\t: fpu vme sse2 avx2\n"
const armCPUInfoText = "processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n"

func TestDetectEmulation(t *testing.T) {
	cases := []struct {
		name, env, kernel, cpuinfo, goarch string
		emulated                           bool
	}{
		{"arm64 binary on an x86_64 kernel", "", "x86_64", x86CPUInfoText, "arm64", true},
		{"armv7 binary on an x86_64 kernel", "", "x86_64", x86CPUInfoText, "arm", true},
		{"amd64 on x86_64", "", "x86_64", x86CPUInfoText, "amd64", false},
		{"arm64 on a board", "", "aarch64", armCPUInfoText, "arm64", false},
		{"armv7 build on a 64-bit ARM kernel runs natively", "", "aarch64", armCPUInfoText, "arm", false},
		{"armv7 on a 32-bit board", "", "armv7l", armCPUInfoText, "arm", false},
		{"arm64 binary on a 32-bit ARM kernel", "", "armv7l", armCPUInfoText, "arm64", true},
		// Kernels before kernel.arch: the x86 lines of /proc/cpuinfo decide.
		{"old kernel, x86 cpuinfo, arm64 binary", "", "", x86CPUInfoText, "arm64", true},
		{"old kernel, ARM cpuinfo, arm64 binary", "", "", armCPUInfoText, "arm64", false},
		{"old kernel, x86 cpuinfo, amd64 binary", "", "", x86CPUInfoText, "amd64", false},
		{"variable says emulated", "1", "aarch64", armCPUInfoText, "arm64", true},
		{"variable says native", "0", "x86_64", x86CPUInfoText, "arm64", false},
	}
	for _, c := range cases {
		got := detectEmulation(c.env, c.kernel, c.cpuinfo, c.goarch)
		if got.Emulated != c.emulated {
			t.Errorf("%s: emulated %v (%s), want %v", c.name, got.Emulated, got.Reason, c.emulated)
		}
		if got.Emulated && got.Reason == "" {
			t.Errorf("%s: emulated without a reason", c.name)
		}
	}
	if r := detectEmulation("", "x86_64", "", "arm64").Reason; !strings.Contains(r, "x86_64") || !strings.Contains(r, "arm64") {
		t.Errorf("reason %q names neither the kernel nor the binary", r)
	}
}

// The test binary runs natively on the machine that builds it (unless a
// script runs it under QEMU, which sets the variable or differs from the
// kernel's own architecture).
func TestDetectEmulationOnThisHost(t *testing.T) {
	t.Setenv(EmulationEnv, "")
	b, _ := os.ReadFile("/proc/sys/kernel/arch") // absent before Linux 6.1: then only QEMU on x86 counts
	kernel := strings.TrimSpace(string(b))
	want := kernel != ""
	for _, a := range nativeArches[kernel] {
		want = want && a != runtime.GOARCH
	}
	if got := DetectEmulation(); got.Emulated != want {
		t.Errorf("kernel %s, binary %s: emulated %v (%s)", kernel, runtime.GOARCH, got.Emulated, got.Reason)
	}
	t.Setenv(EmulationEnv, "1")
	if got := DetectEmulation(); !got.Emulated || !strings.Contains(got.Reason, EmulationEnv) {
		t.Errorf("%s=1: %+v", EmulationEnv, got)
	}
}
