package compiler_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// FuzzCompileCertificates compiles the scep-separate VPN with arbitrary
// --with exports. Whatever they hold, nothing panics, and every profile the
// compiler produces passes Apple's schema and lint's SCEP checks.
func FuzzCompileCertificates(f *testing.F) {
	addFiles(f, "../fixtures/scep-*/*.json")
	vpn, err := os.ReadFile(filepath.Join("..", "fixtures", "scep-separate", "input.json"))
	if err != nil {
		f.Fatal(err)
	}
	cfg, it, diags := graphjson.DecodeSingle(vpn, graphjson.DefaultLimits)
	if cfg == nil || diags.HasErrors() {
		f.Fatal(diags)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, diags := graphjson.DecodeCertificates(data, graphjson.DefaultLimits, "with.json")
		if diags.HasErrors() {
			return
		}
		res := compiler.Compile(compiler.Input{Config: cfg, Path: it.Path}, compiler.Options{Certificates: certs, SCEP: compiler.SCEPOptions{Challenge: "c"}})
		if res.Profile == nil {
			if !res.Diagnostics.HasErrors() {
				t.Fatal("no profile and no error")
			}
			return
		}
		out, err := plistout.Encode(res.Profile, plistout.XML)
		if err != nil {
			t.Fatalf("cannot encode our own profile: %v", err)
		}
		back, _, err := plistout.Decode(out)
		if err != nil {
			t.Fatalf("our own XML does not decode: %v", err)
		}
		for _, d := range compiler.Lint(back, compiler.LintOptions{Signed: true}) {
			// The compile reports the {{variables}} it leaves itself.
			if d.Severity != diag.Info && d.Code != "unresolved-variable" {
				t.Fatalf("the compiler produced a profile with a finding: %s\ninput: %s", d, data)
			}
		}
	})
}
