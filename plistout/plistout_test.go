package plistout_test

import (
	"bytes"
	"errors"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testenv"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	mplist "github.com/micromdm/plist"

	_ "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

func sample() map[string]any {
	return map[string]any{
		"PayloadType":    "Configuration",
		"PayloadVersion": 1,
		"Flag":           0,
		"Bool":           false,
		"Data":           []byte{0, 1, 2, 0xff},
		"Text":           `a < b & "c" 'd'`,
		"List":           []string{"x", "y"},
		"Dicts":          []any{map[string]any{"Action": "Connect"}},
		"Empty":          []any{},
	}
}

func TestEncodeXML(t *testing.T) {
	out, err := plistout.Encode(sample(), plistout.XML)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{
		`<?xml version="1.0" encoding="UTF-8"?>`,
		"<plist version=\"1.0\">\n<dict>\n",
		"\t<key>Flag</key>\n\t<integer>0</integer>",
		"\t<key>Bool</key>\n\t<false/>",
		"\t<data>\n\tAAEC/w==\n\t</data>",
		"\t<key>Empty</key>\n\t<array/>",
		"<string>a &lt; b &amp; \"c\" 'd'</string>",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("XML lacks %q:\n%s", want, s)
		}
	}
	if !strings.HasSuffix(s, "</plist>\n") {
		t.Error("XML must end with a newline")
	}
	// Keys come out sorted, so the bytes never depend on map order.
	if strings.Index(s, "<key>Bool</key>") > strings.Index(s, "<key>Data</key>") {
		t.Error("keys are not sorted")
	}
	again, _ := plistout.Encode(sample(), plistout.XML)
	if !bytes.Equal(out, again) {
		t.Error("two encodings differ")
	}
}

// TestRoundTripIndependently decodes our output with micromdm/plist, a
// parser we did not write.
func TestRoundTripIndependently(t *testing.T) {
	for _, f := range []plistout.Format{plistout.XML, plistout.Binary} {
		out, err := plistout.Encode(sample(), f)
		if err != nil {
			t.Fatal(err)
		}
		if f == plistout.Binary && !bytes.HasPrefix(out, []byte("bplist00")) {
			t.Error("binary plist magic missing")
		}
		var got map[string]any
		if err := mplist.Unmarshal(out, &got); err != nil {
			t.Fatalf("%v: micromdm/plist: %v", f, err)
		}
		if got["PayloadVersion"] != uint64(1) || got["Flag"] != uint64(0) || got["Bool"] != false {
			t.Errorf("%v: scalar types %#v %#v %#v", f, got["PayloadVersion"], got["Flag"], got["Bool"])
		}
		if !bytes.Equal(got["Data"].([]byte), []byte{0, 1, 2, 0xff}) || got["Text"] != `a < b & "c" 'd'` {
			t.Errorf("%v: data/text", f)
		}
		m, format, err := plistout.Decode(out)
		if err != nil || format != f {
			t.Fatalf("Decode: %v %v", format, err)
		}
		if !reflect.DeepEqual(m["List"], []any{"x", "y"}) {
			t.Errorf("list %#v", m["List"])
		}
	}
}

func TestDecodeRejectsNonProfiles(t *testing.T) {
	for _, in := range []string{"", "{not a plist", `<?xml version="1.0"?><plist><array/></plist>`, "\x30\x82\x01\x00garbage"} {
		if _, _, err := plistout.Decode([]byte(in)); !errors.Is(err, plistout.ErrNotPlist) {
			t.Errorf("Decode(%q) = %v, want ErrNotPlist", in, err)
		}
	}
	if _, err := plistout.ParseFormat("json"); err == nil {
		t.Error("ParseFormat must refuse unknown formats")
	}
}

// TestXMLMatchesPlistlib compares our XML byte for byte with Python's
// plistlib, which writes plists the way Apple's CoreFoundation does.
func TestXMLMatchesPlistlib(t *testing.T) {
	python := testenv.Tool(t, "python3", "the byte-for-byte comparison with plistlib")
	long := make([]byte, 300)
	for i := range long {
		long[i] = byte(i * 7)
	}
	v := sample()
	v["Nested"] = map[string]any{"Deeper": map[string]any{"Blob": long, "List": []any{long, "x"}}}
	v["Blob"] = long
	ours, err := plistout.Encode(v, plistout.XML)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", "import plistlib,sys; sys.stdout.buffer.write(plistlib.dumps(plistlib.loads(sys.stdin.buffer.read())))")
	cmd.Stdin = bytes.NewReader(ours)
	theirs, err := cmd.Output()
	if err != nil {
		t.Fatalf("plistlib: %v", err)
	}
	if !bytes.Equal(ours, theirs) {
		t.Errorf("our XML differs from plistlib's:\n--- ours\n%s\n--- plistlib\n%s", ours, theirs)
	}
}

