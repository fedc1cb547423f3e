package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/nanomdmtest"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// targetCommands runs each command that takes --target with the given
// --target arguments, on an input it accepts.
func targetCommands(t *testing.T) map[string]func(target ...string) result {
	input := repoPath("fixtures", "psk-ondemand", "input.json")
	profile := repoPath("fixtures", "flags-false", "expected.mobileconfig")
	return map[string]func(...string) result{
		"compile": func(target ...string) result {
			return runCLI(t, nil, nil, append([]string{"compile", input, "-o", filepath.Join(t.TempDir(), "out.mobileconfig"), "--identifier-prefix", "com.contoso.vpn"}, target...)...)
		},
		"batch": func(target ...string) result {
			return runCLI(t, nil, nil, append([]string{"batch", input, "--out-dir", t.TempDir(), "--identifier-prefix", "com.contoso.vpn"}, target...)...)
		},
		"lint": func(target ...string) result {
			return runCLI(t, nil, nil, append([]string{"lint", profile}, target...)...)
		},
	}
}

// TestTargetFlagAgrees: every command that takes --target has the same
// default (the newest released iOS in Apple's schema), accepts the beta seed
// with a note, and refuses versions it cannot know, naming the newest.
func TestTargetFlagAgrees(t *testing.T) {
	for name, run := range targetCommands(t) {
		t.Run(name, func(t *testing.T) {
			help := runCLI(t, nil, nil, name, "--help")
			if !strings.Contains(help.stdout, "(default ios:26.0, the newest released iOS in Apple's schema; the newest known is 27.0 (a beta seed, accepted with a note))") {
				t.Errorf("%s --help does not state the default target:\n%s", name, help.stdout)
			}
			if r := run(); r.code != exitOK || strings.Contains(r.stderr, "beta seed") {
				t.Errorf("default target: exit %d\n%s", r.code, r.stderr)
			}
			r := run("--target", "ios:27.0")
			if r.code != exitOK || !strings.Contains(r.stderr, "graph2mobileconfig: note: --target ios:27.0: iOS 27.0 is described by a beta seed of Apple's schema") {
				t.Errorf("ios:27.0: exit %d, want 0 and a note\n%s", r.code, r.stderr)
			}
			for _, bad := range []string{"ios:99", "ios:27.1", "ipados:28"} {
				r := run("--target", bad)
				if r.code != exitUsage || !strings.Contains(r.stderr, "the newest it knows is iOS 27.0 (a beta seed; the newest release is iOS 26.0)") {
					t.Errorf("%s: exit %d, want %d naming the newest known version\n%s", bad, r.code, exitUsage, r.stderr)
				}
			}
			if r := run("--target", "ios:26.4"); r.code != exitOK || strings.Contains(r.stderr, "note:") {
				t.Errorf("ios:26.4: exit %d\n%s", r.code, r.stderr)
			}
		})
	}
}

