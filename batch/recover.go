package batch

import (
	"fmt"
	"strings"
)

// A panic is a bug whatever the input, but it must not end the program: the
// Go runtime ends the whole process for a panic in any goroutine, before
// the command could remove its temporary files or say what happened. The
// producer and the workers run through these, which turn a panic into the
// failure of the file or entity that caused it.

// produceRecovering is produce, with a panic outside the reading of a file
// (in the walk of the folders) reported as a failure of the batch, after
// which no further input is read.
func (r *runner) produceRecovering(inputs []string) {
	defer func() {
		if v := recover(); v != nil {
			r.emit(result{entry: r.failedEntry("", "internal-error", "%s; the inputs after this point were not read", internalError(v))})
		}
	}()
	r.produce(inputs)
}

// readInputRecovering is readInput, with a panic reported as the file's
// failure.
func (r *runner) readInputRecovering(path string) {
	defer func() {
		if v := recover(); v != nil {
			r.emit(result{entry: r.failedEntry(path, "internal-error", "%s", internalError(v)), fileDone: true})
		}
	}()
	r.readInput(path)
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
