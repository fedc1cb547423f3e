package plistout

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"howett.net/plist"
)

// The limits of Decode. A configuration profile is a few kilobytes of values
// nested about ten levels deep; the limits are far above that and far below
// what would exhaust memory or the stack. They are checked while the input is
// scanned, before any tree is built, so a refusal takes milliseconds.
const (
	// MaxDepth is the deepest nesting of arrays and dictionaries that Decode
	// accepts; a root dictionary is level 1. (Go's runtime cannot recover
	// from a stack overflow, so recursion over a decoded tree must be
	// bounded.)
	MaxDepth = 64
	// MaxNodesPerByte bounds the values a decode may build: at most this
	// many per byte of input. Every well-formed XML or text property list
	// stays below it by construction (a value takes at least two bytes); a
	// binary one can only exceed it by using one object in many places,
	// which is how a few hundred bytes expand to billions of values.
	MaxNodesPerByte = 1
)

// ErrNotPlist is wrapped by the errors of Decode for input that is not a
// property list.
var ErrNotPlist = errors.New("not a property list")

// ErrLimit is wrapped by the errors of Decode for a property list beyond its
// limits: nested deeper than MaxDepth, more values than MaxNodesPerByte
// allows, or a binary property list that uses one array or dictionary in
// two places (or inside itself).
var ErrLimit = errors.New("the property list is beyond the limits of a configuration profile")

// Error is an error of Decode: which format, where, and why. It never quotes
// the input: a property list that fails to parse may be a profile whose
// secrets are right where it fails.
type Error struct {
	// Format is the format the input was read as.
	Format Format
	// Line and Column locate the error in XML and text input (1-based;
	// 0 when unknown).
	Line, Column int
	// Offset locates the error in binary input (-1 when unknown).
	Offset int64
	// Reason says what is wrong, in words of our own.
	Reason string
	limit  bool
	// whole marks a Reason that is a whole sentence of its own.
	whole bool
}

func (e *Error) Error() string {
	if e.whole {
		return e.Reason
	}
	where := e.where()
	if e.limit {
		if where == "" {
			return e.Reason
		}
		return e.Reason + " (" + where + ")"
	}
	if e.Format == OpenStep && e.Line > 0 {
		// Most input that ends up here was never meant as the old text
		// format (JSON, a PEM file): say what was tried.
		where = "it is neither XML nor binary, and as text, line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Column)
	}
	if where == "" {
		return ErrNotPlist.Error() + ": " + e.Reason
	}
	return ErrNotPlist.Error() + ": " + where + ": " + e.Reason
}

func (e *Error) where() string {
	name := map[Format]string{XML: "XML", Binary: "binary", OpenStep: "text"}[e.Format]
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s line %d, column %d", name, e.Line, e.Column)
	case e.Line > 0:
		return fmt.Sprintf("%s line %d", name, e.Line)
	case e.Offset >= 0 && e.Format == Binary:
		return fmt.Sprintf("binary, at byte %d", e.Offset)
	}
	return ""
}

// Unwrap makes errors.Is find ErrNotPlist or ErrLimit.
func (e *Error) Unwrap() error {
	if e.limit {
		return ErrLimit
	}
	return ErrNotPlist
}

// tooDeep is the error for nesting beyond maxDepth.
func tooDeep(maxDepth int) string {
	return fmt.Sprintf("the property list is nested more than %d levels deep, deeper than any configuration profile", maxDepth)
}

// tooManyNodes is the error for more values than the budget allows.
func tooManyNodes(size int) string {
	return fmt.Sprintf("the property list holds more values than a %d-byte input can (at most %d per byte): it would expand in memory", size, MaxNodesPerByte)
}

// DecodeOptions adjust Decode's limits for a property list that is part of
// a larger tree.
type DecodeOptions struct {
	// MaxDepth replaces the package's MaxDepth when it is between 1 and
	// MaxDepth: an encrypted profile's payloads, for one, sit one level
	// below the profile's root.
	MaxDepth int
}

func (o DecodeOptions) maxDepth() int {
	if o.MaxDepth > 0 && o.MaxDepth < MaxDepth {
		return o.MaxDepth
	}
	return MaxDepth
}

