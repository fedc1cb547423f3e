package graphjson

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The JSON kinds.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

// String names the kind as an admin reads it in an error message.
func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "a boolean"
	case Number:
		return "a number"
	case String:
		return "a string"
	case Array:
		return "an array"
	case Object:
		return "an object"
	}
	return "an unknown value"
}

// Value is one parsed JSON value. Objects keep their members in input order,
// so that diagnostics come out in the order the admin wrote them. The layout
// is kept small (48 bytes): an export becomes a few hundred of these.
type Value struct {
	Kind Kind
	// Bool is the value of a boolean.
	Bool bool
	// nameIndex is, for the value of an object member, the index of the
	// member's name among the model's names (see knownNames), or -1; it
	// lets the decoder find the field without hashing the name.
	nameIndex int16
	// Offset is the byte offset of the value in the input.
	Offset int32
	// Text is the string value, or the literal text of a number.
	Text string
	// kids are the members of an object, or the elements of an array (with
	// empty names).
	kids []Member
}

// Member is one name/value pair of a JSON object.
type Member struct {
	Name  string
	Value Value
}

// Members returns the members of an object, in input order.
func (v *Value) Members() []Member {
	if v.Kind != Object {
		return nil
	}
	return v.kids
}

// Len returns the number of elements of an array.
func (v *Value) Len() int {
	if v.Kind != Array {
		return 0
	}
	return len(v.kids)
}

// Elem returns the i-th element of an array.
func (v *Value) Elem(i int) *Value { return &v.kids[i].Value }

// Get returns the member called name, if the value is an object that has it.
func (v *Value) Get(name string) (*Value, bool) {
	if v.Kind != Object {
		return nil, false
	}
	for i := range v.kids {
		if v.kids[i].Name == name {
			return &v.kids[i].Value, true
		}
	}
	return nil, false
}

// Limits bounds what the parser accepts, so that hostile input fails fast
// instead of exhausting memory or the stack.
type Limits struct {
	// MaxDepth is the deepest nesting of arrays and objects accepted.
	MaxDepth int
	// MaxArrayLen is the longest array accepted; the Graph model's longest
	// legitimate collection holds 500 elements.
	MaxArrayLen int
}

// DefaultLimits are generous for any real Graph export: the deepest Graph
// IKEv2 entity nests 5 levels, a list response 7, and no collection in the
// model may hold more than 500 elements.
var DefaultLimits = Limits{MaxDepth: 64, MaxArrayLen: 100_000}

// SyntaxError reports malformed JSON with a line and column.
type SyntaxError struct {
	Line, Column int
	Offset       int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// DuplicateKeyError reports an object that names the same member twice;
// encoding/json would silently keep the last one, which makes the input
// ambiguous, so we refuse it.
type DuplicateKeyError struct {
	Path string
	Name string
	Line int
}

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("%s: the property %q appears twice in one object (second at line %d); remove one of them, the input is ambiguous", e.Path, e.Name, e.Line)
}

// Parse parses one JSON document into a Value tree. It rejects invalid
// UTF-8, duplicate object members, trailing data and input nested deeper than
// the limits allow, reporting the position of the first problem.
func Parse(data []byte, lim Limits) (Value, error) {
	// Strings and numbers are substrings of one copy of the input instead
	// of a copy each: an export is a few kilobytes, and this halves the
	// parser's allocations.
	p := parser{data: data, src: string(data), lim: lim, slabSize: slabFor(len(data)), known: knownNames()}
	// Sized for the widest object of an indented export (the entity's
	// own hundred-odd members), so that it is not regrown on the way; a
	// large input does not get more up front, since its size says nothing
	// about how wide its objects are.
	p.pending = make([]Member, 0, min(16+len(data)/64, 256))
	// A UTF-8 byte order mark is common in files saved by Windows tools. It
	// is only a mark at the very start; anywhere else it is not JSON.
	if strings.HasPrefix(string(data[:min(len(data), 3)]), "\uFEFF") {
		p.pos = 3
	}
	p.skipSpace()
	if p.pos >= len(data) {
		return Value{}, p.errorf("the input is empty; expected a JSON object exported from Microsoft Graph")
	}
	v, err := p.value(0)
	if err != nil {
		return Value{}, err
	}
	p.skipSpace()
	if p.pos < len(data) {
		return Value{}, p.errorf("unexpected %s after the end of the JSON value", p.describeHere())
	}
	return v, nil
}

