package batch

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/atomicfile"
)

// ReportFormat is the "format" member every report starts with: the marker
// by which a later batch knows the file as a report it may replace. No
// Graph export has it (a Graph "version" member is no such marker).
const ReportFormat = "graph2mobileconfig batch report"

// ReportVersion is the "version" of the report format; it changes only when
// a field changes meaning or goes away.
const ReportVersion = 1

// Report is the JSON report of a batch, as written to Options.Report:
//
//	{
//	  "format": "graph2mobileconfig batch report",
//	  "version": 1,
//	  "shared": [
//	    {"flag": "--with", "source": "certs/scep.json", "entities": [...], "diagnostics": [...]}
//	  ],
//	  "entries": [
//	    {"index": 0, "source": "exports/page1.json", "path": "$.value[0]", ...},
//	    ...
//	  ],
//	  "notices": [...],
//	  "summary": {"files": 2, "entities": 7, "compiled": 5, ...}
//	}
//
// Entries are in input order, one per line. The type exists for readers of
// reports (and tests); Run never holds a whole Report in memory.
type Report struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Shared are the inputs every entity was compiled with (Options.Shared),
	// each with the findings of reading it; absent when there are none.
	Shared  []SharedInput `json:"shared,omitempty"`
	Entries []Entry       `json:"entries"`
	Notices []Notice      `json:"notices"`
	Summary Summary       `json:"summary"`
}

// reportWriter streams the report through internal/atomicfile: a reader
// never sees a partial report, and a failed batch leaves the previous report
// as it was.
type reportWriter struct {
	path string
	f    *atomicfile.File
	w    *bufio.Writer
	n    int
	err  error
	buf  []byte // an entry's JSON, reused from entry to entry
}

// appendJSON appends the entry as a JSON object with the members (and
// omissions) its struct tags say, without reflection: the report gets one
// per profile, and encoding/json's reflection was 8% of a batch's CPU.
func (e *Entry) appendJSON(buf []byte) []byte {
	str := func(name, value string, omitEmpty bool) {
		if value == "" && omitEmpty {
			return
		}
		buf = append(buf, ',', '"')
		buf = append(buf, name...)
		buf = append(buf, '"', ':')
		buf = diag.AppendJSONString(buf, value)
	}
	buf = append(buf, `{"index":`...)
	buf = strconv.AppendInt(buf, int64(e.Index), 10)
	str("source", e.Source, false)
	str("path", e.Path, false)
	str("type", e.Type, true)
	str("id", e.ID, false)
	str("displayName", e.DisplayName, false)
	str("status", string(e.Status), false)
	str("output", e.Output, true)
	str("sha256", e.SHA256, true)
	str("identifier", e.Identifier, true)
	buf = append(buf, `,"diagnostics":`...)
	buf = e.Diagnostics.AppendJSON(buf)
	return append(buf, '}')
}

// createReport starts the report: its header, and the shared inputs, which
// are known before the first entity.
func createReport(path string, force bool, protect []atomicfile.Input, tracker *atomicfile.Tracker, shared []SharedInput) (*reportWriter, error) {
	var sharedJSON [][]byte
	for _, in := range shared {
		if in.Entities == nil {
			in.Entities = []SharedEntity{}
		}
		if in.Diagnostics == nil {
			in.Diagnostics = diag.List{}
		}
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("cannot encode a shared input of the report: %w", err)
		}
		sharedJSON = append(sharedJSON, b)
	}
	f, err := atomicfile.Create(path, atomicfile.Options{Perm: 0o644, Force: force, Protect: protect, Tracker: tracker})
	if err != nil {
		return nil, fmt.Errorf("cannot create the report: %w", err)
	}
	r := &reportWriter{path: path, f: f, w: bufio.NewWriter(f)}
	fmt.Fprintf(r.w, "{\n  \"format\": %q,\n  \"version\": %d,\n", ReportFormat, ReportVersion)
	if len(sharedJSON) > 0 {
		r.w.WriteString("  \"shared\": [")
		for i, b := range sharedJSON {
			if i > 0 {
				r.w.WriteByte(',')
			}
			r.w.WriteString("\n    ")
			r.w.Write(b)
		}
		r.w.WriteString("\n  ],\n")
	}
	r.w.WriteString("  \"entries\": [")
	return r, nil
}

