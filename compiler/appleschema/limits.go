package appleschema

import "slices"

// ValueLimit is a limit on some values of a key rather than on the key:
// Apple states it in a key's prose, or it shows only in which copy of the
// schema lists a value. The YAML has no field for either, so these facts are
// kept by hand; a test checks each against the generated table.
type ValueLimit struct {
	// Path is the key in the com.apple.vpn.managed payload, in Resolve's
	// syntax ("IKEv2.IKESecurityAssociationParameters.EncryptionAlgorithm").
	Path string
	// Values are the limited values, spelt and typed as the key's RangeList
	// spells them.
	Values []any
	// Introduced is the first iOS version that accepts the values; empty
	// when every version that knows the key does.
	Introduced string
	// Removed is the first iOS version that refuses the values; empty when
	// none does yet.
	Removed string
	// Exact reports that Apple states the versions. When false, Introduced
	// is the release of the first copy of Apple's schema that lists the
	// values, and the values may in fact work on earlier versions.
	Exact bool
	// Source says where the limit comes from, for messages and documents.
	Source string
}

// Supported reports whether iOS version v accepts the limited values.
func (l ValueLimit) Supported(v string) bool {
	return (l.Introduced == "" || CompareVersions(v, l.Introduced) >= 0) &&
		(l.Removed == "" || CompareVersions(v, l.Removed) < 0)
}

const (
	saIKE   = "IKEv2.IKESecurityAssociationParameters."
	saChild = "IKEv2.ChildSecurityAssociationParameters."
	// weakBefore26 quotes the notes of the 27.0 seed copy.
	weakBefore26 = "Apple's schema: \"available only in iOS, macOS, and visionOS prior to iOS 26\""
	// tls13 explains the TLS 1.3 limit.
	tls13 = "Apple's schema lists '1.3' first in the copy of the iOS 27.0 seed (the 18.1 copy does not), without a version of its own"
)

// valueLimits are the limits, by key. Both security-association dictionaries
// share their keys in Apple's schema, so each limit appears for both.
var valueLimits = func() []ValueLimit {
	var out []ValueLimit
	for _, sa := range []string{saIKE, saChild} {
		out = append(out,
			ValueLimit{Path: sa + "EncryptionAlgorithm", Values: []any{"DES", "3DES"}, Removed: "26.0", Exact: true, Source: weakBefore26},
			ValueLimit{Path: sa + "IntegrityAlgorithm", Values: []any{"SHA1-96", "SHA1-160"}, Removed: "26.0", Exact: true, Source: weakBefore26},
			ValueLimit{Path: sa + "DiffieHellmanGroup", Values: []any{int64(1), int64(2), int64(5)}, Removed: "26.0", Exact: true, Source: weakBefore26},
		)
	}
	for _, k := range []string{"IKEv2.TLSMinimumVersion", "IKEv2.TLSMaximumVersion"} {
		out = append(out, ValueLimit{Path: k, Values: []any{"1.3"}, Introduced: "27.0", Source: tls13})
	}
	return out
}()

// ValueLimits returns every value limit.
func ValueLimits() []ValueLimit {
	out := make([]ValueLimit, len(valueLimits))
	for i, l := range valueLimits {
		l.Values = slices.Clone(l.Values)
		out[i] = l
	}
	return out
}

// LimitOf returns the limit on value v of the key at path, if there is one.
// v may be any integer type where the schema spells an integer.
func LimitOf(path string, v any) (ValueLimit, bool) {
	for _, l := range valueLimits {
		if l.Path != path {
			continue
		}
		for _, lv := range l.Values {
			if sameValue(lv, v) {
				l.Values = slices.Clone(l.Values)
				return l, true
			}
		}
	}
	return ValueLimit{}, false
}

func sameValue(schema, v any) bool {
	switch s := schema.(type) {
	case string:
		x, ok := v.(string)
		return ok && x == s
	case int64:
		switch x := v.(type) {
		case int:
			return int64(x) == s
		case int64:
			return x == s
		case uint64:
			return s >= 0 && x == uint64(s)
		case float64:
			return x == float64(s)
		}
	}
	return false
}
