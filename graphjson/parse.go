package graphjson

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
)

// Limits bounds what the parser accepts, so that hostile input fails fast
// instead of exhausting memory or the stack. A zero field takes its value
// from DefaultLimits.
type Limits struct {
	// MaxDepth is the deepest nesting of arrays and objects accepted.
	MaxDepth int
	// MaxArrayLen is the longest array accepted; the Graph model's longest
	// legitimate collection holds 500 elements.
	MaxArrayLen int
	// MaxMembers is the most members one object may have; the widest
	// Graph device configuration has about 400 properties, twice that with
	// the annotations of a full-metadata export.
	MaxMembers int
	// MaxValues is the most JSON values (of any kind) one document may
	// hold, so that the parsed tree of any input stays a bounded size.
	MaxValues int
}

// DefaultLimits are generous for any real Graph export: the deepest Graph
// IKEv2 entity nests 5 levels, a list response 7; no collection in the
// model may hold more than 500 elements; no Graph object has 2,000 members;
// and a 16 MiB export of real configurations holds well under a million
// values (about 64 MiB once parsed).
var DefaultLimits = Limits{MaxDepth: 64, MaxArrayLen: 100_000, MaxMembers: 2_000, MaxValues: 1_000_000}

func (l Limits) withDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxArrayLen <= 0 {
		l.MaxArrayLen = DefaultLimits.MaxArrayLen
	}
	if l.MaxMembers <= 0 {
		l.MaxMembers = DefaultLimits.MaxMembers
	}
	if l.MaxValues <= 0 {
		l.MaxValues = DefaultLimits.MaxValues
	}
	return l
}

