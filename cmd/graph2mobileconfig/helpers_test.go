package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
)

// result is what one in-process run of the program produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the program in-process with the given arguments.
func runCLI(t testing.TB, stdin io.Reader, environ map[string]string, args ...string) result {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var stdout, stderr bytes.Buffer
	e := env{stdin: stdin, stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return environ[k] }}
	code := run(append([]string{"graph2mobileconfig"}, args...), e)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// testPKI copies the test-only PKI into a temporary folder with mode 0600 on
// the secret files (git does not keep file modes), and returns the folder.
func testPKI(t testing.TB) string {
	t.Helper()
	src := filepath.Join("..", "..", "fixtures", "testpki")
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// repoPath returns a path relative to the repository root.
func repoPath(parts ...string) string {
	return filepath.Join(append([]string{"..", ".."}, parts...)...)
}
