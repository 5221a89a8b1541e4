package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/midge-mqtt/midge/engine"
	"github.com/midge-mqtt/midge/profiles"
)

func init() {
	register(&command{
		name:    "profile",
		summary: "show the detected board and the tuning preset that applies",
		run: func(args []string) int {
			return runProfile(args, os.Stdout, os.Stderr)
		},
	})
}

const profileUsage = `usage: midge profile [--json] [--root DIR] [--set key=value ...]
       midge profile --list [--json]
       midge profile --show NAME [--json]

Without --list or --show, detects the machine (processor, board, memory,
cgroup limits), chooses the preset for it, fits it to the usable CPUs and
memory, applies the --set overrides, and prints all of it with the reason.

`

// setFlags collects repeated --set key=value overrides.
type setFlags map[string]string

func (s setFlags) String() string { return "" }

func (s setFlags) Set(v string) error {
	key, value, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(key) == "" {
		return errors.New("want key=value")
	}
	s[strings.TrimSpace(key)] = value
	return nil
}

func runProfile(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("profile", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "machine-readable output")
	list := fs.Bool("list", false, "list the presets")
	show := fs.String("show", "", "print the preset `NAME` with the reasons for its values")
	root := fs.String("root", "", "detect from the file system under `DIR` (a saved /proc and /sys) instead of this machine")
	sets := setFlags{}
	fs.Var(sets, "set", "override one preset value, `key=value` (repeatable)")
	fs.Usage = func() {
		fmt.Fprint(stderr, profileUsage)
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nkeys: %s\n", strings.Join(profiles.Keys(), ", "))
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "midge profile: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	var err error
	switch {
	case *list:
		err = profileList(stdout, *asJSON)
	case *show != "":
		err = profileShow(stdout, *show, *asJSON)
	default:
		err = profileDetect(stdout, stderr, *root, sets, *asJSON)
	}
	if err != nil {
		fmt.Fprintf(stderr, "midge profile: %v\n", err)
		return 1
	}
	return 0
}

// selectPreset returns the preset a --profile NAME asks for: "auto" (or
// "") chooses for hw; another name is looked up and fitted to hw. The
// reason says what decided and what Fit changed.
func selectPreset(name string, hw profiles.Hardware) (profiles.Preset, string, error) {
	if name == "" || name == "auto" {
		p, reason := profiles.Choose(hw)
		return p, reason, nil
	}
	p, err := profiles.Lookup(name)
	if err != nil {
		return p, "", err
	}
	p, notes := p.Fit(hw)
	return p, strings.Join(append([]string{"asked for by name"}, notes...), "; "), nil
}

// presetEngineOptions copies the broker limits of p into o. Call it
// before the configuration file and the flags are applied, so their
// explicit values win. The preset's buffer caps, LockOSThread and matcher
// cache size have no engine option yet.
func presetEngineOptions(p profiles.Preset, o *engine.Options) {
	o.EventLoops = p.EventLoops
	o.MaxConnections = p.MaxConnections
	o.MaxPacketSize = uint32(p.MaxPacketSize) // Validate keeps it within the protocol's 28 bits
	o.MaxInflightMessages = p.MaxInflightMessages
	o.MaxInflightBytes = p.MaxInflightBytes
	o.MaxQueuedMessages = p.MaxQueuedMessages
	o.MaxQueuedBytes = p.MaxQueuedBytes
	o.OutboundLimit = p.OutboundLimit
}

func profileList(w io.Writer, asJSON bool) error {
	all, err := profiles.All()
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(w, all)
	}
	for _, p := range all {
		fmt.Fprintf(w, "%-14s %s\n", p.Name, p.Description)
	}
	return nil
}

func profileShow(w io.Writer, name string, asJSON bool) error {
	if asJSON {
		p, err := profiles.Lookup(name)
		if err != nil {
			return err
		}
		return writeJSON(w, p)
	}
	data, err := profiles.PresetFile(name)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

func profileDetect(w, warn io.Writer, root string, sets setFlags, asJSON bool) error {
	var hw profiles.Hardware
	if root != "" {
		if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
			return fmt.Errorf("--root %s: not a directory", root)
		}
		hw = profiles.Detect(os.DirFS(root))
	} else {
		hw = profiles.DetectHost()
	}
	rec := profiles.NewRecord(hw)
	if len(sets) > 0 {
		p, err := profiles.Apply(rec.Values, sets)
		if err != nil {
			return err
		}
		rec.Values = p
		rec.Reason += "; overridden by --set"
	}
	if err := rec.Values.Validate(); err != nil {
		fmt.Fprintf(warn, "midge profile: warning: %v\n", err)
	}
	if asJSON {
		return writeJSON(w, rec)
	}
	writeHardware(w, hw)
	fmt.Fprintf(w, "\npreset    %s: %s\nreason    %s\n\n", rec.Preset, rec.Values.Description, rec.Reason)
	for _, k := range profiles.Keys() {
		if k == "description" {
			continue
		}
		v, _ := rec.Values.Get(k)
		fmt.Fprintf(w, "  %-22s %s\n", k, v)
	}
	return nil
}

