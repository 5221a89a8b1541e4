package passwd

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Entry is one line of a password file. Hash is the text after the first
// ':', which is a plain-text password in a file not yet converted with -U.
type Entry struct {
	Username string
	Hash     string
}

// File is a password file in line order. Blank lines and lines starting
// with '#' are kept in Lines as they are so that rewriting a file keeps
// them.
type File struct {
	// Lines holds every line; an entry line has Entry set, any other line
	// keeps its text in Raw.
	Lines []Line
}

// Line is one line of a File.
type Line struct {
	Entry *Entry
	Raw   string
}

// Parse reads a password file. Lines without ':' that are not blank or
// comments are an error naming the line number.
func Parse(r io.Reader) (*File, error) {
	f := &File{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		text := strings.TrimRight(sc.Text(), "\r")
		trimmed := strings.TrimSpace(text)
		if trimmed == "" || trimmed[0] == '#' {
			f.Lines = append(f.Lines, Line{Raw: text})
			continue
		}
		user, hash, ok := strings.Cut(text, ":")
		if !ok {
			return nil, fmt.Errorf("passwd: line %d: missing ':'", n)
		}
		f.Lines = append(f.Lines, Line{Entry: &Entry{Username: user, Hash: hash}})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return f, nil
}

// Lookup returns the entry for username, or nil.
func (f *File) Lookup(username string) *Entry {
	for _, l := range f.Lines {
		if l.Entry != nil && l.Entry.Username == username {
			return l.Entry
		}
	}
	return nil
}

// Set replaces the hash of username, or appends a new entry.
func (f *File) Set(username, hash string) {
	if e := f.Lookup(username); e != nil {
		e.Hash = hash
		return
	}
	f.Lines = append(f.Lines, Line{Entry: &Entry{Username: username, Hash: hash}})
}

// Delete removes username and reports whether it was present.
func (f *File) Delete(username string) bool {
	for i, l := range f.Lines {
		if l.Entry != nil && l.Entry.Username == username {
			f.Lines = append(f.Lines[:i], f.Lines[i+1:]...)
			return true
		}
	}
	return false
}

// Check reports whether username exists and password matches its hash.
func (f *File) Check(username, password string) bool {
	e := f.Lookup(username)
	if e == nil {
		return false
	}
	ok, err := Verify(e.Hash, password)
	return err == nil && ok
}

// Bytes renders the file, one line each, newline-terminated.
func (f *File) Bytes() []byte {
	var b bytes.Buffer
	for _, l := range f.Lines {
		if l.Entry != nil {
			b.WriteString(l.Entry.Username)
			b.WriteByte(':')
			b.WriteString(l.Entry.Hash)
		} else {
			b.WriteString(l.Raw)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}
