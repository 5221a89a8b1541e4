package profiles

import (
	"bufio"
	"bytes"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Detect describes the machine whose file system is root: the root
// directory, for the running system os.DirFS("/"), or a fixture tree in
// tests. It reads proc/cpuinfo, proc/meminfo, proc/device-tree (or
// sys/firmware/devicetree/base), the DMI names, the online CPU list,
// cpufreq, proc/self/cgroup and the cgroup v1 or v2 limits. A file that is
// missing or unreadable leaves its fields zero; Detect never fails.
//
// Detect does not ask the processor itself (cpuid): its result depends
// only on the files, so the same tree gives the same answer everywhere.
// DetectHost adds cpuid's view for the running machine.
func Detect(root fs.FS) Hardware {
	var hw Hardware
	readCPUInfo(root, &hw)
	if n := readOnlineCPUs(root); n > 0 {
		hw.CPU.Cores = n
	}
	if khz := readInt(root, "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"); khz > 0 {
		hw.CPU.MaxHz = khz * 1000
	}
	hw.Memory = readMemInfo(root)
	hw.Board.Model = readDeviceTreeString(root, "model")
	hw.Board.Compatible = readDeviceTreeList(root, "compatible")
	hw.Board.Vendor = readTrimmed(root, "sys/class/dmi/id/sys_vendor")
	hw.Board.Product = readTrimmed(root, "sys/class/dmi/id/product_name")
	hw.Cgroup = readCgroup(root)
	return hw
}

// readCPUInfo fills the CPU and Board fields that /proc/cpuinfo gives.
// Per-processor keys are taken from the first processor that has them;
// the core names of a big.LITTLE system are joined with "+".
func readCPUInfo(root fs.FS, hw *Hardware) {
	data, err := fs.ReadFile(root, "proc/cpuinfo")
	if err != nil {
		return
	}
	processors := 0
	var parts []string
	var armArch string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		c := &hw.CPU
		switch key {
		case "processor":
			processors++
		case "vendor_id":
			setOnce(&c.Vendor, x86VendorName(value))
		case "model name":
			setOnce(&c.Brand, value)
		case "cpu family":
			if c.Family == 0 {
				c.Family, _ = strconv.Atoi(value)
			}
		case "model":
			if c.Model == 0 {
				c.Model, _ = strconv.Atoi(value)
			}
		case "flags", "Features":
			if c.Features == nil {
				c.Features = strings.Fields(value)
			}
		case "CPU implementer":
			setOnce(&c.Implementer, value)
		case "CPU part":
			if !slices.Contains(parts, value) {
				parts = append(parts, value)
			}
		case "CPU architecture":
			setOnce(&armArch, value)
		case "isa":
			if strings.HasPrefix(value, "rv64") {
				setOnce(&c.Arch, "riscv64")
			}
		case "Hardware":
			setOnce(&hw.Board.Hardware, value)
		case "Revision":
			setOnce(&hw.Board.Revision, value)
		case "Model":
			setOnce(&hw.Board.CPUInfoModel, value)
		}
	}
	c := &hw.CPU
	c.Cores = processors
	switch {
	case armArch != "":
		c.Arch = "arm"
		if armArch == "8" || strings.EqualFold(armArch, "AArch64") {
			c.Arch = "arm64"
		}
	case c.Vendor != "" || c.Family != 0:
		c.Arch = "386"
		if slices.Contains(c.Features, "lm") {
			c.Arch = "amd64"
		}
	}
	if c.Implementer != "" {
		c.Vendor = armImplementerName(c.Implementer)
		if len(parts) > 0 {
			c.Part = parts[0]
		}
		var names []string
		for _, p := range parts {
			if n := armCoreName(c.Implementer, p); n != "" {
				names = append(names, n)
			}
		}
		c.Core = strings.Join(names, "+")
	}
	if slices.Contains(c.Features, "hypervisor") {
		c.Hypervisor = "unknown"
	}
}

// readOnlineCPUs counts the CPUs in sys/devices/system/cpu/online; 0 when
// it cannot be read.
func readOnlineCPUs(root fs.FS) int {
	return countCPUList(readTrimmed(root, "sys/devices/system/cpu/online"))
}

// countCPUList counts the CPUs of a kernel CPU list, ranges such as "0-3"
// or "0-3,6,8-9"; 0 when s is empty or malformed.
func countCPUList(s string) int {
	if s == "" {
		return 0
	}
	n := 0
	for _, r := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(r, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return 0
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0
			}
		}
		n += b - a + 1
	}
	return n
}

// readMemInfo reads MemTotal and MemAvailable (kB) from proc/meminfo.
func readMemInfo(root fs.FS) Memory {
	var m Memory
	data, err := fs.ReadFile(root, "proc/meminfo")
	if err != nil {
		return m
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(value)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || n < 0 {
			continue
		}
		if len(f) > 1 && strings.EqualFold(f[1], "kB") {
			if n > math.MaxInt64/1024 {
				continue
			}
			n *= 1024
		}
		switch key {
		case "MemTotal":
			m.TotalBytes = n
		case "MemAvailable":
			m.AvailableBytes = n
		}
	}
	return m
}

// deviceTreeDirs are where Linux shows the device tree; proc/device-tree
// is a link to the second.
var deviceTreeDirs = []string{"proc/device-tree", "sys/firmware/devicetree/base"}

// readDeviceTreeList reads a device-tree property holding NUL-terminated
// strings.
func readDeviceTreeList(root fs.FS, prop string) []string {
	for _, dir := range deviceTreeDirs {
		data, err := fs.ReadFile(root, dir+"/"+prop)
		if err != nil {
			continue
		}
		var list []string
		for _, s := range strings.Split(string(data), "\x00") {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		return list
	}
	return nil
}

func readDeviceTreeString(root fs.FS, prop string) string {
	if l := readDeviceTreeList(root, prop); len(l) > 0 {
		return l[0]
	}
	return ""
}

// readTrimmed returns a file's content without surrounding white space,
// "" when it cannot be read.
func readTrimmed(root fs.FS, name string) string {
	data, err := fs.ReadFile(root, name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// readInt returns the decimal integer a file holds, 0 when it holds none.
func readInt(root fs.FS, name string) int64 {
	n, err := strconv.ParseInt(readTrimmed(root, name), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

func setOnce(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}
