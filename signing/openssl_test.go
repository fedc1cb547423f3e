package signing

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/smallstep/pkcs7"
)

// pemFixture writes a root, an intermediate and a leaf as PEM files.
type pemFixture struct {
	root *testpki.CA
	leaf *testpki.Leaf
	dir  string
}

func newPEMFixture(t *testing.T, kt testpki.KeyType) *pemFixture {
	t.Helper()
	f := &pemFixture{dir: t.TempDir()}
	f.root = testpki.NewRoot(t, testpki.Options{KeyType: kt})
	inter := f.root.NewIntermediate(t, testpki.Options{KeyType: kt})
	f.leaf = inter.NewLeaf(t, testpki.Options{KeyType: kt})
	testpki.WritePEMCert(t, filepath.Join(f.dir, "root.pem"), f.root.Cert)
	testpki.WritePEMCert(t, filepath.Join(f.dir, "chain.pem"), inter.Cert)
	testpki.WritePEMCert(t, filepath.Join(f.dir, "leaf.pem"), f.leaf.Cert)
	testpki.WritePEMKey(t, filepath.Join(f.dir, "leaf.key"), f.leaf.Key, testpki.PKCS8, nil)
	writeFile(t, f.dir, "profile.mobileconfig", sampleProfile)
	return f
}

func TestOpenSSLVerifiesOurSignature(t *testing.T) {
	requireOpenSSL(t)
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.ECDSAP256, testpki.ECDSAP384} {
		t.Run(kt.String(), func(t *testing.T) {
			f := newPEMFixture(t, kt)
			der, err := Sign(sampleProfile, identityOf(f.leaf))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, f.dir, "signed.mobileconfig", der)
			mustOpenSSL(t, f.dir, "cms", "-verify", "-inform", "DER", "-in", "signed.mobileconfig",
				"-CAfile", "root.pem", "-purpose", "any", "-out", "out.plist")
			if got := readFile(t, filepath.Join(f.dir, "out.plist")); !bytes.Equal(got, sampleProfile) {
				t.Errorf("openssl extracted %d bytes that differ from the %d signed", len(got), len(sampleProfile))
			}
		})
	}
}

