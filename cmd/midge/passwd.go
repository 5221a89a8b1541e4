package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"unsafe"

	"github.com/midge-mqtt/midge/internal/passwd"
)

func init() {
	register(&command{name: "passwd", summary: "manage mosquitto-compatible password files", run: runPasswd})
}

const passwdUsage = `midge passwd manages password files for midge and mosquitto.

Usage: midge passwd [-H sha512 | -H sha512-pbkdf2] [-c | -D] passwordfile username
       midge passwd [-H sha512 | -H sha512-pbkdf2] [-c] -b passwordfile username password
       midge passwd -U passwordfile
 -b : run in batch mode to allow passing passwords on the command line.
 -c : create a new password file. This will overwrite existing files.
 -D : delete the username rather than adding/updating its password.
 -H : specify the hashing algorithm. Defaults to sha512-pbkdf2, which is recommended.
      sha512 is the format of mosquitto 1.6 and earlier.
 -U : update a plain text password file to use hashed passwords.
`

// passwdArgs is the parsed command line of midge passwd.
type passwdArgs struct {
	create, del, batch, update bool
	alg                        passwd.Algorithm
	rest                       []string
}

func parsePasswdArgs(args []string) (passwdArgs, error) {
	a := passwdArgs{alg: passwd.SHA512PBKDF2}
	i := 0
	for ; i < len(args); i++ {
		switch args[i] {
		case "-b":
			a.batch = true
		case "-c":
			a.create = true
		case "-D":
			a.del = true
		case "-U":
			a.update = true
		case "-H":
			if i+1 >= len(args) {
				return a, errors.New("-H argument given but no hash type specified")
			}
			i++
			switch alg := passwd.Algorithm(args[i]); alg {
			case passwd.SHA512, passwd.SHA512PBKDF2:
				a.alg = alg
			default:
				return a, fmt.Errorf("Unknown hash type '%s'", args[i])
			}
		default:
			a.rest = args[i:]
			i = len(args)
		}
	}
	switch {
	case a.create && a.del:
		return a, errors.New("-c and -D cannot be used together")
	case a.batch && a.del:
		return a, errors.New("-b and -D cannot be used together")
	case a.update && (a.create || a.del || a.batch):
		return a, errors.New("-U cannot be used with -b, -c or -D")
	}
	want := 2
	switch {
	case a.update:
		want = 1
	case a.batch:
		want = 3
	}
	if len(a.rest) != want {
		switch {
		case a.create && a.batch:
			return a, errors.New("-c argument given but password file, username, or password missing")
		case a.create:
			return a, errors.New("-c argument given but password file or username missing")
		}
		return a, errUsage
	}
	if !a.update && strings.Contains(a.rest[1], ":") {
		return a, errors.New("Username must not contain the ':' character")
	}
	return a, nil
}

var errUsage = errors.New("usage")

func runPasswd(args []string) int {
	a, err := parsePasswdArgs(args)
	if err == errUsage {
		fmt.Print(passwdUsage)
		return 1
	}
	if err != nil {
		msg := "Error: " + err.Error()
		if !strings.HasPrefix(err.Error(), "Unknown hash type") {
			msg += "."
		}
		fmt.Fprintln(os.Stderr, msg)
		return 1
	}
	if err := doPasswd(a, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "%v\n", err)
		return 1
	}
	return 0
}

// doPasswd carries out a parsed command; prompts go to out, typed
// passwords are read from in.
func doPasswd(a passwdArgs, in *os.File, out io.Writer) error {
	path := a.rest[0]
	var file *passwd.File
	if a.create {
		file = &passwd.File{}
	} else {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("Error: Unable to open password file %s. %s.", path, describeFileErr(err))
		}
		file, err = passwd.Parse(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("Error: Invalid password file %s: %v.", path, err)
		}
	}
	switch {
	case a.update:
		for _, l := range file.Lines {
			if l.Entry == nil {
				continue
			}
			h, err := passwd.Hash(l.Entry.Hash, a.alg)
			if err != nil {
				return fmt.Errorf("Error: %v.", err)
			}
			l.Entry.Hash = h
		}
	case a.del:
		if !file.Delete(a.rest[1]) {
			return fmt.Errorf("Warning: User %s not found in password file.", a.rest[1])
		}
	default:
		var pw string
		if a.batch {
			pw = a.rest[2]
		} else {
			var err error
			if pw, err = promptPassword(in, out); err != nil {
				return err
			}
		}
		h, err := passwd.Hash(pw, a.alg)
		if err != nil {
			return fmt.Errorf("Error: %v.", err)
		}
		file.Set(a.rest[1], h)
	}
	if err := os.WriteFile(path, file.Bytes(), 0o600); err != nil {
		return fmt.Errorf("Error: Unable to write password file %s. %s.", path, describeFileErr(err))
	}
	return nil
}

func describeFileErr(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "Permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// promptPassword asks twice, with echo off when in is a terminal.
func promptPassword(in *os.File, out io.Writer) (string, error) {
	restore := disableEcho(in)
	defer restore()
	r := bufio.NewReader(in)
	read := func(prompt string) (string, error) {
		fmt.Fprint(out, prompt)
		line, err := r.ReadString('\n')
		fmt.Fprintln(out)
		if err != nil && line == "" {
			return "", errors.New("Error: Empty password.")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	pw1, err := read("Password: ")
	if err != nil {
		return "", err
	}
	pw2, err := read("Reenter password: ")
	if err != nil {
		return "", err
	}
	if pw1 != pw2 {
		return "", errors.New("Error: Passwords do not match.")
	}
	return pw1, nil
}

// disableEcho turns terminal echo off on f if it is a terminal and returns
// the function that restores it.
func disableEcho(f *os.File) func() {
	fd := f.Fd()
	var t syscall.Termios
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&t))); e != 0 {
		return func() {}
	}
	saved := t
	t.Lflag &^= syscall.ECHO
	syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCSETS, uintptr(unsafe.Pointer(&t)))
	return func() {
		syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCSETS, uintptr(unsafe.Pointer(&saved)))
	}
}
