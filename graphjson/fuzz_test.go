package graphjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// addSeeds adds every fixture input (good and bad) to a fuzz corpus.
func addSeeds(f *testing.F) {
	for _, pattern := range []string{"../fixtures/*/input.json", "../fixtures/bad/*.json"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
}

// FuzzParse checks the parser against encoding/json: on any input it must
// not panic, and a document encoding/json accepts must parse too unless it
// has a duplicate key or is nested deeper than the limit; a document we
// accept must be valid JSON for encoding/json.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Add([]byte(`{"a":[1,{"b":null}],"c":"\u00e9\ud83d\ude00"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := graphjson.Parse(data, graphjson.DefaultLimits)
		stdOK := json.Valid(bytes.TrimPrefix(data, []byte("\uFEFF")))
		var dup *graphjson.DuplicateKeyError
		var syn *graphjson.SyntaxError
		switch {
		case err == nil && !stdOK:
			t.Fatalf("accepted JSON that encoding/json rejects: %q", data)
		case err != nil && stdOK && !errors.As(err, &dup):
			if errors.As(err, &syn) {
				for _, ours := range []string{"nested more than", "elements", "surrogate", "invalid UTF-8"} {
					if strings.Contains(syn.Msg, ours) {
						return // limits, lone surrogates and bad UTF-8 are ours to refuse
					}
				}
			}
			t.Fatalf("refused valid JSON %q: %v", data, err)
		}
	})
}

// FuzzDecode runs the whole decoder on arbitrary input: no panics, and every
// error names a JSON path.
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		items, err := graphjson.Split(data, graphjson.DefaultLimits)
		if err != nil {
			return
		}
		for _, it := range items {
			_, diags := graphjson.Decode(it)
			for _, d := range diags {
				if d.Message == "" || d.Code == "" {
					t.Fatalf("empty diagnostic %+v", d)
				}
			}
		}
	})
}
