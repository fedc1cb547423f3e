package plistout

import (
	"encoding/binary"
	"fmt"
)

// This file checks the structure of a binary property list before
// howett.net/plist reads it. A binary property list is a table of objects
// that refer to each other by number; howett.net/plist (like every reader
// that builds a tree) expands each reference, so an array that refers twice
// to an array that refers twice to an array… expands 2^N-fold, and a cycle
// never ends. The scan walks the references from the top object, without
// recursion, and refuses:
//
//   - an array or dictionary that is reached a second time (a reuse or a
//     cycle), unless it is empty; strings, numbers, dates and data may be
//     shared, as every writer does (howett.net/plist and CoreFoundation
//     store each distinct one once);
//   - nesting deeper than the depth limit, and more references than the
//     value budget (MaxNodesPerByte per byte of input);
//   - any object that howett.net/plist would read out of bounds, or with a
//     size it cannot handle, so that it never fails in the middle.

// bplistTrailerSize is the size of the trailer at the end of the file.
const bplistTrailerSize = 32

type bplistScan struct {
	data       []byte
	offsetSize uint64 // bytes per entry of the offset table
	refSize    uint64 // bytes per object reference
	numObjects uint64
	top        uint64
	tableStart uint64 // where the offset table starts: objects end there
}

// bplistObject is what the scan needs of one object.
type bplistObject struct {
	offset    uint64
	tag       byte // the high nibble: the type
	count     uint64
	refsStart uint64 // arrays and dictionaries: where the references start
}

func (o bplistObject) isContainer() bool { return o.tag == 0xA || o.tag == 0xD }

// refs is the number of references a container holds: a dictionary holds
// its keys, then its values.
func (o bplistObject) refs() uint64 {
	if o.tag == 0xD {
		return 2 * o.count
	}
	return o.count
}

func binaryError(offset uint64, format string, args ...any) error {
	return &Error{Format: Binary, Offset: int64(offset), Reason: fmt.Sprintf(format, args...)}
}

func binaryLimit(offset uint64, reason string) error {
	return &Error{Format: Binary, Offset: int64(offset), Reason: reason, limit: true}
}

// scanBinary checks data, which starts with "bplist", as described above.
func scanBinary(data []byte, maxDepth, maxNodes int) error {
	if len(data) < 8+bplistTrailerSize {
		return &Error{Format: Binary, Offset: -1, Reason: "the binary property list is shorter than its header and trailer"}
	}
	if v := string(data[6:8]); v != "00" && v != "01" {
		return binaryError(6, "an unsupported binary property list version")
	}
	t := data[len(data)-bplistTrailerSize:]
	s := &bplistScan{
		data:       data,
		offsetSize: uint64(t[6]),
		refSize:    uint64(t[7]),
		numObjects: binary.BigEndian.Uint64(t[8:]),
		top:        binary.BigEndian.Uint64(t[16:]),
		tableStart: binary.BigEndian.Uint64(t[24:]),
	}
	trailerStart := uint64(len(data) - bplistTrailerSize)
	switch {
	case !validIntSize(s.offsetSize) || !validIntSize(s.refSize):
		return binaryError(trailerStart, "the trailer gives an offset or reference size other than 1, 2, 4 or 8 bytes")
	case s.tableStart < 9 || s.tableStart >= trailerStart:
		return binaryError(trailerStart, "the trailer places the offset table outside the file's body")
	case s.numObjects == 0 || s.numObjects > (trailerStart-s.tableStart)/s.offsetSize ||
		s.numObjects*s.offsetSize != trailerStart-s.tableStart:
		return binaryError(trailerStart, "the offset table does not fill the space between the objects and the trailer")
	case s.offsetSize < 8 && 1<<(8*s.offsetSize) <= s.tableStart:
		return binaryError(trailerStart, "the offset size is too small to address every object")
	case s.refSize < 8 && s.numObjects > 1<<(8*s.refSize):
		return binaryError(trailerStart, "more objects than the reference size can number")
	case s.top >= s.numObjects:
		return binaryError(trailerStart, "the top object does not exist")
	}
	return s.walk(maxDepth, maxNodes)
}

func validIntSize(n uint64) bool { return n == 1 || n == 2 || n == 4 || n == 8 }

// uint reads a big-endian unsigned integer of n bytes at off.
func (s *bplistScan) uint(off, n uint64) uint64 {
	var v uint64
	for _, b := range s.data[off : off+n] {
		v = v<<8 | uint64(b)
	}
	return v
}

