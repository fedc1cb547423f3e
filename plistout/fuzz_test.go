package plistout_test

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"howett.net/plist"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// FuzzDecode reads arbitrary bytes as a property list. It must never panic
// or overflow the stack; what it accepts must stay within the budget
// (values at most MaxNodesPerByte per input byte, nesting at most
// MaxDepth), must equal what howett.net/plist, an independent reader, makes
// of XML, and must encode again and decode to the same value. Errors must
// be one line, within the budget of the limits too.
func FuzzDecode(f *testing.F) {
	for _, pattern := range []string{"../fixtures/*/expected.mobileconfig", "../testdata/lint/*.mobileconfig", "../testdata/real-profiles/*.mobileconfig", "../testdata/real-profiles/signed/*.unsigned.mobileconfig", "testdata/hostile/*"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("bplist00\xd1\x01\x02QaQb\x08\x0b\x0d\x00\x00\x00\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0f"))
	f.Add([]byte(`{ a = (b, "c\"", <0fab>, <*I5>, {d = e;}); f; /* x */ g = h; // y` + "\n}"))
	f.Add([]byte(`"a" = "b"; c = d;`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, format, err := plistout.DecodeValue(data, plistout.DecodeOptions{})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("a multi-line error: %q", err)
			}
			if !errors.Is(err, plistout.ErrNotPlist) && !errors.Is(err, plistout.ErrLimit) {
				t.Fatalf("error %v wraps neither ErrNotPlist nor ErrLimit", err)
			}
			return
		}
		nodes, depth := measure(v)
		if nodes > plistout.MaxNodesPerByte*len(data) {
			t.Fatalf("%d input bytes decoded to %d values, more than the budget of %d per byte", len(data), nodes, plistout.MaxNodesPerByte)
		}
		if depth > plistout.MaxDepth {
			t.Fatalf("decoded a tree %d levels deep, beyond MaxDepth %d", depth, plistout.MaxDepth)
		}
		if format == plistout.XML {
			var theirs any
			if _, err := plist.Unmarshal(data, &theirs); err == nil && !sameValue(v, theirs) {
				t.Fatalf("our XML reader and howett.net/plist differ:\n ours   %#v\n theirs %#v", v, theirs)
			}
		}
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		out, err := plistout.Encode(m, plistout.Binary)
		if err != nil {
			return // e.g. values howett decodes but cannot write back
		}
		m2, _, err := plistout.Decode(out)
		if err != nil {
			t.Fatalf("our own binary output does not decode: %v", err)
		}
		out2, err := plistout.Encode(m2, plistout.Binary)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("re-encoding is not stable")
		}
	})
}

// measure counts the values of a decoded tree (dictionary keys not
// counted) and its nesting depth in arrays and dictionaries, without
// recursion, so that a tree beyond the limits is measured too.
func measure(root any) (nodes, depth int) {
	type item struct {
		v     any
		level int
	}
	stack := []item{{root, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nodes++
		switch x := it.v.(type) {
		case []any:
			depth = max(depth, it.level+1)
			for _, e := range x {
				stack = append(stack, item{e, it.level + 1})
			}
		case map[string]any:
			depth = max(depth, it.level+1)
			for _, e := range x {
				stack = append(stack, item{e, it.level + 1})
			}
		}
	}
	return nodes, depth
}

// sameValue compares decoded trees, treating NaN as equal to NaN.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y) && x.Location().String() == y.Location().String()
	}
	return a == b
}
