package main

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
)

// leakWindow is the length of the pieces of encoded binary secrets that
// leakDetector looks for: long enough never to occur by chance, short
// enough to be found across the line breaks of wrapped base64.
const leakWindow = 24

// leakDetector finds secrets in what the program printed or wrote.
type leakDetector struct {
	// strs are secrets that appear as they are, such as passwords.
	strs []namedSecret
	// windows maps every leakWindow-long piece of the base64 (at the
	// offsets where an encoding of the whole value has it) and of the hex
	// encoding of binary secrets to the secret's name.
	windows map[string]string
}

type namedSecret struct{ name, value string }

func newLeakDetector() *leakDetector { return &leakDetector{windows: map[string]string{}} }

// addString adds a secret that is printed as text.
func (d *leakDetector) addString(name, s string) {
	if len(s) < 8 {
		panic("a secret for leak tests must be long enough not to occur by chance: " + name)
	}
	d.strs = append(d.strs, namedSecret{name, s})
}

// addBytes adds a binary secret, found in base64 (however it is wrapped)
// and in hexadecimal (either case).
func (d *leakDetector) addBytes(name string, b []byte) {
	b64 := base64.StdEncoding.EncodeToString(b)
	for i := 0; i+leakWindow <= len(b64); i += 4 {
		d.windows[b64[i:i+leakWindow]] = name
	}
	h := hex.EncodeToString(b)
	for i := 0; i+leakWindow <= len(h); i += 2 {
		d.windows[h[i:i+leakWindow]] = name
		d.windows[strings.ToUpper(h[i:i+leakWindow])] = name
	}
}

// find returns the names of the secrets in text, sorted.
func (d *leakDetector) find(text string) []string {
	var found []string
	for _, s := range d.strs {
		if strings.Contains(text, s.value) {
			found = append(found, s.name)
		}
	}
	// Base64 in property lists and PEM is wrapped: look at the text
	// without its line breaks and indentation too.
	for _, t := range []string{text, strings.Join(strings.Fields(text), "")} {
		for i := 0; i+leakWindow <= len(t); i++ {
			if name, ok := d.windows[t[i:i+leakWindow]]; ok {
				found = append(found, name)
			}
		}
	}
	slices.Sort(found)
	return slices.Compact(found)
}

// check fails the test for every secret in text, which what names.
func (d *leakDetector) check(t *testing.T, what, text string) {
	t.Helper()
	if found := d.find(text); len(found) > 0 {
		t.Errorf("%s leaks %s:\n%s", what, strings.Join(found, ", "), text)
	}
}

// pemBody returns the decoded bytes and the base64 lines of the first PEM
// block of a file.
func pemBody(t *testing.T, path string) ([]byte, []string) {
	t.Helper()
	data := readOrFail(t, path)
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s holds no PEM block", path)
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "-----") && !strings.Contains(l, ":") {
			lines = append(lines, l)
		}
	}
	return block.Bytes, lines
}

// profilePKCS12 returns the PayloadContent of the PKCS#12 payload of a
// plain profile.
func profilePKCS12(t *testing.T, profile []byte) []byte {
	t.Helper()
	for _, p := range payloadsOf(t, profile) {
		if m, _ := p.(map[string]any); m["PayloadType"] == "com.apple.security.pkcs12" {
			if b, ok := m["PayloadContent"].([]byte); ok {
				return b
			}
		}
	}
	t.Fatal("the profile has no PKCS#12 payload")
	return nil
}

// leakInput writes the psk-ondemand fixture changed by edit as JSON.
func leakInput(t *testing.T, path string, edit func(map[string]any)) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readOrFail(t, repoPath("fixtures", "psk-ondemand", "input.json")), &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return writeOrFail(t, path, data)
}

