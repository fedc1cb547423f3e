package plistout

import (
	"encoding/binary"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// This file checks the structure of an OpenStep (text) property list before
// howett.net/plist reads it. howett.net/plist parses the text format by
// recursion, one call per ( or {, so a file of six million ( ends the whole
// process with a stack overflow that recover cannot catch. The scan below
// follows the same grammar, token for token, with an explicit stack, and
// refuses nesting deeper than the limit before anything is parsed; the
// fuzz test checks that what it accepts stays within the limits once
// decoded.

// The character classes of howett.net/plist's text parser: gsQuotable
// characters end an unquoted string, textSpace is white space between
// tokens.
var gsQuotable, textSpace [256]bool

func init() {
	for c := 0; c < 0x20; c++ {
		gsQuotable[c] = true
	}
	for c := 0x7F; c < 0x100; c++ {
		gsQuotable[c] = true
	}
	for _, c := range " \"'(),;<=>[\\]`{}" {
		gsQuotable[c] = true
	}
	for _, c := range "\b\t\n\v\f\r " {
		textSpace[c] = true
	}
}

func inClass(class *[256]bool, r rune) bool { return r >= 0 && r <= 0xFF && class[r] }

const textEOF rune = -1

type textScan struct {
	s          string
	pos, width int
	maxDepth   int
	maxNodes   int
	nodes      int
	// stack holds the open containers: '(' for an array, '{' for a
	// dictionary, 's' for the dictionary of a .strings file, which has no
	// braces and may end at the end of the input.
	stack []byte
}

// scanText checks data as a text property list.
func scanText(data []byte, maxDepth, maxNodes int) error {
	s, err := textInput(data)
	if err != nil {
		return err
	}
	t := &textScan{s: s, maxDepth: maxDepth, maxNodes: maxNodes}
	isString, err := t.document(false)
	if err != nil {
		return err
	}
	if err := t.skipSpace(); err != nil {
		return err
	}
	if t.peek() == textEOF {
		return nil
	}
	if !isString {
		return t.errorf("text after the end of the property list")
	}
	// A string followed by more text: a .strings file, one dictionary
	// without braces, read again from the start.
	t.pos, t.nodes, t.stack = 0, 0, nil
	_, err = t.document(true)
	return err
}

// textInput converts data to text as howett.net/plist does: UTF-8 (with or
// without a byte order mark) or UTF-16 when it starts with a byte order
// mark or a zero byte.
func textInput(data []byte) (string, error) {
	utf16Text := func(b []byte, order binary.ByteOrder) (string, error) {
		if len(b)%2 != 0 {
			return "", &Error{Format: OpenStep, Offset: -1, Reason: "UTF-16 text with an odd number of bytes"}
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = order.Uint16(b[2*i:])
		}
		return string(utf16.Decode(u)), nil
	}
	switch {
	case len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF:
		return string(data[3:]), nil
	case len(data) >= 2 && data[0] == 0xFE && data[1] == 0xFF:
		return utf16Text(data[2:], binary.BigEndian)
	case len(data) >= 2 && data[0] == 0 && data[1] != 0:
		return utf16Text(data, binary.BigEndian)
	case len(data) >= 2 && data[0] == 0xFF && data[1] == 0xFE:
		return utf16Text(data[2:], binary.LittleEndian)
	case len(data) >= 2 && data[0] != 0 && data[1] == 0:
		return utf16Text(data, binary.LittleEndian)
	}
	return string(data), nil
}

func (t *textScan) next() rune {
	if t.pos >= len(t.s) {
		t.width = 0
		return textEOF
	}
	r, w := utf8.DecodeRuneInString(t.s[t.pos:])
	t.width = w
	t.pos += w
	return r
}

func (t *textScan) backup() { t.pos -= t.width }

func (t *textScan) peek() rune {
	r := t.next()
	t.backup()
	return r
}

// skipSpace skips white space and comments.
func (t *textScan) skipSpace() error {
	for {
		for inClass(&textSpace, t.next()) {
		}
		t.backup()
		rest := t.s[t.pos:]
		switch {
		case strings.HasPrefix(rest, "//"):
			if i := strings.IndexAny(rest, "\n\r"); i >= 0 {
				t.pos += i
			} else {
				t.pos = len(t.s)
			}
		case strings.HasPrefix(rest, "/*"):
			// Searched from the /* itself, as howett.net/plist does.
			i := strings.Index(rest, "*/")
			if i < 0 {
				return t.errorf("a comment that does not end")
			}
			t.pos += i + 2
		default:
			return nil
		}
	}
}

// document reads one value (a dictionary without braces for a .strings
// file) and everything inside it, and reports whether it was a string.
func (t *textScan) document(stringsFile bool) (isString bool, err error) {
	const (
		stValue     = iota // a value is expected
		stAfter            // a value has ended
		stArrayItem        // in an array, before an item or the end
		stDictEntry        // in a dictionary, before an entry or the end
	)
	state := stValue
	if stringsFile {
		if err := t.push('s'); err != nil {
			return false, err
		}
		state = stDictEntry
	}
	for {
		switch state {
		case stValue:
			open, str, err := t.value()
			if err != nil {
				return false, err
			}
			if t.nodes++; t.nodes > t.maxNodes {
				return false, t.limitf(tooManyNodes(t.maxNodes / MaxNodesPerByte))
			}
			if len(t.stack) == 0 {
				isString = str
			}
			switch open {
			case '(':
				state = stArrayItem
			case '{':
				state = stDictEntry
			default:
				state = stAfter
				continue
			}
			if err := t.push(open); err != nil {
				return false, err
			}
		case stAfter:
			if len(t.stack) == 0 {
				return isString, nil
			}
			if t.stack[len(t.stack)-1] == '(' {
				state = stArrayItem
				continue
			}
			if err := t.skipSpace(); err != nil {
				return false, err
			}
			if t.next() != ';' {
				return false, t.errorf("a dictionary entry without its ;")
			}
			state = stDictEntry
		case stArrayItem:
			if err := t.skipSpace(); err != nil {
				return false, err
			}
			switch t.next() {
			case textEOF:
				return false, t.errorf("the text ends inside an array")
			case ')':
				t.stack = t.stack[:len(t.stack)-1]
				state = stAfter
			case ',':
			default:
				t.backup()
				state = stValue
			}
		case stDictEntry:
			if err := t.skipSpace(); err != nil {
				return false, err
			}
			switch t.next() {
			case textEOF:
				if t.stack[len(t.stack)-1] != 's' {
					return false, t.errorf("the text ends inside a dictionary")
				}
				fallthrough
			case '}':
				t.stack = t.stack[:len(t.stack)-1]
				state = stAfter
				continue
			case '"':
				if err := t.quoted(); err != nil {
					return false, err
				}
			default:
				t.backup()
				if err := t.unquoted(); err != nil {
					return false, err
				}
			}
			if err := t.skipSpace(); err != nil {
				return false, err
			}
			switch t.next() {
			case ';': // "key;" stands for "key = key;"
				if t.nodes++; t.nodes > t.maxNodes {
					return false, t.limitf(tooManyNodes(t.maxNodes / MaxNodesPerByte))
				}
			case '=':
				state = stValue
			default:
				return false, t.errorf("a dictionary key without = or ;")
			}
		}
	}
}

func (t *textScan) push(open byte) error {
	t.stack = append(t.stack, open)
	if len(t.stack) > t.maxDepth {
		return t.limitf(tooDeep(t.maxDepth))
	}
	return nil
}

// value reads a value up to its end, or the ( or { that opens one.
func (t *textScan) value() (open byte, isString bool, err error) {
	if err := t.skipSpace(); err != nil {
		return 0, false, err
	}
	switch t.next() {
	case textEOF:
		return 0, false, nil // an empty dictionary, to howett.net/plist
	case '<':
		switch t.next() {
		case '*':
			return 0, false, t.gnustepValue()
		case '[':
			return 0, false, t.gnustepBase64()
		default:
			t.backup()
			return 0, false, t.hexData()
		}
	case '"':
		return 0, true, t.quoted()
	case '{':
		return '{', false, nil
	case '(':
		return '(', false, nil
	default:
		t.backup()
		return 0, true, t.unquoted()
	}
}

// quoted reads a quoted string after its opening ".
func (t *textScan) quoted() error {
	for {
		i := strings.IndexAny(t.s[t.pos:], `"\`)
		if i < 0 {
			t.pos = len(t.s)
			return t.errorf("a quoted string that does not end")
		}
		t.pos += i + 1
		if t.s[t.pos-1] == '"' {
			return nil
		}
		// A backslash escapes the character after it; the digits of
		// \x, \u and octal escapes are neither " nor \.
		t.next()
	}
}

func (t *textScan) unquoted() error {
	start := t.pos
	for {
		r := t.next()
		if r == textEOF || inClass(&gsQuotable, r) {
			t.backup()
			break
		}
	}
	if t.pos == start {
		return t.errorf("a character that must be in a quoted string")
	}
	return nil
}

// gnustepValue reads <*I…>, <*R…>, <*B…> or <*D…> after the <*, and
// checks the value as howett.net/plist will read it (whose own errors would
// quote it).
func (t *textScan) gnustepValue() error {
	typ := t.next()
	switch typ {
	case 'I', 'R', 'B', 'D':
	default:
		return t.errorf("a GNUstep value of an unknown type")
	}
	if t.peek() == '"' {
		t.next()
	}
	i := strings.IndexByte(t.s[t.pos:], '>')
	if i < 0 {
		t.pos = len(t.s)
		return t.errorf("a GNUstep value that does not end")
	}
	if i == 0 {
		return t.errorf("an empty GNUstep value")
	}
	v := strings.TrimSuffix(t.s[t.pos:t.pos+i], `"`)
	var err error
	switch typ {
	case 'I':
		if strings.HasPrefix(v, "-") {
			_, err = strconv.ParseInt(v, 10, 64)
		} else {
			_, err = strconv.ParseUint(v, 10, 64)
		}
	case 'R':
		_, err = strconv.ParseFloat(v, 64)
	case 'B':
		if v == "" {
			err = strconv.ErrSyntax
		}
	case 'D':
		_, err = time.Parse("2006-01-02 15:04:05 -0700", v)
	}
	if err != nil {
		return t.errorf("a GNUstep value that does not parse as its type")
	}
	t.pos += i + 1
	return nil
}

// gnustepBase64 reads <[…]> after the <[.
func (t *textScan) gnustepBase64() error {
	i := strings.IndexByte(t.s[t.pos:], ']')
	if i < 0 || !strings.HasPrefix(t.s[t.pos+i:], "]>") {
		return t.errorf("malformed GNUstep base64 data")
	}
	t.pos += i + 2
	return nil
}

// hexData reads <hex digits> after the <.
func (t *textScan) hexData() error {
	for {
		switch r := t.next(); {
		case r == textEOF:
			return t.errorf("data that does not end")
		case r == '>':
			return nil
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029',
			'0' <= r && r <= '9', 'a' <= r && r <= 'f', 'A' <= r && r <= 'F':
		default:
			return t.errorf("data with a character that is not a hexadecimal digit")
		}
	}
}

// position returns the line and column (both from 1) of the scan.
func (t *textScan) position() (line, col int) {
	done := t.s[:t.pos]
	line = strings.Count(done, "\n") + 1
	col = t.pos - strings.LastIndexByte(done, '\n')
	return line, col
}

func (t *textScan) errorf(reason string) error {
	line, col := t.position()
	return &Error{Format: OpenStep, Line: line, Column: col, Offset: -1, Reason: reason}
}

func (t *textScan) limitf(reason string) error {
	line, col := t.position()
	return &Error{Format: OpenStep, Line: line, Column: col, Offset: -1, Reason: reason, limit: true}
}
