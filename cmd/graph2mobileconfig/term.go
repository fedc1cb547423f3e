package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// terminal is a terminal that standard error writes to.
type terminal struct{ fd int }

// terminalOf returns f as a terminal, or nil when f is anything else: a
// file, a pipe, or a character device that is not a terminal, such as
// /dev/null.
func terminalOf(f *os.File) *terminal {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return nil
	}
	return &terminal{fd: fd}
}

// width returns the terminal's width in columns, or 0 when it cannot be
// read. It is asked again at each use: the terminal may be resized.
func (t *terminal) width() int {
	w, _, err := term.GetSize(t.fd)
	if err != nil {
		return 0
	}
	return w
}

// passwordPrompt returns a function that asks for a password on the
// terminal that in is, without echo, writing the prompt to out; nil when in
// is not a terminal (a script, a pipe), where nothing is asked.
func passwordPrompt(in *os.File, out io.Writer) func(prompt string) (string, error) {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		return nil
	}
	return func(prompt string) (string, error) {
		fmt.Fprint(out, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(out) // the Enter that ended the password was not echoed
		if err != nil {
			return "", fmt.Errorf("reading the password from the terminal: %w", err)
		}
		return string(b), nil
	}
}