// writeHardware prints what was detected, one aspect per line; unknown
// parts are left out.
func writeHardware(w io.Writer, hw profiles.Hardware) {
	b := hw.Board
	board := b.Model
	if board == "" {
		board = strings.TrimSpace(b.Vendor + " " + b.Product)
	}
	var extra []string
	if b.Hardware != "" {
		extra = append(extra, "hardware "+b.Hardware)
	}
	if b.Revision != "" {
		extra = append(extra, "revision "+b.Revision)
	}
	if len(b.Compatible) > 0 {
		extra = append(extra, "compatible "+strings.Join(b.Compatible, ", "))
	}
	if board == "" {
		board = "unknown"
	}
	if len(extra) > 0 {
		board += " (" + strings.Join(extra, "; ") + ")"
	}
	fmt.Fprintf(w, "board     %s\n", board)

	c := hw.CPU
	cpu := []string{c.Arch}
	if hw.GoArch != "" && hw.GoArch != c.Arch {
		cpu[0] += " (binary " + hw.GoArch + ")"
	}
	name := strings.TrimSpace(c.Vendor + " " + c.Core)
	if c.Brand != "" && c.Core == "" {
		name = c.Brand
	}
	cpu = append(cpu, name, fmt.Sprintf("%d CPUs", c.Cores))
	if c.PhysicalCores > 0 {
		cpu = append(cpu, fmt.Sprintf("%d physical cores", c.PhysicalCores))
	}
	if c.MaxHz > 0 {
		cpu = append(cpu, strconv.FormatFloat(float64(c.MaxHz)/1e9, 'f', 2, 64)+" GHz")
	}
	if c.Hypervisor != "" {
		cpu = append(cpu, "virtualised ("+c.Hypervisor+")")
	}
	fmt.Fprintf(w, "cpu       %s\n", strings.Join(nonEmpty(cpu), ", "))
	if c.L1D > 0 || c.L2 > 0 || c.L3 > 0 {
		fmt.Fprintf(w, "caches    L1d %s, L1i %s, L2 %s, L3 %s, line %d B\n",
			kib(c.L1D), kib(c.L1I), kib(c.L2), kib(c.L3), c.CacheLine)
	}
	if len(c.Features) > 0 {
		fmt.Fprintf(w, "features  %s\n", strings.Join(c.Features, " "))
	}
	fmt.Fprintf(w, "memory    %s total, %s available\n", mib(hw.Memory.TotalBytes), mib(hw.Memory.AvailableBytes))
	cg := "none found"
	if hw.Cgroup.Version > 0 {
		cpuLimit, memLimit := "no CPU limit", "no memory limit"
		if hw.Cgroup.CPULimit > 0 {
			cpuLimit = "CPU limit " + strconv.FormatFloat(hw.Cgroup.CPULimit, 'f', -1, 64)
		}
		if hw.Cgroup.MemoryLimitBytes > 0 {
			memLimit = "memory limit " + mib(hw.Cgroup.MemoryLimitBytes)
		}
		cg = fmt.Sprintf("v%d, %s, %s", hw.Cgroup.Version, cpuLimit, memLimit)
		if hw.Cgroup.CPUSet > 0 {
			cg += fmt.Sprintf(", cpuset of %d CPUs", hw.Cgroup.CPUSet)
		}
	}
	fmt.Fprintf(w, "cgroup    %s\n", cg)
	fmt.Fprintf(w, "usable    %s CPUs, %s\n", strconv.FormatFloat(hw.UsableCPUs(), 'f', -1, 64), mib(hw.UsableMemory()))
}

func nonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func mib(n int64) string {
	if n <= 0 {
		return "unknown"
	}
	return strconv.FormatInt(n>>20, 10) + " MiB"
}

func kib(n int) string {
	if n <= 0 {
		return "-"
	}
	return strconv.Itoa(n>>10) + " KiB"
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
