package main

import (
	"encoding/json"
	"os"
	"testing"
)

func TestMappingCommand(t *testing.T) {
	r := runCLI(t, nil, nil, "mapping")
	want, err := os.ReadFile(repoPath("docs", "MAPPING.md"))
	if err != nil {
		t.Fatal(err)
	}
	if r.code != exitOK || r.stdout != string(want) {
		t.Errorf("mapping output differs from docs/MAPPING.md (exit %d)", r.code)
	}
	r = runCLI(t, nil, nil, "mapping", "--json")
	var rows []struct {
		Graph string `json:"graph"`
		Fate  string `json:"fate"`
		Apple []struct {
			Key   string `json:"key"`
			MinOS string `json:"minIOS"`
		} `json:"apple"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("mapping --json: %v", err)
	}
	found := false
	for _, row := range rows {
		if row.Graph == "excludeLocalNetworks" {
			found = row.Fate == "mapped" && len(row.Apple) == 1 && row.Apple[0].Key == "IKEv2.ExcludeLocalNetworks" && row.Apple[0].MinOS == "14.2"
		}
	}
	if !found {
		t.Error("excludeLocalNetworks row missing or wrong")
	}
	if r := runCLI(t, nil, nil, "mapping", "--format", "yaml"); r.code != exitUsage {
		t.Errorf("bad format: exit %d", r.code)
	}
}
