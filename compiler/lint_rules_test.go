package compiler_test

import (
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// alwaysOnProfile is a minimal Always On profile whose tunnel has the
// given IKE security association.
func alwaysOnProfile(ikeSA map[string]any) map[string]any {
	tunnel := map[string]any{
		"ProtocolType": "IKEv2", "Interfaces": []any{"WiFi"},
		"AuthenticationMethod": "SharedSecret", "SharedSecret": "x", "ExtendedAuthEnabled": int64(0),
		"RemoteAddress": "vpn.example.com", "RemoteIdentifier": "vpn.example.com", "LocalIdentifier": "",
		"IKESecurityAssociationParameters": ikeSA,
	}
	return map[string]any{
		"PayloadType": "Configuration", "PayloadVersion": int64(1), "PayloadIdentifier": "com.example.ao",
		"PayloadUUID": "6F1E2D3C-4B5A-4968-8776-5A4B3C2D1E0F",
		"PayloadContent": []any{map[string]any{
			"PayloadType": "com.apple.vpn.managed", "PayloadVersion": int64(1), "PayloadIdentifier": "com.example.ao.vpn",
			"PayloadUUID": "1A2B3C4D-5E6F-4A7B-8C9D-0E1F2A3B4C5D", "UserDefinedName": "AO", "VPNType": "AlwaysOn",
			"AlwaysOn": map[string]any{"TunnelConfigurations": []any{tunnel}},
		}},
	}
}

func lintCodes(t *testing.T, profile map[string]any, target string) map[string]diag.Severity {
	t.Helper()
	opts := compiler.LintOptions{Signed: true}
	if target != "" {
		opts.Target = mustTarget(t, target)
	}
	out := map[string]diag.Severity{}
	for _, d := range compiler.Lint(profile, opts) {
		if d.Severity != diag.Info || d.Code == "no-effect" || d.Code == "retired-key" {
			key := d.Code + " " + d.Path
			if _, dup := out[key]; dup {
				t.Errorf("reported twice: %s", d)
			}
			out[key] = d.Severity
		}
	}
	return out
}

// TestLintAlwaysOnDiffieHellman: a tunnel group below 14 is refused from
// iOS 14.2 (an error, as the compiler makes it), once, whatever the reason.
func TestLintAlwaysOnDiffieHellman(t *testing.T) {
	const at = "PayloadContent[0].AlwaysOn.TunnelConfigurations[0].IKESecurityAssociationParameters.DiffieHellmanGroup"
	for _, c := range []struct {
		group  int64
		target string
		want   map[string]diag.Severity
	}{
		{5, "ios:14.1", map[string]diag.Severity{"weak-crypto " + at: diag.Warning}},
		{5, "ios:18.0", map[string]diag.Severity{"target-unsupported " + at: diag.Error}},
		{2, "ios:26.0", map[string]diag.Severity{"target-unsupported " + at: diag.Error}},
		{14, "ios:18.0", map[string]diag.Severity{}},
		{19, "", map[string]diag.Severity{}},
	} {
		got := lintCodes(t, alwaysOnProfile(map[string]any{"DiffieHellmanGroup": c.group}), c.target)
		if len(got) != len(c.want) {
			t.Errorf("group %d on %s: %v, want %v", c.group, c.target, got, c.want)
			continue
		}
		for k, sev := range c.want {
			if got[k] != sev {
				t.Errorf("group %d on %s: %v, want %v", c.group, c.target, got, c.want)
			}
		}
	}
}

func TestLintPostQuantum(t *testing.T) {
	const base = "PayloadContent[0].AlwaysOn.TunnelConfigurations[0]."
	eight := []any{int64(36), int64(37), int64(36), int64(37), int64(36), int64(37), int64(36), int64(37)}
	p := alwaysOnProfile(map[string]any{"PostQuantumKeyExchangeMethods": eight})
	if got := lintCodes(t, p, ""); got["too-many "+base+"IKESecurityAssociationParameters.PostQuantumKeyExchangeMethods"] != diag.Error {
		t.Errorf("eight exchanges: %v", got)
	}
	p = alwaysOnProfile(map[string]any{"PostQuantumKeyExchangeMethods": []any{int64(38)}})
	if got := lintCodes(t, p, ""); got["bad-value "+base+"IKESecurityAssociationParameters.PostQuantumKeyExchangeMethods[0]"] != diag.Error {
		t.Errorf("method 38: %v", got)
	}
	p = alwaysOnProfile(map[string]any{})
	p["PayloadContent"].([]any)[0].(map[string]any)["AlwaysOn"].(map[string]any)["TunnelConfigurations"].([]any)[0].(map[string]any)["AllowPostQuantumKeyExchangeFallback"] = int64(1)
	if got := lintCodes(t, p, ""); got["no-effect "+base+"AllowPostQuantumKeyExchangeFallback"] != diag.Info {
		t.Errorf("fallback without exchanges: %v", got)
	}
}

func TestLintRetiredKeys(t *testing.T) {
	p := alwaysOnProfile(map[string]any{})
	p["IsEncrypted"] = "yes"
	p["HasRemovalPasscode"] = false
	got := lintCodes(t, p, "")
	if got["wrong-type IsEncrypted"] != diag.Error || got["retired-key HasRemovalPasscode"] != diag.Info {
		t.Errorf("retired keys: %v", got)
	}
	if _, ok := got["unknown-key HasRemovalPasscode"]; ok {
		t.Error("a retired key is called unknown")
	}
}