// SyntaxError reports malformed JSON, or JSON beyond the limits, with a line
// and column.
type SyntaxError struct {
	Line, Column int
	Offset       int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// DuplicateKeyError reports an object that names the same member twice,
// compared after unescaping ("\u0061ddress" is "address"); encoding/json
// would silently keep the last one, which makes the input ambiguous, so we
// refuse it.
type DuplicateKeyError struct {
	Path string
	Name string
	Line int
}

func (e *DuplicateKeyError) Error() string {
	return fmt.Sprintf("%s: the property %q appears twice in one object (second at line %d); remove one of them, the input is ambiguous", e.Path, e.Name, e.Line)
}

// EncodingError reports an input that is not text in an encoding we read:
// UTF-32, or UTF-16 that does not decode.
type EncodingError struct {
	Msg string
}

func (e *EncodingError) Error() string { return e.Msg }

// Parse parses one JSON document into a Value tree. It reads UTF-8 (with or
// without a byte order mark) and UTF-16 (as Windows PowerShell writes it),
// and rejects invalid UTF-8, duplicate object members (after unescaping),
// trailing data and input beyond the limits, reporting the position of the
// first problem. The syntax is checked by jsontext, the JSON text package
// of Go's encoding/json/v2; the limits are ours.
func Parse(data []byte, lim Limits) (Value, error) {
	v, _, err := parse(data, lim, false)
	return v, err
}

// parse is Parse that also says which encoding the input was in. When
// owned, data belongs to the parser and is never written again, so that
// the tree's strings point into it rather than into a copy.
func parse(data []byte, lim Limits, owned bool) (Value, string, error) {
	text, enc, err := toUTF8(data)
	if err != nil {
		return Value{}, enc.name, err
	}
	b := builder{
		data:  text,
		lim:   lim.withDefaults(),
		known: knownNames(),
		bom:   enc.bom,
	}
	b.acquire(text, nil)
	defer b.release()
	if owned || enc.transcoded {
		b.src = unsafe.String(unsafe.SliceData(text), len(text))
	} else {
		b.src = string(text)
	}
	b.slabSize = slabFor(len(text))
	if len(bytes.Trim(text, " \t\r\n")) == 0 {
		return Value{}, enc.name, b.errorAt(len(text), "the input is empty; expected a JSON object exported from Microsoft Graph")
	}
	v, err := b.value(0, hintValue)
	if err != nil {
		return Value{}, enc.name, err
	}
	// jsontext reads a stream of values; a document is one.
	end := int(b.dec.InputOffset())
	if _, err := b.dec.ReadToken(); err != io.EOF {
		if err != nil {
			return Value{}, enc.name, b.translate(err, hintEnd)
		}
		for end < len(text) && isSpace(text[end]) {
			end++
		}
		return Value{}, enc.name, b.errorAt(end, fmt.Sprintf("unexpected %s after the end of the JSON value", b.describe(end)))
	}
	return v, enc.name, nil
}

// parseOwned parses one JSON value of a document, already checked (see
// stream.go), from text that belongs to the parser; base is the value's
// offset in the document, for Value.Offset.
func parseOwned(text []byte, base int, lim Limits) (Value, error) {
	b := builder{
		data:  text,
		src:   unsafe.String(unsafe.SliceData(text), len(text)),
		lim:   lim.withDefaults(),
		known: knownNames(),
		base:  base,
	}
	b.acquire(text, nil)
	defer b.release()
	b.slabSize = slabFor(len(text))
	v, err := b.value(0, hintValue)
	if err != nil {
		return Value{}, err
	}
	if _, err := b.dec.ReadToken(); err != io.EOF {
		return Value{}, b.errorAt(int(b.dec.InputOffset()), "unexpected data after the JSON value")
	}
	return v, nil
}

// scratchPool recycles what a parse needs only while it runs: the stack of
// pending members and the jsontext decoder (its state and its stack of
// names). Allocated once per goroutine that parses rather than once per
// document, they were the largest allocations of a parse after the tree
// itself.
var scratchPool = sync.Pool{New: func() any {
	s := &scratch{pending: make([]Member, 0, 64)}
	s.dec = jsontext.NewDecoder(&s.empty)
	return s
}}

type scratch struct {
	pending []Member
	dec     *jsontext.Decoder
	in      bytes.Buffer // the text being parsed
	empty   bytes.Buffer // what dec reads between parses
}

// maxPooled is the largest stack kept for reuse (256 KiB).
const maxPooled = 4096

// acquire takes scratch for a parse; the decoder reads r, or text when r
// is nil.
func (b *builder) acquire(text []byte, r io.Reader) {
	b.scratch = scratchPool.Get().(*scratch)
	b.pending = b.scratch.pending[:0]
	if r == nil {
		b.scratch.in = *bytes.NewBuffer(text)
		r = &b.scratch.in
	}
	b.dec = b.scratch.dec
	// Duplicate names are found by duplicate, on the unescaped names:
	// jsontext's own check costs an allocation per object member.
	b.dec.Reset(r, jsontext.AllowDuplicateNames(true))
}

// release returns the scratch to the pool, holding nothing of this parse.
func (b *builder) release() {
	s := b.scratch
	s.dec.Reset(&s.empty)
	s.in = bytes.Buffer{}
	if cap(b.pending) > maxPooled {
		s.pending = make([]Member, 0, 64)
	} else {
		clear(b.pending[:cap(b.pending)])
		s.pending = b.pending[:0]
	}
	b.scratch, b.dec, b.pending = nil, nil, nil
	scratchPool.Put(s)
}

// builder turns jsontext's tokens into a Value tree.
type builder struct {
	dec  *jsontext.Decoder
	data []byte
	// src is data as a string: strings without escapes and numbers are
	// substrings of it instead of a copy each.
	src   string
	lim   Limits
	known *nameTable
	bom   int // bytes of a UTF-8 byte order mark before data, for columns
	// values counts the values parsed, against lim.MaxValues.
	values int
	// The members of the objects and arrays being parsed pile up on
	// pending; when one is complete, they move to their final slice.
	pending  []Member
	scratch  *scratch
	slab     []Member
	slabSize int
	// stack is the path to the value being parsed; the path string is
	// built only for an error message.
	stack []step
	// base is the offset of data in the document (parseOwned).
	base int

	// For the first pass over a list read as a stream (stream.go): data
	// and src are empty, an error of any kind is errStream (the document
	// is then parsed whole, which says what the error is), no tree is
	// kept below the root's members, and the entities of the list are
	// counted and looked at.
	stream bool
	list   listFacts
}

type step struct {
	name  string // the member's name, or "" with index >= 0 for an element
	index int32  // the element's index in its array, or -1 for a member
}

// hint says what the parser expected where an error occurred, for the
// wording of the message.
type hint uint8

const (
	hintValue hint = iota // a JSON value
	hintName              // a property name
	hintEnd               // nothing: the end of the input
)

func (b *builder) path() string {
	out := "$"
	for _, s := range b.stack {
		if s.index >= 0 {
			out = JoinIndex(out, int(s.index))
		} else {
			out = JoinName(out, s.name)
		}
	}
	return out
}

func (b *builder) count() error {
	b.values++
	if b.values > b.lim.MaxValues {
		return b.errorAt(int(b.dec.InputOffset()), fmt.Sprintf("the JSON holds more than %d values; no Graph export does", b.lim.MaxValues))
	}
	return nil
}

func (b *builder) value(depth int, h hint) (Value, error) {
	switch k := b.dec.PeekKind(); k {
	case '{':
		return b.object(depth + 1)
	case '[':
		return b.array(depth + 1)
	case 'n', 't', 'f', '"', '0':
		raw, err := b.dec.ReadValue()
		if err != nil {
			return Value{}, b.translate(err, h)
		}
		if err := b.count(); err != nil {
			return Value{}, err
		}
		end := int(b.dec.InputOffset())
		start := end - len(raw)
		v := Value{Offset: int32(b.base + start), nameIndex: -1}
		switch k {
		case 'n':
			v.Kind = Null
		case 't':
			v.Kind, v.Bool = Bool, true
		case 'f':
			v.Kind = Bool
		case '"':
			v.Kind = String
			if !b.stream || depth <= 1 {
				v.Text = b.text(raw, start, end)
			}
		default:
			v.Kind = Number
			if !b.stream {
				v.Text = b.src[start:end]
			}
		}
		return v, nil
	default:
		_, err := b.dec.ReadToken()
		return Value{}, b.translate(err, h)
	}
}

// text returns the unescaped content of the JSON string raw, found at
// data[start:end].
func (b *builder) text(raw []byte, start, end int) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		if b.stream {
			return string(raw[1 : len(raw)-1])
		}
		return b.src[start+1 : end-1]
	}
	s, _ := jsontext.AppendUnquote(nil, raw) // valid: jsontext has checked it
	return string(s)
}

