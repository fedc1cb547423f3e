package diag_test

import (
	"encoding/json"
	"reflect"
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
