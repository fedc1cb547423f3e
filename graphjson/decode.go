// Package graphjson decodes Microsoft Graph (beta) exports of Intune IKEv2 VPN
// profiles (microsoft.graph.iosikEv2VpnConfiguration), and of the certificate
// profiles they rely on (SCEP, PKCS and trusted root, see certdecode.go),
// into typed Go values.
//
// It knows the Graph model and nothing of Apple's: it checks JSON types, enum
// spellings and the ranges Microsoft documents, and reports every problem of
// an input at once, each with its JSON path ("$.onDemandRules[1].action"),
// the bad value and what is allowed. Unknown properties are warnings, never
// failures, because newer Graph builds add properties; OData annotations and
// relationships are notes.
//
// The JSON syntax is checked by jsontext (github.com/go-json-experiment/json,
// the text layer of Go's encoding/json/v2), see parse.go; this package adds
// the limits (Limits), duplicate names compared after unescaping, the text
// encodings Windows tools write (UTF-16, see encoding.go), and the shapes
// exports come in (shapes.go): Graph's own, and the Microsoft Graph
// PowerShell SDK's objects through ConvertTo-Json.
package graphjson

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// IKEv2Type is the OData type name this package decodes.
const IKEv2Type = "microsoft.graph.iosikEv2VpnConfiguration"

// ErrorCode is the diagnostic code of an error returned by Split or
// ReadDocumentFrom: the same codes whichever command reports it.
func ErrorCode(err error) string {
	var se *SyntaxError
	var de *DuplicateKeyError
	var ee *EncodingError
	var re *ReadError
	switch {
	case errors.As(err, &re):
		return "read-error"
	case errors.As(err, &se):
		return "json-syntax"
	case errors.As(err, &de):
		return "duplicate-key"
	case errors.As(err, &ee):
		return "encoding"
	case strings.HasPrefix(err.Error(), "$.error:"):
		return "graph-error-response"
	}
	return "not-an-entity"
}

