package compiler

import (
	"slices"
	"strings"
)

// Dict is a dictionary of the profile model. It hands its keys out sorted,
// in the order a property list writes them, so that plistout encodes it
// without a map or a sort (it has the methods of plistout.SortedDict). A
// profile's dictionaries hold a few to a few dozen keys, where a slice is
// smaller and faster to fill than a map: keys are appended as they are set
// and put in order once, when the dictionary is first read in order.
//
// The zero value is an empty dictionary ready to use. Values are the
// profile model's: string, int, bool, []byte, []string, []any and *Dict. A
// Dict is not safe for concurrent use, not even for reading.
type Dict struct {
	entries []Entry
	// unsorted is set when entries may be out of order or hold a key more
	// than once, in which case the last one counts.
	unsorted bool
}

// Entry is one key of a Dict and its value.
type Entry struct {
	Key   string
	Value any
}

// dictOf returns a dictionary holding the given entries.
func dictOf(entries ...Entry) *Dict {
	// Room for a few more keys: most dictionaries get some after this.
	d := &Dict{entries: make([]Entry, 0, len(entries)+4)}
	for _, e := range entries {
		d.Set(e.Key, e.Value)
	}
	return d
}

// Len returns the number of keys.
func (d *Dict) Len() int {
	d.sort()
	return len(d.entries)
}

// At returns the i-th key, in ascending byte order, and its value.
func (d *Dict) At(i int) (string, any) {
	d.sort()
	return d.entries[i].Key, d.entries[i].Value
}

// Get returns the value of key, if the dictionary has it.
func (d *Dict) Get(key string) (any, bool) {
	if d == nil {
		return nil, false
	}
	if d.unsorted {
		for i := len(d.entries) - 1; i >= 0; i-- {
			if d.entries[i].Key == key {
				return d.entries[i].Value, true
			}
		}
		return nil, false
	}
	i, ok := d.find(key)
	if !ok {
		return nil, false
	}
	return d.entries[i].Value, true
}

// Set gives key the value v, adding the key if it is new.
func (d *Dict) Set(key string, v any) {
	if n := len(d.entries); n > 0 && !d.unsorted {
		switch last := d.entries[n-1].Key; {
		case key == last:
			d.entries[n-1].Value = v
			return
		case key < last:
			d.unsorted = true
		}
	}
	d.entries = append(d.entries, Entry{Key: key, Value: v})
}

// Delete removes key, if the dictionary has it.
func (d *Dict) Delete(key string) {
	d.sort()
	if i, ok := d.find(key); ok {
		d.entries = slices.Delete(d.entries, i, i+1)
	}
}

func (d *Dict) find(key string) (int, bool) {
	return slices.BinarySearchFunc(d.entries, key, func(e Entry, k string) int { return strings.Compare(e.Key, k) })
}

// sort puts the entries in key order and keeps the last value of a key set
// twice. It orders indices, then moves each entry once, in place: moving a
// value that holds pointers costs a write barrier while the garbage
// collector runs, and a new slice would cost an allocation.
func (d *Dict) sort() {
	if !d.unsorted {
		return
	}
	d.unsorted = false
	e := d.entries
	var onStack [64]int
	order := onStack[:0]
	for i := range e {
		order = append(order, i)
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := strings.Compare(e[a].Key, e[b].Key); c != 0 {
			return c
		}
		return a - b // a key set twice: the later one last
	})
	// Apply the permutation (position j receives entry order[j]) one
	// cycle at a time.
	for i := range order {
		if order[i] == i {
			continue
		}
		held := e[i]
		j := i
		for {
			k := order[j]
			order[j] = j
			if k == i {
				e[j] = held
				break
			}
			e[j] = e[k]
			j = k
		}
	}
	// Keep the last of each run of equal keys.
	out := e[:0]
	for i := range e {
		if i+1 < len(e) && e[i+1].Key == e[i].Key {
			continue
		}
		out = append(out, e[i])
	}
	clear(e[len(out):])
	d.entries = out
}

// DictOf returns a dictionary holding the keys of m, with the same values.
// It lets code that has a decoded profile (a map) use what works on the
// compiler's model.
func DictOf(m map[string]any) *Dict {
	d := &Dict{entries: make([]Entry, 0, len(m))}
	for k, v := range m {
		d.entries = append(d.entries, Entry{Key: k, Value: v})
	}
	slices.SortFunc(d.entries, func(a, b Entry) int { return strings.Compare(a.Key, b.Key) })
	return d
}

// getInt returns the int value of key, if it has one.
func getInt(d *Dict, key string) (int, bool) {
	v, _ := d.Get(key)
	n, ok := v.(int)
	return n, ok
}

// Map returns the dictionary as the plain Go values a property list
// decoder gives (map[string]any, []any), for code that reads a profile
// either way, such as lint.
func (d *Dict) Map() map[string]any {
	d.sort()
	m := make(map[string]any, len(d.entries))
	for _, e := range d.entries {
		m[e.Key] = plainValue(e.Value)
	}
	return m
}

func plainValue(v any) any {
	switch x := v.(type) {
	case *Dict:
		return x.Map()
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = plainValue(el)
		}
		return out
	}
	return v
}

// MarshalPlist lets howett.net/plist, which writes binary property lists,
// encode a Dict.
func (d *Dict) MarshalPlist() (any, error) { return d.Map(), nil }
