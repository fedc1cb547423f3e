package main

import (
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// deviceFiles is a device identity that profiles are encrypted to:
// device.pem and device.key in dir.
type deviceFiles struct {
	dir, cert, key string
	leaf           *testpki.Leaf
}

func newDeviceFiles(t *testing.T, kt testpki.KeyType) *deviceFiles {
	t.Helper()
	dir := t.TempDir()
	root := testpki.NewRoot(t, testpki.Options{CommonName: "Test Device CA"})
	leaf := root.NewLeaf(t, testpki.Options{CommonName: "Test Device", KeyType: kt, Key: testpki.Key(t, kt, 6),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment})
	return &deviceFiles{
		dir:  dir,
		leaf: leaf,
		cert: testpki.WritePEMCert(t, filepath.Join(dir, "device.pem"), leaf.Cert),
		key:  testpki.WritePEMKey(t, filepath.Join(dir, "device.key"), leaf.Key, testpki.PKCS8, nil),
	}
}

func (d *deviceFiles) decryptFlags() []string {
	return []string{"--decrypt-key", d.key, "--decrypt-cert", d.cert}
}

// payloadsOf decodes a plain profile and returns its PayloadContent.
func payloadsOf(t *testing.T, profile []byte) []any {
	t.Helper()
	m, _, err := plistout.Decode(profile)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := m["PayloadContent"].([]any)
	if !ok {
		t.Fatalf("PayloadContent is %T", m["PayloadContent"])
	}
	return p
}

func TestCompileEncryptTo(t *testing.T) {
	device := newDeviceFiles(t, testpki.RSA2048)
	f := newSignerFiles(t, testpki.ECDSAP256, testpki.Options{})
	dir := t.TempDir()
	plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))
	enc := compileFixture(t, "psk-ondemand", filepath.Join(dir, "encrypted.mobileconfig"), append(f.flags(), "--encrypt-to", device.cert)...)
	if data := readOrFail(t, enc); strings.Contains(string(data), pskSecret) || strings.Contains(string(data), "203.0.113.10") {
		t.Fatal("the encrypted profile holds the payloads in the clear")
	}

	r := runCLI(t, nil, nil, "verify", enc, "--roots", f.rootPEM)
	if r.code != exitOK {
		t.Fatalf("verify: exit %d\n%s", r.code, r.stderr)
	}
	wantSubstrings(t, "verify output", r.stdout, "XML property list", "payloads encrypted", "Result:        OK")

	serial := fmt.Sprintf("%X", device.leaf.Cert.SerialNumber)
	cases := []struct {
		name   string
		args   []string
		want   []string
		absent []string
	}{
		{"without the key", nil, []string{
			"Format:        XML property list, CMS-signed, payloads encrypted",
			"Encryption:    encrypted (AES-256-CBC) to the certificate with serial " + serial + " issued by CN=Test Device CA,O=graph2mobileconfig tests",
			"Payloads:      encrypted; give --decrypt-key and --decrypt-cert of the device to see them",
			"<key>EncryptedPayloadContent</key>",
			"<key>IsEncrypted</key>\n\t<true/>",
		}, []string{pskSecret, "203.0.113.10", "Payloads ("}},
		{"with the key", device.decryptFlags(), []string{
			"Encryption:    encrypted (AES-256-CBC) to the certificate with serial " + serial,
			"Payloads (1):",
			`1. com.apple.vpn.managed "VPN (Warehouse VPN)"`,
			"Remote address:  203.0.113.10",
			"Authentication:  SharedSecret, ExtendedAuthEnabled 0",
			"Shared secret:   «redacted»",
			"On demand:       OnDemandEnabled 1, 3 rules",
			"<key>RemoteAddress</key>",
		}, []string{pskSecret, "<key>EncryptedPayloadContent</key>"}},
		{"with the key, secrets shown", append(device.decryptFlags(), "--show-secrets", "--summary-only"), []string{
			"Shared secret:   " + pskSecret,
		}, []string{"«redacted»", "<?xml"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, nil, nil, append([]string{"inspect", enc}, c.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			wantSubstrings(t, "stdout", r.stdout, c.want...)
			for _, a := range c.absent {
				if strings.Contains(r.stdout+r.stderr, a) {
					t.Errorf("output contains %q", a)
				}
			}
		})
	}

	_, rep := inspectJSON(t, append([]string{enc}, device.decryptFlags()...)...)
	e := rep.Encryption
	if e == nil || !e.Decrypted || e.ContentEncryption != "AES-256-CBC" || len(e.Recipients) != 1 ||
		e.Recipients[0].SerialNumber != serial || e.Recipients[0].KeyEncryption != "RSA PKCS#1 v1.5" {
		t.Errorf("encryption report %+v", e)
	}
	decrypted, _ := rep.Profile["PayloadContent"].([]any)
	redactedPlain, _ := profile.Redact(payloadsOf(t, readOrFail(t, plain)))
	if !sameJSON(decrypted, redactedPlain) {
		t.Errorf("decrypted payloads differ from the unencrypted compile:\n%v\n%v", decrypted, redactedPlain)
	}

	// A wrong device key is a clear error.
	other := newDeviceFiles(t, testpki.RSA3072)
	r = runCLI(t, nil, nil, append([]string{"inspect", enc}, other.decryptFlags()...)...)
	if r.code != exitError {
		t.Fatalf("inspect with another device's key: exit %d", r.code)
	}
	wantSubstrings(t, "stderr", r.stderr, "cannot decrypt EncryptedPayloadContent with the device key", `the data is not encrypted to the certificate "CN=Test Device,O=graph2mobileconfig tests"`)
}

