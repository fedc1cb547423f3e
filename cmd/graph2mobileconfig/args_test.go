package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// TestFlagsAfterArguments: flags may follow the arguments, as in the
// README's quick start, and are the same as before them.
func TestFlagsAfterArguments(t *testing.T) {
	input := repoPath("fixtures", "psk-ondemand", "input.json")
	want := readOrFail(t, repoPath("fixtures", "psk-ondemand", "expected.mobileconfig"))
	dir := t.TempDir()
	for name, args := range map[string][]string{
		"after":  {"compile", input, "-o", filepath.Join(dir, "after.mobileconfig"), "--identifier-prefix", "com.contoso.warehouse"},
		"before": {"compile", "-o", filepath.Join(dir, "before.mobileconfig"), "--identifier-prefix", "com.contoso.warehouse", input},
		"around": {"compile", "--identifier-prefix", "com.contoso.warehouse", input, "-o", filepath.Join(dir, "around.mobileconfig")},
		"equals": {"compile", input, "--output=" + filepath.Join(dir, "equals.mobileconfig"), "--identifier-prefix=com.contoso.warehouse"},
	} {
		r := runCLI(t, nil, nil, args...)
		if r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s", name, r.code, r.stderr)
		}
		if got := readOrFail(t, filepath.Join(dir, name+".mobileconfig")); string(got) != string(want) {
			t.Errorf("%s: the profile differs from the fixture's", name)
		}
	}
	// Repeatable flags gather their values from every place.
	root := repoPath("fixtures", "testpki", "root-ca.pem")
	out := filepath.Join(dir, "two-cas.mobileconfig")
	r := runCLI(t, nil, nil, "compile", "--server-ca", root, input, "-o", out, "--server-ca", repoPath("fixtures", "testpki", "client.pem"), "--identifier-prefix", "x.y")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	// The root becomes a root payload, the client certificate (no CA) a
	// pkcs1 one.
	profile := string(readOrFail(t, out))
	if !strings.Contains(profile, "<string>com.apple.security.root</string>") || !strings.Contains(profile, "<string>com.apple.security.pkcs1</string>") {
		t.Errorf("the --server-ca before INPUT or the one after it is missing:\n%s", profile)
	}
}

