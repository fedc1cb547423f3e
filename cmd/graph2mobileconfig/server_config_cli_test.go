package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/strongswan"
)

// These tests need no root and no strongSwan: they check what server-config
// writes and what dial refuses before it starts a charon.

func TestServerConfigFromGraphJSON(t *testing.T) {
	out := filepath.Join(t.TempDir(), "swanctl.conf")
	r := runCLI(t, nil, nil, "server-config", repoPath("fixtures", "psk-ondemand", "input.json"), "-o", out,
		"--split-networks", "10.20.0.0/16", "--pool", "10.30.0.0/24", "--dns", "10.20.0.53", "--identifier-prefix", "com.contoso.warehouse")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	compiled := filepath.Join(t.TempDir(), "p.mobileconfig")
	if r := runCLI(t, nil, nil, "compile", repoPath("fixtures", "psk-ondemand", "input.json"), "-o", compiled, "--identifier-prefix", "com.contoso.warehouse"); r.code != exitOK {
		t.Fatalf("compile: %s", r.stderr)
	}
	sum := fileSHA256(t, compiled)
	for _, want := range []string{
		"# SHA-256:      " + sum,
		"proposals = aes256-sha256-prfsha256-modp2048",
		"esp_proposals = aes128gcm16",
		"local_ts = 10.20.0.0/16",
		"addrs = 10.30.0.0/24",
		"dns = 10.20.0.53",
		"subnet = 10.20.0.0/16",
		"dpd_delay = 1m",
		"id = gw.warehouse.example",
		"# secret = <the profile's SharedSecret",
		"charon.follow_redirects",
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("swanctl.conf lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(string(text), "correct-horse-battery-staple-42") {
		t.Errorf("the shared secret is in the file without --include-secrets")
	}
	if !strings.Contains(r.stderr, "secrets are left out") {
		t.Errorf("no warning about the left-out secret: %q", r.stderr)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v without secrets, want 0644", fi.Mode().Perm())
	}
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestServerConfigSecrets(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "swanctl.conf")
	input := repoPath("fixtures", "psk-ondemand", "expected.mobileconfig")
	r := runCLI(t, nil, nil, "server-config", input, "--include-secrets", "--split-networks", "10.0.0.0/8")
	if r.code != exitUsage || !strings.Contains(r.stderr, "never printed") || strings.Contains(r.stdout, "correct-horse") {
		t.Errorf("--include-secrets to standard output: exit %d, stderr %q, stdout holds the secret: %v", r.code, r.stderr, strings.Contains(r.stdout, "correct-horse"))
	}
	r = runCLI(t, nil, nil, "server-config", input, "-o", out, "--include-secrets", "--split-networks", "10.0.0.0/8")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	text, _ := os.ReadFile(out)
	if !strings.Contains(string(text), "secret = correct-horse-battery-staple-42 # SharedSecret") {
		t.Errorf("the secret is missing:\n%s", text)
	}
	if fi, _ := os.Stat(out); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v with secrets, want 0600", fi.Mode().Perm())
	}
	if strings.Contains(r.stdout+r.stderr, "correct-horse") {
		t.Errorf("the secret was printed")
	}
}

func TestServerConfigUsage(t *testing.T) {
	split := repoPath("fixtures", "psk-ondemand", "expected.mobileconfig")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{split}, exitUsage, "--split-networks"},
		{[]string{split, "--split-networks", "10.0.0.0/8", "--pool", "banana"}, exitUsage, `--pool "banana"`},
		{[]string{split, "--split-networks", "10.0.0.0/8", "--dns", "x"}, exitUsage, `--dns "x"`},
		{[]string{repoPath("fixtures", "machine-cert", "expected.mobileconfig"), "--split-networks", "10.0.0.0/8"}, exitError, "split networks do not apply"},
		{[]string{repoPath("fixtures", "bad", "48-azure-ad.json")}, exitError, "nothing written"},
		{[]string{repoPath("fixtures", "psk-ondemand", "input.json")}, exitUsage, "--split-networks"},
		{[]string{split, "--payload", "no.such.payload", "--split-networks", "10.0.0.0/8"}, exitError, `no VPN payload has the PayloadIdentifier or PayloadUUID "no.such.payload"`},
	} {
		r := runCLI(t, nil, nil, append([]string{"server-config"}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("server-config %v: exit %d, stderr %q; want exit %d and %q", c.args, r.code, r.stderr, c.code, c.want)
		}
	}
}