func TestSignEncryptTo(t *testing.T) {
	device := newDeviceFiles(t, testpki.RSA2048)
	f := newSignerFiles(t, testpki.RSA2048, testpki.Options{})
	for _, fixture := range []string{"psk-ondemand", "proxy-pac"} {
		t.Run(fixture, func(t *testing.T) {
			dir := t.TempDir()
			plain := compileFixture(t, fixture, filepath.Join(dir, "plain.mobileconfig"))
			out := filepath.Join(dir, "signed.mobileconfig")
			r := runCLI(t, nil, nil, append([]string{"sign", plain, "-o", out, "--encrypt-to", device.cert}, f.flags()...)...)
			if r.code != exitOK {
				t.Fatalf("sign --encrypt-to: exit %d\n%s", r.code, r.stderr)
			}
			if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("encrypted profile: %v, mode %v; want 0644 (no secret in the clear)", err, fi.Mode().Perm())
			}
			if r := runCLI(t, nil, nil, "verify", out, "--roots", f.rootPEM); r.code != exitOK {
				t.Fatalf("verify: exit %d\n%s", r.code, r.stderr)
			}
			content, err := signing.Unsign(readOrFail(t, out))
			if err != nil {
				t.Fatal(err)
			}
			got, gotFormat, err := plistout.Decode(content)
			if err != nil {
				t.Fatal(err)
			}
			want, wantFormat, _ := plistout.Decode(readOrFail(t, plain))
			if gotFormat != wantFormat {
				t.Errorf("format %v, want the input's %v", gotFormat, wantFormat)
			}
			for k, v := range want {
				if k != "PayloadContent" && !reflect.DeepEqual(got[k], v) {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			if _, ok := got["PayloadContent"]; ok || got["IsEncrypted"] != true {
				t.Errorf("PayloadContent present %v, IsEncrypted %v", ok, got["IsEncrypted"])
			}
			opened, err := profile.Open(content, profile.Options{Decrypt: &profile.Decryptor{Certificate: device.leaf.Cert, Key: device.leaf.Key}})
			if err != nil || !reflect.DeepEqual(opened.Encryption.Payloads, want["PayloadContent"]) {
				t.Errorf("decrypted payloads differ from the input's (%v)", err)
			}

			// Encrypting an encrypted profile again is refused.
			again := filepath.Join(dir, "again.mobileconfig")
			r = runCLI(t, nil, nil, append([]string{"sign", out, "--resign", "-o", again, "--encrypt-to", device.cert}, f.flags()...)...)
			if r.code != exitError {
				t.Fatalf("second --encrypt-to: exit %d", r.code)
			}
			wantSubstrings(t, "stderr", r.stderr, "is already encrypted (it has EncryptedPayloadContent); leave out --encrypt-to")
			wantNoOutputFile(t, again)
		})
	}
}

func TestEncryptToRefusesECDSA(t *testing.T) {
	device := newDeviceFiles(t, testpki.ECDSAP256)
	f := newSignerFiles(t, testpki.RSA2048, testpki.Options{})
	dir := t.TempDir()
	plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))
	out := filepath.Join(dir, "out.mobileconfig")
	for _, cmd := range [][]string{
		append([]string{"sign", plain}, f.flags()...),
		{"compile", filepath.Join(fixtureDir("psk-ondemand"), "input.json")},
	} {
		t.Run(cmd[0], func(t *testing.T) {
			r := runCLI(t, nil, nil, append(cmd, "-o", out, "--encrypt-to", device.cert)...)
			if r.code != exitError {
				t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
			}
			wantSubstrings(t, "stderr", r.stderr, "--encrypt-to "+device.cert+": only RSA device certificates are supported as encryption recipients",
				`the device certificate "CN=Test Device,O=graph2mobileconfig tests" has an ECDSA-P256 key`)
			wantNoOutputFile(t, out)
		})
	}
}

