package plistout_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"howett.net/plist"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// hostileDir holds the crafted inputs that the tests of every command read;
// they are written by TestHostileInputs (go test ./plistout -update) and
// described in its README.
var hostileDir = filepath.Join("..", "testdata", "hostile")

// bplist assembles a binary property list from encoded objects, the
// first being the top object, with 1-byte object references. offsets, when
// not nil, replaces the offset table (to make two numbers name one object).
func bplist(objects [][]byte, offsets []int) []byte { return bplistRefs(1, objects, offsets) }

// bplistRefs is bplist with references of refSize bytes.
func bplistRefs(refSize int, objects [][]byte, offsets []int) []byte {
	buf := []byte("bplist00")
	var at []int
	for _, o := range objects {
		at = append(at, len(buf))
		buf = append(buf, o...)
	}
	if offsets != nil {
		for i := range offsets {
			offsets[i] = at[offsets[i]]
		}
		at = offsets
	}
	table := len(buf)
	offSize := 4
	switch {
	case table <= 0xFF:
		offSize = 1
	case table <= 0xFFFF:
		offSize = 2
	}
	for _, o := range at {
		buf = appendUint(buf, uint64(o), offSize)
	}
	buf = append(buf, 0, 0, 0, 0, 0, 0, byte(offSize), byte(refSize))
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(at)))
	buf = binary.BigEndian.AppendUint64(buf, 0)
	return binary.BigEndian.AppendUint64(buf, uint64(table))
}

func appendUint(b []byte, v uint64, size int) []byte {
	for i := size - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// barray encodes an array of 1-byte references.
func barray(refs ...int) []byte { return barrayRefs(1, refs...) }

// barrayRefs encodes an array of refSize-byte references.
func barrayRefs(refSize int, refs ...int) []byte {
	var b []byte
	if len(refs) < 15 {
		b = []byte{0xA0 | byte(len(refs))}
	} else {
		b = []byte{0xAF, 0x11}
		b = binary.BigEndian.AppendUint16(b, uint16(len(refs)))
	}
	for _, r := range refs {
		b = appendUint(b, uint64(r), refSize)
	}
	return b
}

// bdict encodes a dictionary of 1-byte references.
func bdict(keys, values []int) []byte {
	b := []byte{0xD0 | byte(len(keys))}
	for _, r := range append(keys, values...) {
		b = append(b, byte(r))
	}
	return b
}

func bstring(s string) []byte { return append([]byte{0x50 | byte(len(s))}, s...) }

// nestedXML is a property list of depth nested arrays around a string.
func nestedXML(depth int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<plist version=\"1.0\">\n")
	b.WriteString(strings.Repeat("<array>", depth))
	b.WriteString("<string>deep</string>")
	b.WriteString(strings.Repeat("</array>", depth))
	b.WriteString("\n</plist>\n")
	return b.Bytes()
}

// nestedText is a text property list of depth nested arrays around a
// string.
func nestedText(depth int) []byte {
	return []byte(strings.Repeat("(", depth) + "deep" + strings.Repeat(")", depth))
}

// nestedBinary is a binary property list of depth nested arrays around a
// string.
func nestedBinary(depth int) []byte {
	refSize := 1
	if depth >= 0xFF {
		refSize = 4
	}
	var objects [][]byte
	for i := range depth {
		objects = append(objects, barrayRefs(refSize, i+1))
	}
	return bplistRefs(refSize, append(objects, bstring("deep")), nil)
}

// bomb is the reference bomb: n arrays, each referring twice to the next,
// around a string; it expands to 2^n strings.
func bomb(n int) []byte {
	var objects [][]byte
	for i := range n {
		objects = append(objects, barray(i+1, i+1))
	}
	return bplist(append(objects, bstring("x")), nil)
}

