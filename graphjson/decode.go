// Package graphjson decodes Microsoft Graph (beta) exports of Intune IKEv2 VPN
// profiles (microsoft.graph.iosikEv2VpnConfiguration), and of the certificate
// profiles they rely on (SCEP, PKCS and trusted root, see certdecode.go),
// into typed Go values.
//
// It knows the Graph model and nothing of Apple's: it checks JSON types, enum
// spellings and the ranges Microsoft documents, and reports every problem of
// an input at once, each with its JSON path ("$.onDemandRules[1].action"),
// the bad value and what is allowed. Unknown properties are warnings, never
// failures, because newer Graph builds add properties.
package graphjson

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// IKEv2Type is the OData type name this package decodes.
const IKEv2Type = "microsoft.graph.iosikEv2VpnConfiguration"

// Item is one entity found in a Graph document, not yet decoded.
type Item struct {
	// Path is the JSON path of the entity in its document: "$" for a single
	// object, "$.value[3]" for an element of a list response.
	Path string
	// Type is the entity's "@odata.type" without the leading "#", or "" if
	// it has none.
	Type string
	// Value is the parsed entity object.
	Value Value
}

// ID returns the entity's "id" if it is a string.
func (it Item) ID() string { return it.stringMember("id") }

// DisplayName returns the entity's "displayName" if it is a string.
func (it Item) DisplayName() string { return it.stringMember("displayName") }

