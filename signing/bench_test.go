package signing

import (
	"os"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
)

// benchSign signs the full-featured profile with a leaf of key type kt,
// under one intermediate when chain is set. reference selects the
// smallstep/pkcs7 implementation that Sign used before its template, for
// A/B comparisons.
func benchSign(b *testing.B, kt testpki.KeyType, chain, reference bool) {
	data, err := os.ReadFile("../fixtures/full-featured/expected.mobileconfig")
	if err != nil {
		b.Fatal(err)
	}
	issuer := testpki.NewRoot(b, testpki.Options{})
	if chain {
		issuer = issuer.NewIntermediate(b, testpki.Options{})
	}
	leaf := issuer.NewLeaf(b, testpki.Options{KeyType: kt})
	id := &Identity{Certificate: leaf.Cert, PrivateKey: leaf.Key, Chain: leaf.Chain}
	sign := Sign
	if reference {
		sign = func(content []byte, id *Identity) ([]byte, error) { return referenceSign(b, content, id), nil }
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sign(data, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignRSA2048 signs the full-featured profile with an RSA-2048 key
// and one intermediate.
func BenchmarkSignRSA2048(b *testing.B) { benchSign(b, testpki.RSA2048, true, false) }

// BenchmarkSignECDSAP256 signs it with a P-256 key and one intermediate.
func BenchmarkSignECDSAP256(b *testing.B) { benchSign(b, testpki.ECDSAP256, true, false) }

// BenchmarkSignECDSAP256NoChain signs it with a P-256 key and no chain.
func BenchmarkSignECDSAP256NoChain(b *testing.B) { benchSign(b, testpki.ECDSAP256, false, false) }

// The same three through smallstep/pkcs7, as Sign did before its template.
func BenchmarkReferenceSignRSA2048(b *testing.B) { benchSign(b, testpki.RSA2048, true, true) }
func BenchmarkReferenceSignECDSAP256(b *testing.B) {
	benchSign(b, testpki.ECDSAP256, true, true)
}
func BenchmarkReferenceSignECDSAP256NoChain(b *testing.B) {
	benchSign(b, testpki.ECDSAP256, false, true)
}
