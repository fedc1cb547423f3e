package graphjson

import (
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// encoding is the text encoding an input was read in.
type encoding struct {
	name string // as said in messages: "UTF-8", "UTF-16 LE", ...
	bom  int    // bytes of a UTF-8 byte order mark, which stay counted in columns
	// transcoded reports that the text was decoded into a new buffer.
	transcoded bool
}

// resave is the advice for an input in an encoding we do not read.
const resave = "re-save it as UTF-8 (PowerShell 7: Out-File -Encoding utf8; Windows PowerShell 5.1: Out-File -Encoding UTF8, or Set-Content -Encoding UTF8; in an editor, “Save with encoding: UTF-8”)"

// textForm is what the first bytes of an input say about its encoding:
// where its text starts, whether it is UTF-16 (and which byte order), or the
// error for an encoding we do not read.
type textForm struct {
	enc       encoding
	skip      int // bytes of a byte order mark
	utf16     bool
	bigEndian bool
	err       error
}

// detect reads the encoding from the first bytes of an input (at least
// four when there are four).
func detect(prefix []byte) textForm {
	switch {
	case hasPrefix(prefix, 0x00, 0x00, 0xFE, 0xFF):
		return textForm{enc: encoding{name: "UTF-32 BE"}, err: utf32Error("UTF-32 BE (big-endian), with a byte order mark")}
	case hasPrefix(prefix, 0xFF, 0xFE, 0x00, 0x00):
		return textForm{enc: encoding{name: "UTF-32 LE"}, err: utf32Error("UTF-32 LE (little-endian), with a byte order mark")}
	case hasPrefix(prefix, 0xEF, 0xBB, 0xBF):
		return textForm{enc: encoding{name: "UTF-8 with a byte order mark", bom: 3}, skip: 3}
	case hasPrefix(prefix, 0xFE, 0xFF):
		return textForm{enc: encoding{name: "UTF-16 BE"}, skip: 2, utf16: true, bigEndian: true}
	case hasPrefix(prefix, 0xFF, 0xFE):
		return textForm{enc: encoding{name: "UTF-16 LE"}, skip: 2, utf16: true}
	}
	// Without a byte order mark: the first character of a JSON text is
	// ASCII, so the pattern of NUL bytes in the first four tells the
	// encoding (RFC 4627, section 3).
	if len(prefix) >= 4 {
		z := [4]bool{prefix[0] == 0, prefix[1] == 0, prefix[2] == 0, prefix[3] == 0}
		switch z {
		case [4]bool{true, true, true, false}:
			return textForm{enc: encoding{name: "UTF-32 BE"}, err: utf32Error("UTF-32 BE (big-endian), without a byte order mark")}
		case [4]bool{false, true, true, true}:
			return textForm{enc: encoding{name: "UTF-32 LE"}, err: utf32Error("UTF-32 LE (little-endian), without a byte order mark")}
		case [4]bool{true, false, true, false}:
			return textForm{enc: encoding{name: "UTF-16 BE without a byte order mark"}, utf16: true, bigEndian: true}
		case [4]bool{false, true, false, true}:
			return textForm{enc: encoding{name: "UTF-16 LE without a byte order mark"}, utf16: true}
		}
	}
	return textForm{enc: encoding{name: "UTF-8"}}
}

// toUTF8 returns the input as UTF-8 text. JSON is UTF-8 (RFC 8259), but
// Windows PowerShell 5.1 writes UTF-16 LE with a byte order mark for `>` and
// Out-File, and backup tools running on it do the same, so UTF-16 (LE or BE,
// with a byte order mark, or without one where the NUL bytes of the first
// characters make it certain, as RFC 4627 describes) is decoded. UTF-32 is
// refused with a message that says how to re-save the file. A UTF-8 byte
// order mark is dropped. Anything else is left to the JSON parser, which
// checks that it is valid UTF-8.
func toUTF8(data []byte) ([]byte, encoding, error) {
	f := detect(data)
	switch {
	case f.err != nil:
		return nil, f.enc, f.err
	case f.utf16:
		return fromUTF16(data[f.skip:], f.bigEndian, f.enc.name)
	}
	return data[f.skip:], f.enc, nil
}

func hasPrefix(data []byte, p ...byte) bool {
	if len(data) < len(p) {
		return false
	}
	for i, c := range p {
		if data[i] != c {
			return false
		}
	}
	return true
}

func utf32Error(what string) error {
	return &EncodingError{Msg: fmt.Sprintf("the file is %s text; graph2mobileconfig reads UTF-8 and UTF-16: %s", what, resave)}
}

// fromUTF16 decodes UTF-16 text (without its byte order mark) to UTF-8.
func fromUTF16(data []byte, bigEndian bool, name string) ([]byte, encoding, error) {
	enc := encoding{name: name, transcoded: true}
	if len(data)%2 != 0 {
		return nil, enc, &EncodingError{Msg: fmt.Sprintf("the file is %s text with an odd number of bytes (%d): it is truncated or not UTF-16; export it again, or %s", name, len(data)+2, resave)}
	}
	out := make([]byte, 0, len(data)/2+len(data)/8)
	unit := func(i int) uint16 {
		if bigEndian {
			return uint16(data[i])<<8 | uint16(data[i+1])
		}
		return uint16(data[i+1])<<8 | uint16(data[i])
	}
	for i := 0; i < len(data); i += 2 {
		r := rune(unit(i))
		if utf16.IsSurrogate(r) {
			if r < 0xDC00 && i+3 < len(data) {
				if r2 := rune(unit(i + 2)); r2 >= 0xDC00 && r2 <= 0xDFFF {
					out = utf8.AppendRune(out, utf16.DecodeRune(r, r2))
					i += 2
					continue
				}
			}
			return nil, enc, &EncodingError{Msg: fmt.Sprintf("the file is %s text with an unpaired surrogate (0x%04X) at character %d: it is damaged; export it again, or %s", name, r, i/2+1, resave)}
		}
		out = utf8.AppendRune(out, r)
	}
	return out, enc, nil
}

// utf16Reader decodes UTF-16 text read from r to UTF-8, as fromUTF16 does,
// for a document read as a stream. It returns an error, not a replacement
// character, for anything fromUTF16 refuses (an odd number of bytes, an
// unpaired surrogate): such a document is then read whole, and fromUTF16
// says what is wrong with it.
type utf16Reader struct {
	r         io.Reader
	bigEndian bool
	in        []byte // bytes read and not yet decoded
	out       []byte // decoded bytes not yet returned
	high      rune   // a high surrogate waiting for its low one, or 0
	err       error
}

var errUTF16 = errors.New("graphjson: not UTF-16 that decodes")

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.err != nil {
			return 0, u.err
		}
		u.fill()
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

// fill reads and decodes the next block.
func (u *utf16Reader) fill() {
	if cap(u.in) == 0 {
		u.in = make([]byte, 0, 8<<10)
		u.out = make([]byte, 0, 12<<10)
	}
	n, err := u.r.Read(u.in[len(u.in):cap(u.in)])
	u.in = u.in[:len(u.in)+n]
	out := u.out[:0]
	i := 0
	for ; i+1 < len(u.in); i += 2 {
		var r rune
		if u.bigEndian {
			r = rune(u.in[i])<<8 | rune(u.in[i+1])
		} else {
			r = rune(u.in[i+1])<<8 | rune(u.in[i])
		}
		switch {
		case u.high != 0:
			if r < 0xDC00 || r > 0xDFFF {
				u.err = errUTF16
				return
			}
			out = utf8.AppendRune(out, utf16.DecodeRune(u.high, r))
			u.high = 0
		case r >= 0xD800 && r < 0xDC00:
			u.high = r
		case r >= 0xDC00 && r <= 0xDFFF:
			u.err = errUTF16
			return
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	u.in = u.in[:copy(u.in, u.in[i:])]
	u.out = out
	if err != nil {
		u.err = err
		if err == io.EOF && (len(u.in) != 0 || u.high != 0) {
			u.err = errUTF16
		}
	}
}
