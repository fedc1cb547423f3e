package profile

// Dict is a decoded property list dictionary, with accessors that report
// whether a key holds a value of the wanted type. Real profiles carry the
// wrong types often enough (<true/> where Apple wants <integer>1</integer>,
// a number as a string) that a view must not assume them; lint reports
// them.
type Dict map[string]any

// String returns the string at key.
func (d Dict) String(key string) (string, bool) {
	s, ok := d[key].(string)
	return s, ok
}

// Int returns the integer at key, if it fits an int64.
func (d Dict) Int(key string) (int64, bool) {
	switch n := d[key].(type) {
	case uint64:
		if n <= 1<<63-1 {
			return int64(n), true
		}
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}

// Flag returns a 0/1 setting: Apple's schema types them as <integer> 0 or
// 1, and some tools write <true/> or <false/>, which devices read the same
// way. Any other value is not a flag.
func (d Dict) Flag(key string) (bool, bool) {
	if b, ok := d[key].(bool); ok {
		return b, true
	}
	switch n, ok := d.Int(key); {
	case ok && n == 0:
		return false, true
	case ok && n == 1:
		return true, true
	}
	return false, false
}

// Data returns the data at key.
func (d Dict) Data(key string) ([]byte, bool) {
	b, ok := d[key].([]byte)
	return b, ok
}

// Dict returns the dictionary at key.
func (d Dict) Dict(key string) (Dict, bool) {
	m, ok := d[key].(map[string]any)
	return m, ok
}

// Array returns the array at key.
func (d Dict) Array(key string) ([]any, bool) {
	a, ok := d[key].([]any)
	return a, ok
}

// Strings returns the strings of the array at key, leaving out elements
// that are not strings.
func (d Dict) Strings(key string) []string {
	a, _ := d.Array(key)
	var out []string
	for _, e := range a {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
