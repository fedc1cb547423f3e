package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/atomicfile"
)

// defaultMaxInputSize bounds what is read from one input: no real Graph
// export or profile comes close, and hostile input must not exhaust memory.
const defaultMaxInputSize = 16 << 20

// maxInputSizeFlag is --max-input-size, the same in every command: a whole
// number of bytes from 1 to 9223372036854775807 (math.MaxInt64, which means
// no limit); anything else is a usage error. what names the inputs in the
// help text.
func maxInputSizeFlag(what string) cli.Flag {
	return &cli.Int64Flag{
		Name:  "max-input-size",
		Value: defaultMaxInputSize,
		Usage: "refuse " + what + " larger than this many `BYTES`",
		Action: func(_ *cli.Context, n int64) error {
			if n < 1 {
				return usagef("--max-input-size %d: want a number of bytes, 1 or more", n)
			}
			return nil
		},
	}
}

// maxCredentialSize bounds the files named by flags: keys, certificates,
// PKCS#12 identities, CA bundles, passwords. The largest real ones (a CA
// bundle of every public root) are a few hundred KB.
const maxCredentialSize = 4 << 20

// inputFiles records the files a run reads, so that no output of the run
// replaces one of them (atomicfile.Options.Protect): every read of a file
// goes through readInput or readFile, and every write through writeOutput
// (or batch.Options.Protect), so the check is in one place and cannot miss
// a flag added later.
type inputFiles struct {
	mu    sync.Mutex
	files []atomicfile.Input
}

func (r *inputFiles) add(path, what string, fi os.FileInfo) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files = append(r.files, atomicfile.Input{Path: path, What: what, Info: fi})
}

// list returns the files read so far.
func (r *inputFiles) list() []atomicfile.Input {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]atomicfile.Input(nil), r.files...)
}

// readInput reads the command's input file, or standard input for "-",
// refusing more than max bytes.
func readInput(e env, path string, max int64) ([]byte, error) {
	if path == "-" {
		data, err := readLimited(e.stdin, max, 512)
		if err != nil {
			return nil, fmt.Errorf("cannot read standard input: %w", err)
		}
		if data == nil {
			return nil, fmt.Errorf("standard input is larger than %d bytes (--max-input-size); no Graph export or profile is that large", max)
		}
		return data, nil
	}
	data, err := readFile(e, path, "the input file", max)
	var tooLarge *tooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("%s is larger than %d bytes (--max-input-size); no Graph export or profile is that large", path, max)
	case errors.Is(err, errIsFolder):
		return nil, fmt.Errorf("%s is a folder; compile takes one file (use batch for folders)", path)
	case err != nil:
		return nil, fmt.Errorf("cannot read the input: %w", err)
	}
	return data, nil
}

// errIsFolder is returned by readFile for a folder.
var errIsFolder = errors.New("it is a folder")

// tooLargeError is returned by readFile for a file larger than its limit.
type tooLargeError struct {
	path string
	max  int64
}

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.path, e.max)
}

// readCredential reads a file named by a flag (a key, a certificate, an
// identity), which what names: "the --sign-key file".
func readCredential(e env, path, what string) ([]byte, error) {
	return readFile(e, path, what, maxCredentialSize)
}

// readFile reads a file the command uses (what names it in messages: "the
// --sign-key file"), at most max bytes, and records it among the run's
// inputs. Open errors are *os.PathError, as os.ReadFile returns them.
func readFile(e env, path, what string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(512)
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			return nil, errIsFolder
		}
		e.inputs.add(path, what, fi)
		if fi.Mode().IsRegular() {
			size = fi.Size() + 1
		}
	}
	data, err := readLimited(f, max, size)
	if err != nil {
		return nil, &os.PathError{Op: "read", Path: path, Err: err}
	}
	if data == nil {
		return nil, &tooLargeError{path: path, max: max}
	}
	return data, nil
}

// readLimited reads r to its end and returns nil (with no error) when it
// holds more than maxBytes bytes; size is the first buffer's. maxBytes may be
// as large as math.MaxInt64.
func readLimited(r io.Reader, maxBytes, size int64) ([]byte, error) {
	limit := maxBytes
	if limit < math.MaxInt64 {
		limit++ // one byte more tells a file of exactly maxBytes from a larger one
	}
	r = io.LimitReader(r, limit)
	b := make([]byte, 0, max(min(size, limit, 64<<20), 512))
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if int64(len(b)) > maxBytes {
		return nil, nil
	}
	return b, nil
}

func displayName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}

// writeOutput writes data to path ("-" is standard output) atomically; files
// holding secrets get mode 0600. No file the run has read is replaced. The
// temporary file is recorded in e.tracker (if any), so that an interrupt
// removes it and the output is never published.
func writeOutput(e env, path string, data []byte, secret, force bool) error {
	if path == "-" {
		_, err := e.stdout.Write(data)
		return err
	}
	perm := os.FileMode(0o644)
	if secret {
		perm = 0o600
	}
	return atomicfile.WriteFile(path, data, atomicfile.Options{Perm: perm, Force: force, Protect: e.inputs.list(), Tracker: e.tracker})
}

