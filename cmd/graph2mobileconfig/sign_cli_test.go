package main

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// pskSecret is the shared secret of fixtures/psk-ondemand; it must never
// appear in what inspect prints unless --show-secrets is given.
const pskSecret = "correct-horse-battery-staple-42"

// signerFiles is a test PKI (root, intermediate, signer) written as PEM
// files: root.pem, chain.pem (the intermediate), signer.pem and signer.key.
type signerFiles struct {
	dir                          string
	root                         *testpki.CA
	inter                        *testpki.CA
	leaf                         *testpki.Leaf
	rootPEM, chainPEM, cert, key string
}

func newSignerFiles(t *testing.T, kt testpki.KeyType, leaf testpki.Options) *signerFiles {
	t.Helper()
	dir := t.TempDir()
	f := &signerFiles{dir: dir}
	f.root = testpki.NewRoot(t, testpki.Options{KeyType: kt})
	f.inter = f.root.NewIntermediate(t, testpki.Options{KeyType: kt})
	leaf.KeyType = kt
	f.leaf = f.inter.NewLeaf(t, leaf)
	f.rootPEM = testpki.WritePEMCert(t, filepath.Join(dir, "root.pem"), f.root.Cert)
	f.chainPEM = testpki.WritePEMCert(t, filepath.Join(dir, "chain.pem"), f.inter.Cert)
	f.cert = testpki.WritePEMCert(t, filepath.Join(dir, "signer.pem"), f.leaf.Cert)
	f.key = testpki.WritePEMKey(t, filepath.Join(dir, "signer.key"), f.leaf.Key, testpki.PKCS8, nil)
	return f
}

// flags are the --sign-* flags that select this signer and its chain.
func (f *signerFiles) flags() []string {
	return []string{"--sign-cert", f.cert, "--sign-key", f.key, "--sign-chain", f.chainPEM}
}

// fixtureDir is the folder of one compile fixture.
func fixtureDir(name string) string { return repoPath("fixtures", name) }

// compileFixture compiles fixtures/<name>/input.json with the fixture's own
// flags plus extra into dir/out, checks that it succeeded and returns the
// output path.
func compileFixture(t *testing.T, name, out string, extra ...string) string {
	t.Helper()
	dir := fixtureDir(name)
	args := append([]string{"compile", filepath.Join(dir, "input.json"), "-o", out}, fixtureArgs(t, dir, testPKI(t))...)
	r := runCLI(t, nil, nil, append(args, extra...)...)
	if r.code != exitOK {
		t.Fatalf("compile %s: exit %d\n%s", name, r.code, r.stderr)
	}
	return out
}

func readOrFail(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeOrFail(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantNoOutputFile fails if a failing command left its output behind.
func wantNoOutputFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); err == nil {
		t.Errorf("%s exists after a failing command", path)
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".tmp-*"))
	if len(matches) > 0 {
		t.Errorf("temporary files left behind: %v", matches)
	}
}

// wantSubstrings checks that s holds every one of wants.
func wantSubstrings(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, s)
		}
	}
}

// requireOpenSSLCLI skips the test when the openssl command is missing (and
// fails it under CI, which installs it).
func requireOpenSSLCLI(t *testing.T) {
	t.Helper()
	testenv.Tool(t, "openssl", "the OpenSSL interoperability test")
}

