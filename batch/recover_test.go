package batch

import (
	"context"
	"crypto"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// panicSigner stands for a bug under a worker: it panics when asked to
// sign.
type panicSigner struct{ crypto.Signer }

func (panicSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	panic("a planted bug in the signer")
}

// TestWorkerPanicFailsTheEntity plants a panic under the workers (in the
// signer) and under the producer (in standard input): the batch does not
// end the process (a panic in a goroutine would, before anything could be
// cleaned up); each panic becomes the failure of its entity or file, with
// one diagnostic that says it is a bug, and the other inputs go on.
func TestWorkerPanicFailsTheEntity(t *testing.T) {
	leaf := testpki.NewRoot(t, testpki.Options{}).NewLeaf(t, testpki.Options{})
	in := filepath.Join(t.TempDir(), "psk.json")
	data, err := os.ReadFile(filepath.Join("..", "fixtures", "psk-ondemand", "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(in, data, 0o600)

	opts := Options{OutDir: t.TempDir(), Jobs: 2}
	opts.Compiler = newCompiler(t, graph2mobileconfig.Options{Signer: &signing.Identity{Certificate: leaf.Cert, PrivateKey: panicSigner{leaf.Key}}})
	var entries []Entry
	opts.OnEntry = func(e Entry) { entries = append(entries, e) }
	sum, err := Run(context.Background(), []string{in}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 1 || len(entries) != 1 {
		t.Fatalf("summary %+v, entries %+v", sum, entries)
	}
	checkInternalError(t, entries[0], "a planted bug in the signer")
	if files, _ := os.ReadDir(opts.OutDir); len(files) != 0 {
		t.Errorf("the output folder holds %v", files)
	}

	opts = Options{OutDir: t.TempDir(), Stdin: panicReader{}, Compiler: newCompiler(t, graph2mobileconfig.Options{})}
	entries = nil
	opts.OnEntry = func(e Entry) { entries = append(entries, e) }
	sum, err = Run(context.Background(), []string{"-", in}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 1 || sum.Compiled != 1 || len(entries) != 2 {
		t.Fatalf("summary %+v, entries %+v", sum, entries)
	}
	checkInternalError(t, entries[0], "a planted bug in the reader")
	if entries[1].Status != StatusCompiled {
		t.Errorf("the input after the panic: %+v", entries[1])
	}
}

type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("a planted bug in the reader") }

func checkInternalError(t *testing.T, e Entry, want string) {
	t.Helper()
	if e.Status != StatusFailed || len(e.Diagnostics) != 1 || e.Diagnostics[0].Code != "internal-error" ||
		!strings.Contains(e.Diagnostics[0].Message, "internal error (a bug, whatever the input; please report it): "+want) {
		t.Errorf("entry %+v", e)
	}
}