func TestVerifyOpenSSLSignatures(t *testing.T) {
	requireOpenSSL(t)
	base := []string{"cms", "-sign", "-binary", "-in", "profile.mobileconfig", "-signer", "leaf.pem", "-inkey", "leaf.key", "-outform", "DER", "-out", "signed.der"}
	cases := []struct {
		name    string
		kt      testpki.KeyType
		extra   []string
		version int
		sigAlg  string
		warning string // wanted warning code, if any
		check   func(t *testing.T, der []byte)
	}{
		{name: "RSA", kt: testpki.RSA2048, extra: []string{"-nodetach", "-md", "sha256", "-certfile", "chain.pem"}, version: 1, sigAlg: "SHA256-RSA"},
		{name: "ECDSA", kt: testpki.ECDSAP256, extra: []string{"-nodetach", "-md", "sha256", "-certfile", "chain.pem"}, version: 1, sigAlg: "ECDSA-SHA256"},
		{name: "ECDSA-P384 SHA-384", kt: testpki.ECDSAP384, extra: []string{"-nodetach", "-md", "sha384", "-certfile", "chain.pem"}, version: 1, sigAlg: "ECDSA-SHA384"},
		{name: "subject key identifier (CMS v3)", kt: testpki.RSA2048, extra: []string{"-nodetach", "-md", "sha256", "-keyid", "-certfile", "chain.pem"}, version: 3, sigAlg: "SHA256-RSA"},
		{name: "no signed attributes", kt: testpki.ECDSAP256, extra: []string{"-nodetach", "-md", "sha256", "-noattr", "-certfile", "chain.pem"}, version: 1, sigAlg: "ECDSA-SHA256"},
		{name: "SHA-1 digest", kt: testpki.RSA2048, extra: []string{"-nodetach", "-md", "sha1", "-certfile", "chain.pem"}, version: 1, sigAlg: "SHA1-RSA", warning: "weak-digest"},
		{name: "BER streaming", kt: testpki.RSA2048, extra: []string{"-nodetach", "-md", "sha256", "-stream", "-certfile", "chain.pem"}, version: 1, sigAlg: "SHA256-RSA",
			check: func(t *testing.T, der []byte) {
				if der[1] != 0x80 {
					t.Errorf("openssl -stream output starts % x, want an indefinite length", der[:2])
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newPEMFixture(t, c.kt)
			mustOpenSSL(t, f.dir, append(base, c.extra...)...)
			der := readFile(t, filepath.Join(f.dir, "signed.der"))
			if c.check != nil {
				c.check(t, der)
			}
			if !IsCMS(der) {
				t.Error("IsCMS = false")
			}
			v, err := Verify(der, VerifyOptions{Roots: f.root.Pool()})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			s := v.Signed
			if !v.SignatureValid || !v.ChainVerified || len(v.Chains) != 1 || len(v.Chains[0]) != 3 {
				t.Errorf("Verify = %+v", v)
			}
			if c.warning == "" && len(v.Warnings) != 0 || c.warning != "" && (len(v.Warnings) != 1 || v.Warnings[0].Code != c.warning) {
				t.Errorf("Warnings = %v, want code %q", v.Warnings, c.warning)
			}
			if !bytes.Equal(s.Content, sampleProfile) || s.Version != c.version || s.SignatureAlgorithm != c.sigAlg || len(s.Certificates) != 2 {
				t.Errorf("content equal %v, version %d, algorithm %q, %d certificates", bytes.Equal(s.Content, sampleProfile), s.Version, s.SignatureAlgorithm, len(s.Certificates))
			}
			if s.Signer == nil || !s.Signer.Equal(f.leaf.Cert) {
				t.Error("signer certificate not identified")
			}
			tampered := bytes.Replace(der, []byte("Configuration"), []byte("ConfiguratioN"), 1)
			_, err = Verify(tampered, VerifyOptions{})
			if c.name == "no signed attributes" {
				checkErr(t, err, ErrBadSignature, "the content may also have been modified")
			} else {
				checkErr(t, err, ErrContentModified, "the profile was modified after signing")
			}
		})
	}
}

func TestOpenSSLSignatureProblems(t *testing.T) {
	requireOpenSSL(t)
	f := newPEMFixture(t, testpki.ECDSAP256)

	// Without -certfile the intermediate is missing: the signature verifies
	// but the chain cannot be built.
	mustOpenSSL(t, f.dir, "cms", "-sign", "-binary", "-nodetach", "-in", "profile.mobileconfig", "-signer", "leaf.pem", "-inkey", "leaf.key", "-outform", "DER", "-out", "nochain.der")
	v, err := Verify(readFile(t, filepath.Join(f.dir, "nochain.der")), VerifyOptions{Roots: f.root.Pool()})
	checkErr(t, err, ErrUntrusted, "signer certificate does not chain to the given CA")
	if v == nil || !v.SignatureValid {
		t.Error("the signature should still be valid")
	}

	// -nocerts leaves out the signer certificate itself.
	mustOpenSSL(t, f.dir, "cms", "-sign", "-binary", "-nodetach", "-nocerts", "-in", "profile.mobileconfig", "-signer", "leaf.pem", "-inkey", "leaf.key", "-outform", "DER", "-out", "nocerts.der")
	nocerts := readFile(t, filepath.Join(f.dir, "nocerts.der"))
	_, err = Verify(nocerts, VerifyOptions{})
	checkErr(t, err, ErrNoSigner, "the signer certificate is not embedded: the signature names the certificate with serial number", "Test Intermediate CA")
	if content, err := Unsign(nocerts); err != nil || !bytes.Equal(content, sampleProfile) {
		t.Errorf("Unsign without certificates: %v", err)
	}

	// A detached signature has no content to return.
	mustOpenSSL(t, f.dir, "cms", "-sign", "-binary", "-in", "profile.mobileconfig", "-signer", "leaf.pem", "-inkey", "leaf.key", "-outform", "DER", "-out", "detached.der")
	_, err = Unsign(readFile(t, filepath.Join(f.dir, "detached.der")))
	checkErr(t, err, nil, "the signature is detached")
}

func TestEncryptDecryptWithOpenSSL(t *testing.T) {
	requireOpenSSL(t)
	f := newPEMFixture(t, testpki.RSA2048)

	t.Run("ours to openssl", func(t *testing.T) {
		env, err := Encrypt(sampleProfile, f.leaf.Cert)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, f.dir, "ours.der", env)
		mustOpenSSL(t, f.dir, "cms", "-decrypt", "-inform", "DER", "-in", "ours.der", "-recip", "leaf.pem", "-inkey", "leaf.key", "-out", "ours.plain")
		if got := readFile(t, filepath.Join(f.dir, "ours.plain")); !bytes.Equal(got, sampleProfile) {
			t.Error("openssl decrypted different bytes")
		}
		info := mustOpenSSL(t, f.dir, "cms", "-cmsout", "-print", "-inform", "DER", "-in", "ours.der", "-noout")
		if !bytes.Contains(info, []byte("aes-256-cbc")) || !bytes.Contains(info, []byte("rsaEncryption")) {
			t.Errorf("structure lacks aes-256-cbc or rsaEncryption:\n%s", info)
		}
	})

	for _, c := range []struct {
		name  string
		extra []string
	}{
		{"aes256", []string{"-aes256"}},
		{"aes128", []string{"-aes128"}},
		{"des3", []string{"-des3"}},
		{"aes256 streaming BER", []string{"-aes256", "-stream"}},
		{"aes256 key identifier", []string{"-aes256", "-keyid"}},
		{"aes256 RSA-OAEP", []string{"-aes256", "-keyopt", "rsa_padding_mode:oaep"}},
		{"aes256 RSA-OAEP SHA-256", []string{"-aes256", "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256"}},
	} {
		t.Run("openssl to ours/"+c.name, func(t *testing.T) {
			args := append([]string{"cms", "-encrypt", "-binary", "-in", "profile.mobileconfig", "-outform", "DER", "-out", "theirs.der", "-recip", "leaf.pem"}, c.extra...)
			mustOpenSSL(t, f.dir, args...)
			plain, err := Decrypt(readFile(t, filepath.Join(f.dir, "theirs.der")), f.leaf.Cert, f.leaf.Key)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if !bytes.Equal(plain, sampleProfile) {
				t.Error("decrypted different bytes")
			}
		})
	}
}