// hostileInputs are the crafted inputs of testdata/hostile, small enough to
// keep in the repository; the large ones are made by the tests themselves.
// Each must be refused with the error wanted, which must wrap ErrLimit when
// limit is set and ErrNotPlist otherwise.
var hostileInputs = []struct {
	file  string
	data  func() []byte
	limit bool
	want  string
}{
	{"bplist-bomb.bplist", func() []byte { return bomb(62) }, true, "uses one array or dictionary in two places"},
	{"bplist-cycle.bplist", func() []byte { return bplist([][]byte{barray(1), barray(0)}, nil) }, true, "uses one array or dictionary in two places"},
	{"bplist-self.bplist", func() []byte { return bplist([][]byte{barray(0)}, nil) }, true, "uses one array or dictionary in two places"},
	{"bplist-shared-dict.bplist", func() []byte {
		// {a: {k: v}, b: the same dictionary}
		return bplist([][]byte{bdict([]int{1, 2}, []int{3, 3}), bstring("a"), bstring("b"), bdict([]int{4}, []int{5}), bstring("k"), bstring("v")}, nil)
	}, true, "in two places"},
	{"bplist-aliased-offsets.bplist", func() []byte {
		// Object numbers 1…40 all name the bytes of one array of 40
		// references to a string: no number is used twice, but the
		// array is expanded 40 times.
		refs := make([]int, 40)
		for i := range refs {
			refs[i] = 41
		}
		top := make([]int, 40)
		for i := range top {
			top[i] = i + 1
		}
		objects := [][]byte{barray(top...), barray(refs...)}
		offsets := []int{0}
		for range 40 {
			offsets = append(offsets, 1)
		}
		objects = append(objects, bstring("x"))
		return bplist(objects, append(offsets, 2))
	}, true, "in two places"},
	{"bplist-deep.bplist", func() []byte { return nestedBinary(plistout.MaxDepth + 1) }, true, "nested more than 64 levels deep"},
	{"bplist-zero-ref-size.bplist", func() []byte {
		b := bplist([][]byte{barray(1, 1), bstring("x")}, nil)
		b[len(b)-25] = 0 // the reference size
		return b
	}, false, "reference size other than 1, 2, 4 or 8"},
	{"bplist-count-overflow.bplist", func() []byte {
		// An array that claims 2^62 elements.
		return bplist([][]byte{{0xAF, 0x13, 0x40, 0, 0, 0, 0, 0, 0, 0}}, nil)
	}, false, "runs into the offset table"},
	{"xml-deep.plist", func() []byte { return nestedXML(plistout.MaxDepth + 1) }, true, "XML line 3"},
	{"text-deep.plist", func() []byte { return nestedText(plistout.MaxDepth + 1) }, true, "text line 1, column 66"},
	{"text-deep-dict.plist", func() []byte {
		return []byte(strings.Repeat("{a=", plistout.MaxDepth+1) + "b" + strings.Repeat(";}", plistout.MaxDepth+1))
	}, true, "nested more than 64 levels deep"},
	{"xml-secret-entity.mobileconfig", func() []byte {
		return secretProfile("<string>Zq7&amp;ok&Zq7-secret-in-an-entity-4411</string>")
	}, false, "line 8, column 80: an & that does not start a character reference"},
	{"xml-secret-element.mobileconfig", func() []byte {
		return secretProfile("<Zq7-secret-as-an-element-name-4411/>")
	}, false, "line 8, column 70: an element that is not part of a property list"},
	{"xml-secret-integer.mobileconfig", func() []byte {
		return secretProfile("<integer>730418552916400217730418552916400217</integer>")
	}, false, "line 8, column 42: an <integer> that is not a 64-bit integer"},
	{"xml-secret-date.mobileconfig", func() []byte {
		return secretProfile("<date>Zq7-secret-in-a-date-4411</date>")
	}, false, "line 8, column 39: a <date> that is not a date"},
	{"xml-secret-end-tag.mobileconfig", func() []byte {
		return secretProfile("<string>ok</Zq7-secret-in-an-end-tag-4411>")
	}, false, "an end tag does not match its start tag"},
	{"text-secret-gnustep.plist", func() []byte {
		return []byte("{\n  SharedSecret = <*IZq7-secret-in-a-number-4411>;\n}\n")
	}, false, "as text, line 2, column 21: a GNUstep value that does not parse as its type"},
	{"text-secret-hex.plist", func() []byte {
		return []byte("{\n  SharedSecret = <Zq7-secret-as-data-4411>;\n}\n")
	}, false, "as text, line 2, column 20: data with a character that is not a hexadecimal digit"},
}

