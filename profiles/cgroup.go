package profiles

import (
	"bufio"
	"bytes"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

const cgroupRoot = "sys/fs/cgroup"

// cgroupV1Unlimited: cgroup v1 shows "no memory limit" as the largest
// page-aligned int64 (9223372036854771712); anything this large is no limit.
const cgroupV1Unlimited = int64(1) << 62

// readCgroup finds the limits of the process's control group: cgroup v2
// when sys/fs/cgroup/cgroup.controllers exists, v1 otherwise. Limits of
// ancestor groups apply too, so the tightest on the way to the root wins.
func readCgroup(root fs.FS) Cgroup {
	groups := readProcSelfCgroup(root)
	if _, err := fs.Stat(root, cgroupRoot+"/cgroup.controllers"); err == nil {
		return readCgroupV2(root, groups[""])
	}
	return readCgroupV1(root, groups)
}

// readProcSelfCgroup maps each controller of proc/self/cgroup to the
// process's group path. Lines are "hierarchy-id:controllers:path"; the v2
// line has no controllers and is stored under "".
func readProcSelfCgroup(root fs.FS) map[string]string {
	groups := map[string]string{}
	data, err := fs.ReadFile(root, "proc/self/cgroup")
	if err != nil {
		return groups
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), ":", 3)
		if len(f) != 3 {
			continue
		}
		// Cleaning from "/" keeps a path such as "/../.." (seen when the
		// group is outside the namespace) inside the cgroup mount.
		p := path.Clean("/" + f[2])
		if f[1] == "" {
			groups[""] = p
			continue
		}
		for _, c := range strings.Split(f[1], ",") {
			groups[c] = p
		}
	}
	return groups
}

func readCgroupV2(root fs.FS, group string) Cgroup {
	cg := Cgroup{Version: 2}
	dirs := groupDirs(root, cgroupRoot, group)
	// The effective set of the group itself already reflects its ancestors.
	cg.CPUSet = countCPUList(readTrimmed(root, dirs[0]+"/cpuset.cpus.effective"))
	for _, dir := range dirs {
		if q := parseCPUMax(readTrimmed(root, dir+"/cpu.max")); q > 0 && (cg.CPULimit == 0 || q < cg.CPULimit) {
			cg.CPULimit = q
		}
		if m := parseLimit(readTrimmed(root, dir+"/memory.max")); m > 0 && (cg.MemoryLimitBytes == 0 || m < cg.MemoryLimitBytes) {
			cg.MemoryLimitBytes = m
		}
	}
	return cg
}

// cgroupV1CPUMounts are the usual mount points of the v1 cpu controller.
var cgroupV1CPUMounts = []string{"cpu,cpuacct", "cpu", "cpuacct,cpu"}

func readCgroupV1(root fs.FS, groups map[string]string) Cgroup {
	var cg Cgroup
	for _, m := range cgroupV1CPUMounts {
		mount := cgroupRoot + "/" + m
		if _, err := fs.Stat(root, mount); err != nil {
			continue
		}
		cg.Version = 1
		for _, dir := range groupDirs(root, mount, groups["cpu"]) {
			quota := readInt(root, dir+"/cpu.cfs_quota_us")
			period := readInt(root, dir+"/cpu.cfs_period_us")
			if quota > 0 && period > 0 {
				if q := float64(quota) / float64(period); cg.CPULimit == 0 || q < cg.CPULimit {
					cg.CPULimit = q
				}
			}
		}
		break
	}
	mount := cgroupRoot + "/cpuset"
	if _, err := fs.Stat(root, mount); err == nil {
		cg.Version = 1
		dir := groupDirs(root, mount, groups["cpuset"])[0]
		cg.CPUSet = countCPUList(readTrimmed(root, dir+"/cpuset.effective_cpus"))
		if cg.CPUSet == 0 {
			cg.CPUSet = countCPUList(readTrimmed(root, dir+"/cpuset.cpus"))
		}
	}
	mount = cgroupRoot + "/memory"
	if _, err := fs.Stat(root, mount); err == nil {
		cg.Version = 1
		for _, dir := range groupDirs(root, mount, groups["memory"]) {
			m := readInt(root, dir+"/memory.limit_in_bytes")
			if m > 0 && m < cgroupV1Unlimited && (cg.MemoryLimitBytes == 0 || m < cg.MemoryLimitBytes) {
				cg.MemoryLimitBytes = m
			}
		}
	}
	return cg
}

// groupDirs lists the directories from the process's group up to the
// mount point. A group path that does not exist under the mount (a
// container sees its own group as the mount's root) is shortened until it
// does.
func groupDirs(root fs.FS, mount, group string) []string {
	dir := path.Join(mount, group)
	for dir != mount {
		if fi, err := fs.Stat(root, dir); err == nil && fi.IsDir() {
			break
		}
		dir = path.Dir(dir)
	}
	dirs := []string{dir}
	for dir != mount {
		dir = path.Dir(dir)
		dirs = append(dirs, dir)
	}
	return dirs
}

// parseCPUMax reads cgroup v2 cpu.max, "quota period" or "max period", as
// CPUs; 0 means no limit.
func parseCPUMax(s string) float64 {
	f := strings.Fields(s)
	if len(f) == 0 || f[0] == "max" {
		return 0
	}
	quota, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || quota <= 0 {
		return 0
	}
	period := int64(100000) // the kernel's default when only the quota is given
	if len(f) > 1 {
		if period, err = strconv.ParseInt(f[1], 10, 64); err != nil || period <= 0 {
			return 0
		}
	}
	return float64(quota) / float64(period)
}

// parseLimit reads cgroup v2 memory.max: bytes or "max" (0, no limit).
func parseLimit(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n >= cgroupV1Unlimited {
		return 0
	}
	return n
}
