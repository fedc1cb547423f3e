package compiler_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

func TestParseTarget(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"ios:17.4", "ios:17.4", true},
		{"iPadOS:18", "ipados:18", true},
		{"ios:9.0", "ios:9.0", true},
		{"ios:8.4", "", false},
		{"17.4", "", false},
		{"macos:14", "", false},
		{"ios:seventeen", "", false},
		{"ios:26.4", "ios:26.4", true},
		{"ios:27", "ios:27", true},
		{"ios:27.0", "ios:27.0", true},
		{"ios:27.0.1", "ios:27.0.1", true},
		{"ios:27.1", "", false},
		{"ios:99", "", false},
	} {
		got, err := compiler.ParseTarget(c.in)
		if (err == nil) != c.ok || c.ok && got.String() != c.want {
			t.Errorf("ParseTarget(%q) = %v, %v", c.in, got, err)
		}
	}
	// The default is the newest release Apple's schema describes, not the
	// 27.0 seed the copy comes from.
	if d := compiler.DefaultTarget(); d.String() != "ios:26.0" {
		t.Errorf("default target %s, want ios:26.0, the newest released iOS in Apple's schema", d)
	}
	_, err := compiler.ParseTarget("ios:99")
	if err == nil || !strings.Contains(err.Error(), "the newest it knows is iOS 27.0 (a beta seed; the newest release is iOS 26.0)") {
		t.Errorf("ParseTarget(ios:99) must name the newest known version: %v", err)
	}
	for _, c := range []struct {
		target string
		seed   bool
	}{{"ios:27.0", true}, {"ipados:27", true}, {"ios:27.0.1", true}, {"ios:26.0", false}, {"ios:26.4", false}, {"ios:17.4", false}} {
		tg, err := compiler.ParseTarget(c.target)
		if err != nil {
			t.Fatal(err)
		}
		if note := tg.SeedNote(); (note != "") != c.seed || c.seed && !strings.Contains(note, "beta seed") {
			t.Errorf("%s: seed note %q, want one: %v", c.target, note, c.seed)
		}
	}
}

