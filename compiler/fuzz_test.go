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

func addFiles(f *testing.F, patterns ...string) {
	for _, pattern := range patterns {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
}

// FuzzCompile decodes and compiles arbitrary exports. Whatever the input,
// nothing panics, and every profile the compiler produces passes Apple's
// schema: the compiler may refuse an input, but never emit a bad profile.
func FuzzCompile(f *testing.F) {
	addFiles(f, "../fixtures/*/input.json", "../fixtures/bad/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, it, diags := graphjson.DecodeSingle(data, graphjson.DefaultLimits)
		if cfg == nil || diags.HasErrors() {
			return
		}
		res := compiler.Compile(compiler.Input{Config: cfg, Path: it.Path}, compiler.Options{IdentityUUID: "11111111-2222-4333-8444-555555555555"})
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
			// The compiler itself warns about the {{variables}} it
			// leaves for the MDM.
			if d.Severity != diag.Info && d.Code != "dangling-reference" && d.Code != "unresolved-variable" {
				t.Fatalf("the compiler produced a profile with a schema finding: %s\ninput: %s", d, data)
			}
		}
	})
}

// FuzzLint lints arbitrary property lists: no panics, no hangs.
func FuzzLint(f *testing.F) {
	addFiles(f, "../fixtures/*/expected.mobileconfig", "../testdata/lint/*.mobileconfig", "../testdata/real-profiles/*.mobileconfig")
	f.Fuzz(func(t *testing.T, data []byte) {
		m, _, err := plistout.Decode(data)
		if err != nil {
			return
		}
		compiler.Lint(m, compiler.LintOptions{})
	})
}
