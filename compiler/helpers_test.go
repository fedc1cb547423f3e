package compiler_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
	_ "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
)

// decode parses a Graph export and fails the test on decoding errors.
func decode(t *testing.T, data []byte) (*graphjson.IosikEv2VpnConfiguration, string) {
	t.Helper()
	cfg, it, diags := graphjson.DecodeSingle(data, graphjson.DefaultLimits)
	if cfg == nil || diags.HasErrors() {
		t.Fatalf("decode: %v", diags.Errors())
	}
	return cfg, it.Path
}

func fixture(t *testing.T, name string) []byte { return readFixtureFile(t, name) }

func readFixtureFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "fixtures", name, "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// compileJSON compiles a Graph export given as JSON text.
func compileJSON(t *testing.T, js string, opts compiler.Options) *compiler.Result {
	t.Helper()
	cfg, path := decode(t, []byte(js))
	return compiler.Compile(compiler.Input{Config: cfg, Path: path}, opts)
}

// get follows a dotted path ("PayloadContent.0.IKEv2.MTU" style is not
// used: payloads are found by type) through a compiled VPN payload.
func vpnPayload(t *testing.T, profile *compiler.Dict) map[string]any {
	t.Helper()
	for _, p := range profile.Map()["PayloadContent"].([]any) {
		m := p.(map[string]any)
		if m["PayloadType"] == "com.apple.vpn.managed" {
			return m
		}
	}
	t.Fatal("no VPN payload")
	return nil
}

func lookup(m map[string]any, path string) (any, bool) {
	var v any = m
	for _, part := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = mm[part]; !ok {
			return nil, false
		}
	}
	return v, true
}

// findDiag returns the first diagnostic with the code at the path suffix.
func findDiag(l diag.List, code, pathSuffix string) (diag.Diagnostic, bool) {
	for _, d := range l {
		if d.Code == code && strings.HasSuffix(d.Path, pathSuffix) {
			return d, true
		}
	}
	return diag.Diagnostic{}, false
}

// base is a minimal, valid IKEv2 export that tests extend.
const base = `{
  "@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration",
  "id": "00000000-1111-4222-8333-444444444444",
  "displayName": "Test VPN",
  "connectionName": "Test",
  "server": {"address": "vpn.example.com"},
  "remoteIdentifier": "vpn.example.com",
  "localIdentifier": "empty",
  "authenticationMethod": "sharedSecret",
  "clientAuthenticationType": "deviceAuthentication",
  "sharedSecret": "s3cret-for-tests"
  %s
}`

func with(extra string) string {
	if extra == "" {
		return strings.Replace(base, "%s", "", 1)
	}
	return strings.Replace(base, "%s", ","+extra, 1)
}

// all prints every finding, one a line, for failure messages. A diag.List
// is an error value, so %v would print only its errors ("no errors" for a
// list of warnings): the finding a test looks for would be hidden.
func all(l diag.List) string {
	if len(l) == 0 {
		return "(no findings)"
	}
	var b strings.Builder
	for _, d := range l {
		b.WriteString("\n\t")
		b.WriteString(d.String())
	}
	return b.String()
}
