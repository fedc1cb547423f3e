package compiler

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// tokenPattern matches an MDM variable such as {{serialnumber}} or
// {{ DeviceName }}. Intune and other MDMs substitute these on delivery, so the
// compiler passes them through unless --var gives a value.
var tokenPattern = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.:-]+)\s*\}\}`)

// Variables the compiler writes for Intune values that the export does not
// hold. No MDM knows these names, so a profile must never keep them: they are
// errors unless --var fills them.
const (
	varDeviceFQDN             = "devicefqdn"
	varCertificateSubjectName = "certificatesubjectname"
)

// inventedVars say, for each made-up variable, what it stands for.
var inventedVars = map[string]string{
	varDeviceFQDN:             "localIdentifier deviceFQDN needs the device's fully qualified host name",
	varCertificateSubjectName: "localIdentifier clientCertificateSubjectName needs the client certificate's subject (an embedded client identity gives it)",
}

// resolve substitutes {{tokens}} in strings (and lists of strings) from
// Options.Vars, and reports the tokens it leaves for the MDM. key is the
// Apple key the value is written to, for the report.
func (b *build) resolve(v any, rel, key string) any {
	switch x := v.(type) {
	case string:
		return b.resolveString(x, rel, key)
	case []string:
		if !slices.ContainsFunc(x, hasToken) {
			return x
		}
		out := make([]string, len(x))
		for i, s := range x {
			out[i] = b.resolveString(s, rel, key)
		}
		return out
	}
	return v
}

// hasToken reports whether s may hold a {{token}}.
func hasToken(s string) bool { return strings.Contains(s, "{{") }

// resolveString substitutes the --var values into s, then reports every
// token the result still holds, those a --var value brought in included: a
// device that receives a literal {{serialnumber}} fails in ways that are hard
// to trace, and nothing in graph2mobileconfig's own delivery fills tokens.
func (b *build) resolveString(s, rel, key string) string {
	if !hasToken(s) {
		return s
	}
	return b.resolveAt(s, b.path(rel), key)
}

// resolveAt is resolveString for the absolute JSON path of the value (a
// property of a certificate profile rather than of the entity).
func (b *build) resolveAt(s, path, key string) string {
	if !hasToken(s) {
		return s
	}
	out := tokenPattern.ReplaceAllStringFunc(s, func(tok string) string {
		name := strings.ToLower(tokenPattern.FindStringSubmatch(tok)[1])
		if v, ok := b.vars[name]; ok {
			b.usedVars[name] = true
			return v
		}
		return tok
	})
	for _, m := range tokenPattern.FindAllStringSubmatch(out, -1) {
		tok, name := m[0], strings.ToLower(m[1])
		where := ""
		if key != "" {
			where = " in " + key
		}
		switch {
		case inventedVars[name] != "":
			b.diags.AddHinted(diag.Error, "unresolved-variable", path, key, varHint(name), "%s, which the export does not hold: %s%s would stand for it, but no MDM fills that name (graph2mobileconfig made it up)", inventedVars[name], tok, where)
		case b.opts.Strict:
			b.diags.AddHinted(diag.Error, "unresolved-variable", path, key, varHint(name), "the variable %s%s has no value, and strict mode leaves no variable for the MDM", tok, where)
		default:
			b.diags.AddHinted(diag.Warning, "mdm-variable", path, key, mdmVariableHint(name), "the variable %s is left%s for your MDM to substitute on delivery", tok, where)
		}
	}
	return out
}

// hasVar reports whether Options.Vars has a value for name.
func (b *build) hasVar(name string) bool {
	_, ok := b.vars[strings.ToLower(name)]
	return ok
}

// loadVars indexes Options.Vars by lower-case name, so that matching is
// case-insensitive and does not depend on map order. Names that differ only
// in case are an error.
func (b *build) loadVars() bool {
	if err := checkVars(b.opts.Vars); err != nil {
		b.errorf("bad-variable", "", "", "%v", err)
		return false
	}
	b.vars = make(map[string]string, len(b.opts.Vars))
	b.usedVars = make(map[string]bool, len(b.opts.Vars))
	for k, v := range b.opts.Vars {
		b.vars[strings.ToLower(strings.TrimSpace(k))] = v
	}
	return true
}

// reportUnusedVars warns about --var values no token asked for: usually a
// misspelt name, which would otherwise leave a token unfilled.
func (b *build) reportUnusedVars() {
	names := make([]string, 0, len(b.opts.Vars))
	for k := range b.opts.Vars {
		if !b.usedVars[strings.ToLower(strings.TrimSpace(k))] {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		b.warnf("unused-variable", "", "", "the variable %s is given but not used: nothing in the export holds the token {{%s}}", k, k)
	}
}

// checkVars refuses variable names that are empty or differ only in case:
// tokens match names without regard to case, so such names would compete
// for the same tokens.
func checkVars(vars map[string]string) error {
	seen := make(map[string]string, len(vars))
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		name := strings.TrimSpace(k)
		if name == "" {
			return fmt.Errorf("a variable has an empty name")
		}
		if !tokenPattern.MatchString("{{" + name + "}}") {
			return fmt.Errorf("the variable name %q cannot appear in a {{token}}: use letters, digits and _ . : -", k)
		}
		lower := strings.ToLower(name)
		if prev, dup := seen[lower]; dup {
			return fmt.Errorf("the variables %q and %q differ only in case; tokens match names without regard to case, so give one of them", prev, k)
		}
		seen[lower] = k
	}
	return nil
}

// Token is a {{variable}} left in a profile.
type Token struct {
	// Text is the token as written, such as "{{serialnumber}}".
	Text string
	// Name is the variable's name in lower case.
	Name string
	// Path locates the string in the profile, as lint paths do
	// ("PayloadContent[1].IKEv2.LocalIdentifier").
	Path string
}

// FindTokens returns every {{variable}} left in a decoded profile, in path
// order. Neither mdm-command nor deploy substitutes them: a profile that
// holds them must go through an MDM that does.
func FindTokens(profile map[string]any) []Token {
	var out []Token
	// The path is built only for a string that holds a token: lint runs
	// this over every value of every profile.
	type step struct {
		key   string
		index int // for an array element, when key is ""
	}
	var steps []step
	path := func() string {
		var b strings.Builder
		for _, s := range steps {
			switch {
			case s.key == "":
				fmt.Fprintf(&b, "[%d]", s.index)
			case b.Len() > 0:
				b.WriteString("." + s.key)
			default:
				b.WriteString(s.key)
			}
		}
		return b.String()
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if !hasToken(x) {
				return
			}
			for _, m := range tokenPattern.FindAllStringSubmatch(x, -1) {
				out = append(out, Token{Text: m[0], Name: strings.ToLower(m[1]), Path: path()})
			}
		case map[string]any:
			for k, el := range x {
				steps = append(steps, step{key: k})
				walk(el)
				steps = steps[:len(steps)-1]
			}
		case []any:
			for i, el := range x {
				steps = append(steps, step{index: i})
				walk(el)
				steps = steps[:len(steps)-1]
			}
		case []string:
			for i, el := range x {
				steps = append(steps, step{index: i})
				walk(el)
				steps = steps[:len(steps)-1]
			}
		}
	}
	walk(profile)
	// Map order is random; tokens of one string keep their order.
	slices.SortStableFunc(out, func(a, b Token) int { return strings.Compare(a.Path, b.Path) })
	return out
}