func TestEncryptDecrypt(t *testing.T) {
	root := testpki.NewRoot(t, testpki.Options{})
	device := root.NewLeaf(t, testpki.Options{KeyType: testpki.RSA2048, CommonName: "Device"})
	other := root.NewLeaf(t, testpki.Options{KeyType: testpki.RSA2048, Key: testpki.Key(t, testpki.RSA2048, 3), CommonName: "Other Device"})
	ecDevice := root.NewLeaf(t, testpki.Options{KeyType: testpki.ECDSAP256, CommonName: "EC Device"})

	env, err := Encrypt(sampleProfile, device.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(env, []byte("PayloadType")) {
		t.Error("the plaintext is visible in the EnvelopedData")
	}
	plain, err := Decrypt(env, device.Cert, device.Key)
	if err != nil || !bytes.Equal(plain, sampleProfile) {
		t.Fatalf("Decrypt: %v", err)
	}
	plain, err = Decrypt(toIndefinite(t, env, 32), device.Cert, device.Key)
	if err != nil || !bytes.Equal(plain, sampleProfile) {
		t.Fatalf("Decrypt(BER): %v", err)
	}

	_, err = Decrypt(env, other.Cert, other.Key)
	checkErr(t, err, nil, `the data is not encrypted to the certificate "CN=Other Device`)
	_, err = Decrypt(env, device.Cert, other.Key)
	checkErr(t, err, nil, "the private key does not match the certificate")
	if pkcs7.ContentEncryptionAlgorithm != pkcs7.EncryptionAlgorithmDESCBC {
		t.Error("Encrypt changed the pkcs7 package's global ContentEncryptionAlgorithm")
	}
	_, err = Encrypt(sampleProfile, ecDevice.Cert)
	checkErr(t, err, ErrUnsupportedRecipient, "only RSA device certificates are supported", "ECDSA")
	signed, err := Sign(sampleProfile, identityOf(device))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decrypt(signed, device.Cert, device.Key)
	checkErr(t, err, nil, "not EnvelopedData")
}

// TestSigningTimeIsRecent guards against a clock-independent regression:
// the library sets signingTime, and Parse must read it back.
func TestSigningTimeIsRecent(t *testing.T) {
	der, _, _ := signedFixture(t)
	s, err := Parse(der)
	if err != nil || s.SigningTime == nil || time.Since(*s.SigningTime) > time.Minute {
		t.Fatalf("SigningTime = %v, %v", s.SigningTime, err)
	}
}

func TestComputedSKIMatchesOpenSSL(t *testing.T) {
	requireOpenSSL(t)
	dir := t.TempDir()
	mustOpenSSL(t, dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
		"-keyout", "k.pem", "-out", "c.pem", "-subj", "/CN=ski", "-days", "1", "-addext", "subjectKeyIdentifier=hash")
	certs, err := ParseCertificates(readFile(t, filepath.Join(dir, "c.pem")))
	if err != nil {
		t.Fatal(err)
	}
	if c := certs[0]; len(c.SubjectKeyId) == 0 || !bytes.Equal(computedSKI(c), c.SubjectKeyId) {
		t.Errorf("computed key identifier %X, OpenSSL's %X", computedSKI(c), c.SubjectKeyId)
	}
}
