// Package atomicfile writes files so that a reader never sees a partial one,
// and so that an output never destroys what it must not.
//
// What a write does depends on what is at the target path:
//
//   - Nothing: the bytes go to a new file that has no name while it is
//     written (Linux O_TMPFILE; elsewhere, or where the file system lacks
//     it, a temporary file with a short name in the target's folder), and
//     it is linked under the target's name only when complete, never
//     replacing a file that appeared meanwhile.
//   - A regular file: the bytes go to a temporary file in the target's
//     folder, which is renamed over the target when complete. WriteFile,
//     which has every byte at hand, names it from the start; Create, whose
//     writes may go on for minutes (a batch report), writes an unnamed
//     file and names it only just before the rename.
//   - A character device or a named pipe (FIFO), or a symbolic link to one
//     (/dev/null, /dev/stdout, a terminal, a pipe to another program): the
//     bytes are written to it directly. Nothing is created, renamed or
//     replaced, so /dev/null stays a device; like standard output, such a
//     target may see partial output when a run fails half-way.
//   - A symbolic link to anything else: refused, unless Options.Force says
//     to replace the link itself (never the file it points to).
//   - A folder, a socket, a block device or any other special file:
//     refused.
//   - A file the program reads (Options.Protect), by any name: refused.
//
// A failure leaves the target as it was and no temporary file behind; an
// interrupted program removes its temporary files through a Tracker.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Options control a write.
type Options struct {
	// Perm is the mode of the new file (0600 for files holding secrets);
	// 0644 when zero. It does not apply to devices and pipes, which are
	// written as they are.
	Perm fs.FileMode
	// Force allows replacing a symbolic link at the target path (the link
	// itself is replaced, never the file it points to).
	Force bool
	// Protect lists the files the program reads: no write replaces one of
	// them, whatever name the target gives it (the same path, another
	// spelling, a hard link, or a symbolic link to it).
	Protect []Input
	// NoSync skips flushing the file to stable storage before it is
	// published. Publishing still never exposes a partial file; only a
	// power loss right after the write could leave an empty one. Batch
	// runs, which write thousands of files that can be regenerated, use it
	// because a flush per file costs more than compiling and signing the
	// file.
	NoSync bool
	// Tracker, if set, records the temporary files while they exist, and
	// stops new files from being published once the program is stopping.
	Tracker *Tracker

	// strategy selects how the file is made; tests and benchmarks set
	// it to compare the strategies.
	strategy strategy
}

// strategy is how the file is made that the bytes go to.
type strategy int

const (
	// strategyAuto uses an unnamed file (O_TMPFILE) where the system
	// offers one, else a named temporary file. Create uses it: a streamed
	// file, such as a batch report, may take minutes to write, and an
	// unnamed one cannot be left behind by SIGKILL or a power loss.
	strategyAuto strategy = iota
	// strategyUnnamedNew uses an unnamed file for a new target only, and
	// a named temporary file, renamed, to replace one, as the hostile-input
	// issue asks. WriteFile uses it: it has all the bytes at hand, so a
	// named temporary file lives only while they are written. Measured
	// with BenchmarkWrite (CPU time, medians of 7 interleaved runs of
	// 20,000 writes of 3 KB on tmpfs, 3 of 5,000 on ext4), the strategies
	// cost the same within the noise of the shared machine: about 15-17 µs
	// a file on tmpfs and 310-330 µs (new) or 400-445 µs (replacing) on
	// ext4, so the choice is made for safety, not speed.
	strategyUnnamedNew
	// strategyNamed always uses a named temporary file and a rename.
	strategyNamed
)

// Input is a file the program reads, which no output may replace.
type Input struct {
	// Path is the file's name as the user gave it.
	Path string
	// What says what the file is, for messages: "the input file", "the
	// --sign-key file".
	What string
	// Info identifies the file as it was read (os.File.Stat of the open
	// file), so that a rename or a new link after the read does not hide
	// it. When nil, Path is looked up at each check.
	Info fs.FileInfo
}

