package batch

import (
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// The source of a batch's work: the walk of the inputs, the reading of each
// file, and the entities of the file being read, handed out one unit at a
// time in input order. There is no goroutine of its own: a worker that
// needs work takes the next unit itself, so that a unit passes from reading
// to compiling to writing on one goroutine, without waking another.
//
// What must follow input order — walking, deciding output names, following
// paged exports, numbering the results — happens holding srcMu, and is
// cheap. Reading and parsing a file, which is not, happens outside it: a
// worker that finds the next file in input order not yet read reads ahead
// (the walk's next file), and whichever worker is free hands out the next
// unit in order. A worker waits only when the next file in order is still
// being read by another and enough files are read ahead already.

// walkEvent is what the walk finds next: a file to read, or a result of
// the walk itself (a folder that cannot be read, a duplicate input, a
// backup tool's file that is not read, ...).
type walkEvent struct {
	file   string
	backup *backupWalk // the backup folder the file is in, if any
	res    result
}

// unit is one piece of work handed to a worker: an entity to compile, or a
// result that is ready as it is.
type unit struct {
	compile bool
	job     job
	res     result
}

// inputFile is the file whose entities are being handed out.
type inputFile struct {
	path   string
	doc    *graphjson.DocumentReader
	closer io.Closer // the file, while its entities are read from it
	next   int
	// parsing are the next entities of a list read as a stream, in order,
	// being parsed or parsed; textDone is set once their texts are read.
	parsing  []*parsing
	textDone bool
	notes    diag.List // for every entity of the file
	single   bool      // the file holds one entity
}

// closeFile ends the handing out of the current file's entities.
func (r *runner) closeFile() {
	if f := r.file; f != nil && f.closer != nil {
		f.closer.Close()
	}
	r.file = nil
}

// closeAll closes the files still open when the batch ends early.
func (r *runner) closeAll() {
	r.closeFile()
	for _, a := range r.ahead {
		a.close()
	}
}

// startWalk turns the walk of the inputs into a pull iterator: walking stays
// the recursive code of walker, which yields its findings, and take pulls
// them one at a time.
func (r *runner) startWalk(inputs []string) {
	walk := func(yield func(walkEvent) bool) {
		r.yield = yield
		for _, in := range inputs {
			if r.walk.stopped() {
				return
			}
			r.walk.walk(in)
		}
	}
	r.pullWalk, r.stopWalk = iter.Pull(iter.Seq[walkEvent](walk))
}

// found hands a finding of the walk to take; it tells the walk to stop when
// take wants no more.
func (r *runner) found(res result) { r.foundEvent(walkEvent{res: res}) }

func (r *runner) foundEvent(ev walkEvent) {
	if !r.yield(ev) {
		r.walkStopped = true
	}
}

func (r *runner) walkFile(path string) {
	r.foundEvent(walkEvent{file: path, backup: r.walk.backup})
}

// ahead is a finding of the walk, in input order, waiting to be handed
// out: a file (read and parsed by the worker that pulled it from the walk,
// outside srcMu, then ready), or a result of the walk itself (ready at
// once).
type ahead struct {
	ready bool
	file  string
	// For a file: the document read, or the file's only result (it cannot
	// be read or parsed) when done is set.
	backup *backupWalk
	doc    *graphjson.DocumentReader
	closer io.Closer
	res    result
	done   bool
}

func (a *ahead) close() {
	if a.closer != nil {
		a.closer.Close()
		a.closer = nil
	}
}

// take returns the next unit of work in input order, numbered, or false
// when there is none left (or the batch was cancelled).
func (r *runner) take() (unit, bool) {
	r.srcMu.Lock()
	defer r.srcMu.Unlock()
	for {
		if r.ctx.Err() != nil {
			return unit{}, false
		}
		switch {
		case r.file != nil:
			u, st := r.nextEntityRecovering()
			if st == entityReady {
				return r.number(u), true
			}
			if st == entityAgain {
				continue
			}
			// The file's next entity is being parsed by another worker:
			// read a file ahead meanwhile, or wait.
		case len(r.ahead) > 0 && r.ahead[0].ready:
			a := r.ahead[0]
			r.ahead[0] = nil
			r.ahead = r.ahead[1:]
			if a.file == "" || a.done {
				return r.number(unit{res: a.res}), true
			}
			if res, ok := r.openInputRecovering(a); ok {
				return r.number(unit{res: res}), true
			}
			continue
		case r.walkDone && len(r.ahead) == 0:
			if !r.tailDone {
				r.tailDone = true
				r.tail = r.incompleteNotices()
			}
			if len(r.tail) == 0 {
				return unit{}, false
			}
			res := r.tail[0]
			r.tail = r.tail[1:]
			return r.number(unit{res: res}), true
		}
		if !r.walkDone && len(r.ahead) < r.opts.Jobs+1 {
			r.readAhead()
			continue
		}
		// What comes next in order is being read by another worker, and
		// enough is read ahead.
		r.srcWaiting++
		r.srcReady.Wait()
		r.srcWaiting--
	}
}

// readAhead pulls the walk's next finding; a file is read and parsed
// outside srcMu.
func (r *runner) readAhead() {
	ev, ok, crashed := r.pullRecovering()
	switch {
	case crashed:
		r.walkDone = true
		r.ahead = append(r.ahead, &ahead{ready: true, res: ev.res})
	case !ok:
		r.walkDone = true
	case ev.file != "":
		a := &ahead{file: ev.file, backup: ev.backup}
		r.ahead = append(r.ahead, a)
		if ev.file == "-" {
			// Standard input is read in input order: a second "-"
			// finds it at its end.
			r.readInputRecovering(a)
		} else {
			r.srcMu.Unlock()
			r.readInputRecovering(a)
			r.srcMu.Lock()
		}
		a.ready = true
		r.wake()
	default:
		r.ahead = append(r.ahead, &ahead{ready: true, res: ev.res})
	}
}

// wake tells the workers waiting in take that something they may wait for
// is ready.
func (r *runner) wake() {
	if r.srcWaiting > 0 {
		r.srcReady.Broadcast()
	}
}

// number gives a unit its place in input order.
func (r *runner) number(u unit) unit {
	u.job.seq, u.res.seq = r.seq, r.seq
	r.seq++
	return u
}

// incompleteNotices are the notices about paged exports that lack their
// last page, known once every file is read.
func (r *runner) incompleteNotices() []result {
	var out []result
	for _, c := range r.pages.incomplete() {
		what := "this collection"
		if c.context != "" {
			what = c.context
		}
		n := Notice{Source: c.firstLinked}
		n.Severity, n.Code = diag.Info, "incomplete-export"
		n.Message = fmt.Sprintf("the list continues at @odata.nextLink (%d %s of %s %s one), and no input holds the last page: the export may be incomplete; follow @odata.nextLink until a page has none and pass every page",
			c.linked, plural(c.linked, "page", "pages"), what, plural(c.linked, "has", "have"))
		out = append(out, result{notice: &n})
	}
	return out
}

// readInput reads and parses one file; it needs no lock, and no order.
func (r *runner) readInput(a *ahead) {
	d, closer, readErr, err := openDocument(a.file, r.opts.Stdin, r.opts.MaxInputSize, r.opts.Compiler.Options().Limits)
	switch {
	case readErr != nil:
		e := &Entry{Source: a.file, Path: "$", Status: StatusFailed}
		if tl := (*tooLargeError)(nil); errors.As(readErr, &tl) {
			e.Diagnostics.AddHinted(diag.Error, "read-error", "", "", maxInputSizeHint, "cannot read the input: %v", tl)
		} else {
			e.Diagnostics.Errorf("read-error", "", "cannot read the input: %v", unwrapPath(readErr))
		}
		a.res, a.done = result{entry: e, fileDone: true}, true
	case err != nil:
		e := r.failedEntry(a.file, graphjson.ErrorCode(err), "%s", err.Error())
		if d.Encoding != "" && d.Encoding != "UTF-8" {
			e.Diagnostics.Infof("input-shape", "", "the file is %s text", d.Encoding)
		}
		a.res, a.done = result{entry: e, fileDone: true}, true
	default:
		a.doc, a.closer = d, closer
	}
}

// openInput starts handing out the entities of a file read, in input
// order. It returns the file's only result when there is nothing to
// compile in it (its list is empty).
func (r *runner) openInput(a *ahead) (result, bool) {
	d, path := a.doc, a.file
	// Graph's list responses ({"value": [...]}) are the documents that
	// can be pages of a collection.
	if d.Context != "" || d.NextLink != nil {
		r.pages.add(path, pageHeader{Context: d.Context, NextLink: d.NextLink}, d.List)
	}
	if d.Len() == 0 {
		a.close()
		n := Notice{Source: path}
		n.Severity, n.Code = diag.Info, "empty-list"
		n.Message = "the list holds no entities"
		return result{notice: &n, fileDone: true}, true
	}
	f := &inputFile{path: path, doc: d, closer: a.closer, single: d.Len() == 1}
	a.doc, a.closer = nil, nil
	if b := a.backup; b != nil {
		f.notes.Infof("backup-file", "", "a file of a backup folder of %s (%s)", b.tool.name, b.root)
	}
	r.file = f
	return result{}, false
}

// entityState says what nextEntity did.
type entityState int

const (
	entityReady entityState = iota // it returns the next unit
	entityAgain                    // it did something else: look again
	entityBusy                     // the next entity is being parsed by another worker
)

// parsing is an entity of a list read as a stream, parsed by the worker
// that read its text, outside srcMu.
type parsing struct {
	ready bool
	item  graphjson.Item
	err   error
	crash string // a panic while parsing it
}

// nextEntity hands out the next entity of the file being read: a job to
// compile, or the entry of an entity that is skipped or cannot be
// recognised. The entities of a list read as a stream are parsed ahead,
// outside srcMu, by the workers that take them, at most jobs+1 ahead.
func (r *runner) nextEntity() (unit, entityState) {
	f := r.file
	if !f.doc.Streaming() {
		it, ok, err := f.doc.Next()
		if !ok || err != nil {
			r.closeFile()
			return unit{}, entityAgain
		}
		return r.entityUnit(f, it), entityReady
	}
	if len(f.parsing) > 0 && f.parsing[0].ready {
		p := f.parsing[0]
		f.parsing[0] = nil
		f.parsing = f.parsing[1:]
		switch {
		case p.crash != "":
			r.closeFile()
			return unit{res: result{entry: r.failedEntry(f.path, "internal-error", "%s", p.crash), fileDone: true}}, entityReady
		case p.err != nil:
			r.closeFile()
			return unit{res: result{entry: r.failedEntry(f.path, "read-error", "cannot read the input: %v", p.err), fileDone: true}}, entityReady
		}
		return r.entityUnit(f, p.item), entityReady
	}
	if f.textDone || len(f.parsing) > r.opts.Jobs {
		if f.textDone && len(f.parsing) == 0 {
			r.closeFile()
			return unit{}, entityAgain
		}
		return unit{}, entityBusy
	}
	raw, ok, err := f.doc.NextRaw()
	if !ok || err != nil {
		f.textDone = true
		if err != nil {
			f.parsing = append(f.parsing, &parsing{ready: true, err: err})
		}
		return unit{}, entityAgain
	}
	p := &parsing{}
	f.parsing = append(f.parsing, p)
	r.srcMu.Unlock()
	p.item, p.err, p.crash = parseRecovering(raw)
	r.srcMu.Lock()
	p.ready = true
	r.wake()
	return unit{}, entityAgain
}

// entityUnit makes the unit of the next entity of the file.
func (r *runner) entityUnit(f *inputFile, it graphjson.Item) unit {
	f.next++
	last := f.next == f.doc.Len()
	if last {
		r.closeFile()
	}
	e := Entry{Source: f.path, Path: it.Path, Type: it.Type, ID: it.ID(), DisplayName: it.DisplayName()}
	if !wanted(it, f.single) {
		e.Diagnostics = append(e.Diagnostics, f.notes...)
		if it.Recognised() {
			e.Status = StatusSkipped
			e.Diagnostics.Infof("skipped-entity", it.Path, "skipped %s %q: not an IKEv2 VPN configuration", typeLabel(it.Type), it.DisplayName())
		} else {
			// Not a Graph entity we can tell: it fails, so that nothing
			// is dropped without an error that says why.
			e.Status = StatusFailed
			e.Diagnostics.Errorf("unrecognised-entity", it.Path, "this object has no @odata.type and none of the IKEv2 properties, so it cannot be told apart from any other JSON: it is not a Graph device configuration as exported (a list fetched with $select loses @odata.type: export it without $select)")
		}
		return unit{res: result{entry: &e, fileDone: last}}
	}
	name, renamed := r.namer.name(e.DisplayName, e.ID)
	var notes diag.List
	if len(f.notes) > 0 || renamed {
		notes = append(notes, f.notes...)
	}
	if renamed {
		notes.Infof("output-name", "", "an earlier entity of this batch has the output name %s; this one is written as %s", OutputName(e.DisplayName, e.ID), name)
	}
	return unit{compile: true, job: job{entry: e, item: it, name: name, notes: notes, fileDone: last}}
}
