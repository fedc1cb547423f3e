package graphjson

import "strings"

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
	// Offset is the byte offset of the value in the (UTF-8) input.
	Offset int32
	// Text is the string value (unescaped), or the literal text of a number.
	Text string
	// kids are the members of an object, or the elements of an array (with
	// empty names).
	kids []Member
}

// Member is one name/value pair of a JSON object. Name is unescaped.
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
// Names are compared after unescaping: the parser stores them unescaped and
// refuses an object that names a member twice, however it is spelled.
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

// getFold returns the first member whose name equals name in any letter
// case, and its position.
func (v *Value) getFold(name string) (*Value, int, bool) {
	if v.Kind != Object {
		return nil, -1, false
	}
	for i := range v.kids {
		if strings.EqualFold(v.kids[i].Name, name) {
			return &v.kids[i].Value, i, true
		}
	}
	return nil, -1, false
}