// secretProfile is a profile whose shared secret is value, which is broken
// in some way that names the secret in a naive parser's error.
func secretProfile(value string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<dict>
	<key>PayloadContent</key>
	<array>
		<dict>
			<key>IKEv2</key>
			<dict><key>SharedSecret</key>` + value + `</dict>
		</dict>
	</array>
	<key>PayloadType</key>
	<string>Configuration</string>
</dict>
</plist>
`)
}

// TestHostileInputs writes the crafted inputs of testdata/hostile (with
// -update) and checks that each is refused, with an error that locates the
// problem in one line and quotes nothing of the input.
func TestHostileInputs(t *testing.T) {
	for _, h := range hostileInputs {
		t.Run(h.file, func(t *testing.T) {
			data := h.data()
			golden.Check(t, filepath.Join(hostileDir, h.file), data)
			_, _, err := plistout.Decode(data)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), h.want) {
				t.Errorf("error %q, want it to contain %q", err, h.want)
			}
			if errors.Is(err, plistout.ErrLimit) != h.limit || errors.Is(err, plistout.ErrNotPlist) == h.limit {
				t.Errorf("error %q: ErrLimit %v, want %v", err, errors.Is(err, plistout.ErrLimit), h.limit)
			}
			if strings.Contains(err.Error(), "Zq7") || strings.Contains(err.Error(), "7304185529") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q quotes the input or is not one line", err)
			}
		})
	}
}

// TestDecodeDepthLimit checks the boundary in every format: MaxDepth
// levels are read, one more is refused.
func TestDecodeDepthLimit(t *testing.T) {
	for _, format := range []struct {
		name string
		make func(int) []byte
	}{{"XML", nestedXML}, {"text", nestedText}, {"binary", nestedBinary}} {
		t.Run(format.name, func(t *testing.T) {
			v, _, err := plistout.DecodeValue(format.make(plistout.MaxDepth), plistout.DecodeOptions{})
			if err != nil {
				t.Fatalf("depth %d: %v", plistout.MaxDepth, err)
			}
			if _, depth := measure(v); depth != plistout.MaxDepth {
				t.Errorf("decoded depth %d, want %d", depth, plistout.MaxDepth)
			}
			if _, _, err := plistout.DecodeValue(format.make(plistout.MaxDepth+1), plistout.DecodeOptions{}); !errors.Is(err, plistout.ErrLimit) {
				t.Errorf("depth %d: %v, want ErrLimit", plistout.MaxDepth+1, err)
			}
			if _, _, err := plistout.DecodeValue(format.make(10), plistout.DecodeOptions{MaxDepth: 9}); !errors.Is(err, plistout.ErrLimit) {
				t.Errorf("depth 10 with MaxDepth 9: %v, want ErrLimit", err)
			}
		})
	}
}

// TestDecodeHugeNesting feeds the nesting that used to end the process with
// a fatal stack overflow (an XML property list 1,000,000 levels deep, 15 MB,
// and a text one 6,000,000 deep): each is refused with ErrLimit as soon as
// the limit is passed.
func TestDecodeHugeNesting(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 15 MB of input")
	}
	for name, data := range map[string][]byte{
		"XML 1,000,000 deep":    nestedXML(1_000_000),
		"text 6,000,000 deep":   nestedText(6_000_000),
		"text dictionaries":     []byte(strings.Repeat("{a=", 2_000_000)),
		"binary 100,000 deep":   nestedBinary(100_000),
		"XML 1,000,000 in dict": []byte("<plist>" + strings.Repeat("<dict><key>k</key>", 1_000_000)),
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := plistout.Decode(data)
			if !errors.Is(err, plistout.ErrLimit) || !strings.Contains(err.Error(), "nested more than 64 levels deep") {
				t.Fatalf("%d bytes: %v, want the depth limit", len(data), err)
			}
		})
	}
}

// TestSharedLeavesAreFine checks that what the budget refuses is reuse of
// arrays and dictionaries only: writers share strings, numbers and data
// (howett.net/plist's and ours do), and may share an empty array.
func TestSharedLeavesAreFine(t *testing.T) {
	model := map[string]any{"PayloadType": "Configuration"}
	for i := range 50 {
		model[fmt.Sprintf("Key%02d", i)] = []any{"same", "same", uint64(1), []byte{1, 2, 3}, []any{}}
	}
	out, err := plistout.Encode(model, plistout.Binary)
	if err != nil {
		t.Fatal(err)
	}
	if m, _, err := plistout.Decode(out); err != nil || len(m) != 51 {
		t.Fatalf("Decode of a binary list with shared strings: %d keys, %v", len(m), err)
	}
	// One empty array in two places, and one string in many.
	shared := bplist([][]byte{bdict([]int{1, 2, 3}, []int{4, 4, 5}), bstring("a"), bstring("b"), bstring("c"), barray(), bstring("a")}, nil)
	m, _, err := plistout.Decode(shared)
	if err != nil || len(m) != 3 || m["c"] != "a" {
		t.Fatalf("Decode = %v, %v", m, err)
	}
}

// TestDecodeBombIsExponentialForAReader documents why the bomb is refused:
// a reader that expands references, as howett.net/plist does, builds 2^n
// values from a file of 3n bytes and a little more.
func TestDecodeBombIsExponentialForAReader(t *testing.T) {
	data := bomb(16)
	var v any
	if _, err := plist.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if nodes, _ := measure(v); nodes < 1<<16 || len(data) > 120 {
		t.Fatalf("the 16-level bomb is %d bytes and expands to %d values", len(data), nodes)
	}
	if _, _, err := plistout.Decode(data); !errors.Is(err, plistout.ErrLimit) {
		t.Fatalf("Decode = %v, want ErrLimit", err)
	}
}
