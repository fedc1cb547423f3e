package signing

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
)

func TestDescribeCertificate(t *testing.T) {
	root := testpki.NewRoot(t, testpki.Options{CommonName: "Describe Root"})
	cases := []struct {
		kt   testpki.KeyType
		want string
	}{
		{testpki.RSA2048, "RSA-2048"},
		{testpki.RSA3072, "RSA-3072"},
		{testpki.ECDSAP256, "ECDSA-P256"},
		{testpki.ECDSAP384, "ECDSA-P384"},
		{testpki.Ed25519, "Ed25519"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			leaf := root.NewLeaf(t, testpki.Options{KeyType: c.kt, CommonName: "Describe Leaf"})
			got := DescribeCertificate(leaf.Cert)
			sum := sha256.Sum256(leaf.Cert.Raw)
			var hexPairs []string
			for _, b := range sum {
				hexPairs = append(hexPairs, fmt.Sprintf("%02X", b))
			}
			want := CertificateInfo{
				Subject:           "CN=Describe Leaf,O=graph2mobileconfig tests",
				Issuer:            "CN=Describe Root,O=graph2mobileconfig tests",
				SerialNumber:      fmt.Sprintf("%X", leaf.Cert.SerialNumber),
				NotBefore:         leaf.Cert.NotBefore.UTC(),
				NotAfter:          leaf.Cert.NotAfter.UTC(),
				PublicKey:         c.want,
				SHA256Fingerprint: strings.Join(hexPairs, ":"),
			}
			if got != want {
				t.Errorf("DescribeCertificate =\n%+v, want\n%+v", got, want)
			}
		})
	}
	if got := DescribeCertificate(root.Cert); !got.SelfSigned || got.PublicKey != "RSA-2048" {
		t.Errorf("root: %+v", got)
	}
}

func TestParseEnvelope(t *testing.T) {
	root := testpki.NewRoot(t, testpki.Options{CommonName: "Device CA"})
	device := root.NewLeaf(t, testpki.Options{CommonName: "Device"})
	der, err := Encrypt(sampleProfile, device.Cert)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseEnvelope(der)
	if err != nil {
		t.Fatal(err)
	}
	want := Recipient{Issuer: "CN=Device CA,O=graph2mobileconfig tests", SerialNumber: fmt.Sprintf("%X", device.Cert.SerialNumber), KeyEncryption: "RSA PKCS#1 v1.5"}
	if got.ContentEncryption != "AES-256-CBC" || len(got.Recipients) != 1 || got.Recipients[0] != want {
		t.Errorf("ParseEnvelope = %+v, want AES-256-CBC to %+v", got, want)
	}

	signed, err := Sign(sampleProfile, identityOf(device))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"SignedData": signed, "plist": sampleProfile, "truncated": der[:len(der)/2]} {
		if _, err := ParseEnvelope(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestParseEnvelopeOpenSSL(t *testing.T) {
	requireOpenSSL(t)
	dir := t.TempDir()
	root := testpki.NewRoot(t, testpki.Options{CommonName: "Device CA"})
	device := root.NewLeaf(t, testpki.Options{CommonName: "Device"})
	testpki.WritePEMCert(t, filepath.Join(dir, "device.pem"), device.Cert)
	writeFile(t, dir, "in.plist", sampleProfile)
	serial := fmt.Sprintf("%X", device.Cert.SerialNumber)
	const issuer = "CN=Device CA,O=graph2mobileconfig tests"
	cases := []struct {
		name string
		args []string // after "openssl cms -encrypt -binary -outform DER -in in.plist -out out.der"
		want Recipient
		alg  string
	}{
		{"issuer and serial, AES-128", []string{"-aes128", "device.pem"},
			Recipient{Issuer: issuer, SerialNumber: serial, KeyEncryption: "RSA PKCS#1 v1.5"}, "AES-128-CBC"},
		{"key identifier, 3DES", []string{"-des3", "-keyid", "device.pem"},
			Recipient{SubjectKeyID: fmt.Sprintf("%X", device.Cert.SubjectKeyId), KeyEncryption: "RSA PKCS#1 v1.5"}, "3DES-CBC"},
		// -keyopt applies to the -recip before it.
		{"RSA-OAEP, streamed BER", []string{"-aes256", "-stream", "-recip", "device.pem", "-keyopt", "rsa_padding_mode:oaep"},
			Recipient{Issuer: issuer, SerialNumber: serial, KeyEncryption: "RSA-OAEP"}, "AES-256-CBC"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mustOpenSSL(t, dir, append([]string{"cms", "-encrypt", "-binary", "-outform", "DER", "-in", "in.plist", "-out", "out.der"}, c.args...)...)
			got, err := ParseEnvelope(readFile(t, filepath.Join(dir, "out.der")))
			if err != nil {
				t.Fatal(err)
			}
			if got.ContentEncryption != c.alg || len(got.Recipients) != 1 || got.Recipients[0] != c.want {
				t.Errorf("ParseEnvelope = %+v, want %s to %+v", got, c.alg, c.want)
			}
		})
	}
}
