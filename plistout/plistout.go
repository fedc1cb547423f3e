// Package plistout writes profile models as property lists and reads
// property lists back.
//
// A profile model is a tree of Go values: map[string]any or a SortedDict for
// dictionaries, []any or []string for arrays, string, int, bool, []byte
// (data), float64 and time.Time. Dictionary keys are written sorted, so the
// same model always gives the same bytes. XML is written by this package in
// Apple's own layout; binary plists are written by howett.net/plist.
//
// Decode reads XML, binary and OpenStep (text) property lists from anywhere,
// hostile input included, within fixed limits (MaxDepth, MaxNodesPerByte)
// that are checked before any tree is built: XML is read by this package
// without recursion, binary and text property lists are checked by a scan of
// their structure and then read by howett.net/plist. Its errors give a
// position and a reason, never the input's content, which may be secret.
package plistout

import (
	"fmt"
	"unicode/utf8"

	"howett.net/plist"
)

// SortedDict is a dictionary that keeps its keys in sorted order itself, as
// the compiler's profile model does; it is written without a map or a sort.
// Entries whose value is nil are left out, as in a map. For binary output,
// howett.net/plist needs it to implement plist.Marshaler as well.
type SortedDict interface {
	// Len returns the number of keys.
	Len() int
	// At returns the i-th key, in ascending byte order, and its value.
	At(i int) (key string, value any)
}

// Format is a property list encoding.
type Format int

// The property list formats. graph2mobileconfig writes XML and Binary; it
// reads OpenStep (the old text format, GNUstep's extensions included) too.
const (
	XML Format = iota
	Binary
	OpenStep
)

// String names the format in lower case: "xml", "binary", or "openstep"
// for the format that is only read.
func (f Format) String() string {
	switch f {
	case Binary:
		return "binary"
	case OpenStep:
		return "openstep"
	}
	return "xml"
}

// ParseFormat reads the name of a format that Encode writes: "xml" (or
// empty) or "binary" ("bin" too), as String names them.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "xml", "":
		return XML, nil
	case "binary", "bin":
		return Binary, nil
	}
	return XML, fmt.Errorf("format %q: want xml or binary", s)
}

// Encode writes v as a property list. XML comes out as Apple's own tools
// write it (see xml.go); binary is written by howett.net/plist.
func Encode(v any, f Format) ([]byte, error) {
	switch f {
	case Binary:
		// howett.net/plist would write invalid UTF-8 as U+FFFD, silently
		// changing the text (and making two keys one): refuse it, as the
		// XML writer does.
		if err := validUTF8(v); err != nil {
			return nil, err
		}
		return plist.Marshal(v, plist.BinaryFormat)
	case XML:
		return encodeXML(v)
	}
	return nil, fmt.Errorf("plistout: unknown format %d", f)
}

// validUTF8 checks every string of a model, dictionary keys included.
func validUTF8(v any) error {
	check := func(s string) error {
		if utf8.ValidString(s) {
			return nil
		}
		for i, r := range s {
			if _, size := utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError && size == 1 {
				return invalidUTF8(i)
			}
		}
		return nil
	}
	switch x := v.(type) {
	case string:
		return check(x)
	case []string:
		for _, s := range x {
			if err := check(s); err != nil {
				return err
			}
		}
	case []any:
		for _, el := range x {
			if err := validUTF8(el); err != nil {
				return err
			}
		}
	case SortedDict:
		for i := range x.Len() {
			k, val := x.At(i)
			if err := check(k); err != nil {
				return err
			}
			if err := validUTF8(val); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, val := range x {
			if err := check(k); err != nil {
				return err
			}
			if err := validUTF8(val); err != nil {
				return err
			}
		}
	}
	return nil
}
