package signing

import (
	"bytes"
	"errors"
	"fmt"
)

// maxBERDepth bounds the nesting of BER input so that hostile data cannot
// exhaust the stack. Real CMS structures nest fewer than 20 levels.
const maxBERDepth = 64

// errTrailingData is returned when bytes follow the outermost element.
var errTrailingData = errors.New("unexpected data after the end of the CMS structure")

// berToDER re-encodes one BER element as definite-length encoding that
// encoding/asn1 accepts: indefinite lengths become definite, lengths become
// minimal, and constructed OCTET STRINGs (the chunks written by streaming
// encoders such as "openssl cms -sign -stream") are joined into one primitive
// OCTET STRING. Elements that are already DER come out byte-identical, so the
// raw bytes of certificates and signed attributes are preserved.
//
// The ordering of SET OF elements is not changed.
func berToDER(in []byte) ([]byte, error) {
	var out bytes.Buffer
	rest, err := convertBER(&out, in, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errTrailingData
	}
	return out.Bytes(), nil
}

// berHeader is the decoded identifier and length octets of one element.
type berHeader struct {
	tag         []byte // the identifier octets, copied verbatim
	constructed bool
	indefinite  bool
	length      int // content length; 0 when indefinite
	size        int // number of header octets
}

// readBERHeader decodes the identifier and length octets at the start of in.
func readBERHeader(in []byte) (berHeader, error) {
	var h berHeader
	if len(in) < 2 {
		return h, errors.New("truncated ASN.1 element")
	}
	n := 1
	if in[0]&0x1f == 0x1f { // high tag number form
		for {
			if n >= len(in) {
				return h, errors.New("truncated ASN.1 tag")
			}
			if n > 4 {
				return h, errors.New("ASN.1 tag number too large")
			}
			b := in[n]
			n++
			if b&0x80 == 0 {
				break
			}
		}
	}
	h.tag = in[:n]
	h.constructed = in[0]&0x20 != 0
	if n >= len(in) {
		return h, errors.New("truncated ASN.1 length")
	}
	l := in[n]
	n++
	switch {
	case l < 0x80:
		h.length = int(l)
	case l == 0x80:
		if !h.constructed {
			return h, errors.New("indefinite length on a primitive ASN.1 element")
		}
		h.indefinite = true
	default:
		k := int(l & 0x7f)
		if k > 4 || n+k > len(in) {
			return h, errors.New("ASN.1 length is too large or truncated")
		}
		for _, b := range in[n : n+k] {
			h.length = h.length<<8 | int(b)
		}
		n += k
		if h.length < 0 {
			return h, errors.New("negative ASN.1 length")
		}
	}
	h.size = n
	if !h.indefinite && h.length > len(in)-n {
		return h, fmt.Errorf("ASN.1 element claims %d bytes but only %d remain", h.length, len(in)-n)
	}
	return h, nil
}

// convertBER writes the DER form of the element at the start of in to out
// and returns the bytes that follow it.
func convertBER(out *bytes.Buffer, in []byte, depth int) ([]byte, error) {
	if depth > maxBERDepth {
		return nil, errors.New("ASN.1 structure is nested too deeply")
	}
	h, err := readBERHeader(in)
	if err != nil {
		return nil, err
	}
	if h.tag[0] == 0 && len(h.tag) == 1 {
		return nil, errors.New("unexpected end-of-contents marker")
	}
	body := in[h.size:]
	if !h.constructed {
		writeDERHeader(out, h.tag, h.length)
		out.Write(body[:h.length])
		return body[h.length:], nil
	}

	// Constructed: convert the children first, then write our header with
	// the final length.
	var inner bytes.Buffer
	var rest []byte
	if h.indefinite {
		rest = body
		for {
			if len(rest) >= 2 && rest[0] == 0 && rest[1] == 0 {
				rest = rest[2:]
				break
			}
			if len(rest) == 0 {
				return nil, errors.New("missing end-of-contents marker in indefinite-length ASN.1 element")
			}
			if rest, err = convertBER(&inner, rest, depth+1); err != nil {
				return nil, err
			}
		}
	} else {
		children := body[:h.length]
		for len(children) > 0 {
			if children, err = convertBER(&inner, children, depth+1); err != nil {
				return nil, err
			}
		}
		rest = body[h.length:]
	}

	if len(h.tag) == 1 && h.tag[0] == 0x24 { // constructed universal OCTET STRING
		joined, err := joinOctetStrings(inner.Bytes())
		if err != nil {
			return nil, err
		}
		writeDERHeader(out, []byte{0x04}, len(joined))
		out.Write(joined)
		return rest, nil
	}
	writeDERHeader(out, h.tag, inner.Len())
	out.Write(inner.Bytes())
	return rest, nil
}

// joinOctetStrings concatenates the contents of a run of DER primitive OCTET
// STRINGs, the segments of a constructed OCTET STRING.
func joinOctetStrings(der []byte) ([]byte, error) {
	var joined []byte
	for len(der) > 0 {
		h, err := readBERHeader(der)
		if err != nil {
			return nil, err
		}
		if len(h.tag) != 1 || h.tag[0] != 0x04 {
			return nil, errors.New("constructed OCTET STRING contains something other than OCTET STRINGs")
		}
		joined = append(joined, der[h.size:h.size+h.length]...)
		der = der[h.size+h.length:]
	}
	return joined, nil
}

// writeDERHeader writes identifier octets and a minimal definite length.
func writeDERHeader(out *bytes.Buffer, tag []byte, length int) {
	out.Write(tag)
	switch {
	case length < 0x80:
		out.WriteByte(byte(length))
	default:
		var l [4]byte
		n := 0
		for v := length; v > 0; v >>= 8 {
			n++
		}
		for i := 0; i < n; i++ {
			l[i] = byte(length >> (8 * (n - 1 - i)))
		}
		out.WriteByte(0x80 | byte(n))
		out.Write(l[:n])
	}
}