// TestBeyondGraphFlags checks --strict-algorithms, --post-quantum and
// --post-quantum-fallback on the command line.
func TestBeyondGraphFlags(t *testing.T) {
	input := repoPath("fixtures", "psk-ondemand", "input.json")
	compile := func(args ...string) (result, map[string]any) {
		out := filepath.Join(t.TempDir(), "out.mobileconfig")
		r := runCLI(t, nil, nil, append([]string{"compile", input, "-o", out}, args...)...)
		data, err := os.ReadFile(out)
		if err != nil {
			return r, nil
		}
		m, _, err := plistout.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		return r, m
	}
	r, m := compile("--strict-algorithms", "--post-quantum", "mlkem1024,mlkem768", "--post-quantum-fallback")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	ike := m["PayloadContent"].([]any)[0].(map[string]any)["IKEv2"].(map[string]any)
	for _, sa := range []string{"IKESecurityAssociationParameters", "ChildSecurityAssociationParameters"} {
		got := ike[sa].(map[string]any)["PostQuantumKeyExchangeMethods"]
		if l, ok := got.([]any); !ok || len(l) != 2 || l[0] != uint64(37) || l[1] != uint64(36) {
			t.Errorf("%s.PostQuantumKeyExchangeMethods = %#v, want [37 36] in the order given", sa, got)
		}
	}
	if ike["EnforceStrictAlgorithmSelection"] != uint64(1) || ike["AllowPostQuantumKeyExchangeFallback"] != uint64(1) {
		t.Errorf("IKEv2 = %v", ike)
	}
	for _, c := range []struct {
		args []string
		text string
	}{
		{[]string{"--strict-algorithms", "--target", "ios:17.4"}, "needs IKEv2.EnforceStrictAlgorithmSelection, which iOS 18.5 introduced; the target is iOS 17.4"},
		{[]string{"--post-quantum", "mlkem768", "--target", "ios:18.5"}, "iOS 26.0 introduced"},
		{[]string{"--post-quantum", "kyber768"}, "unknown key exchange"},
		{[]string{"--post-quantum", "mlkem768,mlkem768"}, "listed twice"},
		{[]string{"--post-quantum-fallback"}, "needs post-quantum key exchanges"},
		{[]string{"--var", "Host=a", "--var", "host=b"}, "differ only in case"},
		{[]string{"--var", "host=a", "--var", "host=b"}, "--var host is given twice"},
	} {
		r, _ := compile(c.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.text) {
			t.Errorf("%v: exit %d, want %d with %q\n%s", c.args, r.code, exitUsage, c.text, r.stderr)
		}
	}
	help := runCLI(t, nil, nil, "compile", "--help")
	for _, s := range []string{"--strict-algorithms", "--post-quantum mlkem768|mlkem1024[,...]", "ADDKE1..7 of RFC 9370", "NOT alternatives", "--post-quantum-fallback"} {
		if !strings.Contains(help.stdout, s) {
			t.Errorf("compile --help lacks %q", s)
		}
	}
}