type parser struct {
	data []byte
	src  string // data as a string, for substrings
	// known are the names of the model, shared instead of copied.
	known *nameTable
	pos   int
	lim   Limits
	// stack holds the path to the value being parsed; the path string is
	// built only for an error message.
	stack []step
	// The members of the objects and arrays being parsed pile up on
	// pending; when one is complete, its members move to a slice carved
	// from slab, which is allocated a few times per document instead of
	// once (and regrown) per object.
	pending  []Member
	slab     []Member
	slabSize int
}

// slabFor guesses how many members n bytes of JSON hold: an indented Graph
// export spends about 40 bytes on each (compact JSON fewer, and then a
// second slab is needed). A slab holds at most 4,096 members (256 KiB), so
// that a large input of few members, such as one huge string, does not get
// a large slab for nothing.
func slabFor(n int) int { return min(16+n/40, 4096) }

// keep moves the members pending from mark on into their final slice.
func (p *parser) keep(mark int) []Member {
	n := len(p.pending) - mark
	if n == 0 {
		return nil
	}
	if len(p.slab) < n {
		if n >= p.slabSize/4 {
			// A large object gets a slice of its own, so that the rest
			// of the current slab is not thrown away.
			out := make([]Member, n)
			copy(out, p.pending[mark:])
			p.pending = p.pending[:mark]
			return out
		}
		p.slab = make([]Member, p.slabSize)
		p.slabSize = slabFor(len(p.data) - p.pos)
	}
	out := p.slab[:n:n]
	p.slab = p.slab[n:]
	copy(out, p.pending[mark:])
	p.pending = p.pending[:mark]
	return out
}

// step is one step of the path to the value being parsed: an object
// member, by the offset of its name in the input, or an array element.
// Steps hold no pointers, so pushing them costs no GC write barrier; the
// names are read again from the input only for an error message.
type step struct {
	keyOff int32 // offset of the member name's opening quote
	index  int32 // -1 for a member
}

func (p *parser) path() string {
	out := "$"
	for _, s := range p.stack {
		if s.index >= 0 {
			out = JoinIndex(out, int(s.index))
		} else {
			out = JoinName(out, p.keyAt(int(s.keyOff)))
		}
	}
	return out
}

// keyAt reads again the member name whose opening quote is at off.
func (p *parser) keyAt(off int) string {
	q := parser{data: p.data, src: p.src, pos: off}
	name, err := q.str()
	if err != nil {
		return "?"
	}
	return name
}