// diagPrinter prints diagnostics as text lines on standard error, or, with
// --json, as one JSON document.
type diagPrinter struct {
	e       env
	json    bool
	verbose bool
	// jsonOut receives the JSON: standard output, unless standard output
	// carries the profile (-o -) or the old spelling --diagnostics json,
	// which printed on standard error, was used.
	jsonOut io.Writer
}

// newDiagPrinter reads --json and --verbose.
func newDiagPrinter(c *cli.Context, e env) diagPrinter {
	p := diagPrinter{e: e, json: c.Bool("json"), verbose: c.Bool("verbose"), jsonOut: e.stdout}
	if c.String("output") == "-" || c.IsSet("diagnostics") {
		p.jsonOut = e.stderr
	}
	return p
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

// jsonReport is the --json document of compile and server-config.
type jsonReport struct {
	Input  string `json:"input"`
	Output string `json:"output,omitempty"`
	OK     bool   `json:"ok"`
	// Error is the error about the input that stopped server-config after
	// the findings listed (a profile it cannot map, say).
	Error       string    `json:"error,omitempty"`
	Diagnostics diag.List `json:"diagnostics"`
}

func (p diagPrinter) printJSON(r jsonReport) {
	if !p.json {
		return
	}
	enc := json.NewEncoder(p.jsonOut)
	enc.SetIndent("", "  ")
	enc.Encode(r)
}

// printJSONLine prints v as one line of JSON, as batch --json does.
func (p diagPrinter) printJSONLine(v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(p.jsonOut, "%s\n", b)
}

// readSecretFile reads a password or key (what names it) from a file, or
// from standard input for "-", dropping one trailing newline (as editors and
// `echo` add one). The file's contents are never printed.
func readSecretFile(e env, path, what string) (string, error) {
	if path == "-" {
		b, err := readLimited(e.stdin, maxCredentialSize, 512)
		switch {
		case err != nil:
			return "", fmt.Errorf("cannot read the %s from standard input: %v", what, err)
		case b == nil:
			return "", fmt.Errorf("standard input, read for the %s, is larger than %d bytes; it cannot hold a password or key", what, maxCredentialSize)
		}
		return trimNewline(string(b)), nil
	}
	b, err := readFile(e, path, "the "+what, maxCredentialSize)
	var tooLarge *tooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return "", fmt.Errorf("the %s %s is larger than %d bytes; it cannot hold a password or key", what, path, maxCredentialSize)
	case errors.Is(err, errIsFolder):
		return "", fmt.Errorf("the %s %s is a folder", what, path)
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return "", fmt.Errorf("cannot read the %s %s: %v", what, path, pe.Err)
		}
		return "", fmt.Errorf("cannot read the %s %s", what, path)
	}
	return trimNewline(string(b)), nil
}

// trimNewline drops one line end.
func trimNewline(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

// warnLoosePermissions warns when a file holding a key or password can be
// read by other users.
func warnLoosePermissions(e env, path, what string) {
	if path == "-" {
		return // standard input
	}
	fi, err := os.Stat(path)
	if err != nil {
		return
	}
	if fi.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: %s %s is readable by group or others (mode %04o); chmod 600 it\n", what, path, fi.Mode().Perm())
	}
}

// outputRule is the one rule for default outputs, which the help of the
// program and of each command, and the README, state.
const outputRule = "Outputs: compile, sign, unsign and mdm-command write a file; -o FILE names it and -o - writes\n" +
	"standard output. Without -o the file is written to the current folder and named after the input:\n" +
	"NAME.mobileconfig (compile), NAME.signed.mobileconfig (sign), NAME.unsigned.mobileconfig (unsign),\n" +
	"NAME.install.plist (mdm-command; .json for MicroMDM), NAME being the input's file name without its\n" +
	"extension (and without .signed or .unsigned). Reading standard input needs -o. Reports and texts\n" +
	"(verify, inspect, lint, mapping, server-config, dial, deploy, and --json) go to standard output."

// outputFlag is the -o flag of the commands that write one file; def
// describes the default.
func outputFlag(def string) cli.Flag {
	return &cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output `FILE`, - for standard output (default: " + def + " in the current folder)"}
}

// outputPath is the output of a command: -o, else the default name made
// from the input's name and suffix (outputRule).
func outputPath(c *cli.Context, input, suffix string) (string, error) {
	if out := c.String("output"); out != "" {
		return out, nil
	}
	if input == "-" {
		return "", usagef("%s reads standard input: give -o FILE (or -o - for standard output)", c.Command.Name)
	}
	return defaultOutputName(input, suffix), nil
}

// defaultOutputName is the input's file name without its extension, and
// without a .signed or .unsigned that sign or unsign added, with suffix.
func defaultOutputName(input, suffix string) string {
	name := filepath.Base(input)
	name = strings.TrimSuffix(name, filepath.Ext(name))
	for _, s := range []string{".signed", ".unsigned"} {
		name = strings.TrimSuffix(name, s)
	}
	if name == "" || name == "." || name == ".." {
		name = "profile"
	}
	return name + suffix
}

// noteDefaultOutput says where the output went when -o was not given.
func noteDefaultOutput(c *cli.Context, e env, output string) {
	if c.String("output") == "" {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: wrote %s (no -o given)\n", output)
	}
}
