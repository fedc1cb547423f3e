package graphjson

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/go-json-experiment/json/jsontext"
)

// StreamThreshold is the size from which ReadDocumentFrom reads a list of
// entities as a stream, one entity at a time, rather than whole: below it,
// one pass over text held in memory costs less than two passes over the
// file, and the memory is small anyway.
const StreamThreshold = 1 << 20

// DocumentReader hands out the entities of a Graph document one at a time
// (ReadDocumentFrom).
type DocumentReader struct {
	// Document describes the document; its Items are nil.
	Document

	n, next int
	lim     Limits

	// A document read whole: its entities.
	items []Item

	// A list read as a stream: the second pass.
	src  io.ReaderAt
	size int64
	text textForm
	dec  *jsontext.Decoder
	path string // the list's JSON path: "$" or "$.value"
	// listForms are the Item.Form of an entity, and of one in the
	// PowerShell SDK's shape: computed once, read by Parse on any
	// goroutine.
	listForms [2]string
}

// Len returns the number of entities of the document.
func (d *DocumentReader) Len() int { return d.n }

// Streaming reports that Next reads the entities from the document's
// io.ReaderAt, which must then stay readable until the last one.
func (d *DocumentReader) Streaming() bool { return d.src != nil }

// ReadError is an error reading the input of ReadDocumentFrom, as opposed
// to a problem with what it holds.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return e.Err.Error() }

// Unwrap returns the error of the io.ReaderAt.
func (e *ReadError) Unwrap() error { return e.Err }

// Next returns the next entity, in document order, or false when there is
// none left. Its error is for a document read as a stream that is no longer
// what the first pass read (it changed or could not be read again); the
// entities after it are lost.
func (d *DocumentReader) Next() (Item, bool, error) {
	e, ok, err := d.NextRaw()
	if !ok || err != nil {
		return Item{}, ok, err
	}
	it, err := e.Parse()
	if err != nil {
		return Item{}, false, err
	}
	return it, true, nil
}

// RawItem is an entity of a document as NextRaw returns it: parsed, or,
// read as a stream, its text, to be parsed by Parse.
type RawItem struct {
	item Item
	text []byte
	base int
	path string
	d    *DocumentReader
}

// NextRaw is Next without the parsing of an entity read as a stream: Parse
// does that, on any goroutine, and the Parse of several entities of the
// same document may run at once; only NextRaw itself must be called by one
// goroutine at a time.
func (d *DocumentReader) NextRaw() (RawItem, bool, error) {
	if d.next >= d.n {
		return RawItem{}, false, nil
	}
	i := d.next
	d.next++
	if d.items != nil {
		it := d.items[i]
		d.items[i] = Item{} // the caller holds the entity now
		return RawItem{item: it}, true, nil
	}
	e, err := d.streamed(i)
	if err != nil {
		d.next = d.n
		return RawItem{}, false, err
	}
	return e, true, nil
}

// Parse returns the entity as an Item. Its error, for an entity read as a
// stream, says that the file changed after the first pass.
func (e RawItem) Parse() (Item, error) {
	if e.d == nil {
		return e.item, nil
	}
	v, err := parseOwned(e.text, e.base, e.d.lim)
	if err != nil {
		return Item{}, e.d.changed(err)
	}
	it := newItem(v, e.path)
	it.Form = e.d.listForms[0]
	if it.PowerShell {
		it.Form = e.d.listForms[1]
	}
	return it, nil
}

// ReadDocumentFrom reads the Graph document of size bytes at r, as
// ReadDocument reads one in memory, with the same findings and errors, and
// hands out its entities one at a time (DocumentReader.Next).
//
// A list of entities ({"value": [...]} or a bare array) of StreamThreshold
// bytes or more is never held whole: a first pass over r checks it as Parse
// would (syntax, duplicate names, every limit) without building its tree,
// and counts and looks at its entities; then Next reads each entity from r
// on its own, so that memory holds one entity (and a small buffer) rather
// than the whole list and its tree. UTF-16 is decoded as it is read. Any
// other document, and any document with an error, is read whole and parsed
// by ReadDocument, which words the error; the text read is the parser's
// own, so that the tree's strings point into it without a copy.
func ReadDocumentFrom(r io.ReaderAt, size int64, lim Limits) (*DocumentReader, error) {
	return readDocumentFrom(r, size, lim, StreamThreshold)
}

func readDocumentFrom(r io.ReaderAt, size int64, lim Limits, threshold int64) (*DocumentReader, error) {
	if size >= threshold && size > 0 {
		if d, ok := openStream(r, size, lim); ok {
			return d, nil
		}
	}
	data := make([]byte, size)
	if n, err := r.ReadAt(data, 0); err != nil && !(err == io.EOF && n == len(data)) {
		if err == io.EOF {
			err = fmt.Errorf("the file is shorter than the %d bytes it had when it was opened: it changed while it was read", size)
		}
		return &DocumentReader{}, &ReadError{err}
	}
	doc, err := readDocument(data, lim, true)
	d := &DocumentReader{Document: doc, n: len(doc.Items), items: doc.Items}
	d.Items = nil
	if d.items == nil {
		d.items = []Item{}
	}
	return d, err
}

// errStream ends the first pass over a stream at the first problem of any
// kind: the document is then parsed whole, which says what it is.
var errStream = errors.New("graphjson: read the document whole")

// listFacts are what the first pass over a stream learns of the document's
// list of entities.
type listFacts struct {
	found      bool // the document has one: a bare array, or "value": [...]
	depth      int  // the list's depth
	n          int  // entities
	notObjects bool // some element is not an object
	powerShell int  // entities in the PowerShell SDK's shape
	// inside is set while an element of the list is parsed; entity are the
	// facts of that element so far.
	inside bool
	entity entityFacts
}