func (b *builder) begin(depth int) (int, error) {
	if _, err := b.dec.ReadToken(); err != nil {
		return 0, b.translate(err, hintValue)
	}
	start := int(b.dec.InputOffset()) - 1
	if depth > b.lim.MaxDepth {
		return 0, b.errorAt(start, fmt.Sprintf("the JSON is nested more than %d levels deep; no Graph export is", b.lim.MaxDepth))
	}
	return start, b.count()
}

func (b *builder) object(depth int) (Value, error) {
	start, err := b.begin(depth)
	if err != nil {
		return Value{}, err
	}
	v := Value{Kind: Object, Offset: int32(b.base + start), nameIndex: -1}
	mark := len(b.pending)
	entity := b.stream && depth == b.list.depth+1 && b.list.inside
	var known [maxKnownNames / 64]uint64
	var names map[string]struct{}
	for n := 0; ; n++ {
		if b.dec.PeekKind() == '}' {
			break
		}
		raw, err := b.dec.ReadValue()
		if err != nil {
			return Value{}, b.translate(err, hintName)
		}
		if n >= b.lim.MaxMembers {
			return Value{}, b.errorAt(int(b.dec.InputOffset())-len(raw), fmt.Sprintf("%s has more than %d members; no Graph object has that many", b.path(), b.lim.MaxMembers))
		}
		name, k := b.name(raw)
		if b.duplicate(mark, &known, &names, name, k) {
			if b.stream {
				return Value{}, errStream
			}
			line, _ := lineCol(b.data, int(b.dec.InputOffset())-len(raw))
			return Value{}, &DuplicateKeyError{Path: b.path(), Name: name, Line: line}
		}
		if b.stream && depth == 1 && name != "value" {
			// A Graph list response has only annotations besides its
			// "value": a root object with another object or array is an
			// entity, read whole, and the first pass need not go on.
			if k := b.dec.PeekKind(); k == '{' || k == '[' {
				return Value{}, errStream
			}
		}
		b.stack = append(b.stack, step{name: name, index: -1})
		child, err := b.value(depth, hintValue)
		if err != nil {
			return Value{}, err
		}
		b.stack = b.stack[:len(b.stack)-1]
		child.nameIndex = int16(k)
		if entity {
			b.list.look(name, child.Kind)
		}
		b.pending = append(b.pending, Member{Name: name, Value: child})
	}
	if _, err := b.dec.ReadToken(); err != nil {
		return Value{}, b.translate(err, hintName)
	}
	v.kids = b.keep(mark, depth)
	return v, nil
}

