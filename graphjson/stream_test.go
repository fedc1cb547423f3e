package graphjson

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

// readAllFrom reads every entity of data through readDocumentFrom with the
// given threshold (0 streams every list).
func readAllFrom(data []byte, lim Limits, threshold int64) (Document, []Item, error) {
	d, err := readDocumentFrom(bytes.NewReader(data), int64(len(data)), lim, threshold)
	if err != nil {
		return d.Document, nil, err
	}
	var items []Item
	for {
		it, ok, err := d.Next()
		if err != nil {
			return d.Document, items, err
		}
		if !ok {
			break
		}
		items = append(items, it)
	}
	if len(items) != d.Len() {
		return d.Document, items, fmt.Errorf("Len %d, Next gave %d", d.Len(), len(items))
	}
	return d.Document, items, nil
}

// sameAsReadDocument checks that reading data as a stream gives exactly
// what ReadDocument gives: the same error, or the same description of the
// document and the same entities, trees and offsets included.
func sameAsReadDocument(t *testing.T, name string, data []byte, lim Limits) {
	t.Helper()
	want, wantErr := ReadDocument(data, lim)
	for _, threshold := range []int64{0, StreamThreshold} {
		got, items, err := readAllFrom(data, lim, threshold)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("%s (threshold %d): error %v, ReadDocument says %v", name, threshold, err, wantErr)
		}
		if got.Encoding != want.Encoding {
			t.Errorf("%s (threshold %d): encoding %q, want %q", name, threshold, got.Encoding, want.Encoding)
		}
		if wantErr != nil {
			continue
		}
		if got.Shape != want.Shape || got.List != want.List || got.Context != want.Context || fmt.Sprint(deref(got.NextLink)) != fmt.Sprint(deref(want.NextLink)) {
			t.Errorf("%s (threshold %d): document %q %v %q %v, want %q %v %q %v", name, threshold, got.Shape, got.List, got.Context, deref(got.NextLink), want.Shape, want.List, want.Context, deref(want.NextLink))
		}
		if len(items) != len(want.Items) {
			t.Fatalf("%s (threshold %d): %d entities, want %d", name, threshold, len(items), len(want.Items))
		}
		for i := range items {
			g, w := items[i], want.Items[i]
			if g.Path != w.Path || g.Type != w.Type || g.PowerShell != w.PowerShell || g.Form != w.Form {
				t.Errorf("%s (threshold %d): entity %d is %q %q %v %q, want %q %q %v %q", name, threshold, i, g.Path, g.Type, g.PowerShell, g.Form, w.Path, w.Type, w.PowerShell, w.Form)
			}
			if !reflect.DeepEqual(g.Value, w.Value) {
				t.Errorf("%s (threshold %d): entity %d: the trees differ", name, threshold, i)
			}
		}
	}
}

