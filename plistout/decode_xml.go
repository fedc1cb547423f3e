package plistout

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"howett.net/plist"
)

// This file reads XML property lists. It reads the tokens of encoding/xml
// with an explicit stack instead of recursion, so that nesting is bounded
// by MaxDepth and never by Go's stack, and it writes its own errors, which
// locate a problem without quoting the input.
//
// The values are those of howett.net/plist (a fuzz test compares the two):
// it ignores text between the elements of a dictionary or array and stops
// after the root value; it is stricter only where howett.net/plist silently
// drops input (an element inside a <string>, a <key> without a value, a
// <plist> inside a value).

// xmlValueElements are the elements that hold a value. An XML document
// whose first element is none of these (nor <plist>) is not an XML
// property list, but may be a text one that starts with <hex data>.
var xmlValueElements = map[string]bool{
	"dict": true, "array": true, "string": true, "integer": true, "real": true,
	"true": true, "false": true, "date": true, "data": true,
}

// xmlFrame is an open dictionary or array.
type xmlFrame struct {
	start  xml.Name
	dict   map[string]any // nil for an array
	array  []any
	key    string
	hasKey bool
}

type xmlReader struct {
	d        *xml.Decoder
	maxDepth int
	maxNodes int
	nodes    int
	stack    []*xmlFrame
}

// decodeXML reads data as an XML property list. isXML is false when data is
// not XML, or XML whose first element is not one of a property list: the
// caller then tries the text format, as howett.net/plist does.
func decodeXML(data []byte, maxDepth, maxNodes int) (v any, err error, isXML bool) {
	if start := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n"); len(start) == 0 || start[0] != '<' {
		// Not XML, or text before the first element, which
		// howett.net/plist would skip but no XML property list has:
		// the text format is tried without reading it all as XML
		// text first.
		return nil, &Error{Format: XML, Offset: -1, Reason: "the input does not start with an XML tag"}, false
	}
	r := &xmlReader{d: xml.NewDecoder(bytes.NewReader(data)), maxDepth: maxDepth, maxNodes: maxNodes}
	for {
		tok, err := r.d.RawToken()
		if err != nil {
			return nil, r.syntaxError(err), false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "plist" {
				v, err := r.plistBody(t)
				return v, err, true
			}
			if !xmlValueElements[t.Name.Local] {
				return nil, r.errorf("the first element is not one of a property list"), false
			}
			v, err := r.value(t)
			return v, err, true
		case xml.EndElement:
			return nil, r.errorf("an end tag comes before any start tag"), false
		}
	}
}

// plistBody reads the value inside <plist>.
func (r *xmlReader) plistBody(start xml.StartElement) (any, error) {
	for {
		tok, err := r.d.RawToken()
		if err != nil {
			return nil, r.syntaxError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return r.value(t)
		case xml.EndElement:
			if t.Name != start.Name {
				return nil, r.errorf("an end tag does not match its start tag")
			}
			return nil, r.errorf("the <plist> element holds no value")
		}
	}
}

// value reads the value that start begins, and everything inside it.
func (r *xmlReader) value(start xml.StartElement) (any, error) {
	var result any
	done := false
	// emit hands a finished value to the open container, or makes it the
	// result.
	emit := func(v any) error {
		if len(r.stack) == 0 {
			result, done = v, true
			return nil
		}
		top := r.stack[len(r.stack)-1]
		if top.dict == nil {
			top.array = append(top.array, v)
			return nil
		}
		if !top.hasKey {
			return r.errorf("a value in a <dict> has no <key>")
		}
		top.dict[top.key] = v
		top.hasKey = false
		return nil
	}
	if err := r.startElement(start, emit); err != nil {
		return nil, err
	}
	for !done {
		tok, err := r.d.RawToken()
		if err != nil {
			return nil, r.syntaxError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := r.startElement(t, emit); err != nil {
				return nil, err
			}
		case xml.EndElement:
			top := r.stack[len(r.stack)-1]
			if t.Name != top.start {
				return nil, r.errorf("an end tag does not match its start tag")
			}
			r.stack = r.stack[:len(r.stack)-1]
			var v any
			if top.dict != nil {
				if top.hasKey {
					return nil, r.errorf("a <key> in a <dict> has no value")
				}
				v = dictOrUID(top.dict)
			} else {
				v = top.array
				if top.array == nil {
					v = []any{}
				}
			}
			if err := emit(v); err != nil {
				return nil, err
			}
		}
		// Text, comments and processing instructions between values are
		// ignored, as by howett.net/plist.
	}
	return result, nil
}

