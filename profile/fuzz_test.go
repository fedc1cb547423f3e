package profile_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
)

// FuzzOpen reads arbitrary bytes as a profile: Open must never panic; what
// it accepts must give a report (as inspect prints it) that counts the
// secrets it hides as CountSecrets does, and a profile that passes
// CheckInstallable must have the identifier and UUID a device needs.
func FuzzOpen(f *testing.F) {
	for _, pattern := range []string{"../fixtures/*/expected.mobileconfig", "../testdata/lint/*.mobileconfig", "../testdata/real-profiles/*.mobileconfig", "../testdata/real-profiles/signed/*.mobileconfig", "../testdata/hostile/*"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := profile.Open(data, profile.Options{})
		if err != nil {
			return
		}
		r := p.Report(false)
		if r.SecretsRedacted != profile.CountSecrets(p.Tree()) {
			t.Fatalf("the report hides %d secrets, CountSecrets finds %d", r.SecretsRedacted, profile.CountSecrets(p.Tree()))
		}
		var unsupported *json.UnsupportedValueError
		if _, err := json.Marshal(r); err != nil && !errors.As(err, &unsupported) {
			// NaN and infinite <real>s have no JSON form; inspect --json
			// says so. Anything else must be written.
			t.Fatalf("the report cannot be written as JSON: %v", err)
		}
		if p.CheckInstallable() == nil && (p.Identifier == "" || p.UUID == "") {
			t.Fatalf("CheckInstallable accepted a profile without PayloadIdentifier or PayloadUUID")
		}
	})
}