// TestTargets compiles the full-featured export for iOS 13, 15, 17 and 18 and
// checks which keys each target gets and which warnings explain the
// differences.
func TestTargets(t *testing.T) {
	cfg, path := decode(t, fixture(t, "full-featured"))
	compileFor := func(v string, withRule bool) *compiler.Result {
		target, err := compiler.ParseTarget("ios:" + v)
		if err != nil {
			t.Fatal(err)
		}
		c := *cfg
		if !withRule {
			c.DeviceManagementApplicabilityRuleOsVersion = nil
		}
		return compiler.Compile(compiler.Input{Config: &c, Path: path}, compiler.Options{Target: target, IdentityUUID: "11111111-2222-4333-8444-555555555555",
			Vars: map[string]string{"certificatesubjectname": "iphone-1.devices.contoso.example"}})
	}
	// Keys the export asks for and the iOS version Apple's schema gives them.
	gated := map[string]string{
		"IKEv2.MTU":                          "14.0",
		"IKEv2.IncludeAllNetworks":           "14.0",
		"IKEv2.OnDemandUserOverrideDisabled": "14.0",
		"IKEv2.ExcludeLocalNetworks":         "14.2",
	}
	cases := []struct {
		version   string
		ruleOK    bool // the export's applicability rule: iOS 16.0 to 26.9
		dropped   []string
		behaviour string
	}{
		{"13.0", false, []string{"IKEv2.MTU", "IKEv2.IncludeAllNetworks", "IKEv2.OnDemandUserOverrideDisabled", "IKEv2.ExcludeLocalNetworks"}, ""},
		{"14.1", false, []string{"IKEv2.ExcludeLocalNetworks"}, "cellular services (Wi-Fi calling"},
		{"15.0", false, nil, "cellular services (Wi-Fi calling"},
		{"17.0", true, nil, "ExcludeCellularServices 1 and ExcludeAPNs 1 from iOS 16.4"},
		{"18.0", true, nil, "ExcludeDeviceCommunication (iOS 17.4)"},
		{"26.0", true, nil, "ExcludeDeviceCommunication (iOS 17.4)"},
		{"27.0", false, nil, "ExcludeDeviceCommunication (iOS 17.4)"},
	}
	var prev *compiler.Dict
	for _, c := range cases {
		t.Run(c.version, func(t *testing.T) {
			ruled := compileFor(c.version, true)
			d, refused := findDiag(ruled.Diagnostics, "not-applicable", "deviceManagementApplicabilityRuleOsVersion")
			if refused == c.ruleOK || (refused && (d.Severity != diag.Error || ruled.Profile != nil || !strings.Contains(d.Message, "does not apply to iOS "+c.version))) {
				t.Errorf("applicability rule on iOS %s: refused=%v, want %v (%v)", c.version, refused, !c.ruleOK, d)
			}
			res := compileFor(c.version, false)
			if res.Profile == nil {
				t.Fatalf("no profile: %v", all(res.Diagnostics))
			}
			vpn := vpnPayload(t, res.Profile)
			for key, needs := range gated {
				_, present := lookup(vpn, key)
				wantDropped := contains(c.dropped, key)
				if present == wantDropped {
					t.Errorf("%s present=%v on iOS %s (needs %s)", key, present, c.version, needs)
				}
				w, warned := findDiagKey(res.Diagnostics, "target-unsupported", key)
				if warned != wantDropped {
					t.Errorf("%s: warning present=%v, want %v", key, warned, wantDropped)
				}
				if warned && !(strings.Contains(w.Message, "needs iOS "+needs) && strings.Contains(w.Message, "iOS "+c.version)) {
					t.Errorf("the warning must name the version needed and the target: %s", w.Message)
				}
			}
			if c.behaviour != "" {
				if d, ok := findDiag(res.Diagnostics, "target-behaviour", "includeAllNetworks"); !ok || !strings.Contains(d.Message, c.behaviour) {
					t.Errorf("want the IncludeAllNetworks behaviour for iOS %s explained (%q), got %v", c.version, c.behaviour, d)
				}
			}
			if f := lintFor(res.Profile, c.version); len(f) > 0 {
				t.Errorf("the profile for iOS %s has schema findings for that target: %s", c.version, all(f))
			}
			if c.version == "15.0" && reflect.DeepEqual(prev, res.Profile) {
				t.Error("the iOS 14.1 and iOS 15 profiles must differ")
			}
			prev = res.Profile
		})
	}
}

func lintFor(profile *compiler.Dict, version string) diag.List {
	target, _ := compiler.ParseTarget("ios:" + version)
	var out diag.List
	for _, d := range compiler.Lint(profile.Map(), compiler.LintOptions{Signed: true, Target: target}) {
		if d.Severity != diag.Info && d.Code != "dangling-reference" && d.Code != "unresolved-variable" {
			out = append(out, d)
		}
	}
	return out
}