// runOpenSSL runs openssl in dir and fails the test if it fails.
func runOpenSSL(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestCompileSignedVerifyUnsign(t *testing.T) {
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.ECDSAP256} {
		t.Run(kt.String(), func(t *testing.T) {
			f := newSignerFiles(t, kt, testpki.Options{})
			dir := t.TempDir()
			plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))
			signed := compileFixture(t, "psk-ondemand", filepath.Join(dir, "signed.mobileconfig"), f.flags()...)
			if !signing.IsCMS(readOrFail(t, signed)) {
				t.Fatal("compile with --sign-cert did not write a CMS file")
			}

			r := runCLI(t, nil, nil, "verify", signed, "--roots", f.rootPEM)
			if r.code != exitOK {
				t.Fatalf("verify --ca: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			wantAlg := map[testpki.KeyType]string{testpki.RSA2048: "SHA256-RSA", testpki.ECDSAP256: "ECDSA-SHA256"}[kt]
			wantSubstrings(t, "verify output", r.stdout,
				"Signature:     valid",
				"Signer:        CN=Test Signer,O=graph2mobileconfig tests",
				"Issuer:        CN=Test Intermediate CA,O=graph2mobileconfig tests",
				"Digest:        SHA-256",
				"Algorithm:     "+wantAlg,
				"Signer key:    "+kt.String(),
				"Embedded certificates (2):",
				"Chain:         trusted: CN=Test Signer,O=graph2mobileconfig tests → CN=Test Intermediate CA,O=graph2mobileconfig tests → CN=Test Root CA,O=graph2mobileconfig tests",
				`Content:       configuration profile "iOS - Warehouse scanners VPN (PSK)"`,
				"Result:        OK",
			)
			if r.stderr != "" {
				t.Errorf("verify printed on stderr: %s", r.stderr)
			}
			if !strings.Contains(r.stdout, "Signing time:  "+time.Now().UTC().Format("2006-01-02")) {
				t.Errorf("no signing time of today in:\n%s", r.stdout)
			}

			out := filepath.Join(dir, "unsigned.mobileconfig")
			if r := runCLI(t, nil, nil, "unsign", signed, "-o", out); r.code != exitOK {
				t.Fatalf("unsign: exit %d\n%s", r.code, r.stderr)
			}
			if !bytes.Equal(readOrFail(t, out), readOrFail(t, plain)) {
				t.Error("unsign output differs from the unsigned compile of the same input")
			}
		})
	}
}

func TestSignCommand(t *testing.T) {
	pki := testPKI(t)
	p12 := []string{"--sign-p12", filepath.Join(pki, "client.p12"), "--sign-password-file", filepath.Join(pki, "client.p12.pass")}
	ec := newSignerFiles(t, testpki.ECDSAP256, testpki.Options{})
	cases := []struct {
		name    string
		fixture string
		signer  []string
		ca      string
		format  plistout.Format
	}{
		{"XML, PKCS#12 signer", "psk-ondemand", p12, filepath.Join(pki, "root-ca.pem"), plistout.XML},
		{"binary, PEM signer with chain", "proxy-pac", ec.flags(), ec.rootPEM, plistout.Binary},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			plain := compileFixture(t, c.fixture, filepath.Join(dir, "plain.mobileconfig"))
			if _, format, err := plistout.Decode(readOrFail(t, plain)); err != nil || format != c.format {
				t.Fatalf("fixture format %v, %v; want %v", format, err, c.format)
			}
			signed := filepath.Join(dir, "signed.mobileconfig")
			r := runCLI(t, nil, nil, append([]string{"sign", plain, "-o", signed}, c.signer...)...)
			if r.code != exitOK {
				t.Fatalf("sign: exit %d\n%s", r.code, r.stderr)
			}
			if fi, err := os.Stat(signed); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("signed profile holding a shared secret: %v, mode %v; want 0600", err, fi.Mode().Perm())
			}
			if r := runCLI(t, nil, nil, "verify", signed, "--roots", c.ca); r.code != exitOK {
				t.Fatalf("verify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			content, err := signing.Unsign(readOrFail(t, signed))
			if err != nil || !bytes.Equal(content, readOrFail(t, plain)) {
				t.Errorf("the signed content is not the input byte for byte (%v)", err)
			}

			// Signing a signed profile again needs --resign.
			again := filepath.Join(dir, "again.mobileconfig")
			r = runCLI(t, nil, nil, append([]string{"sign", signed, "-o", again}, c.signer...)...)
			if r.code != exitError {
				t.Fatalf("sign of a signed profile: exit %d, want 1", r.code)
			}
			wantSubstrings(t, "stderr", r.stderr, "is already signed by", "--resign")
			wantNoOutputFile(t, again)
			r = runCLI(t, nil, nil, append([]string{"sign", signed, "-o", again, "--resign"}, c.signer...)...)
			if r.code != exitOK {
				t.Fatalf("sign --resign: exit %d\n%s", r.code, r.stderr)
			}
			content, err = signing.Unsign(readOrFail(t, again))
			if err != nil || !bytes.Equal(content, readOrFail(t, plain)) {
				t.Errorf("--resign did not sign the original content (%v)", err)
			}
		})
	}
}

