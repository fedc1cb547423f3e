package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/batch"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// TestWithFlagErrors covers the certificate flags' usage and input errors.
func TestWithFlagErrors(t *testing.T) {
	pki := testPKI(t)
	dir := t.TempDir()
	vpn := repoPath("fixtures", "scep-separate", "input.json")
	scep := repoPath("fixtures", "scep-separate", "scep.json")
	empty := writeOrFail(t, filepath.Join(dir, "empty.challenge"), nil)
	os.Chmod(empty, 0o600)
	out := filepath.Join(dir, "out.mobileconfig")
	cases := []struct {
		name string
		args []string
		code int
		text string
	}{
		{"--with from standard input", []string{"--with", "-"}, exitUsage, "standard input is for the INPUT"},
		{"both challenge options", []string{"--with", scep, "--scep-challenge-file", filepath.Join(pki, "scep.challenge"), "--scep-challenge-variable", "C"}, exitUsage, "not both"},
		{"empty challenge file", []string{"--with", scep, "--scep-challenge-file", empty}, exitError, "is empty"},
		{"missing challenge file", []string{"--with", scep, "--scep-challenge-file", filepath.Join(dir, "nope")}, exitError, "nope"},
		{"missing --with file", []string{"--with", filepath.Join(dir, "nope.json")}, exitError, "--with"},
		{"the VPN given with --with", []string{"--with", vpn}, exitError, "give it as the INPUT"},
		{"a --with file that is not JSON", []string{"--with", writeOrFail(t, filepath.Join(dir, "bad.json"), []byte("{"))}, exitError, "bad.json: line 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(out)
			r := runCLI(t, nil, nil, append([]string{"compile", vpn, "-o", out}, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.text) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant %q", r.code, tc.code, r.stderr, tc.text)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("an output was written")
			}
		})
	}
}

// TestCompileWithSecretsAndNames: a literal challenge makes the profile a
// secret (mode 0600) and never reaches the diagnostics; --with files of the
// same base name are told apart by their paths.
func TestCompileWithSecretsAndNames(t *testing.T) {
	pki := testPKI(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.mobileconfig")
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.MkdirAll(a, 0o755)
	os.MkdirAll(b, 0o755)
	writeOrFail(t, filepath.Join(a, "export.json"), readOrFail(t, repoPath("fixtures", "scep-separate", "scep.json")))
	writeOrFail(t, filepath.Join(b, "export.json"), readOrFail(t, repoPath("fixtures", "scep-separate", "root.json")))
	r := runCLI(t, nil, nil, "compile", repoPath("fixtures", "scep-separate", "input.json"), "-o", out, "-v",
		"--with", filepath.Join(a, "export.json"), "--with", filepath.Join(b, "export.json"),
		"--scep-challenge-file", filepath.Join(pki, "scep.challenge"))
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("a profile with a SCEP challenge must be written with mode 0600: %v %v", fi.Mode(), err)
	}
	if strings.Contains(r.stderr, "test-only-scep-challenge") {
		t.Error("the challenge appears on standard error")
	}
	if !strings.Contains(r.stderr, filepath.Join(a, "export.json")+":$.scepServerUrls") {
		t.Errorf("two --with files named export.json must be told apart by path:\n%s", r.stderr)
	}
}