// entityFacts say whether an entity is in the PowerShell SDK's shape, as
// newItem decides it: no @odata.type string of its own, and an
// AdditionalProperties object.
type entityFacts struct {
	typed, additional bool
}

// look notes a member of an element of the list.
func (l *listFacts) look(name string, k Kind) {
	switch {
	case name == "@odata.type" && k == String:
		l.entity.typed = true
	case name == "AdditionalProperties" && k == Object:
		l.entity.additional = true
	}
}

// add counts an element of the list.
func (l *listFacts) add(k Kind) {
	l.n++
	if k != Object {
		l.notObjects = true
	} else if !l.entity.typed && l.entity.additional {
		l.powerShell++
	}
}

// isEntityList reports whether the array being parsed at depth is the
// document's list of entities: the root, or the root object's "value".
func (b *builder) isEntityList(depth int) bool {
	switch depth {
	case 1:
		return true
	case 2:
		return len(b.stack) == 1 && b.stack[0].index < 0 && b.stack[0].name == "value"
	}
	return false
}

// openStream runs the first pass over a document read as a stream. It
// returns false when the document is to be read whole: it is not a list of
// entities, or it has a problem of any kind.
func openStream(r io.ReaderAt, size int64, lim Limits) (*DocumentReader, bool) {
	var prefix [4]byte
	n, _ := r.ReadAt(prefix[:], 0)
	form := detect(prefix[:n])
	if form.err != nil || form.utf16 && (size-int64(form.skip))%2 != 0 {
		return nil, false
	}
	b := builder{lim: lim.withDefaults(), known: knownNames(), stream: true}
	b.acquire(nil, textReader(r, size, form))
	defer b.release()
	root, err := b.value(0, hintValue)
	if err != nil {
		return nil, false
	}
	if _, err := b.dec.ReadToken(); err != io.EOF {
		return nil, false // data after the document, or it cannot be read
	}
	facts := b.list
	if !facts.found || facts.notObjects {
		return nil, false
	}
	d := &DocumentReader{n: facts.n, lim: lim, src: r, size: size, text: form}
	d.Encoding = form.enc.name
	d.List = true
	switch root.Kind {
	case Array:
		d.Shape, d.path = "a JSON array of entities", "$"
		if facts.powerShell > 0 && facts.powerShell == facts.n {
			d.Shape = "a JSON array of Microsoft Graph PowerShell SDK objects"
		}
	case Object:
		if e, ok := root.Get("error"); ok && e.Kind == Object && len(root.Members()) == 1 {
			return nil, false // an error response: ReadDocument words it
		}
		if v, ok := root.Get("value"); !ok || v.Kind != Array {
			return nil, false
		}
		d.Shape, d.path = "a Graph list response", "$.value"
		for _, m := range root.Members() {
			switch {
			case m.Value.Kind != String:
			case m.Name == "@odata.context":
				d.Context = m.Value.Text
			case m.Name == "@odata.nextLink":
				text := m.Value.Text
				d.NextLink = &text
			}
		}
	default:
		return nil, false
	}
	for i, ps := range []bool{false, true} {
		d.listForms[i] = d.Document.form(Item{Path: d.path + "[0]", PowerShell: ps})
	}
	return d, true
}

// textReader returns the UTF-8 text of the document of size bytes at r.
func textReader(r io.ReaderAt, size int64, form textForm) io.Reader {
	sr := io.NewSectionReader(r, int64(form.skip), size-int64(form.skip))
	if form.utf16 {
		return &utf16Reader{r: sr, bigEndian: form.bigEndian}
	}
	return sr
}

// streamed reads the text of the i-th entity of a list read as a stream:
// the second pass, which finds the list again and reads its elements one at
// a time, each to be parsed on its own from a copy of its text.
func (d *DocumentReader) streamed(i int) (RawItem, error) {
	if d.dec == nil {
		d.dec = jsontext.NewDecoder(textReader(d.src, d.size, d.text), jsontext.AllowDuplicateNames(true))
		if err := d.findList(); err != nil {
			return RawItem{}, d.changed(err)
		}
	}
	if d.dec.PeekKind() != '{' {
		return RawItem{}, d.changed(nil)
	}
	raw, err := d.dec.ReadValue()
	if err != nil {
		return RawItem{}, d.changed(err)
	}
	base := int(d.dec.InputOffset()) - len(raw)
	// The entity's own text: its strings point into it.
	return RawItem{text: bytes.Clone(raw), base: base, path: JoinIndex(d.path, i), d: d}, nil
}

// findList positions the second pass at the first element of the list.
func (d *DocumentReader) findList() error {
	if d.path == "$.value" {
		if t, err := d.dec.ReadToken(); err != nil || t.Kind() != '{' {
			return err
		}
		for {
			t, err := d.dec.ReadToken()
			if err != nil {
				return err
			}
			if t.Kind() != '"' {
				return nil // the end of the root: not found
			}
			if t.String() == "value" {
				break
			}
			if err := d.dec.SkipValue(); err != nil {
				return err
			}
		}
	}
	t, err := d.dec.ReadToken()
	if err == nil && t.Kind() != '[' {
		err = errStream
	}
	return err
}

// changed is the error of a second pass that does not find what the first
// pass read.
func (d *DocumentReader) changed(err error) error {
	if err == nil || errors.Is(err, errStream) {
		return fmt.Errorf("the file changed while it was read: read it again")
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
		return fmt.Errorf("the file changed while it was read (it is shorter): read it again")
	}
	return fmt.Errorf("the file changed while it was read, or cannot be read again: %v", err)
}
