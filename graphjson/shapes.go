package graphjson

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// Item is one entity found in a Graph document, not yet decoded.
type Item struct {
	// Path is the JSON path of the entity in its document: "$" for a single
	// object, "$.value[3]" for an element of a list response.
	Path string
	// Type is the entity's "@odata.type" without the leading "#", or "" if
	// it has none. For the Graph PowerShell SDK's shape it is read from
	// AdditionalProperties.
	Type string
	// Value is the parsed entity object.
	Value Value
	// PowerShell reports that the entity is in the shape the Microsoft
	// Graph PowerShell SDK's objects take through ConvertTo-Json: base
	// properties in PascalCase, the type-specific ones and @odata.type
	// inside AdditionalProperties.
	PowerShell bool
	// Form says how the entity was read, for the "input-shape" note:
	// "an element of a Graph list response, UTF-8".
	Form string
}

// ID returns the entity's "id" if it is a string.
func (it Item) ID() string { return it.stringMember("id") }

// DisplayName returns the entity's "displayName" if it is a string.
func (it Item) DisplayName() string { return it.stringMember("displayName") }

func (it Item) stringMember(name string) string {
	v, ok := it.Value.Get(name)
	if !ok && it.PowerShell {
		v, _, ok = it.Value.getFold(name)
	}
	if ok && v.Kind == String {
		return v.Text
	}
	return ""
}

// IsIKEv2 reports whether the item is an IKEv2 VPN configuration: its
// "@odata.type" says so, or it has none and carries properties that only
// microsoft.graph.iosikEv2VpnConfiguration has.
func (it Item) IsIKEv2() bool {
	if it.Type != "" {
		return it.Type == IKEv2Type
	}
	return it.hasIKEv2OnlyProperty()
}

// Recognised reports whether the item is a Graph entity at all: it has an
// @odata.type, or properties of the IKEv2 model.
func (it Item) Recognised() bool {
	return it.Type != "" || it.hasIKEv2OnlyProperty()
}

func (it Item) hasIKEv2OnlyProperty() bool {
	own := ownProperties(reflect.TypeFor[IosikEv2VpnConfiguration]())
	for _, obj := range it.settings() {
		for _, m := range obj.Members() {
			if _, ok := own[m.Name]; ok {
				return true
			}
		}
	}
	return false
}

// settings returns the objects that hold the entity's properties: the
// entity, and for the PowerShell SDK's shape its AdditionalProperties.
func (it Item) settings() []*Value {
	out := []*Value{&it.Value}
	if it.PowerShell {
		if ap, _, ok := it.Value.getFold("AdditionalProperties"); ok && ap.Kind == Object {
			out = append(out, ap)
		}
	}
	return out
}

// ownProperties returns the JSON names declared directly on a struct type,
// not on the types it embeds.
func ownProperties(t reflect.Type) map[string]struct{} {
	out := map[string]struct{}{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			continue
		}
		if name, _ := parseTag(f.Tag.Get("graph")); name != "" {
			out[name] = struct{}{}
		}
	}
	return out
}

// Document is a parsed Graph document: its entities, and how it was read.
type Document struct {
	// Items are the entities, in document order.
	Items []Item
	// Shape names what the document is: "a Graph entity object",
	// "a Graph list response", ...
	Shape string
	// Encoding is the text encoding it was in: "UTF-8", "UTF-16 LE", ...
	Encoding string
	// List reports that the document is a list ({"value": [...]} or a
	// bare array), even an empty one.
	List bool
	// Context is the document's @odata.context, if any.
	Context string
	// NextLink is the document's @odata.nextLink, if it has one: the list
	// continues on another page.
	NextLink *string

	// forms remembers the forms described, which the elements of a list
	// share (a document has at most four kinds of entities).
	forms  [4]formEntry
	nforms int
}

type formEntry struct {
	key  formKey
	text string
}