// name returns an object member's name, unescaped, and its index among the
// model's names (-1 if it is not one). Names of the model are shared
// strings: an export repeats the same few dozen names.
func (b *builder) name(raw []byte) (string, int) {
	end := int(b.dec.InputOffset())
	start := end - len(raw)
	// A model name has no escapes: found as it is, it is one.
	if k, ok := b.known.index[string(raw[1:len(raw)-1])]; ok {
		return b.known.names[k], k
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		if b.stream {
			return string(raw[1 : len(raw)-1]), -1
		}
		return b.src[start+1 : end-1], -1
	}
	name := b.text(raw, start, end)
	if k, ok := b.known.index[name]; ok {
		return b.known.names[k], k
	}
	return name, -1
}

func (b *builder) array(depth int) (Value, error) {
	start, err := b.begin(depth)
	if err != nil {
		return Value{}, err
	}
	v := Value{Kind: Array, Offset: int32(b.base + start), nameIndex: -1}
	mark := len(b.pending)
	entities := b.stream && b.isEntityList(depth)
	if entities {
		b.list.found, b.list.depth = true, depth
	}
	for i := 0; ; i++ {
		if b.dec.PeekKind() == ']' {
			break
		}
		if i >= b.lim.MaxArrayLen {
			return Value{}, b.errorAt(int(b.dec.InputOffset()), fmt.Sprintf("%s has more than %d elements; no Graph collection may be that long", b.path(), b.lim.MaxArrayLen))
		}
		b.stack = append(b.stack, step{index: int32(i)})
		if entities {
			b.list.inside, b.list.entity = true, entityFacts{}
		}
		child, err := b.value(depth, hintValue)
		if err != nil {
			return Value{}, err
		}
		if entities {
			b.list.inside = false
			b.list.add(child.Kind)
		}
		b.stack = b.stack[:len(b.stack)-1]
		b.pending = append(b.pending, Member{Value: child})
	}
	if _, err := b.dec.ReadToken(); err != nil {
		return Value{}, b.translate(err, hintValue)
	}
	v.kids = b.keep(mark, depth)
	return v, nil
}

// slabFor guesses how many members n bytes of JSON hold: an indented Graph
// export spends about 40 bytes on each. A slab holds at most 4,096 members
// (256 KiB), so that a large input of few members does not get a large slab
// for nothing.
func slabFor(n int) int { return min(16+n/40, 4096) }

// keep moves the members pending from mark on into their final slice,
// carved from a slab allocated a few times per document instead of once
// per object.
func (b *builder) keep(mark, depth int) []Member {
	n := len(b.pending) - mark
	if n == 0 {
		return nil
	}
	if b.stream && depth > 1 {
		// The first pass over a stream keeps the root's members only.
		b.pending = b.pending[:mark]
		return nil
	}
	var out []Member
	switch {
	case len(b.slab) >= n:
		out, b.slab = b.slab[:n:n], b.slab[n:]
	case n >= b.slabSize/4 || b.stream:
		out = make([]Member, n) // a large object gets a slice of its own
	default:
		b.slab = make([]Member, b.slabSize)
		// The next slab, if one is needed, is sized for what is left of
		// the input.
		b.slabSize = slabFor(len(b.data) - int(b.dec.InputOffset()))
		out, b.slab = b.slab[:n:n], b.slab[n:]
	}
	copy(out, b.pending[mark:])
	b.pending = b.pending[:mark]
	return out
}

