package graphjson_test

import (
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// BenchmarkParseFullFeatured parses the export that sets every property.
func BenchmarkParseFullFeatured(b *testing.B) {
	data := readFixtureB(b, "full-featured")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := graphjson.Parse(data, graphjson.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeFullFeatured parses and decodes it into the typed model.
func BenchmarkDecodeFullFeatured(b *testing.B) {
	data := readFixtureB(b, "full-featured")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if cfg, _, diags := graphjson.DecodeSingle(data, graphjson.DefaultLimits); cfg == nil || diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}
