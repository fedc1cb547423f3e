// Package golden compares test output with golden files, and rewrites them
// when the tests run with -update:
//
//	go test ./... -update
//
// Every package whose tests use golden files, or that runs under
// "go test ./... -update", imports this package, so that the flag is defined
// in every test binary (an undefined flag would fail the run).
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// update is the -update flag. A flag is process-wide by nature; it is only
// read, never written, by the tests.
var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Check compares got with the golden file at path; with -update it writes got
// to the file instead. A missing golden file is a failure that says how to
// create it.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s: %v (run go test ./... -update to create it, then review the diff)", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./... -update and review the diff):\n%s", path, diff(want, got))
	}
}

// Remove deletes a golden file that should no longer exist (with -update), or
// fails when it exists.
func Remove(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return
	}
	if *update {
		os.Remove(path)
		return
	}
	t.Errorf("golden file %s exists but the case produced no such output (run go test ./... -update)", path)
}

// diff shows how got differs from want: the first differing lines of two
// texts, and of two binary property lists decoded as XML, since their bytes
// say nothing to a reader.
func diff(want, got []byte) string {
	if !bytes.HasPrefix(want, []byte("bplist")) && !bytes.HasPrefix(got, []byte("bplist")) {
		return lineDiff(want, got)
	}
	wantXML, errWant := asXML(want)
	gotXML, errGot := asXML(got)
	if errWant == nil && errGot == nil {
		return "binary property lists, decoded as XML:\n" + lineDiff(wantXML, gotXML)
	}
	at := 0
	for at < len(want) && at < len(got) && want[at] == got[at] {
		at++
	}
	return fmt.Sprintf("binary data of %d bytes, want %d; they differ from byte %d (as XML: want %v, got %v)\n", len(got), len(want), at, errWant, errGot)
}

// asXML decodes a property list and writes it as XML.
func asXML(data []byte) ([]byte, error) {
	v, err := plistout.DecodeAny(data)
	if err != nil {
		return nil, err
	}
	return plistout.Encode(v, plistout.XML)
}

// lineDiff shows the first differing lines of two texts.
func lineDiff(want, got []byte) string {
	wl := bytes.Split(want, []byte("\n"))
	gl := bytes.Split(got, []byte("\n"))
	var b bytes.Buffer
	shown := 0
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if bytes.Equal(w, g) {
			continue
		}
		if i >= len(wl) {
			b.WriteString("+ ")
			b.Write(g)
		} else if i >= len(gl) {
			b.WriteString("- ")
			b.Write(w)
		} else {
			b.WriteString("- ")
			b.Write(w)
			b.WriteString("\n+ ")
			b.Write(g)
		}
		b.WriteString("\n")
		if shown++; shown >= 12 {
			b.WriteString("…\n")
			break
		}
	}
	return b.String()
}