// closedPort returns an address on the loopback interface where nothing
// listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestSecretsNeverLeak runs every command down its failure paths (and some
// successful ones) and checks that nothing it prints, and no report it
// writes, holds a secret: the shared secret of an export (the fixture's and
// one injected into broken exports), the password of the identity embedded
// for the device, the password of the signer's key, wrong passwords, the
// MDM API key, and the bytes of private keys and PKCS#12 identities. The
// profiles themselves, which must hold the secrets, go to files that are
// not checked; that they do hold them shows that the detector works.
func TestSecretsNeverLeak(t *testing.T) {
	const (
		customSecret   = "Zq7-custom-shared-secret-4411"
		numberSecret   = "730418552916400217"
		wrongPassword  = "wrong-password-never-printed-93"
		signerPassword = "signer-key-password-never-printed-5b1e"
		wrongEnvSecret = "wrong-env-password-never-printed-61"
		apiKey         = "api-key-never-printed-7c2e"
	)
	pki := testPKI(t)
	p12Password := strings.TrimSpace(string(readOrFail(t, filepath.Join(pki, "client.p12.pass"))))

	d := newLeakDetector()
	d.addString("the shared secret of the fixture", pskSecret)
	d.addString("the injected shared secret", customSecret)
	d.addString("the injected numeric shared secret", numberSecret)
	d.addString("the identity password", p12Password)
	d.addString("a wrong password", wrongPassword)
	d.addString("a wrong password from the environment", wrongEnvSecret)
	d.addString("the signer key password", signerPassword)
	d.addString("the API key", apiKey)
	d.addString("the API key as HTTP basic credentials", base64.StdEncoding.EncodeToString([]byte("nanomdm:"+apiKey)))
	clientKey, clientKeyLines := pemBody(t, filepath.Join(pki, "client.key"))
	for _, l := range clientKeyLines {
		d.addString("a line of client.key", l)
	}
	d.addBytes("the private key of client.key", clientKey)
	d.addBytes("client.p12", readOrFail(t, filepath.Join(pki, "client.p12")))

	dir := t.TempDir()
	legit := filepath.Join(dir, "legit") // outputs that must hold secrets; not checked
	in := filepath.Join(dir, "in")
	for _, p := range []string{legit, in} {
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	file := func(name string, data string) string { return writeOrFail(t, filepath.Join(dir, name), []byte(data)) }

	// The signer: an encrypted PKCS#8 key and its password.
	root := testpki.NewRoot(t, testpki.Options{})
	leaf := root.NewLeaf(t, testpki.Options{CommonName: "Leak Test Signer"})
	signerDER, err := x509.MarshalPKCS8PrivateKey(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	d.addBytes("the signer's private key", signerDER)
	signCert := testpki.WritePEMCert(t, filepath.Join(dir, "signer.pem"), leaf.Cert)
	signKey := testpki.WritePEMKey(t, filepath.Join(dir, "signer.key"), leaf.Key, testpki.EncryptedPKCS8, []byte(signerPassword))
	rootPEM := testpki.WritePEMCert(t, filepath.Join(dir, "root.pem"), root.Cert)
	signerPassFile := file("signer.pass", signerPassword+"\n")
	wrongPassFile := file("wrong.pass", wrongPassword+"\n")
	apiKeyFile := file("api.key", apiKey+"\n")
	p12, p12Pass := filepath.Join(pki, "client.p12"), filepath.Join(pki, "client.p12.pass")
	signFlags := []string{"--sign-cert", signCert, "--sign-key", signKey, "--sign-password-file", signerPassFile}
	identityFlags := []string{"--identity", p12, "--identity-password-file", p12Pass}

	// Exports with the injected secret next to errors, or broken in it.
	inputs := map[string]string{
		"good": leakInput(t, filepath.Join(in, "good.json"), func(m map[string]any) {}),
		"errors": leakInput(t, filepath.Join(in, "errors.json"), func(m map[string]any) {
			m["sharedSecret"] = customSecret
			m["id"] = "e1"
			m["deadPeerDetectionRate"] = "sometimes"
			m["mtuSizeInBytes"] = "big"
		}),
		"array":   leakInput(t, filepath.Join(in, "array.json"), func(m map[string]any) { m["sharedSecret"] = []any{customSecret}; m["id"] = "e2" }),
		"object":  leakInput(t, filepath.Join(in, "object.json"), func(m map[string]any) { m["sharedSecret"] = map[string]any{"value": customSecret}; m["id"] = "e3" }),
		"control": leakInput(t, filepath.Join(in, "control.json"), func(m map[string]any) { m["sharedSecret"] = customSecret + "\x01"; m["id"] = "e4" }),
		"token":   leakInput(t, filepath.Join(in, "token.json"), func(m map[string]any) { m["sharedSecret"] = customSecret + "{{psk}}"; m["id"] = "e5" }),
		"ignored": leakInput(t, filepath.Join(in, "ignored.json"), func(m map[string]any) {
			m["sharedSecret"] = customSecret
			m["id"] = "e6"
			m["authenticationMethod"] = "certificate"
		}),
		"number":       writeOrFail(t, filepath.Join(in, "number.json"), bytes.Replace(readOrFail(t, repoPath("fixtures", "psk-ondemand", "input.json")), []byte(`"`+pskSecret+`"`), []byte(numberSecret), 1)),
		"syntax":       writeOrFail(t, filepath.Join(in, "syntax.json"), []byte(`{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration", "sharedSecret": "`+customSecret+`" "id": "x"}`)),
		"duplicate":    writeOrFail(t, filepath.Join(in, "duplicate.json"), []byte(`{"sharedSecret": "`+customSecret+`", "sharedSecret": "`+customSecret+`"}`)),
		"unterminated": writeOrFail(t, filepath.Join(in, "unterminated.json"), []byte(`{"value": [{"sharedSecret": "`+customSecret)),
		"escape":       writeOrFail(t, filepath.Join(in, "escape.json"), []byte(`{"sharedSecret": "`+customSecret+`\q"}`)),
	}
	if bytes.Contains(readOrFail(t, inputs["number"]), []byte(pskSecret)) {
		t.Fatal("number.json still holds the fixture's shared secret")
	}

	// Profiles: plain, with an identity, signed, encrypted, and damaged.
	run := func(args ...string) {
		t.Helper()
		if r := runCLI(t, nil, nil, args...); r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	psk := filepath.Join(legit, "psk.mobileconfig")
	run("compile", inputs["good"], "-o", psk)
	identity := filepath.Join(legit, "identity.mobileconfig")
	run(append([]string{"compile", repoPath("fixtures", "machine-cert", "input.json"), "-o", identity}, identityFlags...)...)
	d.addBytes("the device identity (PKCS#12) in the profile", profilePKCS12(t, readOrFail(t, identity)))
	signedPSK := filepath.Join(legit, "psk-signed.mobileconfig")
	run(append([]string{"compile", inputs["good"], "-o", signedPSK}, signFlags...)...)
	signedIdentity := filepath.Join(legit, "identity-signed.mobileconfig")
	run(append([]string{"sign", identity, "-o", signedIdentity}, signFlags...)...)
	device := newDeviceFiles(t, testpki.RSA2048)
	encrypted := filepath.Join(legit, "psk-encrypted.mobileconfig")
	run("compile", inputs["good"], "-o", encrypted, "--encrypt-to", device.cert)

	pskData := readOrFail(t, psk)
	cut := bytes.Index(pskData, []byte(pskSecret)) + len(pskSecret) + 4
	truncated := writeOrFail(t, filepath.Join(dir, "truncated.mobileconfig"), pskData[:cut])
	tampered := writeOrFail(t, filepath.Join(dir, "tampered.mobileconfig"), bytes.Replace(readOrFail(t, signedPSK), []byte("Warehouse VPN"), []byte("Warehouse VPX"), 1))
	payloadOnly := writeOrFail(t, filepath.Join(dir, "payload.plist"), []byte(`<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>PayloadType</key><string>com.apple.vpn.managed</string>
<key>PayloadIdentifier</key><string>com.contoso.vpn</string>
<key>PayloadUUID</key><string>5A8915AF-EBD1-563C-8AC3-F24722C21BED</string>
<key>IKEv2</key><dict><key>SharedSecret</key><string>`+customSecret+`</string></dict>
</dict></plist>
`))

	// The detector finds what the profiles legitimately hold.
	for _, tt := range []struct {
		path string
		want []string
	}{
		{psk, []string{"the shared secret of the fixture"}},
		{identity, []string{"the device identity (PKCS#12) in the profile", "the identity password"}},
	} {
		found := d.find(string(readOrFail(t, tt.path)))
		for _, w := range tt.want {
			if !slices.Contains(found, w) {
				t.Fatalf("the leak detector does not find %s in %s (found %v): it would miss leaks", w, tt.path, found)
			}
		}
	}

	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	}))
	defer unauthorized.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "internal error: database unavailable", http.StatusInternalServerError)
	}))
	defer broken.Close()
	unreachable := "http://" + closedPort(t)

	out := func(name string) string { return filepath.Join(dir, "out", name) }
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o700); err != nil {
		t.Fatal(err)
	}
	report := func(name string) string { return filepath.Join(dir, name+".report.json") }
	deployArgs := func(url string, extra ...string) []string {
		return append([]string{"deploy", "--nanomdm-url", url, "--udid", "LEAK-TEST-DEVICE", signedPSK}, extra...)
	}
	noKey := map[string]string{}
	withKey := map[string]string{"GRAPH2MOBILECONFIG_MDM_API_KEY": apiKey}

	tests := []struct {
		name string
		args []string
		env  map[string]string
		// stdin is the standard input, if any.
		stdin []byte
		want  int
		// reports are files the command writes that must not hold
		// secrets.
		reports []string
	}{
		// compile: exports with errors next to, or in, the secret.
		{name: "compile errors next to the secret", args: []string{"compile", inputs["errors"], "-o", out("a"), "-v"}, want: 1},
		{name: "compile errors next to the secret, json", args: []string{"compile", inputs["errors"], "-o", out("a"), "-v", "--json"}, want: 1},
		{name: "compile secret as an array", args: []string{"compile", inputs["array"], "-o", out("a"), "-v"}, want: 1},
		{name: "compile secret as an object, json", args: []string{"compile", inputs["object"], "-o", out("a"), "--json"}, want: 1},
		{name: "compile secret as a number", args: []string{"compile", inputs["number"], "-o", out("a"), "-v"}, want: 1},
		{name: "compile secret as a number, json", args: []string{"compile", inputs["number"], "-o", out("a"), "--json"}, want: 1},
		{name: "compile secret with a control character", args: []string{"compile", inputs["control"], "-o", out("a"), "-v", "--json"}, want: 1},
		{name: "compile secret with an unresolved variable, strict", args: []string{"compile", inputs["token"], "-o", out("a"), "-v", "--strict"}, want: 1},
		{name: "compile secret ignored, strict", args: []string{"compile", inputs["ignored"], "-o", out("a"), "-v", "--strict", "--identity-uuid", "5A8915AF-EBD1-563C-8AC3-F24722C21BED"}, want: 1},
		{name: "compile syntax error after the secret", args: []string{"compile", inputs["syntax"], "-o", out("a"), "-v"}, want: 1},
		{name: "compile duplicate secret, json", args: []string{"compile", inputs["duplicate"], "-o", out("a"), "--json"}, want: 1},
		{name: "compile unterminated secret", args: []string{"compile", inputs["unterminated"], "-o", out("a")}, want: 1},
		{name: "compile bad escape in the secret", args: []string{"compile", inputs["escape"], "-o", out("a")}, want: 1},
		{name: "compile errors from standard input", args: []string{"compile", "-", "-o", out("a"), "-v"}, stdin: readOrFail(t, inputs["errors"]), want: 1},
		{name: "compile cannot write", args: []string{"compile", inputs["good"], "-o", filepath.Join(dir, "missing", "a.mobileconfig")}, want: 1},
		// compile: identity and signer passwords.
		{name: "compile wrong identity password file", args: []string{"compile", repoPath("fixtures", "machine-cert", "input.json"), "-o", out("a"), "--identity", p12, "--identity-password-file", wrongPassFile}, want: 1},
		{name: "compile wrong identity password from the environment", args: []string{"compile", repoPath("fixtures", "machine-cert", "input.json"), "-o", out("a"), "--identity", p12}, env: map[string]string{envIdentityPassword: wrongEnvSecret}, want: 1},
		{name: "compile identity, errors in the export", args: append([]string{"compile", inputs["errors"], "-o", out("a"), "-v"}, identityFlags...), want: 1},
		{name: "compile identity, errors in the export, json", args: append([]string{"compile", inputs["errors"], "-o", out("a"), "--json"}, identityFlags...), want: 1},
		{name: "compile wrong signer password file", args: []string{"compile", inputs["good"], "-o", out("a"), "--sign-cert", signCert, "--sign-key", signKey, "--sign-password-file", wrongPassFile}, want: 1},
		{name: "compile wrong signer password from the environment", args: []string{"compile", inputs["good"], "-o", out("a"), "--sign-cert", signCert, "--sign-key", signKey}, env: map[string]string{envSignPassword: wrongEnvSecret}, want: 1},
		{name: "compile signer key without password", args: []string{"compile", inputs["good"], "-o", out("a"), "--sign-cert", signCert, "--sign-key", signKey}, want: 1},
		{name: "compile signer, errors in the export", args: append([]string{"compile", inputs["errors"], "-o", out("a"), "-v", "--json"}, signFlags...), want: 1},
		{name: "compile key file as the identity", args: []string{"compile", repoPath("fixtures", "machine-cert", "input.json"), "-o", out("a"), "--identity", filepath.Join(pki, "client.key"), "--identity-password-file", p12Pass}, want: 1},
		{name: "compile key file as a CA", args: []string{"compile", inputs["good"], "-o", out("a"), "--server-ca", filepath.Join(pki, "client.key")}, want: 1},
		{name: "compile key file as the signer certificate", args: []string{"compile", inputs["good"], "-o", out("a"), "--sign-cert", filepath.Join(pki, "client.key"), "--sign-key", filepath.Join(pki, "client.key")}, want: 1},
		{name: "compile key file as the encryption recipient", args: []string{"compile", inputs["good"], "-o", out("a"), "--encrypt-to", filepath.Join(pki, "client.key")}, want: 1},
		{name: "compile key file as the input", args: []string{"compile", filepath.Join(pki, "client.key"), "-o", out("a"), "-v", "--json"}, want: 1},

		// sign.
		{name: "sign wrong key password file", args: []string{"sign", psk, "-o", out("a"), "--sign-cert", signCert, "--sign-key", signKey, "--sign-password-file", wrongPassFile}, want: 1},
		{name: "sign wrong key password from the environment", args: []string{"sign", psk, "-o", out("a"), "--sign-cert", signCert, "--sign-key", signKey}, env: map[string]string{envSignPassword: wrongEnvSecret}, want: 1},
		{name: "sign wrong PKCS#12 password", args: []string{"sign", psk, "-o", out("a"), "--sign-p12", p12, "--sign-password-file", wrongPassFile}, want: 1},
		{name: "sign not a profile", args: append([]string{"sign", inputs["errors"], "-o", out("a")}, signFlags...), want: 1},
		{name: "sign a PKCS#12 file", args: append([]string{"sign", p12, "-o", out("a")}, signFlags...), want: 1},
		{name: "sign already signed", args: append([]string{"sign", signedPSK, "-o", out("a")}, signFlags...), want: 1},
		{name: "sign cannot write", args: append([]string{"sign", psk, "-o", filepath.Join(dir, "missing", "a")}, signFlags...), want: 1},

		// batch: some inputs fail.
		{name: "batch verbose", args: []string{"batch", in, "--out-dir", out("batch1"), "--report", report("batch1"), "--verbose"}, want: 1, reports: []string{report("batch1")}},
		{name: "batch strict, json", args: []string{"batch", in, "--out-dir", out("batch2"), "--report", report("batch2"), "--json", "--strict", "-v"}, want: 1, reports: []string{report("batch2")}},
		{name: "batch with identity and signer", args: append(append([]string{"batch", in, "--out-dir", out("batch3"), "--report", report("batch3"), "--verbose"}, identityFlags...), signFlags...), want: 1, reports: []string{report("batch3")}},
		{name: "batch from standard input", args: []string{"batch", "-", "--out-dir", out("batch4"), "--report", report("batch4"), "--verbose"}, stdin: readOrFail(t, inputs["errors"]), want: 1, reports: []string{report("batch4")}},
		{name: "batch wrong signer password", args: []string{"batch", in, "--out-dir", out("batch5"), "--sign-cert", signCert, "--sign-key", signKey, "--sign-password-file", wrongPassFile}, want: 1},
		{name: "batch wrong identity password", args: []string{"batch", in, "--out-dir", out("batch6"), "--identity", p12}, env: map[string]string{envIdentityPassword: wrongEnvSecret}, want: 1},

		// inspect without --show-secrets.
		{name: "inspect shared secret", args: []string{"inspect", psk}, want: 0},
		{name: "inspect shared secret, json", args: []string{"inspect", "--json", psk}, want: 0},
		{name: "inspect identity", args: []string{"inspect", identity}, want: 0},
		{name: "inspect identity, json", args: []string{"inspect", "--json", identity}, want: 0},
		{name: "inspect identity from standard input", args: []string{"inspect", "-"}, stdin: readOrFail(t, identity), want: 0},
		{name: "inspect signed", args: []string{"inspect", signedPSK}, want: 0},
		{name: "inspect signed identity, json", args: []string{"inspect", "--json", signedIdentity}, want: 0},
		{name: "inspect encrypted", args: append([]string{"inspect", encrypted}, device.decryptFlags()...), want: 0},
		{name: "inspect tampered", args: []string{"inspect", tampered}, want: 0},
		{name: "inspect payload", args: []string{"inspect", "--json", payloadOnly}, want: 0},
		{name: "inspect truncated", args: []string{"inspect", truncated}, want: 1},
		{name: "inspect key file", args: []string{"inspect", filepath.Join(pki, "client.key")}, want: 1},
		{name: "inspect PKCS#12 file", args: []string{"inspect", p12}, want: 1},

		// verify.
		{name: "verify", args: []string{"verify", signedPSK, "--roots", rootPEM}, want: 0},
		{name: "verify, json", args: []string{"verify", "--json", signedIdentity, "--roots", rootPEM}, want: 0},
		{name: "verify untrusted", args: []string{"verify", signedIdentity, "--roots", repoPath("fixtures", "testpki", "root-ca.pem")}, want: 1},
		{name: "verify tampered", args: []string{"verify", tampered}, want: 1},
		{name: "verify tampered, json", args: []string{"verify", "--json", tampered}, want: 1},
		{name: "verify unsigned", args: []string{"verify", identity}, want: 1},
		{name: "verify truncated, json", args: []string{"verify", "--json", truncated}, want: 1},
		{name: "verify PKCS#12 file", args: []string{"verify", p12}, want: 1},

		// unsign and lint.
		{name: "unsign unsigned", args: []string{"unsign", psk, "-o", out("a")}, want: 1},
		{name: "unsign tampered", args: []string{"unsign", tampered, "-o", filepath.Join(legit, "unsigned.mobileconfig")}, want: 0},
		{name: "lint", args: []string{"lint", psk, identity, signedIdentity}, want: 1}, // warnings about unsigned secrets
		{name: "lint payload and truncated", args: []string{"lint", payloadOnly, truncated}, want: 1},

		// mdm-command: the command holds the profile, so it goes to a file.
		{name: "mdm-command", args: []string{"mdm-command", signedIdentity, "-o", filepath.Join(legit, "command.plist")}, want: 0},
		{name: "mdm-command unsigned, micromdm", args: []string{"mdm-command", psk, "--mdm", "micromdm", "--udid", "LEAK-TEST-DEVICE", "-o", filepath.Join(legit, "command.json")}, want: 0},
		{name: "mdm-command truncated", args: []string{"mdm-command", truncated, "-o", out("a")}, want: 1},
		{name: "mdm-command tampered", args: []string{"mdm-command", tampered, "-o", out("a")}, want: 1},
		{name: "mdm-command payload", args: []string{"mdm-command", payloadOnly, "-o", out("a")}, want: 1},
		{name: "mdm-command cannot write", args: []string{"mdm-command", psk, "-o", filepath.Join(dir, "missing", "a")}, want: 1},

		// deploy.
		{name: "deploy unreachable", args: deployArgs(unreachable), env: withKey, want: 1},
		{name: "deploy unreachable, key file", args: deployArgs(unreachable, "--api-key-file", apiKeyFile), env: noKey, want: 1},
		{name: "deploy unreachable, json", args: deployArgs(unreachable, "--json"), env: withKey, want: 1},
		{name: "deploy wrong scheme", args: deployArgs("ftp://mdm.contoso.example"), env: withKey, want: 2},
		{name: "deploy wrong scheme, key file", args: deployArgs("nanomdm://mdm.contoso.example", "--api-key-file", apiKeyFile), env: noKey, want: 2},
		{name: "deploy unauthorized", args: deployArgs(unauthorized.URL, "--json"), env: withKey, want: 1},
		{name: "deploy server error", args: deployArgs(broken.URL), env: withKey, want: 1},
		{name: "deploy not a profile", args: append(deployArgs(unreachable), truncated, "--allow-unsigned"), env: withKey, want: 1},
		{name: "deploy unsigned", args: []string{"deploy", "--nanomdm-url", unreachable, "--udid", "X", psk}, env: withKey, want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdin *bytes.Reader
			if tt.stdin != nil {
				stdin = bytes.NewReader(tt.stdin)
			} else {
				stdin = bytes.NewReader(nil)
			}
			env := tt.env
			if env == nil {
				env = noKey
			}
			r := runCLI(t, stdin, env, tt.args...)
			if r.code != tt.want {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.want, r.stdout, r.stderr)
			}
			d.check(t, "stdout", r.stdout)
			d.check(t, "stderr", r.stderr)
			if testing.Verbose() {
				t.Logf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			}
			for _, rep := range tt.reports {
				d.check(t, rep, string(readOrFail(t, rep)))
			}
		})
	}

	// --show-secrets prints them: the one output that legitimately holds
	// them, and a check of the detector on command output.
	r := runCLI(t, nil, nil, "inspect", "--show-secrets", identity)
	if found := d.find(r.stdout); !slices.Contains(found, "the identity password") || !slices.Contains(found, "the device identity (PKCS#12) in the profile") {
		t.Errorf("inspect --show-secrets: the detector finds %v, want the identity password and the device identity", found)
	}
}

