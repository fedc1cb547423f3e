package batch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

func hash8(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:4])
}

// defaultCompiler compiles as "compile" without flags does.
func defaultCompiler(t testing.TB) *graph2mobileconfig.Compiler {
	t.Helper()
	return newCompiler(t, graph2mobileconfig.Options{})
}

func newCompiler(t testing.TB, opts graph2mobileconfig.Options) *graph2mobileconfig.Compiler {
	t.Helper()
	c, _, err := graph2mobileconfig.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fixtureEntity returns the IKEv2 entity of fixtures/<name>/input.json as a
// JSON object, numbers kept as written.
func fixtureEntity(t testing.TB, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "fixtures", name, "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var candidates []any
	switch d := doc.(type) {
	case []any:
		candidates = d
	case map[string]any:
		switch v := d["value"].(type) {
		case []any:
			candidates = v
		case map[string]any:
			candidates = []any{v}
		default:
			candidates = []any{d}
		}
	}
	for _, c := range candidates {
		m := c.(map[string]any)
		if typ, _ := m["@odata.type"].(string); strings.TrimPrefix(typ, "#") == graphjson.IKEv2Type {
			return m
		}
	}
	t.Fatalf("fixture %s holds no IKEv2 entity", name)
	return nil
}

// ikev2 returns an IKEv2 entity, based on a fixture that compiles without
// flags, with its own id and displayName.
func ikev2(t testing.TB, fixture, id, displayName string) map[string]any {
	m := fixtureEntity(t, fixture)
	m["id"], m["displayName"] = id, displayName
	return m
}

func other(typ, id, displayName string) map[string]any {
	return map[string]any{"@odata.type": "#" + typ, "id": id, "displayName": displayName}
}

func list(entities ...map[string]any) map[string]any {
	return map[string]any{"value": entities}
}

func writeJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(data))
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// outcome is what a Run reported through its callbacks.
type outcome struct {
	sum      Summary
	entries  []Entry
	notices  []Notice
	progress []Progress
}

