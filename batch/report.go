package batch

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/atomicfile"
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

// reportWriter streams the report to a temporary file next to its final
// path, and renames it into place at the end, so that a reader never sees a
// partial report and a failed batch leaves the previous report as it was. It
// follows the rules of internal/atomicfile, which writes whole byte slices.
type reportWriter struct {
	path string
	tmp  *os.File
	w    *bufio.Writer
	n    int
	err  error
	done bool
}

func createReport(path string, force bool, protect []string) (*reportWriter, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&fs.ModeSymlink != 0 && !force {
			return nil, fmt.Errorf("--report %s: %w", path, atomicfile.ErrSymlink)
		}
		if fi.IsDir() {
			return nil, fmt.Errorf("--report %s is a folder; give a file name", path)
		}
		for _, p := range protect {
			if pi, err := os.Stat(p); err == nil && os.SameFile(fi, pi) {
				return nil, fmt.Errorf("--report %s is an input file; refusing to overwrite it", path)
			}
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("cannot create the report next to %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("cannot set the mode of %s: %w", tmp.Name(), err)
	}
	r := &reportWriter{path: path, tmp: tmp, w: bufio.NewWriter(tmp)}
	fmt.Fprintf(r.w, "{\n  \"version\": %d,\n  \"entries\": [", ReportVersion)
	return r, nil
}

// entry appends one entry; the first write error is kept for finish.
func (r *reportWriter) entry(e *Entry) {
	if r.err != nil {
		return
	}
	b, err := json.Marshal(e)
	if err != nil {
		r.err = fmt.Errorf("cannot encode the report entry of %s %s: %w", e.Source, e.Path, err)
		return
	}
	if r.n > 0 {
		r.w.WriteByte(',')
	}
	r.n++
	r.w.WriteString("\n    ")
	if _, err := r.w.Write(b); err != nil {
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
	if err := r.tmp.Sync(); err != nil {
		return fmt.Errorf("cannot write the report %s: %w", r.path, err)
	}
	if err := r.tmp.Close(); err != nil {
		return fmt.Errorf("cannot write the report %s: %w", r.path, err)
	}
	if err := os.Rename(r.tmp.Name(), r.path); err != nil {
		return fmt.Errorf("cannot write the report %s: %w", r.path, err)
	}
	r.done = true
	return nil
}

// abort removes the temporary file unless finish renamed it into place.
func (r *reportWriter) abort() {
	if r.done {
		return
	}
	r.tmp.Close()
	os.Remove(r.tmp.Name())
}
