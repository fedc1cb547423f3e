package graphjson_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
	_ "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
)

func TestParseSyntaxErrors(t *testing.T) {
	cases := []struct {
		in, want  string
		line, col int
	}{
		{"", "the input is empty", 1, 1},
		{"{\"a\": 1,\n \"b\": }", "unexpected character '}'", 2, 7},
		{`{"a": [1, 2}`, "expected ',' or ']'", 1, 12},
		{`{"a": "x`, "truncated", 1, 9},
		{`{"a": tru}`, "expected a JSON value", 1, 7},
		{`{"a": 01}`, "leading zeros", 1, 8},
		{`{"a": 1} x`, "after the end", 1, 10},
		{"<html><body>Sign in</body></html>", "looks like HTML", 1, 1},
		{"{\"a\": \"\xff\"}", "invalid UTF-8", 1, 8},
		{"{\"a\": \"\x01\"}", "control character", 1, 8},
		{`{"a": "\ud800"}`, "unpaired UTF-16 surrogate", 1, 8}, // at the escape
		{`{"a": "\q"}`, "invalid escape", 1, 8},
		// A byte order mark counts only as the first bytes of the input.
		{" \uFEFF0", "expected a JSON value", 1, 2},
		{"\uFEFF\uFEFF{}", "unexpected character '\\ufeff'", 1, 2},
	}
	for _, c := range cases {
		_, err := graphjson.Parse([]byte(c.in), graphjson.DefaultLimits)
		var se *graphjson.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q): got %v, want a syntax error", c.in, err)
			continue
		}
		if !strings.Contains(se.Msg, c.want) || se.Line != c.line || se.Column != c.col {
			t.Errorf("Parse(%q) = %d:%d %s; want %d:%d %q", c.in, se.Line, se.Column, se.Msg, c.line, c.col, c.want)
		}
	}
}