// startElement handles the start of an element inside a value (or of the
// root value): it opens a container, or reads a scalar whole and emits it.
func (r *xmlReader) startElement(t xml.StartElement, emit func(any) error) error {
	name := t.Name.Local
	if name == "key" {
		if len(r.stack) == 0 || r.stack[len(r.stack)-1].dict == nil {
			return r.errorf("a <key> outside a <dict>")
		}
		top := r.stack[len(r.stack)-1]
		if top.hasKey {
			return r.errorf("a <key> in a <dict> has no value")
		}
		text, err := r.text(t.Name)
		if err != nil {
			return err
		}
		top.key, top.hasKey = text, true
		return nil
	}
	if r.nodes++; r.nodes > r.maxNodes {
		return r.limitf(tooManyNodes(r.maxNodes / MaxNodesPerByte))
	}
	switch name {
	case "dict", "array":
		f := &xmlFrame{start: t.Name}
		if name == "dict" {
			f.dict = map[string]any{}
		}
		r.stack = append(r.stack, f)
		if len(r.stack) > r.maxDepth {
			return r.limitf(tooDeep(r.maxDepth))
		}
		return nil
	case "true", "false":
		if _, err := r.text(t.Name); err != nil {
			return err
		}
		return emit(name == "true")
	}
	line, col := r.d.InputPos()
	text, err := r.text(t.Name)
	if err != nil {
		return err
	}
	var v any
	switch name {
	case "string":
		v = text
	case "integer":
		v, err = parseInteger(text)
	case "real":
		v, err = strconv.ParseFloat(text, 64)
		if err != nil {
			err = errors.New("a <real> that is not a number")
		}
	case "date":
		v, err = time.ParseInLocation(time.RFC3339, text, time.UTC)
		if err != nil {
			err = errors.New("a <date> that is not a date (YYYY-MM-DDThh:mm:ssZ)")
		}
	case "data":
		v, err = parseData(text)
	default:
		// The name is not quoted: an element name is content too.
		return r.errorf("an element that is not part of a property list")
	}
	if err != nil {
		return &Error{Format: XML, Line: line, Column: col, Offset: -1, Reason: err.Error()}
	}
	return emit(v)
}

// text reads the character data of the element start just started, up to
// its end tag. Comments are skipped; an element inside is an error
// (howett.net/plist would drop it and its text silently).
func (r *xmlReader) text(start xml.Name) (string, error) {
	var b []byte
	for {
		tok, err := r.d.RawToken()
		if err != nil {
			return "", r.syntaxError(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			b = append(b, t...)
		case xml.StartElement:
			return "", r.errorf("an element inside a <string>, <key>, <integer>, <real>, <date> or <data>")
		case xml.EndElement:
			if t.Name != start {
				return "", r.errorf("an end tag does not match its start tag")
			}
			return string(b), nil
		}
	}
}

// parseInteger reads an <integer> as howett.net/plist does: decimal or 0x
// hexadecimal, int64 when negative and uint64 otherwise.
func parseInteger(s string) (any, error) {
	if s == "" {
		return nil, errors.New("an empty <integer>")
	}
	bad := errors.New("an <integer> that is not a 64-bit integer")
	if s[0] == '-' {
		digits, base := integerBase(s[1:])
		n, err := strconv.ParseInt("-"+digits, base, 64)
		if err != nil {
			return nil, bad
		}
		return n, nil
	}
	digits, base := integerBase(s)
	n, err := strconv.ParseUint(digits, base, 64)
	if err != nil {
		return nil, bad
	}
	return n, nil
}

func integerBase(s string) (string, int) {
	if len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return s[2:], 16
	}
	return s, 10
}