// entry appends one entry; the first write error is kept for finish.
func (r *reportWriter) entry(e *Entry) {
	if r.err != nil {
		return
	}
	if r.n > 0 {
		r.w.WriteByte(',')
	}
	r.n++
	r.w.WriteString("\n    ")
	r.buf = e.appendJSON(r.buf[:0])
	if _, err := r.w.Write(r.buf); err != nil {
		r.err = fmt.Errorf("cannot write the report %s: %w", r.path, err)
	}
}

// finish writes the notices and the summary, and renames the report into
// place.
func (r *reportWriter) finish(notices []Notice, s Summary) error {
	if r.err != nil {
		return r.err
	}
	if r.n > 0 {
		r.w.WriteString("\n  ")
	}
	r.w.WriteString("],\n  \"notices\": [")
	for i, n := range notices {
		b, err := json.Marshal(n)
		if err != nil {
			return fmt.Errorf("cannot encode a report notice: %w", err)
		}
		if i > 0 {
			r.w.WriteByte(',')
		}
		r.w.WriteString("\n    ")
		r.w.Write(b)
	}
	if len(notices) > 0 {
		r.w.WriteString("\n  ")
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("cannot encode the report summary: %w", err)
	}
	fmt.Fprintf(r.w, "],\n  \"summary\": %s\n}\n", b)
	if err := r.w.Flush(); err != nil {
		return fmt.Errorf("cannot write the report %s: %w", r.path, err)
	}
	return r.f.Commit()
}

// abort removes the temporary file unless finish renamed it into place.
func (r *reportWriter) abort() {
	r.f.Abort()
}

// checkReportPath refuses a report path that names an export in an input
// folder. Run refuses a report that is one of the input files, and skips
// the report when it walks an input folder, so that the report of an
// earlier run in that folder is not read as an export; but an export that
// the report path names by mistake would then be skipped and overwritten.
// So an existing *.json file inside an input folder is refused unless it is
// the report of an earlier batch.
func checkReportPath(report string, inputs []string) error {
	if report == "" {
		return nil
	}
	fi, err := os.Stat(report)
	if err != nil || !fi.Mode().IsRegular() || !strings.EqualFold(filepath.Ext(report), ".json") || isBatchReport(report) {
		return nil
	}
	for _, in := range inputs {
		if in == "-" {
			continue
		}
		if di, err := os.Stat(in); err == nil && di.IsDir() && insideFolder(report, di) {
			return fmt.Errorf("the report %s is a file of the input folder %s, not the report of an earlier batch (which starts with \"format\": %q); refusing to overwrite it (write the report outside the input folders)", report, in, ReportFormat)
		}
	}
	return nil
}

// isBatchReport reports whether the JSON file at path is a batch report:
// an object whose first member is "format" with the value ReportFormat.
// Only the start of the file is read.
func isBatchReport(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	dec := jsontext.NewDecoder(bufio.NewReader(f))
	if t, err := dec.ReadToken(); err != nil || t.Kind() != '{' {
		return false
	}
	if t, err := dec.ReadToken(); err != nil || t.Kind() != '"' || t.String() != "format" {
		return false
	}
	t, err := dec.ReadToken()
	return err == nil && t.Kind() == '"' && t.String() == ReportFormat
}

// checkReportNotProfile refuses a report path that a profile of this batch
// could take: a *.mobileconfig file in the output folder. The report is
// renamed into place after the profiles, so it would replace one that the
// report lists as written.
func checkReportNotProfile(report, outDir string) error {
	if report == "" || !strings.EqualFold(filepath.Ext(report), Extension) {
		return nil
	}
	if sameFolder(filepath.Dir(report), outDir) {
		return fmt.Errorf("the report %s would be written over a profile of this batch (profiles are written to %s as *%s); give the report another name, such as report.json, or another folder", report, outDir, Extension)
	}
	return nil
}

// sameFolder reports whether a and b name the same folder: the same file
// when both exist, else the same absolute path.
func sameFolder(a, b string) bool {
	if fa, err := os.Stat(a); err == nil {
		if fb, err := os.Stat(b); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// insideFolder reports whether path lies somewhere below the folder dir.
func insideFolder(path string, dir os.FileInfo) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil && os.SameFile(fi, dir) {
			return true
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}