func (it Item) stringMember(name string) string {
	if v, ok := it.Value.Get(name); ok && v.Kind == String {
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

func (it Item) hasIKEv2OnlyProperty() bool {
	own := ownProperties(reflect.TypeFor[IosikEv2VpnConfiguration]())
	for _, m := range it.Value.Members() {
		if _, ok := own[m.Name]; ok {
			return true
		}
	}
	return false
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

// Split parses a Graph document and returns the entities in it. It accepts a
// single entity object, a get response that wraps one in {"value": {...}},
// a list response {"value": [...]} and a bare JSON array. A Graph error
// response, or anything else, is an error that says what was found.
func Split(data []byte, lim Limits) ([]Item, error) {
	root, err := Parse(data, lim)
	if err != nil {
		return nil, err
	}
	return splitValue(root)
}

func splitValue(root Value) ([]Item, error) {
	switch root.Kind {
	case Array:
		return items(root, "$")
	case Object:
		if e, ok := root.Get("error"); ok && e.Kind == Object && len(root.Members()) == 1 {
			return nil, graphErrorResponse(e)
		}
		if v, ok := root.Get("value"); ok {
			switch v.Kind {
			case Array:
				return items(*v, "$.value")
			case Object:
				return []Item{newItem(*v, "$.value")}, nil
			}
		}
		return []Item{newItem(root, "$")}, nil
	}
	return nil, fmt.Errorf("$: the input is %s, not a Graph entity object or list response", root.Kind)
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

func items(arr Value, path string) ([]Item, error) {
	out := make([]Item, 0, arr.Len())
	for i := range arr.Len() {
		el := *arr.Elem(i)
		p := JoinIndex(path, i)
		if el.Kind != Object {
			return nil, fmt.Errorf("%s: expected an entity object, got %s", p, el.Kind)
		}
		out = append(out, newItem(el, p))
	}
	return out, nil
}

func newItem(v Value, path string) Item {
	it := Item{Path: path, Value: v}
	if t, ok := v.Get("@odata.type"); ok && t.Kind == String {
		it.Type = strings.TrimPrefix(t.Text, "#")
	}
	return it
}

// DecodeSingle parses a document that must hold exactly one IKEv2 VPN
// configuration and decodes it. Entities of other types in a list are
// skipped; none, or more than one, is an error.
func DecodeSingle(data []byte, lim Limits) (*IosikEv2VpnConfiguration, Item, diag.List) {
	var diags diag.List
	all, err := Split(data, lim)
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
		diags.Errorf("multiple-entities", "$", "the input holds %d IKEv2 VPN configurations; compile converts one at a time: use `graph2mobileconfig batch` to convert them all", len(ikev2))
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

// ErrorCode is the diagnostic code of an error returned by Split: the same
// codes whichever command reports it.
func ErrorCode(err error) string {
	var se *SyntaxError
	var de *DuplicateKeyError
	switch {
	case errors.As(err, &se):
		return "json-syntax"
	case errors.As(err, &de):
		return "duplicate-key"
	case strings.HasPrefix(err.Error(), "$.error:"):
		return "graph-error-response"
	}
	return "not-an-entity"
}

// Decode checks that the item is an IKEv2 VPN configuration and decodes it.
// The returned diagnostics hold every error and warning found; the
// configuration is nil only when the item is not an IKEv2 entity at all. A
// caller must not use a configuration whose diagnostics hold errors.
func Decode(it Item) (*IosikEv2VpnConfiguration, diag.List) {
	var diags diag.List
	odataPath := func() string { return JoinName(it.Path, "@odata.type") }
	switch {
	case it.Type == IKEv2Type:
	case it.Type == "" && it.hasIKEv2OnlyProperty():
		diags.Infof("assumed-type", odataPath(), "the object has no @odata.type; it has IKEv2-only properties, so it is read as %s", IKEv2Type)
	case it.Type == "":
		diags.Errorf("missing-type", odataPath(), "the object has no @odata.type and none of the IKEv2-only properties (such as clientAuthenticationType or securityAssociationParameters); graph2mobileconfig converts only %s exports", IKEv2Type)
		return nil, diags
	case strings.EqualFold(it.Type, IKEv2Type):
		diags.Warnf("type-case", odataPath(), "@odata.type %q differs from %q only in letter case; read as IKEv2", it.Type, IKEv2Type)
	default:
		diags.Errorf("unsupported-type", odataPath(), "the export is a %s, not an IKEv2 VPN configuration; graph2mobileconfig converts only %s (Intune VPN profiles for iOS/iPadOS with connection type IKEv2)", it.Type, IKEv2Type)
		return nil, diags
	}
	cfg := new(IosikEv2VpnConfiguration)
	return cfg, decodeEntity(it, cfg, IKEv2Type, diags)
}

// decodeEntity decodes the entity object of it into out, a pointer to a
// model struct, and returns diags with its findings appended; entityType is
// the entity's OData type, for messages. It is the one entry point for
// every top-level type of the model.
func decodeEntity(it Item, out any, entityType string, diags diag.List) diag.List {
	d := decoder{diags: diags, root: it.Path, entity: &it.Value, stack: make([]int32, 0, 8), known: knownNames(), entityType: entityType}
	d.object(&it.Value, reflect.ValueOf(out).Elem(), true)
	return d.diags
}

type decoder struct {
	diags      diag.List
	root       string // the entity's JSON path
	entity     *Value // the entity's object
	entityType string // the entity's OData type
	// stack is the path from the entity to the value being decoded, as
	// the position of each step among its container's members: it holds
	// no pointers, so pushing costs no GC write barrier.
	stack []int32
	known *nameTable
	// Most properties are optional scalars, pointers in the model; they
	// point into these blocks, allocated a few at a time, instead of one
	// allocation each.
	strings []string
	bools   []bool
	int32s  []int32
}

const scalarBlock = 32

var (
	stringType = reflect.TypeFor[string]()
	boolType   = reflect.TypeFor[bool]()
	int32Type  = reflect.TypeFor[int32]()
)

// newValue returns a pointer to a new zero value of type t.
func (d *decoder) newValue(t reflect.Type) reflect.Value {
	switch t {
	case stringType:
		return reflect.ValueOf(next(&d.strings))
	case boolType:
		return reflect.ValueOf(next(&d.bools))
	case int32Type:
		return reflect.ValueOf(next(&d.int32s))
	}
	return reflect.New(t)
}

// next takes the first value of a block, allocating a new block when it
// is used up.
func next[T any](block *[]T) *T {
	if len(*block) == 0 {
		*block = make([]T, scalarBlock)
	}
	p := &(*block)[0]
	*block = (*block)[1:]
	return p
}

type field struct {
	name   string
	index  []int
	secret bool
	lo, hi int64
	ranged bool
	max    int
	// How to decode the value, worked out once from the field's type so
	// that decoding does not ask reflection the same questions per value.
	shape     shape      // pointer to one value, or a slice of values
	scalar    scalarKind // what one value is
	elem      reflect.Type
	enumName  string
	enumNames []string
}

type shape uint8

const (
	onePointer shape = iota
	sliceOf
)

type scalarKind uint8

const (
	stringKind scalarKind = iota
	boolKind
	int32Kind
	enumKind
	structKind
)

// plan fills in how a field of type t is decoded.
func (f *field) plan(t reflect.Type) {
	switch t.Kind() {
	case reflect.Pointer:
		f.shape = onePointer
	case reflect.Slice:
		f.shape = sliceOf
	default:
		panic(fmt.Sprintf("graphjson: field %s has type %s; the model uses pointers and slices only", f.name, t))
	}
	f.elem = t.Elem()
	switch {
	case f.elem.Implements(enumerType):
		f.scalar = enumKind
		f.enumName, f.enumNames = reflect.Zero(f.elem).Interface().(enumer).GraphEnum()
	case f.elem.Kind() == reflect.String:
		f.scalar = stringKind
	case f.elem.Kind() == reflect.Bool:
		f.scalar = boolKind
	case f.elem.Kind() == reflect.Int32:
		f.scalar = int32Kind
	case f.elem.Kind() == reflect.Struct:
		f.scalar = structKind
	default:
		panic(fmt.Sprintf("graphjson: field %s has unsupported type %s", f.name, t))
	}
}

func parseTag(tag string) (string, []string) {
	if tag == "" {
		return "", nil
	}
	parts := strings.Split(tag, ",")
	return parts[0], parts[1:]
}

// computeFields lists the tagged fields of a struct type, flattening embedded
// structs the way the Graph type chain flattens inherited properties.
func computeFields(t reflect.Type) []field {
	var out []field
	var walk func(t reflect.Type, index []int)
	walk = func(t reflect.Type, index []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			idx := append(append([]int(nil), index...), i)
			if f.Anonymous {
				walk(f.Type, idx)
				continue
			}
			name, opts := parseTag(f.Tag.Get("graph"))
			if name == "" {
				continue
			}
			fd := field{name: name, index: idx}
			fd.plan(f.Type)
			for _, o := range opts {
				switch {
				case o == "secret":
					fd.secret = true
				case strings.HasPrefix(o, "range="):
					lo, hi, _ := strings.Cut(strings.TrimPrefix(o, "range="), ":")
					fd.lo, _ = strconv.ParseInt(lo, 10, 64)
					fd.hi, _ = strconv.ParseInt(hi, 10, 64)
					fd.ranged = true
				case strings.HasPrefix(o, "max="):
					fd.max, _ = strconv.Atoi(strings.TrimPrefix(o, "max="))
				}
			}
			out = append(out, fd)
		}
	}
	walk(t, nil)
	return out
}

// structInfo is what the decoder needs of one model struct type.
type structInfo struct {
	graphType string
	byName    map[string]field
	// byKnown finds a field by the parser's known-name index; ok is false
	// for names this type does not have.
	byKnown [knownWords * 64]struct {
		f  field
		ok bool
	}
}

// modelInfo describes every struct type of the model. It is computed once,
// on first use, and never changed afterwards: reflection over the model is
// the same for every input, so there is no reason to repeat it per decode.
var modelInfo = sync.OnceValue(func() map[reflect.Type]*structInfo {
	out := map[reflect.Type]*structInfo{}
	var visit func(t reflect.Type)
	visit = func(t reflect.Type) {
		if _, done := out[t]; done {
			return
		}
		info := &structInfo{graphType: reflect.Zero(t).Interface().(grapher).GraphType(), byName: map[string]field{}}
		out[t] = info
		for _, f := range computeFields(t) {
			info.byName[f.name] = f
			if k, ok := knownNames().index[f.name]; ok {
				info.byKnown[k].f, info.byKnown[k].ok = f, true
			}
			if f.scalar == structKind {
				visit(f.elem)
			}
		}
	}
	for _, t := range modelRoots {
		visit(t)
	}
	return out
})

type grapher interface{ GraphType() string }

type enumer interface{ GraphEnum() (string, []string) }

var (
	enumerType  = reflect.TypeFor[enumer]()
	grapherType = reflect.TypeFor[grapher]()
)

func (d *decoder) object(v *Value, rv reflect.Value, top bool) {
	info := modelInfo()[rv.Type()]
	members := v.Members()
	for i := range members {
		m := &members[i]
		if m.Name == "@odata.type" {
			if !top {
				d.push(i)
				d.checkNestedType(&m.Value, info.graphType)
				d.pop()
			}
			continue
		}
		var fd *field
		// The index is trusted only when it names this very member, so a
		// Value built by hand (with a zero index) still decodes correctly.
		if names, k := d.known.names, m.Value.nameIndex; k >= 0 && int(k) < len(names) && names[k] == m.Name {
			if info.byKnown[k].ok {
				fd = &info.byKnown[k].f
			}
		} else if f, ok := info.byName[m.Name]; ok {
			fd = &f
		}
		if fd == nil {
			d.unknownMember(*m, JoinName(d.here(), m.Name), info.graphType, top)
			continue
		}
		d.push(i)
		d.value(&m.Value, rv.FieldByIndex(fd.index), fd)
		d.pop()
	}
}

// here returns the JSON path of the value being decoded. The path is kept
// as a stack of steps and turned into a string only when a diagnostic needs
// it: most values of an export are fine, and building every path would cost
// more than decoding the values.
func (d *decoder) here() string {
	out := d.root
	v := d.entity
	for _, i := range d.stack {
		kid := &v.kids[i]
		if v.Kind == Array {
			out = JoinIndex(out, int(i))
		} else {
			out = JoinName(out, kid.Name)
		}
		v = &kid.Value
	}
	return out
}

func (d *decoder) push(i int) { d.stack = append(d.stack, int32(i)) }
func (d *decoder) pop()       { d.stack = d.stack[:len(d.stack)-1] }

func (d *decoder) checkNestedType(v *Value, want string) {
	if v.Kind != String {
		d.diags.Warnf("bad-annotation", d.here(), "@odata.type should be a string, got %s; ignored", v.Kind)
		return
	}
	got := strings.TrimPrefix(strings.TrimPrefix(v.Text, "#"), "microsoft.graph.")
	if got == want {
		return
	}
	if why, ok := derivedTypes(want)[got]; ok {
		if why != "" {
			d.diags.Infof("derived-type", d.here(), "%s is a variant of %s that %s; the members it adds are ignored", v.Text, want, why)
		}
		return
	}
	d.diags.Warnf("unexpected-type", d.here(), "expected @odata.type microsoft.graph.%s here, got %q; the members are read as %s", want, v.Text, want)
}

func (d *decoder) unknownMember(m Member, path, graphType string, top bool) {
	switch {
	case strings.HasPrefix(m.Name, "@") || strings.Contains(m.Name, "@odata."):
		d.diags.Warnf("annotation", path, "OData annotation %q is not part of the configuration; ignored", m.Name)
	case top && expandedRelationship(d.entityType, m):
		// Decoded on its own: see ExpandedCertificates.
	case top:
		if what, ok := navigationProperty(m.Name); ok {
			d.diags.Warnf("navigation-property", path, "%q is a Graph relationship (%s), not a setting; ignored", m.Name, what)
			return
		}
		if d.entityType != IKEv2Type {
			d.diags.Warnf("unknown-property", path, "unknown property %q: it is not in the Graph beta model of %s that this version knows; ignored — a newer Graph build may have added it", m.Name, d.entityType)
			return
		}
		d.diags.Warnf("unknown-property", path, "unknown property %q: it is not in the Graph beta model of %s that this version knows (64 properties); ignored — a newer Graph build may have added it", m.Name, IKEv2Type)
	case graphType == "vpnProxyServer" && (m.Name == "bypassProxyServerForLocalAddress" || m.Name == "automaticallyDetectProxySettings"):
		d.diags.Warnf("windows-only", path, "%q belongs to the Windows VPN proxy types and has no iOS equivalent; ignored", m.Name)
	default:
		d.diags.Warnf("unknown-property", path, "unknown property %q in a %s; ignored", m.Name, graphType)
	}
}

// value decodes v into the field rv (a pointer or a slice); null leaves it
// unset, which the model reads as "not configured".
func (d *decoder) value(v *Value, rv reflect.Value, fd *field) {
	if v.Kind == Null {
		rv.SetZero()
		return
	}
	switch fd.shape {
	case onePointer:
		nv := d.newValue(fd.elem)
		if !d.scalarOrStruct(v, nv.Elem(), fd) {
			return
		}
		rv.Set(nv)
	case sliceOf:
		if v.Kind != Array {
			d.typeError(d.here(), "an array", v, fd)
			return
		}
		if fd.max > 0 && v.Len() > fd.max {
			d.diags.Errorf("too-many", d.here(), "has %d elements; Graph allows at most %d", v.Len(), fd.max)
		}
		sl := reflect.MakeSlice(rv.Type(), v.Len(), v.Len())
		ok := true
		for i := range v.Len() {
			el := v.Elem(i)
			d.push(i)
			if el.Kind == Null {
				d.diags.Errorf("null-element", d.here(), "null is not allowed inside %s; remove the element", fd.name)
				ok = false
			} else if !d.scalarOrStruct(el, sl.Index(i), fd) {
				ok = false
			}
			d.pop()
		}
		if ok {
			rv.Set(sl)
		}
	}
}

// scalarOrStruct decodes a non-null JSON value into rv (a non-pointer) and
// reports whether it succeeded.
func (d *decoder) scalarOrStruct(v *Value, rv reflect.Value, fd *field) bool {
	switch fd.scalar {
	case enumKind:
		return d.enum(v, rv, fd)
	case stringKind:
		if v.Kind != String {
			d.typeError(d.here(), "a string", v, fd)
			return false
		}
		if r, i := badPlistRune(v.Text); i >= 0 {
			d.diags.Errorf("control-character", d.here(), "the string holds the control character U+%04X at position %d, which a property list cannot store; remove it", r, i)
			return false
		}
		rv.SetString(v.Text)
	case boolKind:
		if v.Kind != Bool {
			d.typeError(d.here(), "true or false", v, fd)
			return false
		}
		rv.SetBool(v.Bool)
	case int32Kind:
		if v.Kind != Number {
			d.typeError(d.here(), "a whole number", v, fd)
			return false
		}
		n, ok := d.int32(v, fd)
		if !ok {
			return false
		}
		rv.SetInt(n)
	case structKind:
		if v.Kind != Object {
			d.typeError(d.here(), "an object", v, fd)
			return false
		}
		d.object(v, rv, false)
	}
	return true
}

// int32 reads a JSON number as an Edm.Int32 within the field's range.
func (d *decoder) int32(v *Value, fd *field) (int64, bool) {
	n, err := strconv.ParseInt(v.Text, 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(v.Text, 64); ferr == nil && f == math.Trunc(f) && math.Abs(f) < 1e15 {
			n = int64(f)
		} else if ferr == nil && f != math.Trunc(f) {
			d.diags.Errorf("not-integer", d.here(), "%s is not a whole number; %s takes an integer", v.Text, fd.name)
			return 0, false
		} else {
			d.diags.Errorf("out-of-range", d.here(), "%s does not fit in a 32-bit integer (Edm.Int32: %d to %d)", truncate(v.Text, 40), math.MinInt32, math.MaxInt32)
			return 0, false
		}
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		d.diags.Errorf("out-of-range", d.here(), "%s does not fit in a 32-bit integer (Edm.Int32: %d to %d)", v.Text, math.MinInt32, math.MaxInt32)
		return 0, false
	}
	if fd.ranged && (n < fd.lo || n > fd.hi) {
		d.diags.Errorf("out-of-range", d.here(), "%d is out of range: %s takes %d to %d", n, fd.name, fd.lo, fd.hi)
		return 0, false
	}
	return n, true
}

func (d *decoder) enum(v *Value, rv reflect.Value, fd *field) bool {
	name, members := fd.enumName, fd.enumNames
	switch v.Kind {
	case String:
		for _, m := range members {
			if v.Text == m {
				rv.SetString(m)
				return true
			}
		}
		for _, m := range members {
			if strings.EqualFold(v.Text, m) {
				d.diags.Errorf("unknown-enum", d.here(), "%q is not a %s value; Graph spells it %q (allowed: %s)", v.Text, name, m, strings.Join(members, ", "))
				return false
			}
		}
		d.diags.Errorf("unknown-enum", d.here(), "%q is not a %s value; allowed: %s", truncate(v.Text, 60), name, strings.Join(members, ", "))
		return false
	case Number:
		n, err := strconv.Atoi(v.Text)
		if err != nil || n < 0 || n >= len(members) {
			d.diags.Errorf("unknown-enum", d.here(), "%s is not a %s value; allowed: %s (or their numbers 0 to %d)", truncate(v.Text, 40), name, strings.Join(members, ", "), len(members)-1)
			return false
		}
		d.diags.Warnf("numeric-enum", d.here(), "the numeric enum value %d was read as %q; Graph normally writes the name", n, members[n])
		rv.SetString(members[n])
		return true
	}
	d.typeError(d.here(), "one of "+strings.Join(members, ", "), v, fd)
	return false
}

func (d *decoder) typeError(path, want string, v *Value, fd *field) {
	got := v.Kind.String()
	if !fd.secret {
		switch v.Kind {
		case String:
			got = fmt.Sprintf("the string %q", truncate(v.Text, 40))
		case Number:
			got = "the number " + truncate(v.Text, 40)
		case Bool:
			got = strconv.FormatBool(v.Bool)
		}
	} else if v.Kind != Null {
		got = v.Kind.String() + " («redacted»)"
	}
	d.diags.Errorf("type-mismatch", path, "expected %s, got %s", want, got)
}

// badPlistRune finds a character that an XML property list cannot hold:
// control characters other than tab, newline and carriage return, and the
// non-characters U+FFFE and U+FFFF. It returns -1 when there is none.
func badPlistRune(s string) (rune, int) {
	for i, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
			return r, i
		}
	}
	return 0, -1
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