// pairs is a SortedDict for the test: keys given in sorted order.
type pairs []struct {
	k string
	v any
}

func (p pairs) Len() int               { return len(p) }
func (p pairs) At(i int) (string, any) { return p[i].k, p[i].v }

// TestSortedDictWritesLikeAMap checks that a SortedDict gives the bytes of
// the map with the same keys, nil values left out, and <dict/> when nothing
// is left.
func TestSortedDictWritesLikeAMap(t *testing.T) {
	sorted := pairs{{"A", 1}, {"B", nil}, {"C", pairs{{"x", nil}}}, {"D", []any{pairs{{"k", "<&>"}}}}}
	asMap := map[string]any{"A": 1, "B": nil, "C": map[string]any{"x": nil}, "D": []any{map[string]any{"k": "<&>"}}}
	got, err := plistout.Encode(sorted, plistout.XML)
	if err != nil {
		t.Fatal(err)
	}
	want, err := plistout.Encode(asMap, plistout.XML)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("SortedDict:\n%s\nmap:\n%s", got, want)
	}
	if !strings.Contains(string(got), "<key>C</key>\n\t<dict/>") || strings.Contains(string(got), "<key>B</key>") {
		t.Errorf("nil values must be left out and an empty dictionary written as <dict/>:\n%s", got)
	}
	if _, err := plistout.Encode(pairs{{"bad\x01key", 1}}, plistout.XML); err == nil {
		t.Error("a key with a control character was written")
	}
}

// TestBinaryRefusesInvalidUTF8 checks that binary output, like XML, refuses
// text that is not UTF-8 rather than writing U+FFFD in its place: that
// changes the text, and two such keys of one dictionary would become the
// same key (a fuzz find).
func TestBinaryRefusesInvalidUTF8(t *testing.T) {
	for _, v := range []any{
		map[string]any{"\xf0": "a", "\xe3": "b"},
		map[string]any{"k": "caf\xe9"},
		map[string]any{"k": []any{map[string]any{"x": []string{"ok", "\xff"}}}},
		pairs{{"k", "\xc3"}},
	} {
		for _, f := range []plistout.Format{plistout.Binary, plistout.XML} {
			if _, err := plistout.Encode(v, f); err == nil || !strings.Contains(err.Error(), "invalid UTF-8") {
				t.Errorf("%v, %v: err = %v, want invalid UTF-8", v, f, err)
			}
		}
	}
	if _, err := plistout.Encode(map[string]any{"k": "café 😀"}, plistout.Binary); err != nil {
		t.Errorf("valid UTF-8 refused: %v", err)
	}
}

// TestEncodeXMLConcurrently encodes profiles of different sizes at once on
// several goroutines: XML is written into recycled buffers, and every
// result must be its own, byte for byte what it is alone.
func TestEncodeXMLConcurrently(t *testing.T) {
	models := []any{sample(), map[string]any{"Big": strings.Repeat("x", 40_000)}, map[string]any{"A": 1}}
	var want [][]byte
	for _, m := range models {
		b, err := plistout.Encode(m, plistout.XML)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, b)
	}
	done := make(chan []string)
	for g := range 4 {
		go func() {
			var bad []string
			var kept [][]byte
			for i := range 200 {
				k := (i + g) % len(models)
				b, _ := plistout.Encode(models[k], plistout.XML)
				kept = append(kept, b)
				if !bytes.Equal(b, want[k]) {
					bad = append(bad, "different bytes")
				}
			}
			// What was returned earlier is not written over later.
			for i, b := range kept {
				if !bytes.Equal(b, want[(i+g)%len(models)]) {
					bad = append(bad, "changed after it was returned")
				}
			}
			done <- bad
		}()
	}
	for range 4 {
		if bad := <-done; len(bad) > 0 {
			t.Fatal(bad[0])
		}
	}
}
