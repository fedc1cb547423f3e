package graph2mobileconfig_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestReadmeGoProgram builds the program of the README's "Use it from Go"
// as a module of its own that requires this one (replaced by this
// checkout; no network), runs it on the Quick start's fixture, and checks
// that it writes the fixture's golden profile byte for byte.
func TestReadmeGoProgram(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Use it from Go\n")
	if !ok {
		t.Fatal(`README.md has no "## Use it from Go" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, program, ok := strings.Cut(section, "```go\n")
	if program, _, ok = strings.Cut(program, "```\n"); !ok || !strings.Contains(program, "package main") {
		t.Fatal("the section has no Go program")
	}

	repo, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := "module example.com/readme\n\ngo 1.26.0\n\nrequire github.com/graph2mobileconfig/graph2mobileconfig v0.0.0\n\n" +
		"replace github.com/graph2mobileconfig/graph2mobileconfig => " + repo + "\n"
	sum, err := os.ReadFile("go.sum")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"main.go": []byte(program), "go.mod": []byte(gomod), "go.sum": sum} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	bin := filepath.Join(dir, "readme")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the README's program does not build: %v\n%s", err, out)
	}

	work := t.TempDir()
	run := exec.Command(bin, filepath.Join(repo, "fixtures", "psk-ondemand", "input.json"))
	run.Dir = work
	var stderr bytes.Buffer
	run.Stderr = &stderr
	if err := run.Run(); err != nil {
		t.Fatalf("the README's program fails: %v\n%s", err, stderr.String())
	}
	got, err := os.ReadFile(filepath.Join(work, "com.contoso.warehouse.9b2d1f70-3e55-4c8a-b0a1-6f4c7e2d9a13.mobileconfig"))
	if err != nil {
		t.Fatalf("no profile written: %v\n%s", err, stderr.String())
	}
	want, err := os.ReadFile(filepath.Join("fixtures", "psk-ondemand", "expected.mobileconfig"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the README's program writes another profile than fixtures/psk-ondemand/expected.mobileconfig")
	}
	if fi, err := os.Stat(filepath.Join(work, "com.contoso.warehouse.9b2d1f70-3e55-4c8a-b0a1-6f4c7e2d9a13.mobileconfig")); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("a profile with a secret is written with mode %v", fi.Mode().Perm())
	}
	if !strings.Contains(stderr.String(), "warning: the profile holds a secret") || strings.Contains(stderr.String(), "--sign-p12") {
		t.Errorf("the program's diagnostics:\n%s", stderr.String())
	}
}
