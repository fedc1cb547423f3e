package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/atomicfile"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

func TestSignalExitStatus(t *testing.T) {
	tests := []struct {
		sig  os.Signal
		want int
	}{
		{os.Interrupt, 130},
		{syscall.SIGINT, 130},
		{syscall.SIGTERM, 143},
	}
	for _, tt := range tests {
		if got := signalExitStatus(tt.sig); got != tt.want {
			t.Errorf("signalExitStatus(%v) = %d, want %d", tt.sig, got, tt.want)
		}
	}
}

// TestRunInterrupted runs commands in the state main leaves them in after an
// interrupt (the context cancelled, the tracker closed): nothing is written,
// not even by commands that do not watch the context, and the errors that
// follow from the interrupt are not printed (main prints "interrupted").
func TestRunInterrupted(t *testing.T) {
	in := batchFolder(t, false)
	tests := []struct {
		name string
		args func(dir string) []string
	}{
		{"compile", func(dir string) []string {
			return []string{"compile", repoPath("fixtures", "psk-ondemand", "input.json"), "-o", filepath.Join(dir, "vpn.mobileconfig")}
		}},
		{"batch", func(dir string) []string {
			return []string{"batch", in, "--out-dir", filepath.Join(dir, "profiles"), "--report", filepath.Join(dir, "report.json"), "-v"}
		}},
		{"batch, json", func(dir string) []string {
			return []string{"batch", in, "--out-dir", filepath.Join(dir, "profiles"), "--json"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			tracker := atomicfile.NewTracker()
			tracker.RemoveAll()
			var stdout, stderr bytes.Buffer
			e := env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, tracker: tracker}
			code := runContext(ctx, append([]string{"graph2mobileconfig"}, tt.args(dir)...), e)
			if code != exitError {
				t.Errorf("exit status %d, want %d", code, exitError)
			}
			for _, unwanted := range []string{"context canceled", "cancelled", "cannot write", "error"} {
				if strings.Contains(stderr.String(), unwanted) {
					t.Errorf("stderr holds %q:\n%s", unwanted, stderr.String())
				}
			}
			err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					t.Errorf("%s was written", path)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// buildBinary builds the command into a temporary folder, for tests that
// need a real process to send signals to.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the program and interrupts it; skipped with -short")
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skipf("sending SIGINT and SIGTERM to a process is not supported on %s", runtime.GOOS)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goTool); err != nil {
			t.Skip("no go command to build the program with")
		}
	}
	bin := filepath.Join(t.TempDir(), "graph2mobileconfig")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// interruptRun is a process of the program.
type interruptRun struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	started        time.Time
	// done receives the result of Wait; whoever only peeks at it puts it
	// back.
	done   chan error
	exited bool
}

// newProgram prepares a process of the program; start runs it.
func newProgram(t *testing.T, bin string, args ...string) *interruptRun {
	t.Helper()
	r := &interruptRun{cmd: exec.Command(bin, args...), done: make(chan error, 1)}
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	return r
}

func (r *interruptRun) start(t *testing.T) {
	t.Helper()
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.started = time.Now()
	go func() { r.done <- r.cmd.Wait() }()
	t.Cleanup(func() {
		if !r.exited {
			r.cmd.Process.Kill()
			<-r.done
		}
	})
}

// signal sends sig, failing the test if the process has already exited.
func (r *interruptRun) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err
		t.Fatalf("the program exited (%v) before it was interrupted; stderr:\n%s", err, r.stderr.String())
	default:
	}
	if err := r.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("sending %v: %v", sig, err)
	}
}

