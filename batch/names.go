package batch

import (
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
	"strconv"
	"strings"
)

// Extension is the file name extension of every profile batch writes.
const Extension = ".mobileconfig"

// maxSlugLen bounds the displayName part of an output name, in bytes. With
// the id suffix, a counter and the extension a name stays far below the 255
// bytes that every common file system allows.
const maxSlugLen = 64

// fallbackSlug names entities whose displayName has nothing usable left
// (empty, or written only in scripts that Slug does not transliterate).
const fallbackSlug = "profile"

// OutputName returns the file name of the profile compiled from an entity:
// Slug(displayName), a hyphen, the first 8 hexadecimal digits of the SHA-256
// of the Graph id, and ".mobileconfig", for example
// "ios-staff-vpn-3f9a12c4.mobileconfig".
//
// Nothing of the input is used verbatim: the name holds only the lower-case
// letters a-z, digits and hyphens, never starts with a dot or a hyphen, and
// never holds a path separator, so it cannot leave the output folder. It
// depends only on the displayName and the id, so that the same entity gets
// the same name in every run. An entity without an id hashes the empty
// string; Run adds a counter when two entities get the same name.
func OutputName(displayName, id string) string {
	sum := sha256.Sum256([]byte(id))
	return Slug(displayName) + "-" + hex.EncodeToString(sum[:4]) + Extension
}

// Slug turns a displayName into a file name fragment of lower-case ASCII
// letters, digits and single hyphens, at most 64 bytes long. Latin letters
// with diacritics lose them ("Zürich" gives "zurich"); every other character
// separates words. When nothing is left, Slug returns "profile".
func Slug(s string) string {
	var b strings.Builder
	dash := false
	add := func(part string) {
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteString(part)
	}
	for _, r := range s {
		if b.Len() >= maxSlugLen {
			break
		}
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			add(string(r))
		case r >= 'A' && r <= 'Z':
			add(string(r + 'a' - 'A'))
		default:
			if f, ok := latinFold[r]; ok {
				add(f)
			} else {
				dash = true
			}
		}
	}
	out := b.String()
	if len(out) > maxSlugLen {
		out = out[:maxSlugLen]
	}
	out = strings.Trim(out, "-")
	if out == "" {
		return fallbackSlug
	}
	return out
}

// latinFold spells common Latin letters with diacritics, and ligatures, in
// plain ASCII. It covers Latin-1 and most of Latin Extended-A; letters it
// does not know act as word separators.
var latinFold = func() map[rune]string {
	m := map[rune]string{
		'ß': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o",
		'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th",
		'ı': "i", 'ħ': "h", 'Ħ': "h", 'ŧ': "t", 'Ŧ': "t",
	}
	groups := map[string]string{
		"a": "àáâãäåāăąÀÁÂÃÄÅĀĂĄ",
		"c": "çćĉċčÇĆĈĊČ",
		"d": "ďĎ",
		"e": "èéêëēĕėęěÈÉÊËĒĔĖĘĚ",
		"g": "ĝğġģĜĞĠĢ",
		"h": "ĥĤ",
		"i": "ìíîïĩīĭįÌÍÎÏĨĪĬĮİ",
		"j": "ĵĴ",
		"k": "ķĶ",
		"l": "ĺļľŀĹĻĽĿ",
		"n": "ñńņňÑŃŅŇ",
		"o": "òóôõöōŏőÒÓÔÕÖŌŎŐ",
		"r": "ŕŗřŔŖŘ",
		"s": "śŝşšŚŜŞŠ",
		"t": "ţťŢŤ",
		"u": "ùúûüũūŭůűųÙÚÛÜŨŪŬŮŰŲ",
		"w": "ŵŴ",
		"y": "ýÿŷÝŶŸ",
		"z": "źżžŹŻŽ",
	}
	for ascii, letters := range groups {
		for _, r := range letters {
			m[r] = ascii
		}
	}
	return m
}()

// namer hands out output names in input order, so that two entities never
// share a file and the names do not depend on which worker finishes first.
// It keeps a 64-bit FNV hash of every name given out rather than the name:
// 8 bytes an entity, however long the names. A hash collision between two
// different names only adds a counter that was not strictly needed; the
// names stay unique and deterministic.
type namer struct {
	used map[uint64]struct{}
}

func newNamer() *namer { return &namer{used: map[uint64]struct{}{}} }

// name returns the output name for the next entity in input order and
// whether a counter had to be added because an earlier entity has the same
// name ("<slug>-<hash>-2.mobileconfig", then -3, ...).
func (n *namer) name(displayName, id string) (string, bool) {
	base := strings.TrimSuffix(OutputName(displayName, id), Extension)
	name := base + Extension
	for i := 2; ; i++ {
		h := fnv.New64a()
		h.Write([]byte(name))
		k := h.Sum64()
		if _, taken := n.used[k]; !taken {
			n.used[k] = struct{}{}
			return name, i > 2
		}
		name = base + "-" + strconv.Itoa(i) + Extension
	}
}
