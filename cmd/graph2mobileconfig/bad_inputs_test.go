package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInputs runs every broken input in fixtures/bad through compile and
// checks the exit status, that the error names the JSON path and the fix,
// that no output file appears, and that the shared secret of the input never
// shows up in any output.
func TestBadInputs(t *testing.T) {
	const secret = "bad-input-test-secret"
	data, err := os.ReadFile(repoPath("fixtures", "bad", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	// args are extra flags for the case ($TESTPKI is the test PKI folder).
	var expected map[string]struct {
		Exit   int      `json:"exit"`
		Args   []string `json:"args"`
		Stderr []string `json:"stderr"`
	}
	if err := json.Unmarshal(data, &expected); err != nil {
		t.Fatal(err)
	}
	pki := testPKI(t)
	files, _ := filepath.Glob(repoPath("fixtures", "bad", "*.json"))
	if len(files)-1 < 40 {
		t.Fatalf("%d broken inputs, want at least 40", len(files)-1)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if name == "expected.json" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			want, ok := expected[name]
			if !ok {
				t.Fatalf("no expectation for %s in expected.json", name)
			}
			out := filepath.Join(t.TempDir(), "out.mobileconfig")
			for _, format := range []string{"text", "json"} {
				args := []string{"compile", f, "-o", out}
				if format == "json" {
					args = append(args, "--json")
				}
				for _, a := range want.Args {
					args = append(args, strings.ReplaceAll(a, "$TESTPKI", pki))
				}
				r := runCLI(t, nil, nil, args...)
				if r.code != want.Exit {
					t.Errorf("%s: exit %d, want %d\n%s", format, r.code, want.Exit, r.stderr)
				}
				if format == "text" {
					for _, s := range want.Stderr {
						if !strings.Contains(r.stderr, s) {
							t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
						}
					}
				}
				if strings.Contains(r.stderr+r.stdout, secret) {
					t.Errorf("%s output shows the shared secret", format)
				}
				if _, err := os.Stat(out); err == nil {
					t.Errorf("a failed compile left %s behind", out)
				}
				entries, _ := os.ReadDir(filepath.Dir(out))
				if len(entries) != 0 {
					t.Errorf("files left behind: %v", entries)
				}
			}
		})
	}
}

// TestMillionOnDemandRules feeds 1,000,000 rules: the parser must refuse the
// list quickly instead of building it.
func TestMillionOnDemandRules(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration", "onDemandRules": [`)
	for i := 0; i < 1_000_000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"action":"connect"}`)
	}
	b.WriteString("]}")
	r := runCLI(t, strings.NewReader(b.String()), nil, "compile", "-", "-o", filepath.Join(t.TempDir(), "x.mobileconfig"), "--max-input-size", "100000000")
	if r.code != exitError || !strings.Contains(r.stderr, "more than 100000 elements") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

func TestInputSizeLimit(t *testing.T) {
	big := fmt.Sprintf(`{"displayName": %q}`, strings.Repeat("x", 2048))
	r := runCLI(t, strings.NewReader(big), nil, "compile", "-", "-o", "-", "--max-input-size", "1024")
	if r.code != exitError || !strings.Contains(r.stderr, "larger than 1024 bytes (--max-input-size)") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}
