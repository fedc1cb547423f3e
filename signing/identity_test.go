package signing

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
)

func TestCheckIdentity(t *testing.T) {
	now := time.Now()
	root := testpki.NewRoot(t, testpki.Options{KeyType: testpki.ECDSAP256})
	inter := root.NewIntermediate(t, testpki.Options{KeyType: testpki.ECDSAP256})
	otherInter := root.NewIntermediate(t, testpki.Options{KeyType: testpki.ECDSAP384, CommonName: "Other Intermediate CA"})
	leaf := func(o testpki.Options) *Identity { return identityOf(inter.NewLeaf(t, o)) }

	cases := []struct {
		name     string
		id       *Identity
		msgs     []string // wanted in the error; none means no error
		warnings []string // wanted warning codes
	}{
		{name: "RSA-2048 with chain", id: leaf(testpki.Options{KeyType: testpki.RSA2048})},
		{name: "RSA-3072", id: leaf(testpki.Options{KeyType: testpki.RSA3072})},
		{name: "RSA-4096", id: leaf(testpki.Options{KeyType: testpki.RSA4096})},
		{name: "ECDSA-P256", id: leaf(testpki.Options{KeyType: testpki.ECDSAP256})},
		{name: "ECDSA-P384", id: leaf(testpki.Options{KeyType: testpki.ECDSAP384})},
		{name: "no key usage extension", id: leaf(testpki.Options{KeyType: testpki.ECDSAP256, OmitKeyUsage: true})},
		{name: "root at the end of the chain", id: func() *Identity {
			id := leaf(testpki.Options{KeyType: testpki.ECDSAP256})
			id.Chain = append(id.Chain, root.Cert)
			return id
		}()},
		{
			name: "key does not match certificate",
			id: func() *Identity {
				id := leaf(testpki.Options{KeyType: testpki.RSA2048})
				id.PrivateKey = testpki.Key(t, testpki.RSA2048, 4)
				return id
			}(),
			msgs: []string{`the private key does not match the signer certificate "CN=Test Signer,O=graph2mobileconfig tests"`},
		},
		{
			name: "expired",
			id:   leaf(testpki.Options{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-24 * time.Hour)}),
			msgs: []string{`signer certificate "CN=Test Signer,O=graph2mobileconfig tests" expired on ` + now.Add(-24*time.Hour).UTC().Format("2006-01-02 15:04:05 UTC")},
		},
		{
			name: "not yet valid",
			id:   leaf(testpki.Options{NotBefore: now.Add(24 * time.Hour)}),
			msgs: []string{"is not valid until " + now.Add(24*time.Hour).UTC().Format("2006-01-02 15:04:05 UTC")},
		},
		{
			name: "key usage without digitalSignature",
			id:   leaf(testpki.Options{KeyUsage: x509.KeyUsageKeyEncipherment}),
			msgs: []string{"has a Key Usage extension without digitalSignature"},
		},
		{
			name: "broken chain",
			id: func() *Identity {
				id := leaf(testpki.Options{})
				id.Chain = []*x509.Certificate{otherInter.Cert}
				return id
			}(),
			msgs: []string{`the certificate chain is broken: "CN=Test Signer,O=graph2mobileconfig tests" is not issued by "CN=Other Intermediate CA,O=graph2mobileconfig tests"`},
		},
		{
			name: "chain in the wrong order",
			id: func() *Identity {
				id := leaf(testpki.Options{})
				id.Chain = []*x509.Certificate{root.Cert, inter.Cert}
				return id
			}(),
			msgs: []string{`is not issued by "CN=Test Root CA`},
		},
		{name: "RSA-1024", id: leaf(testpki.Options{KeyType: testpki.RSA1024}), msgs: []string{"the RSA key has 1024 bits; use 2048 to 4096 bits"}},
		{name: "ECDSA-P521", id: leaf(testpki.Options{KeyType: testpki.ECDSAP521}), msgs: []string{"the ECDSA key is on curve P-521; use P-256 or P-384"}},
		{name: "Ed25519", id: leaf(testpki.Options{KeyType: testpki.Ed25519}), msgs: []string{"Ed25519 keys cannot sign profiles"}},
		{
			name:     "expires in 10 days",
			id:       leaf(testpki.Options{NotAfter: now.Add(10*24*time.Hour + time.Hour)}),
			warnings: []string{"signer-expires-soon"},
		},
		{
			name: "several problems at once",
			id:   leaf(testpki.Options{KeyType: testpki.RSA1024, KeyUsage: x509.KeyUsageKeyEncipherment}),
			msgs: []string{"1024 bits", "without digitalSignature"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			warnings, err := CheckIdentity(c.id, now)
			if len(c.msgs) == 0 && err != nil {
				t.Fatalf("CheckIdentity: %v", err)
			}
			if len(c.msgs) > 0 {
				checkErr(t, err, nil, c.msgs...)
			}
			var codes []string
			for _, w := range warnings {
				if w.Severity != diag.Warning {
					t.Errorf("diagnostic %v is not a warning", w)
				}
				codes = append(codes, w.Code)
			}
			if strings.Join(codes, ",") != strings.Join(c.warnings, ",") {
				t.Errorf("warning codes %v, want %v", codes, c.warnings)
			}
			if len(warnings) > 0 && !strings.Contains(warnings[0].Message, "(in 10 days)") {
				t.Errorf("warning message %q does not say when", warnings[0].Message)
			}
		})
	}
}

