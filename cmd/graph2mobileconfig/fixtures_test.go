package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	mplist "github.com/micromdm/plist"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// TestFixtures compiles every fixtures/<case>/input.json with the flags in
// fixtures/<case>/args and compares the profile and the diagnostics with the
// golden files next to it. Each profile is also decoded with an independent
// parser (github.com/micromdm/plist) and checked value by value against
// fixtures/<case>/checks.txt, checked against Apple's schema with zero
// findings, and compiled twice to prove it is byte-for-byte reproducible.
func TestFixtures(t *testing.T) {
	dirs, err := filepath.Glob(repoPath("fixtures", "*", "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 8 {
		t.Fatalf("found %d fixtures, want at least 8", len(dirs))
	}
	pki := testPKI(t)
	for _, input := range dirs {
		dir := filepath.Dir(input)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			args := fixtureArgs(t, dir, pki)
			out := filepath.Join(t.TempDir(), "out.mobileconfig")
			run := func() (result, []byte) {
				os.Remove(out)
				r := runCLI(t, nil, nil, append([]string{"compile", input, "-o", out, "--json"}, args...)...)
				data, _ := os.ReadFile(out)
				return r, data
			}
			r, profile := run()
			diags := parseReport(t, r.stdout)
			var text bytes.Buffer
			fmt.Fprintf(&text, "exit: %d\n", r.code)
			for _, d := range diags {
				fmt.Fprintln(&text, d.String())
			}
			golden.Check(t, filepath.Join(dir, "diagnostics.txt"), text.Bytes())

			expected := filepath.Join(dir, "expected.mobileconfig")
			if r.code != exitOK {
				if len(profile) != 0 {
					t.Errorf("exit %d but an output file was written", r.code)
				}
				golden.Remove(t, expected)
				return
			}
			golden.Check(t, expected, profile)

			if _, again := run(); !bytes.Equal(again, profile) {
				t.Errorf("a second compile gave different bytes: the output is not reproducible")
			}
			checkIndependently(t, filepath.Join(dir, "checks.txt"), profile)
			m, _, err := plistout.Decode(profile)
			if err != nil {
				t.Fatalf("own output does not decode: %v", err)
			}
			// Checked for the fixture's own target; the {{variables}} left
			// for the MDM and the weak algorithms are in the compile's own
			// warnings (diagnostics.txt).
			lo := compiler.LintOptions{Signed: true}
			if i := slices.Index(args, "--target"); i >= 0 {
				if lo.Target, err = compiler.ParseTarget(args[i+1]); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range compiler.Lint(m, lo) {
				if f.Severity != diag.Info && f.Code != "unresolved-variable" && f.Code != "weak-crypto" {
					t.Errorf("Apple schema finding on our own output: %s", f)
				}
			}
		})
	}
}

