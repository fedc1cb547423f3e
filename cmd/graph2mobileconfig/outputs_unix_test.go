//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testenv"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// privateNullDevice makes a null device node (character device 1:3) in a
// temporary folder: the tests write to it instead of the real /dev/null,
// which an earlier version replaced by a regular file. It needs root
// (CAP_MKNOD) and a folder not mounted nodev: skipped without them, except
// in CI.
func privateNullDevice(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "null")
	if err := syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		skipUnlessCI(t, "mknod of a private null device needs root: %v", err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		skipUnlessCI(t, "a device node made in %s cannot be opened (nodev?): %v", filepath.Dir(p), err)
	}
	f.Close()
	return p
}

func skipUnlessCI(t *testing.T, format string, args ...any) {
	t.Helper()
	testenv.SkipOrFail(t, fmt.Sprintf(format, args...))
}

// wantCharDevice1_3 fails unless path is still the null device node.
func wantNullDevice(t *testing.T, path string) {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		t.Fatal(err)
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFCHR || st.Rdev != 1<<8|3 {
		t.Errorf("%s is no longer the null device: mode %o, rdev %#x", path, st.Mode, st.Rdev)
	}
}

// readFIFO reads a FIFO to its end in the background; the function it
// returns waits for what was read, failing the test when nothing was
// written within 20 s (then it releases the reader).
func readFIFO(t *testing.T, path string) func() []byte {
	t.Helper()
	got := make(chan []byte, 1)
	go func() {
		b, _ := os.ReadFile(path)
		got <- b
	}()
	return func() []byte {
		t.Helper()
		select {
		case b := <-got:
			return b
		case <-time.After(20 * time.Second):
			if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				f.Close()
			}
			t.Fatalf("nothing was written to the FIFO %s", path)
			return nil
		}
	}
}

// TestOutputSpecialFiles gives every command that writes a file a device
// node, a FIFO, a link to them and a socket as its output: devices and
// FIFOs are written directly and stay what they are (an earlier version
// renamed a regular file over them, breaking /dev/null); a socket is
// refused.
func TestOutputSpecialFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no device nodes or FIFOs on Windows")
	}
	w := newFileWorld(t)
	commands := []struct {
		name string
		args func(out string) []string
	}{
		{"compile", func(out string) []string { return []string{"compile", w.psk, "-o", out} }},
		{"compile binary, signed", func(out string) []string {
			return append([]string{"compile", w.psk, "--plist-format", "binary", "-o", out}, w.signFlags...)
		}},
		{"sign", func(out string) []string { return append([]string{"sign", w.pskProfile, "-o", out}, w.signFlags...) }},
		{"unsign", func(out string) []string { return []string{"unsign", w.pskSigned, "-o", out} }},
		{"mdm-command", func(out string) []string { return []string{"mdm-command", w.pskSigned, "-o", out} }},
		{"batch --report", func(out string) []string {
			return []string{"batch", w.psk, "--out-dir", filepath.Join(t.TempDir(), "profiles"), "--report", out, "-q"}
		}},
	}
	for _, c := range commands {
		t.Run(c.name+"/null device", func(t *testing.T) {
			null := privateNullDevice(t)
			for _, force := range []bool{false, true} {
				args := c.args(null)
				if force {
					args = append(args, "--force")
				}
				if r := runCLI(t, nil, nil, args...); r.code != exitOK {
					t.Fatalf("exit %d\n%s", r.code, r.stderr)
				}
				wantNullDevice(t, null)
			}
			link := filepath.Join(t.TempDir(), "out")
			os.Symlink(null, link)
			if r := runCLI(t, nil, nil, c.args(link)...); r.code != exitOK {
				t.Fatalf("through a link: exit %d\n%s", r.code, r.stderr)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the link to the device was replaced")
			}
			wantNullDevice(t, null)
			noTempFiles(t, filepath.Dir(null))
		})
		t.Run(c.name+"/FIFO", func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "fifo")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			got := readFIFO(t, fifo)
			r := runCLI(t, nil, nil, c.args(fifo)...)
			if r.code != exitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			data := got()
			switch {
			case strings.HasPrefix(c.name, "batch"):
				if !bytes.Contains(data, []byte(`"summary"`)) {
					t.Errorf("the reader got no report:\n%.300s", data)
				}
			case c.name == "mdm-command":
				if _, _, err := plistout.Decode(data); err != nil {
					t.Errorf("the reader got no command plist: %v", err)
				}
			default:
				wantProfileBytes(t, data)
			}
			if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
				t.Errorf("the FIFO was replaced: %v", fi.Mode())
			}
			noTempFiles(t, dir)
		})
	}

	t.Run("socket", func(t *testing.T) {
		dir, err := os.MkdirTemp("", "g2m") // socket paths are short
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		sock := filepath.Join(dir, "s")
		ln, err := net.Listen("unix", sock)
		if err != nil {
			t.Skipf("unix sockets: %v", err)
		}
		defer ln.Close()
		for _, c := range commands {
			r := runCLI(t, nil, nil, append(c.args(sock), "--force")...)
			if r.code != exitError || !strings.Contains(r.stderr, sock+" is a socket; refusing to write to it or replace it") {
				t.Errorf("%s: exit %d\n%s", c.name, r.code, r.stderr)
			}
			if fi, err := os.Lstat(sock); err != nil || fi.Mode()&os.ModeSocket == 0 {
				t.Fatalf("%s: the socket was replaced", c.name)
			}
		}
		noTempFiles(t, dir)
	})
}

// TestPipeWatch writes to a pipe whose reader is gone: every write fails
// with EPIPE, and the program is told to stop, once, as by SIGPIPE.
func TestPipeWatch(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pr.Close()
	defer pw.Close()
	stop := make(chan os.Signal, 1)
	// The test binary does not ignore SIGPIPE; a write to a closed pipe
	// that is not standard output or error gets EPIPE without a signal.
	w := pipeWatch{f: pw, stop: stop, once: new(sync.Once)}
	for range 3 {
		if _, err := w.Write([]byte("x")); !errors.Is(err, syscall.EPIPE) {
			t.Fatalf("write: %v", err)
		}
	}
	select {
	case sig := <-stop:
		if sig != syscall.SIGPIPE {
			t.Errorf("stopped by %v", sig)
		}
	default:
		t.Fatal("a write to a closed pipe did not stop the program")
	}
	if len(stop) != 0 {
		t.Error("more than one stop")
	}
}
