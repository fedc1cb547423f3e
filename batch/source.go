package batch

import (
	"fmt"
	"iter"
	"strings"

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
	items  []graphjson.Item
	next   int
	notes  diag.List // for every entity of the file
	single bool      // the file holds one entity
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
	doc    graphjson.Document
	res    result
	done   bool
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
		if r.file != nil {
			if u, ok := r.nextEntityRecovering(); ok {
				return r.number(u), true
			}
			continue
		}
		if len(r.ahead) > 0 && r.ahead[0].ready {
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
		}
		if !r.walkDone && len(r.ahead) < r.opts.Jobs+1 {
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
					// Standard input is read in input order: a second
					// "-" finds it at its end.
					r.readInputRecovering(a)
				} else {
					r.srcMu.Unlock()
					r.readInputRecovering(a)
					r.srcMu.Lock()
				}
				a.ready = true
				if r.srcWaiting > 0 {
					r.srcReady.Broadcast()
				}
			default:
				r.ahead = append(r.ahead, &ahead{ready: true, res: ev.res})
			}
			continue
		}
		if r.walkDone && len(r.ahead) == 0 {
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
		// The next file in order is being read by another worker, and
		// enough files are read ahead.
		r.srcWaiting++
		r.srcReady.Wait()
		r.srcWaiting--
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
	data, err := readFile(a.file, r.opts.Stdin, r.opts.MaxInputSize)
	if err != nil {
		a.res, a.done = result{entry: r.failedEntry(a.file, "read-error", "cannot read the input: %v", unwrapPath(err)), fileDone: true}, true
		return
	}
	doc, err := graphjson.ReadDocument(data, r.opts.Pipeline.Limits)
	if err != nil {
		e := r.failedEntry(a.file, graphjson.ErrorCode(err), "%s", err.Error())
		if doc.Encoding != "" && doc.Encoding != "UTF-8" {
			e.Diagnostics.Infof("input-shape", "", "the file is %s text", doc.Encoding)
		}
		a.res, a.done = result{entry: e, fileDone: true}, true
		return
	}
	a.doc = doc
}

// openInput starts handing out the entities of a file read, in input
// order. It returns the file's only result when there is nothing to
// compile in it (its list is empty).
func (r *runner) openInput(a *ahead) (result, bool) {
	doc, path := &a.doc, a.file
	items := doc.Items
	isList := len(items) == 0 && doc.List || len(items) > 0 && strings.HasPrefix(items[0].Path, "$.value[")
	if doc.Context != "" || doc.NextLink != nil {
		r.pages.add(path, pageHeader{Context: doc.Context, NextLink: doc.NextLink}, isList)
	}
	if len(items) == 0 {
		n := Notice{Source: path}
		n.Severity, n.Code = diag.Info, "empty-list"
		n.Message = "the list holds no entities"
		return result{notice: &n, fileDone: true}, true
	}
	f := &inputFile{path: path, items: items, single: len(items) == 1}
	if b := a.backup; b != nil {
		f.notes.Infof("backup-file", "", "a file of a backup folder of %s (%s)", b.tool.name, b.root)
	}
	r.file = f
	return result{}, false
}

// nextEntity hands out the next entity of the file being read: a job to
// compile, or the entry of an entity that is skipped or cannot be
// recognised. It returns false when the file has no entity left.
func (r *runner) nextEntity() (unit, bool) {
	f := r.file
	if f.next >= len(f.items) {
		r.file = nil
		return unit{}, false
	}
	it := f.items[f.next]
	f.items[f.next] = graphjson.Item{} // the worker holds the entity now
	f.next++
	last := f.next == len(f.items)
	if last {
		r.file = nil
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
		return unit{res: result{entry: &e, fileDone: last}}, true
	}
	name, renamed := r.namer.name(e.DisplayName, e.ID)
	var notes diag.List
	if len(f.notes) > 0 || renamed {
		notes = append(notes, f.notes...)
	}
	if renamed {
		notes.Infof("output-name", "", "an earlier entity of this batch has the output name %s; this one is written as %s", OutputName(e.DisplayName, e.ID), name)
	}
	return unit{compile: true, job: job{entry: e, item: it, name: name, notes: notes, fileDone: last}}, true
}