// duplicate reports whether the object whose members start at mark in
// pending already has a member called name (unescaped). Names of the model
// (k >= 0) are checked in a bit set; other names against the other names,
// through a set once the object has many.
func (b *builder) duplicate(mark int, known *[maxKnownNames / 64]uint64, set *map[string]struct{}, name string, k int) bool {
	if k >= 0 {
		w, bit := k/64, uint64(1)<<(k%64)
		dup := known[w]&bit != 0
		known[w] |= bit
		return dup
	}
	const scanLimit = 32
	kids := b.pending[mark:]
	if *set == nil && len(kids) < scanLimit {
		for i := range kids {
			if kids[i].Name == name {
				return true
			}
		}
		return false
	}
	if *set == nil {
		*set = make(map[string]struct{}, 2*len(kids))
		for i := range kids {
			(*set)[kids[i].Name] = struct{}{}
		}
	}
	if _, dup := (*set)[name]; dup {
		return true
	}
	(*set)[name] = struct{}{}
	return false
}

func (b *builder) errorAt(off int, msg string) error {
	if b.stream {
		return errStream
	}
	line, col := lineCol(b.data, off)
	if line == 1 && b.bom > 0 {
		col++ // the byte order mark is the first character of the file
	}
	return &SyntaxError{Line: line, Column: col, Offset: off + b.bom, Msg: msg}
}

// translate turns an error of jsontext into one of ours: the same wording
// and position as every other message of this tool, and the JSON path of
// the problem.
func (b *builder) translate(err error, h hint) error {
	if b.stream {
		if err == io.EOF && h == hintEnd {
			return nil
		}
		return errStream
	}
	if err == io.EOF {
		if h == hintEnd {
			return nil
		}
		return b.truncated(len(b.data))
	}
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		return b.errorAt(int(b.dec.InputOffset()), strings.TrimPrefix(err.Error(), "jsontext: "))
	}
	off := min(int(se.ByteOffset), len(b.data))
	why := ""
	if se.Err != nil {
		why = se.Err.Error()
	}
	switch {
	case se.Err == jsontext.ErrDuplicateName:
		line, _ := lineCol(b.data, off)
		return &DuplicateKeyError{Path: b.path(), Name: se.JSONPointer.LastToken(), Line: line}
	case se.Err == io.ErrUnexpectedEOF:
		return b.truncated(off)
	case why == "invalid UTF-8":
		return b.errorAt(off, fmt.Sprintf("invalid UTF-8 (byte 0x%02x); save the export as UTF-8", b.byteAt(off)))
	case strings.Contains(why, "in string (expecting non-control character)"):
		return b.errorAt(off, fmt.Sprintf("a raw control character (byte 0x%02x) inside a string must be escaped", b.byteAt(off)))
	case strings.Contains(why, "surrogate"):
		return b.errorAt(off, "invalid \\u escape: an unpaired UTF-16 surrogate is not a character")
	case strings.Contains(why, "invalid escape sequence"):
		if strings.HasPrefix(b.src[off:], `\u`) {
			return b.errorAt(off, fmt.Sprintf("invalid \\u escape %q: expected four hexadecimal digits", b.src[off:min(off+6, len(b.src))]))
		}
		return b.errorAt(off, fmt.Sprintf("invalid escape sequence '\\%c' in a string", b.byteAt(off+1)))
	case strings.Contains(why, "in number"):
		return b.errorAt(off, fmt.Sprintf("invalid number: unexpected %s; expected a digit", b.describe(off)))
	case strings.Contains(why, "in literal"):
		for off > 0 && isLetter(b.data[off-1]) {
			off--
		}
		return b.errorAt(off, fmt.Sprintf("unexpected %s; expected a JSON value", b.describe(off)))
	case strings.Contains(why, "after object name"):
		return b.errorAt(off, fmt.Sprintf("unexpected %s; expected ':' after the property name %q", b.describe(off), se.JSONPointer.LastToken()))
	case strings.Contains(why, "expecting ',' or '}'"), strings.Contains(why, "expecting ',' or ']'"):
		if b.leadingZero(off) {
			return b.errorAt(off, "invalid number: leading zeros are not allowed in JSON")
		}
		if strings.Contains(why, "expecting ',' or '}'") {
			return b.errorAt(off, fmt.Sprintf("unexpected %s; expected ',' or '}' in an object", b.describe(off)))
		}
		return b.errorAt(off, fmt.Sprintf("unexpected %s; expected ',' or ']' in an array", b.describe(off)))
	}
	// "at start of value", "missing value", "after top-level value": what
	// was expected here is ours to say.
	if b.byteAt(off) == ',' {
		// A comma followed by a closing bracket: a trailing comma.
		next := off + 1
		for next < len(b.data) && isSpace(b.data[next]) {
			next++
		}
		if next < len(b.data) && (b.data[next] == '}' || b.data[next] == ']') {
			what := "a JSON value"
			if h == hintName {
				what = "a property name in double quotes"
			}
			return b.errorAt(next, fmt.Sprintf("unexpected %s after ','; expected %s (JSON allows no trailing comma)", b.describe(next), what))
		}
	}
	switch {
	case h == hintEnd || strings.Contains(why, "after top-level value"):
		return b.errorAt(off, fmt.Sprintf("unexpected %s after the end of the JSON value", b.describe(off)))
	case h == hintName && !strings.Contains(why, "missing value"):
		return b.errorAt(off, fmt.Sprintf("unexpected %s; expected a property name in double quotes", b.describe(off)))
	}
	return b.errorAt(off, fmt.Sprintf("unexpected %s; expected a JSON value", b.describe(off)))
}

