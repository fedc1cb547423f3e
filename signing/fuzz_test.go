package signing

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
)

// FuzzParse feeds arbitrary bytes to every reader of CMS input (Parse,
// Verify, Unsign, IsCMS): no panic, no hang, and Unsign agrees with Parse.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../testdata/real-profiles/signed/*.mobileconfig")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x00, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		IsCMS(data)
		s, perr := Parse(data)
		content, uerr := Unsign(data)
		if (perr == nil) != (uerr == nil) {
			t.Fatalf("Parse and Unsign disagree: %v / %v", perr, uerr)
		}
		if perr == nil && string(s.Content) != string(content) {
			t.Fatal("Unsign returned other bytes than Parse")
		}
		Verify(data, VerifyOptions{Now: time.Unix(1_700_000_000, 0)})
	})
}

// FuzzDecrypt feeds arbitrary bytes to Decrypt with a real RSA recipient,
// seeded with a real envelope: errors only, never a panic.
func FuzzDecrypt(f *testing.F) {
	leaf := testpki.NewRoot(f, testpki.Options{}).NewLeaf(f, testpki.Options{KeyType: testpki.RSA2048})
	env, err := Encrypt([]byte("<plist version=\"1.0\"><array/></plist>"), leaf.Cert)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(env)
	f.Fuzz(func(t *testing.T, data []byte) {
		Decrypt(data, leaf.Cert, leaf.Key)
	})
}
