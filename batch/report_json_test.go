package batch

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// TestEntryJSONMeansWhatEncodingJSONWrites checks the report's hand-written
// entry encoder against encoding/json, field by field and option by option:
// valid JSON that reads back as the same values.
func TestEntryJSONMeansWhatEncodingJSONWrites(t *testing.T) {
	full := Entry{
		Index: 12, Source: "exports/<page>&1.json", Path: "$.value[3]", Type: "microsoft.graph.iosikEv2VpnConfiguration",
		ID: "id\u2028", DisplayName: "VPN \"quoted\" \xff", Status: StatusCompiled, Output: "out/a.mobileconfig",
		SHA256: "00ff", Identifier: "com.contoso.vpn.x",
		Diagnostics: diag.List{
			{Severity: diag.Warning, Code: "ignored-setting", Path: "$.userDomain", Key: "IKEv2.X", Message: "a\tb"},
			{Severity: diag.Error, Code: "c", Message: "no path or key"},
			{Severity: diag.Severity(7), Code: "odd", Message: "unknown severity"},
		},
	}
	for _, e := range []Entry{full, {Status: StatusFailed}, {Index: -1, Status: StatusSkipped, Diagnostics: diag.List{}}} {
		want, err := json.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		got := e.appendJSON(nil)
		var a, b any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("appendJSON wrote invalid JSON %s: %v", got, err)
		}
		if err := json.Unmarshal(want, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("appendJSON:\n%s\nencoding/json:\n%s", got, want)
		}
	}
}
