//go:build !linux

package atomicfile

import (
	"io/fs"
	"os"
)

// noCTTY is a Linux open flag; elsewhere opening a terminal does not make it
// the controlling terminal by default on the systems this builds for.
const noCTTY = 0

// createUnnamed reports false: unnamed files (O_TMPFILE) are Linux's.
func createUnnamed(string, fs.FileMode) (*os.File, bool) { return nil, false }

// linkUnnamed is never called where createUnnamed makes no file.
func linkUnnamed(f *os.File, path string) error {
	return &os.LinkError{Op: "link", Old: f.Name(), New: path, Err: fs.ErrInvalid}
}

// renameNoReplace renames oldpath to newpath after checking that nothing is
// there (the check and the rename are two steps here).
func renameNoReplace(oldpath, newpath string) error {
	if _, err := os.Lstat(newpath); err == nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: fs.ErrExist}
	}
	return os.Rename(oldpath, newpath)
}

func tempName() string { return "" }