// Decode reads an XML, binary or OpenStep property list whose root is a
// dictionary, and reports which format it was. Errors wrap ErrNotPlist or
// ErrLimit, and are *Error values that locate the problem.
func Decode(data []byte) (map[string]any, Format, error) {
	v, format, err := DecodeValue(data, DecodeOptions{})
	if err != nil {
		return nil, format, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, format, &Error{Format: format, Offset: -1, Reason: fmt.Sprintf("the property list's root is %s, not a dictionary", TypeName(v)), whole: true}
	}
	return m, format, nil
}

// DecodeAny reads a property list with any root value (an encrypted
// profile's payloads are an array).
func DecodeAny(data []byte) (any, error) {
	v, _, err := DecodeValue(data, DecodeOptions{})
	return v, err
}

// DecodeValue reads a property list with any root value within the limits
// of opts, and reports its format.
//
// Values are string, bool, uint64 (int64 when negative), float64 (float32
// for a 4-byte binary real), []byte, time.Time, []any, map[string]any and,
// for keyed archives, plist.UID.
func DecodeValue(data []byte, opts DecodeOptions) (any, Format, error) {
	maxDepth := opts.maxDepth()
	maxNodes := len(data) * MaxNodesPerByte
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, XML, &Error{Format: XML, Offset: -1, Reason: "the input is empty"}
	}
	if bytes.HasPrefix(data, []byte("bplist")) {
		if err := scanBinary(data, maxDepth, maxNodes); err != nil {
			return nil, Binary, err
		}
		v, err := unmarshal(data, plist.BinaryFormat)
		return v, Binary, err
	}
	v, xmlErr, isXML := decodeXML(data, maxDepth, maxNodes)
	if isXML {
		return v, XML, xmlErr
	}
	if err := scanText(data, maxDepth, maxNodes); err != nil {
		if looksLikeXML(data) {
			// Meant as XML: its own error says more than the text
			// parser's.
			return nil, XML, xmlErr
		}
		return nil, OpenStep, err
	}
	v, err := unmarshal(data, plist.OpenStepFormat)
	return v, OpenStep, err
}

// looksLikeXML reports whether data starts, after a byte order mark and
// white space, as an XML property list does.
func looksLikeXML(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = bytes.TrimLeft(data, " \t\r\n")
	for _, p := range []string{"<?xml", "<!DOCTYPE", "<!--", "<plist"} {
		if bytes.HasPrefix(data, []byte(p)) {
			return true
		}
	}
	return false
}

// unmarshal reads a binary or text property list, which a scan has checked,
// with howett.net/plist. want is the format the scan saw: howett.net/plist
// must see the same, since only that one was checked.
func unmarshal(data []byte, want int) (v any, err error) {
	format := Binary
	if want != plist.BinaryFormat {
		format = OpenStep
	}
	defer func() {
		if r := recover(); r != nil {
			// The panic value may quote the input, which may be secret.
			v, err = nil, &Error{Format: format, Offset: -1, Reason: "a malformed value"}
		}
	}()
	got, err := plist.Unmarshal(data, &v)
	if err != nil {
		return nil, howettError(format, err)
	}
	if got != want && !(want == plist.OpenStepFormat && got == plist.GNUStepFormat) {
		return nil, &Error{Format: format, Offset: -1, Reason: "the property list reads as another format than its structure was checked as"}
	}
	return v, nil
}

// howettError turns an error of howett.net/plist into one that keeps its
// position and drops its words, which can quote the input (a number or a
// date that does not parse, an unexpected character).
func howettError(format Format, err error) error {
	e := &Error{Format: format, Offset: -1, Reason: "a malformed value"}
	msg := err.Error()
	if m := textPosition.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Line++ // howett.net/plist counts lines from 0
		e.Column, _ = strconv.Atoi(m[2])
		e.Column++
	} else if m := binaryPosition.FindStringSubmatch(msg); m != nil {
		e.Offset, _ = strconv.ParseInt(m[1], 16, 64)
	}
	return e
}

var (
	textPosition   = regexp.MustCompile(`at line (\d+) character (\d+)`)
	binaryPosition = regexp.MustCompile(`at offset 0x([0-9a-f]+)`)
)

// TypeName names the property list type of a decoded value, as errors and
// diagnostics do: "a string", "an array".
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case uint64, int64, int, uint, int32, uint32:
		return "an integer"
	case float64, float32:
		return "a real"
	case []byte:
		return "data"
	case []any, []string:
		return "an array"
	case map[string]any:
		return "a dictionary"
	case time.Time:
		return "a date"
	case plist.UID:
		return "a keyed-archive UID"
	}
	return fmt.Sprintf("a %T", v)
}