func runBatch(t testing.TB, inputs []string, opts Options) outcome {
	t.Helper()
	var o outcome
	opts.OnEntry = func(e Entry) { o.entries = append(o.entries, e) }
	opts.OnNotice = func(n Notice) { o.notices = append(o.notices, n) }
	opts.OnProgress = func(p Progress) { o.progress = append(o.progress, p) }
	if opts.Compiler == nil {
		opts.Compiler = defaultCompiler(t)
	}
	sum, err := Run(context.Background(), inputs, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	o.sum = sum
	return o
}

// brief is the part of an entry the tests compare.
type brief struct {
	Source, Path, ID, DisplayName string
	Status                        Status
	Output                        string
}

func briefs(root, outDir string, entries []Entry) []brief {
	var out []brief
	for _, e := range entries {
		b := brief{Source: e.Source, Path: e.Path, ID: e.ID, DisplayName: e.DisplayName, Status: e.Status, Output: e.Output}
		if rel, err := filepath.Rel(root, e.Source); err == nil {
			b.Source = filepath.ToSlash(rel)
		}
		if e.Output != "" {
			b.Output = strings.TrimPrefix(e.Output, outDir+string(filepath.Separator))
		}
		out = append(out, b)
	}
	return out
}

func codes(l diag.List) []string {
	var out []string
	for _, d := range l {
		out = append(out, d.Severity.String()+":"+d.Code)
	}
	return out
}

// mixedTree writes a folder of inputs of every kind and returns its root.
func mixedTree(t testing.TB) string {
	root := t.TempDir()
	in := filepath.Join(root, "in")
	writeJSON(t, filepath.Join(in, "a", "psk.json"), ikev2(t, "psk-ondemand", "id-psk", "Warehouse PSK"))
	writeJSON(t, filepath.Join(in, "a", "nested", "proxy.json"), map[string]any{"value": ikev2(t, "proxy-pac", "id-pac", "Branch PAC")})
	writeFile(t, filepath.Join(in, "broken.json"), `{"value": [`)
	writeJSON(t, filepath.Join(in, "list.json"), list(
		other("microsoft.graph.iosGeneralDeviceConfiguration", "id-gen", "Restrictions"),
		ikev2(t, "flags-false", "id-weak", "Legacy"),
		other("microsoft.graph.windows10VpnConfiguration", "id-win", "Windows VPN"),
	))
	ctx := "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations"
	page1 := list(ikev2(t, "eap-only", "id-eap", "Contractors"), other("microsoft.graph.iosCompliancePolicy", "id-comp", "Compliance"))
	page1["@odata.context"] = ctx
	page1["@odata.nextLink"] = "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations?$skiptoken=abc"
	writeJSON(t, filepath.Join(in, "pages", "page1.json"), page1)
	page2 := list(ikev2(t, "proxy-manual", "id-lab", "Lab"))
	page2["@odata.context"] = ctx
	writeJSON(t, filepath.Join(in, "pages", "page2.json"), page2)
	// Never read: hidden folders, files that are not *.json.
	writeJSON(t, filepath.Join(in, ".git", "x.json"), ikev2(t, "psk-ondemand", "id-hidden", "Hidden"))
	writeJSON(t, filepath.Join(in, ".hidden.json"), ikev2(t, "psk-ondemand", "id-hidden2", "Hidden"))
	writeFile(t, filepath.Join(in, "notes.txt"), "not an export")
	writeFile(t, filepath.Join(in, "old.mobileconfig"), "<plist/>")
	return root
}

func TestMixedInputs(t *testing.T) {
	root := mixedTree(t)
	out := filepath.Join(root, "out")
	o := runBatch(t, []string{filepath.Join(root, "in")}, Options{OutDir: out, Jobs: 3})

	name := func(dn, id string) string { return OutputName(dn, id) }
	want := []brief{
		{"in/a/nested/proxy.json", "$.value", "id-pac", "Branch PAC", StatusCompiled, name("Branch PAC", "id-pac")},
		{"in/a/psk.json", "$", "id-psk", "Warehouse PSK", StatusCompiled, name("Warehouse PSK", "id-psk")},
		{"in/broken.json", "$", "", "", StatusFailed, ""},
		{"in/list.json", "$.value[0]", "id-gen", "Restrictions", StatusSkipped, ""},
		{"in/list.json", "$.value[1]", "id-weak", "Legacy", StatusCompiled, name("Legacy", "id-weak")},
		{"in/list.json", "$.value[2]", "id-win", "Windows VPN", StatusSkipped, ""},
		{"in/pages/page1.json", "$.value[0]", "id-eap", "Contractors", StatusCompiled, name("Contractors", "id-eap")},
		{"in/pages/page1.json", "$.value[1]", "id-comp", "Compliance", StatusSkipped, ""},
		{"in/pages/page2.json", "$.value[0]", "id-lab", "Lab", StatusCompiled, name("Lab", "id-lab")},
	}
	if got := briefs(root, out, o.entries); !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n got %+v\nwant %+v", got, want)
	}
	wantSum := Summary{Files: 6, Entities: 9, Compiled: 5, Skipped: 3, Failed: 1, Warnings: o.sum.Warnings}
	if o.sum != wantSum {
		t.Errorf("summary = %+v, want %+v", o.sum, wantSum)
	}
	warnings := 0
	for i, e := range o.entries {
		if e.Index != i {
			t.Errorf("entry %d has index %d", i, e.Index)
		}
		warnings += e.Diagnostics.Count(diag.Warning)
	}
	if warnings == 0 || o.sum.Warnings != warnings {
		t.Errorf("summary counts %d warnings, the entries hold %d", o.sum.Warnings, warnings)
	}
	if got := codes(o.entries[2].Diagnostics); !reflect.DeepEqual(got, []string{"error:json-syntax"}) {
		t.Errorf("broken.json diagnostics = %v", got)
	}
	if got := codes(o.entries[3].Diagnostics); !reflect.DeepEqual(got, []string{"info:skipped-entity"}) {
		t.Errorf("skipped entity diagnostics = %v", got)
	}
	if len(o.notices) != 0 {
		t.Errorf("notices = %v, want none (the paged export is complete)", o.notices)
	}

	files := outputFiles(t, out)
	var wantFiles []string
	for _, w := range want {
		if w.Output != "" {
			wantFiles = append(wantFiles, w.Output)
		}
	}
	slices.Sort(wantFiles)
	if !reflect.DeepEqual(files, wantFiles) {
		t.Errorf("output folder holds %v, want %v", files, wantFiles)
	}

	last := o.progress[len(o.progress)-1]
	if last.FilesTotal != 6 || last.Files != 6 || last.Summary != o.sum {
		t.Errorf("last progress = %+v, want 6 of 6 files and the summary %+v", last, o.sum)
	}
}

// outputFiles lists the output folder, sorted, and fails on leftovers of
// atomic writes.
func outputFiles(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
		names = append(names, e.Name())
	}
	return names
}

