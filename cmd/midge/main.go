// Command midge is the one binary of the project: the broker (serve), the
// command-line clients (pub, sub, rr, passwd), the load generator and the
// benchmark harness (bench) and the board profiler (profile).
//
// Like busybox, it also answers to the names midge_pub, midge_sub, midge_rr
// and midge_passwd through argv[0], so a symlink can stand in for
// mosquitto_pub and friends in existing scripts.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// command is one subcommand of the binary. run receives the arguments after
// the subcommand name and returns the process exit code.
type command struct {
	name    string
	summary string
	run     func(args []string) int
}

var commands = map[string]*command{}

// register adds a subcommand; each subcommand's file calls it from init.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("midge: subcommand registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	os.Exit(dispatch(os.Args))
}

// dispatch picks the subcommand from argv[0] (midge_pub, ...) or argv[1].
func dispatch(argv []string) int {
	base := filepath.Base(argv[0])
	if name, ok := strings.CutPrefix(base, "midge_"); ok {
		if c := commands[name]; c != nil {
			return c.run(argv[1:])
		}
	}
	if len(argv) < 2 {
		usage()
		return 1
	}
	switch argv[1] {
	case "-h", "--help", "help":
		usage()
		return 0
	case "--version", "version":
		fmt.Println("midge version", Version)
		return 0
	}
	c := commands[argv[1]]
	if c == nil {
		fmt.Fprintf(os.Stderr, "midge: unknown command %q\n", argv[1])
		usage()
		return 1
	}
	return c.run(argv[2:])
}

func usage() {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(os.Stderr, "usage: midge <command> [arguments]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", n, commands[n].summary)
	}
}