func TestSignRefusesInput(t *testing.T) {
	pki := testPKI(t)
	signer := []string{"--sign-cert", filepath.Join(pki, "client.pem"), "--sign-key", filepath.Join(pki, "client.key")}
	dir := t.TempDir()
	array, _ := plistout.Encode([]any{"a"}, plistout.XML)
	payload, _ := plistout.Encode(map[string]any{"PayloadType": "com.apple.vpn.managed"}, plistout.XML)
	cases := []struct {
		name  string
		input []byte
		want  string
	}{
		{"not a plist", []byte("{\"json\": true}"), "cannot be signed: the file is not a configuration profile: not a property list: it is neither XML nor binary"},
		{"array", array, "cannot be signed: the file is not a configuration profile: the property list's root is an array, not a dictionary"},
		{"payload, not a profile", payload, `PayloadType is "com.apple.vpn.managed", not a configuration profile`},
		{"empty", nil, "cannot be signed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := writeOrFail(t, filepath.Join(dir, "in"), c.input)
			out := filepath.Join(dir, "out.mobileconfig")
			r := runCLI(t, nil, nil, append([]string{"sign", in, "-o", out}, signer...)...)
			if r.code != exitError {
				t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
			}
			wantSubstrings(t, "stderr", r.stderr, c.want)
			wantNoOutputFile(t, out)
		})
	}
}

func TestSignUsage(t *testing.T) {
	dir := t.TempDir()
	plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))
	out := filepath.Join(dir, "out.mobileconfig")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no signer", []string{"sign", plain, "-o", out}, "sign needs a signer"},
		{"two inputs", []string{"sign", plain, plain, "-o", out}, "exactly one FILE"},
		{"p12 and cert", []string{"sign", plain, "-o", out, "--sign-p12", "x.p12", "--sign-cert", "x.pem"}, "not both"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, nil, nil, c.args...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
			}
			wantSubstrings(t, "stderr", r.stderr, c.want)
			wantNoOutputFile(t, out)
		})
	}
}