// fixtureArgs reads fixtures/<case>/args: one flag per line, the flag name,
// a space and its value; $TESTPKI is the test PKI folder, $FIXTURE the
// fixture's own folder.
func fixtureArgs(t *testing.T, dir, pki string) []string {
	data, err := os.ReadFile(filepath.Join(dir, "args"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.ReplaceAll(line, "$TESTPKI", pki)
		line = strings.ReplaceAll(line, "$FIXTURE", dir)
		name, value, ok := strings.Cut(line, " ")
		args = append(args, name)
		if ok {
			args = append(args, value)
		}
	}
	return args
}

func parseReport(t *testing.T, stderr string) diag.List {
	t.Helper()
	start := strings.Index(stderr, "{")
	if start < 0 {
		t.Fatalf("no JSON report on stderr:\n%s", stderr)
	}
	var rep struct {
		Diagnostics diag.List `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(stderr[start:]), &rep); err != nil {
		t.Fatalf("bad JSON report: %v\n%s", err, stderr)
	}
	return rep.Diagnostics
}

// checkIndependently decodes the profile with micromdm/plist, an
// implementation we did not write, and checks each line of checks.txt:
//
//	SELECTOR:KEY.PATH TYPE [VALUE]
//
// SELECTOR is "top" or a payload type suffix ("vpn" for
// com.apple.vpn.managed, "pkcs12", "root"); TYPE is string, integer, bool,
// data (VALUE = length), array (VALUE = length), dict, or absent.
func checkIndependently(t *testing.T, checksPath string, profile []byte) {
	t.Helper()
	data, err := os.ReadFile(checksPath)
	if err != nil {
		t.Fatalf("every compiled fixture needs %s with value checks: %v", checksPath, err)
	}
	var root map[string]any
	if err := mplist.Unmarshal(profile, &root); err != nil {
		t.Fatalf("micromdm/plist cannot decode the profile: %v", err)
	}
	n := 0
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		fields := strings.SplitN(line, " ", 3)
		if len(fields) < 2 {
			t.Errorf("%s:%d: malformed check %q", checksPath, i+1, line)
			continue
		}
		sel, path, _ := strings.Cut(fields[0], ":")
		path = strings.ReplaceAll(path, "%20", " ") // "Key%20Usage"
		want := ""
		if len(fields) == 3 {
			want = fields[2]
		}
		base := selectPayload(root, sel)
		if base == nil {
			t.Errorf("%s:%d: no payload %q in the profile", checksPath, i+1, sel)
			continue
		}
		got, found := walk(base, path)
		if msg := compareCheck(fields[1], want, got, found); msg != "" {
			t.Errorf("%s:%d: %s: %s", checksPath, i+1, fields[0], msg)
		}
	}
	if n < 5 {
		t.Errorf("%s has %d checks; write at least 5", checksPath, n)
	}
}

func selectPayload(root map[string]any, sel string) map[string]any {
	if sel == "top" {
		return root
	}
	content, _ := root["PayloadContent"].([]any)
	for _, p := range content {
		m, _ := p.(map[string]any)
		if pt, _ := m["PayloadType"].(string); strings.HasSuffix(pt, "."+sel) || strings.HasSuffix(pt, "."+sel+".managed") {
			return m
		}
	}
	return nil
}

// walk follows "A.B[2].C" through decoded plist values.
func walk(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[name]; !ok {
			return nil, false
		}
		for hasIdx {
			var rest string
			var i int
			numText, after, _ := strings.Cut(idx, "]")
			i, _ = strconv.Atoi(numText)
			arr, ok := v.([]any)
			if !ok || i >= len(arr) {
				return nil, false
			}
			v = arr[i]
			rest = strings.TrimPrefix(after, "[")
			hasIdx = strings.HasPrefix(after, "[")
			idx = rest
		}
	}
	return v, true
}

func compareCheck(typ, want string, got any, found bool) string {
	if typ == "absent" {
		if found {
			return fmt.Sprintf("want no such key, got %v", got)
		}
		return ""
	}
	if !found {
		return "missing"
	}
	switch typ {
	case "string":
		if s, ok := got.(string); !ok || s != want {
			return fmt.Sprintf("want string %q, got %#v", want, got)
		}
	case "integer":
		w, _ := strconv.ParseInt(want, 10, 64)
		switch g := got.(type) {
		case uint64:
			if int64(g) != w {
				return fmt.Sprintf("want integer %d, got %d", w, g)
			}
		case int64:
			if g != w {
				return fmt.Sprintf("want integer %d, got %d", w, g)
			}
		default:
			return fmt.Sprintf("want <integer>, got %T %v", got, got)
		}
	case "bool":
		if b, ok := got.(bool); !ok || strconv.FormatBool(b) != want {
			return fmt.Sprintf("want boolean %s, got %#v", want, got)
		}
	case "data":
		b, ok := got.([]byte)
		if !ok || strconv.Itoa(len(b)) != want && want != "*" {
			return fmt.Sprintf("want data of length %s, got %T", want, got)
		}
	case "array":
		a, ok := got.([]any)
		if !ok || strconv.Itoa(len(a)) != want {
			return fmt.Sprintf("want array of %s, got %T %v", want, got, reflect.ValueOf(got))
		}
	case "dict":
		if _, ok := got.(map[string]any); !ok {
			return fmt.Sprintf("want dict, got %T", got)
		}
	default:
		return "unknown check type " + typ
	}
	return ""
}
