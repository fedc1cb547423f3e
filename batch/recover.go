package batch

import (
	"fmt"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// A panic is a bug whatever the input, but it must not end the program: the
// Go runtime ends the whole process for a panic in any goroutine, before
// the command could remove its temporary files or say what happened. The
// source of work and the workers run through these, which turn a panic into the
// failure of the file or entity that caused it.

// pullRecovering is the walk's next finding, with a panic in the walk of
// the folders reported as a failure of the batch (crashed), after which no
// further input is read.
func (r *runner) pullRecovering() (ev walkEvent, ok, crashed bool) {
	defer func() {
		if v := recover(); v != nil {
			ev = walkEvent{res: result{entry: r.failedEntry("", "internal-error", "%s; the inputs after this point were not read", internalError(v))}}
			ok, crashed = false, true
		}
	}()
	ev, ok = r.pullWalk()
	return ev, ok, false
}

// readInputRecovering is readInput, with a panic reported as the file's
// failure.
func (r *runner) readInputRecovering(a *ahead) {
	defer func() {
		if v := recover(); v != nil {
			a.close()
			a.doc = nil
			a.res, a.done = result{entry: r.failedEntry(a.file, "internal-error", "%s", internalError(v)), fileDone: true}, true
		}
	}()
	r.readInput(a)
}

// openInputRecovering is openInput, with a panic reported as the file's
// failure.
func (r *runner) openInputRecovering(a *ahead) (res result, done bool) {
	defer func() {
		if v := recover(); v != nil {
			a.close()
			r.closeFile()
			res, done = result{entry: r.failedEntry(a.file, "internal-error", "%s", internalError(v)), fileDone: true}, true
		}
	}()
	return r.openInput(a)
}

// nextEntityRecovering is nextEntity, with a panic reported as the
// failure of the file, whose remaining entities are dropped.
func (r *runner) nextEntityRecovering() (u unit, st entityState) {
	path := r.file.path
	defer func() {
		if v := recover(); v != nil {
			r.closeFile()
			u, st = unit{res: result{entry: r.failedEntry(path, "internal-error", "%s", internalError(v)), fileDone: true}}, entityReady
		}
	}()
	return r.nextEntity()
}

// parseRecovering parses an entity of a list read as a stream, with a
// panic returned as crash.
func parseRecovering(raw graphjson.RawItem) (it graphjson.Item, err error, crash string) {
	defer func() {
		if v := recover(); v != nil {
			it, err, crash = graphjson.Item{}, nil, internalError(v)
		}
	}()
	it, err = raw.Parse()
	return it, err, ""
}

// compileRecovering is compile, with a panic reported as the entity's
// failure.
func (r *runner) compileRecovering(j job) (res result) {
	defer func() {
		if v := recover(); v != nil {
			e := j.entry
			e.Status = StatusFailed
			e.Output, e.SHA256 = "", ""
			e.Diagnostics = nil
			e.Diagnostics.Errorf("internal-error", "", "%s", internalError(v))
			res = result{seq: j.seq, entry: &e, fileDone: j.fileDone}
		}
	}()
	return r.compile(j)
}

// internalError describes a recovered panic in one line.
func internalError(v any) string {
	return "internal error (a bug, whatever the input; please report it): " + strings.Join(strings.Fields(fmt.Sprint(v)), " ")
}