func TestParsePrivateKey(t *testing.T) {
	rsaKey := testpki.Key(t, testpki.RSA2048, 0)
	ecKey := testpki.Key(t, testpki.ECDSAP256, 0)
	p384 := testpki.Key(t, testpki.ECDSAP384, 0)
	pw := []byte(testPassword)
	cert := testpki.NewRoot(t, testpki.Options{KeyType: testpki.ECDSAP256})

	cases := []struct {
		name string
		key  crypto.Signer
		pem  []byte
	}{
		{"RSA PKCS#1", rsaKey, testpki.EncodePEMKey(t, rsaKey, testpki.PKCS1, nil)},
		{"RSA PKCS#8", rsaKey, testpki.EncodePEMKey(t, rsaKey, testpki.PKCS8, nil)},
		{"EC SEC1", ecKey, testpki.EncodePEMKey(t, ecKey, testpki.SEC1, nil)},
		{"EC PKCS#8", p384, testpki.EncodePEMKey(t, p384, testpki.PKCS8, nil)},
		{"RSA encrypted legacy PEM", rsaKey, testpki.EncodePEMKey(t, rsaKey, testpki.EncryptedLegacy, pw)},
		{"EC encrypted legacy PEM", ecKey, testpki.EncodePEMKey(t, ecKey, testpki.EncryptedLegacy, pw)},
		{"RSA encrypted PKCS#8", rsaKey, testpki.EncodePEMKey(t, rsaKey, testpki.EncryptedPKCS8, pw)},
		{"EC encrypted PKCS#8", ecKey, testpki.EncodePEMKey(t, ecKey, testpki.EncryptedPKCS8, pw)},
		{"certificate before the key", ecKey, append(testpki.EncodePEMCerts(cert.Cert), testpki.EncodePEMKey(t, ecKey, testpki.SEC1, nil)...)},
		{"DER PKCS#8", rsaKey, func() []byte {
			b, _ := pem.Decode(testpki.EncodePEMKey(t, rsaKey, testpki.PKCS8, nil))
			return b.Bytes
		}()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParsePrivateKey(c.pem, pw)
			if err != nil {
				t.Fatalf("ParsePrivateKey: %v", err)
			}
			if !publicKeysEqual(got.Public(), c.key.Public()) {
				t.Error("parsed a different key")
			}
		})
	}
}