func TestIncompleteExport(t *testing.T) {
	root := t.TempDir()
	ctx := "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations"
	page := func(id string, next bool) map[string]any {
		p := list(ikev2(t, "psk-ondemand", id, "VPN "+id))
		p["@odata.context"] = ctx
		if next {
			p["@odata.nextLink"] = "https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations?$skiptoken=" + id
		}
		return p
	}
	p1 := filepath.Join(root, "p1.json")
	p2 := filepath.Join(root, "p2.json")
	p3 := filepath.Join(root, "p3.json")
	writeJSON(t, p1, page("1", true))
	writeJSON(t, p2, page("2", true))
	writeJSON(t, p3, page("3", false))
	tests := []struct {
		name   string
		inputs []string
		want   []string // sources of incomplete-export notices
	}{
		{"all pages", []string{p1, p2, p3}, nil},
		{"last page first", []string{p3, p1, p2}, nil},
		{"no last page", []string{p1, p2}, []string{p1}},
		{"one page of several", []string{p2}, []string{p2}},
		{"last page only", []string{p3}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := runBatch(t, tt.inputs, Options{OutDir: t.TempDir()})
			var got []string
			for _, n := range o.notices {
				if n.Code == "incomplete-export" && n.Severity == diag.Info {
					got = append(got, n.Source)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("incomplete-export notices for %v, want %v (notices: %v)", got, tt.want, o.notices)
			}
			if o.sum.Compiled != len(tt.inputs) || o.sum.Failed != 0 {
				t.Errorf("summary = %+v, want every page compiled", o.sum)
			}
		})
	}
}

func TestReport(t *testing.T) {
	root := mixedTree(t)
	out := filepath.Join(root, "out")
	report := filepath.Join(root, "reports", "report.json")
	if err := os.MkdirAll(filepath.Dir(report), 0o755); err != nil {
		t.Fatal(err)
	}
	o := runBatch(t, []string{filepath.Join(root, "in")}, Options{OutDir: out, Report: report, Jobs: 2})

	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("the report does not parse: %v\n%s", err, data)
	}
	if rep.Version != ReportVersion || rep.Summary != o.sum || len(rep.Entries) != o.sum.Entities {
		t.Fatalf("report version %d, summary %+v, %d entries; want %d, %+v, %d", rep.Version, rep.Summary, len(rep.Entries), ReportVersion, o.sum, o.sum.Entities)
	}
	if a, b := mustJSON(t, rep.Entries), mustJSON(t, o.entries); !bytes.Equal(a, b) {
		t.Errorf("report entries differ from the entries reported to OnEntry:\n%s\n%s", a, b)
	}
	for _, e := range rep.Entries {
		switch e.Status {
		case StatusCompiled:
			b, err := os.ReadFile(e.Output)
			if err != nil {
				t.Errorf("%s %s: %v", e.Source, e.Path, err)
				continue
			}
			if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != e.SHA256 {
				t.Errorf("%s: sha256 %s does not match the file", e.Output, e.SHA256)
			}
			if filepath.Dir(e.Output) != out || e.Identifier == "" || e.ID == "" || e.DisplayName == "" || e.Type != graphjson.IKEv2Type {
				t.Errorf("compiled entry lacks fields: %+v", e)
			}
		default:
			if e.Output != "" || e.SHA256 != "" {
				t.Errorf("%s entry has output %q, sha256 %q", e.Status, e.Output, e.SHA256)
			}
			if len(e.Diagnostics) == 0 {
				t.Errorf("%s entry %s %s has no diagnostics", e.Status, e.Source, e.Path)
			}
		}
	}
	// The report is one entry a line, between a header and a trailer.
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != o.sum.Entities+8 {
		t.Errorf("the report has %d lines, want %d: one per entry plus 8", len(lines), o.sum.Entities+8)
	}
	if leftovers := outputFiles(t, filepath.Dir(report)); !reflect.DeepEqual(leftovers, []string{"report.json"}) {
		t.Errorf("report folder holds %v", leftovers)
	}
	if fi, err := os.Stat(report); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("report mode: %v %v", fi.Mode(), err)
	}
}

func TestEmptyReport(t *testing.T) {
	root := t.TempDir()
	writeJSON(t, filepath.Join(root, "in", "empty.json"), map[string]any{"value": []any{}})
	report := filepath.Join(root, "r.json")
	o := runBatch(t, []string{filepath.Join(root, "in")}, Options{OutDir: filepath.Join(root, "out"), Report: report})
	var rep Report
	data, _ := os.ReadFile(report)
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if len(rep.Entries) != 0 || len(rep.Notices) != 1 || rep.Notices[0].Code != "empty-list" || rep.Summary.Files != 1 {
		t.Errorf("report = %+v", rep)
	}
	if o.sum != (Summary{Files: 1}) {
		t.Errorf("summary = %+v", o.sum)
	}
}

