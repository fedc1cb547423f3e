// Package atomicfile writes files so that a reader never sees a partial one:
// the bytes go to a temporary file in the target's folder, which is renamed
// over the target only when complete. A failure leaves the target as it was
// and no temporary file behind; an interrupted program removes its temporary
// files through a Tracker.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Options control a write.
type Options struct {
	// Perm is the mode of the new file (0600 for files holding secrets);
	// 0644 when zero.
	Perm fs.FileMode
	// Force allows replacing a symbolic link at the target path (the link
	// itself is replaced, never the file it points to).
	Force bool
	// Protect lists files that must never be overwritten, such as the input
	// of the command.
	Protect []string
	// NoSync skips flushing the file to stable storage before the rename.
	// The rename still never exposes a partial file; only a power loss right
	// after the write could leave an empty one. Batch runs, which write
	// thousands of files that can be regenerated, use it because a flush per
	// file costs more than compiling and signing the file.
	NoSync bool
	// Tracker, if set, records the temporary file while it exists.
	Tracker *Tracker
}

// ErrSymlink is returned when the target is a symbolic link and Force is off.
var ErrSymlink = errors.New("the output path is a symbolic link; pass --force to replace the link")

// File is a file being written atomically. Write to it, then Commit to
// publish it or Abort to discard it.
type File struct {
	path string
	tmp  *os.File
	opts Options
	done bool
}

// Create starts writing path. It checks the target before creating
// anything: a symbolic link (without Force), a folder, or a protected file is
// refused.
func Create(path string, opts Options) (*File, error) {
	if opts.Perm == 0 {
		opts.Perm = 0o644
	}
	if err := checkTarget(path, opts); err != nil {
		return nil, err
	}
	tmp, err := createTemp(path, opts.Tracker)
	if err != nil {
		return nil, err
	}
	f := &File{path: path, tmp: tmp, opts: opts}
	if err := tmp.Chmod(opts.Perm); err != nil {
		f.Abort()
		return nil, fmt.Errorf("cannot set the mode of %s: %w", tmp.Name(), err)
	}
	return f, nil
}

// createTemp creates the temporary file next to path. With a tracker, it is
// created and recorded under the tracker's lock, so that an exit can never
// fall between the two; once cleanup has begun no file is created at all.
func createTemp(path string, tr *Tracker) (*os.File, error) {
	create := func() (*os.File, error) {
		tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
		if err != nil {
			return nil, fmt.Errorf("cannot create a file next to %s: %w", path, err)
		}
		return tmp, nil
	}
	if tr == nil {
		return create()
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.closed {
		return nil, fmt.Errorf("cannot write %s: %w", path, ErrInterrupted)
	}
	tmp, err := create()
	if err == nil {
		tr.files[tmp.Name()] = struct{}{}
	}
	return tmp, err
}

// ErrInterrupted is returned for writes started after the program began to
// stop.
var ErrInterrupted = errors.New("the program is stopping")

func checkTarget(path string, opts Options) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil
	}
	if fi.Mode()&fs.ModeSymlink != 0 && !opts.Force {
		return fmt.Errorf("%s: %w", path, ErrSymlink)
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a folder", path)
	}
	for _, p := range opts.Protect {
		if pi, err := os.Stat(p); err == nil && os.SameFile(fi, pi) {
			return fmt.Errorf("%s is the input file; refusing to overwrite it", path)
		}
	}
	return nil
}

// Write appends to the file.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.tmp.Write(p)
	if err != nil {
		err = fmt.Errorf("cannot write %s: %w", f.path, err)
	}
	return n, err
}

// Commit publishes the file under its final name. After a failed Commit the
// temporary file is gone and the target unchanged.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("%s: already committed or aborted", f.path)
	}
	var err error
	if !f.opts.NoSync {
		err = f.tmp.Sync()
	}
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// Check again: the target may have become a link while we wrote.
		if err = checkTarget(f.path, f.opts); err == nil {
			err = os.Rename(f.tmp.Name(), f.path)
		}
	}
	if err != nil {
		os.Remove(f.tmp.Name())
		f.finish()
		return fmt.Errorf("cannot write %s: %w", f.path, err)
	}
	f.finish()
	return nil
}

// Abort discards the file; it is safe to call after Commit (it does nothing
// then), so it can be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.tmp.Close()
	os.Remove(f.tmp.Name())
	f.finish()
}

func (f *File) finish() {
	f.done = true
	if f.opts.Tracker != nil {
		f.opts.Tracker.remove(f.tmp.Name())
	}
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte, opts Options) error {
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
	mu    sync.Mutex
	files map[string]struct{}
	// closed stops new files from being recorded once cleanup has begun.
	closed bool
}

// NewTracker returns an empty tracker.
func NewTracker() *Tracker { return &Tracker{files: map[string]struct{}{}} }

func (t *Tracker) remove(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.files, name)
}

// RemoveAll deletes every temporary file in flight and refuses new ones. It
// returns how many it removed.
func (t *Tracker) RemoveAll() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	n := 0
	for name := range t.files {
		if os.Remove(name) == nil {
			n++
		}
		delete(t.files, name)
	}
	return n
}
