package signing

import (
	"os"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
)

func benchSign(b *testing.B, kt testpki.KeyType) {
	data, err := os.ReadFile("../fixtures/full-featured/expected.mobileconfig")
	if err != nil {
		b.Fatal(err)
	}
	root := testpki.NewRoot(b, testpki.Options{})
	leaf := root.NewIntermediate(b, testpki.Options{}).NewLeaf(b, testpki.Options{KeyType: kt})
	id := &Identity{Certificate: leaf.Cert, PrivateKey: leaf.Key, Chain: leaf.Chain}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(data, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignRSA2048 signs the full-featured profile with an RSA-2048 key
// and one intermediate.
func BenchmarkSignRSA2048(b *testing.B) { benchSign(b, testpki.RSA2048) }

// BenchmarkSignECDSAP256 signs it with a P-256 key and one intermediate.
func BenchmarkSignECDSAP256(b *testing.B) { benchSign(b, testpki.ECDSAP256) }
