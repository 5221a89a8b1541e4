// Package profiles describes the machine midge runs on and how to tune the
// broker for it.
//
// Three steps, each usable alone:
//
//   - Detect reads what Linux says about the machine (/proc/cpuinfo, the
//     device tree, /proc/meminfo, cgroup v1 and v2 limits) from a file system
//     root, so tests run on fixture trees of real boards; DetectHost adds
//     what the processor reports through cpuid.
//   - Choose picks the preset of the board class (pi4, jetson, x86-server,
//     small-vm, ...) by device-tree model first, then /proc/cpuinfo, then
//     architecture, cores and memory, and fits it to the CPUs and memory the
//     process may use.
//   - Apply lays explicit settings over a preset: what the user wrote wins.
//     ApplyRuntime sets GOMAXPROCS and the memory limit unless the
//     environment already does.
//
// Presets are data: one embedded key = value file per board class under
// presets/, each value justified by a comment. Lookup, Names and All read
// them. Record bundles hardware, preset name and values for benchmark
// records, so results from different boards can be compared.
//
// The package imports nothing of midge's: callers map Preset onto their own
// options.
package profiles
