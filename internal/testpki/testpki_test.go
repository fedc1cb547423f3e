package testpki

import (
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"
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
	leaf := root.NewIntermediate(t, Options{KeyType: ECDSAP256}).NewLeaf(t, Options{KeyType: ECDSAP256})
	for _, enc := range []P12Encoding{P12Legacy, P12Modern} {
		if der := PKCS12(t, leaf, enc, "pw"); len(der) == 0 {
			t.Errorf("encoding %d: empty", enc)
		}
	}
}
