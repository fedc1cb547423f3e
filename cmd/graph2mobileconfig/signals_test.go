package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
)

// signedBatchArgs makes n inputs, a signer, and an output folder that
// already holds the profiles of an earlier run (so that the batch replaces
// them, through named temporary files), and returns the arguments of a
// batch over them with its report in reportDir.
func signedBatchArgs(t *testing.T, bin string, n int, reportDir string) (args []string, out string) {
	t.Helper()
	in := interruptInputs(t, n)
	pkiDir := t.TempDir()
	root := testpki.NewRoot(t, testpki.Options{})
	leaf := root.NewLeaf(t, testpki.Options{Key: testpki.Key(t, testpki.RSA4096, 3)})
	cert := testpki.WritePEMCert(t, filepath.Join(pkiDir, "signer.pem"), leaf.Cert)
	key := testpki.WritePEMKey(t, filepath.Join(pkiDir, "signer.key"), leaf.Key, testpki.PKCS8, nil)
	out = filepath.Join(t.TempDir(), "profiles")
	// The earlier run, unsigned: quick.
	if b, err := exec.Command(bin, "batch", in, "--out-dir", out, "-q").CombinedOutput(); err != nil {
		t.Fatalf("first run: %v\n%s", err, b)
	}
	report := filepath.Join(reportDir, "report.json")
	writeOrFail(t, report, []byte("the report of an earlier run\n"))
	return []string{"batch", in, "--out-dir", out, "--report", report, "--jobs", "2", "-v", "--sign-cert", cert, "--sign-key", key}, out
}

// checkStopped checks what a batch stopped by a signal leaves: the exit
// status 128 + the signal (a normal exit, after cleanup, not a death by the
// signal), no temporary file, every profile complete, and the report of the
// earlier run untouched.
//
// The program stops on its own within the grace period after a signal; it
// learns of a closed pipe only at its next write, so for that case grace is
// false and the time is not checked.
func checkStopped(t *testing.T, r *interruptRun, sent time.Time, want int, grace bool, out, reportDir string) {
	t.Helper()
	code, elapsed := r.wait(t, sent)
	if ps := r.cmd.ProcessState; ps != nil {
		if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			t.Fatalf("the program was killed by %v instead of stopping after its cleanup", ws.Signal())
		}
	}
	if code != want {
		t.Errorf("exit status %d, want %d; stderr:\n%s", code, want, r.stderr.String())
	}
	if grace && elapsed >= interruptGrace {
		t.Errorf("the program exited %v after the signal: the batch did not stop on its own within %v", elapsed, interruptGrace)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("%s: a temporary file was left behind", e.Name())
			continue
		}
		wantProfile(t, filepath.Join(out, e.Name())) // complete, signed or from the earlier run
	}
	entries, _ = os.ReadDir(reportDir)
	if len(entries) != 1 || entries[0].Name() != "report.json" {
		t.Errorf("the report folder holds %v; a stopped batch publishes no report and leaves no temporary file", entries)
	}
	if got := string(readOrFail(t, filepath.Join(reportDir, "report.json"))); got != "the report of an earlier run\n" {
		t.Errorf("the earlier report was replaced:\n%.200s", got)
	}
}

// TestHangupBatch closes the "terminal" of a batch (SIGHUP): it stops with
// exit status 129 and cleans up as for Ctrl-C.
func TestHangupBatch(t *testing.T) {
	bin := buildBinary(t)
	reportDir := t.TempDir()
	args, out := signedBatchArgs(t, bin, 3000, reportDir)
	r := newProgram(t, bin, append(args, "-q")...)
	r.start(t)
	time.Sleep(500 * time.Millisecond)
	sent := time.Now()
	r.signal(t, syscall.SIGHUP)
	checkStopped(t, r, sent, 129, true, out, reportDir)
}

// TestBrokenPipeBatch runs "batch … 2>&1 | head": the reader of standard
// error goes away after a few lines. The next write meets a closed pipe;
// the program stops with exit status 141 (128 + SIGPIPE) after removing its
// temporary files, where it used to be killed by SIGPIPE on the spot.
func TestBrokenPipeBatch(t *testing.T) {
	bin := buildBinary(t)
	reportDir := t.TempDir()
	args, out := signedBatchArgs(t, bin, 3000, reportDir)
	r := newProgram(t, bin, args...)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.cmd.Stdout, r.cmd.Stderr = nil, pw
	r.start(t)
	pw.Close()
	// "head -n 2": the signer warning or the first progress line
	lines := bufio.NewScanner(pr)
	for i := 0; i < 2 && lines.Scan(); i++ {
	}
	sent := time.Now()
	pr.Close()
	checkStopped(t, r, sent, 141, false, out, reportDir)
}

// TestBrokenPipeCompile writes a profile to standard output, a pipe whose
// reader is gone: exit status 141 after cleanup, and nothing else written.
func TestBrokenPipeCompile(t *testing.T) {
	bin := buildBinary(t)
	cmd := exec.Command(bin, "compile", repoPath("fixtures", "psk-ondemand", "input.json"), "-o", "-")
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pr.Close()
	cmd.Stdout = pw
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	pw.Close()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("the program exited with %v", err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Fatalf("killed by %v", ws.Signal())
	}
	if ee.ExitCode() != 141 {
		t.Errorf("exit status %d, want 141\n%s", ee.ExitCode(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "graph2mobileconfig: stopped: the pipe the output went to was closed") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}
