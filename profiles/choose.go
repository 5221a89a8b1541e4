package profiles

import (
	"fmt"
	"strconv"
	"strings"
)

// boardClass recognises one board class by its device-tree model (or the
// cpuinfo Model line, which repeats it), its device-tree compatible
// strings, or the cpuinfo Hardware line.
type boardClass struct {
	preset     string
	what       string   // "a Raspberry Pi 4", for the reason
	models     []string // lower-case substrings of the model
	compatible []string // prefixes of a compatible string
	hardware   []string // lower-case substrings of cpuinfo Hardware
}

// boardClasses is in matching order: the Zero 2 W shares its SoC
// (bcm2837) with the Pi 3, so it comes first.
var boardClasses = []boardClass{
	{preset: "pi-zero-2w", what: "a Raspberry Pi Zero 2 W",
		models: []string{"raspberry pi zero 2"}, compatible: []string{"raspberrypi,model-zero-2"}},
	{preset: "pi5", what: "a Raspberry Pi 5",
		models:     []string{"raspberry pi 5", "raspberry pi compute module 5", "raspberry pi 500"},
		compatible: []string{"brcm,bcm2712"}},
	{preset: "pi4", what: "a Raspberry Pi 4",
		models:     []string{"raspberry pi 4", "raspberry pi compute module 4", "raspberry pi 400"},
		compatible: []string{"brcm,bcm2711"}},
	{preset: "pi3", what: "a Raspberry Pi 3",
		models:     []string{"raspberry pi 3", "raspberry pi compute module 3"},
		compatible: []string{"brcm,bcm2837"}},
	{preset: "beaglebone", what: "a BeagleBone (TI AM335x)",
		models: []string{"beaglebone"}, compatible: []string{"ti,am335x-bone"}, hardware: []string{"am33xx"}},
	{preset: "jetson", what: "an NVIDIA Jetson",
		models: []string{"jetson"}, compatible: []string{"nvidia,tegra", "nvidia,jetson"}, hardware: []string{"tegra", "jetson"}},
	{preset: "imx8", what: "an NXP i.MX8 board",
		models: []string{"i.mx8", "imx8"}, compatible: []string{"fsl,imx8"}, hardware: []string{"i.mx8", "imx8"}},
}

// raspberryPiTypes maps the board type of a new-style Raspberry Pi
// revision code (bits 4-11) to its preset.
var raspberryPiTypes = map[uint64]string{
	0x08: "pi3", 0x0a: "pi3", 0x0d: "pi3", 0x0e: "pi3", 0x10: "pi3", // 3B, CM3, 3B+, 3A+, CM3+
	0x11: "pi4", 0x13: "pi4", 0x14: "pi4", 0x15: "pi4", // 4B, 400, CM4, CM4S
	0x12: "pi-zero-2w",
	0x17: "pi5", 0x18: "pi5", 0x19: "pi5", 0x1a: "pi5", // 5, CM5, 500, CM5 Lite
}

// Thresholds below which a machine counts as small (small-vm), and from
// which an arm64 machine counts as a server rather than a board.
const (
	smallMaxCPUs      = 2
	smallMaxMemory    = 2 << 30
	armServerMinCPUs  = 16
	armServerMinBytes = 32 << 30
)

// Choose picks the preset for hw and fits it to the CPUs and memory the
// process may use (Fit). It looks at the device-tree model first, then
// the device-tree compatible strings, then /proc/cpuinfo (Model line,
// Raspberry Pi revision code, Hardware line), and last at architecture,
// cgroup limits, cores and memory. reason says what decided, and what Fit
// changed.
func Choose(hw Hardware) (p Preset, reason string) {
	name, reason := chooseName(hw)
	p, err := Lookup(name)
	if err != nil { // every name above is an embedded preset (tests)
		return p, err.Error()
	}
	fitted, notes := p.Fit(hw)
	if len(notes) > 0 {
		reason += "; " + strings.Join(notes, "; ")
	}
	return fitted, reason
}

