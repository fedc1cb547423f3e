package signing

import (
	"bytes"
	"crypto/x509"
	"path/filepath"
	"testing"
	"time"
)

// The real profile in testdata/real-profiles/signed (see its README.md):
// signed by a Let's Encrypt ECDSA P-256 leaf valid until 2026-05-28, with
// the E8 intermediate embedded.
const realDir = "../testdata/real-profiles/signed"

func realProfile(t *testing.T) (signed, unsigned []byte) {
	t.Helper()
	return readFile(t, filepath.Join(realDir, "paulmillr-encrypted-dns-adguard-default-https.signed.mobileconfig")),
		readFile(t, filepath.Join(realDir, "paulmillr-encrypted-dns-adguard-default-https.unsigned.mobileconfig"))
}

func TestRealSignedProfile(t *testing.T) {
	signed, unsigned := realProfile(t)
	if !IsCMS(signed) || IsCMS(unsigned) {
		t.Errorf("IsCMS(signed) = %v, IsCMS(unsigned) = %v", IsCMS(signed), IsCMS(unsigned))
	}

	s, err := Parse(signed)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if s.DigestAlgorithm != "SHA-256" || s.SignatureAlgorithm != "ECDSA-SHA256" || s.Version != 1 || s.SigningTime != nil {
		t.Errorf("digest %q, signature %q, version %d, signing time %v", s.DigestAlgorithm, s.SignatureAlgorithm, s.Version, s.SigningTime)
	}
	if len(s.Certificates) != 2 || s.Signer == nil || s.Signer.Subject.CommonName != "encrypted-dns.brunch.io" || s.Signer.PublicKeyAlgorithm != x509.ECDSA {
		t.Fatalf("%d certificates, signer %v", len(s.Certificates), s.Signer)
	}
	notAfter := s.Signer.NotAfter

	got, err := Unsign(signed)
	if err != nil || !bytes.Equal(got, unsigned) {
		t.Errorf("Unsign: %v; content equals the unsigned file: %v", err, bytes.Equal(got, unsigned))
	}

	// Signature only: valid, whatever the signer's dates.
	v, err := Verify(signed, VerifyOptions{})
	if err != nil || !v.SignatureValid || v.ChainVerified {
		t.Fatalf("Verify: %v (%+v)", err, v)
	}

	// The leaf has expired by now (2026-05-28): the signature is still
	// reported valid, the error names the expiry date.
	e8 := x509.NewCertPool()
	e8.AddCert(s.Certificates[1])
	after := notAfter.Add(24 * time.Hour)
	v, err = Verify(signed, VerifyOptions{Roots: e8, Now: after})
	checkErr(t, err, ErrSignerExpired, "signer certificate expired on 2026-05-28 04:30:44 UTC")
	if v == nil || !v.SignatureValid || v.ChainVerified {
		t.Errorf("after expiry: %+v", v)
	}
	if time.Now().After(notAfter) {
		_, err = Verify(signed, VerifyOptions{Roots: e8})
		checkErr(t, err, ErrSignerExpired, "signer certificate expired on 2026-05-28")
	}

	// While it was valid, it chained to E8 (used here as the trust anchor,
	// since the ISRG root is not embedded).
	v, err = Verify(signed, VerifyOptions{Roots: e8, Now: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || !v.ChainVerified || len(v.Chains[0]) != 2 {
		t.Errorf("during validity: %v (%+v)", err, v)
	}

	tampered := bytes.Replace(signed, []byte("dns.adguard.com"), []byte("dns.evil.example"[:15]), 1)
	_, err = Verify(tampered, VerifyOptions{})
	checkErr(t, err, ErrContentModified, "content does not match the signed digest (the profile was modified after signing)")
}

func TestFindSignerBySKI(t *testing.T) {
	signed, _ := realProfile(t)
	s, err := Parse(signed)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range s.Certificates {
		if got := findSignerCert(s.Certificates, &signerInfo{ski: c.SubjectKeyId}); got != c {
			t.Errorf("%s not found by its key identifier", c.Subject)
		}
		// Certificates without the extension are found by the RFC 5280
		// method-1 identifier, which OpenSSL computes.
		if got := findSignerCert(s.Certificates, &signerInfo{ski: computedSKI(c)}); got != c {
			t.Errorf("%s not found by the computed key identifier", c.Subject)
		}
	}
}