// TestServerConfigChecksServerCertificate reads --server-cert and says what
// the device would refuse in it.
func TestServerConfigChecksServerCertificate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "swanctl.conf")
	r := runCLI(t, nil, nil, "server-config", repoPath("fixtures", "machine-cert", "expected.mobileconfig"), "-o", out,
		"--server-cert", repoPath("fixtures", "testpki", "client.pem"))
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{`does not name RemoteIdentifier "vpn.fabrikam.example"`, "not ServerCertificateCommonName", "TLS server authentication"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, r.stderr)
		}
	}
	text, _ := os.ReadFile(out)
	if !strings.Contains(string(text), "certs = client.pem\n") || !strings.Contains(string(text), "x509/client.pem ") {
		t.Errorf("a local --server-cert path is not named by its file name in x509/:\n%s", text)
	}
	if !strings.Contains(string(text), "#   WARNING: it does not name RemoteIdentifier") {
		t.Errorf("the configuration does not carry the warning:\n%s", text)
	}
}

// TestDialRefusesBeforeStarting covers what dial checks before it needs a
// charon.
func TestDialRefusesBeforeStarting(t *testing.T) {
	dir := t.TempDir()
	eapOnly := repoPath("fixtures", "eap-only", "expected.mobileconfig")
	encrypted := filepath.Join(dir, "encrypted.mobileconfig")
	pki := testPKI(t)
	if r := runCLI(t, nil, nil, "compile", repoPath("fixtures", "psk-ondemand", "input.json"), "-o", encrypted, "--encrypt-to", filepath.Join(pki, "client.pem")); r.code != exitOK {
		t.Fatalf("compile: %s", r.stderr)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{eapOnly}, exitError, "EAP-MSCHAPv2 needs a user name: the profile has no AuthName (the device asks the user); give --eap-user NAME"},
		{[]string{eapOnly, "--eap-user", "alice"}, exitError, "(the device asks the user); give --eap-password-file FILE (or set GRAPH2MOBILECONFIG_EAP_PASSWORD)"},
		{[]string{encrypted}, exitError, "the payloads are encrypted"},
		{[]string{repoPath("fixtures", "always-on", "expected.mobileconfig")}, exitError, "holds the MDM variable {{serialnumber}}, which the MDM fills on each device; give --var serialnumber=VALUE"},
		{[]string{repoPath("fixtures", "always-on", "expected.mobileconfig"), "--tunnel", "2"}, exitUsage, "--tunnel 2: the profile has 1 tunnel(s)"},
		{[]string{eapOnly, "--netns", "x", "--vici", "unix:///x"}, exitUsage, "--netns applies to the private charon"},
		{[]string{eapOnly, "--target", "android:14"}, exitUsage, "--target"},
	} {
		r := runCLI(t, nil, nil, append([]string{"dial"}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("dial %v: exit %d, stderr %q; want exit %d and %q", c.args, r.code, r.stderr, c.code, c.want)
		}
	}
}

