package plistout_test

import (
	"bytes"
	"encoding/json"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testenv"
	"os/exec"
	"reflect"
	"testing"

	mplist "github.com/micromdm/plist"
	hplist "howett.net/plist"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// crStrings are strings with carriage returns where a profile can hold
// them: a shared secret, a key, a list, a nested dictionary.
func crStrings() map[string]any {
	return map[string]any{
		"SharedSecret": "ab\rcd",
		"CRLF":         "line one\r\nline two\r",
		"Only":         "\r",
		"Key\rWith CR": "value",
		"List":         []any{"x\ry", "\r\n"},
		"Nested":       map[string]any{"Deep": "a\r\rb&<>\r"},
	}
}

// TestCarriageReturnsRoundTrip writes strings holding CR in XML and binary
// and reads them back with two parsers we did not write (howett.net/plist
// and github.com/micromdm/plist), plus Python's plistlib when python3 is
// there: every reader gets the CRs back, from both formats. A raw CR in
// XML is read as LF by every conforming reader, so the XML profile of a
// secret used to differ from the binary one.
func TestCarriageReturnsRoundTrip(t *testing.T) {
	want := crStrings()
	xml, err := plistout.Encode(want, plistout.XML)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.IndexByte(xml, '\r') >= 0 {
		t.Errorf("the XML holds a raw CR:\n%q", xml)
	}
	if !bytes.Contains(xml, []byte("<string>ab&#13;cd</string>")) || !bytes.Contains(xml, []byte("<key>Key&#13;With CR</key>")) {
		t.Errorf("CR is not written as &#13;:\n%s", xml)
	}
	bin, err := plistout.Encode(want, plistout.Binary)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"XML": xml, "binary": bin} {
		var h map[string]any
		if _, err := hplist.Unmarshal(data, &h); err != nil {
			t.Fatalf("%s: howett.net/plist: %v", name, err)
		}
		if !reflect.DeepEqual(h, want) {
			t.Errorf("%s: howett.net/plist reads\n%#v\nwant\n%#v", name, h, want)
		}
		var m map[string]any
		if err := mplist.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: micromdm/plist: %v", name, err)
		}
		if !reflect.DeepEqual(m, want) {
			t.Errorf("%s: micromdm/plist reads\n%#v\nwant\n%#v", name, m, want)
		}
		got, _, err := plistout.Decode(data)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: plistout.Decode reads %#v (%v)", name, got, err)
		}
	}

	python := testenv.Tool(t, "python3", "the plistlib reading")
	wantJSON, _ := json.Marshal(want)
	for name, data := range map[string][]byte{"XML": xml, "binary": bin} {
		cmd := exec.Command(python, "-c", "import json,plistlib,sys; sys.stdout.write(json.dumps(plistlib.loads(sys.stdin.buffer.read()), sort_keys=True, separators=(',', ':')))")
		cmd.Stdin = bytes.NewReader(data)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: plistlib: %v", name, err)
		}
		var got, w any
		json.Unmarshal(out, &got)
		json.Unmarshal(wantJSON, &w)
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s: plistlib reads %s\nwant %s", name, out, wantJSON)
		}
	}
}