func TestParseValues(t *testing.T) {
	in := "\uFEFF" + `{"s": "caf\u00e9 \ud83d\ude00 \"q\" \\ \/", "n": -1.5e3, "b": false, "z": null, "a": [1, {"x": []}]}`
	v, err := graphjson.Parse([]byte(in), graphjson.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := v.Get("s")
	if s.Text != "café 😀 \"q\" \\ /" {
		t.Errorf("string %q", s.Text)
	}
	n, _ := v.Get("n")
	if n.Kind != graphjson.Number || n.Text != "-1.5e3" {
		t.Errorf("number %v", n)
	}
	// The tree must agree with encoding/json on what the document holds.
	var std map[string]any
	if err := json.Unmarshal([]byte(strings.TrimPrefix(in, "\uFEFF")), &std); err != nil {
		t.Fatal(err)
	}
	if len(std) != len(v.Members()) {
		t.Errorf("%d members, encoding/json sees %d", len(v.Members()), len(std))
	}
}

func TestParseRejectsDuplicatesAndDeepNesting(t *testing.T) {
	_, err := graphjson.Parse([]byte(`{"server": {"address": "a", "address": "b"}}`), graphjson.DefaultLimits)
	var de *graphjson.DuplicateKeyError
	if !errors.As(err, &de) || de.Path != "$.server" || de.Name != "address" {
		t.Errorf("got %v, want a duplicate key error at $.server", err)
	}
	// Duplicates in large objects are found too (the set-based path).
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 100; i++ {
		b.WriteString(`"k` + strings.Repeat("x", i) + `": 1,`)
	}
	b.WriteString(`"k": 2}`)
	if _, err := graphjson.Parse([]byte(b.String()), graphjson.DefaultLimits); !errors.As(err, &de) {
		t.Errorf("duplicate in a large object not found: %v", err)
	}
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	if _, err := graphjson.Parse([]byte(deep), graphjson.DefaultLimits); err == nil || !strings.Contains(err.Error(), "nested more than 64") {
		t.Errorf("deep nesting: %v", err)
	}
	long := "[" + strings.Repeat("1,", 20) + "1]"
	if _, err := graphjson.Parse([]byte(long), graphjson.Limits{MaxDepth: 8, MaxArrayLen: 10}); err == nil || !strings.Contains(err.Error(), "more than 10 elements") {
		t.Errorf("long array: %v", err)
	}
}

func TestPaths(t *testing.T) {
	if got := graphjson.JoinName("$", "@odata.type"); got != `$["@odata.type"]` {
		t.Errorf("JoinName = %s", got)
	}
	if got := graphjson.JoinIndex(graphjson.JoinName("$", "onDemandRules"), 1) + ".action"; got != "$.onDemandRules[1].action" {
		t.Errorf("path = %s", got)
	}
}

func decodeJSON(t *testing.T, js string) (*graphjson.IosikEv2VpnConfiguration, diag.List) {
	t.Helper()
	cfg, _, diags := graphjson.DecodeSingle([]byte(js), graphjson.DefaultLimits)
	return cfg, diags
}

func has(l diag.List, sev diag.Severity, code, path, text string) bool {
	for _, d := range l {
		if d.Severity == sev && d.Code == code && d.Path == path && strings.Contains(d.Message, text) {
			return true
		}
	}
	return false
}

func TestDecodeReportsEveryProblemWithItsPath(t *testing.T) {
	js := `{
	  "@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration",
	  "id": "x",
	  "displayName": 42,
	  "enableEAP": "true",
	  "mtuSizeInBytes": 9000,
	  "version": 4294967296,
	  "disconnectOnIdleTimerInSeconds": 1.5,
	  "authenticationMethod": "Certificate",
	  "deadPeerDetectionRate": "sometimes",
	  "onDemandRules": [{"action": "connect"}, {"action": "connnect", "ssids": ["a", null]}],
	  "server": "vpn.example.com",
	  "proxyServer": {"port": 70000},
	  "sharedSecret": 12345,
	  "futureProperty": true,
	  "assignments": [],
	  "@odata.context": "x"
	}`
	cfg, diags := decodeJSON(t, js)
	if cfg == nil {
		t.Fatal("the entity is an IKEv2 configuration; the decoder must return what it could decode")
	}
	want := []struct {
		sev        diag.Severity
		code, path string
		text       string
	}{
		{diag.Error, "type-mismatch", "$.displayName", "expected a string, got the number 42"},
		{diag.Error, "type-mismatch", "$.enableEAP", `expected true or false, got the string "true"`},
		{diag.Error, "out-of-range", "$.mtuSizeInBytes", "9000 is out of range: mtuSizeInBytes takes 1280 to 1400"},
		{diag.Error, "out-of-range", "$.version", "does not fit in a 32-bit integer"},
		{diag.Error, "not-integer", "$.disconnectOnIdleTimerInSeconds", "1.5 is not a whole number"},
		{diag.Error, "unknown-enum", "$.authenticationMethod", `Graph spells it "certificate"`},
		{diag.Error, "unknown-enum", "$.deadPeerDetectionRate", "allowed: medium, none, low, high"},
		{diag.Error, "unknown-enum", "$.onDemandRules[1].action", `"connnect" is not a vpnOnDemandRuleConnectionAction value; allowed: connect, evaluateConnection, ignore, disconnect`},
		{diag.Error, "null-element", "$.onDemandRules[1].ssids[1]", "null is not allowed"},
		{diag.Error, "type-mismatch", "$.server", "expected an object"},
		{diag.Error, "out-of-range", "$.proxyServer.port", "70000 is out of range: port takes 0 to 65535"},
		{diag.Error, "type-mismatch", "$.sharedSecret", "«redacted»"},
		{diag.Warning, "unknown-property", "$.futureProperty", "newer Graph build"},
		// Relationships and annotations are in every real GET: notes, not
		// warnings, so that --strict accepts a real export.
		{diag.Info, "navigation-property", "$.assignments", "relationship"},
		{diag.Info, "annotation", `$["@odata.context"]`, "not part of the configuration"},
		{diag.Info, "input-shape", "$", "read as a Graph entity object, UTF-8 text"},
	}
	for _, w := range want {
		if !has(diags, w.sev, w.code, w.path, w.text) {
			t.Errorf("missing %s %s at %s containing %q", w.sev, w.code, w.path, w.text)
		}
	}
	for _, d := range diags {
		if strings.Contains(d.Message, "12345") {
			t.Errorf("a secret value was echoed: %s", d)
		}
	}
	if r := cfg.OnDemandRules; len(r) != 2 || r[1].Action != nil || r[1].Ssids != nil || *r[0].Action != graphjson.ActionConnect {
		t.Error("a bad value must be left unset, and its neighbours kept")
	}
	if cfg.ID == nil || *cfg.ID != "x" {
		t.Error("values that decode must be kept")
	}
}

func TestDecodeValues(t *testing.T) {
	js := `{"@odata.type": "microsoft.graph.iosikEv2VpnConfiguration",
	  "enableSplitTunneling": false, "mtuSizeInBytes": 1360, "authenticationMethod": 2,
	  "onDemandRules": [{"action": "evaluateConnection", "domains": ["a"], "interfaceTypeMatch": "wiFi"}],
	  "securityAssociationParameters": {"@odata.type": "#microsoft.graph.iosVpnSecurityAssociationParameters", "securityDiffieHellmanGroup": 19},
	  "proxyServer": {"@odata.type": "microsoft.graph.windows81VpnProxyServer", "automaticallyDetectProxySettings": true, "port": 8080},
	  "server": {"@odata.type": "microsoft.graph.somethingElse", "address": "a"},
	  "description": null}`
	cfg, diags := decodeJSON(t, js)
	if diags.HasErrors() {
		t.Fatalf("errors: %v", diags.Errors())
	}
	if cfg.EnableSplitTunneling == nil || *cfg.EnableSplitTunneling {
		t.Error("explicit false lost")
	}
	if *cfg.MtuSizeInBytes != 1360 || *cfg.SecurityAssociationParameters.SecurityDiffieHellmanGroup != 19 {
		t.Error("integers")
	}
	if *cfg.AuthenticationMethod != graphjson.AuthMethodSharedSecret {
		t.Errorf("numeric enum 2 = %v, want sharedSecret", *cfg.AuthenticationMethod)
	}
	if !has(diags, diag.Warning, "numeric-enum", "$.authenticationMethod", `read as "sharedSecret"`) {
		t.Error("numeric enum without a warning")
	}
	r := cfg.OnDemandRules[0]
	if *r.Action != graphjson.ActionEvaluateConnection || r.Domains[0] != "a" || *r.InterfaceTypeMatch != graphjson.InterfaceWiFi {
		t.Error("on-demand rule")
	}
	if cfg.Description != nil {
		t.Error("null must decode as unset")
	}
	if !has(diags, diag.Warning, "windows-only", "$.proxyServer.automaticallyDetectProxySettings", "Windows") {
		t.Errorf("windows member: %v", diags)
	}
	if !has(diags, diag.Warning, "unexpected-type", `$.server["@odata.type"]`, "expected @odata.type microsoft.graph.vpnServer") {
		t.Errorf("unexpected nested type: %v", diags)
	}
}

func TestDocumentShapes(t *testing.T) {
	entity := `{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration", "id": "%s"}`
	other := `{"@odata.type": "#microsoft.graph.iosGeneralDeviceConfiguration", "id": "o"}`
	one := strings.Replace(entity, "%s", "a", 1)
	two := strings.Replace(entity, "%s", "b", 1)
	cases := []struct {
		name, doc string
		ok        bool
		path      string
		code      string
	}{
		{"entity", one, true, "$", ""},
		{"get wrapper", `{"value": ` + one + `}`, true, "$.value", ""},
		{"list of one", `{"@odata.context": "x", "value": [` + other + `, ` + one + `]}`, true, "$.value[1]", ""},
		{"bare array", `[` + one + `]`, true, "$[0]", ""},
		{"two entities", `{"value": [` + one + `, ` + two + `]}`, false, "", "multiple-entities"},
		{"none", `{"value": [` + other + `, ` + other + `]}`, false, "", "no-ikev2"},
		{"list of one other", `{"value": [` + other + `]}`, false, "", "unsupported-type"},
		{"empty list", `{"value": []}`, false, "", "empty-list"},
		{"graph error", `{"error": {"code": "Forbidden", "message": "Insufficient privileges"}}`, false, "", "graph-error-response"},
		{"other type", other, false, "", "unsupported-type"},
		{"no type, IKEv2 properties", `{"id": "a", "clientAuthenticationType": "userAuthentication"}`, true, "$", ""},
		{"no type, nothing IKEv2", `{"id": "a", "displayName": "x"}`, false, "", "missing-type"},
		{"not an object", `"hello"`, false, "", "not-an-entity"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, item, diags := graphjson.DecodeSingle([]byte(c.doc), graphjson.DefaultLimits)
			if c.ok {
				if cfg == nil || diags.HasErrors() {
					t.Fatalf("want success, got %v", diags)
				}
				if item.Path != c.path {
					t.Errorf("path %s, want %s", item.Path, c.path)
				}
				return
			}
			if cfg != nil && !diags.HasErrors() {
				t.Fatal("want an error")
			}
			found := false
			for _, d := range diags {
				found = found || (d.Code == c.code && d.Severity == diag.Error)
			}
			if !found {
				t.Errorf("want error %s, got %v", c.code, diags)
			}
		})
	}
	_, _, diags := graphjson.DecodeSingle([]byte(`{"value": [`+one+`, `+two+`, `+other+`]}`), graphjson.DefaultLimits)
	if !strings.Contains(diags.String(), "2 IKEv2 VPN configurations") || len(diags) != 1 || diags[0].Hint.Code != diag.HintBatch {
		t.Errorf("the message must give the count, and the hint point to a batch: %v", diags)
	}
}