func deref(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func toUTF16(s string, bigEndian, bom bool) []byte {
	var out []byte
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// TestStreamMatchesReadDocument reads every fixture and a set of lists and
// broken documents as streams: each gives what ReadDocument gives.
func TestStreamMatchesReadDocument(t *testing.T) {
	files, _ := filepath.Glob("../fixtures/*/input.json")
	bad, _ := filepath.Glob("../fixtures/bad/*.json")
	for _, f := range append(files, bad...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sameAsReadDocument(t, f, data, DefaultLimits)
	}
	ikev2 := `{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration", "id": "e%d", "displayName": "VPN \u00e9 %d", "server": {"address": "vpn%d.example"}, "onDemandRules": [{"action": "connect", "dnsSearchDomains": ["a", "b"]}]}`
	entities := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, fmt.Sprintf(ikev2, i, i, i))
		}
		return strings.Join(parts, ",\n")
	}
	ps := `{"Id": "p%d", "DisplayName": "PS %d", "AdditionalProperties": {"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration", "server": {"address": "x"}}}`
	cases := map[string]string{
		"list":                  `{"@odata.context": "ctx", "value": [` + entities(5) + `]}`,
		"list, nextLink after":  `{"value": [` + entities(3) + `], "@odata.nextLink": "next", "@odata.context": "ctx"}`,
		"list, nextLink before": `{"@odata.nextLink": "ne\u0078t", "value": [` + entities(3) + `]}`,
		"list, escaped value":   `{"v\u0061lue": [` + entities(2) + `]}`,
		"empty list":            `{"value": []}`,
		"bare array":            `[` + entities(4) + `]`,
		"empty bare array":      `[]`,
		"PowerShell array":      `[` + fmt.Sprintf(ps, 1, 1) + `,` + fmt.Sprintf(ps, 2, 2) + `]`,
		"mixed array":           `[` + fmt.Sprintf(ps, 1, 1) + `,` + fmt.Sprintf(ikev2, 2, 2, 2) + `]`,
		"PowerShell typed":      `[{"@odata.type": "#x", "AdditionalProperties": {}}]`,
		"PowerShell odd type":   `[{"@odata.type": 5, "AdditionalProperties": {}}, {"AdditionalProperties": []}]`,
		"get response":          `{"value": ` + fmt.Sprintf(ikev2, 1, 1, 1) + `}`,
		"single entity":         fmt.Sprintf(ikev2, 1, 1, 1),
		"error response":        `{"error": {"code": "Forbidden", "message": "no"}}`,
		"error and value":       `{"error": {"code": "x"}, "value": [` + entities(1) + `]}`,
		"value is a string":     `{"value": "x"}`,
		"non-object element":    `{"value": [` + entities(1) + `, 5]}`,
		"nested value list":     `{"a": {"value": [1, 2]}, "value": [` + entities(1) + `]}`,
		"duplicate in entity":   `{"value": [{"id": "a", "id": "b"}]}`,
		"duplicate at root":     `{"value": [], "value": []}`,
		"duplicate escaped":     `{"value": [{"id": "a", "\u0069d": "b"}]}`,
		"truncated":             `{"value": [` + entities(2),
		"trailing data":         `{"value": [` + entities(2) + `]} x`,
		"trailing comma":        `{"value": [` + entities(2) + `,]}`,
		"bad UTF-8":             "{\"value\": [{\"id\": \"\xff\"}]}",
		"empty":                 "  \n",
		"number":                `5`,
		"BOM":                   "\uFEFF{\"value\": [" + entities(2) + "]}",
	}
	for name, doc := range cases {
		sameAsReadDocument(t, name, []byte(doc), DefaultLimits)
		for _, be := range []bool{false, true} {
			for _, bom := range []bool{false, true} {
				sameAsReadDocument(t, fmt.Sprintf("%s, UTF-16 big-endian %v, BOM %v", name, be, bom), toUTF16(strings.TrimPrefix(doc, "\uFEFF"), be, bom), DefaultLimits)
			}
		}
	}
	// UTF-16 that does not decode.
	good := toUTF16(cases["list"], false, true)
	sameAsReadDocument(t, "odd UTF-16", good[:len(good)-1], DefaultLimits)
	lone := append(bytes.Clone(good[:20]), 0x00, 0xD8, '"', 0, '}', 0)
	sameAsReadDocument(t, "lone surrogate", lone, DefaultLimits)
	sameAsReadDocument(t, "UTF-32", append([]byte{0xFF, 0xFE, 0, 0}, good[2:]...), DefaultLimits)

	// Every limit, reached by a list.
	list := []byte(cases["list"])
	for _, lim := range []Limits{{MaxDepth: 3}, {MaxDepth: 4}, {MaxArrayLen: 4}, {MaxArrayLen: 5}, {MaxMembers: 4}, {MaxMembers: 5}, {MaxValues: 40}, {MaxValues: 10_000}} {
		sameAsReadDocument(t, fmt.Sprintf("limits %+v", lim), list, lim)
	}
}

