package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// openPTY opens a pseudo-terminal pair: the master, which the test reads
// and types into, and the terminal the program is given.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return master, tty
}

// TestTerminalCheck: a terminal is a terminal and its width is read; a
// character device that is not one, such as /dev/null, is not (it counted
// as a terminal once, and got a progress bar).
func TestTerminalCheck(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if terminalOf(null) != nil {
		t.Error("/dev/null is taken for a terminal")
	}
	if passwordPrompt(null, &bytes.Buffer{}) != nil {
		t.Error("a password would be asked for on /dev/null")
	}
	file, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if terminalOf(file) != nil {
		t.Error("a file is taken for a terminal")
	}
	_, tty := openPTY(t)
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 57}); err != nil {
		t.Fatal(err)
	}
	term := terminalOf(tty)
	if term == nil {
		t.Fatal("a pseudo-terminal is not taken for a terminal")
	}
	if w := term.width(); w != 57 {
		t.Errorf("width %d, want 57", w)
	}
}

// TestPasswordPromptOnTerminal runs the program on a real (pseudo-)
// terminal without a password source: it asks for the password on the
// terminal with echo off, and signs with it.
func TestPasswordPromptOnTerminal(t *testing.T) {
	bin := buildBinary(t)
	pki := testPKI(t)
	dir := t.TempDir()
	plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))
	out := filepath.Join(dir, "signed.mobileconfig")
	master, tty := openPTY(t)

	cmd := exec.Command(bin, "sign", plain, "-o", out, "--sign-p12", filepath.Join(pki, "client.p12"))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")} // no GRAPH2MOBILECONFIG_SIGN_PASSWORD
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var screen lockedBytes
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			screen.write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	// Type the password once the prompt is shown and echo is off, as a
	// person would after reading the prompt.
	deadline := time.Now().Add(20 * time.Second)
	for {
		tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(screen.String(), "Password for the --sign-p12 file ") && tio.Lflag&unix.ECHO == 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no prompt with echo off within 20 s; the terminal shows:\n%s", screen.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := master.Write([]byte(testPassword + "\r")); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v; the terminal shows:\n%s", err, screen.String())
	}
	time.Sleep(100 * time.Millisecond) // the last output reaches the master
	if strings.Contains(screen.String(), testPassword) {
		t.Errorf("the password was echoed:\n%s", screen.String())
	}
	if !signing.IsCMS(readOrFail(t, out)) {
		t.Error("the profile was not signed")
	}
	tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&unix.ECHO == 0 {
		t.Error("echo was left off")
	}
}

// lockedBytes is a buffer written by one goroutine and read by another.
type lockedBytes struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBytes) write(p []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
}

func (l *lockedBytes) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