func TestProperties(t *testing.T) {
	top := graphjson.TopLevelProperties()
	if len(top) != 64 {
		t.Fatalf("%d top-level properties, want 64", len(top))
	}
	perLevel := map[string]int{}
	for _, p := range top {
		perLevel[p.DeclaredOn]++
	}
	// Graph beta: entity 1, deviceConfiguration 10, appleVpnConfiguration 24,
	// iosVpnConfiguration 6, iosikEv2VpnConfiguration 23.
	want := map[string]int{"entity": 1, "deviceConfiguration": 10, "appleVpnConfiguration": 24, "iosVpnConfiguration": 6, "iosikEv2VpnConfiguration": 23}
	for k, n := range want {
		if perLevel[k] != n {
			t.Errorf("%s declares %d properties, want %d", k, perLevel[k], n)
		}
	}
	secret := 0
	for _, p := range graphjson.Properties() {
		if p.Secret {
			secret++
			if p.Path != "sharedSecret" {
				t.Errorf("unexpected secret %s", p.Path)
			}
		}
	}
	if secret != 1 {
		t.Error("sharedSecret must be marked secret")
	}
}

// TestMaximalExample decodes the reference export that sets all 64
// properties: it must decode without a single warning (the one note says
// how the input was read).
func TestMaximalExample(t *testing.T) {
	data := readFixture(t, "full-featured")
	cfg, _, diags := graphjson.DecodeSingle(data, graphjson.DefaultLimits)
	if cfg == nil || len(diags) != 1 || diags[0].Code != "input-shape" {
		t.Fatalf("diagnostics: %v", diags)
	}
	if *cfg.AlwaysOnConfiguration.NatKeepAliveIntervalInSeconds != 110 || cfg.AlwaysOnConfiguration.AllowedCaptiveNetworkPlugins.AllowedBundleIdentifiers[0] != "com.boingo.boingowifi" {
		t.Error("always-on block")
	}
	if len(cfg.DeviceManagementApplicabilityRuleOsEdition.OsEditionTypes) != 2 || *cfg.TargetedMobileApps[0].AppID != "com.microsoft.Office.Outlook" {
		t.Error("nested collections")
	}
}

func TestKnownNamesFit(t *testing.T) {
	names := map[string]bool{}
	for _, p := range graphjson.Properties() {
		names[p.Path[strings.LastIndex(p.Path, ".")+1:]] = true
	}
	if n := len(names) + 4; n > graphjson.KnownNameCapacity {
		t.Errorf("%d names, but the parser shares at most %d: raise maxKnownNames", n, graphjson.KnownNameCapacity)
	}
}
