package compiler

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// uuidNamespace is the fixed RFC 9562 namespace from which every PayloadUUID
// is derived (name-based, SHA-1, version 5). It must never change: a
// different namespace would give every profile new UUIDs, and MDMs would
// install second copies instead of replacing the first.
var uuidNamespace = [16]byte{0x4e, 0x2b, 0x8a, 0x61, 0x5c, 0x3f, 0x4d, 0x0e, 0x9b, 0x1a, 0x77, 0xc2, 0x30, 0x5d, 0xe8, 0x14}

// PayloadUUID derives the deterministic UUID of a payload from its
// PayloadIdentifier: a version 5 UUID in upper case, as Apple's tools write it.
func PayloadUUID(identifier string) string {
	h := sha1.New()
	h.Write(uuidNamespace[:])
	h.Write([]byte(identifier))
	sum := h.Sum(nil)
	var u [16]byte
	copy(u[:], sum)
	u[6] = (u[6] & 0x0f) | 0x50 // version 5
	u[8] = (u[8] & 0x3f) | 0x80 // RFC 9562 variant
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return strings.ToUpper(string(b[:]))
}

// Slug turns free text into a lower-case identifier fragment of letters,
// digits and hyphens, at most 48 characters long; it returns "" when nothing
// usable is left.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		default:
			if b.Len() > 0 && !dash {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= 48 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// validIdentifier reports whether s can be used in a PayloadIdentifier:
// reverse-DNS style labels of letters, digits, hyphens and underscores
// separated by dots.
func validIdentifier(s string) bool {
	if s == "" || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if !(r == '.' || r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
