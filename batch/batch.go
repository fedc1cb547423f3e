// Package batch compiles many Microsoft Graph exports into one configuration
// profile per IKEv2 VPN configuration, in parallel, with memory that stays
// flat whatever the number of inputs.
//
// # Inputs
//
// An input is a file, a folder or "-" for standard input. Files named
// explicitly are read whatever their extension. Folders are walked
// recursively in lexical order of names, and only their *.json files are
// read (in any letter case); hidden files and folders (names starting with
// ".") are skipped, symbolic links to files are followed and links to
// folders are not. Each file may hold a single entity, {"value": {...}}, a
// list response {"value": [...]} or a bare array, as Graph writes them or as
// the Graph PowerShell SDK's objects come out of ConvertTo-Json, in UTF-8 or
// UTF-16 (see graphjson.ReadDocument); a tenant export split into page files
// is simply several inputs. When a page carries @odata.nextLink and no input
// holds the last page of its collection (a page without @odata.nextLink with
// the same @odata.context), an info notice says that the export may be
// incomplete. A backup folder of IntuneManagement or IntuneBackupAndRestore
// (see backupTools) is recognised: its device configurations are read, and
// each of its other *.json files (assignments, other kinds of policies, the
// tool's bookkeeping) is a skipped entry, not read, counted in a notice.
//
// Every entity is one Entry of the result: an IKEv2 VPN configuration is
// compiled (StatusCompiled) or fails (StatusFailed); any other entity, such
// as the other device configurations of a full tenant export, is skipped
// (StatusSkipped). A single object without @odata.type is compiled like the
// compile command would, so that an export stripped of its annotations is
// still read; an object in a list that has neither @odata.type nor IKEv2
// properties cannot be recognised and fails, saying so. A file that cannot
// be read or parsed at all is one failed entry. One bad input never stops
// the others, and nothing is dropped without an entry or a notice.
//
// Findings about the batch as a whole are Notices: an incomplete paged
// export, an empty list, an output folder or report inside an input folder
// (which are then not read). Entities that share an output name get a
// counter ("-2") and an info; entities that compile to the same
// PayloadIdentifier get a "duplicate-identifier" warning, which strict mode does
// not turn into an error since it is found after the profile is written.
//
// # Outputs
//
// Each profile is written to the output folder under OutputName, atomically
// (internal/atomicfile: a temporary file in the same folder, then a rename),
// with mode 0600 when it holds an unencrypted secret. Names are decided in
// input order before an entity is compiled, so that they do not depend on
// scheduling. A failed entity writes nothing.
//
// # Streaming
//
// Options.Jobs workers each take the next piece of work themselves — the
// walk of the inputs is advanced lazily, files are read and parsed a few
// ahead, and the next entity in input order is named and handed out — then
// compile, sign and write its profile on their own goroutine and keep only
// its entry (diagnostics, name, SHA-256); the goroutine that called Run is
// one of them, and reports the entries in input order between its own.
// At most a small window of entities (a few per worker) is in flight: a
// worker waits for room before it takes the next. A list of entities of
// graphjson.StreamThreshold bytes or more is not held whole: it is checked
// in a first pass over the file and then read entity by entity (see
// graphjson.ReadDocumentFrom). So memory holds at most a few parsed files
// (or entities of a large list) plus the window, whatever the number of
// inputs and however long a list (one entity is held whole, within the
// limits of graphjson.Limits); the only state that grows with the inputs is an
// 8-byte hash per output name and per PayloadIdentifier (to keep names
// unique and find duplicate identifiers). The report is streamed to a
// temporary file entry by entry, in input order, and renamed into place at
// the end.
package batch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/atomicfile"
)

// DefaultMaxInputSize is the largest input file read when
// Options.MaxInputSize is zero.
const DefaultMaxInputSize = 16 << 20

// MaxJobs is the most workers a batch runs: far more than any machine has
// cores, and small enough that the channels and the window sized from it
// stay small.
const MaxJobs = 256