// TestFailedInputsLeaveNoFile checks that entities with errors, and files
// that cannot be read, write nothing, while the others are written.
func TestFailedInputsLeaveNoFile(t *testing.T) {
	root := t.TempDir()
	in := filepath.Join(root, "in")
	bad := ikev2(t, "psk-ondemand", "id-bad", "Bad MTU")
	bad["mtuSizeInBytes"] = 14
	writeJSON(t, filepath.Join(in, "1-bad.json"), bad)
	writeJSON(t, filepath.Join(in, "2-good.json"), ikev2(t, "psk-ondemand", "id-good", "Good"))
	writeFile(t, filepath.Join(in, "3-html.json"), "<html>sign in</html>")
	writeFile(t, filepath.Join(in, "4-error.json"), `{"error": {"code": "Forbidden", "message": "no"}}`)
	writeFile(t, filepath.Join(in, "5-dup.json"), `{"id": "1", "id": "2"}`)
	writeFile(t, filepath.Join(in, "6-typeless.json"), `{"id": "x", "displayName": "Not a VPN"}`)
	writeFile(t, filepath.Join(in, "7-large.json"), `{"displayName": "`+strings.Repeat("x", 5000)+`"}`)
	missing := filepath.Join(root, "missing.json")

	out := filepath.Join(root, "out")
	o := runBatch(t, []string{in, missing}, Options{OutDir: out, MaxInputSize: 4096})
	want := []struct {
		status Status
		codes  []string
	}{
		{StatusFailed, nil},
		{StatusCompiled, nil},
		{StatusFailed, []string{"error:json-syntax"}},
		{StatusFailed, []string{"error:graph-error-response"}},
		{StatusFailed, []string{"error:duplicate-key"}},
		{StatusFailed, []string{"info:input-shape", "error:missing-type"}},
		{StatusFailed, []string{"error:read-error"}},
		{StatusFailed, []string{"error:read-error"}},
	}
	if len(o.entries) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(o.entries), len(want), o.entries)
	}
	for i, w := range want {
		e := o.entries[i]
		if e.Status != w.status || w.codes != nil && !reflect.DeepEqual(codes(e.Diagnostics), w.codes) {
			t.Errorf("entry %d (%s): %s %v, want %s %v", i, e.Source, e.Status, codes(e.Diagnostics), w.status, w.codes)
		}
	}
	if !o.entries[0].Diagnostics.HasErrors() {
		t.Errorf("the bad MTU has no error: %v", o.entries[0].Diagnostics)
	}
	if got := outputFiles(t, out); !reflect.DeepEqual(got, []string{OutputName("Good", "id-good")}) {
		t.Errorf("output folder holds %v, want only the good profile", got)
	}
	if o.sum.Failed != 7 || o.sum.Compiled != 1 || o.sum.Files != 8 {
		t.Errorf("summary = %+v", o.sum)
	}

	// A failed entity leaves an older profile alone, and says so.
	stale := filepath.Join(out, OutputName("Bad MTU", "id-bad"))
	writeFile(t, stale, "old")
	o = runBatch(t, []string{filepath.Join(in, "1-bad.json")}, Options{OutDir: out})
	if got := codes(o.entries[0].Diagnostics); !slices.Contains(got, "warning:stale-output") {
		t.Errorf("no stale-output warning: %v", got)
	}
	if b, _ := os.ReadFile(stale); string(b) != "old" {
		t.Errorf("the older file was changed")
	}
}

// TestDeterminism runs the same inputs with different numbers of workers:
// the names, the bytes and the report are the same.
func TestDeterminism(t *testing.T) {
	root := mixedTree(t)
	// Many entities with colliding names, so that the counters would
	// differ if they depended on scheduling.
	var many []map[string]any
	for i := range 40 {
		many = append(many, ikev2(t, "psk-ondemand", fmt.Sprintf("id-%d", i%7), "Same Name"))
	}
	writeJSON(t, filepath.Join(root, "in", "many.json"), list(many...))

	type result struct {
		files  map[string][]byte
		report []byte
	}
	run := func(jobs int) result {
		out := filepath.Join(t.TempDir(), "out")
		report := filepath.Join(t.TempDir(), "report.json")
		runBatch(t, []string{filepath.Join(root, "in")}, Options{OutDir: out, Report: report, Jobs: jobs})
		r := result{files: map[string][]byte{}}
		for _, name := range outputFiles(t, out) {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			r.files[name] = b
		}
		b, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		r.report = bytes.ReplaceAll(b, []byte(out), []byte("OUT"))
		return r
	}
	first := run(1)
	if len(first.files) != 45 {
		t.Errorf("%d files, want 45", len(first.files))
	}
	for _, jobs := range []int{1, 4, 16} {
		again := run(jobs)
		if !reflect.DeepEqual(again.files, first.files) {
			t.Errorf("--jobs %d: different file names or bytes than --jobs 1", jobs)
		}
		if !bytes.Equal(again.report, first.report) {
			t.Errorf("--jobs %d: different report than --jobs 1", jobs)
		}
	}
}

