package diag_test

import (
	"encoding/json"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// TestListJSONMatchesEncodingJSON checks the hand-written encoder against
// what encoding/json writes, by reflection, for the same diagnostics.
func TestListJSONMatchesEncodingJSON(t *testing.T) {
	l := diag.List{
		{Severity: diag.Warning, Code: "ignored-setting", Path: "$.userDomain", Key: "IKEv2.X", Message: "a\tb <c> & \"d\""},
		{Severity: diag.Error, Code: "c", Message: "no path or key \xff\u2028"},
		{Severity: diag.Info, Code: "i", Path: "$[\"odd name\"]", Message: ""},
		{Severity: diag.Severity(7), Code: "odd", Message: "unknown severity"},
	}
	want, err := json.Marshal([]diag.Diagnostic(l)) // a plain slice: no MarshalJSON of ours
	if err != nil {
		t.Fatal(err)
	}
	if got := l.AppendJSON(nil); string(got) != string(want) {
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