// Split parses a Graph document and returns the entities in it. It accepts a
// single entity object, a get response that wraps one in {"value": {...}},
// a list response {"value": [...]} and a bare JSON array, each as Graph
// writes it or as the Microsoft Graph PowerShell SDK's objects come out of
// ConvertTo-Json. A Graph error response, or anything else, is an error that
// says what was found.
func Split(data []byte, lim Limits) ([]Item, error) {
	doc, err := ReadDocument(data, lim)
	return doc.Items, err
}

// ReadDocument is Split that also says how the document was read.
func ReadDocument(data []byte, lim Limits) (Document, error) {
	return readDocument(data, lim, false)
}

// readDocument is ReadDocument; when owned, data belongs to it (see parse).
func readDocument(data []byte, lim Limits, owned bool) (Document, error) {
	root, enc, err := parse(data, lim, owned)
	doc := Document{Encoding: enc}
	if err != nil {
		return doc, err
	}
	for i := range root.Members() {
		m := &root.kids[i]
		switch {
		case m.Value.Kind != String:
		case m.Name == "@odata.context":
			doc.Context = m.Value.Text
		case m.Name == "@odata.nextLink":
			doc.NextLink = &m.Value.Text
		}
	}
	err = doc.split(root)
	return doc, err
}

func (doc *Document) split(root Value) error {
	switch root.Kind {
	case Array:
		doc.List = true
		doc.Shape = "a JSON array of entities"
		return doc.items(root, "$")
	case Object:
		if e, ok := root.Get("error"); ok && e.Kind == Object && len(root.Members()) == 1 {
			return graphErrorResponse(e)
		}
		if v, ok := root.Get("value"); ok {
			switch v.Kind {
			case Array:
				doc.List = true
				doc.Shape = "a Graph list response"
				return doc.items(*v, "$.value")
			case Object:
				doc.Shape = "a Graph get response ({\"value\": {...}})"
				doc.Items = []Item{doc.newItem(*v, "$.value")}
				return nil
			}
		}
		doc.Shape = "a Graph entity object"
		doc.Items = []Item{doc.newItem(root, "$")}
		if doc.Items[0].PowerShell {
			doc.Shape = "a Microsoft Graph PowerShell SDK object"
			doc.Items[0].Form = doc.form(doc.Items[0])
		}
		return nil
	}
	return fmt.Errorf("$: the input is %s, not a Graph entity object or list response", root.Kind)
}

func graphErrorResponse(e *Value) error {
	code, msg := "", ""
	if c, ok := e.Get("code"); ok && c.Kind == String {
		code = c.Text
	}
	if m, ok := e.Get("message"); ok && m.Kind == String {
		msg = m.Text
	}
	return fmt.Errorf("$.error: this is a Microsoft Graph error response, not an exported configuration (code %q: %s); fix the request that produced it and export again", code, truncate(msg, 200))
}

func (doc *Document) items(arr Value, path string) error {
	doc.Items = make([]Item, 0, arr.Len())
	ps := 0
	for i := range arr.Len() {
		el := *arr.Elem(i)
		p := JoinIndex(path, i)
		if el.Kind != Object {
			doc.Items = nil
			return fmt.Errorf("%s: expected an entity object, got %s", p, el.Kind)
		}
		it := doc.newItem(el, p)
		if it.PowerShell {
			ps++
		}
		doc.Items = append(doc.Items, it)
	}
	if ps > 0 && ps == len(doc.Items) && path == "$" {
		doc.Shape = "a JSON array of Microsoft Graph PowerShell SDK objects"
		for i := range doc.Items {
			doc.Items[i].Form = doc.form(doc.Items[i])
		}
	}
	return nil
}

// newItem reads an entity of the document, with the note of how it was
// read.
func (doc *Document) newItem(v Value, path string) Item {
	it := newItem(v, path)
	it.Form = doc.form(it)
	return it
}

