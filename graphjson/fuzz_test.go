package graphjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/go-json-experiment/json/jsontext"

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
		stdOK := json.Valid(asUTF8(data))
		// The duplicate check is ours (on unescaped names); jsontext's own,
		// with its default options, is the oracle: it must agree.
		jsontextDup := errors.Is(readAllTokens(asUTF8(data)), jsontext.ErrDuplicateName)
		var ourDup *graphjson.DuplicateKeyError
		if errors.As(err, &ourDup) && !jsontextDup || jsontextDup && err == nil {
			t.Fatalf("duplicate names: jsontext finds one: %v; we say: %v; input %q", jsontextDup, err, data)
		}
		var dup *graphjson.DuplicateKeyError
		var syn *graphjson.SyntaxError
		switch {
		case err == nil && !stdOK:
			t.Fatalf("accepted JSON that encoding/json rejects: %q", data)
		case err != nil && stdOK && !errors.As(err, &dup):
			var enc *graphjson.EncodingError
			if errors.As(err, &enc) && strings.Contains(enc.Msg, "surrogate") {
				return // utf16.Decode makes U+FFFD of it; we refuse damaged text
			}
			if errors.As(err, &syn) {
				for _, ours := range []string{"nested more than", "elements", "members", "values", "surrogate", "invalid UTF-8"} {
					if strings.Contains(syn.Msg, ours) {
						return // limits, lone surrogates and bad UTF-8 are ours to refuse
					}
				}
			}
			t.Fatalf("refused valid JSON %q: %v", data, err)
		}
	})
}

// readAllTokens reads data with jsontext's defaults and returns the error
// that ends it (io.EOF at the end of valid input).
func readAllTokens(data []byte) error {
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	for {
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
	}
}

// asUTF8 is the text encoding/json should see for data: without a UTF-8
// byte order mark, and UTF-16 (with a byte order mark, or recognised by the
// NUL bytes of its first characters) decoded here independently of the
// parser's own decoding.
func asUTF8(data []byte) []byte {
	var bigEndian bool
	switch {
	case bytes.HasPrefix(data, []byte("\uFEFF")):
		return data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(data, []byte{0, 0, 0xFE, 0xFF}):
		return []byte("not UTF-32") // refused by both
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		data, bigEndian = data[2:], true
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		data = data[2:]
	case len(data) >= 4 && data[0] == 0 && data[1] != 0 && data[2] == 0 && data[3] != 0:
		bigEndian = true
	case len(data) >= 4 && data[0] != 0 && data[1] == 0 && data[2] != 0 && data[3] == 0:
	default:
		return data
	}
	if len(data)%2 != 0 {
		return []byte("odd UTF-16")
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			units[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
		}
	}
	return []byte(string(utf16.Decode(units)))
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