// TestDuplicates covers entities that share a name or an id.
func TestDuplicates(t *testing.T) {
	root := t.TempDir()
	in := filepath.Join(root, "in")
	writeJSON(t, filepath.Join(in, "a.json"), ikev2(t, "psk-ondemand", "id-1", "Same"))
	writeJSON(t, filepath.Join(in, "b.json"), ikev2(t, "psk-ondemand", "id-1", "Same"))
	writeJSON(t, filepath.Join(in, "c.json"), ikev2(t, "psk-ondemand", "id-2", "Same"))
	writeJSON(t, filepath.Join(in, "d.json"), ikev2(t, "psk-ondemand", "id-3", "../../etc/passwd"))
	out := filepath.Join(root, "out")
	o := runBatch(t, []string{in}, Options{OutDir: out, Jobs: 4})
	want := []string{
		"same-" + hash8("id-1") + ".mobileconfig",
		"same-" + hash8("id-1") + "-2.mobileconfig",
		"same-" + hash8("id-2") + ".mobileconfig",
		"etc-passwd-" + hash8("id-3") + ".mobileconfig",
	}
	for i, e := range o.entries {
		if e.Output != filepath.Join(out, want[i]) {
			t.Errorf("entry %d written to %s, want %s", i, e.Output, want[i])
		}
	}
	if got := codes(o.entries[1].Diagnostics); !slices.Contains(got, "info:output-name") || !slices.Contains(got, "warning:duplicate-identifier") {
		t.Errorf("the second copy of id-1 has diagnostics %v, want output-name and duplicate-identifier", got)
	}
	if got := codes(o.entries[2].Diagnostics); slices.Contains(got, "warning:duplicate-identifier") {
		t.Errorf("id-2 is not a duplicate: %v", got)
	}
	if got := outputFiles(t, out); len(got) != 4 {
		t.Errorf("output folder holds %v", got)
	}
}

// TestCompileEquivalence runs the whole fixtures folder through batch: every
// file that compiles alone gives the same bytes as compile would, and a file
// holding one IKEv2 entity fails in batch exactly when it fails alone.
func TestCompileEquivalence(t *testing.T) {
	fixtures := filepath.Join("..", "fixtures")
	out := t.TempDir()
	o := runBatch(t, []string{fixtures}, Options{OutDir: out})
	bySource := map[string][]Entry{}
	for _, e := range o.entries {
		bySource[e.Source] = append(bySource[e.Source], e)
	}
	var inputs []string
	err := filepath.WalkDir(fixtures, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && isJSONName(path) && !strings.HasPrefix(d.Name(), ".") {
			inputs = append(inputs, path)
		}
		return err
	})
	if err != nil || len(inputs) < 8 {
		t.Fatalf("found %d fixtures (%v)", len(inputs), err)
	}
	compiledAlone := 0
	for _, input := range inputs {
		data, err := os.ReadFile(input)
		if err != nil {
			t.Fatal(err)
		}
		alone, aloneDiags, _ := defaultCompiler(t).Compile(context.Background(), data)
		var compiled, ikev2 []Entry
		for _, e := range bySource[input] {
			if e.Status == StatusCompiled {
				compiled = append(compiled, e)
			}
			if e.Status != StatusSkipped {
				ikev2 = append(ikev2, e)
			}
		}
		if len(bySource[input]) == 0 && len(aloneDiags.Errors()) == 0 {
			t.Errorf("%s: batch reported nothing", input)
		}
		if alone == nil {
			if len(ikev2) == 1 && len(compiled) != 0 {
				t.Errorf("%s: compile fails, batch compiled it", input)
			}
			continue
		}
		compiledAlone++
		if len(compiled) != 1 {
			t.Errorf("%s: compile succeeds, batch compiled %d entities", input, len(compiled))
			continue
		}
		got, err := os.ReadFile(compiled[0].Output)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, alone.Data) {
			t.Errorf("%s: batch wrote different bytes than compile", input)
		}
		if compiled[0].Identifier != alone.Identifier {
			t.Errorf("%s: identifier %q, compile gives %q", input, compiled[0].Identifier, alone.Identifier)
		}
	}
	if compiledAlone == 0 || o.sum.Compiled < compiledAlone {
		t.Errorf("batch compiled %d entities, %d fixtures compile alone", o.sum.Compiled, compiledAlone)
	}
}

