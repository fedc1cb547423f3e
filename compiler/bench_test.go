package compiler_test

import (
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// BenchmarkCompileFullFeatured maps the decoded full-featured export to an
// Apple profile (no decoding, no encoding).
func BenchmarkCompileFullFeatured(b *testing.B) {
	data := readFixtureFile(b, "full-featured")
	cfg, it, _ := graphjson.DecodeSingle(data, graphjson.DefaultLimits)
	opts := compiler.Options{IdentityUUID: "11111111-2222-4333-8444-555555555555", Vars: map[string]string{"certificatesubjectname": "iphone.example"}}
	b.ReportAllocs()
	for b.Loop() {
		if res := compiler.Compile(compiler.Input{Config: cfg, Path: it.Path}, opts); res.Profile == nil {
			b.Fatal(all(res.Diagnostics))
		}
	}
}

// BenchmarkLintOwnOutput checks a compiled profile against Apple's schema.
func BenchmarkLintOwnOutput(b *testing.B) {
	data := readFixtureFile(b, "full-featured")
	cfg, it, _ := graphjson.DecodeSingle(data, graphjson.DefaultLimits)
	res := compiler.Compile(compiler.Input{Config: cfg, Path: it.Path}, compiler.Options{IdentityUUID: "11111111-2222-4333-8444-555555555555", Vars: map[string]string{"certificatesubjectname": "iphone.example"}})
	profile := res.Profile.Map() // as lint gets a profile: decoded from a file
	b.ReportAllocs()
	for b.Loop() {
		compiler.Lint(profile, compiler.LintOptions{Signed: true})
	}
}
