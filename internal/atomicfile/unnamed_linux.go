package atomicfile

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// noCTTY keeps a terminal opened as an output from becoming the program's
// controlling terminal.
const noCTTY = unix.O_NOCTTY

// createUnnamed creates a file without a name in dir (O_TMPFILE), which
// cannot outlive the program, not even one killed by SIGKILL. It reports
// false where the kernel or the file system does not offer that, or where
// the file could not be given a name later (no /proc/self/fd): the caller
// then uses a named temporary file.
func createUnnamed(dir string, perm fs.FileMode) (*os.File, bool) {
	// O_RDWR rather than O_WRONLY: should linking fail at the end, the
	// bytes can still be read back and copied to a named file.
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return nil, false
	}
	// Linking needs /proc/self/fd (without CAP_DAC_READ_SEARCH); check
	// that it is there before any byte is written.
	if err := unix.Faccessat(unix.AT_FDCWD, procFD(fd), unix.F_OK, 0); err != nil {
		unix.Close(fd)
		return nil, false
	}
	return os.NewFile(uintptr(fd), dir+string(os.PathSeparator)+"(unnamed)"), true
}

func procFD(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }

// linkUnnamed gives the unnamed file f the name path. It never replaces an
// existing file: that is an error wrapping fs.ErrExist.
func linkUnnamed(f *os.File, path string) error {
	fd := int(f.Fd())
	err := unix.Linkat(unix.AT_FDCWD, procFD(fd), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	if errors.Is(err, unix.ENOENT) {
		if _, serr := os.Stat(procFD(fd)); serr != nil {
			// /proc went away; with CAP_DAC_READ_SEARCH the file
			// can be linked from its descriptor alone.
			err = unix.Linkat(fd, "", unix.AT_FDCWD, path, unix.AT_EMPTY_PATH)
		}
	}
	if err != nil {
		return &os.LinkError{Op: "link", Old: f.Name(), New: path, Err: err}
	}
	return nil
}

// renameNoReplace renames oldpath to newpath unless newpath exists (then an
// error wrapping fs.ErrExist). Where the file system cannot refuse to
// replace, it renames after checking that nothing is there.
func renameNoReplace(oldpath, newpath string) error {
	err := unix.Renameat2(unix.AT_FDCWD, oldpath, unix.AT_FDCWD, newpath, unix.RENAME_NOREPLACE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EOPNOTSUPP):
		if _, serr := os.Lstat(newpath); serr == nil {
			return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: fs.ErrExist}
		}
		return os.Rename(oldpath, newpath)
	}
	return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
}

// tempName returns a new short temporary file name, as os.CreateTemp makes
// them from tempPattern.
func tempName() string {
	return ".tmp-" + strconv.FormatUint(uint64(rand.Uint32()), 10)
}
