//go:build !unix

package batch

import (
	"io/fs"
	"path/filepath"
)

// fileID identifies a file; without inode numbers, by its absolute path,
// which misses hard links and symbolic links to the same file.
type fileID struct{ path string }

func idOf(path string, _ fs.FileInfo) (fileID, bool) {
	abs, err := filepath.Abs(path)
	return fileID{path: abs}, err == nil
}

// linkCount returns 1: the number of names of a file is not known here.
func linkCount(fs.FileInfo) uint64 { return 1 }
