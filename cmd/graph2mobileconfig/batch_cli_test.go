package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/batch"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// batchFolder copies fixtures that compile without flags into a folder,
// with one broken file, and returns the folder. It holds 7 entities: 5
// IKEv2 configurations that compile, one other device configuration
// (in proxy-manual) and the broken file.
func batchFolder(t *testing.T, broken bool) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"psk-ondemand", "proxy-pac", "flags-false", "eap-only", "proxy-manual"} {
		data, err := os.ReadFile(repoPath("fixtures", name, "input.json"))
		if err != nil {
			t.Fatal(err)
		}
		sub := filepath.Join(dir, name)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, "export.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if broken {
		if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"value": [{"id": `), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func profiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".mobileconfig") {
			names = append(names, e.Name())
		} else {
			t.Errorf("unexpected file in the output folder: %s", e.Name())
		}
	}
	return names
}

func readReport(t *testing.T, path string) batch.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep batch.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("report.json does not parse: %v\n%s", err, data)
	}
	return rep
}

// TestBatchFolder compiles a folder with one broken file: the others are
// still written, the exit status is 1, and the report has one entry per
// entity.
func TestBatchFolder(t *testing.T) {
	in := batchFolder(t, true)
	out := filepath.Join(t.TempDir(), "profiles") // created by batch
	report := filepath.Join(t.TempDir(), "report.json")
	r := runCLI(t, nil, nil, "batch", in, "--out-dir", out, "--report", report)
	if r.code != exitError {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitError, r.stderr)
	}
	if got := profiles(t, out); len(got) != 5 {
		t.Errorf("wrote %d profiles, want 5: %v", len(got), got)
	}
	rep := readReport(t, report)
	want := batch.Summary{Files: 6, Entities: 7, Compiled: 5, Skipped: 1, Failed: 1, Warnings: rep.Summary.Warnings}
	if rep.Summary != want || len(rep.Entries) != 7 {
		t.Errorf("report summary %+v with %d entries, want %+v with 7", rep.Summary, len(rep.Entries), want)
	}
	broken := filepath.Join(in, "broken.json")
	if e := rep.Entries[0]; e.Source != broken || e.Status != batch.StatusFailed {
		t.Errorf("first entry = %+v, want the broken file failed", e)
	}
	if !strings.Contains(r.stderr, "graph2mobileconfig: "+broken+" $: error: line 1, column 19: unexpected end of input") {
		t.Errorf("stderr does not name the broken file's error:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "graph2mobileconfig: batch: 5 compiled, 1 skipped, 1 failed, ") {
		t.Errorf("no summary line:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "warning:") {
		t.Errorf("warnings printed without --verbose:\n%s", r.stderr)
	}

	// Each profile has the bytes compile writes for the same input.
	for _, e := range rep.Entries {
		if e.Status != batch.StatusCompiled {
			continue
		}
		single := filepath.Join(t.TempDir(), "single.mobileconfig")
		if c := runCLI(t, nil, nil, "compile", e.Source, "-o", single); c.code != exitOK {
			t.Fatalf("compile %s: exit %d\n%s", e.Source, c.code, c.stderr)
		}
		want, _ := os.ReadFile(single)
		got, _ := os.ReadFile(e.Output)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: batch and compile wrote different bytes", e.Source)
		}
	}
}

func TestBatchProgress(t *testing.T) {
	progressLine := func(line string) bool {
		return strings.HasPrefix(line, "graph2mobileconfig: batch: ") && strings.Contains(line, " files: ")
	}
	tests := []struct {
		name         string
		broken       bool
		args         []string
		wantProgress bool
		wantSummary  bool
	}{
		{"not a terminal: no progress", false, nil, false, true},
		{"plain lines with --progress", false, []string{"--progress"}, true, true},
		{"quiet", false, []string{"--quiet"}, false, false},
		{"quiet with a failure", true, []string{"-q"}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := batchFolder(t, tt.broken)
			r := runCLI(t, nil, nil, append([]string{"batch", in, "--out-dir", t.TempDir()}, tt.args...)...)
			var progress, summary int
			for _, line := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
				switch {
				case progressLine(line):
					progress++
				case strings.HasPrefix(line, "graph2mobileconfig: batch: ") && strings.Contains(line, " compiled, "):
					summary++
				}
			}
			if strings.Contains(r.stderr, "\r") {
				t.Errorf("carriage returns without a terminal:\n%q", r.stderr)
			}
			if (progress > 0) != tt.wantProgress || (summary == 1) != tt.wantSummary || summary > 1 {
				t.Errorf("%d progress lines and %d summary lines, want progress %v and summary %v:\n%s", progress, summary, tt.wantProgress, tt.wantSummary, r.stderr)
			}
			if tt.wantProgress && !strings.Contains(r.stderr, "graph2mobileconfig: batch: 100% 5/5 files: 5 compiled, 1 skipped, 0 failed\n") {
				t.Errorf("no final progress line:\n%s", r.stderr)
			}
		})
	}
}

// TestBatchProgressBar runs with a terminal on stderr: the bar is drawn with
// carriage returns and erased before the summary.
func TestBatchProgressBar(t *testing.T) {
	in := batchFolder(t, false)
	var stdout, stderr bytes.Buffer
	e := env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, stderrColumns: func() int { return 120 }}
	code := run([]string{"graph2mobileconfig", "batch", in, "--out-dir", t.TempDir()}, e)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	s := stderr.String()
	if !strings.Contains(s, "\rgraph2mobileconfig: batch: [") || !strings.Contains(s, "] 100% 5/5 files") {
		t.Errorf("no progress bar:\n%q", s)
	}
	if !strings.Contains(s, "\r\x1b[Kgraph2mobileconfig: batch: 5 compiled") {
		t.Errorf("the bar is not erased before the summary:\n%q", s)
	}
}

func TestBatchVerbose(t *testing.T) {
	in := batchFolder(t, false)
	r := runCLI(t, nil, nil, "batch", "-v", in, "--out-dir", t.TempDir())
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	flags := filepath.Join(in, "flags-false", "export.json")
	if !strings.Contains(r.stderr, "graph2mobileconfig: "+flags+" $: warning: $.enableSplitTunneling: ") {
		t.Errorf("no per-entity warning line:\n%s", r.stderr)
	}
	manual := filepath.Join(in, "proxy-manual", "export.json")
	if !strings.Contains(r.stderr, "graph2mobileconfig: "+manual+" $[0]: info: $[0]: skipped microsoft.graph.iosGeneralDeviceConfiguration") {
		t.Errorf("no info line for the skipped entity:\n%s", r.stderr)
	}
}

func TestBatchJSONDiagnostics(t *testing.T) {
	in := batchFolder(t, true)
	r := runCLI(t, nil, nil, "batch", in, "--out-dir", t.TempDir(), "--json", "--identifier-prefix", "com.contoso.vpn")
	if r.code != exitError {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if r.stderr != "" {
		t.Errorf("--json printed on standard error:\n%s", r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(lines) != 8 {
		t.Fatalf("%d lines, want 7 entries and a summary:\n%s", len(lines), r.stdout)
	}
	for _, line := range lines[:7] {
		var e batch.Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil || e.Source == "" || e.Status == "" {
			t.Errorf("not an entry: %v\n%s", err, line)
		}
	}
	var last struct{ Summary batch.Summary }
	if err := json.Unmarshal([]byte(lines[7]), &last); err != nil || last.Summary.Entities != 7 || last.Summary.Failed != 1 {
		t.Errorf("bad summary line %s: %v", lines[7], err)
	}
}

// TestBatchSigned signs with the test PKI: every profile is CMS.
func TestBatchSigned(t *testing.T) {
	pki := testPKI(t)
	in := batchFolder(t, false)
	out := t.TempDir()
	r := runCLI(t, nil, nil, "batch", in, "--out-dir", out,
		"--sign-p12", filepath.Join(pki, "client.p12"), "--sign-password-file", filepath.Join(pki, "client.p12.pass"))
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	names := profiles(t, out)
	if len(names) != 5 {
		t.Fatalf("%d profiles, want 5", len(names))
	}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !signing.IsCMS(data) {
			t.Errorf("%s is not signed", name)
		}
	}
}

func TestBatchStdin(t *testing.T) {
	data, err := os.ReadFile(repoPath("fixtures", "psk-ondemand", "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	r := runCLI(t, bytes.NewReader(data), nil, "batch", "-", "--out-dir", out, "-q", "--identifier-prefix", "graph2mobileconfig")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if got := profiles(t, out); !slices.Equal(got, []string{"ios-warehouse-scanners-vpn-psk-360b63d4.mobileconfig"}) {
		t.Errorf("profiles = %v", got)
	}
}

func TestBatchUsage(t *testing.T) {
	in := batchFolder(t, false)
	out := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no input", []string{"batch", "--out-dir", out}, "at least one INPUT"},
		{"no out-dir", []string{"batch", in}, "needs --out-dir"},
		{"no jobs", []string{"batch", in, "--out-dir", out, "--jobs", "0"}, "--jobs 0"},
		{"stdin twice", []string{"batch", "-", "-", "--out-dir", out}, "only once"},
		{"report to stdout", []string{"batch", in, "--out-dir", out, "--report", "-"}, "--report needs a FILE"},
		{"bad format", []string{"batch", in, "--out-dir", out, "--plist-format", "yaml"}, "want xml or binary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, nil, tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, want %d and %q in:\n%s", r.code, exitUsage, tt.want, r.stderr)
			}
		})
	}
	if got := profiles(t, out); len(got) != 0 {
		t.Errorf("a usage error wrote %v", got)
	}
}

// TestBatchMaxInputSize applies --max-input-size to every file.
func TestBatchMaxInputSize(t *testing.T) {
	in := batchFolder(t, false)
	small := filepath.Join(in, "small.json")
	if err := os.WriteFile(small, []byte(`{"value": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	r := runCLI(t, nil, nil, "batch", in, "--out-dir", out, "--max-input-size", "100")
	if r.code != exitError {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, "larger than 100 bytes; no Graph export is that large; --max-input-size sets the limit"); n != 5 {
		t.Errorf("%d inputs refused, want 5:\n%s", n, r.stderr)
	}
	if !strings.Contains(r.stderr, "graph2mobileconfig: "+small+": info: the list holds no entities") {
		t.Errorf("the small file was not read:\n%s", r.stderr)
	}
	if got := profiles(t, out); len(got) != 0 {
		t.Errorf("wrote %v", got)
	}
}
