package graphjson_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// TestEscapedDuplicates: member names are compared after unescaping, in
// either order and for names of the model and others alike; the hand-written
// parser let "\u0061ddress" then "address" through (last one won).
func TestEscapedDuplicates(t *testing.T) {
	for _, c := range []struct{ doc, path, name string }{
		{`{"server": {"\u0061ddress": "a", "address": "b"}}`, "$.server", "address"},
		{`{"server": {"address": "a", "\u0061ddress": "b"}}`, "$.server", "address"},
		{`{"v\u0061lue": [], "value": [{"id": "x"}]}`, "$", "value"},
		{`{"x\u00e9": 1, "xé": 2}`, "$", "xé"},
		{`{"a": [{"\/k": 1, "/k": 2}]}`, "$.a[0]", "/k"},
	} {
		_, err := graphjson.Parse([]byte(c.doc), graphjson.DefaultLimits)
		var de *graphjson.DuplicateKeyError
		if !errors.As(err, &de) || de.Path != c.path || de.Name != c.name {
			t.Errorf("%s: got %v, want a duplicate %q at %s", c.doc, err, c.name, c.path)
		}
	}
}

func TestLimits(t *testing.T) {
	lim := graphjson.Limits{MaxDepth: 8, MaxArrayLen: 10, MaxMembers: 5, MaxValues: 40}
	for _, c := range []struct{ doc, want string }{
		{`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}`, "$ has more than 5 members"},
		{`{"a":{"b":1,"c":2,"d":3,"e":4,"f":5,"g":6}}`, "$.a has more than 5 members"},
		{"[" + strings.Repeat("[1,1,1,1,1],", 8) + "1]", "more than 40 values"},
		{"[" + strings.Repeat("1,", 20) + "1]", "$ has more than 10 elements"},
		{strings.Repeat("[", 9) + strings.Repeat("]", 9), "nested more than 8 levels"},
	} {
		_, err := graphjson.Parse([]byte(c.doc), lim)
		var se *graphjson.SyntaxError
		if !errors.As(err, &se) || !strings.Contains(se.Msg, c.want) {
			t.Errorf("%.40s: got %v, want %q", c.doc, err, c.want)
		}
	}
	// A zero field takes the default.
	if _, err := graphjson.Parse([]byte(`{"a":1}`), graphjson.Limits{MaxDepth: 2}); err != nil {
		t.Errorf("partial limits: %v", err)
	}
}

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// TestEncodings reads UTF-16 as Windows PowerShell writes it, and refuses
// UTF-32 with a message that names it and how to re-save.
func TestEncodings(t *testing.T) {
	doc := `{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration", "displayName": "Zürich 😀", "connectionName": "x"}`
	for _, c := range []struct {
		name      string
		data      []byte
		encoding  string
		wantError string
	}{
		{"UTF-8", []byte(doc), "UTF-8", ""},
		{"UTF-8 BOM", append([]byte("\uFEFF"), doc...), "UTF-8 with a byte order mark", ""},
		{"UTF-16 LE", utf16Bytes(doc, false, true), "UTF-16 LE", ""},
		{"UTF-16 BE", utf16Bytes(doc, true, true), "UTF-16 BE", ""},
		{"UTF-16 LE without BOM", utf16Bytes(doc, false, false), "UTF-16 LE without a byte order mark", ""},
		{"UTF-16 odd length", append(utf16Bytes(doc, false, true), 0), "", "odd number of bytes"},
		{"UTF-16 lone surrogate", utf16Bytes("{\"a\": \"", false, true), "", ""},
		{"UTF-32 LE", append([]byte{0xFF, 0xFE, 0, 0}, '{', 0, 0, 0), "", "UTF-32 LE (little-endian), with a byte order mark text; graph2mobileconfig reads UTF-8 and UTF-16: re-save it as UTF-8"},
		{"UTF-32 BE", []byte{0, 0, 0, '{', 0, 0, 0, '}'}, "", "UTF-32 BE (big-endian), without a byte order mark"},
	} {
		doc, err := graphjson.ReadDocument(c.data, graphjson.DefaultLimits)
		switch {
		case c.wantError != "":
			if err == nil || !strings.Contains(err.Error(), c.wantError) || graphjson.ErrorCode(err) != "encoding" {
				t.Errorf("%s: got %v, want %q", c.name, err, c.wantError)
			}
		case c.encoding == "":
			if err == nil {
				t.Errorf("%s: accepted", c.name)
			}
		default:
			if err != nil || doc.Encoding != c.encoding || doc.Items[0].DisplayName() != "Zürich 😀" {
				t.Errorf("%s: %v, encoding %q", c.name, err, doc.Encoding)
				continue
			}
			_, diags := graphjson.Decode(doc.Items[0])
			if !has(diags, diag.Info, "input-shape", "$", c.encoding+" text") {
				t.Errorf("%s: no note of the encoding: %v", c.name, diags)
			}
		}
	}
	unpaired := append(utf16Bytes(`{"a": "`, false, true), 0x00, 0xD8, '"', 0, '}', 0)
	if _, err := graphjson.Parse(unpaired, graphjson.DefaultLimits); err == nil || !strings.Contains(err.Error(), "unpaired surrogate (0xD800) at character 8") {
		t.Errorf("unpaired surrogate: %v", err)
	}
}

