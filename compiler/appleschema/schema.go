// Package appleschema holds the facts of Apple's configuration-profile schema
// that the compiler checks its output against: for each payload type, which
// keys exist, their plist types, allowed values, defaults and the iOS
// versions that support them.
//
// The facts come from Apple's own machine-readable schema (the YAML of
// github.com/apple/device-management), copied unedited into
// testdata/apple-device-management and turned into a Go table by go generate,
// so the compiler never depends on a hand-transcribed copy of Apple's
// documentation. Only iOS availability is kept; other operating systems and
// all descriptive prose are left out.
//
// The table cannot be changed by callers: every function returns a fresh
// copy.
package appleschema

//go:generate go run ./internal/gen -in ../../testdata/apple-device-management -out schema_gen.go

import (
	"maps"
	"slices"
	"strings"
	"sync"
)

// Type is a plist value type as Apple's schema names it.
type Type string

// The plist value types. They are the schema's type names without the angle
// brackets ("<integer>" is Integer).
const (
	String     Type = "string"
	Integer    Type = "integer"
	Real       Type = "real"
	Boolean    Type = "boolean"
	Date       Type = "date"
	Data       Type = "data"
	Array      Type = "array"
	Dictionary Type = "dictionary"
	// Any accepts every plist type; the schema does not validate the value.
	Any Type = "any"
)

// Support is one operating system's availability entry, as the schema's
// supportedOS object states it for iOS.
//
// Empty fields mean "not stated here": the value is inherited from the
// enclosing key or the payload (see Payload.Resolve). Introduced may be
// "n/a", meaning the payload or key is not available on the OS at all.
type Support struct {
	Introduced string // first version that supports it
	Deprecated string // version from which it is deprecated but still honoured
	Removed    string // first version that no longer supports it
	Supervised bool   // only honoured on supervised devices
}

// Key describes one key of a payload dictionary, or the elements of an array.
//
// Apple's schema describes an array by a single subkey that stands for every
// element; such a Key has IsElement set and its Name is the schema's
// placeholder name (for example "DomainsElement"), which never appears in a
// profile.
type Key struct {
	// Name is the plist key name, or the schema's placeholder name when
	// IsElement or AnyName is set.
	Name string
	// IsElement reports that the key describes the elements of the
	// enclosing array rather than a dictionary entry.
	IsElement bool
	// AnyName reports that the schema names the key "ANY": an entry of the
	// enclosing dictionary may have any name (as in a language-code
	// dictionary).
	AnyName bool
	// Type is the plist type of the value; it is never empty.
	Type Type
	// Required reports that the schema's presence is "required".
	Required bool
	// RangeList holds the allowed values, if the schema restricts them.
	// Each value is a string, int64, float64 or bool, as the YAML spelled it;
	// for example TLSMinimumVersion's "1.2" is a string because the key is
	// a <string> and the YAML quotes it.
	RangeList []any
	// Min and Max are the inclusive bounds of the schema's range, or nil.
	Min, Max *float64
	// Default is the value the device assumes when the key is absent,
	// typed like RangeList, or nil when the schema states none.
	Default any
	// Format is a regular expression the value must match, if the schema
	// gives one.
	Format string
	// IOS is the key's own iOS entry; it is not merged with the entries of
	// the enclosing keys or the payload (see Payload.Resolve for that).
	IOS Support
	// Subkeys are the keys of a dictionary, or the single element key of an
	// array.
	Subkeys []Key
}

// Payload describes one payload type: the keys its dictionary may contain
// and where it is supported.
//
// Besides the real payload types, the table has two pseudo-payloads:
// "TopLevel" for the outer profile dictionary and "CommonPayloadKeys" for the
// keys that every inner payload dictionary carries in addition to its own.
type Payload struct {
	// Type is the PayloadType, for example "com.apple.vpn.managed".
	Type string
	// IOS is the payload's iOS entry. Keys that do not state a field
	// inherit it from here.
	IOS Support
	// Multiple reports that a device accepts more than one payload of this
	// type.
	Multiple bool
	// Keys are the payload's own keys, in the schema's order.
	Keys []Key
}