// TestFlagWithoutValue: a flag that takes a value and has none is a usage
// error in every command, wherever it stands, and nothing is written. It
// was once taken as the value "--", which the reordering of the arguments
// had put after it: "compile in.json -o" wrote a file named "--" and
// exited 0.
func TestFlagWithoutValue(t *testing.T) {
	input, err := filepath.Abs(repoPath("fixtures", "psk-ondemand", "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	app := newApp(env{}, nil)
	checked := 0
	for _, cmd := range app.Commands {
		for _, f := range cmd.Flags {
			if !takesValue(f) {
				continue
			}
			name := dashed(f.Names()[0])
			for _, args := range [][]string{
				{cmd.Name, input, name},
				{cmd.Name, name},
				{cmd.Name, input, name, "--", "more"},
			} {
				checked++
				r := runCLI(t, nil, nil, args...)
				if r.code != exitUsage || !strings.Contains(r.stderr, "flag needs an argument: "+strings.TrimPrefix(name, "-")) ||
					!strings.Contains(r.stderr, "Run 'graph2mobileconfig "+cmd.Name+" --help' for usage.") {
					t.Errorf("%q: exit %d, want %d naming the flag and the command's help\n%s", args, r.code, exitUsage, r.stderr)
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d cases: the commands lost their flags?", checked)
	}
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		t.Errorf("%s was written", e.Name())
	}
}

// TestDoubleDash: "--" ends the flags; what follows is an argument even
// when it starts with "-".
func TestDoubleDash(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.mobileconfig")
	r := runCLI(t, nil, nil, "compile", "-o", out, "--", "-o")
	if r.code != exitError || !strings.Contains(r.stderr, "cannot read the input: open -o: no such file") {
		t.Errorf("exit %d, want the file -o to be read:\n%s", r.code, r.stderr)
	}
	r = runCLI(t, nil, nil, "compile", repoPath("fixtures", "psk-ondemand", "input.json"), "--", "-o", out)
	if r.code != exitUsage || !strings.Contains(r.stderr, "compile takes exactly one INPUT") {
		t.Errorf("exit %d, want three arguments refused:\n%s", r.code, r.stderr)
	}
	wantNoOutputFile(t, out)
}

// TestUsageErrors: every usage error says which command's help to read;
// the program's own, the program's.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
		help string
	}{
		{[]string{"compile", "in.json", "--no-such-flag"}, "graph2mobileconfig compile: flag provided but not defined: -no-such-flag", "graph2mobileconfig compile --help"},
		{[]string{"verify"}, "graph2mobileconfig verify: verify takes exactly one FILE", "graph2mobileconfig verify --help"},
		{[]string{"batch", "x", "--jobs", "many"}, `invalid value "many" for flag -jobs`, "graph2mobileconfig batch --help"},
		{[]string{"compile", "in.json", "-o", "a", "--output", "b"}, "--output and -o are the same flag; give it once", "graph2mobileconfig compile --help"},
		{[]string{"--no-such-flag"}, "graph2mobileconfig: flag provided but not defined: -no-such-flag", "graph2mobileconfig --help"},
		{[]string{"no-such-command"}, `unknown command "no-such-command"`, "graph2mobileconfig --help"},
	}
	for _, tt := range tests {
		r := runCLI(t, nil, nil, tt.args...)
		if r.code != exitUsage {
			t.Errorf("%q: exit %d, want %d\n%s", tt.args, r.code, exitUsage, r.stderr)
		}
		wantSubstrings(t, strings.Join(tt.args, " "), r.stderr, tt.want, "Run '"+tt.help+"' for usage.")
	}
}

// TestHelpAfterArguments: --help anywhere shows the command's help and
// runs nothing.
func TestHelpAfterArguments(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.mobileconfig")
	for _, h := range []string{"--help", "-h"} {
		r := runCLI(t, nil, nil, "compile", repoPath("fixtures", "psk-ondemand", "input.json"), "-o", out, h)
		if r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s", h, r.code, r.stderr)
		}
		wantSubstrings(t, "compile "+h, r.stdout, "NAME:\n   graph2mobileconfig compile - ", "OPTIONS:", "EXAMPLES:")
		wantNoOutputFile(t, out)
	}
}

// TestStandardInputOnce: standard input can be read for one thing only.
func TestStandardInputOnce(t *testing.T) {
	pki := testPKI(t)
	out := filepath.Join(t.TempDir(), "out.mobileconfig")
	p12 := filepath.Join(pki, "client.p12")
	tests := [][]string{
		{"compile", "-", "-o", out, "--sign-p12", p12, "--sign-password-file", "-"},
		{"sign", "-", "-o", out, "--sign-p12", p12, "--sign-password-file", "-"},
		{"compile", "in.json", "-o", out, "--identity", p12, "--identity-password-file", "-", "--sign-p12", p12, "--sign-password-file", "-"},
	}
	for _, args := range tests {
		r := runCLI(t, strings.NewReader("x"), nil, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "standard input (-) can be read only once") {
			t.Errorf("%q: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	wantNoOutputFile(t, out)
}

// TestDeprecatedSpellings: the flags renamed so that a name has one meaning
// everywhere still work under their old names, with a notice naming the
// new one, and do what the new one does.
func TestDeprecatedSpellings(t *testing.T) {
	pki := testPKI(t)
	input := repoPath("fixtures", "machine-cert", "input.json")
	dir := t.TempDir()
	base := []string{"--identity", filepath.Join(pki, "client.p12"), "--identity-password-file", filepath.Join(pki, "client.p12.pass"), "--identifier-prefix", "com.fabrikam.vpn", "--organization", "Fabrikam Ltd"}
	compile := func(out string, args ...string) result {
		return runCLI(t, nil, nil, append(append([]string{"compile", input, "-o", filepath.Join(dir, out)}, base...), args...)...)
	}
	newer := compile("new.mobileconfig", "--server-ca", filepath.Join(pki, "root-ca.pem"), "--plist-format", "binary", "--json")
	older := compile("old.mobileconfig", "--ca", filepath.Join(pki, "root-ca.pem"), "--format", "binary", "--diagnostics", "json")
	if newer.code != exitOK || older.code != exitOK {
		t.Fatalf("exit %d and %d\n%s\n%s", newer.code, older.code, newer.stderr, older.stderr)
	}
	if a, b := readOrFail(t, filepath.Join(dir, "new.mobileconfig")), readOrFail(t, filepath.Join(dir, "old.mobileconfig")); string(a) != string(b) {
		t.Errorf("the old spellings made another profile")
	}
	wantSubstrings(t, "old spellings", older.stderr,
		"graph2mobileconfig: warning: --ca is deprecated in compile: use --server-ca;",
		"graph2mobileconfig: warning: --format is deprecated in compile: use --plist-format;",
		"graph2mobileconfig: warning: --diagnostics json is deprecated: use --json;")
	// --diagnostics json printed on standard error, and still does.
	if !strings.Contains(older.stderr, `"ok": true`) || !strings.Contains(newer.stdout, `"ok": true`) || strings.Contains(newer.stderr, "deprecated") {
		t.Errorf("JSON reports: old on stderr %q, new on stdout %q", older.stderr, newer.stdout)
	}

	signed := filepath.Join(dir, "signed.mobileconfig")
	if r := runCLI(t, nil, nil, "sign", filepath.Join(dir, "new.mobileconfig"), "-o", signed, "--sign-p12", filepath.Join(pki, "client.p12"), "--sign-password-file", filepath.Join(pki, "client.p12.pass")); r.code != exitOK {
		t.Fatalf("sign: exit %d\n%s", r.code, r.stderr)
	}
	r := runCLI(t, nil, nil, "verify", signed, "--ca", filepath.Join(pki, "root-ca.pem"))
	if r.code != exitOK || !strings.Contains(r.stdout, "Chain:         trusted") || !strings.Contains(r.stderr, "--ca is deprecated in verify: use --roots") {
		t.Errorf("verify --ca: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = runCLI(t, nil, nil, "mapping", "--format", "json")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "[") || !strings.Contains(r.stderr, "--format json is deprecated: use --json") {
		t.Errorf("mapping --format json: exit %d\n%.200s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, nil, "mapping", "--format", "markdown")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "#") || !strings.Contains(r.stderr, "--format markdown is deprecated: it is the default, leave it out") {
		t.Errorf("mapping --format markdown: exit %d\n%.200s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, nil, "mapping", "--format", "yaml")
	if r.code != exitUsage || !strings.Contains(r.stderr, `--format "yaml": want json (better: --json) or markdown (the default)`) {
		t.Errorf("mapping --format yaml: exit %d\n%s", r.code, r.stderr)
	}

	r = runCLI(t, nil, nil, "mdm-command", signed, "--format", "micromdm", "--udid", "DEVICE-1", "-o", "-", "--command-uuid", mdmTestUUID)
	if r.code != exitOK || !strings.Contains(r.stdout, `"udid": "DEVICE-1"`) || !strings.Contains(r.stderr, "--format is deprecated in mdm-command: use --mdm") {
		t.Errorf("mdm-command --format micromdm: exit %d\n%.200s\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, nil, nil, "mdm-command", signed, "--format", "plist", "--mdm", "nanomdm", "-o", "-")
	if r.code != exitUsage || !strings.Contains(r.stderr, "--format is the old spelling of --mdm; give --mdm only") {
		t.Errorf("both spellings: exit %d\n%s", r.code, r.stderr)
	}
}

// flagMeanings is the one meaning of every flag name, in every command that
// has it. A flag added to a command must be listed here (or use a name
// listed with its meaning), so that one name never means two things, as
// --ca once did (the CA embedded for the VPN server in compile, the
// signer's trust root in verify) and --format (the plist encoding, the
// mapping's format, the MDM's command format).
var flagMeanings = map[string]string{
	"output":                  "the output file; - is standard output",
	"json":                    "print the command's report or result as JSON",
	"verbose":                 "print more detail on standard error",
	"quiet":                   "print less",
	"progress":                "show progress where it would not be shown",
	"force":                   "replace an output path that is a symbolic link",
	"max-input-size":          "the largest input read, in bytes",
	"target":                  "the device OS version, ios:VERSION",
	"plist-format":            "the property list encoding of the written profile",
	"organization":            "PayloadOrganization",
	"identifier-prefix":       "the PayloadIdentifier prefix",
	"identity":                "the client identity (PKCS#12 file) of the VPN",
	"identity-password-file":  "the password of --identity",
	"identity-uuid":           "the PayloadUUID of an identity payload the MDM delivers",
	"identity-cert":           "the client certificate of the VPN, with --identity-key",
	"identity-key":            "the private key of --identity-cert",
	"server-ca":               "a CA certificate of the VPN server",
	"var":                     "a value for a {{variable}}",
	"strict":                  "warnings are errors",
	"strict-algorithms":       "EnforceStrictAlgorithmSelection",
	"post-quantum":            "PostQuantumKeyExchangeMethods",
	"post-quantum-fallback":   "AllowPostQuantumKeyExchangeFallback",
	"with":                    "an Intune certificate profile export",
	"scep-challenge-file":     "the file holding the SCEP challenge",
	"scep-challenge-variable": "the MDM variable for the SCEP challenge",
	"scep-name":               "the SCEP payload's Name",
	"sign-cert":               "the signer's certificate",
	"sign-key":                "the signer's private key",
	"sign-chain":              "the signer's intermediates",
	"sign-p12":                "the signer's PKCS#12 identity",
	"sign-password-file":      "the password of the signer's key",
	"encrypt-to":              "the device certificate the payloads are encrypted to",
	"out-dir":                 "the folder of batch's profiles",
	"jobs":                    "how many entities are compiled at once",
	"report":                  "batch's JSON report file",
	"resign":                  "replace a signature",
	"roots":                   "a trusted root the profile's signer must chain to",
	"system-roots":            "trust the system's roots for the signer",
	"decrypt-key":             "the private key of the device the payloads are encrypted to",
	"decrypt-cert":            "the certificate of that device",
	"decrypt-password-file":   "the password of --decrypt-key",
	"summary-only":            "inspect's summary without the XML",
	"show-secrets":            "show secrets unredacted",
	"mdm":                     "the MDM the command is for",
	"udid":                    "device UDIDs",
	"command-uuid":            "the CommandUUID",
	"remove":                  "build RemoveProfile for this PayloadIdentifier",
	"allow-unresolved":        "send a profile with {{variables}}",
	"allow-unsigned":          "deploy unsigned profiles",
	"nanomdm-url":             "the NanoMDM server's root URL",
	"api-user":                "the NanoMDM API user",
	"api-key-file":            "the file holding the NanoMDM API key",
	"no-push":                 "queue without an APNs push",
	"timeout":                 "give up after this duration",
	"pool":                    "the server's virtual IP pool",
	"dns":                     "the DNS servers given to devices",
	"split-networks":          "the networks of a split tunnel",
	"server-cert":             "the VPN server's certificate",
	"server-key":              "the VPN server's key",
	"client-ca":               "the CA that issues device certificates, for the server",
	"include-secrets":         "write secrets into the server configuration",
	"eap-user":                "the EAP user name",
	"eap-password-file":       "the file holding the EAP password",
	"connection-name":         "the swanctl connection name",
	"payload":                 "the VPN payload to use, by identifier or UUID",
	"vici":                    "the VICI socket of a running charon",
	"strongswan-conf":         "the strongswan.conf of that charon",
	"route":                   "let charon install routes",
	"server":                  "the VPN server address to connect to",
	"tunnel":                  "the always-on tunnel to dial",
	"netns":                   "the network namespace of the private charon",
	"hold":                    "how long the tunnel stays up",
	"help":                    "show help",
}

// deprecatedNames are the old spellings, hidden from help.
var deprecatedNames = []string{"ca", "format", "diagnostics"}

// TestFlagInventory: every flag of every command is in flagMeanings, the
// old spellings are hidden, and a name is a switch everywhere or takes a
// value everywhere.
func TestFlagInventory(t *testing.T) {
	app := newApp(env{}, nil)
	kinds := map[string]string{}
	for _, cmd := range app.Commands {
		for _, f := range cmd.Flags {
			name := f.Names()[0]
			visible := slices.ContainsFunc(cmd.VisibleFlags(), func(v cli.Flag) bool { return v == f })
			if slices.Contains(deprecatedNames, name) {
				if visible {
					t.Errorf("%s --%s: an old spelling is shown in help", cmd.Name, name)
				}
				continue
			}
			if _, ok := flagMeanings[name]; !ok {
				t.Errorf("%s --%s is not in flagMeanings: give it a name with one meaning", cmd.Name, name)
			}
			kind := "switch"
			if takesValue(f) {
				kind = "flag with a value"
			}
			if k, ok := kinds[name]; ok && k != kind {
				t.Errorf("--%s is a %s in %s but a %s elsewhere", name, kind, cmd.Name, k)
			}
			kinds[name] = kind
		}
	}
}
