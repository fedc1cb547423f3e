package appleschema

import "strings"

// CompareVersions compares two dotted version strings and returns -1, 0 or
// +1 as a is lower than, equal to or higher than b.
//
// Components compare as numbers, not text, so "14.2" < "14.10", and missing
// trailing components count as zero, so "17" == "17.0". The schema writes
// "n/a" where something never arrived on an OS, so "n/a" sorts above every
// version: a key introduced in "n/a" is newer than any target. More
// generally, anything that is not a version ("n/a" included) sorts above all
// versions and such strings compare as text among themselves; the empty
// string sorts below everything.
func CompareVersions(a, b string) int {
	ra, rb := versionRank(a), versionRank(b)
	switch {
	case ra != rb:
		return sign(ra - rb)
	case ra == rankVersion:
		return compareDotted(a, b)
	default:
		return strings.Compare(a, b)
	}
}

// Supported reports whether a key or payload whose effective support is s is
// available on iOS version v: it must have been introduced at or before v
// and not removed at or before v. Deprecation does not matter, since a
// deprecated key still works. An empty Introduced means the schema sets no
// lower bound; "n/a" means never available.
func (s Support) Supported(v string) bool {
	if s.Introduced == "n/a" {
		return false
	}
	if s.Introduced != "" && CompareVersions(v, s.Introduced) < 0 {
		return false
	}
	if s.Removed != "" && CompareVersions(v, s.Removed) >= 0 {
		return false
	}
	return true
}

const (
	rankEmpty = iota
	rankVersion
	rankOther
)

func versionRank(s string) int {
	switch {
	case s == "":
		return rankEmpty
	case isVersion(s):
		return rankVersion
	default:
		return rankOther
	}
}

// isVersion reports whether s is one or more dot-separated runs of decimal
// digits. It is on the compiler's hot path, so it scans bytes by hand.
func isVersion(s string) bool {
	if s == "" {
		return false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && digits > 0:
			digits = 0
		default:
			return false
		}
	}
	return digits > 0
}

// compareDotted compares two valid versions component by component. It
// compares digit strings rather than parsed integers so that no component is
// too long to compare.
func compareDotted(a, b string) int {
	for a != "" || b != "" {
		var ca, cb string
		ca, a, _ = strings.Cut(a, ".")
		cb, b, _ = strings.Cut(b, ".")
		ca, cb = strings.TrimLeft(ca, "0"), strings.TrimLeft(cb, "0")
		if c := len(ca) - len(cb); c != 0 {
			return sign(c)
		}
		if c := strings.Compare(ca, cb); c != 0 {
			return c
		}
	}
	return 0
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