// TestVarValuesAreChecked: --var values are substituted before the server
// address is checked, so they are refused as fixtures/bad/30 and /31 are,
// with --strict or without (issue 11, item 14).
func TestVarValuesAreChecked(t *testing.T) {
	export := filepath.Join(t.TempDir(), "export.json")
	data, err := os.ReadFile(repoPath("fixtures", "bad", "63-var-empty-server-address.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(export, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		value, like, text string
	}{
		{"host=", "30-empty-server-address.json", "server address is required"},
		{"host=vpn example com", "31-server-address-with-space.json", "not a host name or IP address"},
	} {
		like := runCLI(t, nil, nil, "compile", repoPath("fixtures", "bad", c.like), "-o", filepath.Join(t.TempDir(), "x.mobileconfig"))
		if like.code != exitError || !strings.Contains(like.stderr, c.text) {
			t.Fatalf("%s: exit %d\n%s", c.like, like.code, like.stderr)
		}
		for _, strict := range [][]string{nil, {"--strict"}} {
			out := filepath.Join(t.TempDir(), "x.mobileconfig")
			r := runCLI(t, nil, nil, append([]string{"compile", export, "-o", out, "--var", c.value}, strict...)...)
			if r.code != exitError || !strings.Contains(r.stderr, "$.server.address") || !strings.Contains(r.stderr, c.text) {
				t.Errorf("--var %q %v: exit %d, want %d like %s\n%s", c.value, strict, r.code, exitError, c.like, r.stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("--var %q: a profile was written", c.value)
			}
		}
	}
}

// TestIdentifiersFromUnusableIds compiles ids without a usable character
// (issue 11, item 16): never an empty or shared identifier, and --strict
// refuses the made-up one.
func TestIdentifiersFromUnusableIds(t *testing.T) {
	base, err := os.ReadFile(repoPath("fixtures", "psk-ondemand", "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, id := range []string{"...", ".", "日本語"} {
		export := filepath.Join(t.TempDir(), "export.json")
		data := strings.Replace(string(base), `"id": "9b2d1f70-3e55-4c8a-b0a1-6f4c7e2d9a13"`, `"id": "`+id+`"`, 1)
		if err := os.WriteFile(export, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "out.mobileconfig")
		r := runCLI(t, nil, nil, "compile", export, "-o", out, "--identifier-prefix", "com.contoso.warehouse")
		if r.code != exitOK || !strings.Contains(r.stderr, "has no character usable in an identifier") {
			t.Fatalf("id %q: exit %d\n%s", id, r.code, r.stderr)
		}
		raw, _ := os.ReadFile(out)
		m, _, err := plistout.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		ident, _ := m["PayloadIdentifier"].(string)
		if !strings.HasPrefix(ident, "com.contoso.warehouse.id-") || strings.HasSuffix(ident, ".") {
			t.Errorf("id %q: PayloadIdentifier %q", id, ident)
		}
		if prev, dup := seen[ident]; dup {
			t.Errorf("ids %q and %q share %s", prev, id, ident)
		}
		seen[ident] = id
		if r := runCLI(t, nil, nil, "compile", export, "-o", filepath.Join(t.TempDir(), "s.mobileconfig"), "--strict"); r.code != exitError {
			t.Errorf("id %q with --strict: exit %d", id, r.code)
		}
	}
}

// TestDeliveryRefusesUnresolvedVariables: mdm-command and deploy refuse a
// profile that still holds {{variables}}, which nothing on their path
// substitutes, unless --allow-unresolved says an MDM will.
func TestDeliveryRefusesUnresolvedVariables(t *testing.T) {
	profile := repoPath("fixtures", "always-on", "expected.mobileconfig") // LocalIdentifier {{serialnumber}}.kiosk...
	clean := repoPath("fixtures", "psk-ondemand", "expected.mobileconfig")
	const where = "PayloadContent[2].AlwaysOn.TunnelConfigurations[0].LocalIdentifier holds the variable {{serialnumber}}"

	r := runCLI(t, nil, nil, "mdm-command", profile, "-o", "-")
	if r.code != exitError || !strings.Contains(r.stderr, where) || !strings.Contains(r.stderr, "--allow-unresolved") || r.stdout != "" {
		t.Errorf("mdm-command: exit %d, stdout %d bytes\n%s", r.code, len(r.stdout), r.stderr)
	}
	r = runCLI(t, nil, nil, "mdm-command", profile, "--allow-unresolved", "-o", "-")
	if r.code != exitOK || !strings.Contains(r.stderr, "warning: ") || !strings.Contains(r.stderr, where) || !strings.Contains(r.stdout, "InstallProfile") {
		t.Errorf("mdm-command --allow-unresolved: exit %d\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, nil, "mdm-command", clean, "-o", "-"); r.code != exitOK || strings.Contains(r.stderr, "variable") {
		t.Errorf("mdm-command on a profile without variables: exit %d\n%s", r.code, r.stderr)
	}

	srv := nanomdmtest.Start(t, nanomdmtest.Options{APIKey: deployTestKey})
	dev := srv.NewDevice(t, "")
	dev.Enroll(t)
	env := map[string]string{envMDMAPIKey: deployTestKey}
	deploy := []string{"deploy", profile, "--nanomdm-url", srv.URL, "--udid", dev.UDID, "--no-push", "--allow-unsigned"}
	r = runCLI(t, nil, env, deploy...)
	if r.code != exitError || !strings.Contains(r.stderr, where) || !strings.Contains(r.stderr, "nothing was sent") {
		t.Errorf("deploy: exit %d\n%s", r.code, r.stderr)
	}
	if cmd := dev.Idle(t); cmd != nil {
		t.Fatalf("deploy refused the profile but the device got a command:\n%s", cmd)
	}
	r = runCLI(t, nil, env, append(deploy, "--allow-unresolved")...)
	if r.code != exitOK || !strings.Contains(r.stderr, where) {
		t.Errorf("deploy --allow-unresolved: exit %d\n%s", r.code, r.stderr)
	}
	if cmd := dev.Idle(t); cmd == nil {
		t.Error("deploy --allow-unresolved queued nothing")
	}
}

// findings prints every finding of a list, one a line, for failure
// messages: a diag.List is an error value, so %v prints only its errors, and
// "no errors" for a list of warnings.
func findings(l diag.List) string {
	if len(l) == 0 {
		return " (none)"
	}
	var b strings.Builder
	for _, d := range l {
		b.WriteString("\n\t" + d.String())
	}
	return b.String()
}