// Options control a batch.
type Options struct {
	// Compiler compiles, encodes and signs every entity, with the options
	// it was made with (graph2mobileconfig.New); nil compiles with the
	// zero graph2mobileconfig.Options. Its limits bound the JSON parser,
	// and its hint function rewrites the hints of the batch's own findings
	// too.
	Compiler *graph2mobileconfig.Compiler
	// OutDir is the folder the profiles are written to; it is created if
	// it is missing. Required.
	OutDir string
	// Jobs is the number of entities compiled at once; runtime.NumCPU()
	// when zero or negative, MaxJobs at most.
	Jobs int
	// MaxInputSize bounds every input file, in bytes; DefaultMaxInputSize
	// when zero or negative.
	MaxInputSize int64
	// Force allows replacing an output path that is a symbolic link (the
	// link, never the file it points to).
	Force bool
	// Report is the path of the JSON report; empty writes none.
	Report string
	// Stdin is read for the input "-".
	Stdin io.Reader
	// Tracker records the temporary files being written, so that an
	// interrupted run can remove them; may be nil.
	Tracker *atomicfile.Tracker
	// Protect lists the files the caller read for the batch (keys,
	// certificates, password files): neither a profile nor the report
	// replaces one of them. The input files are protected without it.
	Protect []atomicfile.Input
	// Shared are the inputs every entity is compiled with (the certificate
	// profile exports of --with), already read into Compiler, with the
	// findings of reading them: the report lists them once, in "shared",
	// and their warnings count in Summary.Warnings. When one has an error,
	// Run compiles nothing: it writes the report (if any) with the shared
	// inputs and no entries, and returns ErrSharedInput.
	Shared []SharedInput

	// OnEntry, OnNotice and OnProgress, when set, are called from a single
	// goroutine (the one that called Run), in input order: OnEntry once per
	// entity, OnNotice once per notice, and OnProgress after each of them
	// with the running totals.
	OnEntry    func(Entry)
	OnNotice   func(Notice)
	OnProgress func(Progress)
}

// Status is what happened to an entity.
type Status string

// The statuses of an entity.
const (
	// StatusCompiled: the profile was written.
	StatusCompiled Status = "compiled"
	// StatusSkipped: the entity is not an IKEv2 VPN configuration.
	StatusSkipped Status = "skipped"
	// StatusFailed: the entity, or its file, has errors; nothing was
	// written.
	StatusFailed Status = "failed"
)

// Entry is the outcome for one entity, or for one input that could not be
// read or parsed at all. It is one element of the report's "entries".
type Entry struct {
	// Index is the entry's position in input order, from 0.
	Index int `json:"index"`
	// Source is the input file ("-" for standard input).
	Source string `json:"source"`
	// Path is the JSON path of the entity in its file ("$", "$.value[3]").
	Path string `json:"path"`
	// Type is the entity's @odata.type without "#", if any.
	Type string `json:"type,omitempty"`
	// ID and DisplayName are the entity's Graph id and displayName.
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	// Status says whether a profile was written.
	Status Status `json:"status"`
	// Output is the path of the profile written; empty unless compiled.
	Output string `json:"output,omitempty"`
	// SHA256 is the hexadecimal SHA-256 of the bytes written to Output.
	SHA256 string `json:"sha256,omitempty"`
	// Identifier is the profile's PayloadIdentifier.
	Identifier string `json:"identifier,omitempty"`
	// Diagnostics are every finding about the entity.
	Diagnostics diag.List `json:"diagnostics"`

	// skippedFile marks the entry of a file that was not read: a backup
	// tool's file that holds no device configuration.
	skippedFile bool
}

