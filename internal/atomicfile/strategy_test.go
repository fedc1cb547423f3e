package atomicfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestStrategies writes new and existing targets with each strategy:
// where the system offers O_TMPFILE, an unnamed file leaves nothing in the
// folder while it is written (not even SIGKILL could leave a temporary file
// behind); a named one is a short .tmp- file that the tracker records and
// that Abort, or the tracker's cleanup, removes.
func TestStrategies(t *testing.T) {
	linux := runtime.GOOS == "linux"
	for _, s := range []strategy{strategyAuto, strategyUnnamedNew, strategyNamed} {
		for _, existing := range []bool{false, true} {
			name := s.String() + "/new"
			if existing {
				name = s.String() + "/replace"
			}
			t.Run(name, func(t *testing.T) {
				unnamed := linux && (s == strategyAuto || s == strategyUnnamedNew && !existing)
				dir := t.TempDir()
				p := filepath.Join(dir, "profile.mobileconfig")
				previous := []byte("previous")
				if existing {
					os.WriteFile(p, previous, 0o644)
				}
				check := func(when string, wantTemp int) {
					t.Helper()
					entries, _ := os.ReadDir(dir)
					temp := 0
					for _, e := range entries {
						switch {
						case strings.HasPrefix(e.Name(), ".tmp-") && len(e.Name()) <= 15:
							temp++
						case e.Name() != "profile.mobileconfig":
							t.Errorf("%s: unexpected file %s", when, e.Name())
						}
					}
					if temp != wantTemp {
						t.Errorf("%s: %d temporary files, want %d", when, temp, wantTemp)
					}
					got, err := os.ReadFile(p)
					if existing && !bytes.Equal(got, previous) || !existing && err == nil {
						t.Errorf("%s: the target holds %q (%v)", when, got, err)
					}
				}
				wantTemp := 1
				if unnamed {
					wantTemp = 0
				}

				// Abort removes the temporary file.
				tr := NewTracker()
				f, err := Create(p, Options{Tracker: tr, strategy: s})
				if err != nil {
					t.Fatal(err)
				}
				if f.anon != unnamed {
					t.Errorf("unnamed %v, want %v", f.anon, unnamed)
				}
				f.Write([]byte("half"))
				check("while writing", wantTemp)
				if len(tr.files) != wantTemp {
					t.Errorf("the tracker records %d files, want %d", len(tr.files), wantTemp)
				}
				f.Abort()
				check("after Abort", 0)
				if len(tr.files) != 0 {
					t.Errorf("after Abort the tracker records %d files", len(tr.files))
				}

				// So does the tracker's cleanup, and the file is never
				// published.
				f, err = Create(p, Options{Tracker: tr, strategy: s})
				if err != nil {
					t.Fatal(err)
				}
				f.Write([]byte("half"))
				if n := tr.RemoveAll(); n != wantTemp {
					t.Errorf("RemoveAll removed %d files, want %d", n, wantTemp)
				}
				check("after cleanup", 0)
				if err := f.Commit(); err == nil {
					t.Error("Commit after cleanup succeeded")
				}
				check("after Commit", 0)

				// A whole write.
				data := bytes.Repeat([]byte("0123456789"), 1000)
				f, err = Create(p, Options{Perm: 0o600, strategy: s})
				if err != nil {
					t.Fatal(err)
				}
				f.Write(data)
				if err := f.Commit(); err != nil {
					t.Fatal(err)
				}
				got, _ := os.ReadFile(p)
				fi, _ := os.Stat(p)
				if !bytes.Equal(got, data) || fi.Mode().Perm() != 0o600 {
					t.Errorf("%d bytes, mode %v", len(got), fi.Mode().Perm())
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 1 {
					t.Errorf("the folder holds %v", entries)
				}
			})
		}
	}
}

func (s strategy) String() string {
	switch s {
	case strategyNamed:
		return "named"
	case strategyUnnamedNew:
		return "unnamed-new"
	}
	return "unnamed"
}

// BenchmarkWrite measures what writing one profile-sized file atomically
// costs, new and replacing, with a named temporary file and a rename, and
// with an unnamed file (O_TMPFILE) and a link, in a folder on tmpfs
// (/dev/shm) and in one on the disk of the work tree (G2M_BENCH_DISK_DIR,
// or the package folder's file system through os.MkdirTemp("." ...)).
func BenchmarkWrite(b *testing.B) {
	data := bytes.Repeat([]byte("<key>x</key>\n"), 3000/13)
	folders := map[string]string{"tmpfs": "/dev/shm", "disk": os.Getenv("G2M_BENCH_DISK_DIR")}
	if folders["disk"] == "" {
		folders["disk"] = "."
	}
	for _, fs := range []string{"tmpfs", "disk"} {
		for _, replace := range []bool{false, true} {
			for _, s := range []strategy{strategyNamed, strategyUnnamedNew, strategyAuto} {
				what := "new"
				if replace {
					what = "replace"
				}
				b.Run(fmt.Sprintf("%s/%s/%v", fs, what, s), func(b *testing.B) {
					dir, err := os.MkdirTemp(folders[fs], "atomicfile-bench-")
					if err != nil {
						b.Skip(err)
					}
					defer os.RemoveAll(dir)
					opts := Options{NoSync: true, strategy: s}
					names := make([]string, 1000)
					for i := range names {
						names[i] = filepath.Join(dir, fmt.Sprintf("profile-%04d.mobileconfig", i))
						if replace {
							if err := WriteFile(names[i], data, opts); err != nil {
								b.Fatal(err)
							}
						}
					}
					b.ResetTimer()
					start, paused := cpuTime(), int64(0)
					for i := range b.N {
						name := names[i%len(names)]
						if !replace && i%len(names) == 0 && i > 0 {
							b.StopTimer()
							t0 := cpuTime()
							for _, n := range names {
								os.Remove(n)
							}
							paused += cpuTime() - t0
							b.StartTimer()
						}
						if err := WriteFile(name, data, opts); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(cpuTime()-start-paused)/float64(b.N), "cpu-ns/op")
				})
			}
		}
	}
}
