package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// optionsFilePath is where mosquitto's clients read default options:
// $XDG_CONFIG_HOME/mosquitto_pub (or _sub, _rr), else
// $HOME/.config/mosquitto_pub. Sharing the file means a user's defaults
// (host, port, credentials) apply to both programs.
func optionsFilePath(kind toolKind) string {
	name := kind.mosquittoName()
	if dir := os.Getenv("XDG_CONFIG_HOME"); dir != "" {
		return filepath.Join(dir, name)
	}
	if home := os.Getenv("HOME"); home != "" {
		return filepath.Join(home, ".config", name)
	}
	return ""
}

// applyOptionsFile reads one option per line: the option up to the first
// space, and the rest of the line (spaces included) as its one argument.
// Lines starting with '#' are comments. A missing file is no error.
func (c *clientConfig) applyOptionsFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r\n")
		if strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimLeft(line, " ")
		if line == "" {
			continue
		}
		opt, rest, _ := strings.Cut(line, " ")
		args := []string{opt}
		if rest = strings.TrimLeft(rest, " "); rest != "" {
			args = append(args, rest)
		}
		if err := c.parseArgs(args); err != nil {
			return err
		}
	}
	return nil
}
