package atomicfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/atomicfile"
	_ "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.mobileconfig")
	if err := atomicfile.WriteFile(p, []byte("one"), atomicfile.Options{Perm: 0o600}); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(p, []byte("two"), atomicfile.Options{Perm: 0o600}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(got) != "two" || fi.Mode().Perm() != 0o600 {
		t.Errorf("content %q mode %v", got, fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestWriteFileRefusals(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("precious"), 0o644)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symlinks here")
	}
	if err := atomicfile.WriteFile(link, []byte("x"), atomicfile.Options{}); !errors.Is(err, atomicfile.ErrSymlink) {
		t.Errorf("writing through a symlink: %v", err)
	}
	if err := atomicfile.WriteFile(link, []byte("x"), atomicfile.Options{Force: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(target); string(got) != "precious" {
		t.Error("--force must replace the link, never the file it points to")
	}
	in := filepath.Join(dir, "input.json")
	os.WriteFile(in, []byte("{}"), 0o644)
	if err := atomicfile.WriteFile(in, []byte("x"), atomicfile.Options{Protect: []string{in}}); err == nil {
		t.Error("overwrote the input file")
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "missing", "out"), []byte("x"), atomicfile.Options{}); err == nil {
		t.Error("wrote into a missing folder")
	}
}

func TestCreateCommitAbort(t *testing.T) {
	dir := t.TempDir()
	tr := atomicfile.NewTracker()
	p := filepath.Join(dir, "report.json")
	f, err := atomicfile.Create(p, atomicfile.Options{Tracker: tr, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("{"))
	if _, err := os.Stat(p); err == nil {
		t.Fatal("the target exists before Commit")
	}
	f.Write([]byte("}"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Abort() // harmless after Commit
	if got, _ := os.ReadFile(p); string(got) != "{}" {
		t.Errorf("content %q", got)
	}
	g, _ := atomicfile.Create(filepath.Join(dir, "other"), atomicfile.Options{Tracker: tr})
	g.Write([]byte("partial"))
	if n := tr.RemoveAll(); n != 1 {
		t.Errorf("RemoveAll removed %d files, want 1", n)
	}
	if err := g.Commit(); err == nil {
		t.Error("committing a file removed by cleanup must fail")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left: %v", entries)
	}
	if _, err := atomicfile.Create(filepath.Join(dir, "late"), atomicfile.Options{Tracker: tr}); !errors.Is(err, atomicfile.ErrInterrupted) {
		t.Errorf("a write started after cleanup: %v, want ErrInterrupted", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a file created after cleanup survived: %v", entries)
	}
}
