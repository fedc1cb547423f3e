package compiler_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// TestCompilationsShareNothing compiles every fixture many times, in an
// interleaved order, on several goroutines at once, with and without
// --strict: every result equals that fixture's first, alone. Compile
// recycles its scratch (the build, its written keys, its findings); a
// compilation must never see, or leave, anything of another.
func TestCompilationsShareNothing(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "fixtures", "*", "input.json"))
	type input struct {
		name string
		in   compiler.Input
		opts compiler.Options
	}
	var inputs []input
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cfg, it, diags := graphjson.DecodeSingle(data, graphjson.DefaultLimits)
		if cfg == nil || diags.HasErrors() {
			continue
		}
		certs, _ := graphjson.ExpandedCertificates(it)
		for _, strict := range []bool{false, true} {
			opts := compiler.Options{Strict: strict, IdentityUUID: "11111111-2222-4333-8444-555555555555", Vars: map[string]string{"certificatesubjectname": "x"}}
			inputs = append(inputs, input{fmt.Sprintf("%s strict=%v", f, strict), compiler.Input{Config: cfg, Path: it.Path, Certificates: certs}, opts})
		}
	}
	if len(inputs) < 20 {
		t.Fatalf("%d inputs", len(inputs))
	}
	summary := func(r *compiler.Result) string {
		out := fmt.Sprintf("%s %s %v %v\n", r.Identifier, r.UUID, r.Secrets, r.Diagnostics)
		for _, d := range r.Diagnostics {
			out += d.String() + "\n"
		}
		if r.Profile != nil {
			out += fmt.Sprint(r.Profile.Map())
		}
		return out
	}
	want := make([]string, len(inputs))
	for i, in := range inputs {
		want[i] = summary(compiler.Compile(in.in, in.opts))
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for round := range 5 {
				for k := range inputs {
					i := (k*7 + g*13 + round*3) % len(inputs)
					if got := summary(compiler.Compile(inputs[i].in, inputs[i].opts)); !reflect.DeepEqual(got, want[i]) {
						t.Errorf("%s: compiled among others, the result differs:\n%s\nalone:\n%s", inputs[i].name, got, want[i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
