package graph2mobileconfig_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

func fullFeatured(b testing.TB) []byte {
	data, err := os.ReadFile(filepath.Join("fixtures", "full-featured", "input.json"))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func benchOptions() graph2mobileconfig.Options {
	var opts graph2mobileconfig.Options
	opts.Compile.IdentityUUID = "11111111-2222-4333-8444-555555555555"
	opts.Compile.Vars = map[string]string{"certificatesubjectname": "iphone.example"}
	return opts
}

func benchCompiler(b *testing.B, opts graph2mobileconfig.Options) *graph2mobileconfig.Compiler {
	c, _, err := graph2mobileconfig.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkPipelineUnsigned is the whole in-process job for one export:
// decode, compile, encode as XML.
func BenchmarkPipelineUnsigned(b *testing.B) {
	data := fullFeatured(b)
	c := benchCompiler(b, benchOptions())
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, diags, err := c.Compile(ctx, data); err != nil {
			b.Fatal(err, diags)
		}
	}
}

func benchSigned(b *testing.B, kt testpki.KeyType) {
	data := fullFeatured(b)
	opts := benchOptions()
	leaf := testpki.NewRoot(b, testpki.Options{}).NewLeaf(b, testpki.Options{KeyType: kt})
	opts.Signer = &signing.Identity{Certificate: leaf.Cert, PrivateKey: leaf.Key, Chain: leaf.Chain}
	c := benchCompiler(b, opts)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, diags, err := c.Compile(ctx, data); err != nil {
			b.Fatal(err, diags)
		}
	}
}

// BenchmarkPipelineSignedRSA2048 adds a CMS signature with an RSA-2048 key.
func BenchmarkPipelineSignedRSA2048(b *testing.B) { benchSigned(b, testpki.RSA2048) }

// BenchmarkPipelineSignedECDSAP256 adds a CMS signature with a P-256 key.
func BenchmarkPipelineSignedECDSAP256(b *testing.B) { benchSigned(b, testpki.ECDSAP256) }