func (p *parser) errorf(format string, args ...any) error {
	line, col := p.lineCol(p.pos)
	return &SyntaxError{Line: line, Column: col, Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) lineCol(off int) (line, col int) {
	line, col = 1, 1
	for i := 0; i < off && i < len(p.data); i++ {
		if p.data[i] == '\n' {
			line++
			col = 1
		} else if p.data[i]&0xC0 != 0x80 {
			col++
		}
	}
	return line, col
}

func (p *parser) describeHere() string {
	if p.pos >= len(p.data) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(p.data[p.pos:])
	if r == '<' {
		return "'<' (this looks like HTML or XML, not JSON: was a web page saved instead of the Graph response?)"
	}
	if r < 0x20 || r == utf8.RuneError {
		return fmt.Sprintf("byte 0x%02x", p.data[p.pos])
	}
	return fmt.Sprintf("character %q", r)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (Value, error) {
	if p.pos >= len(p.data) {
		return Value{}, p.errorf("unexpected end of input (the file is truncated)")
	}
	start := p.pos
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, err := p.str()
		return Value{Kind: String, Text: s, Offset: int32(start), nameIndex: -1}, err
	case c == 't':
		return Value{Kind: Bool, Bool: true, Offset: int32(start), nameIndex: -1}, p.literal("true")
	case c == 'f':
		return Value{Kind: Bool, Offset: int32(start), nameIndex: -1}, p.literal("false")
	case c == 'n':
		return Value{Kind: Null, Offset: int32(start), nameIndex: -1}, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		s, err := p.number()
		return Value{Kind: Number, Text: s, Offset: int32(start), nameIndex: -1}, err
	default:
		return Value{}, p.errorf("unexpected %s; expected a JSON value", p.describeHere())
	}
}

func (p *parser) literal(word string) error {
	if !strings.HasPrefix(string(p.data[p.pos:min(len(p.data), p.pos+len(word))]), word) {
		return p.errorf("unexpected %s; expected a JSON value", p.describeHere())
	}
	p.pos += len(word)
	return nil
}

func (p *parser) object(depth int) (Value, error) {
	if depth > p.lim.MaxDepth {
		return Value{}, p.errorf("the JSON is nested more than %d levels deep; no Graph export is", p.lim.MaxDepth)
	}
	v := Value{Kind: Object, Offset: int32(p.pos), nameIndex: -1}
	mark := len(p.pending)
	var seen map[string]struct{}
	var knownSeen [knownWords]uint64
	p.pos++ // '{'
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return v, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) {
			return Value{}, p.errorf("unexpected end of input inside an object (the file is truncated)")
		}
		if p.data[p.pos] != '"' {
			return Value{}, p.errorf("unexpected %s; expected a property name in double quotes", p.describeHere())
		}
		keyOff := p.pos
		name, known, err := p.key()
		if err != nil {
			return Value{}, err
		}
		if p.seen(p.pending[mark:], &seen, &knownSeen, name, known) {
			line, _ := p.lineCol(keyOff)
			return Value{}, &DuplicateKeyError{Path: p.path(), Name: name, Line: line}
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return Value{}, p.errorf("unexpected %s; expected ':' after the property name %q", p.describeHere(), name)
		}
		p.pos++
		p.skipSpace()
		p.stack = append(p.stack, step{keyOff: int32(keyOff), index: -1})
		child, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		p.stack = p.stack[:len(p.stack)-1]
		child.nameIndex = int16(known)
		p.pending = append(p.pending, Member{Name: name, Value: child})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return Value{}, p.errorf("unexpected end of input inside an object (the file is truncated)")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			v.kids = p.keep(mark)
			return v, nil
		default:
			return Value{}, p.errorf("unexpected %s; expected ',' or '}' in an object", p.describeHere())
		}
	}
}

// seen reports whether obj already has a member called name. A name of the
// Graph model (known >= 0) is checked in a bit set; other names are compared
// with the other names, through a set once an object has many.
func (p *parser) seen(kids []Member, set *map[string]struct{}, known *[knownWords]uint64, name string, k int) bool {
	if k >= 0 {
		w, bit := k/64, uint64(1)<<(k%64)
		if known[w]&bit != 0 {
			return true
		}
		known[w] |= bit
		return false
	}
	const scanLimit = 32
	if len(kids) < scanLimit {
		for _, m := range kids {
			if m.Name == name {
				return true
			}
		}
		return false
	}
	if *set == nil {
		*set = make(map[string]struct{}, 2*len(kids))
		for _, m := range kids {
			(*set)[m.Name] = struct{}{}
		}
	}
	if _, dup := (*set)[name]; dup {
		return true
	}
	(*set)[name] = struct{}{}
	return false
}

func (p *parser) array(depth int) (Value, error) {
	if depth > p.lim.MaxDepth {
		return Value{}, p.errorf("the JSON is nested more than %d levels deep; no Graph export is", p.lim.MaxDepth)
	}
	v := Value{Kind: Array, Offset: int32(p.pos), nameIndex: -1}
	mark := len(p.pending)
	p.pos++ // '['
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return v, nil
	}
	for {
		if len(p.pending)-mark >= p.lim.MaxArrayLen {
			return Value{}, p.errorf("%s has more than %d elements; no Graph collection may be that long", p.path(), p.lim.MaxArrayLen)
		}
		p.skipSpace()
		p.stack = append(p.stack, step{index: int32(len(p.pending) - mark)})
		child, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		p.stack = p.stack[:len(p.stack)-1]
		p.pending = append(p.pending, Member{Value: child})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return Value{}, p.errorf("unexpected end of input inside an array (the file is truncated)")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			v.kids = p.keep(mark)
			return v, nil
		default:
			return Value{}, p.errorf("unexpected %s; expected ',' or ']' in an array", p.describeHere())
		}
	}
}

