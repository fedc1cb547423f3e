package graphjson

import (
	"reflect"
	"strings"
	"sync"
)

// Property describes one property of the Graph model, for documentation and
// for the compiler's check that every property has a mapping.
type Property struct {
	// Path is the property's path relative to the entity: "mtuSizeInBytes",
	// "server.address", "onDemandRules[].action".
	Path string
	// DeclaredOn is the Graph type that declares it ("appleVpnConfiguration").
	DeclaredOn string
	// Type is the Graph (EDM) type: "Edm.String", "Collection(Edm.String)",
	// an enum or complex type name.
	Type string
	// Secret marks values that must never be printed.
	Secret bool
	// Complex reports whether the property holds a complex type (whose
	// members are listed as their own properties).
	Complex bool
}

// Properties lists every property of microsoft.graph.iosikEv2VpnConfiguration
// in model order, each top-level property followed by the members of its
// complex type.
func Properties() []Property {
	var out []Property
	collect(reflect.TypeFor[IosikEv2VpnConfiguration](), "", &out)
	return out
}

// TopLevelProperties lists the 64 structural properties of the entity.
func TopLevelProperties() []Property {
	var out []Property
	for _, p := range Properties() {
		if !strings.ContainsAny(p.Path, ".[") {
			out = append(out, p)
		}
	}
	return out
}

func collect(t reflect.Type, prefix string, out *[]Property) {
	declared := reflect.Zero(t).Interface().(grapher).GraphType()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			collect(f.Type, prefix, out)
			continue
		}
		name, opts := parseTag(f.Tag.Get("graph"))
		if name == "" {
			continue
		}
		p := Property{Path: prefix + name, DeclaredOn: declared}
		for _, o := range opts {
			if o == "secret" {
				p.Secret = true
			}
		}
		ft := f.Type
		collection := false
		if ft.Kind() == reflect.Slice {
			collection = true
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		var typeName string
		switch {
		case ft.Implements(enumerType):
			typeName, _ = reflect.Zero(ft).Interface().(enumer).GraphEnum()
		case ft.Kind() == reflect.Struct:
			typeName = reflect.Zero(ft).Interface().(grapher).GraphType()
			p.Complex = true
		case ft.Implements(edmTyperType):
			typeName = reflect.Zero(ft).Interface().(edmTyper).EdmType()
		case ft.Kind() == reflect.String:
			typeName = "Edm.String"
			if strings.HasSuffix(name, "DateTime") {
				typeName = "Edm.DateTimeOffset"
			}
		case ft.Kind() == reflect.Bool:
			typeName = "Edm.Boolean"
		case ft.Kind() == reflect.Int32:
			typeName = "Edm.Int32"
		}
		if collection {
			typeName = "Collection(" + typeName + ")"
		}
		p.Type = typeName
		*out = append(*out, p)
		if ft.Kind() == reflect.Struct {
			sub := p.Path + "."
			if collection {
				sub = p.Path + "[]."
			}
			collect(ft, sub, out)
		}
	}
}

// maxKnownNames bounds the model's names (a test checks they fit): the
// decoder keeps, per model type, a table indexed by name index.
const maxKnownNames = 256

// nameTable is the set of names the parser shares instead of copying.
type nameTable struct {
	names []string
	index map[string]int
}

// knownNames holds every member name of the model, and the annotations
// exports carry, for the parser to share instead of copying and for the
// decoder to find fields by index. It is built once and only read
// afterwards.
var knownNames = sync.OnceValue(func() *nameTable {
	t := &nameTable{index: map[string]int{}}
	add := func(name string) {
		if _, ok := t.index[name]; !ok && len(t.names) < maxKnownNames {
			t.index[name] = len(t.names)
			t.names = append(t.names, name)
		}
	}
	for _, n := range []string{"@odata.type", "@odata.context", "@odata.nextLink", "value"} {
		add(n)
	}
	for _, p := range Properties() {
		name := p.Path
		if i := strings.LastIndexAny(name, "."); i >= 0 {
			name = name[i+1:]
		}
		add(name)
	}
	return t
})
