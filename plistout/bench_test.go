package plistout_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

func compiledProfile(b *testing.B) map[string]any {
	data, err := os.ReadFile(filepath.Join("..", "fixtures", "full-featured", "expected.mobileconfig"))
	if err != nil {
		b.Fatal(err)
	}
	m, _, err := plistout.Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func benchEncode(b *testing.B, f plistout.Format) {
	m := compiledProfile(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := plistout.Encode(m, f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeXML writes the full-featured profile as XML.
func BenchmarkEncodeXML(b *testing.B) { benchEncode(b, plistout.XML) }

// BenchmarkEncodeBinary writes it as a binary property list.
func BenchmarkEncodeBinary(b *testing.B) { benchEncode(b, plistout.Binary) }

func benchDecode(b *testing.B, f plistout.Format) {
	data, err := plistout.Encode(compiledProfile(b), f)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := plistout.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeXML reads the full-featured profile from XML.
func BenchmarkDecodeXML(b *testing.B) { benchDecode(b, plistout.XML) }

// BenchmarkDecodeBinary reads it from a binary property list (scan and
// howett.net/plist).
func BenchmarkDecodeBinary(b *testing.B) { benchDecode(b, plistout.Binary) }
