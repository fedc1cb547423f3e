package batch

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/atomicfile"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/jsonenc"
)

// ReportVersion is the "version" of the report format; it changes only when
// a field changes meaning or goes away.
const ReportVersion = 1

// Report is the JSON report of a batch, as written to Options.Report:
//
//	{
//	  "version": 1,
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
	Version int      `json:"version"`
	Entries []Entry  `json:"entries"`
	Notices []Notice `json:"notices"`
	Summary Summary  `json:"summary"`
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

// appendJSON appends the entry as encoding/json writes it (a test checks
// that it does), without reflection: the report gets one per profile.
func (e *Entry) appendJSON(buf []byte) []byte {
	o := jsonenc.Start(buf)
	o.Int("index", e.Index)
	o.String("source", e.Source)
	o.String("path", e.Path)
	o.StringOmitEmpty("type", e.Type)
	o.String("id", e.ID)
	o.String("displayName", e.DisplayName)
	o.String("status", string(e.Status))
	o.StringOmitEmpty("output", e.Output)
	o.StringOmitEmpty("sha256", e.SHA256)
	o.StringOmitEmpty("identifier", e.Identifier)
	o.Key("diagnostics")
	o.Buf = e.Diagnostics.AppendJSON(o.Buf)
	return o.End()
}

func createReport(path string, force bool, protect []atomicfile.Input, tracker *atomicfile.Tracker) (*reportWriter, error) {
	f, err := atomicfile.Create(path, atomicfile.Options{Perm: 0o644, Force: force, Protect: protect, Tracker: tracker})
	if err != nil {
		return nil, fmt.Errorf("cannot create the report: %w", err)
	}
	r := &reportWriter{path: path, f: f, w: bufio.NewWriter(f)}
	fmt.Fprintf(r.w, "{\n  \"version\": %d,\n  \"entries\": [", ReportVersion)
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
			return fmt.Errorf("the report %s is a file of the input folder %s, not the report of an earlier batch; refusing to overwrite it (write the report outside the input folders)", report, in)
		}
	}
	return nil
}

// isBatchReport reports whether the JSON file at path starts like a batch
// report: an object whose first member is "version". Only the start of the
// file is read.
func isBatchReport(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	t, err := dec.Token()
	return err == nil && t == "version"
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