// TestPowerShellShape decodes the Graph PowerShell SDK's ConvertTo-Json
// shape: base members in any letter case, settings in AdditionalProperties,
// and a property given twice is refused.
func TestPowerShellShape(t *testing.T) {
	doc := `{"AdditionalProperties": {"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration", "connectionName": "VPN", "server": {"address": "vpn.example.com"}},
	  "DisplayName": "Name", "Id": "i1", "Version": 3, "Assignments": null, "DeviceStatuses": null,
	  "DeviceManagementApplicabilityRuleOSVersion": {"MinOSVersion": "16.0", "RuleType": "include", "AdditionalProperties": {}}}`
	cfg, item, diags := graphjson.DecodeSingle([]byte(doc), graphjson.DefaultLimits)
	if cfg == nil || diags.HasErrors() {
		t.Fatalf("%v", diags)
	}
	if !item.PowerShell || item.ID() != "i1" || item.DisplayName() != "Name" || *cfg.Version != 3 || *cfg.ConnectionName != "VPN" || *cfg.Server.Address != "vpn.example.com" {
		t.Errorf("decoded %+v", cfg)
	}
	if r := cfg.DeviceManagementApplicabilityRuleOsVersion; r == nil || *r.MinOSVersion != "16.0" {
		t.Errorf("applicability rule not read: %+v", r)
	}
	if !has(diags, diag.Info, "input-shape", "$", "Microsoft Graph PowerShell SDK object") || !has(diags, diag.Info, "navigation-property", "$", "Assignments, DeviceStatuses") {
		t.Errorf("notes: %v", diags)
	}
	for _, d := range diags {
		if d.Severity == diag.Warning {
			t.Errorf("warning: %v", d)
		}
	}
	twice := strings.Replace(doc, `"connectionName": "VPN"`, `"connectionName": "VPN", "displayName": "Other"`, 1)
	_, _, diags = graphjson.DecodeSingle([]byte(twice), graphjson.DefaultLimits)
	if !has(diags, diag.Error, "duplicate-property", `$.DisplayName`, "displayName is given twice, here and at $.AdditionalProperties.displayName") {
		t.Errorf("a property given twice: %v", diags)
	}
}

// TestConvertToJSONDepth detects the values ConvertTo-Json cut off at its
// default depth and gives the re-export advice once.
func TestConvertToJSONDepth(t *testing.T) {
	doc := `{"AdditionalProperties": {"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration",
	  "server": "System.Collections.Hashtable", "onDemandRules": ["System.Collections.Hashtable"],
	  "proxyServer": "Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphVpnProxyServer"}, "Id": "x"}`
	_, _, diags := graphjson.DecodeSingle([]byte(doc), graphjson.DefaultLimits)
	if !has(diags, diag.Error, "truncated-export", "$.AdditionalProperties.onDemandRules[0]", "") ||
		!has(diags, diag.Error, "truncated-export", "$.AdditionalProperties.proxyServer", "") {
		t.Fatalf("%v", diags)
	}
	advice := 0
	for _, d := range diags {
		if d.Code == "type-mismatch" {
			t.Errorf("a cut-off value reported as a type error too: %v", d)
		}
		if strings.Contains(d.Message, "ConvertTo-Json -Depth 20") && strings.Contains(d.Message, "ToJsonString()") && strings.Contains(d.Message, "Invoke-MgGraphRequest") {
			advice++
		}
	}
	if advice != 1 {
		t.Errorf("the advice is given %d times, want once: %v", advice, diags)
	}
}

// TestDiagnosticsPerEntityAreCapped: an entity with thousands of unknown
// members keeps diag.DefaultMax diagnostics and one line counting the rest.
func TestDiagnosticsPerEntityAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration"`)
	for i := range 1500 {
		b.WriteString(`, "u` + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("y", i/26) + `": 1`)
	}
	b.WriteString("}")
	_, _, diags := graphjson.DecodeSingle([]byte(b.String()), graphjson.DefaultLimits)
	last := diags[len(diags)-1]
	if len(diags) != diag.DefaultMax+1 || last.Code != "more-diagnostics" || last.Severity != diag.Warning {
		t.Errorf("%d diagnostics, last %v", len(diags), last)
	}
}