// TestBatchWith: every VPN of a batch gets the certificate profiles of
// --with; an error in a --with export stops the batch before it writes.
func TestBatchWith(t *testing.T) {
	pki := testPKI(t)
	in, outDir := t.TempDir(), filepath.Join(t.TempDir(), "out")
	writeOrFail(t, filepath.Join(in, "vpn.json"), readOrFail(t, repoPath("fixtures", "scep-separate", "input.json")))
	// A second VPN with the same identity, and the SCEP profile itself,
	// which a tenant export holds too: it is skipped as an entity.
	var second map[string]any
	json.Unmarshal(readOrFail(t, repoPath("fixtures", "scep-separate", "input.json")), &second)
	second["id"] = "c4d5e6f7-0000-4000-8000-000000000002"
	second["displayName"] = "Second VPN"
	data, _ := json.Marshal(second)
	writeOrFail(t, filepath.Join(in, "vpn2.json"), data)
	writeOrFail(t, filepath.Join(in, "scep.json"), readOrFail(t, repoPath("fixtures", "scep-separate", "scep.json")))
	report := filepath.Join(t.TempDir(), "report.json")
	r := runCLI(t, nil, nil, "batch", in, "--out-dir", outDir, "--report", report,
		"--with", repoPath("fixtures", "scep-separate", "scep.json"), "--with", repoPath("fixtures", "scep-separate", "root.json"),
		"--scep-challenge-file", filepath.Join(pki, "scep.challenge"))
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	names := profiles(t, outDir)
	if len(names) != 2 {
		t.Fatalf("profiles %v", names)
	}
	for _, n := range names {
		m, _, err := plistout.Decode(readOrFail(t, filepath.Join(outDir, n)))
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, p := range m["PayloadContent"].([]any) {
			types = append(types, p.(map[string]any)["PayloadType"].(string))
		}
		if strings.Join(types, " ") != "com.apple.security.root com.apple.security.scep com.apple.vpn.managed" {
			t.Errorf("%s holds %v", n, types)
		}
	}
	if !bytes.Contains(readOrFail(t, report), []byte(`"skipped"`)) {
		t.Error("the SCEP profile in the input folder should be a skipped entity")
	}
	// The findings of reading the --with files are printed once, and are in
	// the report once: under "shared", by file, with the entities read.
	var rep batch.Report
	if err := json.Unmarshal(readOrFail(t, report), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Shared) != 2 {
		t.Fatalf("report shared %+v, want the two --with files", rep.Shared)
	}
	for i, want := range []struct{ file, typ, id, finding string }{
		{"scep.json", graphjson.ScepType, "5e0c8a7d-1b2f-4f3a-8c6d-9e4b7a2f1c30", `scep.json:$["@odata.context"]`},
		{"root.json", graphjson.TrustedRootType, "c7d2e9a4-3f6b-4a18-b5c0-8e1f2d3a4b5c", `root.json:$["@odata.context"]`},
	} {
		in := rep.Shared[i]
		if in.Flag != "--with" || in.Source != repoPath("fixtures", "scep-separate", want.file) || len(in.Entities) != 1 ||
			in.Entities[0].Type != want.typ || in.Entities[0].ID != want.id || len(in.Diagnostics) != 1 || in.Diagnostics[0].Path != want.finding {
			t.Errorf("shared[%d] = %+v, want %s with its entity and the finding at %s", i, in, want.file, want.finding)
		}
		for _, e := range rep.Entries {
			for _, d := range e.Diagnostics {
				if d == in.Diagnostics[0] {
					t.Errorf("the --with finding %s is repeated in the entry %s", d, e.Path)
				}
			}
		}
	}

	// An error in a --with export: nothing is compiled, and the report
	// says why.
	outDir2 := filepath.Join(t.TempDir(), "out")
	report2 := filepath.Join(t.TempDir(), "report.json")
	r = runCLI(t, nil, nil, "batch", in, "--out-dir", outDir2, "--report", report2,
		"--with", writeOrFail(t, filepath.Join(t.TempDir(), "bad.json"), []byte(`{"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "keySize": "huge"}`)),
		"--scep-challenge-file", filepath.Join(pki, "scep.challenge"))
	if r.code != exitError || !strings.Contains(r.stderr, "bad.json:$.keySize") || !strings.Contains(r.stderr, "nothing compiled") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(outDir2); err == nil {
		if entries, _ := os.ReadDir(outDir2); len(entries) > 0 {
			t.Errorf("a batch whose --with export has errors wrote %d files", len(entries))
		}
	}
	rep = batch.Report{}
	if err := json.Unmarshal(readOrFail(t, report2), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Entries) != 0 || len(rep.Shared) != 1 || !rep.Shared[0].Diagnostics.HasErrors() || rep.Shared[0].Diagnostics.Errors()[0].Path != "bad.json:$.keySize" {
		t.Errorf("report of a batch whose --with export has errors: %+v", rep)
	}
}