// truncated reports the end of the input inside a value.
func (b *builder) truncated(off int) error {
	rest := bytes.TrimLeft(b.data[min(int(b.dec.InputOffset()), len(b.data)):], " \t\r\n:,")
	where := ""
	switch {
	case len(rest) > 0 && rest[0] == '"':
		where = " inside a string"
	case b.dec.StackDepth() > 0:
		if k, _ := b.dec.StackIndex(b.dec.StackDepth()); k == '[' {
			where = " inside an array"
		} else {
			where = " inside an object"
		}
	}
	return b.errorAt(off, "unexpected end of input"+where+" (the file is truncated)")
}

// leadingZero reports whether the number just before off is a 0 that a
// digit follows ("01"), which jsontext reads as the number 0 followed by
// an unexpected character.
func (b *builder) leadingZero(off int) bool {
	if off < 1 || off >= len(b.data) || b.data[off-1] != '0' || b.data[off] < '0' || b.data[off] > '9' {
		return false
	}
	return off < 2 || !(b.data[off-2] >= '0' && b.data[off-2] <= '9' || b.data[off-2] == '.' || b.data[off-2] == 'e' || b.data[off-2] == 'E' || b.data[off-2] == '+')
}

func (b *builder) byteAt(off int) byte {
	if off < 0 || off >= len(b.data) {
		return 0
	}
	return b.data[off]
}

func (b *builder) describe(off int) string {
	if off >= len(b.data) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(b.data[off:])
	if r == '<' {
		return "'<' (this looks like HTML or XML, not JSON: was a web page saved instead of the Graph response?)"
	}
	if r < 0x20 || r == utf8.RuneError {
		return fmt.Sprintf("byte 0x%02x", b.data[off])
	}
	return fmt.Sprintf("character %q", r)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// lineCol turns a byte offset into a line and a column counted in
// characters, both from 1.
func lineCol(data []byte, off int) (line, col int) {
	line, col = 1, 1
	for i := 0; i < off && i < len(data); i++ {
		if data[i] == '\n' {
			line++
			col = 1
		} else if data[i]&0xC0 != 0x80 {
			col++
		}
	}
	return line, col
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