func TestInspectDecryptKeyPassword(t *testing.T) {
	const password = "D3vice-Key-Pa55!"
	device := newDeviceFiles(t, testpki.RSA2048)
	dir := t.TempDir()
	enc := compileFixture(t, "psk-ondemand", filepath.Join(dir, "encrypted.mobileconfig"), "--encrypt-to", device.cert)
	key := testpki.WritePEMKey(t, filepath.Join(dir, "device-enc.key"), device.leaf.Key, testpki.EncryptedPKCS8, []byte(password))
	passFile := writeOrFail(t, filepath.Join(dir, "pass"), []byte(password+"\n"))
	wrongFile := writeOrFail(t, filepath.Join(dir, "wrong"), []byte("wrong-password\n"))
	base := []string{"inspect", enc, "--summary-only", "--decrypt-key", key, "--decrypt-cert", device.cert}
	cases := []struct {
		name    string
		args    []string
		environ map[string]string
		code    int
		want    string
	}{
		{"password file", []string{"--decrypt-password-file", passFile}, nil, exitOK, "Remote address:  203.0.113.10"},
		{"environment", nil, map[string]string{envDecryptPassword: password}, exitOK, "Remote address:  203.0.113.10"},
		{"wrong password", []string{"--decrypt-password-file", wrongFile}, nil, exitError, "--decrypt-key " + key + ": private key (ENCRYPTED PRIVATE KEY): the password is incorrect"},
		{"no password", nil, nil, exitError, "--decrypt-key " + key + ": private key (ENCRYPTED PRIVATE KEY): it is encrypted and no password was given; give --decrypt-password-file FILE (- reads standard input) or set GRAPH2MOBILECONFIG_DECRYPT_PASSWORD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, nil, c.environ, append(base, c.args...)...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.code, r.stderr)
			}
			wantSubstrings(t, "output", r.stdout+r.stderr, c.want)
			if strings.Contains(r.stdout+r.stderr, password) || strings.Contains(r.stdout+r.stderr, "wrong-password") {
				t.Error("a password was printed")
			}
		})
	}
}

// TestEncryptOpenSSLInterop decrypts the EncryptedPayloadContent that
// compile --encrypt-to writes with "openssl cms -decrypt".
func TestEncryptOpenSSLInterop(t *testing.T) {
	requireOpenSSLCLI(t)
	device := newDeviceFiles(t, testpki.RSA2048)
	f := newSignerFiles(t, testpki.RSA2048, testpki.Options{})
	dir := device.dir
	plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))
	enc := compileFixture(t, "psk-ondemand", filepath.Join(dir, "encrypted.mobileconfig"), append(f.flags(), "--encrypt-to", device.cert)...)

	unsigned := filepath.Join(dir, "unsigned.mobileconfig")
	if r := runCLI(t, nil, nil, "unsign", enc, "-o", unsigned); r.code != exitOK {
		t.Fatalf("unsign: exit %d\n%s", r.code, r.stderr)
	}
	m, _, err := plistout.Decode(readOrFail(t, unsigned))
	if err != nil {
		t.Fatal(err)
	}
	envelope, ok := m["EncryptedPayloadContent"].([]byte)
	if !ok {
		t.Fatalf("EncryptedPayloadContent is %T", m["EncryptedPayloadContent"])
	}
	writeOrFail(t, filepath.Join(dir, "envelope.der"), envelope)
	runOpenSSL(t, dir, "cms", "-decrypt", "-inform", "DER", "-in", "envelope.der", "-recip", "device.pem", "-inkey", "device.key", "-out", "payloads.plist")
	v, err := plistout.DecodeAny(readOrFail(t, filepath.Join(dir, "payloads.plist")))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := v.([]any)
	if !ok || len(got) != 1 {
		t.Fatalf("openssl decrypted a %T, want an array of one payload", v)
	}
	want := payloadsOf(t, readOrFail(t, plain))
	if !reflect.DeepEqual(got[0], want[0]) {
		t.Errorf("VPN payload decrypted by openssl:\n%v\nwant\n%v", got[0], want[0])
	}
	if vpn := got[0].(map[string]any); vpn["VPNType"] != "IKEv2" || vpn["IKEv2"].(map[string]any)["RemoteAddress"] != "203.0.113.10" {
		t.Errorf("VPN payload %v", vpn)
	}

	// And openssl's own encryption (3DES, subject key identifier) is read
	// by inspect --decrypt-key.
	plainPayloads, _ := plistout.Encode(want, plistout.XML)
	writeOrFail(t, filepath.Join(dir, "payloads-in.plist"), plainPayloads)
	runOpenSSL(t, dir, "cms", "-encrypt", "-binary", "-des3", "-keyid", "-outform", "DER", "-in", "payloads-in.plist", "-out", "ossl-envelope.der", "device.pem")
	m["EncryptedPayloadContent"] = readOrFail(t, filepath.Join(dir, "ossl-envelope.der"))
	osslProfile, _ := plistout.Encode(m, plistout.XML)
	in := writeOrFail(t, filepath.Join(dir, "ossl-encrypted.mobileconfig"), osslProfile)
	r := runCLI(t, nil, nil, append([]string{"inspect", in, "--summary-only"}, device.decryptFlags()...)...)
	if r.code != exitOK {
		t.Fatalf("inspect of openssl's encryption: exit %d\n%s", r.code, r.stderr)
	}
	wantSubstrings(t, "stdout", r.stdout, "Encryption:    encrypted (3DES-CBC) to the certificate with key identifier "+fmt.Sprintf("%X", device.leaf.Cert.SubjectKeyId), "Remote address:  203.0.113.10")
}
