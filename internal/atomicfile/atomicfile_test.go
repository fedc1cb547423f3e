package atomicfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
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
	if err := atomicfile.WriteFile(filepath.Join(dir, "missing", "out"), []byte("x"), atomicfile.Options{}); err == nil {
		t.Error("wrote into a missing folder")
	}
	if err := atomicfile.WriteFile(dir, []byte("x"), atomicfile.Options{}); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("writing to a folder: %v", err)
	}
}

// TestProtectedInputs names a protected file as the target in every way a
// path can name it: each write is refused and the file keeps its bytes.
func TestProtectedInputs(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "signer.key")
	if err := os.WriteFile(key, []byte("the only copy of the key"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(key)
	if err != nil {
		t.Fatal(err)
	}
	info, err := f.Stat()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	hard := filepath.Join(dir, "hard")
	if err := os.Link(key, hard); err != nil {
		t.Fatal(err)
	}
	soft := filepath.Join(dir, "soft")
	if err := os.Symlink(key, soft); err != nil {
		t.Fatal(err)
	}
	renamedDir := t.TempDir()
	protect := []atomicfile.Input{{Path: key, What: "the --sign-key file", Info: info}}
	tests := []struct {
		name, target string
		opts         atomicfile.Options
		want         string
	}{
		{"same path", key, atomicfile.Options{}, key + " is the --sign-key file; refusing to overwrite it"},
		{"dot-dot", sub + "/../signer.key", atomicfile.Options{}, "signer.key is the --sign-key file; refusing to overwrite it"},
		{"hard link", hard, atomicfile.Options{}, "hard is the --sign-key file (" + key + "); refusing to overwrite it"},
		{"symbolic link", soft, atomicfile.Options{}, "is a symbolic link to the --sign-key file"},
		{"symbolic link, forced", soft, atomicfile.Options{Force: true}, "is a symbolic link to the --sign-key file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Protect = protect
			err := atomicfile.WriteFile(tt.target, []byte("output"), tt.opts)
			if !errors.Is(err, atomicfile.ErrProtected) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if got, _ := os.ReadFile(key); string(got) != "the only copy of the key" {
				t.Fatalf("the protected file now holds %q", got)
			}
			if fi, err := os.Lstat(soft); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the link was replaced")
			}
		})
	}

	// The file is known by what was read, not by its name: moved away
	// after the read, it is still protected under its new name.
	moved := filepath.Join(renamedDir, "moved.key")
	if err := os.Rename(hard, moved); err != nil {
		t.Fatal(err)
	}
	if err := atomicfile.WriteFile(moved, []byte("x"), atomicfile.Options{Protect: protect}); !errors.Is(err, atomicfile.ErrProtected) {
		t.Errorf("the file under a new name: %v", err)
	}
	// Without Info, the path is looked up.
	if err := atomicfile.WriteFile(hard+"-none", []byte("x"), atomicfile.Options{Protect: []atomicfile.Input{{Path: key}}}); err != nil {
		t.Errorf("an unrelated target: %v", err)
	}
	if err := atomicfile.WriteFile(moved, []byte("x"), atomicfile.Options{Protect: []atomicfile.Input{{Path: key}}}); !errors.Is(err, atomicfile.ErrProtected) || !strings.Contains(err.Error(), "a file this command reads") {
		t.Errorf("protected by path: %v", err)
	}
}

// TestLongNames writes targets whose names have the longest length the
// file system allows (255 bytes on Linux): the temporary name must not be
// longer than that.
func TestLongNames(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{240, 250, 255} {
		name := strings.Repeat("a", n-len(".mobileconfig")) + ".mobileconfig"
		p := filepath.Join(dir, name)
		for round := range 2 { // new, then replacing
			if err := atomicfile.WriteFile(p, []byte("profile"), atomicfile.Options{}); err != nil {
				t.Fatalf("%d-byte name, round %d: %v", n, round, err)
			}
		}
	}
	noTempFiles(t, dir)
}

// TestCreateCommitAbort follows Create to Commit and to Abort, new and
// replacing, with and without a tracker: Abort removes the temporary file
// and leaves the target as it was; a tracker's cleanup stops publication.
func TestCreateCommitAbort(t *testing.T) {
	for _, existing := range []bool{false, true} {
		name := "new target"
		if existing {
			name = "existing target"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			tr := atomicfile.NewTracker()
			p := filepath.Join(dir, "report.json")
			if existing {
				os.WriteFile(p, []byte("previous"), 0o644)
			}
			want := func(content string) {
				t.Helper()
				got, err := os.ReadFile(p)
				switch {
				case content == "" && err == nil:
					t.Errorf("the target exists with %q", got)
				case content != "" && string(got) != content:
					t.Errorf("content %q, want %q (%v)", got, content, err)
				}
			}
			previous := ""
			if existing {
				previous = "previous"
			}

			// Abort before Commit: the temporary file goes, the target stays.
			f, err := atomicfile.Create(p, atomicfile.Options{Tracker: tr, NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write([]byte("half a rep")); err != nil {
				t.Fatal(err)
			}
			want(previous)
			f.Abort()
			f.Abort() // twice is harmless
			want(previous)
			noTempFiles(t, dir)
			if err := f.Commit(); err == nil {
				t.Error("Commit after Abort succeeded")
			}
			want(previous)
			if n := tr.RemoveAll(); n != 0 {
				t.Errorf("the tracker still held %d file(s) after Abort", n)
			}

			// Commit, then Abort does nothing.
			tr = atomicfile.NewTracker()
			f, err = atomicfile.Create(p, atomicfile.Options{Tracker: tr, NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			f.Write([]byte("{"))
			want(previous)
			f.Write([]byte("}"))
			if err := f.Commit(); err != nil {
				t.Fatal(err)
			}
			f.Abort()
			want("{}")
			noTempFiles(t, dir)

			// Cleanup while a file is being written: it is never published.
			other := filepath.Join(dir, "other")
			if existing {
				os.WriteFile(other, []byte("previous"), 0o644)
			}
			g, err := atomicfile.Create(other, atomicfile.Options{Tracker: tr})
			if err != nil {
				t.Fatal(err)
			}
			g.Write([]byte("partial"))
			tr.RemoveAll()
			if err := g.Commit(); !errors.Is(err, atomicfile.ErrInterrupted) {
				t.Errorf("committing after cleanup: %v, want ErrInterrupted", err)
			}
			if got, err := os.ReadFile(other); existing && string(got) != "previous" || !existing && err == nil {
				t.Errorf("after cleanup the target holds %q", got)
			}
			noTempFiles(t, dir)
			if _, err := atomicfile.Create(filepath.Join(dir, "late"), atomicfile.Options{Tracker: tr}); !errors.Is(err, atomicfile.ErrInterrupted) {
				t.Errorf("a write started after cleanup: %v, want ErrInterrupted", err)
			}
			if _, err := os.Lstat(filepath.Join(dir, "late")); err == nil {
				t.Error("a file created after cleanup exists")
			}
			noTempFiles(t, dir)
		})
	}
}

func countTempFiles(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			n++
		}
	}
	return n
}

func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	if n := countTempFiles(t, dir); n > 0 {
		t.Errorf("%d temporary file(s) left in %s", n, dir)
	}
}

func wantMode(t *testing.T, path string, typ os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != typ {
		t.Errorf("%s is now %v, want type %v", path, fi.Mode().Type(), typ)
	}
}