// TestSignRefusesBadIdentity checks that every identity problem is reported
// before anything is written, by sign and by compile.
func TestSignRefusesBadIdentity(t *testing.T) {
	const password = "S3cret-p12-Passw0rd!"
	now := time.Now()
	dir := t.TempDir()
	root := testpki.NewRoot(t, testpki.Options{})
	inter := root.NewIntermediate(t, testpki.Options{})
	good := inter.NewLeaf(t, testpki.Options{})
	other := inter.NewLeaf(t, testpki.Options{Key: testpki.Key(t, testpki.RSA2048, 5)})
	expired := inter.NewLeaf(t, testpki.Options{NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(0, 0, -1)})
	future := inter.NewLeaf(t, testpki.Options{NotBefore: now.AddDate(0, 0, 2)})
	noSign := inter.NewLeaf(t, testpki.Options{KeyUsage: x509.KeyUsageKeyEncipherment})
	unrelated := testpki.NewRoot(t, testpki.Options{CommonName: "Unrelated CA"})

	write := func(name string, data []byte) string { return writeOrFail(t, filepath.Join(dir, name), data) }
	key := func(name string, l *testpki.Leaf) string {
		return testpki.WritePEMKey(t, filepath.Join(dir, name), l.Key, testpki.PKCS8, nil)
	}
	cert := func(name string, l *testpki.Leaf) string {
		return testpki.WritePEMCert(t, filepath.Join(dir, name), l.Cert)
	}
	chain := testpki.WritePEMCert(t, filepath.Join(dir, "chain.pem"), inter.Cert)
	wrongChain := testpki.WritePEMCert(t, filepath.Join(dir, "wrong-chain.pem"), unrelated.Cert)
	p12 := write("good.p12", testpki.PKCS12(t, good, testpki.P12Modern, password))
	wrongPass := write("wrong.pass", []byte("not-the-password\n"))

	cases := []struct {
		name   string
		signer []string
		want   []string
	}{
		{"key does not match", []string{"--sign-cert", cert("good.pem", good), "--sign-key", key("other.key", other), "--sign-chain", chain},
			[]string{"the signer cannot be used", "the private key does not match the signer certificate"}},
		{"expired", []string{"--sign-cert", cert("expired.pem", expired), "--sign-key", key("expired.key", expired), "--sign-chain", chain},
			[]string{"the signer cannot be used", `signer certificate "CN=Test Signer,O=graph2mobileconfig tests" expired on ` + expired.Cert.NotAfter.UTC().Format(certDateFormat)}},
		{"not yet valid", []string{"--sign-cert", cert("future.pem", future), "--sign-key", key("future.key", future), "--sign-chain", chain},
			[]string{"is not valid until"}},
		{"no digitalSignature", []string{"--sign-cert", cert("nosign.pem", noSign), "--sign-key", key("nosign.key", noSign), "--sign-chain", chain},
			[]string{"Key Usage extension without digitalSignature"}},
		{"broken chain", []string{"--sign-cert", cert("good2.pem", good), "--sign-key", key("good.key", good), "--sign-chain", wrongChain},
			[]string{"the certificate chain is broken", `is not issued by "CN=Unrelated CA,O=graph2mobileconfig tests"`}},
		{"wrong PKCS#12 password", []string{"--sign-p12", p12, "--sign-password-file", wrongPass},
			[]string{"--sign-p12 " + p12, "the password is incorrect"}},
		{"PKCS#12 without password", []string{"--sign-p12", p12},
			[]string{"it is encrypted and no password was given"}},
	}
	plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, cmd := range [][]string{
				{"sign", plain},
				{"compile", filepath.Join(fixtureDir("psk-ondemand"), "input.json")},
			} {
				// A folder of its own for each case, so that a file one
				// case leaves behind cannot fail another.
				out := filepath.Join(t.TempDir(), "out.mobileconfig")
				r := runCLI(t, nil, nil, append(append(cmd, "-o", out), c.signer...)...)
				if r.code != exitError {
					t.Fatalf("%s: exit %d, want 1\n%s", cmd[0], r.code, r.stderr)
				}
				wantSubstrings(t, cmd[0]+" stderr", r.stderr, c.want...)
				if strings.Contains(r.stderr+r.stdout, password) || strings.Contains(r.stderr+r.stdout, "not-the-password") {
					t.Errorf("%s printed a password:\n%s", cmd[0], r.stderr)
				}
				wantNoOutputFile(t, out)
			}
		})
	}

	// The right password, from the environment, works.
	out := filepath.Join(dir, "ok.mobileconfig")
	r := runCLI(t, nil, map[string]string{envSignPassword: password}, "sign", plain, "-o", out, "--sign-p12", p12)
	if r.code != exitOK {
		t.Fatalf("sign with %s: exit %d\n%s", envSignPassword, r.code, r.stderr)
	}
}

func TestSignWarnsAboutExpiringSigner(t *testing.T) {
	f := newSignerFiles(t, testpki.ECDSAP256, testpki.Options{NotAfter: time.Now().AddDate(0, 0, 10)})
	dir := t.TempDir()
	plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))
	out := filepath.Join(dir, "signed.mobileconfig")
	r := runCLI(t, nil, nil, append([]string{"sign", plain, "-o", out}, f.flags()...)...)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	wantSubstrings(t, "stderr", r.stderr, "warning: The signer certificate", "expires on", "(in 9 days)")
	if _, err := os.Stat(out); err != nil {
		t.Error(err)
	}
	// verify points out the coming expiry too.
	r = runCLI(t, nil, nil, "verify", out, "--json")
	var rep verifyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || !rep.OK {
		t.Fatalf("verify --json: %v\n%s", err, r.stdout)
	}
	r = runCLI(t, nil, nil, "verify", out)
	wantSubstrings(t, "verify output", r.stdout, "(expires in 9 days)")
}
