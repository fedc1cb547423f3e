package signing

import (
	"bytes"
	"errors"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
)

// sampleProfile is signed in the tests. It has LF and CRLF line ends and
// non-ASCII text, which must all survive signing byte for byte.
var sampleProfile = []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
	"<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n" +
	"<plist version=\"1.0\">\n<dict>\r\n\t<key>PayloadDisplayName</key>\n\t<string>VPN für Straße</string>\n" +
	"\t<key>PayloadType</key>\n\t<string>Configuration</string>\n</dict>\n</plist>\n")

// testPassword is distinctive so that tests can check it never appears in
// error messages.
const testPassword = "Pa55-w0rd-t0p-s3cret"

// identityOf converts a testpki leaf.
func identityOf(l *testpki.Leaf) *Identity {
	return &Identity{Certificate: l.Cert, PrivateKey: l.Key, Chain: l.Chain}
}

// requireOpenSSL skips the test when the openssl command is missing (and
// fails it under CI, which installs it).
func requireOpenSSL(t *testing.T) {
	t.Helper()
	testenv.Tool(t, "openssl", "the OpenSSL interoperability test")
}

// openssl runs the openssl command in dir and returns its stdout and stderr.
func openssl(t *testing.T, dir string, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.Bytes(), e.Bytes(), err
}

// mustOpenSSL runs openssl and fails the test if it fails.
func mustOpenSSL(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	out, stderr, err := openssl(t, dir, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// writeFile writes data to dir/name and returns the path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkErr fails unless err wraps want (if not nil) and its message contains
// every string in msgs.
func checkErr(t *testing.T, err, want error, msgs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", msgs)
	}
	if want != nil && !errors.Is(err, want) {
		t.Errorf("error %q does not wrap %q", err, want)
	}
	for _, m := range msgs {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q does not contain %q", err, m)
		}
	}
	if strings.Contains(err.Error(), testPassword) {
		t.Errorf("error %q contains the password", err)
	}
}
