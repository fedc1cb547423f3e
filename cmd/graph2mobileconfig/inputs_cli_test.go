package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/batch"
)

// copyTree copies a fixture folder into a temporary folder, so that a batch
// over it writes nothing into the repository.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestSameProfileFromEveryExportShape compiles the same configuration
// exported in every shape the tool reads (Graph JSON, the Graph PowerShell
// SDK's ConvertTo-Json object and array, UTF-16 LE and BE, and each backup
// tool's folder): every one gives the very bytes of fixtures/psk-ondemand.
func TestSameProfileFromEveryExportShape(t *testing.T) {
	want, err := os.ReadFile(repoPath("fixtures", "psk-ondemand", "expected.mobileconfig"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"powershell-sdk-single", "powershell-sdk-array", "utf16le", "utf16be"} {
		out := filepath.Join(t.TempDir(), "out.mobileconfig")
		r := runCLI(t, nil, nil, "compile", repoPath("fixtures", name, "input.json"), "-o", out, "--identifier-prefix", "com.contoso.warehouse")
		got, _ := os.ReadFile(out)
		if r.code != exitOK || !bytes.Equal(got, want) {
			t.Errorf("%s: exit %d, profile differs from psk-ondemand's: %v\n%s", name, r.code, !bytes.Equal(got, want), r.stderr)
		}
	}
	for _, tool := range []string{"IntuneManagement", "IntuneBackupAndRestore"} {
		in := copyTree(t, repoPath("fixtures", "backups", tool))
		out := t.TempDir()
		r := runCLI(t, nil, nil, "batch", in, "--out-dir", out, "--identifier-prefix", "com.contoso.warehouse", "-q")
		names := profiles(t, out)
		if r.code != exitOK || len(names) != 1 {
			t.Fatalf("%s: exit %d, profiles %v\n%s", tool, r.code, names, r.stderr)
		}
		if got, _ := os.ReadFile(filepath.Join(out, names[0])); !bytes.Equal(got, want) {
			t.Errorf("%s: the profile differs from psk-ondemand's", tool)
		}
	}
}

// TestBatchBackupFolders reads each backup tool's folder: the device
// configurations are read, every other file has a skipped entry that says
// why, a notice counts them, and nothing fails.
func TestBatchBackupFolders(t *testing.T) {
	tests := []struct {
		tool                           string
		entries, compiled, skippedFile int
		notice                         []string
	}{
		{"IntuneManagement", 6, 1, 4, []string{"read as a backup folder of IntuneManagement: 2 files read", `1 × file in "CompliancePolicies"`, "1 × group file (Groups)", "1 × bookkeeping file MigrationTable.json", `1 × file in "SettingsCatalog"`}},
		{"IntuneBackupAndRestore", 6, 1, 4, []string{"read as a backup folder of IntuneBackupAndRestore: 2 files read", `1 × file in "Device Compliance Policies"`, "1 × assignment file", `2 × file in "Settings Catalog"`}},
		// Its device configuration folder given alone: the assignments
		// in it are still known for what they are.
		{"IntuneBackupAndRestore/Device Configurations", 3, 1, 1, []string{"read as a backup folder of IntuneBackupAndRestore: 2 files read", "1 × assignment file"}},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			in := copyTree(t, repoPath(append([]string{"fixtures", "backups"}, strings.Split(tt.tool, "/")...)...))
			report := filepath.Join(t.TempDir(), "report.json")
			r := runCLI(t, nil, nil, "batch", in, "--out-dir", t.TempDir(), "--report", report)
			if r.code != exitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			rep := readReport(t, report)
			s := rep.Summary
			if s.Entities != tt.entries || s.Compiled != tt.compiled || s.SkippedFiles != tt.skippedFile || s.Failed != 0 {
				t.Errorf("summary %+v", s)
			}
			for _, e := range rep.Entries {
				if len(e.Diagnostics) == 0 || e.Status == batch.StatusSkipped && !strings.Contains(e.Diagnostics[len(e.Diagnostics)-1].Message, "not") {
					t.Errorf("entry without a reason: %+v", e)
				}
			}
			var notice string
			for _, n := range rep.Notices {
				if n.Code == "backup-folder" {
					notice = n.Message
				}
			}
			for _, w := range tt.notice {
				if !strings.Contains(notice, w) {
					t.Errorf("notice %q lacks %q", notice, w)
				}
			}
			if !strings.Contains(r.stderr, "not read: not device configurations") {
				t.Errorf("the summary line does not count the files not read:\n%s", r.stderr)
			}
		})
	}
}