// TestSecretsFormerLeaks keeps the leaks found outside the command line
// fixed: a URL with credentials, a server echoing them, plist parse errors
// quoting values, a SCEP challenge and a secret key holding an array.
func TestSecretsFormerLeaks(t *testing.T) {
	const (
		urlKey       = "url-api-key-never-printed-0d4a"
		headerKey    = "header-api-key-never-printed-9e1b"
		typedSecret  = "Zq7-typed-shared-secret-2270"
		profileStart = `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>PayloadType</key><string>Configuration</string>
<key>PayloadIdentifier</key><string>com.contoso.vpn</string>
<key>PayloadUUID</key><string>5A8915AF-EBD1-563C-8AC3-F24722C21BED</string>
<key>PayloadContent</key><array><dict><key>IKEv2</key><dict><key>SharedSecret</key>`
		profileEnd = "</dict></dict></array></dict></plist>\n"
	)
	dir := t.TempDir()
	profile, _ := mdmTestProfile(t)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A misconfigured proxy that echoes the request in its error page.
		http.Error(w, "bad gateway for "+r.Header.Get("Authorization"), http.StatusBadGateway)
	}))
	defer echo.Close()
	typed := func(name, element string) string {
		return writeOrFail(t, filepath.Join(dir, name), []byte(profileStart+element+profileEnd))
	}
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		secret string
		where  string
	}{
		{"deploy key in the URL, wrong scheme", []string{"deploy", "--nanomdm-url", "ftp://nanomdm:" + urlKey + "@mdm.contoso.example", "--udid", "X", profile}, nil, urlKey,
			"mdm/nanomdm.go ParseServerURL: the scheme, host and parse errors quote the raw URL with its password; check u.User first, and quote u.Redacted()"},
		{"deploy key in the URL, no host", []string{"deploy", "--nanomdm-url", "https://nanomdm:" + urlKey + "@", "--udid", "X", profile}, nil, urlKey,
			"mdm/nanomdm.go ParseServerURL: \"has no host\" quotes the raw URL with its password"},
		{"deploy key in the URL, bad port", []string{"deploy", "--nanomdm-url", "https://nanomdm:" + urlKey + "@mdm.contoso.example:port", "--udid", "X", profile}, nil, urlKey,
			"mdm/nanomdm.go ParseServerURL: \"does not parse\" quotes the raw URL with its password"},
		{"deploy server echoes the credentials", []string{"deploy", "--nanomdm-url", echo.URL, "--udid", "X", "--allow-unsigned", profile}, map[string]string{"GRAPH2MOBILECONFIG_MDM_API_KEY": headerKey}, base64.StdEncoding.EncodeToString([]byte("nanomdm:" + headerKey)),
			"mdm/nanomdm.go StatusError: the start of the server's answer is printed as it is; remove the API key and the basic credentials from it"},
		{"inspect secret in an <integer>", []string{"inspect", typed("integer.mobileconfig", "<integer>"+typedSecret+"</integer>")}, nil, typedSecret,
			"plistout/plistout.go unmarshal: howett.net/plist's strconv and time errors quote the malformed value; report the element and line only"},
		{"lint secret in a <date>", []string{"lint", typed("date.mobileconfig", "<date>"+typedSecret+"</date>")}, nil, typedSecret,
			"plistout/plistout.go unmarshal: time.Parse errors quote the malformed value"},
		{"inspect SCEP challenge", []string{"inspect", writeOrFail(t, filepath.Join(dir, "scep.mobileconfig"), []byte(strings.Replace(profileStart, "<key>IKEv2</key><dict><key>SharedSecret</key>", "<key>PayloadType</key><string>com.apple.security.scep</string><key>PayloadContent</key><dict><key>Challenge</key>", 1)+"<string>"+typedSecret+"</string>"+profileEnd))}, nil, typedSecret,
			"cmd/graph2mobileconfig/cmd_inspect.go isSecretKey: a SCEP payload's Challenge (a one-time enrollment password) is not redacted; treat \"Challenge\" as a secret key"},
		{"inspect secret key holding an array", []string{"inspect", writeOrFail(t, filepath.Join(dir, "array.mobileconfig"), []byte(strings.Replace(profileStart, "<dict><key>IKEv2</key>", "<dict><key>PayloadType</key><string>com.apple.vpn.managed</string><key>VPNType</key><string>IKEv2</string><key>IKEv2</key>", 1)+"<array><string>"+typedSecret+"</string></array>"+profileEnd))}, nil, typedSecret,
			"cmd/graph2mobileconfig/cmd_inspect.go redactSecrets: only string and data values of secret keys are redacted; redact any value (arrays, dictionaries, numbers) under a secret key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, tt.env, tt.args...)
			if strings.Contains(r.stdout+r.stderr, tt.secret) {
				t.Errorf("the secret leaks (%s):\n%s", tt.where, r.stdout+r.stderr)
			}
		})
	}
}
