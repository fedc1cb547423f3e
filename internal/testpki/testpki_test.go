package testpki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

func TestChainVerifies(t *testing.T) {
	for _, kt := range []KeyType{RSA2048, ECDSAP256, ECDSAP384} {
		t.Run(kt.String(), func(t *testing.T) {
			root := NewRoot(t, Options{KeyType: kt})
			inter := root.NewIntermediate(t, Options{KeyType: kt})
			leaf := inter.NewLeaf(t, Options{KeyType: kt, CommonName: "signer"})
			if len(leaf.Chain) != 1 || leaf.Chain[0] != inter.Cert {
				t.Fatalf("leaf.Chain = %v, want [intermediate]", leaf.Chain)
			}
			pool := x509.NewCertPool()
			pool.AddCert(inter.Cert)
			if _, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: root.Pool(), Intermediates: pool}); err != nil {
				t.Fatalf("chain does not verify: %v", err)
			}
			if leaf.Cert.Subject.CommonName != "signer" || leaf.Cert.KeyUsage != x509.KeyUsageDigitalSignature {
				t.Errorf("leaf subject %q key usage %v", leaf.Cert.Subject, leaf.Cert.KeyUsage)
			}
		})
	}
}

func TestKeysCachedAndDistinct(t *testing.T) {
	a, b, c := Key(t, ECDSAP256, 0), Key(t, ECDSAP256, 0), Key(t, ECDSAP256, 1)
	if a != b {
		t.Error("same slot gave different keys")
	}
	if a == c {
		t.Error("different slots gave the same key")
	}
}

func TestOptions(t *testing.T) {
	now := time.Now()
	root := NewRoot(t, Options{KeyType: ECDSAP256})
	leaf := root.NewLeaf(t, Options{KeyType: ECDSAP256, NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-24 * time.Hour), OmitKeyUsage: true})
	if leaf.Cert.KeyUsage != 0 || !leaf.Cert.NotAfter.Before(now) {
		t.Errorf("options not applied: key usage %v, not after %v", leaf.Cert.KeyUsage, leaf.Cert.NotAfter)
	}
}

func TestEncodePEMKey(t *testing.T) {
	cases := []struct {
		kt     KeyType
		format KeyFormat
		want   string
	}{
		{RSA2048, PKCS1, "RSA PRIVATE KEY"},
		{RSA2048, PKCS8, "PRIVATE KEY"},
		{ECDSAP256, SEC1, "EC PRIVATE KEY"},
		{ECDSAP256, EncryptedLegacy, "EC PRIVATE KEY"},
		{RSA2048, EncryptedPKCS8, "ENCRYPTED PRIVATE KEY"},
	}
	for _, c := range cases {
		b, _ := pem.Decode(EncodePEMKey(t, Key(t, c.kt, 0), c.format, []byte("pw")))
		if b == nil || b.Type != c.want {
			t.Errorf("%v format %d: got block %v, want %q", c.kt, c.format, b, c.want)
		}
	}
}

func TestPKCS12(t *testing.T) {
	root := NewRoot(t, Options{KeyType: ECDSAP256})
	inter := root.NewIntermediate(t, Options{KeyType: ECDSAP256})
	leaf := inter.NewLeaf(t, Options{KeyType: ECDSAP256})
	// The OIDs of the key bag's encryption tell the two encodings apart:
	// pbeWithSHAAnd3-KeyTripleDES-CBC for the legacy form iOS imports,
	// PBES2 with AES-256-CBC for OpenSSL 3's default.
	tripleDES := asn1OID(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3})
	pbes2 := asn1OID(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13})
	aes256CBC := asn1OID(t, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42})
	cases := []struct {
		enc       P12Encoding
		want, not [][]byte
	}{
		{P12Legacy, [][]byte{tripleDES}, [][]byte{pbes2, aes256CBC}},
		{P12Modern, [][]byte{pbes2, aes256CBC}, [][]byte{tripleDES}},
	}
	for _, c := range cases {
		der := PKCS12(t, leaf, c.enc, "pw")
		key, cert, chain, err := pkcs12.DecodeChain(der, "pw")
		if err != nil {
			t.Fatalf("encoding %d: does not decode with its password: %v", c.enc, err)
		}
		if !cert.Equal(leaf.Cert) {
			t.Errorf("encoding %d: certificate %q, want the leaf %q", c.enc, cert.Subject, leaf.Cert.Subject)
		}
		if len(chain) != 1 || !chain[0].Equal(inter.Cert) {
			t.Errorf("encoding %d: chain of %d certificates, want the intermediate only", c.enc, len(chain))
		}
		pub, ok := key.(*ecdsa.PrivateKey)
		if !ok || !pub.PublicKey.Equal(leaf.Cert.PublicKey) {
			t.Errorf("encoding %d: private key %T does not match the leaf certificate", c.enc, key)
		}
		if _, _, _, err := pkcs12.DecodeChain(der, "wrong"); err == nil {
			t.Errorf("encoding %d: decodes with a wrong password", c.enc)
		}
		for _, oid := range c.want {
			if !bytes.Contains(der, oid) {
				t.Errorf("encoding %d: algorithm %x missing", c.enc, oid)
			}
		}
		for _, oid := range c.not {
			if bytes.Contains(der, oid) {
				t.Errorf("encoding %d: unexpected algorithm %x", c.enc, oid)
			}
		}
	}
}

// asn1OID is the DER encoding of oid, as it appears inside a PKCS#12 file.
func asn1OID(t *testing.T, oid asn1.ObjectIdentifier) []byte {
	t.Helper()
	b, err := asn1.Marshal(oid)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