func chooseName(hw Hardware) (name, reason string) {
	if c, ok := matchModel(hw.Board.Model); ok {
		return c.preset, fmt.Sprintf("device-tree model %q is %s", hw.Board.Model, c.what)
	}
	for _, compat := range hw.Board.Compatible {
		for _, c := range boardClasses {
			for _, prefix := range c.compatible {
				if strings.HasPrefix(compat, prefix) {
					return c.preset, fmt.Sprintf("device-tree compatible %q is %s", compat, c.what)
				}
			}
		}
	}
	if c, ok := matchModel(hw.Board.CPUInfoModel); ok {
		return c.preset, fmt.Sprintf("cpuinfo Model %q is %s", hw.Board.CPUInfoModel, c.what)
	}
	if preset, ok := raspberryPiPreset(hw.Board.Revision); ok {
		return preset, fmt.Sprintf("cpuinfo Revision %s is a Raspberry Pi revision code of the %s class", hw.Board.Revision, preset)
	}
	hwLine := strings.ToLower(hw.Board.Hardware)
	for _, c := range boardClasses {
		for _, s := range c.hardware {
			if hwLine != "" && strings.Contains(hwLine, s) {
				return c.preset, fmt.Sprintf("cpuinfo Hardware %q is %s", hw.Board.Hardware, c.what)
			}
		}
	}
	return chooseByResources(hw)
}

// chooseByResources decides for machines no board rule knows.
func chooseByResources(hw Hardware) (name, reason string) {
	cpus, mem := hw.UsableCPUs(), hw.UsableMemory()
	cpuWord := "CPUs"
	if cpus == 1 {
		cpuWord = "CPU"
	}
	res := fmt.Sprintf("%s %s, %s memory", strconv.FormatFloat(cpus, 'f', -1, 64), cpuWord, formatMemory(mem))
	if hw.Limited() {
		res += " (cgroup limit)"
	}
	small := (cpus > 0 && cpus <= smallMaxCPUs) || (mem > 0 && mem <= smallMaxMemory)
	switch arch := hw.CPU.Arch; arch {
	case "arm64":
		if !small && cpus >= armServerMinCPUs && mem >= armServerMinBytes {
			return "server", "unknown arm64 machine with " + res + ": a server"
		}
		return "generic-arm64", "unknown arm64 board with " + res
	case "arm":
		return "generic-armv7", "unknown 32-bit ARM board with " + res
	default:
		what := "machine"
		switch {
		case hw.Limited():
			what = "container"
		case hw.CPU.Hypervisor != "":
			what = "virtual machine"
		}
		if arch == "" {
			arch = "unknown-architecture"
		}
		if small {
			return "small-vm", fmt.Sprintf("%s %s with %s: small", arch, what, res)
		}
		return "server", fmt.Sprintf("%s %s with %s", arch, what, res)
	}
}

func matchModel(model string) (boardClass, bool) {
	m := strings.ToLower(model)
	if m == "" {
		return boardClass{}, false
	}
	for _, c := range boardClasses {
		for _, s := range c.models {
			if strings.Contains(m, s) {
				return c, true
			}
		}
	}
	return boardClass{}, false
}

// raspberryPiPreset decodes a new-style revision code (bit 23 set; board
// type in bits 4-11), e.g. "c03111" for a Pi 4B with 4GB.
func raspberryPiPreset(revision string) (string, bool) {
	code, err := strconv.ParseUint(strings.TrimPrefix(revision, "0x"), 16, 32)
	if err != nil || code&(1<<23) == 0 {
		return "", false
	}
	p, ok := raspberryPiTypes[(code>>4)&0xff]
	return p, ok
}

// formatMemory writes bytes in MiB, or "unknown".
func formatMemory(n int64) string {
	if n <= 0 {
		return "unknown"
	}
	return strconv.FormatInt(n>>20, 10) + "MiB"
}