// TestServerConfigJSON: with --json every finding is in one JSON document
// and none is printed as text: the compile's warnings and server-config's
// own (with their hints in the command's words, and their codes), on
// standard error when the configuration goes to standard output, on
// standard output with -o FILE; for a profile as INPUT too; and an error
// about the profile is in the document with the findings so far. (The
// server configuration's warnings followed the document as text lines
// before.)
func TestServerConfigJSON(t *testing.T) {
	input := repoPath("fixtures", "psk-ondemand", "input.json")
	args := []string{"--split-networks", "10.0.0.0/8", "--identifier-prefix", "com.contoso.vpn"}
	// decode reads exactly one JSON document, and nothing after it.
	decode := func(t *testing.T, where, text string) jsonReport {
		t.Helper()
		var rep jsonReport
		dec := json.NewDecoder(strings.NewReader(text))
		if err := dec.Decode(&rep); err != nil {
			t.Fatalf("%s is not a JSON document: %v\n%s", where, err, text)
		}
		if rest, _ := io.ReadAll(dec.Buffered()); strings.TrimSpace(string(rest)) != "" || dec.More() {
			t.Errorf("%s holds more than the JSON document: %q", where, rest)
		}
		return rep
	}
	code := func(rep jsonReport, code string) (diag.Diagnostic, bool) {
		i := slices.IndexFunc(rep.Diagnostics, func(d diag.Diagnostic) bool { return d.Code == code })
		if i < 0 {
			return diag.Diagnostic{}, false
		}
		return rep.Diagnostics[i], true
	}
	check := func(t *testing.T, rep jsonReport, output string) {
		t.Helper()
		if !rep.OK || rep.Input != input || rep.Output != output || rep.Error != "" {
			t.Errorf("report %+v", rep)
		}
		// A finding of the compile and a warning of server-config, whose
		// hint names the flag.
		if _, ok := code(rep, "input-shape"); !ok {
			t.Errorf("no finding of the compile in %v", rep.Diagnostics)
		}
		if d, ok := code(rep, strongswan.WarnSecretsLeftOut); !ok || d.Hint.Code != strongswan.HintIncludeSecrets || !strings.Contains(d.Hint.Text, "--include-secrets") ||
			strings.Contains(d.Message, "--") {
			t.Errorf("server-config's warning: %+v", d)
		}
	}

	r := runCLI(t, nil, nil, append([]string{"server-config", input, "--json"}, args...)...)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "# swanctl.conf") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	check(t, decode(t, "standard error", r.stderr), "")

	out := filepath.Join(t.TempDir(), "swanctl.conf")
	r = runCLI(t, nil, nil, append([]string{"server-config", input, "--json", "-o", out}, args...)...)
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("with -o FILE: exit %d, stderr %q", r.code, r.stderr)
	}
	check(t, decode(t, "standard output", r.stdout), out)

	// A profile whose signature no longer verifies: that finding and
	// server-config's warnings; as text lines without --json.
	_, signed, _ := signedTestProfile(t, readOrFail(t, repoPath("fixtures", "scep-separate", "expected.mobileconfig")))
	profile := writeOrFail(t, filepath.Join(t.TempDir(), "tampered.mobileconfig"), bytes.Replace(signed, []byte("scep.contoso.example"), []byte("scep.contoso.exampl3"), 1))
	r = runCLI(t, nil, nil, "server-config", profile, "--json")
	if r.code != exitOK {
		t.Fatalf("a profile: exit %d\n%s", r.code, r.stderr)
	}
	rep := decode(t, "standard error", r.stderr)
	if d, ok := code(rep, strongswan.WarnClientCAUnset); !rep.OK || !ok || d.Hint.Code != strongswan.HintClientCA || !strings.Contains(d.Hint.Text, "--client-ca") {
		t.Errorf("a profile: %+v", rep)
	}
	if d, ok := code(rep, "invalid-signature"); !ok || d.Severity != diag.Warning || !strings.Contains(d.Message, "the signature is not valid") {
		t.Errorf("a tampered profile: %+v", rep)
	}
	r = runCLI(t, nil, nil, "server-config", profile)
	wantSubstrings(t, "stderr", r.stderr, "graph2mobileconfig: "+profile+": warning: the signature is not valid",
		"graph2mobileconfig: warning: the device certificates come from the SCEP server's CA")
	if d, ok := code(rep, strongswan.WarnClientIdentity); !ok || d.Key != "IKEv2.LocalIdentifier" {
		t.Errorf("a profile: the client identity's warning %+v", d)
	}

	// An error about the profile: in the document, after the findings so far.
	r = runCLI(t, nil, nil, "server-config", repoPath("fixtures", "machine-cert", "expected.mobileconfig"), "--json", "--split-networks", "10.0.0.0/8")
	if r.code != exitError || r.stdout != "" {
		t.Fatalf("an error: exit %d\n%s", r.code, r.stdout)
	}
	rep = decode(t, "standard error", r.stderr)
	if rep.OK || !strings.Contains(rep.Error, "split networks do not apply") {
		t.Errorf("an error: %+v", rep)
	}
}