func (p *parser) number() (string, error) {
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	intStart := p.pos
	if digits() == 0 {
		return "", p.errorf("invalid number: expected a digit")
	}
	if p.data[intStart] == '0' && p.pos-intStart > 1 {
		p.pos = intStart + 1
		return "", p.errorf("invalid number: leading zeros are not allowed in JSON")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return "", p.errorf("invalid number: expected a digit after '.'")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return "", p.errorf("invalid number: expected a digit in the exponent")
		}
	}
	return p.src[start:p.pos], nil
}

// key parses an object member name. Names of the Graph model are returned
// as shared strings instead of fresh copies, with their index among the
// known names: an export repeats the same few dozen names, and this saves
// most of the parser's allocations and all hashing of names in the decoder.
func (p *parser) key() (string, int, error) {
	start := p.pos + 1
	h := uint32(fnvOffset)
	for i := start; i < len(p.data) && i-start < 64; i++ {
		c := p.data[i]
		if c == '"' {
			if k, ok := p.known.lookup(p.src[start:i], h); ok {
				p.pos = i + 1
				return p.known.names[k], k, nil
			}
			break
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		h = (h ^ uint32(c)) * fnvPrime
	}
	s, err := p.str()
	return s, -1, err
}

// str parses a JSON string starting at the opening quote. It keeps the fast
// path (no escapes) allocation-light, and checks UTF-8 as it goes.
func (p *parser) str() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if !strSpecial[c] {
			p.pos++
			continue
		}
		switch {
		case c == '"':
			s := p.src[start:p.pos]
			p.pos++
			return s, nil
		case c == '\\':
			return p.strSlow(start)
		case c < 0x20:
			return "", p.errorf("a raw control character (byte 0x%02x) inside a string must be escaped", c)
		case c < utf8.RuneSelf:
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errorf("invalid UTF-8 (byte 0x%02x); save the export as UTF-8", c)
			}
			p.pos += size
		}
	}
	return "", p.errorf("unexpected end of input inside a string (the file is truncated)")
}

// strSpecial marks the bytes that end the plain run of a string: the
// closing quote, a backslash, control characters and the bytes of
// non-ASCII characters (whose UTF-8 must be checked).
var strSpecial = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf
	}
	return t
}()

func (p *parser) strSlow(start int) (string, error) {
	var b strings.Builder
	b.Write(p.data[start:p.pos])
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\':
			p.pos++
			if p.pos >= len(p.data) {
				return "", p.errorf("unexpected end of input inside a string (the file is truncated)")
			}
			e := p.data[p.pos]
			p.pos++
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					// A surrogate pair spells one code point; a lone
					// surrogate is not a character and cannot be stored.
					if p.pos+6 <= len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
						p.pos += 2
						r2, err := p.hex4()
						if err != nil {
							return "", err
						}
						r = utf16.DecodeRune(r, r2)
					} else {
						r = utf8.RuneError
					}
					if r == utf8.RuneError {
						return "", p.errorf("invalid \\u escape: an unpaired UTF-16 surrogate is not a character")
					}
				}
				b.WriteRune(r)
			default:
				p.pos -= 2
				return "", p.errorf("invalid escape sequence '\\%c' in a string", e)
			}
		case c < 0x20:
			return "", p.errorf("a raw control character (byte 0x%02x) inside a string must be escaped", c)
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errorf("invalid UTF-8 (byte 0x%02x); save the export as UTF-8", c)
			}
			b.Write(p.data[p.pos : p.pos+size])
			p.pos += size
		}
	}
	return "", p.errorf("unexpected end of input inside a string (the file is truncated)")
}

func (p *parser) hex4() (rune, error) {
	if p.pos+4 > len(p.data) {
		return 0, p.errorf("unexpected end of input in a \\u escape")
	}
	n, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, p.errorf("invalid \\u escape %q: expected four hexadecimal digits", p.data[p.pos:p.pos+4])
	}
	p.pos += 4
	return rune(n), nil
}

// JoinName appends an object member to a JSON path: "$.server" + "address"
// gives "$.server.address"; names that are not plain identifiers are
// bracketed ("$['@odata.type']") so the path stays unambiguous.
func JoinName(path, name string) string {
	if isIdent(name) {
		return path + "." + name
	}
	return path + "[" + strconv.Quote(name) + "]"
}

// JoinIndex appends an array index to a JSON path: "$.onDemandRules[1]".
func JoinIndex(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