// TestAlwaysOnDiffieHellmanGate checks Apple's limit for Always On ("the
// minimum allowed value is 14" from iOS 14.2) at its boundaries: below 14 is
// an error from 14.2 (never a group silently dropped), 14 and every higher
// group Apple offers are kept, and before 14.2 nothing is refused.
func TestAlwaysOnDiffieHellmanGate(t *testing.T) {
	compileWith := func(version string, group int, sa string) *compiler.Result {
		t.Helper()
		js := strings.Replace(with(fmt.Sprintf(`"enableAlwaysOnConfiguration": true, %q: {"securityDiffieHellmanGroup": %d}`, sa, group)), `"sharedSecret",`, `"certificate",`, 1)
		target, err := compiler.ParseTarget("ios:" + version)
		if err != nil {
			t.Fatal(err)
		}
		return compileJSON(t, js, compiler.Options{Target: target, IdentityUUID: "11111111-2222-4333-8444-555555555555"})
	}
	for _, sa := range []struct{ graph, apple string }{
		{"securityAssociationParameters", "IKESecurityAssociationParameters"},
		{"childSecurityAssociationParameters", "ChildSecurityAssociationParameters"},
	} {
		key := "IKEv2." + sa.apple + ".DiffieHellmanGroup"
		// Refused from 14.2: every Apple group below 14.
		for _, c := range []struct {
			version string
			group   int
		}{{"14.2", 5}, {"14.2", 2}, {"14.2", 1}, {"18.0", 5}, {"25.0", 2}} {
			res := compileWith(c.version, c.group, sa.graph)
			d, ok := findDiagKey(res.Diagnostics, "target-unsupported", key)
			if !ok || d.Severity != diag.Error || res.Profile != nil || !strings.Contains(d.Message, "Always On") {
				t.Errorf("%s group %d on iOS %s: want an Always On error on %s and no profile, got %s", sa.graph, c.group, c.version, key, all(res.Diagnostics))
			}
		}
		// Kept: 14 (the boundary) and every stronger group, on old and
		// new targets; and the weak groups before 14.2.
		for _, c := range []struct {
			version string
			group   int
		}{{"14.2", 14}, {"26.0", 14}, {"26.0", 15}, {"26.0", 16}, {"26.0", 17}, {"26.0", 18}, {"26.0", 19}, {"26.0", 20}, {"26.0", 21}, {"26.0", 31}, {"26.0", 32}, {"14.1", 5}, {"14.0", 2}} {
			res := compileWith(c.version, c.group, sa.graph)
			if res.Profile == nil {
				t.Errorf("%s group %d on iOS %s: no profile, so %s is lost: %s", sa.graph, c.group, c.version, key, all(res.Diagnostics))
				continue
			}
			tunnel := vpnPayload(t, res.Profile)["AlwaysOn"].(map[string]any)["TunnelConfigurations"].([]any)[0].(map[string]any)
			if got, _ := lookup(tunnel, sa.apple+".DiffieHellmanGroup"); got != c.group {
				t.Errorf("%s group %d on iOS %s: the tunnel has %v", sa.graph, c.group, c.version, got)
			}
			if d, ok := findDiagKey(res.Diagnostics, "target-unsupported", key); ok {
				t.Errorf("%s group %d on iOS %s: unexpected %s", sa.graph, c.group, c.version, d)
			}
		}
	}
}

func TestApplicabilityRule(t *testing.T) {
	for _, c := range []struct {
		rule, target string
		ok           bool
	}{
		{`{"minOSVersion":"16.0","maxOSVersion":null,"ruleType":"include"}`, "18.0", true},
		{`{"minOSVersion":"16.0","ruleType":"include"}`, "15.7", false},
		{`{"maxOSVersion":"16.9","ruleType":"include"}`, "17.0", false},
		{`{"minOSVersion":"16.0","maxOSVersion":"16.9","ruleType":"exclude"}`, "16.4", false},
		{`{"minOSVersion":"16.0","maxOSVersion":"16.9","ruleType":"exclude"}`, "17.0", true},
		{`{"minOSVersion":"16.x","ruleType":"include"}`, "17.0", false},
	} {
		target, _ := compiler.ParseTarget("ios:" + c.target)
		res := compileJSON(t, with(`"deviceManagementApplicabilityRuleOsVersion": `+c.rule), compiler.Options{Target: target})
		if (res.Profile != nil) != c.ok {
			t.Errorf("rule %s, target %s: profile=%v, want ok=%v (%v)", c.rule, c.target, res.Profile != nil, c.ok, all(res.Diagnostics))
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func findDiagKey(l diag.List, code, key string) (diag.Diagnostic, bool) {
	for _, d := range l {
		if d.Code == code && d.Key == key {
			return d, true
		}
	}
	return diag.Diagnostic{}, false
}
