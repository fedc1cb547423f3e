package signing_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"log"
	"math/big"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// newSigner makes a self-signed signing certificate; a real signer comes
// from LoadPKCS12Identity or LoadPEMIdentity.
func newSigner(notBefore, notAfter time.Time) *signing.Identity {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Contoso Profile Signer"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}
	return &signing.Identity{Certificate: cert, PrivateKey: key}
}

// Sign wraps a profile in a CMS signature that devices check; Verify checks
// it against trusted roots, and Unsign gives the profile back byte for
// byte.
func ExampleSign() {
	signer := newSigner(time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0))
	if _, err := signing.CheckIdentity(signer, time.Now()); err != nil {
		log.Fatal(err) // devices would refuse its signatures
	}
	profile := []byte(`<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict/></plist>`)
	signed, err := signing.Sign(profile, signer)
	if err != nil {
		log.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(signer.Certificate)
	v, err := signing.Verify(signed, signing.VerifyOptions{Roots: roots})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signature valid:", v.SignatureValid, "chain verified:", v.ChainVerified)
	content, err := signing.Unsign(signed)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("content unchanged:", bytes.Equal(content, profile))
	// Output:
	// signature valid: true chain verified: true
	// content unchanged: true
}

// CheckIdentity refuses a signer devices would not accept, naming every
// problem, and warns about one that expires soon.
func ExampleCheckIdentity() {
	signer := newSigner(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	_, err := signing.CheckIdentity(signer, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(err)
	warnings, _ := signing.CheckIdentity(signer, time.Date(2024, 12, 20, 0, 0, 0, 0, time.UTC))
	fmt.Println(warnings)
	// Output:
	// signer certificate "CN=Contoso Profile Signer" expired on 2025-01-01 00:00:00 UTC
	// warning: The signer certificate "CN=Contoso Profile Signer" expires on 2025-01-01 00:00:00 UTC (in 12 days); after that, devices treat profiles signed with it as unsigned.
}