// identity returns the file's information for comparisons, or nil when it
// is not a regular file: only regular files are protected, since reading a
// device or a pipe (/dev/stdin) leaves nothing that an output could
// destroy.
func (in Input) identity() fs.FileInfo {
	fi := in.Info
	if fi == nil {
		var err error
		if fi, err = os.Stat(in.Path); err != nil {
			return nil
		}
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	return fi
}

// ErrSymlink is returned when the target is a symbolic link and Force is off.
var ErrSymlink = errors.New("the output path is a symbolic link; pass --force to replace the link")

// ErrInterrupted is returned for writes started, or published, after the
// program began to stop.
var ErrInterrupted = errors.New("the program is stopping")

// ErrProtected is wrapped by the error for a target that is one of the
// files in Options.Protect.
var ErrProtected = errors.New("refusing to overwrite it")

// ErrSpecialFile is wrapped by the error for a target that is a socket, a
// block device or another special file that is neither written nor
// replaced.
var ErrSpecialFile = errors.New("special file")

// targetKind is what a write finds at its target path, and so how it
// publishes the file.
type targetKind int

const (
	// targetNew: nothing is there; the file is linked or renamed into
	// place without replacing anything.
	targetNew targetKind = iota
	// targetReplace: a regular file, or a symbolic link that Force allows
	// to replace; the file is renamed over it.
	targetReplace
	// targetDirect: a character device or a FIFO (or a link to one); the
	// bytes are written to it.
	targetDirect
)

// inspectTarget decides what to do with path, refusing what must not be
// written.
func inspectTarget(path string, opts Options) (targetKind, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		// Missing, or not reachable: creating the file says why if it
		// cannot be created.
		return targetNew, nil
	}
	mode := fi.Mode()
	switch {
	case mode.IsRegular():
		if err := checkProtected(path, fi, "", opts.Protect); err != nil {
			return 0, err
		}
		return targetReplace, nil
	case mode&fs.ModeSymlink != 0:
		dest, err := os.Stat(path)
		if err == nil {
			if writesDirectly(dest.Mode()) {
				return targetDirect, nil
			}
			if err := checkProtected(path, dest, "a symbolic link to ", opts.Protect); err != nil {
				return 0, err
			}
		}
		// /dev/stdout and its kind point into /proc, at a file another
		// program opened for this one: that is never replaced, even
		// with --force, since replacing /dev/stdout breaks it for the
		// whole system.
		if to, ok := procLink(path); ok {
			return 0, fmt.Errorf("%s is a link to %s, an open file of this process; refusing to replace it (use - for standard output)", path, to)
		}
		if !opts.Force {
			return 0, fmt.Errorf("%s: %w", path, ErrSymlink)
		}
		return targetReplace, nil
	case mode.IsDir():
		return 0, fmt.Errorf("%s is a folder", path)
	case writesDirectly(mode):
		return targetDirect, nil
	}
	return 0, fmt.Errorf("%s is %s; refusing to write to it or replace it: %w", path, describeMode(mode), ErrSpecialFile)
}

// procLink reports whether the symbolic link path points into /proc, or
// lies there (/dev/fd/1 is /proc/self/fd/1), and where it points.
func procLink(path string) (string, bool) {
	to, err := os.Readlink(path)
	if err != nil {
		return "", false
	}
	if strings.HasPrefix(to, "/proc/") {
		return to, true
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	return to, err == nil && strings.HasPrefix(dir, "/proc/")
}

// writesDirectly reports whether a file of this mode is written to rather
// than replaced: character devices (/dev/null, terminals) and FIFOs.
func writesDirectly(mode fs.FileMode) bool {
	return mode&fs.ModeCharDevice != 0 || mode&fs.ModeNamedPipe != 0
}

func describeMode(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeDevice != 0 && mode&fs.ModeCharDevice == 0:
		return "a block device"
	}
	return "a special file (" + mode.Type().String() + ")"
}

// checkProtected refuses a target that is one of the protected files; link
// says how the target names it ("" or "a symbolic link to ").
func checkProtected(path string, fi fs.FileInfo, link string, protect []Input) error {
	for _, in := range protect {
		pi := in.identity()
		if pi == nil || !os.SameFile(fi, pi) {
			continue
		}
		what := in.What
		if what == "" {
			what = "a file this command reads"
		}
		name := ""
		if filepath.Clean(in.Path) != filepath.Clean(path) {
			name = " (" + in.Path + ")"
		}
		return fmt.Errorf("%s is %s%s%s; %w", path, link, what, name, ErrProtected)
	}
	return nil
}

