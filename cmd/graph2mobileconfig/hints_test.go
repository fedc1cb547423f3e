package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/strongswan"
)

// TestEveryHintHasFlags: the command line has its own words for every hint
// code the library can give, naming its flags (or its batch command), and
// none for a code the library does not have.
func TestEveryHintHasFlags(t *testing.T) {
	for _, code := range diag.HintCodes() {
		f := flagHints[code]
		if f == nil {
			t.Errorf("no command-line hint for %q", code)
			continue
		}
		text := f("name")
		if !strings.Contains(text, "--") && !strings.Contains(text, "graph2mobileconfig batch") {
			t.Errorf("%s: %q names no flag", code, text)
		}
		if strings.Contains(text, "Options.") {
			t.Errorf("%s: %q names a Go option", code, text)
		}
	}
	for code := range flagHints {
		if !slices.Contains(diag.HintCodes(), code) {
			t.Errorf("a command-line hint for %q, which diag does not list", code)
		}
	}
	if got := flagHint(diag.Hint{Code: diag.HintVar, Arg: "deviceid", Text: "go"}); got != "give --var deviceid=VALUE" {
		t.Errorf("var hint: %q", got)
	}
	if got := flagHint(diag.Hint{Code: "unknown", Text: "go"}); got != "" {
		t.Errorf("an unknown code gets %q, want the library's text kept", got)
	}
}

// TestEveryStrongswanHintHasFlags: dial and server-config have their own
// words for every hint code of the strongswan package, naming their flags;
// a code of both packages (the variable's) means the same remedy, and the
// others are the strongswan package's alone.
func TestEveryStrongswanHintHasFlags(t *testing.T) {
	for _, code := range strongswan.HintCodes() {
		for _, command := range []string{"dial", "server-config"} {
			text := strongswanHint(command)(diag.Hint{Code: code, Arg: "name", Text: "Go"})
			if !strings.Contains(text, "--") || strings.Contains(text, "Options.") {
				t.Errorf("%s, %s: %q names no flag, or a Go option", command, code, text)
			}
		}
		if _, own := strongswanFlagHints[code]; own == slices.Contains(diag.HintCodes(), code) {
			t.Errorf("%s: in strongswanFlagHints %v, a diag code %v: want one of the two", code, own, !own)
		}
	}
	for code := range strongswanFlagHints {
		if !slices.Contains(strongswan.HintCodes(), code) {
			t.Errorf("a command-line hint for %q, which strongswan does not list", code)
		}
	}
	// server-config's --server-ca embeds a CA; the remedy is dial's.
	if got := strongswanHint("server-config")(diag.Hint{Code: strongswan.HintServerCA}); !strings.Contains(got, "dial") {
		t.Errorf("server-config's words for %s: %q", strongswan.HintServerCA, got)
	}
	if got := strongswanHint("dial")(diag.Hint{Code: strongswan.HintVar, Arg: "serialnumber"}); got != "give --var serialnumber=VALUE" {
		t.Errorf("dial's words for the variable: %q", got)
	}
}

// TestHintsInTheCommandOutput: the command prints the flags where the
// library names its options, in text and in JSON (where the hint keeps its
// code), for compile, batch and lint alike.
func TestHintsInTheCommandOutput(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(fixtureDir("psk-ondemand"), "input.json")

	r := runCLI(t, nil, nil, "compile", input, "-o", filepath.Join(dir, "a.mobileconfig"))
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	wantSubstrings(t, "compile stderr", r.stderr, "anyone who can read the file can use it; sign it (--sign-p12 or --sign-cert/--sign-key) and encrypt it to the device (--encrypt-to)")

	r = runCLI(t, nil, nil, "compile", input, "-o", filepath.Join(dir, "b.mobileconfig"), "--json")
	var rep struct {
		Diagnostics diag.List `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	i := slices.IndexFunc(rep.Diagnostics, func(d diag.Diagnostic) bool { return d.Code == "unprotected-secret" })
	if i < 0 {
		t.Fatalf("no unprotected-secret in %s", r.stdout)
	}
	if h := rep.Diagnostics[i].Hint; h.Code != diag.HintSignEncrypt || !strings.Contains(h.Text, "--sign-p12") || strings.Contains(rep.Diagnostics[i].Message, "--") {
		t.Errorf("JSON: message %q, hint %+v", rep.Diagnostics[i].Message, h)
	}

	// Certificate authentication without an identity: batch's entries.
	certAuth := filepath.Join(dir, "in", "cert.json")
	if err := os.Mkdir(filepath.Dir(certAuth), 0o755); err != nil {
		t.Fatal(err)
	}
	writeOrFail(t, certAuth, []byte(strings.Replace(string(readOrFail(t, input)), `"authenticationMethod": "sharedSecret"`, `"authenticationMethod": "certificate"`, 1)))
	r = runCLI(t, nil, nil, "batch", filepath.Dir(certAuth), "--out-dir", filepath.Join(dir, "out"), "-q")
	wantSubstrings(t, "batch stderr", r.stderr, "give that SCEP profile's export with --with FILE", "--identity-uuid UUID")

	// lint: a variable left for the MDM.
	profile := compileFixture(t, "scep-separate", filepath.Join(dir, "scep.mobileconfig"))
	r = runCLI(t, nil, nil, "lint", profile)
	wantSubstrings(t, "lint stdout", r.stdout, "is a variable for an MDM to substitute on delivery", "mdm-command and deploy refuse it unless --allow-unresolved")
}

// TestOptionErrorsNameFlags: an option the library refuses is reported with
// the flag that set it.
func TestOptionErrorsNameFlags(t *testing.T) {
	input := filepath.Join(fixtureDir("psk-ondemand"), "input.json")
	out := filepath.Join(t.TempDir(), "x.mobileconfig")
	r := runCLI(t, nil, nil, "compile", input, "-o", out, "--strict-algorithms", "--target", "ios:17.4")
	if r.code != exitUsage || !strings.Contains(r.stderr, "graph2mobileconfig compile: --strict-algorithms: strict algorithm selection needs IKEv2.EnforceStrictAlgorithmSelection") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	r = runCLI(t, nil, nil, "compile", input, "-o", out, "--var", "A=1", "--var", "a=2")
	if r.code != exitUsage || !strings.Contains(r.stderr, `graph2mobileconfig compile: --var: the variables "A" and "a" differ only in case`) {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}