// TestSCEPProfileServerConfigAndDialIdentity: for a profile whose identity
// is a SCEP payload, server-config says so and checks --client-ca against
// the profile's CAs; dial, which needs the enrolled certificate, says what
// to enroll, and checks its identity flags before it starts a charon.
func TestSCEPProfileServerConfigAndDialIdentity(t *testing.T) {
	pki := testPKI(t)
	profile := repoPath("fixtures", "scep-separate", "expected.mobileconfig")
	for _, c := range []struct {
		name     string
		clientCA []string
		warning  string
	}{
		{"the SCEP profile's root", []string{"--client-ca", filepath.Join(pki, "root-ca.pem")}, ""},
		{"a certificate that is no CA", []string{"--client-ca", filepath.Join(pki, "client.pem")}, "client CA: \"CN="},
		{"no client CA", nil, "the connection accepts a device certificate from any CA in x509ca/; give that CA with --client-ca to accept only it"},
		{"a name in x509ca/, not checked", []string{"--client-ca", "corp-ca.pem"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, nil, nil, append([]string{"server-config", profile}, c.clientCA...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, "#       The device certificate comes from SCEP") {
				t.Errorf("the header does not say the device certificate comes from SCEP:\n%s", r.stdout)
			}
			caWarnings := strings.Contains(r.stderr, "client CA") || strings.Contains(r.stderr, "--client-ca")
			if c.warning == "" && caWarnings || c.warning != "" && !strings.Contains(r.stderr, c.warning) {
				t.Errorf("stderr %q, want the warning %q", r.stderr, c.warning)
			}
			// An absolute path stays as it is; a name is one in x509ca/.
			if len(c.clientCA) > 0 && !strings.Contains(r.stdout, "cacerts = "+c.clientCA[1]+"\n") {
				t.Errorf("no cacerts = %s", c.clientCA[1])
			}
		})
	}

	key := filepath.Join(pki, "client.key")
	cert := filepath.Join(pki, "client.pem")
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"both identity forms", []string{"--identity", filepath.Join(pki, "client.p12"), "--identity-cert", cert, "--identity-key", key}, exitUsage, "not both"},
		{"a certificate without its key", []string{"--identity-cert", cert}, exitUsage, "--identity-cert and --identity-key go together"},
		{"a key that is not the certificate's", []string{"--identity-cert", cert, "--identity-key", filepath.Join(pki, "client-ec.key")}, exitError, "is not the key of the certificate in --identity-cert"},
		{"no identity for a SCEP profile", []string{"--var", "AAD_Device_ID=x"}, exitError, "RSA 2048 bits); give it with --identity FILE.p12, or --identity-cert FILE and --identity-key FILE"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, nil, nil, append([]string{"dial", profile}, c.args...)...)
			if r.code != c.code || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, c.code, c.want)
			}
		})
	}
}

// TestServerConfigWithCertificateExports: a Graph export whose identity and
// CA come from separate certificate profile exports (--with) gives the
// server configuration of the profile compile writes from the same flags,
// byte for byte: the same profile, so the same SHA-256 in the header too.
// (server-config accepted --with and never read it before, and failed:
// "certificate authentication needs a client identity".) Another SCEP
// challenge makes another profile, whose SHA-256 the header names; nothing
// else of the server's configuration depends on it.
func TestServerConfigWithCertificateExports(t *testing.T) {
	dir := fixtureDir("scep-separate")
	pki := testPKI(t)
	args := fixtureArgs(t, dir, pki)
	if !slices.Contains(args, "--with") || !slices.Contains(args, "--scep-challenge-file") {
		t.Fatalf("the fixture's flags changed: %q", args)
	}
	profile := filepath.Join(dir, "expected.mobileconfig")
	want := runCLI(t, nil, nil, "server-config", profile)
	if want.code != exitOK || !strings.Contains(want.stdout, "# SHA-256:      "+fileSHA256(t, profile)+"\n") {
		t.Fatalf("server-config of the compiled profile: exit %d\n%s\n%s", want.code, want.stdout, want.stderr)
	}
	got := runCLI(t, nil, nil, append([]string{"server-config", filepath.Join(dir, "input.json")}, args...)...)
	if got.code != exitOK || got.stdout != want.stdout {
		t.Errorf("server-config of the export with its certificate exports: exit %d, stderr\n%s\nconfiguration\n%s\nwant\n%s", got.code, got.stderr, got.stdout, want.stdout)
	}

	other := writeOrFail(t, filepath.Join(t.TempDir(), "other.challenge"), []byte("another-challenge\n"))
	os.Chmod(other, 0o600)
	i := slices.Index(args, "--scep-challenge-file")
	args[i+1] = other
	got = runCLI(t, nil, nil, append([]string{"server-config", filepath.Join(dir, "input.json")}, args...)...)
	if got.code != exitOK {
		t.Fatalf("another challenge: exit %d\n%s", got.code, got.stderr)
	}
	gotLines, wantLines := strings.Split(got.stdout, "\n"), strings.Split(want.stdout, "\n")
	if len(gotLines) != len(wantLines) {
		t.Fatalf("another challenge: %d lines, want %d", len(gotLines), len(wantLines))
	}
	for i := range gotLines {
		if gotLines[i] != wantLines[i] && !strings.HasPrefix(wantLines[i], "# SHA-256:") {
			t.Errorf("another challenge changes line %d: %q, was %q", i+1, gotLines[i], wantLines[i])
		}
		if strings.HasPrefix(wantLines[i], "# SHA-256:") && gotLines[i] == wantLines[i] {
			t.Errorf("another challenge, another profile, and the same SHA-256 %q", gotLines[i])
		}
	}
}