// File is a file being written atomically. Write to it, then Commit to
// publish it or Abort to discard it.
type File struct {
	path string
	f    *os.File
	kind targetKind
	// anon reports that f has no name yet (O_TMPFILE).
	anon bool
	// tmp is the name of the temporary file, when it has one.
	tmp  string
	opts Options
	done bool
}

// Create starts writing path. It checks the target before creating
// anything (see the package documentation for what is refused). A target
// that is a device or a pipe is opened here, and Create waits, as any
// writer does, until a pipe has a reader.
func Create(path string, opts Options) (*File, error) {
	if opts.Perm == 0 {
		opts.Perm = 0o644
	}
	kind, err := inspectTarget(path, opts)
	if err != nil {
		return nil, err
	}
	if kind == targetDirect {
		return openDirect(path, opts)
	}
	f := &File{path: path, kind: kind, opts: opts}
	if err := f.create(); err != nil {
		return nil, err
	}
	if err := f.f.Chmod(opts.Perm); err != nil {
		f.Abort()
		return nil, fmt.Errorf("cannot set the mode of the file for %s: %w", path, err)
	}
	return f, nil
}

// openDirect opens a device or FIFO for writing, without creating or
// truncating anything, and checks that what was opened is still one: a
// regular file swapped in meanwhile is neither truncated nor written.
func openDirect(path string, opts Options) (*File, error) {
	if tr := opts.Tracker; tr != nil {
		tr.gate.RLock()
		closed := tr.closed
		tr.gate.RUnlock()
		if closed {
			return nil, fmt.Errorf("cannot write %s: %w", path, ErrInterrupted)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|noCTTY, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s for writing: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil || !writesDirectly(fi.Mode()) {
		f.Close()
		return nil, fmt.Errorf("%s changed while it was opened; nothing was written", path)
	}
	return &File{path: path, f: f, kind: targetDirect, opts: opts}, nil
}

// create makes the file the bytes go to: an unnamed one for a new target
// where possible, else a named temporary file recorded in the tracker.
func (f *File) create() error {
	tr := f.opts.Tracker
	if tr != nil {
		tr.gate.RLock()
		defer tr.gate.RUnlock()
		if tr.closed {
			return fmt.Errorf("cannot write %s: %w", f.path, ErrInterrupted)
		}
	}
	dir := filepath.Dir(f.path)
	if f.opts.strategy == strategyAuto || f.opts.strategy == strategyUnnamedNew && f.kind == targetNew {
		if file, ok := createUnnamed(dir, f.opts.Perm); ok {
			f.f, f.anon = file, true
			return nil
		}
	}
	file, err := createNamed(dir, tr)
	if err != nil {
		return fmt.Errorf("cannot create a file next to %s: %w", f.path, err)
	}
	f.f, f.tmp = file, file.Name()
	return nil
}

// tempPattern names temporary files: short, so that a target name of up to
// the file system's limit (255 bytes) still leaves room for it, and with a
// ".tmp-" that tells what it is.
const tempPattern = ".tmp-*"

// createNamed creates a temporary file in dir and records it in tr.
func createNamed(dir string, tr *Tracker) (*os.File, error) {
	file, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		return nil, err
	}
	if tr != nil {
		tr.add(file.Name())
	}
	return file, nil
}

// Write appends to the file.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.f.Write(p)
	if err != nil {
		err = fmt.Errorf("cannot write %s: %w", f.path, err)
	}
	return n, err
}

// Commit publishes the file under its final name. After a failed Commit the
// temporary file is gone and the target unchanged (a device or pipe may
// have received part of the bytes).
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("%s: already committed or aborted", f.path)
	}
	if f.kind == targetDirect {
		f.done = true
		if err := f.f.Close(); err != nil {
			return fmt.Errorf("cannot write %s: %w", f.path, err)
		}
		return nil
	}
	var err error
	if !f.opts.NoSync {
		err = f.f.Sync()
	}
	if err == nil {
		err = f.publish()
	}
	if cerr := f.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		f.discard()
		return fmt.Errorf("cannot write %s: %w", f.path, err)
	}
	f.finish()
	return nil
}