// SharedInput is a file that every entity of a batch is compiled with,
// such as a certificate profile export given with --with. It is one
// element of the report's "shared".
type SharedInput struct {
	// Flag is the command-line flag that gave the file ("--with").
	Flag string `json:"flag"`
	// Source is the file as given.
	Source string `json:"source"`
	// Entities are the Graph entities read from the file.
	Entities []SharedEntity `json:"entities"`
	// Diagnostics are the findings of reading the file; their paths start
	// with the name the diagnostics give the file ("scep.json:$.keySize").
	// What compiling an entity with the file finds is in that entity's
	// diagnostics.
	Diagnostics diag.List `json:"diagnostics"`
}

// SharedEntity is a Graph entity of a shared input.
type SharedEntity struct {
	// Path is the entity's JSON path, prefixed like the diagnostics' paths.
	Path string `json:"path"`
	// Type is the entity's @odata.type without "#".
	Type string `json:"type"`
	// ID and DisplayName are the entity's Graph id and displayName.
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// ErrSharedInput is returned by Run when a shared input has an error: no
// entity can be compiled without it.
var ErrSharedInput = errors.New("a shared input has errors; nothing compiled")

// Notice is a finding about the batch rather than about one entity, such as
// an incomplete paged export or an output folder inside an input folder.
type Notice struct {
	// Source is the file or folder the notice is about, if any.
	Source string `json:"source,omitempty"`
	diag.Diagnostic
}

// String formats the notice as printed: "source: info: message".
func (n Notice) String() string {
	if n.Source == "" {
		return n.Diagnostic.String()
	}
	return n.Source + ": " + n.Diagnostic.String()
}

// Summary counts the outcome of a batch.
type Summary struct {
	// Files is the number of input files read.
	Files int `json:"files"`
	// Entities is the number of entries: Compiled + Skipped + Failed.
	Entities int `json:"entities"`
	Compiled int `json:"compiled"`
	Skipped  int `json:"skipped"`
	Failed   int `json:"failed"`
	// SkippedFiles counts the files not read at all (a backup tool's
	// assignments, other kinds of policies, bookkeeping); each is also one
	// skipped entry.
	SkippedFiles int `json:"skippedFiles"`
	// Warnings counts the warning diagnostics of all entries, notices and
	// shared inputs.
	Warnings int `json:"warnings"`
}

// String formats the counts as the summary line shows them.
func (s Summary) String() string {
	out := fmt.Sprintf("%d compiled, %d skipped, %d failed, %d %s (%d %s in %d %s",
		s.Compiled, s.Skipped, s.Failed, s.Warnings, plural(s.Warnings, "warning", "warnings"),
		s.Entities, plural(s.Entities, "entity", "entities"), s.Files, plural(s.Files, "file", "files"))
	if s.SkippedFiles > 0 {
		out += fmt.Sprintf(", %d of them not read: not device configurations", s.SkippedFiles)
	}
	return out + ")"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Progress is the state of a running batch.
type Progress struct {
	// Summary are the totals so far; Summary.Files counts the files whose
	// every entity is done.
	Summary
	// FilesTotal is the number of input files found before the batch
	// started.
	FilesTotal int
}

// Run compiles every entity of the inputs and writes the profiles, and the
// report if asked for. Problems of single inputs or entities are entries
// with StatusFailed, never errors; the error is for the batch as a whole:
// the output folder or the report cannot be written, or ctx was cancelled.
func Run(ctx context.Context, inputs []string, opts Options) (Summary, error) {
	if opts.OutDir == "" {
		return Summary{}, errors.New("batch: no output folder")
	}
	// Before anything is created: the report must not replace an export,
	// nor a profile of this batch.
	if err := checkReportPath(opts.Report, inputs); err != nil {
		return Summary{}, err
	}
	if err := checkReportNotProfile(opts.Report, opts.OutDir); err != nil {
		return Summary{}, err
	}
	protect := append([]atomicfile.Input(nil), opts.Protect...)
	for _, in := range inputs {
		if fi, err := os.Stat(in); in != "-" && err == nil && fi.Mode().IsRegular() {
			protect = append(protect, atomicfile.Input{Path: in, What: "the input file", Info: fi})
		}
	}
	var sharedWarnings int
	sharedErrors := false
	for _, in := range opts.Shared {
		sharedWarnings += in.Diagnostics.Count(diag.Warning)
		sharedErrors = sharedErrors || in.Diagnostics.HasErrors()
	}
	if sharedErrors {
		// Nothing is created but the report, which says why.
		sum := Summary{Warnings: sharedWarnings}
		if opts.Report != "" {
			rep, err := createReport(opts.Report, opts.Force, protect, opts.Tracker, opts.Shared)
			if err != nil {
				return sum, err
			}
			defer rep.abort()
			if err := rep.finish(nil, sum); err != nil {
				return sum, err
			}
		}
		return sum, ErrSharedInput
	}
	if opts.Jobs <= 0 {
		opts.Jobs = runtime.NumCPU()
	}
	opts.Jobs = min(opts.Jobs, MaxJobs)
	if opts.MaxInputSize <= 0 {
		opts.MaxInputSize = DefaultMaxInputSize
	}
	if opts.Compiler == nil {
		c, _, err := graph2mobileconfig.New(graph2mobileconfig.Options{})
		if err != nil {
			return Summary{}, err // not reached: the zero Options work
		}
		opts.Compiler = c
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return Summary{}, fmt.Errorf("cannot create the output folder: %w", err)
	}
	outFi, err := os.Stat(opts.OutDir)
	if err != nil {
		return Summary{}, fmt.Errorf("cannot use the output folder: %w", err)
	}
	if !outFi.IsDir() {
		return Summary{}, fmt.Errorf("the output folder %s is not a folder", opts.OutDir)
	}

	r := &runner{
		sum:      Summary{Warnings: sharedWarnings},
		ctx:      ctx,
		opts:     opts,
		protect:  protect,
		namer:    newNamer(),
		window:   4*opts.Jobs + 16,
		identity: map[uint64]struct{}{},
	}
	r.walk = walker{
		skipDirs:   []os.FileInfo{outFi},
		file:       r.walkFile,
		problem:    r.walkProblem,
		skipped:    r.walkSkipped,
		duplicate:  r.walkDuplicate,
		skipFile:   r.walkSkipFile,
		backupDone: r.walkBackupDone,
		stop:       func() bool { return ctx.Err() != nil || r.walkStopped },
	}
	r.walk.prepare(inputs)
	if opts.Report != "" {
		if r.report, err = createReport(opts.Report, opts.Force, protect, opts.Tracker, opts.Shared); err != nil {
			return Summary{}, err
		}
		defer r.report.abort()
		if fi, err := os.Stat(opts.Report); err == nil {
			r.walk.skipFiles = append(r.walk.skipFiles, fi)
		}
	}
	if opts.OnProgress != nil {
		r.filesTotal = countFiles(inputs, r.walk)
	}

	r.run(inputs)

	if err := ctx.Err(); err != nil {
		return r.sum, err
	}
	if r.report != nil {
		if err := r.report.finish(r.notices, r.sum); err != nil {
			return r.sum, err
		}
	}
	return r.sum, nil
}

// countFiles walks the inputs once without reading them, for the progress
// total.
func countFiles(inputs []string, w walker) int {
	n := 0
	w.file = func(string) { n++ }
	w.skipFile = func(string, string) { n++ }
	w.backupDone = nil
	w.backup = nil
	w.problem = func(string, error) {}
	w.skipped = func(string, string) {}
	w.duplicate = nil
	w.prepare(inputs) // its own: the real walk must see every file for the first time
	for _, in := range inputs {
		w.walk(in)
	}
	return n
}

// runner is the state of one Run.
type runner struct {
	ctx     context.Context
	opts    Options
	protect []atomicfile.Input
	walk    walker
	report  *reportWriter
	// window bounds the results in flight: handed out in input order and
	// not yet reported.
	window int

	// The source of work (source.go), used by one worker at a time.
	srcMu       sync.Mutex
	pullWalk    func() (walkEvent, bool)
	stopWalk    func()
	yield       func(walkEvent) bool
	walkStopped bool // the walk was told to stop
	walkDone    bool
	ahead       []*ahead // findings of the walk pulled, in order, not yet handed out
	srcReady    sync.Cond
	srcWaiting  int
	tailDone    bool
	tail        []result   // the notices that follow the walk
	file        *inputFile // the file whose entities are being handed out
	seq         int
	namer       *namer
	pages       pages

	// The hand-over of results to the collector (schedule.go).
	slots chan struct{}
	resMu sync.Mutex
	// resReady is signalled when the collector waits and what it waits
	// for has come: the next result in input order, or the last worker's
	// end.
	resReady sync.Cond
	ring     []result // finished results by seq % window
	filled   []bool
	nextSeq  int  // the seq of the next result to report
	waiting  bool // the collector waits on resReady
	running  int  // workers still running, besides the collector

	// Owned by the collector (the goroutine of Run).
	sum        Summary
	filesTotal int
	notices    []Notice
	identity   map[uint64]struct{}
}

// job is one entity to compile.
type job struct {
	seq      int
	entry    Entry
	item     graphjson.Item
	name     string
	notes    diag.List
	fileDone bool
}

// result is one thing to report, in input order: an entry, a notice, or
// only the end of a file that held no entities.
type result struct {
	seq      int
	entry    *Entry
	notice   *Notice
	fileDone bool
}

func (r *runner) failedEntry(source, code, format string, args ...any) *Entry {
	e := &Entry{Source: source, Path: "$", Status: StatusFailed}
	e.Diagnostics.Errorf(code, "", format, args...)
	return e
}

func (r *runner) walkProblem(path string, err error) {
	r.found(result{entry: r.failedEntry(path, "read-error", "cannot read the folder: %v", unwrapPath(err))})
}

func (r *runner) walkDuplicate(path, first string) {
	n := Notice{Source: path}
	n.Severity, n.Code = diag.Info, "duplicate-input"
	n.Message = fmt.Sprintf("the same file or folder as %s, which is read; it is read once", first)
	r.found(result{notice: &n})
}

func (r *runner) walkSkipFile(path, why string) {
	e := &Entry{Source: path, Path: "$", Status: StatusSkipped, skippedFile: true}
	e.Diagnostics.Infof("not-a-configuration", "", "not read: %s of a backup folder of %s, not a device configuration", why, r.walk.backup.tool.name)
	r.found(result{entry: e, fileDone: true})
}

func (r *runner) walkBackupDone(b *backupWalk) {
	n := Notice{Source: b.root}
	n.Severity, n.Code = diag.Info, "backup-folder"
	n.Message = b.summary()
	r.found(result{notice: &n})
}

func (r *runner) walkSkipped(path, why string) {
	n := Notice{Source: path}
	n.Severity, n.Code = diag.Warning, "output-in-input"
	n.Message = fmt.Sprintf("%s (keep the output folder and the report outside the input folders)", why)
	r.found(result{notice: &n})
}

// unwrapPath drops the path from an *os.PathError, which the entry already
// names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// wanted reports whether an entity is compiled rather than skipped: it is an
// IKEv2 VPN configuration (its @odata.type may differ in letter case, which
// the decoder warns about), or it is the only entity of its file and has no
// @odata.type, as compile would read it.
func wanted(it graphjson.Item, single bool) bool {
	return it.IsIKEv2() || strings.EqualFold(it.Type, graphjson.IKEv2Type) || it.Type == "" && single
}

func typeLabel(t string) string {
	if t == "" {
		return "an entity without @odata.type"
	}
	return t
}

// compile runs one entity through the pipeline and writes its profile.
func (r *runner) compile(j job) result {
	e := j.entry
	res := result{seq: j.seq, entry: &e, fileDone: j.fileDone}
	if r.ctx.Err() != nil {
		e.Status = StatusFailed
		e.Diagnostics.Errorf("cancelled", "", "the batch was cancelled before this entity was compiled")
		return res
	}
	out, diags, err := r.opts.Compiler.CompileItem(r.ctx, j.item)
	diags = append(diags, j.notes...)
	path := filepath.Join(r.opts.OutDir, j.name)
	if err != nil {
		e.Status = StatusFailed
		switch {
		case r.ctx.Err() != nil && errors.Is(err, r.ctx.Err()):
			diags.Errorf("cancelled", "", "the batch was cancelled before this entity was signed")
		case !diags.HasErrors():
			// Not a finding about the input (the signer failed): the
			// entry still says why.
			diags.Errorf("compile-error", "", "%v", err)
		}
	} else {
		e.Identifier = out.Identifier
		perm := os.FileMode(0o644)
		if out.Secrets {
			perm = 0o600
		}
		// No flush per file: the rename alone keeps readers from partial
		// files, and a flush costs more than compiling and signing does.
		err := atomicfile.WriteFile(path, out.Data, atomicfile.Options{Perm: perm, Force: r.opts.Force, Protect: r.protect, NoSync: true, Tracker: r.opts.Tracker})
		if err != nil {
			e.Status = StatusFailed
			diags.Errorf("write-error", "", "cannot write the profile: %v", err)
		} else {
			sum := sha256.Sum256(out.Data)
			e.Status, e.Output, e.SHA256 = StatusCompiled, path, hex.EncodeToString(sum[:])
		}
	}
	if e.Status == StatusFailed {
		if _, err := os.Lstat(path); err == nil {
			diags.Warnf("stale-output", "", "%s, written by an earlier run, was left in place and does not reflect this input", path)
		}
	}
	diags.Sort() // the list is this entry's own
	e.Diagnostics = diags
	return res
}

func (r *runner) handle(res result) {
	hints := r.opts.Compiler.Options().Hints
	if e := res.entry; e != nil {
		e.Diagnostics = e.Diagnostics.WithHints(hints)
		if e.Status == StatusCompiled && e.Identifier != "" {
			h := fnv.New64a()
			h.Write([]byte(e.Identifier))
			if _, dup := r.identity[h.Sum64()]; dup {
				e.Diagnostics.Warnf("duplicate-identifier", "", "an earlier entity of this batch has the same PayloadIdentifier %q: a device keeps only one of the two profiles; is the entity exported twice?", e.Identifier)
			}
			r.identity[h.Sum64()] = struct{}{}
		}
		e.Index = r.sum.Entities
		r.sum.Entities++
		switch e.Status {
		case StatusCompiled:
			r.sum.Compiled++
		case StatusSkipped:
			r.sum.Skipped++
			if e.skippedFile {
				r.sum.SkippedFiles++
			}
		default:
			r.sum.Failed++
		}
		r.sum.Warnings += e.Diagnostics.Count(diag.Warning)
		if r.report != nil {
			r.report.entry(e)
		}
		if r.opts.OnEntry != nil {
			r.opts.OnEntry(*e)
		}
	}
	if n := res.notice; n != nil {
		if n.Hint.Code != "" {
			n.Diagnostic = diag.List{n.Diagnostic}.WithHints(hints)[0]
		}
		if n.Severity == diag.Warning {
			r.sum.Warnings++
		}
		r.notices = append(r.notices, *n)
		if r.opts.OnNotice != nil {
			r.opts.OnNotice(*n)
		}
	}
	if res.fileDone {
		r.sum.Files++
	}
	if r.opts.OnProgress != nil {
		r.opts.OnProgress(Progress{Summary: r.sum, FilesTotal: r.filesTotal})
	}
}