// Payloads returns every payload of the schema, ordered by Type.
func Payloads() []Payload {
	out := make([]Payload, len(payloads))
	for i, p := range payloads {
		out[i] = p.clone()
	}
	return out
}

// Lookup returns the payload whose Type is payloadType.
func Lookup(payloadType string) (Payload, bool) {
	for _, p := range payloads {
		if p.Type == payloadType {
			return p.clone(), true
		}
	}
	return Payload{}, false
}

// Resolve finds the key at path inside the payload and works out where it is
// supported on iOS.
//
// A path names dictionary keys joined by "."; "[]" after an array key steps
// into its elements. For example:
//
//	IKEv2.MTU
//	IKEv2.IKESecurityAssociationParameters.DiffieHellmanGroup
//	IKEv2.OnDemandRules[].ActionParameters[].DomainAction
//	AlwaysOn.TunnelConfigurations[].Interfaces[]
//
// A name matches the key of that name, or else a key the schema names "ANY".
// Placeholder element names are not path steps: use "[]" instead.
//
// The returned Support follows the schema's inheritance rule: each of
// Introduced, Deprecated and Removed comes from the deepest key on the path
// that states it, else from the payload. Supervised is true if the payload or
// any key on the path requires supervision: a Key can only say "supervised"
// or "not stated", and the generator rejects a schema in which a nested key
// states supervised: false inside a supervised-only one.
//
// The returned Key shares its slices with p. Resolve reports false if path is
// malformed or does not exist.
func (p Payload) Resolve(path string) (Key, Support, bool) {
	if path == "" {
		return Key{}, Support{}, false
	}
	eff := p.IOS
	inherit := func(s Support) { eff = eff.Inherit(s) }

	keys := p.Keys
	var cur *Key
	for seg := range strings.SplitSeq(path, ".") {
		name, steps := seg, 0
		for strings.HasSuffix(name, "[]") {
			name = strings.TrimSuffix(name, "[]")
			steps++
		}
		if name == "" {
			return Key{}, Support{}, false
		}
		if cur != nil && cur.Type != Dictionary {
			return Key{}, Support{}, false
		}
		if cur = FindKey(keys, name); cur == nil {
			return Key{}, Support{}, false
		}
		inherit(cur.IOS)
		for range steps {
			if cur.Type != Array || len(cur.Subkeys) != 1 || !cur.Subkeys[0].IsElement {
				return Key{}, Support{}, false
			}
			cur = &cur.Subkeys[0]
			inherit(cur.IOS)
		}
		keys = cur.Subkeys
	}
	return *cur, eff, true
}

// SupportOf returns the effective iOS support of the key at path in the
// payload of type payloadType (see Payload.Resolve), without copying
// anything: the cheap path for callers that check many keys.
func SupportOf(payloadType, path string) (Support, bool) {
	s, ok := supportIndex()[payloadType][path]
	return s, ok
}

// Supports returns the effective iOS support of every key path of the
// payload of type payloadType, in Resolve's syntax, as a new map that the
// caller owns: for callers that check many keys of one payload, which can
// keep it instead of naming the payload in every lookup.
func Supports(payloadType string) map[string]Support {
	return maps.Clone(supportIndex()[payloadType])
}

// supportIndex maps every key path of every payload, in Resolve's syntax
// ("IKEv2.OnDemandRules[].Action"), to its effective support. It is built
// once from the immutable table and only read afterwards.
var supportIndex = sync.OnceValue(func() map[string]map[string]Support {
	out := map[string]map[string]Support{}
	for _, p := range payloads {
		idx := map[string]Support{}
		var walk func(keys []Key, prefix string)
		walk = func(keys []Key, prefix string) {
			for _, k := range keys {
				if k.IsElement || k.AnyName {
					continue
				}
				path := prefix + k.Name
				_, sup, ok := p.Resolve(path)
				if !ok {
					continue
				}
				idx[path] = sup
				sub := k.Subkeys
				suffix := "."
				for len(sub) == 1 && sub[0].IsElement {
					path += "[]"
					if _, s, ok := p.Resolve(path); ok {
						idx[path] = s
					}
					sub = sub[0].Subkeys
				}
				walk(sub, path+suffix)
			}
		}
		walk(p.Keys, "")
		out[p.Type] = idx
	}
	return out
})

