package pipeline_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
	_ "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/pipeline"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

func fullFeatured(b testing.TB) []byte {
	data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "full-featured", "input.json"))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func benchOptions() pipeline.Options {
	opts := pipeline.Options{Limits: graphjson.DefaultLimits, Format: plistout.XML}
	opts.Compile.IdentityUUID = "11111111-2222-4333-8444-555555555555"
	opts.Compile.Vars = map[string]string{"certificatesubjectname": "iphone.example"}
	return opts
}

// BenchmarkPipelineUnsigned is the whole in-process job for one export:
// decode, compile, encode as XML.
func BenchmarkPipelineUnsigned(b *testing.B) {
	data := fullFeatured(b)
	opts := benchOptions()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if out := pipeline.Document(data, opts); out.Bytes == nil {
			b.Fatal(out.Diagnostics)
		}
	}
}

func benchSigned(b *testing.B, kt testpki.KeyType) {
	data := fullFeatured(b)
	opts := benchOptions()
	leaf := testpki.NewRoot(b, testpki.Options{}).NewLeaf(b, testpki.Options{KeyType: kt})
	opts.Signer = &signing.Identity{Certificate: leaf.Cert, PrivateKey: leaf.Key, Chain: leaf.Chain}
	b.ReportAllocs()
	for b.Loop() {
		if out := pipeline.Document(data, opts); out.Bytes == nil {
			b.Fatal(out.Diagnostics)
		}
	}
}

// BenchmarkPipelineSignedRSA2048 adds a CMS signature with an RSA-2048 key.
func BenchmarkPipelineSignedRSA2048(b *testing.B) { benchSigned(b, testpki.RSA2048) }

// BenchmarkPipelineSignedECDSAP256 adds a CMS signature with a P-256 key.
func BenchmarkPipelineSignedECDSAP256(b *testing.B) { benchSigned(b, testpki.ECDSAP256) }