func TestParsePrivateKeyErrors(t *testing.T) {
	rsaKey := testpki.Key(t, testpki.RSA2048, 0)
	ecKey := testpki.Key(t, testpki.ECDSAP256, 0)
	pw := []byte(testPassword)
	legacy := testpki.EncodePEMKey(t, ecKey, testpki.EncryptedLegacy, pw)
	pkcs8 := testpki.EncodePEMKey(t, rsaKey, testpki.EncryptedPKCS8, pw)
	cases := []struct {
		name     string
		pem      []byte
		password []byte
		want     error
		msg      string
	}{
		{"legacy, no password", legacy, nil, ErrPasswordRequired, "private key (EC PRIVATE KEY): it is encrypted and no password was given"},
		{"legacy, wrong password", legacy, []byte("wrong"), ErrIncorrectPassword, "the password is incorrect"},
		{"PKCS#8, no password", pkcs8, nil, ErrPasswordRequired, "private key (ENCRYPTED PRIVATE KEY): it is encrypted and no password was given"},
		{"PKCS#8, wrong password", pkcs8, []byte("wrong " + testPassword), ErrIncorrectPassword, "private key (ENCRYPTED PRIVATE KEY): the password is incorrect"},
		{"certificate only", testpki.EncodePEMCerts(testpki.NewRoot(t, testpki.Options{}).Cert), nil, nil, "no private key in the PEM data (found CERTIFICATE)"},
		{"garbage", []byte("hello"), nil, nil, "neither a PEM private key nor"},
		{"OpenSSH", []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"), nil, nil, "OpenSSH private keys are not supported"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParsePrivateKey(c.pem, c.password)
			checkErr(t, err, c.want, c.msg)
			if len(c.password) > 0 && strings.Contains(err.Error(), string(c.password)) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}

func TestParseCertificates(t *testing.T) {
	root := testpki.NewRoot(t, testpki.Options{KeyType: testpki.ECDSAP256})
	inter := root.NewIntermediate(t, testpki.Options{KeyType: testpki.ECDSAP256})
	for _, c := range []struct {
		name string
		data []byte
		n    int
		msg  string
	}{
		{"PEM bundle", testpki.EncodePEMCerts(inter.Cert, root.Cert), 2, ""},
		{"PEM with key", append(testpki.EncodePEMKey(t, root.Key, testpki.PKCS8, nil), testpki.EncodePEMCerts(root.Cert)...), 1, ""},
		{"DER", root.Cert.Raw, 1, ""},
		{"key only", testpki.EncodePEMKey(t, root.Key, testpki.PKCS8, nil), 0, "no CERTIFICATE block in the PEM data (found PRIVATE KEY)"},
		{"garbage", []byte("nope"), 0, "neither PEM nor a DER certificate"},
		{"empty", nil, 0, "empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			certs, err := ParseCertificates(c.data)
			if c.msg != "" {
				checkErr(t, err, nil, c.msg)
				return
			}
			if err != nil || len(certs) != c.n {
				t.Fatalf("got %d certificates, %v; want %d", len(certs), err, c.n)
			}
		})
	}
}

func TestLoadPEMIdentity(t *testing.T) {
	root := testpki.NewRoot(t, testpki.Options{KeyType: testpki.ECDSAP256})
	inter := root.NewIntermediate(t, testpki.Options{KeyType: testpki.ECDSAP256})
	leaf := inter.NewLeaf(t, testpki.Options{KeyType: testpki.RSA2048})
	key := testpki.EncodePEMKey(t, leaf.Key, testpki.EncryptedPKCS8, []byte(testPassword))

	for _, c := range []struct {
		name  string
		certs []byte
	}{
		{"leaf first", testpki.EncodePEMCerts(leaf.Cert, inter.Cert, root.Cert)},
		{"bundle in reverse order", testpki.EncodePEMCerts(root.Cert, inter.Cert, leaf.Cert)},
	} {
		t.Run(c.name, func(t *testing.T) {
			id, err := LoadPEMIdentity(c.certs, key, []byte(testPassword))
			if err != nil {
				t.Fatal(err)
			}
			if !id.Certificate.Equal(leaf.Cert) || len(id.Chain) != 2 || !id.Chain[0].Equal(inter.Cert) || !id.Chain[1].Equal(root.Cert) {
				t.Errorf("identity %v with chain %v", id.Certificate.Subject, id.Chain)
			}
			if _, err := CheckIdentity(id, time.Now()); err != nil {
				t.Errorf("CheckIdentity: %v", err)
			}
		})
	}

	_, err := LoadPEMIdentity(testpki.EncodePEMCerts(leaf.Cert), key, []byte("wrong"))
	checkErr(t, err, ErrIncorrectPassword, "signer private key (ENCRYPTED PRIVATE KEY): the password is incorrect")
}

func TestParseOpenSSLKeys(t *testing.T) {
	requireOpenSSL(t)
	dir := t.TempDir()
	writeFile(t, dir, "pw", []byte(testPassword+"\n"))
	keys := map[string]crypto.Signer{
		"rsa": testpki.Key(t, testpki.RSA2048, 0),
		"ec":  testpki.Key(t, testpki.ECDSAP384, 0),
	}
	for name, k := range keys {
		testpki.WritePEMKey(t, filepath.Join(dir, name+".key"), k, testpki.PKCS8, nil)
	}
	cases := []struct {
		name string
		key  string
		args []string
		want string // PEM type written
	}{
		{"pkcs8 -v2 aes-256-cbc (OpenSSL 3 default)", "rsa", []string{"pkcs8", "-topk8", "-v2", "aes-256-cbc"}, "ENCRYPTED PRIVATE KEY"},
		{"pkcs8 -v2 aes-256-cbc EC", "ec", []string{"pkcs8", "-topk8", "-v2", "aes-256-cbc"}, "ENCRYPTED PRIVATE KEY"},
		{"pkcs8 aes-128-cbc hmacWithSHA1", "rsa", []string{"pkcs8", "-topk8", "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"}, "ENCRYPTED PRIVATE KEY"},
		{"pkcs8 des3 hmacWithSHA512", "ec", []string{"pkcs8", "-topk8", "-v2", "des3", "-v2prf", "hmacWithSHA512"}, "ENCRYPTED PRIVATE KEY"},
		{"pkcs8 scrypt", "ec", []string{"pkcs8", "-topk8", "-v2", "aes-256-cbc", "-scrypt"}, "ENCRYPTED PRIVATE KEY"},
		{"rsa -aes256 -traditional", "rsa", []string{"rsa", "-aes256", "-traditional"}, "RSA PRIVATE KEY"},
		{"rsa -des3 -traditional", "rsa", []string{"rsa", "-des3", "-traditional"}, "RSA PRIVATE KEY"},
		{"ec -aes256", "ec", []string{"ec", "-aes256"}, "EC PRIVATE KEY"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append(c.args, "-in", c.key+".key", "-passout", "file:pw", "-out", "out.pem")
			mustOpenSSL(t, dir, args...)
			data := readFile(t, filepath.Join(dir, "out.pem"))
			if b, _ := pem.Decode(data); b == nil || b.Type != c.want {
				t.Fatalf("openssl wrote %v, want %s", b, c.want)
			}
			got, err := ParsePrivateKey(data, []byte(testPassword))
			if err != nil {
				t.Fatalf("ParsePrivateKey: %v", err)
			}
			if !publicKeysEqual(got.Public(), keys[c.key].Public()) {
				t.Error("parsed a different key")
			}
			_, err = ParsePrivateKey(data, []byte("wrong"))
			checkErr(t, err, ErrIncorrectPassword, "the password is incorrect")
			_, err = ParsePrivateKey(data, nil)
			checkErr(t, err, ErrPasswordRequired, "it is encrypted and no password was given")
		})
	}

	t.Run("PBES1 is reported as unsupported", func(t *testing.T) {
		mustOpenSSL(t, dir, "pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-in", "rsa.key", "-passout", "file:pw", "-out", "v1.pem")
		_, err := ParsePrivateKey(readFile(t, filepath.Join(dir, "v1.pem")), []byte(testPassword))
		checkErr(t, err, nil, "only PBES2 is supported", "openssl pkcs8 -topk8 -v2 aes-256-cbc")
	})
}