// object reads and checks object number i.
func (s *bplistScan) object(i uint64) (bplistObject, error) {
	if i >= s.numObjects {
		return bplistObject{}, binaryError(s.tableStart, "a reference to object %d of %d", i, s.numObjects)
	}
	off := s.uint(s.tableStart+i*s.offsetSize, s.offsetSize)
	if off < 8 || off >= s.tableStart {
		return bplistObject{}, binaryError(s.tableStart+i*s.offsetSize, "the offset of object %d lies outside the objects", i)
	}
	o := bplistObject{offset: off, tag: s.data[off] >> 4}
	low := uint64(s.data[off] & 0x0F)
	// fits reports whether n bytes from at lie within the objects.
	fits := func(at, n uint64) bool { return at <= s.tableStart && n <= s.tableStart-at }
	switch o.tag {
	case 0x0: // false, true; howett.net/plist reads no other singleton
		if low != 0x8 && low != 0x9 {
			return o, binaryError(off, "an unsupported singleton object")
		}
	case 0x1: // integer of 2^low bytes
		if n := uint64(1) << low; low > 4 || !fits(off+1, n) {
			return o, binaryError(off, "a malformed integer")
		}
	case 0x2: // real of 4 or 8 bytes
		if (low != 2 && low != 3) || !fits(off+1, 1<<low) {
			return o, binaryError(off, "a malformed real")
		}
	case 0x3: // date: an 8-byte real
		if !fits(off+1, 8) {
			return o, binaryError(off, "a malformed date")
		}
	case 0x8: // UID of low+1 bytes
		if !validIntSize(low+1) || !fits(off+1, low+1) {
			return o, binaryError(off, "a malformed UID")
		}
	case 0x4, 0x5, 0x6, 0xA, 0xD: // data, ASCII, UTF-16, array, dictionary
		count, start, err := s.count(off, low)
		if err != nil {
			return o, err
		}
		var unit uint64 // bytes per element
		switch o.tag {
		case 0x4, 0x5:
			unit = 1
		case 0x6:
			unit = 2
		case 0xA:
			unit = s.refSize
		case 0xD:
			unit = 2 * s.refSize
		}
		if count > (s.tableStart-start)/unit {
			return o, binaryError(off, "an object runs into the offset table")
		}
		o.count, o.refsStart = count, start
	default:
		return o, binaryError(off, "an unsupported object type")
	}
	return o, nil
}

// count reads the element count of a data, string, array or dictionary
// object: the tag's low nibble, or an integer object after the tag when
// the nibble is 0xF. It returns where the contents start.
func (s *bplistScan) count(off, low uint64) (count, start uint64, err error) {
	if low != 0xF {
		return low, off + 1, nil
	}
	if off+2 > s.tableStart {
		return 0, 0, binaryError(off, "a malformed count")
	}
	tag := s.data[off+1]
	n := uint64(1) << (tag & 0x0F)
	if tag>>4 != 0x1 || !validIntSize(n) || off+2+n > s.tableStart {
		return 0, 0, binaryError(off, "a malformed count")
	}
	return s.uint(off+2, n), off + 2 + n, nil
}

// bplistFrame is a container being walked.
type bplistFrame struct {
	obj  bplistObject
	next uint64 // index of the next reference
}

// walk visits every object reachable from the top one.
func (s *bplistScan) walk(maxDepth, maxNodes int) error {
	// Containers are marked by offset, not by number: two numbers may
	// name the same bytes, which expands like a reused reference.
	seen := make([]uint64, (len(s.data)+63)/64)
	mark := func(o bplistObject) bool {
		w, bit := o.offset/64, uint64(1)<<(o.offset%64)
		if seen[w]&bit != 0 {
			return false
		}
		seen[w] |= bit
		return true
	}
	top, err := s.object(s.top)
	if err != nil {
		return err
	}
	nodes := 1
	if !top.isContainer() {
		return nil
	}
	mark(top)
	stack := []bplistFrame{{obj: top}}
	if len(stack) > maxDepth {
		return binaryLimit(top.offset, tooDeep(maxDepth))
	}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.next == f.obj.refs() {
			stack = stack[:len(stack)-1]
			continue
		}
		at := f.obj.refsStart + f.next*s.refSize
		isKey := f.obj.tag == 0xD && f.next < f.obj.count
		f.next++
		if nodes++; nodes > maxNodes {
			return binaryLimit(at, tooManyNodes(len(s.data)))
		}
		child, err := s.object(s.uint(at, s.refSize))
		if err != nil {
			return err
		}
		if isKey && child.tag != 0x5 && child.tag != 0x6 {
			return binaryError(child.offset, "a dictionary key that is not a string")
		}
		if !child.isContainer() || child.count == 0 {
			continue
		}
		if !mark(child) {
			return binaryLimit(child.offset, "the binary property list uses one array or dictionary in two places, or inside itself: it would expand without bound")
		}
		stack = append(stack, bplistFrame{obj: child})
		if len(stack) > maxDepth {
			return binaryLimit(child.offset, tooDeep(maxDepth))
		}
	}
	return nil
}