// wait waits for the process to exit and returns its exit status and how
// long after since it exited.
func (r *interruptRun) wait(t *testing.T, since time.Time) (int, time.Duration) {
	t.Helper()
	select {
	case err := <-r.done:
		elapsed := time.Since(since)
		r.exited = true
		var ee *exec.ExitError
		switch {
		case err == nil:
			return 0, elapsed
		case errors.As(err, &ee):
			return ee.ExitCode(), elapsed
		}
		t.Fatalf("waiting for the program: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatalf("the program did not exit within 30 s of the signal; stderr:\n%s", r.stderr.String())
	}
	return 0, 0
}

// interruptInputs writes n copies of the psk-ondemand fixture, each with its
// own id and display name, as separate files in a new folder.
func interruptInputs(t *testing.T, n int) string {
	t.Helper()
	var entity map[string]any
	if err := json.Unmarshal(readOrFail(t, repoPath("fixtures", "psk-ondemand", "input.json")), &entity); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i := range n {
		entity["id"] = fmt.Sprintf("7a1c0000-0000-4000-8000-%012d", i)
		entity["displayName"] = fmt.Sprintf("Interrupt test VPN %d", i)
		data, err := json.Marshal(entity)
		if err != nil {
			t.Fatal(err)
		}
		writeOrFail(t, filepath.Join(dir, fmt.Sprintf("export-%05d.json", i)), data)
	}
	return dir
}

// waitForOutput waits until dir holds a profile, so that the signal lands in
// the middle of the batch, with profiles being signed and written.
func waitForOutput(t *testing.T, r *interruptRun, dir string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if matches, _ := filepath.Glob(filepath.Join(dir, "*.mobileconfig")); len(matches) > 0 {
			return
		}
		select {
		case err := <-r.done:
			r.done <- err
			t.Fatalf("the program exited (%v) before writing a profile; stderr:\n%s", err, r.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no profile in %s after 20 s; stderr:\n%s", dir, r.stderr.String())
}

// checkNoPartialFiles fails for temporary files of atomic writes and for
// profiles that are not complete signed profiles, and returns how many
// profiles dir holds.
func checkNoPartialFiles(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	profiles := 0
	for _, e := range entries {
		name := e.Name()
		if strings.Contains(name, ".tmp-") {
			t.Errorf("%s: a temporary file was left behind", name)
			continue
		}
		if !strings.HasSuffix(name, ".mobileconfig") {
			t.Errorf("%s: unexpected file", name)
			continue
		}
		profiles++
		data := readOrFail(t, filepath.Join(dir, name))
		s, err := signing.Parse(data)
		if err != nil {
			t.Errorf("%s is not a complete signed profile: %v", name, err)
			continue
		}
		if _, _, err := plistout.Decode(s.Content); err != nil {
			t.Errorf("%s: the signed content is not a complete profile: %v", name, err)
		}
	}
	return profiles
}

// TestInterruptBatch interrupts a batch that signs thousands of profiles
// with an RSA-4096 key: the program exits with 128 plus the signal number
// soon after the signal (without waiting for its grace period), says it
// was interrupted, and leaves no temporary file, no partial profile and no
// report behind.
func TestInterruptBatch(t *testing.T) {
	bin := buildBinary(t)
	const inputs = 3000
	in := interruptInputs(t, inputs)

	pkiDir := t.TempDir()
	root := testpki.NewRoot(t, testpki.Options{})
	leaf := root.NewLeaf(t, testpki.Options{Key: testpki.Key(t, testpki.RSA4096, 3)})
	cert := testpki.WritePEMCert(t, filepath.Join(pkiDir, "signer.pem"), leaf.Cert)
	key := testpki.WritePEMKey(t, filepath.Join(pkiDir, "signer.key"), leaf.Key, testpki.PKCS8, nil)

	tests := []struct {
		name    string
		signals []os.Signal
		want    int
	}{
		{"SIGINT", []os.Signal{os.Interrupt}, 130},
		{"SIGTERM", []os.Signal{syscall.SIGTERM}, 143},
		// A second signal exits at once, while profiles are being
		// written: the tracker removes their temporary files.
		{"SIGINT twice", []os.Signal{os.Interrupt, os.Interrupt}, 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "profiles")
			reportDir := t.TempDir()
			r := newProgram(t, bin, "batch", in, "--out-dir", out, "--report", filepath.Join(reportDir, "report.json"),
				"--jobs", "2", "--quiet", "--sign-cert", cert, "--sign-key", key)
			r.start(t)
			waitForOutput(t, r, out)
			if d := 300*time.Millisecond - time.Since(r.started); d > 0 {
				time.Sleep(d)
			}
			sent := time.Now()
			for _, sig := range tt.signals {
				r.signal(t, sig)
			}
			code, elapsed := r.wait(t, sent)
			if code != tt.want {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, tt.want, r.stderr.String())
			}
			if elapsed >= interruptGrace {
				t.Errorf("the program exited %v after the signal: the batch did not stop on its own within the grace period of %v", elapsed, interruptGrace)
			}
			stderr := r.stderr.String()
			if !strings.HasSuffix(stderr, "graph2mobileconfig: interrupted\n") {
				t.Errorf("stderr does not end with the interrupt message:\n%s", stderr)
			}
			for _, unwanted := range []string{"cancelled", "context canceled", "cannot write"} {
				if strings.Contains(stderr, unwanted) {
					t.Errorf("stderr holds %q, a consequence of the interrupt that should not be listed:\n%s", unwanted, stderr)
				}
			}
			n := checkNoPartialFiles(t, out)
			if n == 0 || n >= inputs {
				t.Errorf("%d of %d profiles written: the signal did not land in the middle of the batch", n, inputs)
			}
			if entries, _ := os.ReadDir(reportDir); len(entries) != 0 {
				t.Errorf("the report folder holds %d files (%s ...); an interrupted batch publishes no report and leaves no temporary file", len(entries), entries[0].Name())
			}
			t.Logf("%d profiles written; exited %v after the signal", n, elapsed.Round(time.Millisecond))
		})
	}
}

// TestInterruptCompileStdin interrupts compile while it waits for standard
// input that never ends: the program exits with 128 plus the signal number
// after the grace period, or at once on a second signal, and writes
// nothing.
func TestInterruptCompileStdin(t *testing.T) {
	bin := buildBinary(t)
	tests := []struct {
		name    string
		signals []os.Signal
		want    int
		// maxWait bounds the time from the last signal to the exit.
		maxWait time.Duration
	}{
		{"SIGINT", []os.Signal{os.Interrupt}, 130, interruptGrace + 5*time.Second},
		{"SIGTERM twice", []os.Signal{syscall.SIGTERM, syscall.SIGTERM}, 143, interruptGrace / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer pw.Close()
			r := newProgram(t, bin, "compile", "-", "-o", filepath.Join(dir, "vpn.mobileconfig"), "--identifier-prefix", "com.contoso.vpn")
			r.cmd.Stdin = pr
			r.start(t)
			pr.Close() // the child holds it now
			// Half an export, then nothing: compile waits for the rest.
			if _, err := pw.Write([]byte(`{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration", "sharedSecret": "`)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			var last time.Time
			for i, sig := range tt.signals {
				if i > 0 {
					time.Sleep(100 * time.Millisecond)
				}
				last = time.Now()
				r.signal(t, sig)
			}
			code, elapsed := r.wait(t, last)
			if code != tt.want {
				t.Errorf("exit status %d, want %d; stderr:\n%s", code, tt.want, r.stderr.String())
			}
			if elapsed > tt.maxWait {
				t.Errorf("the program exited %v after the last signal, want at most %v", elapsed, tt.maxWait)
			}
			if got := r.stderr.String(); got != "graph2mobileconfig: interrupted\n" {
				t.Errorf("stderr = %q, want only the interrupt message", got)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("the output folder holds %s; an interrupted compile writes nothing", entries[0].Name())
			}
		})
	}
}
