package graphjson

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// encoding is the text encoding an input was read in.
type encoding struct {
	name string // as said in messages: "UTF-8", "UTF-16 LE", ...
	bom  int    // bytes of a UTF-8 byte order mark, which stay counted in columns
}

// resave is the advice for an input in an encoding we do not read.
const resave = "re-save it as UTF-8 (PowerShell 7: Out-File -Encoding utf8; Windows PowerShell 5.1: Out-File -Encoding UTF8, or Set-Content -Encoding UTF8; in an editor, “Save with encoding: UTF-8”)"

// toUTF8 returns the input as UTF-8 text. JSON is UTF-8 (RFC 8259), but
// Windows PowerShell 5.1 writes UTF-16 LE with a byte order mark for `>` and
// Out-File, and backup tools running on it do the same, so UTF-16 (LE or BE,
// with a byte order mark, or without one where the NUL bytes of the first
// characters make it certain, as RFC 4627 describes) is decoded. UTF-32 is
// refused with a message that says how to re-save the file. A UTF-8 byte
// order mark is dropped. Anything else is left to the JSON parser, which
// checks that it is valid UTF-8.
func toUTF8(data []byte) ([]byte, encoding, error) {
	switch {
	case hasPrefix(data, 0x00, 0x00, 0xFE, 0xFF):
		return nil, encoding{name: "UTF-32 BE"}, utf32Error("UTF-32 BE (big-endian), with a byte order mark")
	case hasPrefix(data, 0xFF, 0xFE, 0x00, 0x00):
		return nil, encoding{name: "UTF-32 LE"}, utf32Error("UTF-32 LE (little-endian), with a byte order mark")
	case hasPrefix(data, 0xEF, 0xBB, 0xBF):
		return data[3:], encoding{name: "UTF-8 with a byte order mark", bom: 3}, nil
	case hasPrefix(data, 0xFE, 0xFF):
		return fromUTF16(data[2:], true, "UTF-16 BE")
	case hasPrefix(data, 0xFF, 0xFE):
		return fromUTF16(data[2:], false, "UTF-16 LE")
	}
	// Without a byte order mark: the first character of a JSON text is
	// ASCII, so the pattern of NUL bytes in the first four tells the
	// encoding (RFC 4627, section 3).
	if len(data) >= 4 {
		z := [4]bool{data[0] == 0, data[1] == 0, data[2] == 0, data[3] == 0}
		switch z {
		case [4]bool{true, true, true, false}:
			return nil, encoding{name: "UTF-32 BE"}, utf32Error("UTF-32 BE (big-endian), without a byte order mark")
		case [4]bool{false, true, true, true}:
			return nil, encoding{name: "UTF-32 LE"}, utf32Error("UTF-32 LE (little-endian), without a byte order mark")
		case [4]bool{true, false, true, false}:
			return fromUTF16(data, true, "UTF-16 BE without a byte order mark")
		case [4]bool{false, true, false, true}:
			return fromUTF16(data, false, "UTF-16 LE without a byte order mark")
		}
	}
	return data, encoding{name: "UTF-8"}, nil
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
	enc := encoding{name: name}
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