// Decode checks that the item is an IKEv2 VPN configuration and decodes it.
// The returned diagnostics hold every error and warning found (up to
// diag.DefaultMax, then one line that counts the rest); the configuration is
// nil only when the item is not an IKEv2 entity at all. A caller must not use
// a configuration whose diagnostics hold errors.
func Decode(it Item) (*IosikEv2VpnConfiguration, diag.List) {
	var diags diag.List
	if it.Form != "" {
		diags = append(diags, diag.Diagnostic{Severity: diag.Info, Code: "input-shape", Path: it.Path, Message: "read as " + it.Form})
	}
	odataPath := func() string {
		if it.PowerShell {
			return JoinName(JoinName(it.Path, "AdditionalProperties"), "@odata.type")
		}
		return JoinName(it.Path, "@odata.type")
	}
	switch {
	case it.Type == IKEv2Type:
	case it.Type == "" && it.hasIKEv2OnlyProperty():
		diags.Infof("assumed-type", odataPath(), "the object has no @odata.type; it has IKEv2-only properties, so it is read as %s", IKEv2Type)
	case it.Type == "":
		diags.Errorf("missing-type", odataPath(), "the object has no @odata.type and none of the IKEv2-only properties (such as clientAuthenticationType or securityAssociationParameters); graph2mobileconfig converts only %s exports%s", IKEv2Type, missingTypeHint(it))
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
// model struct, and returns diags with its findings appended (at most
// diag.DefaultMax in all, then one line counting the rest); entityType is
// the entity's OData type, for messages. It is the one entry point for
// every top-level type of the model, in Graph's shape or in the PowerShell
// SDK's.
func decodeEntity(it Item, out any, entityType string, diags diag.List) diag.List {
	d := decoder{root: it.Path, entity: &it.Value, stack: make([]int32, 0, 8), known: knownNames(), entityType: entityType}
	d.diags.AddList(diags)
	var taken map[string]string
	var nullLinks []string
	if it.PowerShell {
		taken = map[string]string{}
		d.nullLinks = &nullLinks
	}
	d.object(&it.Value, reflect.ValueOf(out).Elem(), true, it.PowerShell, taken)
	if len(nullLinks) > 0 {
		d.diags.Infof("navigation-property", it.Path, "the relationships %s are null members, as the Graph PowerShell SDK writes them; they are not settings, ignored", strings.Join(nullLinks, ", "))
	}
	return d.diags.List()
}

// missingTypeHint explains an object without @odata.type that looks like
// the PowerShell SDK's output or one of its strings.
func missingTypeHint(it Item) string {
	for _, m := range it.Value.Members() {
		if m.Value.Kind == String && truncatedMarker(m.Value.Text) {
			return "; this looks like a ConvertTo-Json export cut off at its default depth: " + reExport
		}
		if strings.EqualFold(m.Name, "AdditionalProperties") {
			return "; AdditionalProperties, where the Graph PowerShell SDK keeps @odata.type, is not an object here"
		}
	}
	return ""
}

type decoder struct {
	diags      diag.Capped
	root       string // the entity's JSON path
	entity     *Value // the entity's object
	entityType string // the entity's OData type
	// stack is the path from the entity to the value being decoded, as
	// the position of each step among its container's members: it holds
	// no pointers, so pushing costs no GC write barrier.
	stack []int32
	known *nameTable
	// nullLinks collects the relationships the PowerShell SDK writes as
	// null members, for one note instead of one each.
	nullLinks *[]string
	// truncated counts the values ConvertTo-Json cut off, so that the
	// advice is given in full once.
	truncated int
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
	// byFold finds a field by its name in lower case, for the PowerShell
	// SDK's PascalCase members.
	byFold  map[string]field
	byKnown [maxKnownNames]struct {
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
		info := &structInfo{graphType: reflect.Zero(t).Interface().(grapher).GraphType(), byName: map[string]field{}, byFold: map[string]field{}}
		out[t] = info
		for _, f := range computeFields(t) {
			info.byName[f.name] = f
			info.byFold[strings.ToLower(f.name)] = f
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

// object decodes the members of v into the struct rv. top is true for the
// entity itself; fold matches member names in any letter case and reads an
// AdditionalProperties object as more members of the same struct, as the
// PowerShell SDK writes them; taken, when not nil, records the fields set so
// far by their path, so that a property given twice (as a base member and
// in AdditionalProperties) is refused.
func (d *decoder) object(v *Value, rv reflect.Value, top, fold bool, taken map[string]string) {
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
		if fold && strings.EqualFold(m.Name, "AdditionalProperties") {
			d.push(i)
			switch {
			case m.Value.Kind == Object:
				// Its members are Graph JSON, as the service sent it.
				d.object(&m.Value, rv, top, false, taken)
			case m.Value.Kind != Null:
				d.typeError(d.here(), "an object", &m.Value, &field{name: m.Name})
			}
			d.pop()
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
		if fd == nil && fold {
			if f, ok := info.byFold[strings.ToLower(m.Name)]; ok {
				fd = &f
			}
		}
		if fd == nil {
			d.unknownMember(*m, JoinName(d.here(), m.Name), info.graphType, top)
			continue
		}
		d.push(i)
		if taken != nil {
			if first, dup := taken[fd.name]; dup {
				d.diags.Errorf("duplicate-property", d.here(), "%s is given twice, here and at %s (the PowerShell SDK's base properties and AdditionalProperties); the input is ambiguous: remove one", fd.name, first)
				d.pop()
				continue
			}
			taken[fd.name] = d.here()
		}
		if fold && fd.scalar == structKind {
			d.valueFold(&m.Value, rv.FieldByIndex(fd.index), fd)
		} else {
			d.value(&m.Value, rv.FieldByIndex(fd.index), fd)
		}
		d.pop()
	}
}

// valueFold decodes a complex property written by the PowerShell SDK: its
// members in PascalCase, with an AdditionalProperties of its own.
func (d *decoder) valueFold(v *Value, rv reflect.Value, fd *field) {
	if v.Kind != Object || fd.shape != onePointer {
		d.value(v, rv, fd)
		return
	}
	nv := reflect.New(fd.elem)
	d.object(v, nv.Elem(), false, true, map[string]string{})
	rv.Set(nv)
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
		d.diags.Infof("annotation", path, "OData annotation %q is not part of the configuration; ignored", m.Name)
	case strings.HasPrefix(m.Name, "#CustomRef_"):
		d.diags.Infof("backup-tool-reference", path, "%q was added by the IntuneManagement backup tool to restore a reference; not part of the configuration, ignored", m.Name)
	case top && expandedRelationship(d.entityType, m):
		// Decoded on its own: see ExpandedCertificates.
	case top:
		if _, _, ok := navigationProperty(m.Name); ok && m.Value.Kind == Null && d.nullLinks != nil {
			*d.nullLinks = append(*d.nullLinks, m.Name)
			return
		}
		if what, hint, ok := navigationProperty(m.Name); ok {
			d.diags.AddHinted(diag.Info, "navigation-property", path, "", hint, "%q is a Graph relationship (%s), not a setting; ignored", m.Name, what)
			return
		}
		if m.Value.Kind == String && truncatedMarker(m.Value.Text) {
			d.truncatedValue(path, m.Value.Text)
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

// reExport is the advice for an export that ConvertTo-Json cut off.
const reExport = "export again with `ConvertTo-Json -Depth 20`, with the SDK's own Graph JSON (`$config.ToJsonString()`), or with `Invoke-MgGraphRequest -Uri 'beta/deviceManagement/deviceConfigurations/{id}' -OutputFilePath config.json`"

// truncatedMarker reports whether s is what PowerShell's ConvertTo-Json
// writes for an object nested deeper than its -Depth (2 by default): the
// object's .NET type name, or a PSCustomObject's "@{name=value; ...}" text.
func truncatedMarker(s string) bool {
	for _, p := range []string{"System.Collections.", "System.Object[]", "Microsoft.Graph.PowerShell.Models.", "Microsoft.Graph.Beta.PowerShell.Models."} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return strings.HasPrefix(s, "@{") && strings.HasSuffix(s, "}") && strings.Contains(s, "=")
}

func (d *decoder) truncatedValue(path, text string) {
	d.truncated++
	if d.truncated == 1 {
		d.diags.Errorf("truncated-export", path, "ConvertTo-Json cut this value off at its default depth of 2 and wrote %q instead of the settings; %s", truncate(text, 80), reExport)
		return
	}
	d.diags.Errorf("truncated-export", path, "cut off by ConvertTo-Json as well (%q); export again as said above", truncate(text, 80))
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
		d.object(v, rv, false, false, nil)
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
	if v.Kind == String && truncatedMarker(v.Text) && want != "a string" {
		d.truncatedValue(path, v.Text)
		return
	}
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
