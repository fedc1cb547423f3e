package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/atomicfile"
)

// defaultMaxInputSize bounds what is read from one input: no real Graph
// export or profile comes close, and hostile input must not exhaust memory.
const defaultMaxInputSize = 16 << 20

// readInput reads a file, or standard input for "-", refusing more than max
// bytes.
func readInput(e env, path string, max int64) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = e.stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("cannot read the input: %w", err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return nil, fmt.Errorf("%s is a folder; compile takes one file (use batch for folders)", path)
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", displayName(path), err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes (--max-input-size); no Graph export or profile is that large", displayName(path), max)
	}
	return data, nil
}

func displayName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// writeOutput writes data to path ("-" is standard output) atomically; files
// holding secrets get mode 0600. The temporary file is recorded in e.tracker
// (if any), so that an interrupt removes it and the output is never
// published.
func writeOutput(e env, path string, data []byte, secret, force bool, protect ...string) error {
	if path == "-" {
		_, err := e.stdout.Write(data)
		return err
	}
	perm := os.FileMode(0o644)
	if secret {
		perm = 0o600
	}
	return atomicfile.WriteFile(path, data, atomicfile.Options{Perm: perm, Force: force, Protect: protect, Tracker: e.tracker})
}

// diagPrinter prints diagnostics as text lines or as one JSON document.
type diagPrinter struct {
	e       env
	json    bool
	verbose bool
}

func (p diagPrinter) print(source string, l diag.List) {
	if p.json {
		return
	}
	for _, d := range l {
		if d.Severity == diag.Info && !p.verbose {
			continue
		}
		line := d.String()
		if source != "" {
			line = source + ": " + line
		}
		fmt.Fprintf(p.e.stderr, "graph2mobileconfig: %s\n", line)
	}
}

// jsonReport is the --diagnostics json document.
type jsonReport struct {
	Input       string    `json:"input"`
	Output      string    `json:"output,omitempty"`
	OK          bool      `json:"ok"`
	Diagnostics diag.List `json:"diagnostics"`
}

func (p diagPrinter) printJSON(r jsonReport) {
	if !p.json {
		return
	}
	enc := json.NewEncoder(p.e.stderr)
	enc.SetIndent("", "  ")
	enc.Encode(r)
}

func parseDiagFormat(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "text":
		return false, nil
	case "json":
		return true, nil
	}
	return false, usagef("--diagnostics %q: want text or json", s)
}

// readSecretFile reads a password or key (what names it) from a file, dropping one trailing newline
// (as editors and `echo` add one). The file's contents are never printed.
func readSecretFile(path, what string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return "", fmt.Errorf("cannot read the %s %s: %v", what, path, pe.Err)
		}
		return "", fmt.Errorf("cannot read the %s %s", what, path)
	}
	s := strings.TrimSuffix(string(b), "\n")
	s = strings.TrimSuffix(s, "\r")
	return s, nil
}

// warnLoosePermissions warns when a file holding a key or password can be
// read by other users.
func warnLoosePermissions(e env, path, what string) {
	fi, err := os.Stat(path)
	if err != nil {
		return
	}
	if fi.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: %s %s is readable by group or others (mode %04o); chmod 600 it\n", what, path, fi.Mode().Perm())
	}
}
