// Package plistout writes profile models as property lists and reads
// property lists back, with howett.net/plist.
//
// A profile model is a tree of Go values: map[string]any or a SortedDict for
// dictionaries, []any or []string for arrays, string, int, bool, []byte
// (data), float64 and time.Time. Dictionary keys are written sorted, so the
// same model always gives the same bytes. XML is written by this package in
// Apple's own layout; binary plists are written, and all formats read, by
// howett.net/plist.
package plistout

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
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

// The formats graph2mobileconfig writes.
const (
	XML Format = iota
	Binary
)

// String names the format as the --format flag spells it.
func (f Format) String() string {
	if f == Binary {
		return "binary"
	}
	return "xml"
}

// ParseFormat reads a --format value: "xml" or "binary".
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

// ErrNotPlist is returned by Decode for input that is not a property list.
var ErrNotPlist = errors.New("not a property list")

// Decode reads an XML, binary or OpenStep property list whose root is a
// dictionary, and reports which format it was.
func Decode(data []byte) (map[string]any, Format, error) {
	v, format, err := unmarshal(data)
	if err != nil {
		return nil, XML, fmt.Errorf("%w: %v", ErrNotPlist, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, XML, fmt.Errorf("%w: the root is a %T, not a dictionary", ErrNotPlist, v)
	}
	f := XML
	if format == plist.BinaryFormat {
		f = Binary
	}
	return m, f, nil
}

// DecodeAny reads a property list with any root value (an encrypted
// profile's PayloadContent is an array).
func DecodeAny(data []byte) (any, error) {
	v, _, err := unmarshal(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotPlist, err)
	}
	return v, nil
}

// unmarshal guards the parser: profiles come from anywhere, and a malformed
// one must be an error, never a crash.
func unmarshal(data []byte) (v any, format int, err error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, 0, errors.New("the input is empty")
	}
	defer func() {
		if r := recover(); r != nil {
			// The panic value may quote the input, which may be secret.
			v, format, err = nil, 0, errors.New("malformed property list")
		}
	}()
	format, err = plist.Unmarshal(data, &v)
	return v, format, sanitize(err)
}

// sanitize rewrites the parser's errors, which quote values from the input
// (a number or a date that does not parse) that may be secrets: every quoted
// fragment is replaced.
func sanitize(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(quoted.ReplaceAllString(err.Error(), "«redacted»"))
}

// quoted matches a double-quoted fragment of an error message.
var quoted = regexp.MustCompile(`"[^"]*"`)