// TestStreamHoldsOneEntity reads a large list as a stream: the first pass
// keeps no tree, and each entity is parsed from its own text.
func TestStreamHoldsOneEntity(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"value": [`)
	for i := range 3000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration", "id": "e%d", "displayName": "%s"}`, i, strings.Repeat("x", 300))
	}
	b.WriteString("]}")
	data := []byte(b.String())
	if len(data) < StreamThreshold {
		t.Fatalf("the list is %d bytes, below the threshold", len(data))
	}
	d, err := ReadDocumentFrom(bytes.NewReader(data), int64(len(data)), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if d.items != nil || d.Len() != 3000 || d.Shape != "a Graph list response" {
		t.Fatalf("not streamed: %d entities held, Len %d, shape %q", len(d.items), d.Len(), d.Shape)
	}
	for i := 0; ; i++ {
		it, ok, err := d.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if it.ID() != fmt.Sprint("e", i) || it.Path != fmt.Sprintf("$.value[%d]", i) {
			t.Fatalf("entity %d: %q at %s", i, it.ID(), it.Path)
		}
		// The entity's strings point into its own text, not into a
		// copy of the whole list.
		if dn := it.DisplayName(); len(dn) != 300 {
			t.Fatalf("displayName %q", dn)
		}
	}
}

// TestStreamChangedFile: a file that changes between the two passes gives
// an error from Next, not entities of another document.
func TestStreamChangedFile(t *testing.T) {
	doc := []byte(`{"value": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}`)
	r := &changing{data: doc}
	d, err := readDocumentFrom(r, int64(len(doc)), DefaultLimits, 0)
	if err != nil || d.Len() != 3 {
		t.Fatalf("%v, %d", err, d.Len())
	}
	r.data = []byte(`{"value": [{"id": "a"}, 7, {"id": "c"}]}`)
	if it, ok, err := d.Next(); !ok || err != nil || it.ID() != "a" {
		t.Fatalf("first entity: %v %v %v", it.ID(), ok, err)
	}
	if _, ok, err := d.Next(); ok || err == nil || !strings.Contains(err.Error(), "changed while it was read") {
		t.Fatalf("second entity: %v %v", ok, err)
	}
	if _, ok, err := d.Next(); ok || err != nil {
		t.Fatalf("after the error: %v %v", ok, err)
	}
	r.data = doc[:20]
	d, _ = readDocumentFrom(&changing{data: doc}, int64(len(doc)), DefaultLimits, 0)
	d.src = r
	if _, _, err := d.Next(); err == nil || !strings.Contains(err.Error(), "shorter") {
		t.Fatalf("truncated: %v", err)
	}
}

type changing struct{ data []byte }

func (c *changing) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(c.data)) {
		return 0, io.EOF
	}
	n := copy(p, c.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// TestReadDocumentFromReadError: a file that cannot be read is an error,
// not an empty document.
func TestReadDocumentFromReadError(t *testing.T) {
	doc := []byte(`{"value": []}`)
	_, err := ReadDocumentFrom(bytes.NewReader(doc), int64(len(doc))+5, DefaultLimits)
	var re *ReadError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "shorter") || ErrorCode(err) != "read-error" {
		t.Fatalf("err = %v", err)
	}
	failing := errors.New("disk error")
	_, err = ReadDocumentFrom(failingReader{failing}, 100, DefaultLimits)
	if !errors.Is(err, failing) || ErrorCode(err) != "read-error" {
		t.Fatalf("err = %v", err)
	}
	_, err = ReadDocumentFrom(failingReader{failing}, 2*StreamThreshold, DefaultLimits)
	if !errors.Is(err, failing) {
		t.Fatalf("a large document: err = %v", err)
	}
}

// FuzzStream checks that reading any input as a stream gives exactly what
// ReadDocument gives: the same error, or the same document and entities.
func FuzzStream(f *testing.F) {
	for _, pattern := range []string{"../fixtures/*/input.json", "../fixtures/bad/*.json"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(`[{"AdditionalProperties": {"@odata.type": "#x"}}, {"AdditionalProperties": {}}]`))
	f.Add([]byte(`{"@odata.nextLink": "n", "value": [{"id": "a"}, {"id": "b", "x": [1, {"y": null}]}]}`))
	f.Add(toUTF16(`{"value": [{"id": "\u00e9\ud83d\ude00"}]}`, false, true))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsReadDocument(t, "fuzz input", data, DefaultLimits)
		sameAsReadDocument(t, "fuzz input, small limits", data, Limits{MaxDepth: 4, MaxArrayLen: 3, MaxMembers: 3, MaxValues: 30})
	})
}

type failingReader struct{ err error }

func (f failingReader) ReadAt([]byte, int64) (int, error) { return 0, f.err }
