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
	top, beyond := 0, 0
	for _, r := range rows {
		if r.Entity != "iosikEv2VpnConfiguration" {
			continue
		}
		switch {
		case r.Fate == compiler.BeyondGraph:
			beyond++
			if r.Graph != "" || r.Option == "" || r.Payload != "com.apple.vpn.managed" {
				t.Errorf("a row beyond Graph names an option, not a Graph property: %+v", r)
			}
		case !strings.ContainsAny(r.Graph, ".["):
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
	// --strict-algorithms, --post-quantum, --post-quantum-fallback.
	if beyond != 3 {
		t.Errorf("%d rows beyond Graph, want 3", beyond)
	}
	for _, r := range compiler.BeyondGraphMapping() {
		for _, k := range r.Apple {
			want := map[string]string{
				"IKEv2.EnforceStrictAlgorithmSelection":                                  "18.5",
				"IKEv2.AllowPostQuantumKeyExchangeFallback":                              "26.0",
				"IKEv2.IKESecurityAssociationParameters.PostQuantumKeyExchangeMethods":   "26.0",
				"IKEv2.ChildSecurityAssociationParameters.PostQuantumKeyExchangeMethods": "26.0",
			}[k.Key]
			if k.MinOS != want {
				t.Errorf("%s: min iOS %s, want %q", k.Key, k.MinOS, want)
			}
		}
	}
}
