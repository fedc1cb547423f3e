package compiler

import (
	"regexp"
	"slices"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// tokenPattern matches an MDM variable such as {{serialnumber}} or
// {{ DeviceName }}. Intune and other MDMs substitute these on delivery, so the
// compiler passes them through unless --var gives a value.
var tokenPattern = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.:-]+)\s*\}\}`)

// resolve substitutes {{tokens}} in strings (and lists of strings) from
// Options.Vars, and reports the tokens it leaves for the MDM.
func (b *build) resolve(v any, rel string) any {
	switch x := v.(type) {
	case string:
		return b.resolveString(x, rel)
	case []string:
		if !slices.ContainsFunc(x, hasToken) {
			return x
		}
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = b.resolveString(s, rel)
		}
		return out
	}
	return v
}

// hasToken reports whether s may hold a {{token}}.
func hasToken(s string) bool { return strings.Contains(s, "{{") }

func (b *build) resolveString(s, rel string) string {
	if !hasToken(s) {
		return s
	}
	return b.resolveStringAt(s, b.path(rel))
}

// resolveStringAt is resolveString for a value whose absolute JSON path is
// path (a property of a certificate profile rather than of the entity).
func (b *build) resolveStringAt(s, path string) string {
	if !hasToken(s) {
		return s
	}
	return tokenPattern.ReplaceAllStringFunc(s, func(tok string) string {
		name := strings.ToLower(tokenPattern.FindStringSubmatch(tok)[1])
		for k, v := range b.opts.Vars {
			if strings.ToLower(k) == name {
				if b.usedVars == nil {
					b.usedVars = map[string]bool{}
				}
				b.usedVars[strings.ToLower(k)] = true
				return v
			}
		}
		if b.opts.Strict {
			b.diags.Add(diag.Error, "unresolved-variable", path, "", "the variable %s has no value; give one with --var %s=VALUE (--strict does not allow variables left for the MDM)", tok, name)
		} else {
			b.diags.Add(diag.Info, "mdm-variable", path, "", "the variable %s is left in the profile for the MDM to substitute on delivery (give --var %s=VALUE to fill it now)", tok, name)
		}
		return tok
	})
}

// hasVar reports whether Options.Vars has a value for name.
func (b *build) hasVar(name string) bool {
	for k := range b.opts.Vars {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// reportUnusedVars warns about --var values no token asked for: usually a
// misspelt name, which would otherwise leave a token unfilled.
func (b *build) reportUnusedVars() {
	names := make([]string, 0, len(b.opts.Vars))
	for k := range b.opts.Vars {
		if !b.usedVars[strings.ToLower(k)] {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		b.warnf("unused-variable", "", "", "--var %s was not used: nothing in the export holds the token {{%s}}", k, k)
	}
}
