//go:build unix

package atomicfile_test

import (
	"errors"
	"fmt"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testenv"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/atomicfile"
)

// TestSpecialTargets writes to a private character device (the null
// device, made with mknod in a temporary folder: never the real /dev/null),
// a FIFO, links to them, a socket and an unknown special file: devices and
// pipes are written directly and stay what they were; the others are
// refused and unchanged.
func TestSpecialTargets(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no device nodes or FIFOs on Windows")
	}
	dir := t.TempDir()

	t.Run("FIFO", func(t *testing.T) {
		fifo := filepath.Join(dir, "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 1)
		go func() {
			b, _ := os.ReadFile(fifo)
			got <- string(b)
		}()
		if err := atomicfile.WriteFile(fifo, []byte("through the pipe"), atomicfile.Options{Perm: 0o600}); err != nil {
			t.Fatal(err)
		}
		if s := <-got; s != "through the pipe" {
			t.Errorf("the reader got %q", s)
		}
		wantMode(t, fifo, os.ModeNamedPipe)
		noTempFiles(t, dir)
	})

	t.Run("symbolic link to a FIFO", func(t *testing.T) {
		fifo := filepath.Join(dir, "fifo2")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, "to-fifo")
		os.Symlink(fifo, link)
		got := make(chan string, 1)
		go func() {
			b, _ := os.ReadFile(fifo)
			got <- string(b)
		}()
		// No Force needed: the link is not replaced, the pipe is written.
		if err := atomicfile.WriteFile(link, []byte("via the link"), atomicfile.Options{}); err != nil {
			t.Fatal(err)
		}
		if s := <-got; s != "via the link" {
			t.Errorf("the reader got %q", s)
		}
		if to, err := os.Readlink(link); err != nil || to != fifo {
			t.Errorf("the link changed: %q %v", to, err)
		}
	})

	t.Run("character device", func(t *testing.T) {
		null := mknodNull(t, dir, "null")
		before := statT(t, null)
		for _, force := range []bool{false, true} {
			if err := atomicfile.WriteFile(null, []byte("discarded"), atomicfile.Options{Perm: 0o600, Force: force}); err != nil {
				t.Fatal(err)
			}
		}
		after := statT(t, null)
		if after.Mode&syscall.S_IFMT != syscall.S_IFCHR || after.Rdev != before.Rdev || after.Ino != before.Ino || after.Mode != before.Mode {
			t.Errorf("the device node changed: mode %o rdev %x ino %d, was mode %o rdev %x ino %d", after.Mode, after.Rdev, after.Ino, before.Mode, before.Rdev, before.Ino)
		}
		link := filepath.Join(dir, "to-null")
		os.Symlink(null, link)
		if err := atomicfile.WriteFile(link, []byte("discarded"), atomicfile.Options{}); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Error("the link to the device was replaced")
		}
		// Create streams to the device too.
		f, err := atomicfile.Create(null, atomicfile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("a"))
		f.Abort()
		wantMode(t, null, os.ModeDevice|os.ModeCharDevice)
		noTempFiles(t, dir)

		// Nothing is written once the program is stopping.
		tr := atomicfile.NewTracker()
		tr.RemoveAll()
		if err := atomicfile.WriteFile(null, []byte("late"), atomicfile.Options{Tracker: tr}); !errors.Is(err, atomicfile.ErrInterrupted) {
			t.Errorf("a write to a device after cleanup: %v", err)
		}
	})

	t.Run("socket", func(t *testing.T) {
		// A short path: socket names are limited to about 100 bytes.
		sdir, err := os.MkdirTemp("", "g2m")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(sdir)
		sock := filepath.Join(sdir, "s")
		ln, err := net.Listen("unix", sock)
		if err != nil {
			t.Skipf("unix sockets: %v", err)
		}
		defer ln.Close()
		for _, force := range []bool{false, true} {
			err := atomicfile.WriteFile(sock, []byte("x"), atomicfile.Options{Force: force})
			if !errors.Is(err, atomicfile.ErrSpecialFile) || !strings.Contains(err.Error(), "is a socket") {
				t.Errorf("force %v: err = %v", force, err)
			}
		}
		wantMode(t, sock, os.ModeSocket)
		noTempFiles(t, sdir)
	})

	t.Run("block device", func(t *testing.T) {
		blk := filepath.Join(dir, "loop")
		// Major 7 is the loop device; the node is never opened.
		if err := syscall.Mknod(blk, syscall.S_IFBLK|0o600, 7<<8|250); err != nil {
			skipOrFailWithoutRoot(t, "mknod", err)
		}
		err := atomicfile.WriteFile(blk, []byte("x"), atomicfile.Options{Force: true})
		if !errors.Is(err, atomicfile.ErrSpecialFile) || !strings.Contains(err.Error(), "is a block device") {
			t.Errorf("err = %v", err)
		}
		wantMode(t, blk, os.ModeDevice)
	})
}

