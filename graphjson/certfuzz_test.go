package graphjson_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// FuzzDecodeCertificates runs the certificate decoders (a --with document,
// and the relationships expanded in an entity) on arbitrary input: no
// panics, every diagnostic has a code and a message, and every path names
// the document.
func FuzzDecodeCertificates(f *testing.F) {
	addSeeds(f)
	for _, pattern := range []string{"../fixtures/scep-*/*.json"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, diags := graphjson.DecodeCertificates(data, graphjson.DefaultLimits, "f.json")
		for _, d := range diags {
			if d.Message == "" || d.Code == "" || d.Path != "" && !strings.HasPrefix(d.Path, "f.json:$") {
				t.Fatalf("bad diagnostic %+v", d)
			}
		}
		items, err := graphjson.Split(data, graphjson.DefaultLimits)
		if err != nil {
			return
		}
		for _, it := range items {
			_, diags := graphjson.ExpandedCertificates(it)
			for _, d := range diags {
				if d.Message == "" || d.Code == "" || !strings.HasPrefix(d.Path, it.Path) {
					t.Fatalf("bad diagnostic %+v", d)
				}
			}
		}
	})
}
