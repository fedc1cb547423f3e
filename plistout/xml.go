package plistout

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// This file writes XML property lists the way Apple's own tools (and
// Python's plistlib, which copies them) do: the root at column 0, tabs,
// sorted keys, <array/> and <dict/> for empty containers, base64 data
// wrapped to 76 columns less the indentation, and only &, < and > escaped.
// A writer of our own is several times faster than howett.net/plist's
// reflection-based one, and its bytes match plutil's; howett.net/plist
// still writes binary plists and reads every format.

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
`

type xmlWriter struct {
	buf []byte
}

func encodeXML(v any) ([]byte, error) {
	w := xmlWriter{buf: make([]byte, 0, 8192)}
	w.buf = append(w.buf, xmlHeader...)
	if err := w.value(v, 0); err != nil {
		return nil, err
	}
	w.buf = append(w.buf, "</plist>\n"...)
	return w.buf, nil
}

func (w *xmlWriter) indent(depth int) {
	for range depth {
		w.buf = append(w.buf, '\t')
	}
}

func (w *xmlWriter) simple(depth int, tag, text string) {
	w.indent(depth)
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, tag...)
	w.buf = append(w.buf, '>')
	w.buf = append(w.buf, text...)
	w.buf = append(w.buf, "</"...)
	w.buf = append(w.buf, tag...)
	w.buf = append(w.buf, ">\n"...)
}

func (w *xmlWriter) value(v any, depth int) error {
	switch x := v.(type) {
	case string:
		w.indent(depth)
		w.buf = append(w.buf, "<string>"...)
		if err := w.text(x); err != nil {
			return err
		}
		w.buf = append(w.buf, "</string>\n"...)
	case int:
		w.simple(depth, "integer", strconv.Itoa(x))
	case int64:
		w.simple(depth, "integer", strconv.FormatInt(x, 10))
	case int32:
		w.simple(depth, "integer", strconv.FormatInt(int64(x), 10))
	case uint64:
		w.simple(depth, "integer", strconv.FormatUint(x, 10))
	case uint32:
		w.simple(depth, "integer", strconv.FormatUint(uint64(x), 10))
	case bool:
		w.indent(depth)
		if x {
			w.buf = append(w.buf, "<true/>\n"...)
		} else {
			w.buf = append(w.buf, "<false/>\n"...)
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("plistout: %v cannot be written as a <real>", x)
		}
		w.simple(depth, "real", strconv.FormatFloat(x, 'g', -1, 64))
	case time.Time:
		w.simple(depth, "date", x.UTC().Format("2006-01-02T15:04:05Z"))
	case []byte:
		w.data(x, depth)
	case []string:
		if len(x) == 0 {
			w.empty(depth, "array")
			return nil
		}
		w.open(depth, "array")
		for _, s := range x {
			if err := w.value(s, depth+1); err != nil {
				return err
			}
		}
		w.close(depth, "array")
	case []any:
		if len(x) == 0 {
			w.empty(depth, "array")
			return nil
		}
		w.open(depth, "array")
		for _, el := range x {
			if err := w.value(el, depth+1); err != nil {
				return err
			}
		}
		w.close(depth, "array")
	case SortedDict:
		n := x.Len()
		written := 0
		for i := range n {
			k, val := x.At(i)
			if val == nil {
				continue
			}
			if written == 0 {
				w.open(depth, "dict")
			}
			written++
			if err := w.entry(k, val, depth); err != nil {
				return err
			}
		}
		if written == 0 {
			w.empty(depth, "dict")
		} else {
			w.close(depth, "dict")
		}
	case map[string]any:
		if len(x) == 0 {
			w.empty(depth, "dict")
			return nil
		}
		// On the stack for the usual dictionary: a heap slice would make
		// every append and every swap of the sort a GC write barrier.
		var onStack [48]string
		keys := onStack[:0]
		for k, val := range x {
			if val != nil {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			w.empty(depth, "dict") // nothing but nil values
			return nil
		}
		slices.Sort(keys)
		w.open(depth, "dict")
		for _, k := range keys {
			if err := w.entry(k, x[k], depth); err != nil {
				return err
			}
		}
		w.close(depth, "dict")
	default:
		return fmt.Errorf("plistout: a %T cannot be written to a property list", v)
	}
	return nil
}

// entry writes one key of a dictionary at depth and its value.
func (w *xmlWriter) entry(k string, v any, depth int) error {
	w.indent(depth + 1)
	w.buf = append(w.buf, "<key>"...)
	if err := w.text(k); err != nil {
		return err
	}
	w.buf = append(w.buf, "</key>\n"...)
	return w.value(v, depth+1)
}

func (w *xmlWriter) open(depth int, tag string) {
	w.indent(depth)
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, tag...)
	w.buf = append(w.buf, ">\n"...)
}

func (w *xmlWriter) close(depth int, tag string) {
	w.indent(depth)
	w.buf = append(w.buf, "</"...)
	w.buf = append(w.buf, tag...)
	w.buf = append(w.buf, ">\n"...)
}

func (w *xmlWriter) empty(depth int, tag string) {
	w.indent(depth)
	w.buf = append(w.buf, '<')
	w.buf = append(w.buf, tag...)
	w.buf = append(w.buf, "/>\n"...)
}

// data writes base64 in lines of at most 76 columns counting a tab as 8,
// each line indented like the tag, as CoreFoundation and plistlib do.
func (w *xmlWriter) data(b []byte, depth int) {
	w.indent(depth)
	w.buf = append(w.buf, "<data>\n"...)
	lineLen := max(16, 76-8*depth)
	chunk := lineLen / 4 * 3
	for i := 0; i < len(b); i += chunk {
		end := min(i+chunk, len(b))
		w.indent(depth)
		w.buf = base64.StdEncoding.AppendEncode(w.buf, b[i:end])
		w.buf = append(w.buf, '\n')
	}
	w.indent(depth)
	w.buf = append(w.buf, "</data>\n"...)
}

// text appends s with the three characters XML requires escaped in text
// (&, < and >), after checking that XML can hold it at all (see xmlSafe).
// Plain ASCII, nearly all of a profile, takes one table lookup a byte.
func (w *xmlWriter) text(s string) error {
	last := 0
	checked := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !xmlSpecial[c] {
			continue
		}
		var esc string
		switch c {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		default:
			// A control character or a non-ASCII byte: the full check
			// decides, once per string, and names the position.
			if !checked {
				if err := xmlSafe(s); err != nil {
					return err
				}
				checked = true
			}
			continue
		}
		w.buf = append(w.buf, s[last:i]...)
		w.buf = append(w.buf, esc...)
		last = i + 1
	}
	w.buf = append(w.buf, s[last:]...)
	return nil
}

// xmlSpecial marks the bytes text must look at twice: the three it
// escapes, control characters, and the bytes of non-ASCII characters.
var xmlSpecial = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 0x20 || c >= utf8.RuneSelf || c == '&' || c == '<' || c == '>'
	}
	return t
}()

// xmlSafe refuses text an XML document cannot hold: invalid UTF-8, control
// characters other than tab, newline and carriage return, and the
// non-characters U+FFFE and U+FFFF. Writing them would make a file no
// parser reads back. The message never quotes the text, which may be secret.
func xmlSafe(s string) error {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return fmt.Errorf("plistout: a string holds invalid UTF-8 at byte %d, which a property list cannot store", i)
			}
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF:
			return fmt.Errorf("plistout: a string holds the character U+%04X at byte %d, which a property list cannot store", r, i)
		}
	}
	return nil
}
