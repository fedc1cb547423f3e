package plistout

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// This file writes XML property lists the way Apple's own tools (and
// Python's plistlib, which copies them) do: the root at column 0, tabs,
// sorted keys, <array/> and <dict/> for empty containers, base64 data
// wrapped to 76 columns less the indentation, and only &, < and > escaped,
// plus the carriage return, which XML readers otherwise turn into a line
// feed.
// A writer of our own is several times faster than howett.net/plist's
// reflection-based one, and its bytes match plutil's; howett.net/plist
// still writes binary plists and reads every format.

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
`

// The writer is a set of functions in the append style, each taking the
// buffer and returning it grown, rather than methods storing into a
// writer's field: a store of the buffer through a pointer is a GC write
// barrier each time while the collector runs, a local variable is not.

func encodeXML(v any) ([]byte, error) {
	scratch := xmlScratch.Get().(*[]byte)
	defer xmlScratch.Put(scratch)
	buf := append((*scratch)[:0], xmlHeader...)
	buf, err := appendValue(buf, v, 0)
	if err != nil {
		return nil, err
	}
	buf = append(buf, "</plist>\n"...)
	if cap(buf) <= maxScratch {
		*scratch = buf[:0]
	}
	// The profile leaves in a slice of its own size.
	return append([]byte(nil), buf...), nil
}

// xmlScratch recycles the buffers profiles are written into, so that each
// profile allocates its own size once rather than a buffer grown to it
// (a full profile is 14 KB, which a buffer started at 8 KB reached by two
// more allocations).
var xmlScratch = sync.Pool{New: func() any {
	b := make([]byte, 0, 16<<10)
	return &b
}}

// maxScratch is the largest buffer kept for reuse.
const maxScratch = 256 << 10

func appendIndent(buf []byte, depth int) []byte {
	for range depth {
		buf = append(buf, '\t')
	}
	return buf
}

// appendSimple writes <tag>text</tag>; text needs no escaping.
func appendSimple(buf []byte, depth int, tag, text string) []byte {
	buf = appendIndent(buf, depth)
	buf = append(buf, '<')
	buf = append(buf, tag...)
	buf = append(buf, '>')
	buf = append(buf, text...)
	buf = append(buf, "</"...)
	buf = append(buf, tag...)
	return append(buf, ">\n"...)
}

func appendValue(buf []byte, v any, depth int) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case string:
		buf = appendIndent(buf, depth)
		buf = append(buf, "<string>"...)
		if buf, err = appendText(buf, x); err != nil {
			return buf, err
		}
		buf = append(buf, "</string>\n"...)
	case int:
		buf = appendSimple(buf, depth, "integer", strconv.Itoa(x))
	case int64:
		buf = appendSimple(buf, depth, "integer", strconv.FormatInt(x, 10))
	case int32:
		buf = appendSimple(buf, depth, "integer", strconv.FormatInt(int64(x), 10))
	case uint64:
		buf = appendSimple(buf, depth, "integer", strconv.FormatUint(x, 10))
	case uint32:
		buf = appendSimple(buf, depth, "integer", strconv.FormatUint(uint64(x), 10))
	case bool:
		buf = appendIndent(buf, depth)
		if x {
			buf = append(buf, "<true/>\n"...)
		} else {
			buf = append(buf, "<false/>\n"...)
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return buf, fmt.Errorf("plistout: %v cannot be written as a <real>", x)
		}
		buf = appendSimple(buf, depth, "real", strconv.FormatFloat(x, 'g', -1, 64))
	case time.Time:
		buf = appendSimple(buf, depth, "date", x.UTC().Format("2006-01-02T15:04:05Z"))
	case []byte:
		buf = appendData(buf, x, depth)
	case []string:
		if len(x) == 0 {
			return appendEmpty(buf, depth, "array"), nil
		}
		buf = appendOpen(buf, depth, "array")
		for _, s := range x {
			if buf, err = appendValue(buf, s, depth+1); err != nil {
				return buf, err
			}
		}
		buf = appendClose(buf, depth, "array")
	case []any:
		if len(x) == 0 {
			return appendEmpty(buf, depth, "array"), nil
		}
		buf = appendOpen(buf, depth, "array")
		for _, el := range x {
			if buf, err = appendValue(buf, el, depth+1); err != nil {
				return buf, err
			}
		}
		buf = appendClose(buf, depth, "array")
	case SortedDict:
		written := 0
		for i := range x.Len() {
			k, val := x.At(i)
			if val == nil {
				continue
			}
			if written == 0 {
				buf = appendOpen(buf, depth, "dict")
			}
			written++
			if buf, err = appendEntry(buf, k, val, depth); err != nil {
				return buf, err
			}
		}
		if written == 0 {
			return appendEmpty(buf, depth, "dict"), nil
		}
		buf = appendClose(buf, depth, "dict")
	case map[string]any:
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
			return appendEmpty(buf, depth, "dict"), nil // empty, or only nil values
		}
		slices.Sort(keys)
		buf = appendOpen(buf, depth, "dict")
		for _, k := range keys {
			if buf, err = appendEntry(buf, k, x[k], depth); err != nil {
				return buf, err
			}
		}
		buf = appendClose(buf, depth, "dict")
	default:
		return buf, fmt.Errorf("plistout: a %T cannot be written to a property list", v)
	}
	return buf, nil
}

// appendEntry writes one key of a dictionary at depth and its value.
func appendEntry(buf []byte, k string, v any, depth int) ([]byte, error) {
	buf = appendIndent(buf, depth+1)
	buf = append(buf, "<key>"...)
	buf, err := appendText(buf, k)
	if err != nil {
		return buf, err
	}
	buf = append(buf, "</key>\n"...)
	return appendValue(buf, v, depth+1)
}

func appendOpen(buf []byte, depth int, tag string) []byte {
	buf = appendIndent(buf, depth)
	buf = append(buf, '<')
	buf = append(buf, tag...)
	return append(buf, ">\n"...)
}

func appendClose(buf []byte, depth int, tag string) []byte {
	buf = appendIndent(buf, depth)
	buf = append(buf, "</"...)
	buf = append(buf, tag...)
	return append(buf, ">\n"...)
}

func appendEmpty(buf []byte, depth int, tag string) []byte {
	buf = appendIndent(buf, depth)
	buf = append(buf, '<')
	buf = append(buf, tag...)
	return append(buf, "/>\n"...)
}

// appendData writes base64 in lines of at most 76 columns counting a tab as
// 8, each line indented like the tag, as CoreFoundation and plistlib do.
func appendData(buf, b []byte, depth int) []byte {
	buf = appendIndent(buf, depth)
	buf = append(buf, "<data>\n"...)
	lineLen := max(16, 76-8*depth)
	chunk := lineLen / 4 * 3
	for i := 0; i < len(b); i += chunk {
		end := min(i+chunk, len(b))
		buf = appendIndent(buf, depth)
		buf = base64.StdEncoding.AppendEncode(buf, b[i:end])
		buf = append(buf, '\n')
	}
	buf = appendIndent(buf, depth)
	return append(buf, "</data>\n"...)
}

// appendText appends s with the three characters XML requires escaped in
// text (&, < and >), and the carriage return as &#13;, after checking that
// XML can hold it at all (see xmlSafe). A raw CR would not survive: every
// conforming reader turns CR and CR LF into LF (XML 1.0 section 2.11), so a
// shared secret holding one would reach the device changed, and the XML
// and binary profiles of one input would differ. Plain ASCII, nearly all of
// a profile, takes one table lookup a byte.
func appendText(buf []byte, s string) ([]byte, error) {
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
		case '\r':
			esc = "&#13;"
		default:
			// A control character or a non-ASCII byte: the full check
			// decides, once per string, and names the position.
			if !checked {
				if err := xmlSafe(s); err != nil {
					return buf, err
				}
				checked = true
			}
			continue
		}
		buf = append(buf, s[last:i]...)
		buf = append(buf, esc...)
		last = i + 1
	}
	return append(buf, s[last:]...), nil
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
				return invalidUTF8(i)
			}
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF:
			return fmt.Errorf("plistout: a string holds the character U+%04X at byte %d, which a property list cannot store", r, i)
		}
	}
	return nil
}

// invalidUTF8 is the error for text that is not UTF-8 at byte i; the
// message never quotes the text, which may be secret.
func invalidUTF8(i int) error {
	return fmt.Errorf("plistout: a string holds invalid UTF-8 at byte %d, which a property list cannot store", i)
}
