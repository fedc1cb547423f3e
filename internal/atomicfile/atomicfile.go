// Package atomicfile writes files so that a reader never sees a partial one:
// the bytes go to a temporary file in the target's folder, which is synced and
// then renamed over the target. A failure or an interruption leaves the target
// as it was and no temporary file behind.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Options control a write.
type Options struct {
	// Perm is the mode of the new file (0600 for files holding secrets).
	Perm fs.FileMode
	// Force allows replacing a symbolic link at the target path (the link
	// itself is replaced, never the file it points to).
	Force bool
	// Protect lists files that must never be overwritten, such as the input
	// of the command.
	Protect []string
}

// ErrSymlink is returned when the target is a symbolic link and Force is off.
var ErrSymlink = errors.New("the output path is a symbolic link; pass --force to replace the link")

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte, opts Options) error {
	if opts.Perm == 0 {
		opts.Perm = 0o644
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&fs.ModeSymlink != 0 && !opts.Force {
			return fmt.Errorf("%s: %w", path, ErrSymlink)
		}
		if fi.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		for _, p := range opts.Protect {
			if pi, err := os.Stat(p); err == nil && os.SameFile(fi, pi) {
				return fmt.Errorf("%s is the input file; refusing to overwrite it", path)
			}
		}
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("cannot create a file next to %s: %w", path, err)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err := tmp.Chmod(opts.Perm); err != nil {
		return fmt.Errorf("cannot set the mode of %s: %w", name, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	ok = true
	return nil
}