func TestStdin(t *testing.T) {
	data, err := json.Marshal(ikev2(t, "psk-ondemand", "id-stdin", "From stdin"))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	o := runBatch(t, []string{"-"}, Options{OutDir: out, Stdin: bytes.NewReader(data)})
	if len(o.entries) != 1 || o.entries[0].Source != "-" || o.entries[0].Status != StatusCompiled {
		t.Fatalf("entries = %+v", o.entries)
	}
	if o.entries[0].Output != filepath.Join(out, OutputName("From stdin", "id-stdin")) {
		t.Errorf("output = %s", o.entries[0].Output)
	}
}

// TestOutputInsideInput runs batches whose output folder and report are
// inside the input folder, or are the input folder, twice: neither the
// profiles nor the report are read back as input.
func TestOutputInsideInput(t *testing.T) {
	tests := []struct {
		name   string
		outDir string
		want   []string // notices of the second run: code and file name
	}{
		{"inside", "out", []string{"output-in-input out", "output-in-input report.json"}},
		{"same", ".", []string{"output-in-input in", "output-in-input report.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := filepath.Join(t.TempDir(), "in")
			writeJSON(t, filepath.Join(in, "vpn.json"), ikev2(t, "psk-ondemand", "id-1", "VPN"))
			opts := Options{OutDir: filepath.Join(in, tt.outDir), Report: filepath.Join(in, "report.json")}
			first := runBatch(t, []string{in}, opts)
			second := runBatch(t, []string{in}, opts)
			if first.sum.Entities != 1 || second.sum.Entities != 1 || second.sum.Compiled != 1 {
				t.Fatalf("summaries %+v, %+v: want one entity each time", first.sum, second.sum)
			}
			var got []string
			for _, n := range second.notices {
				got = append(got, n.Code+" "+filepath.Base(n.Source))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("notices = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestCancel stops a batch before it starts: nothing is reported or
// written.
func TestCancel(t *testing.T) {
	root := mixedTree(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	report := filepath.Join(root, "report.json")
	_, err := Run(ctx, []string{filepath.Join(root, "in")}, Options{OutDir: filepath.Join(root, "out"), Report: report, Compiler: defaultCompiler(t)})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(report); !os.IsNotExist(err) {
		t.Errorf("a report was written: %v", err)
	}
	if got := outputFiles(t, root); !reflect.DeepEqual(got, []string{"in", "out"}) {
		t.Errorf("folder holds %v", got)
	}
}

func TestRunErrors(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	writeFile(t, file, "x")
	input := filepath.Join(root, "input.json")
	writeJSON(t, input, ikev2(t, "psk-ondemand", "id", "VPN"))
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no output folder", Options{}, "no output folder"},
		{"output folder is a file", Options{OutDir: file}, "cannot create the output folder"},
		{"report is a folder", Options{OutDir: root, Report: root}, "is a folder"},
		{"report is the input", Options{OutDir: root, Report: input}, "is the input file"},
		{"report folder missing", Options{OutDir: root, Report: filepath.Join(root, "no", "r.json")}, "cannot create the report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), []string{input}, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one that says %q", err, tt.want)
			}
		})
	}
}

// TestRunRefusesAReportOverAnExport names, as the report, an export inside
// an input folder: Run refuses before it creates anything, and the export is
// unchanged. The report of an earlier batch in that folder may be replaced.
func TestRunRefusesAReportOverAnExport(t *testing.T) {
	in := t.TempDir()
	export := filepath.Join(in, "psk.json")
	writeJSON(t, export, ikev2(t, "psk-ondemand", "id", "VPN"))
	before, _ := os.ReadFile(export)
	out := filepath.Join(t.TempDir(), "profiles")
	_, err := Run(context.Background(), []string{in}, Options{OutDir: out, Report: export})
	if err == nil || !strings.Contains(err.Error(), "not the report of an earlier batch") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if after, _ := os.ReadFile(export); !bytes.Equal(after, before) {
		t.Error("the export changed")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the output folder was created (%v)", err)
	}
	report := filepath.Join(in, "report.json")
	for run := range 2 {
		if _, err := Run(context.Background(), []string{in}, Options{OutDir: out, Report: report}); err != nil {
			t.Fatalf("run %d with the report in the input folder: %v", run+1, err)
		}
	}
}

// TestInputGivenTwice names the same exports more than once: as a file and
// inside its folder, the folder twice, a folder inside another, through a
// hard link and through a symbolic link. Each file is read once, each
// repeat is reported, and the progress total agrees.
func TestInputGivenTwice(t *testing.T) {
	in := t.TempDir()
	a := filepath.Join(in, "a.json")
	writeJSON(t, a, ikev2(t, "psk-ondemand", "id-a", "VPN A"))
	sub := filepath.Join(in, "sub")
	writeJSON(t, filepath.Join(sub, "b.json"), ikev2(t, "eap-only", "id-b", "VPN B"))
	hard := filepath.Join(t.TempDir(), "hard-link-to-a.json")
	if err := os.Link(a, hard); err != nil {
		t.Skipf("hard links: %v", err)
	}
	soft := filepath.Join(sub, "z-link-to-a.json")
	if err := os.Symlink(a, soft); err != nil {
		t.Skipf("symbolic links: %v", err)
	}
	o := runBatch(t, []string{a, in, in, sub, hard}, Options{OutDir: filepath.Join(t.TempDir(), "out")})
	if o.sum.Entities != 2 || o.sum.Compiled != 2 {
		t.Errorf("summary %+v, want the two exports once each", o.sum)
	}
	var got []string
	for _, n := range o.notices {
		got = append(got, n.Code+" "+n.Source)
	}
	want := []string{
		"duplicate-input " + a,    // in the folder: read as the input named first
		"duplicate-input " + soft, // a link to a.json, which the walk reads
		"duplicate-input " + in,   // the folder again
		"duplicate-input " + sub,  // walked inside the folder already
		"duplicate-input " + hard, // another name of a.json
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("notices\n%q, want\n%q", got, want)
	}
	if last := o.progress[len(o.progress)-1]; last.FilesTotal != 2 {
		t.Errorf("progress total %d files, want 2", last.FilesTotal)
	}
}

// TestReportSharedInputs: the certificate profile exports every entity is
// compiled with (--with) are in the report once, under "shared", with
// their entities and the findings of reading them, and their warnings
// count in the summary; when one has an error, nothing is compiled and the
// report says why.
func TestReportSharedInputs(t *testing.T) {
	root := t.TempDir()
	scepPath := filepath.Join("..", "fixtures", "scep-separate", "scep.json")
	data, err := os.ReadFile(scepPath)
	if err != nil {
		t.Fatal(err)
	}
	certs, d := graphjson.DecodeCertificates(data, graphjson.DefaultLimits, "scep.json")
	// A warning of reading the file, as the CLI's --strict-free run sees:
	// the fixture's own findings are infos.
	d.Warnf("test-warning", "scep.json:$.displayName", "a warning about the shared file")
	shared := []SharedInput{{Flag: "--with", Source: scepPath, Diagnostics: d,
		Entities: []SharedEntity{{Path: certs[0].Path, Type: certs[0].Type(), ID: certs[0].ID(), DisplayName: certs[0].DisplayName()}}}}
	var copts graph2mobileconfig.Options
	copts.Compile.Certificates = certs
	copts.Compile.SCEP.Challenge = "test-challenge"
	compiler := newCompiler(t, copts)
	writeJSON(t, filepath.Join(root, "in", "vpn.json"), fixtureEntity(t, "scep-separate"))
	report := filepath.Join(root, "report.json")
	o := runBatch(t, []string{filepath.Join(root, "in")}, Options{OutDir: filepath.Join(root, "out"), Report: report, Compiler: compiler, Shared: shared})
	if o.sum.Compiled != 1 {
		t.Fatalf("summary %+v: %v", o.sum, o.entries)
	}

	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("the report does not parse: %v\n%s", err, raw)
	}
	if a, b := mustJSON(t, rep.Shared), mustJSON(t, shared); !bytes.Equal(a, b) {
		t.Errorf("report shared inputs:\n%s\nwant:\n%s", a, b)
	}
	if got := rep.Shared[0].Entities[0]; got.Type != graphjson.ScepType || got.ID != "5e0c8a7d-1b2f-4f3a-8c6d-9e4b7a2f1c30" || got.Path != "scep.json:$" {
		t.Errorf("shared entity %+v", got)
	}
	entryWarnings := 0
	for _, e := range rep.Entries {
		entryWarnings += e.Diagnostics.Count(diag.Warning)
		for _, d := range e.Diagnostics {
			if slices.Contains(shared[0].Diagnostics, d) {
				t.Errorf("a finding of reading the shared file is repeated in an entry: %s", d)
			}
		}
	}
	if rep.Summary != o.sum || o.sum.Warnings != entryWarnings+1 {
		t.Errorf("summary %+v (report %+v); want the entries' %d warnings and the shared file's 1", o.sum, rep.Summary, entryWarnings)
	}
	// The shared inputs come before the entries, one a line.
	if i, j := bytes.Index(raw, []byte(`"shared"`)), bytes.Index(raw, []byte(`"entries"`)); i < 0 || i > j {
		t.Errorf("shared at %d, entries at %d", i, j)
	}

	// An error in a shared input: no profile, no output folder, and a report
	// that holds the shared input and no entry.
	shared[0].Diagnostics = append(slices.Clone(d), diag.Diagnostic{Severity: diag.Error, Code: "bad-value", Path: "scep.json:$.keySize", Message: "not a key size"})
	out2 := filepath.Join(root, "out2")
	report2 := filepath.Join(root, "report2.json")
	sum, err := Run(context.Background(), []string{filepath.Join(root, "in")}, Options{OutDir: out2, Report: report2, Compiler: compiler, Shared: shared})
	if !errors.Is(err, ErrSharedInput) || sum != (Summary{Warnings: 1}) {
		t.Fatalf("Run with a shared error: %+v, %v; want ErrSharedInput", sum, err)
	}
	if _, err := os.Stat(out2); err == nil {
		t.Error("the output folder was created though nothing can be compiled")
	}
	rep = Report{}
	raw, err = os.ReadFile(report2)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if len(rep.Entries) != 0 || len(rep.Shared) != 1 || !rep.Shared[0].Diagnostics.HasErrors() || rep.Summary != sum {
		t.Errorf("report of a failed shared input: %s", raw)
	}
}

// TestLargeListIsStreamed runs a list response larger than
// graphjson.StreamThreshold, which batch reads entity by entity, in UTF-8
// and in UTF-16: every entity gets its entry, in order, and each profile
// has the bytes that compiling the entity alone gives.
func TestLargeListIsStreamed(t *testing.T) {
	bases := []string{"psk-ondemand", "proxy-pac", "flags-false", "eap-only", "full-featured"}
	var entities []map[string]any
	var alone [][]byte
	compiler := defaultCompiler(t)
	for i := 0; ; i++ {
		var e map[string]any
		if i%7 == 3 {
			e = other("microsoft.graph.iosGeneralDeviceConfiguration", fmt.Sprint("other-", i), "Restrictions")
		} else {
			e = ikev2(t, bases[i%len(bases)], fmt.Sprintf("id-%05d", i), fmt.Sprintf("Streamed %d", i))
		}
		data := mustJSON(t, e)
		entities = append(entities, e)
		var out []byte
		if p, _, err := compiler.Compile(context.Background(), data); err == nil {
			out = p.Data
		}
		alone = append(alone, out)
		if len(mustJSON(t, list(entities...))) > graphjson.StreamThreshold+(64<<10) {
			break
		}
	}
	doc := list(entities...)
	doc["@odata.context"] = "https://graph.microsoft.com/beta/$metadata#deviceManagement/deviceConfigurations"
	utf8Text := mustJSON(t, doc)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a-utf8.json"), string(utf8Text))
	units := utf16.Encode([]rune(string(utf8Text)))
	utf16Text := []byte{0xFF, 0xFE}
	for _, u := range units {
		utf16Text = append(utf16Text, byte(u), byte(u>>8))
	}
	writeFile(t, filepath.Join(dir, "b-utf16.json"), string(utf16Text))

	for _, name := range []string{"a-utf8.json", "b-utf16.json"} {
		out := t.TempDir()
		o := runBatch(t, []string{filepath.Join(dir, name)}, Options{OutDir: out, Jobs: 3})
		if len(o.entries) != len(entities) || o.sum.Files != 1 {
			t.Fatalf("%s: %d entries for %d entities, summary %+v", name, len(o.entries), len(entities), o.sum)
		}
		for i, e := range o.entries {
			if e.Path != fmt.Sprintf("$.value[%d]", i) || e.Index != i {
				t.Fatalf("%s: entry %d is %s (index %d)", name, i, e.Path, e.Index)
			}
			if alone[i] == nil {
				want := StatusFailed // compile fails for it alone
				if i%7 == 3 {
					want = StatusSkipped
				}
				if e.Status != want {
					t.Errorf("%s: entry %d: %s, want %s", name, i, e.Status, want)
				}
				continue
			}
			got, err := os.ReadFile(e.Output)
			if e.Status != StatusCompiled || err != nil || !bytes.Equal(got, alone[i]) {
				t.Errorf("%s: entry %d: %s, %v: not the bytes compile writes", name, i, e.Status, err)
			}
		}
	}
}