// Find resolves path in the payload of type payloadType, like
// Lookup(payloadType) followed by Resolve, without copying the whole payload:
// it is the cheap path for callers that check many keys. The returned Key is a
// copy of the one key found, its subkeys included.
func Find(payloadType, path string) (Key, Support, bool) {
	for i := range payloads {
		if payloads[i].Type == payloadType {
			k, s, ok := payloads[i].Resolve(path)
			if !ok {
				return Key{}, Support{}, false
			}
			return cloneKeys([]Key{k})[0], s, true
		}
	}
	return Key{}, Support{}, false
}

// Inherit returns the support of a key whose enclosing key or payload has
// support s and whose own entry is own: each field the key states replaces
// the enclosing one, and supervision is required if either requires it.
func (s Support) Inherit(own Support) Support {
	if own.Introduced != "" {
		s.Introduced = own.Introduced
	}
	if own.Deprecated != "" {
		s.Deprecated = own.Deprecated
	}
	if own.Removed != "" {
		s.Removed = own.Removed
	}
	s.Supervised = s.Supervised || own.Supervised
	return s
}

// FindKey returns the dictionary entry called name among keys, preferring a
// key with exactly that name over an "ANY" key, or nil.
func FindKey(keys []Key, name string) *Key {
	var anyKey *Key
	for i := range keys {
		k := &keys[i]
		switch {
		case k.IsElement:
		case k.AnyName:
			if anyKey == nil {
				anyKey = k
			}
		case k.Name == name:
			return k
		}
	}
	return anyKey
}

// NewestIOS returns the highest iOS version that any payload or key of the
// schema names as introduced: the newest version in which a key the table
// holds arrived. It can be older than the release the copy describes (see
// SchemaRelease), since not every release adds keys to these payloads.
func NewestIOS() string { return newestIOS() }

// Release says which release of Apple's schema the table was generated
// from. Apple's YAML does not say whether its commit is a release or a beta
// seed, so the project records it beside the copy
// (testdata/apple-device-management/RELEASE).
type Release struct {
	// Commit is the apple/device-management commit of the copy.
	Commit string
	// IOS is the iOS version that commit describes, such as "27.0".
	IOS string
	// Seed reports that IOS is a beta seed: its keys may still change
	// before Apple releases it.
	Seed bool
	// NewestReleasedIOS is the newest released iOS version the copy
	// describes; it equals IOS unless Seed is set.
	NewestReleasedIOS string
}

// SchemaRelease returns the release of Apple's schema the table describes.
func SchemaRelease() Release { return release }

// newestIOS is computed once: the table never changes.
var newestIOS = sync.OnceValue(func() string {
	newest := ""
	var walk func([]Key)
	consider := func(v string) {
		if isVersion(v) && (newest == "" || CompareVersions(v, newest) > 0) {
			newest = v
		}
	}
	walk = func(keys []Key) {
		for _, k := range keys {
			consider(k.IOS.Introduced)
			walk(k.Subkeys)
		}
	}
	for _, p := range payloads {
		consider(p.IOS.Introduced)
		walk(p.Keys)
	}
	return newest
})

func (p Payload) clone() Payload {
	p.Keys = cloneKeys(p.Keys)
	return p
}

func cloneKeys(keys []Key) []Key {
	if keys == nil {
		return nil
	}
	out := make([]Key, len(keys))
	for i, k := range keys {
		// RangeList and Default hold only immutable scalars, so copying the
		// slice is enough.
		k.RangeList = slices.Clone(k.RangeList)
		if k.Min != nil {
			k.Min = new(*k.Min)
		}
		if k.Max != nil {
			k.Max = new(*k.Max)
		}
		k.Subkeys = cloneKeys(k.Subkeys)
		out[i] = k
	}
	return out
}