// dataSpace is the white space that <data> may hold between its base64.
var dataSpace = strings.NewReplacer("\t", "", "\n", "", " ", "", "\r", "")

func parseData(s string) ([]byte, error) {
	s = dataSpace.Replace(s)
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(out, []byte(s))
	if err != nil {
		// CorruptInputError says only at which byte.
		return nil, errors.New("<data> that is not base64: " + err.Error())
	}
	return out[:n], nil
}

// dictOrUID returns a dictionary, or the keyed-archive UID that a
// dictionary holding only an integer CF$UID stands for.
func dictOrUID(m map[string]any) any {
	if len(m) == 1 {
		switch n := m["CF$UID"].(type) {
		case uint64:
			return plist.UID(n)
		case int64:
			return plist.UID(uint64(n))
		}
	}
	return m
}

func (r *xmlReader) errorf(reason string) error {
	line, col := r.d.InputPos()
	return &Error{Format: XML, Line: line, Column: col, Offset: -1, Reason: reason}
}

func (r *xmlReader) limitf(reason string) error {
	line, col := r.d.InputPos()
	return &Error{Format: XML, Line: line, Column: col, Offset: -1, Reason: reason, limit: true}
}

// syntaxError turns an error of encoding/xml into one of ours. Its messages
// quote the input (an entity, an element name, an encoding), so only their
// kind is kept.
func (r *xmlReader) syntaxError(err error) error {
	reason := "malformed XML"
	var se *xml.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		reason = "the XML ends before the property list does"
	case errors.As(err, &se):
		reason = xmlSyntaxReason(se.Msg)
	case strings.Contains(err.Error(), "encoding"):
		reason = "the XML declares an encoding other than UTF-8"
	case strings.Contains(err.Error(), "unsupported version"):
		reason = "the XML declares a version other than 1.0"
	}
	line, col := r.d.InputPos()
	return &Error{Format: XML, Line: line, Column: col, Offset: -1, Reason: reason}
}

// xmlSyntaxReasons maps the start of encoding/xml's messages to ours.
var xmlSyntaxReasons = []struct{ prefix, reason string }{
	{"unexpected EOF", "the XML ends in the middle of an element"},
	{"unexpected end element", "an end tag without a start tag"},
	{"element <", "an end tag does not match its start tag"},
	{"invalid character entity", "an & that does not start a character reference (write &amp; for an & in text)"},
	{"invalid UTF-8", "invalid UTF-8"},
	{"illegal character code", "a character that XML does not allow (a control character?)"},
	{"expected element name after <", "a < that does not start a tag (write &lt; for a < in text)"},
	{"expected target name after <?", "a malformed processing instruction"},
	{"invalid XML name", "a malformed element or attribute name"},
	{"invalid characters between </", "a malformed end tag"},
	{"invalid sequence <!-", "a malformed comment"},
	{"invalid <![ sequence", "a malformed CDATA section"},
	{"unescaped ]]> not in CDATA section", "]]> outside a CDATA section"},
	{"unescaped < inside quoted string", "a < inside an attribute value"},
	{"expected /> in element", "a malformed tag"},
	{"expected attribute name in element", "a malformed attribute"},
	{"attribute name without = in element", "a malformed attribute"},
	{"unquoted or missing attribute value in element", "a malformed attribute"},
}

func xmlSyntaxReason(msg string) string {
	for _, r := range xmlSyntaxReasons {
		if strings.HasPrefix(msg, r.prefix) {
			return r.reason
		}
	}
	return "malformed XML"
}
