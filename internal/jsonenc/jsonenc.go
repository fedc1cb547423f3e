// Package jsonenc appends JSON text to a byte slice, for the few records
// written often enough that encoding/json's reflection shows in profiles
// (one batch report entry per profile). Its output is byte for byte what
// encoding/json.Marshal writes for the same values, which the tests check.
package jsonenc

import (
	"strconv"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// safe marks the ASCII bytes written as they are: encoding/json escapes
// control characters, the quote and the backslash, and (by default, for
// HTML) <, > and &.
var safe = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendString appends s as a JSON string, escaped as encoding/json
// escapes it: invalid UTF-8 becomes U+FFFD, and U+2028 and U+2029 are
// escaped so that the output is also valid JavaScript.
func AppendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if safe[c] {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '\\', '"':
				buf = append(buf, '\\', c)
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// AppendInt appends n as a JSON number.
func AppendInt(buf []byte, n int) []byte { return strconv.AppendInt(buf, int64(n), 10) }

// Object helps append the members of one JSON object in order.
type Object struct {
	// Buf is the text written so far.
	Buf []byte
	n   int
}

// Start begins an object in buf.
func Start(buf []byte) Object { return Object{Buf: append(buf, '{')} }

// Key appends a member name (and the comma before it if needed).
func (o *Object) Key(name string) {
	if o.n > 0 {
		o.Buf = append(o.Buf, ',')
	}
	o.n++
	o.Buf = AppendString(o.Buf, name)
	o.Buf = append(o.Buf, ':')
}

// String appends a member whose value is a string.
func (o *Object) String(name, value string) {
	o.Key(name)
	o.Buf = AppendString(o.Buf, value)
}

// StringOmitEmpty appends a string member unless value is empty, as the
// omitempty option does.
func (o *Object) StringOmitEmpty(name, value string) {
	if value != "" {
		o.String(name, value)
	}
}

// Int appends a member whose value is an integer.
func (o *Object) Int(name string, value int) {
	o.Key(name)
	o.Buf = AppendInt(o.Buf, value)
}

// End closes the object and returns the text.
func (o *Object) End() []byte { return append(o.Buf, '}') }