// TestAppearedWhileWriting makes a FIFO appear at a new target between
// Create and Commit: Commit fails and leaves the FIFO as it is; a regular
// file that appears is replaced, as it would have been had it been there.
func TestAppearedWhileWriting(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs on Windows")
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "out")
	f, err := atomicfile.Create(target, atomicfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("profile"))
	if err := syscall.Mkfifo(target, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err == nil || !strings.Contains(err.Error(), "while the output was written; nothing was written") {
		t.Errorf("Commit over a FIFO that appeared: %v", err)
	}
	wantMode(t, target, os.ModeNamedPipe)
	noTempFiles(t, dir)

	other := filepath.Join(dir, "other")
	f, err = atomicfile.Create(other, atomicfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new"))
	os.WriteFile(other, []byte("old"), 0o644)
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(other); string(got) != "new" {
		t.Errorf("content %q", got)
	}
	noTempFiles(t, dir)
}

func statT(t *testing.T, path string) syscall.Stat_t {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// mknodNull makes a private null device node (character device 1:3) in
// dir. It needs root (CAP_MKNOD): skipped without it, except in CI.
func mknodNull(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		skipOrFailWithoutRoot(t, "mknod", err)
	}
	// A file system mounted nodev refuses to open devices.
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		skipOrFailWithoutRoot(t, "opening a device node made in "+dir, err)
	}
	f.Close()
	return p
}

func skipOrFailWithoutRoot(t *testing.T, what string, err error) {
	t.Helper()
	testenv.SkipOrFail(t, fmt.Sprintf("%s needs root: %v", what, err))
}

// TestLinksIntoProc writes to links like /dev/stdout, which point at an
// open file of the process through /proc/self/fd: a pipe behind one is
// written; a regular file behind one is neither written nor is the link
// replaced, even with Force (replacing /dev/stdout would break it for the
// whole system).
func TestLinksIntoProc(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd here")
	}
	dir := t.TempDir()
	file, err := os.Create(filepath.Join(dir, "redirected"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	stdout := filepath.Join(dir, "stdout")
	if err := os.Symlink(fmt.Sprintf("/proc/self/fd/%d", file.Fd()), stdout); err != nil {
		t.Fatal(err)
	}
	for _, force := range []bool{false, true} {
		err := atomicfile.WriteFile(stdout, []byte("x"), atomicfile.Options{Force: force})
		if err == nil || !strings.Contains(err.Error(), "an open file of this process; refusing to replace it (use - for standard output)") {
			t.Errorf("force %v: err = %v", force, err)
		}
		if fi, err := os.Lstat(stdout); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatal("the link was replaced")
		}
	}

	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	toPipe := filepath.Join(dir, "to-pipe")
	os.Symlink(fmt.Sprintf("/proc/self/fd/%d", pw.Fd()), toPipe)
	if err := atomicfile.WriteFile(toPipe, []byte("through /proc"), atomicfile.Options{}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := pr.Read(buf)
	if string(buf[:n]) != "through /proc" {
		t.Errorf("the pipe got %q", buf[:n])
	}
	noTempFiles(t, dir)
}
