package schemagen

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// ReleaseFile names the file, beside the YAML, that says which release of
// Apple's schema the files come from. It is the project's own, since
// Apple's files do not say whether their commit is a release or a beta
// seed:
//
//	commit 61449b07e22d7d659aaa9ae65a29688cff3902a2
//	ios 27.0
//	seed true
//	newest-released 26.0
//
// Lines starting with # are comments. "ios" is the iOS version the commit
// describes; "seed" says it is a beta seed; "newest-released" is the newest
// released iOS version the files describe, which must equal "ios" unless
// "seed" is true.
const ReleaseFile = "RELEASE"

type release struct {
	Commit, IOS, NewestReleased string
	Seed                        bool
}

func readRelease(fsys fs.FS) (release, error) {
	var r release
	data, err := fs.ReadFile(fsys, ReleaseFile)
	if err != nil {
		return r, fmt.Errorf("schemagen: %v (every copy of Apple's schema must say which release it is)", err)
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, _ := strings.Cut(line, " ")
		value = strings.TrimSpace(value)
		if seen[name] {
			return r, fmt.Errorf("schemagen: %s:%d: %s given twice", ReleaseFile, n, name)
		}
		seen[name] = true
		switch name {
		case "commit":
			if len(value) != 40 || strings.Trim(value, "0123456789abcdef") != "" {
				return r, fmt.Errorf("schemagen: %s:%d: commit %q is not a full lower-case hexadecimal commit id", ReleaseFile, n, value)
			}
			r.Commit = value
		case "ios", "newest-released":
			if !isVersion(value) {
				return r, fmt.Errorf("schemagen: %s:%d: %s %q is not a version such as 26.0", ReleaseFile, n, name, value)
			}
			if name == "ios" {
				r.IOS = value
			} else {
				r.NewestReleased = value
			}
		case "seed":
			v, err := strconv.ParseBool(value)
			if err != nil {
				return r, fmt.Errorf("schemagen: %s:%d: seed %q is not true or false", ReleaseFile, n, value)
			}
			r.Seed = v
		default:
			return r, fmt.Errorf("schemagen: %s:%d: unknown field %q", ReleaseFile, n, name)
		}
	}
	for _, name := range []string{"commit", "ios", "seed", "newest-released"} {
		if !seen[name] {
			return r, fmt.Errorf("schemagen: %s: %s is missing", ReleaseFile, name)
		}
	}
	switch c := compareVersions(r.NewestReleased, r.IOS); {
	case r.Seed && c >= 0:
		return r, fmt.Errorf("schemagen: %s: newest-released %s must be older than the seed ios %s", ReleaseFile, r.NewestReleased, r.IOS)
	case !r.Seed && c != 0:
		return r, fmt.Errorf("schemagen: %s: a release (seed false) is its own newest release: newest-released %s, ios %s", ReleaseFile, r.NewestReleased, r.IOS)
	}
	return r, nil
}

// newestVersion returns the highest iOS version any payload or key states.
func newestVersion(payloads []*payload) string {
	newest := ""
	consider := func(s support) {
		for _, v := range []string{s.Introduced, s.Deprecated, s.Removed} {
			if isVersion(v) && (newest == "" || compareVersions(v, newest) > 0) {
				newest = v
			}
		}
	}
	var walk func([]*key)
	walk = func(keys []*key) {
		for _, k := range keys {
			consider(k.IOS)
			walk(k.Subkeys)
		}
	}
	for _, p := range payloads {
		consider(p.IOS)
		walk(p.Keys)
	}
	return newest
}

// isVersion and compareVersions are appleschema's rules for dotted
// versions; this package cannot import appleschema.
func isVersion(s string) bool {
	if s == "" {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" || strings.Trim(part, "0123456789") != "" {
			return false
		}
	}
	return true
}

func compareVersions(a, b string) int {
	for a != "" || b != "" {
		var ca, cb string
		ca, a, _ = strings.Cut(a, ".")
		cb, b, _ = strings.Cut(b, ".")
		ca, cb = strings.TrimLeft(ca, "0"), strings.TrimLeft(cb, "0")
		if c := len(ca) - len(cb); c != 0 {
			if c < 0 {
				return -1
			}
			return 1
		}
		if c := strings.Compare(ca, cb); c != 0 {
			return c
		}
	}
	return 0
}
