package diag_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	_ "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
)

// TestListJSONMeansWhatEncodingJSONWrites checks the hand-written encoder
// against encoding/json: both texts are valid JSON and read back as the same
// values (the escaping may differ: jsontext does not escape <, > and &).
func TestListJSONMeansWhatEncodingJSONWrites(t *testing.T) {
	l := diag.List{
		{Severity: diag.Warning, Code: "ignored-setting", Path: "$.userDomain", Key: "IKEv2.X", Message: "a\tb <c> & \"d\""},
		{Severity: diag.Error, Code: "c", Message: "no path or key \xff\u2028\x01"},
		{Severity: diag.Info, Code: "i", Path: "$[\"odd name\"]", Message: ""},
		{Severity: diag.Severity(7), Code: "odd", Message: "unknown severity"},
	}
	want, err := json.Marshal([]diag.Diagnostic(l)) // a plain slice: no MarshalJSON of ours
	if err != nil {
		t.Fatal(err)
	}
	got := l.AppendJSON(nil)
	if !json.Valid(got) {
		t.Fatalf("AppendJSON wrote invalid JSON: %s", got)
	}
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("AppendJSON:\n%s\nencoding/json:\n%s", got, want)
	}
	if got, _ := json.Marshal(diag.List(nil)); string(got) != "[]" {
		t.Errorf("an empty list is %s, want []", got)
	}
	var back []diag.Diagnostic
	valid := l[:3] // severity(7) does not read back, by design
	if err := json.Unmarshal(valid.AppendJSON(nil), &back); err != nil || len(back) != len(valid) || back[0] != l[0] {
		t.Errorf("does not read back: %v %+v", err, back)
	}
}

// TestCapped keeps DefaultMax-sized lists bounded: the first Max are kept,
// the rest only counted, in one last line whose severity is the worst of
// them, so that an input whose errors were cut still fails.
func TestCapped(t *testing.T) {
	var c diag.Capped
	c.Max = 3
	c.Infof("a", "$.a", "one")
	c.Warnf("b", "$.b", "two")
	c.Infof("c", "$.c", "three")
	for range 1000 {
		c.Warnf("w", "$.w", "more")
	}
	c.Errorf("e", "$.e", "the one error")
	l := c.List()
	if len(l) != 4 || l[3].Code != "more-diagnostics" || l[3].Severity != diag.Error || !l.HasErrors() {
		t.Fatalf("capped list: %v", l)
	}
	if want := "and 1001 more (1 error, 1000 warnings, 0 notes) not listed"; !strings.Contains(l[3].Message, want) {
		t.Errorf("summary %q lacks %q", l[3].Message, want)
	}
	long := make(diag.List, 0, 500)
	for range 500 {
		long = append(long, diag.Diagnostic{Severity: diag.Info, Code: "i", Message: "x"})
	}
	if got := long.Cap(0); len(got) != diag.DefaultMax+1 || got[diag.DefaultMax].Severity != diag.Info {
		t.Errorf("Cap(0) kept %d", len(got))
	}
	if got := long[:10].Cap(0); len(got) != 10 {
		t.Errorf("a short list changed: %d", len(got))
	}
}

// TestHint: a hint prints after the message ("; ", or ", " for an
// alternative that starts with "or"), is written to JSON as an object and
// reads back, and WithHints rewrites copies only.
func TestHint(t *testing.T) {
	d := diag.Diagnostic{Severity: diag.Error, Code: "unresolved-variable", Path: "$.localIdentifier", Key: "IKEv2.LocalIdentifier",
		Message: "the variable {{x}} has no value", Hint: diag.Hint{Code: diag.HintVar, Arg: "x", Text: `set compiler.Options.Vars["x"]`}}
	if got, want := d.String(), `error: $.localIdentifier: the variable {{x}} has no value; set compiler.Options.Vars["x"] [IKEv2.LocalIdentifier]`; got != want {
		t.Errorf("String:\n got %s\nwant %s", got, want)
	}
	alt := d
	alt.Hint.Text = "or do this"
	if got := alt.String(); !strings.Contains(got, "has no value, or do this [") {
		t.Errorf("an alternative hint: %s", got)
	}
	keyInHint := d
	keyInHint.Hint.Text = "set IKEv2.LocalIdentifier yourself"
	if got := keyInHint.String(); strings.HasSuffix(got, "]") {
		t.Errorf("the key is repeated after a hint that names it: %s", got)
	}

	l := diag.List{d, {Severity: diag.Info, Code: "plain", Message: "no hint"}}
	got := l.AppendJSON(nil)
	want, _ := json.Marshal([]diag.Diagnostic(l))
	var a, b any
	json.Unmarshal(got, &a)
	json.Unmarshal(want, &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("AppendJSON:\n%s\nencoding/json:\n%s", got, want)
	}
	if !strings.Contains(string(got), `"hint":{"code":"var","arg":"x","text":"set compiler.Options.Vars[\"x\"]"}`) || strings.Count(string(got), `"hint"`) != 1 {
		t.Errorf("JSON: %s", got)
	}
	var back diag.List
	if err := json.Unmarshal(got, &back); err != nil || !reflect.DeepEqual(back, l) {
		t.Errorf("does not read back: %v %+v", err, back)
	}

	rewritten := l.WithHints(func(h diag.Hint) string {
		if h.Code == diag.HintVar {
			return "give --var " + h.Arg + "=VALUE"
		}
		return ""
	})
	if rewritten[0].Hint.Text != "give --var x=VALUE" || rewritten[0].Hint.Code != diag.HintVar || rewritten[1] != l[1] {
		t.Errorf("rewritten: %+v", rewritten)
	}
	if l[0].Hint.Text != `set compiler.Options.Vars["x"]` {
		t.Error("WithHints changed the list it was given")
	}
	if kept := l.WithHints(func(diag.Hint) string { return "" }); &kept[0] != &l[0] {
		t.Error("a function that keeps every hint copied the list")
	}
	if kept := l.WithHints(nil); &kept[0] != &l[0] {
		t.Error("a nil function copied the list")
	}
}

// TestListIsNotAnError: a List, even an empty one, cannot be returned as
// an error by mistake (a nil-looking error that is not nil).
func TestListIsNotAnError(t *testing.T) {
	errorType := reflect.TypeFor[error]()
	for _, v := range []any{diag.List{}, &diag.List{}} {
		if reflect.TypeOf(v).Implements(errorType) {
			t.Errorf("%T implements error", v)
		}
	}
	l := diag.List{{Severity: diag.Warning, Code: "a", Message: "one"}, {Severity: diag.Error, Code: "b", Path: "$.x", Message: "two"}}
	if got, want := fmt.Sprint(l), "warning: one\nerror: $.x: two"; got != want {
		t.Errorf("String %q, want %q", got, want)
	}
}

// TestHintCodes: HintCodes lists every Hint constant of diag.go, once.
func TestHintCodes(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range diag.HintCodes() {
		if c == "" || seen[c] {
			t.Errorf("hint code %q is empty or listed twice", c)
		}
		seen[c] = true
	}
	f, err := parser.ParseFile(token.NewFileSet(), "diag.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := 0
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "Hint") || i >= len(vs.Values) {
					continue
				}
				consts++
				lit, _ := vs.Values[i].(*ast.BasicLit)
				if code, err := strconv.Unquote(lit.Value); err != nil || !seen[code] {
					t.Errorf("%s is not in HintCodes", name.Name)
				}
			}
		}
	}
	if consts != len(seen) {
		t.Errorf("%d Hint constants, HintCodes lists %d", consts, len(seen))
	}
}