// TestBatchPowerShellArray is issue 10's report: an array of the Graph
// PowerShell SDK's objects used to give "0 compiled, 2 skipped", exit 0.
func TestBatchPowerShellArray(t *testing.T) {
	out := t.TempDir()
	r := runCLI(t, nil, nil, "batch", repoPath("fixtures", "powershell-sdk-array", "input.json"), "--out-dir", out, "-q")
	if r.code != exitOK || len(profiles(t, out)) != 1 {
		t.Errorf("exit %d, profiles %v\n%s", r.code, profiles(t, out), r.stderr)
	}
}

// TestBatchExitStatus: a batch that compiles nothing, or meets an input it
// cannot recognise, exits 1 and says why; other configurations alone are
// not failures.
func TestBatchExitStatus(t *testing.T) {
	in := t.TempDir()
	other := `{"@odata.type": "#microsoft.graph.iosGeneralDeviceConfiguration", "id": "o", "displayName": "Restrictions"}`
	if err := os.WriteFile(filepath.Join(in, "other.json"), []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, nil, nil, "batch", in, "--out-dir", t.TempDir())
	if r.code != exitError || !strings.Contains(r.stderr, "nothing compiled: none of the 1 entities is a microsoft.graph.iosikEv2VpnConfiguration") {
		t.Errorf("only another configuration: exit %d\n%s", r.code, r.stderr)
	}
	r = runCLI(t, nil, nil, "batch", t.TempDir(), "--out-dir", t.TempDir())
	if r.code != exitError || !strings.Contains(r.stderr, "nothing compiled: no input file was found") {
		t.Errorf("an empty folder: exit %d\n%s", r.code, r.stderr)
	}

	// An unrecognisable object in a list fails, with its reason, even
	// though the rest compiles.
	vpn, err := os.ReadFile(repoPath("fixtures", "psk-ondemand", "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	list := fmt.Sprintf(`{"value": [%s, {"id": "g", "displayName": "VPN users", "securityEnabled": true}]}`, vpn)
	if err := os.WriteFile(filepath.Join(in, "list.json"), []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, nil, nil, "batch", in, "--out-dir", t.TempDir())
	if r.code != exitError || !strings.Contains(r.stderr, "$.value[1]: error: $.value[1]: this object has no @odata.type") {
		t.Errorf("an unrecognised entity: exit %d\n%s", r.code, r.stderr)
	}
}

// TestBatchJobsBound is issue 11 item 12: a huge --jobs panicked
// ("makechan: size out of range") or asked for gigabytes; it is a usage
// error now.
func TestBatchJobsBound(t *testing.T) {
	in := batchFolder(t, false)
	for _, j := range []string{"1000000000000", "257"} {
		r := runCLI(t, nil, nil, "batch", in, "--out-dir", t.TempDir(), "--jobs", j)
		if r.code != exitUsage || !strings.Contains(r.stderr, "want 1 to 256") {
			t.Errorf("--jobs %s: exit %d\n%s", j, r.code, r.stderr)
		}
	}
	if r := runCLI(t, nil, nil, "batch", in, "--out-dir", t.TempDir(), "--jobs", "256", "-q"); r.code != exitOK {
		t.Errorf("--jobs 256: exit %d\n%s", r.code, r.stderr)
	}
}

// TestBatchReportMarker is issue 11 item 3: a Graph export whose first
// member is "version" (a real Graph property) was taken for an earlier
// report and overwritten. Only the report's own "format" marker counts.
func TestBatchReportMarker(t *testing.T) {
	in := batchFolder(t, false)
	export := filepath.Join(in, "versioned.json")
	data := `{"version": 4, "@odata.type": "#microsoft.graph.iosGeneralDeviceConfiguration", "id": "v", "displayName": "Versioned"}`
	if err := os.WriteFile(export, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, nil, nil, "batch", in, "--out-dir", t.TempDir(), "--report", export)
	if r.code == exitOK || !strings.Contains(r.stderr, "not the report of an earlier batch") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	if got, _ := os.ReadFile(export); string(got) != data {
		t.Errorf("the export was overwritten:\n%s", got)
	}
	// A report of an earlier batch in the folder is replaced.
	report := filepath.Join(in, "report.json")
	for run := range 2 {
		if r := runCLI(t, nil, nil, "batch", in, "--out-dir", t.TempDir(), "--report", report, "-q"); r.code != exitOK {
			t.Fatalf("run %d: exit %d\n%s", run, r.code, r.stderr)
		}
	}
	if head, _ := os.ReadFile(report); !bytes.HasPrefix(head, []byte("{\n  \"format\": \"graph2mobileconfig batch report\",\n  \"version\": 1,")) {
		t.Errorf("the report does not start with its marker:\n%.120s", head)
	}
}

// TestBatchReportOverProfile is issue 11 item 4: a --report naming a
// profile the same batch writes replaced the profile, which the report
// still listed as compiled. It is refused before anything is written.
func TestBatchReportOverProfile(t *testing.T) {
	in := batchFolder(t, false)
	out := t.TempDir()
	victim := filepath.Join(out, batch.OutputName("iOS - Warehouse scanners VPN (PSK)", "9b2d1f70-3e55-4c8a-b0a1-6f4c7e2d9a13"))
	r := runCLI(t, nil, nil, "batch", in, "--out-dir", out, "--report", victim)
	if r.code == exitOK || !strings.Contains(r.stderr, "would be written over a profile of this batch") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	if got := profiles(t, out); len(got) != 0 {
		t.Errorf("profiles were written: %v", got)
	}
}

// TestBatchEscapedDuplicates is issue 11 item 13: two "value" members, one
// spelled with an escape, made the second list's entities vanish; and an
// escaped duplicate member was read with the last one winning.
func TestBatchEscapedDuplicates(t *testing.T) {
	for file, want := range map[string]string{
		"71-duplicate-value-wrapper.json": `the property "value" appears twice`,
		"70-escaped-duplicate-key.json":   `$.server: the property "address" appears twice`,
	} {
		report := filepath.Join(t.TempDir(), "report.json")
		r := runCLI(t, nil, nil, "batch", repoPath("fixtures", "bad", file), "--out-dir", t.TempDir(), "--report", report)
		rep := readReport(t, report)
		if r.code != exitError || rep.Summary.Failed != 1 || rep.Summary.Compiled != 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d, summary %+v\n%s", file, r.code, rep.Summary, r.stderr)
		}
	}
}

// TestMemberAmplification is issue 11 item 10 at the command line: an
// object with a million unknown members took gigabytes and printed hundreds
// of megabytes of warnings; it is refused at the members limit, in one line.
func TestMemberAmplification(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration"`)
	for i := range 1_000_000 {
		fmt.Fprintf(&b, `,"x%d":0`, i)
	}
	b.WriteString("}")
	r := runCLI(t, strings.NewReader(b.String()), nil, "compile", "-", "-o", filepath.Join(t.TempDir(), "x.mobileconfig"), "--identifier-prefix", "com.contoso.vpn")
	if r.code != exitError || !strings.Contains(r.stderr, "$ has more than 2000 members") || strings.Count(r.stderr, "\n") > 2 {
		t.Errorf("exit %d, %d bytes of output:\n%.500s", r.code, len(r.stderr), r.stderr)
	}
	// Under the limit, many unknown members give at most DefaultMax
	// diagnostics and one line counting the rest.
	b.Reset()
	b.WriteString(`{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration"`)
	for i := range 1_999 {
		fmt.Fprintf(&b, `,"x%d":0`, i)
	}
	b.WriteString("}")
	r = runCLI(t, strings.NewReader(b.String()), nil, "compile", "-", "-o", filepath.Join(t.TempDir(), "x.mobileconfig"), "--json")
	var out struct {
		Diagnostics []json.RawMessage `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%.300s", err, r.stdout)
	}
	if len(out.Diagnostics) > 201 || !strings.Contains(r.stdout, "not listed: at most 200 diagnostics are kept per input") {
		t.Errorf("%d diagnostics:\n%.300s", len(out.Diagnostics), r.stdout)
	}
}