// publish gives the finished file its name. It holds the tracker's gate, so
// that no file is published once the program has begun to stop, and a
// cleanup waits for the publications in flight.
func (f *File) publish() error {
	if tr := f.opts.Tracker; tr != nil {
		tr.gate.RLock()
		defer tr.gate.RUnlock()
		if tr.closed {
			return ErrInterrupted
		}
	}
	// Check again: the target may have changed while the file was written.
	kind, err := inspectTarget(f.path, f.opts)
	if err != nil {
		return err
	}
	switch {
	case kind == targetDirect:
		return fmt.Errorf("%s became a device or pipe while the output was written; nothing was written", f.path)
	case kind == targetNew && f.anon:
		err := linkUnnamed(f.f, f.path)
		if !errors.Is(err, fs.ErrExist) {
			return err
		}
	case kind == targetNew:
		err := renameNoReplace(f.tmp, f.path)
		if !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	// A file is there (it was, or it appeared while we wrote): replace it
	// by a rename, if it may be replaced.
	if kind, err = inspectTarget(f.path, f.opts); err != nil {
		return err
	}
	if kind != targetReplace {
		return fmt.Errorf("%s changed while the output was written; nothing was written", f.path)
	}
	if f.anon {
		if err := f.nameUnnamed(); err != nil {
			return err
		}
	}
	return os.Rename(f.tmp, f.path)
}

// nameUnnamed links the unnamed file under a temporary name, for a rename
// over an existing target; where it cannot be linked, its bytes are copied
// to a named temporary file.
func (f *File) nameUnnamed() error {
	dir := filepath.Dir(f.path)
	for range 10 {
		name := filepath.Join(dir, tempName())
		err := linkUnnamed(f.f, name)
		if err == nil {
			f.tmp, f.anon = name, false
			if tr := f.opts.Tracker; tr != nil {
				tr.add(name)
			}
			return nil
		}
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	named, err := createNamed(dir, f.opts.Tracker)
	if err != nil {
		return err
	}
	f.tmp, f.anon = named.Name(), false
	_, err = io.Copy(named, io.NewSectionReader(f.f, 0, 1<<62))
	if err == nil {
		err = named.Chmod(f.opts.Perm)
	}
	if err == nil && !f.opts.NoSync {
		err = named.Sync()
	}
	if cerr := named.Close(); err == nil {
		err = cerr
	}
	return err
}

// Abort discards the file; it is safe to call after Commit (it does nothing
// then), so it can be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.f.Close()
	if f.kind == targetDirect {
		f.done = true
		return
	}
	f.discard()
}

// discard removes the temporary file, if it has a name, and forgets it.
func (f *File) discard() {
	if f.tmp != "" {
		os.Remove(f.tmp)
	}
	f.finish()
}

func (f *File) finish() {
	f.done = true
	if f.tmp != "" && f.opts.Tracker != nil {
		f.opts.Tracker.remove(f.tmp)
	}
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte, opts Options) error {
	if opts.strategy == strategyAuto {
		opts.strategy = strategyUnnamedNew
	}
	f, err := Create(path, opts)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// Tracker records the temporary files in flight, so that a program stopped
// by a signal can remove them before it exits. It is safe for concurrent use.
type Tracker struct {
	// gate is held shared while a file is created or published, and
	// exclusively by RemoveAll, which so waits for those in flight and
	// then stops new ones.
	gate sync.RWMutex
	// closed is set by RemoveAll, under gate.
	closed bool

	mu    sync.Mutex
	files map[string]struct{}
}

// NewTracker returns an empty tracker.
func NewTracker() *Tracker { return &Tracker{files: map[string]struct{}{}} }

func (t *Tracker) add(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.files[name] = struct{}{}
}

func (t *Tracker) remove(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.files, name)
}

// RemoveAll deletes every temporary file in flight and refuses new ones: a
// file not yet published never will be. It returns how many files it
// removed. Files without a name (O_TMPFILE) need no removal: they vanish
// with the program.
func (t *Tracker) RemoveAll() int {
	t.gate.Lock()
	defer t.gate.Unlock()
	t.closed = true
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for name := range t.files {
		if os.Remove(name) == nil {
			n++
		}
		delete(t.files, name)
	}
	return n
}
