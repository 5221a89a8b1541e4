package profiles

import (
	"strconv"
	"strings"
)

// armImplementers names the "CPU implementer" codes of /proc/cpuinfo
// (the implementer field of the MIDR register).
var armImplementers = map[uint64]string{
	0x41: "ARM",
	0x42: "Broadcom",
	0x43: "Cavium",
	0x46: "Fujitsu",
	0x48: "HiSilicon",
	0x4e: "NVIDIA",
	0x51: "Qualcomm",
	0x56: "Marvell",
	0x61: "Apple",
	0x69: "Intel",
	0xc0: "Ampere",
}

// armCores names the parts of the implementers whose cores appear on the
// boards midge targets.
var armCores = map[uint64]map[uint64]string{
	0x41: {
		0xb76: "ARM1176",
		0xc05: "Cortex-A5",
		0xc07: "Cortex-A7",
		0xc08: "Cortex-A8",
		0xc09: "Cortex-A9",
		0xc0d: "Cortex-A12",
		0xc0e: "Cortex-A17",
		0xc0f: "Cortex-A15",
		0xd01: "Cortex-A32",
		0xd03: "Cortex-A53",
		0xd04: "Cortex-A35",
		0xd05: "Cortex-A55",
		0xd07: "Cortex-A57",
		0xd08: "Cortex-A72",
		0xd09: "Cortex-A73",
		0xd0a: "Cortex-A75",
		0xd0b: "Cortex-A76",
		0xd0c: "Neoverse-N1",
		0xd0d: "Cortex-A77",
		0xd40: "Neoverse-V1",
		0xd41: "Cortex-A78",
		0xd42: "Cortex-A78AE",
		0xd44: "Cortex-X1",
		0xd46: "Cortex-A510",
		0xd47: "Cortex-A710",
		0xd49: "Neoverse-N2",
		0xd4f: "Neoverse-V2",
	},
	0x4e: {
		0x004: "Carmel",
	},
}

// parseHex reads a "0x41"-style code.
func parseHex(s string) (uint64, bool) {
	n, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(s), "0x"), 16, 32)
	return n, err == nil
}

// armImplementerName names an implementer code, or returns the code.
func armImplementerName(code string) string {
	if n, ok := parseHex(code); ok {
		if name := armImplementers[n]; name != "" {
			return name
		}
	}
	return code
}

// armCoreName names a part of an implementer, "" when unknown.
func armCoreName(implementer, part string) string {
	i, ok1 := parseHex(implementer)
	p, ok2 := parseHex(part)
	if !ok1 || !ok2 {
		return ""
	}
	return armCores[i][p]
}

// x86VendorName turns the cpuinfo vendor_id into the maker's name.
func x86VendorName(id string) string {
	switch id {
	case "GenuineIntel":
		return "Intel"
	case "AuthenticAMD":
		return "AMD"
	case "HygonGenuine":
		return "Hygon"
	case "CentaurHauls":
		return "Centaur"
	}
	return id
}
