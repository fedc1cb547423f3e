package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// recorder is a testing.TB that keeps what Check reports.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestBinaryPlistDiffIsReadable checks that a mismatch of binary property
// lists shows both decoded as XML, with the key that differs.
func TestBinaryPlistDiffIsReadable(t *testing.T) {
	encode := func(secret string) []byte {
		b, err := plistout.Encode(map[string]any{"PayloadType": "Configuration", "RemoteAddress": secret}, plistout.Binary)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	path := filepath.Join(t.TempDir(), "expected.mobileconfig")
	if err := os.WriteFile(path, encode("vpn.example.com"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	Check(r, path, encode("vpn.example.org"))
	if len(r.errors) != 1 {
		t.Fatalf("Check reported %d errors", len(r.errors))
	}
	for _, want := range []string{
		"binary property lists, decoded as XML:",
		"- \t<string>vpn.example.com</string>",
		"+ \t<string>vpn.example.org</string>",
	} {
		if !strings.Contains(r.errors[0], want) {
			t.Errorf("the report lacks %q:\n%s", want, r.errors[0])
		}
	}

	// Binary data that is not a property list: where it differs.
	r = &recorder{TB: t}
	Check(r, path, []byte("bplist00 and nothing more"))
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "they differ from byte 8") {
		t.Errorf("report %q", r.errors)
	}
}