// newItem reads an entity: its type, and whether it is in the PowerShell
// SDK's shape (no @odata.type of its own, an AdditionalProperties object).
func newItem(v Value, path string) Item {
	it := Item{Path: path, Value: v}
	if t, ok := v.Get("@odata.type"); ok && t.Kind == String {
		it.Type = strings.TrimPrefix(t.Text, "#")
	} else if ap, ok := v.Get("AdditionalProperties"); ok && ap.Kind == Object {
		it.PowerShell = true
		if t, ok := ap.Get("@odata.type"); ok && t.Kind == String {
			it.Type = strings.TrimPrefix(t.Text, "#")
		}
	}
	return it
}

// member returns the member called name of the entity, looked up where its
// settings are: in the entity, and for the PowerShell SDK's shape in its
// AdditionalProperties.
func (it Item) member(name string) (*Value, bool) {
	for _, obj := range it.settings() {
		if v, ok := obj.Get(name); ok {
			return v, true
		}
	}
	return nil, false
}

// form describes how an entity was read, for the "input-shape" note.
func (doc *Document) form(it Item) string {
	// The elements of a list share one text.
	key := formKey{doc.Shape, it.Path != "$", it.PowerShell}
	for _, f := range doc.forms[:doc.nforms] {
		if f.key == key {
			return f.text
		}
	}
	f := doc.describe(it)
	if doc.nforms < len(doc.forms) {
		doc.forms[doc.nforms] = formEntry{key, f}
		doc.nforms++
	}
	return f
}

type formKey struct {
	shape              string
	inside, powerShell bool
}

func (doc *Document) describe(it Item) string {
	what := doc.Shape
	if it.Path != "$" {
		if doc.List {
			what = "an element of " + doc.Shape
		}
		if it.PowerShell && !strings.Contains(what, "PowerShell") {
			what += ", in the Microsoft Graph PowerShell SDK's shape"
		}
	}
	if it.PowerShell {
		what += " (ConvertTo-Json of a Get-MgBetaDeviceManagementDeviceConfiguration result: base properties matched in any letter case, the settings read from AdditionalProperties)"
	}
	return what + ", " + doc.Encoding + " text"
}

// DecodeSingle parses a document that must hold exactly one IKEv2 VPN
// configuration and decodes it. Entities of other types in a list are
// skipped; none, or more than one, is an error.
func DecodeSingle(data []byte, lim Limits) (*IosikEv2VpnConfiguration, Item, diag.List) {
	var diags diag.List
	doc, err := ReadDocument(data, lim)
	all := doc.Items
	if err != nil {
		diags.Add(diag.Error, ErrorCode(err), "", "", "%s", err.Error())
		return nil, Item{}, diags
	}
	if len(all) == 1 {
		cfg, d := Decode(all[0])
		return cfg, all[0], d
	}
	var ikev2 []Item
	others := map[string]int{}
	for _, it := range all {
		if it.IsIKEv2() {
			ikev2 = append(ikev2, it)
		} else {
			others[typeLabel(it.Type)]++
		}
	}
	switch len(ikev2) {
	case 0:
		if len(all) == 0 {
			diags.Errorf("empty-list", "$.value", "the list holds no entities; export the IKEv2 VPN configuration itself")
		} else {
			diags.Errorf("no-ikev2", "$", "none of the %d entities is a %s (found: %s)", len(all), IKEv2Type, describeCounts(others))
		}
		return nil, Item{}, diags
	case 1:
		for _, it := range all {
			if !it.IsIKEv2() {
				diags.Infof("skipped-entity", it.Path, "skipped %s %q: not an IKEv2 VPN configuration", typeLabel(it.Type), it.DisplayName())
			}
		}
		cfg, d := Decode(ikev2[0])
		return cfg, ikev2[0], append(diags, d...)
	default:
		diags.AddHinted(diag.Error, "multiple-entities", "$", "", batchHint, "the input holds %d IKEv2 VPN configurations; a compilation converts one at a time", len(ikev2))
		return nil, Item{}, diags
	}
}

func typeLabel(t string) string {
	if t == "" {
		return "an entity without @odata.type"
	}
	return t
}

func describeCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d × %s", m[k], k)
	}
	return strings.Join(parts, ", ")
}
