package compiler_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
)

// TestMappingDocIsCurrent fails when docs/MAPPING.md no longer matches the
// mapping table, so the documentation cannot drift from the code.
func TestMappingDocIsCurrent(t *testing.T) {
	var b bytes.Buffer
	if err := compiler.WriteMappingMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("..", "docs", "MAPPING.md"), b.Bytes())
}

func TestMappingJSON(t *testing.T) {
	var b bytes.Buffer
	if err := compiler.WriteMappingJSON(&b); err != nil {
		t.Fatal(err)
	}
	var rows []compiler.MappingRow
	if err := json.Unmarshal(b.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	top := 0
	for _, r := range rows {
		if r.Entity != "iosikEv2VpnConfiguration" {
			continue
		}
		if !strings.ContainsAny(r.Graph, ".[") {
			top++
		}
		for _, k := range r.Apple {
			if k.MinOS == "" || k.MinOS == "?" {
				t.Errorf("%s → %s has no minimum iOS version", r.Graph, k.Key)
			}
		}
		if r.Graph == "mtuSizeInBytes" && (len(r.Apple) != 1 || r.Apple[0].Key != "IKEv2.MTU" || r.Apple[0].MinOS != "14.0") {
			t.Errorf("mtuSizeInBytes row: %+v", r)
		}
		if r.Graph == "includeAllNetworks" && r.Apple[0].MinOS != "14.0" || r.Graph == "excludeLocalNetworks" && r.Apple[0].MinOS != "14.2" {
			t.Errorf("%s row: %+v", r.Graph, r)
		}
	}
	if top != 64 {
		t.Errorf("%d top-level rows, want 64", top)
	}
}
