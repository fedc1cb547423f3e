package compiler_test

import (
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// TestEveryPropertyHasARule fails when a property of the Graph model is
// neither mapped nor explicitly ignored, and when a rule names a property the
// model does not have.
func TestEveryPropertyHasARule(t *testing.T) {
	rules := map[string]compiler.Rule{}
	for _, r := range compiler.Rules() {
		if _, dup := rules[r.Graph]; dup {
			t.Errorf("two rules for %s", r.Graph)
		}
		rules[r.Graph] = r
	}
	props := map[string]bool{}
	for _, p := range graphjson.Properties() {
		props[p.Path] = true
		r, ok := rules[p.Path]
		if !ok {
			t.Errorf("the Graph property %s (%s, declared on %s) has no rule in the mapping table", p.Path, p.Type, p.DeclaredOn)
			continue
		}
		if r.Fate == compiler.Ignored && r.Note == "" {
			t.Errorf("%s is ignored without a reason", p.Path)
		}
		if (r.Fate == compiler.Mapped || r.Fate == compiler.Conditional) && len(r.Apple) == 0 {
			t.Errorf("%s is %s but names no Apple key", p.Path, r.Fate)
		}
	}
	for g := range rules {
		if !props[g] {
			t.Errorf("the rule for %s names no property of the Graph model", g)
		}
	}
	if n := len(graphjson.TopLevelProperties()); n != 64 {
		t.Errorf("the model has %d top-level properties, want the 64 of the Graph beta schema", n)
	}
}

// TestRuleKeysAreApples checks every Apple key the table names against
// Apple's schema, so that the documentation and the compiler can only name
// keys that exist.
func TestRuleKeysAreApples(t *testing.T) {
	for _, r := range compiler.Rules() {
		for _, k := range r.Apple {
			payload, path := "com.apple.vpn.managed", k
			if rest, ok := strings.CutPrefix(k, "Profile."); ok {
				payload, path = "TopLevel", rest
			}
			if _, _, ok := appleschema.Find(payload, strings.TrimSuffix(path, "[]")); !ok {
				t.Errorf("rule %s names %s, which is not in Apple's schema for %s", r.Graph, k, payload)
			}
		}
	}
}

func TestRuleWordingIsComplete(t *testing.T) {
	for _, r := range compiler.Rules() {
		if r.Fate == "" {
			t.Errorf("%s has no fate", r.Graph)
		}
		if (r.Fate == compiler.Mapped || r.Fate == compiler.Conditional) && r.Conversion == "" {
			t.Errorf("%s is mapped but says nothing about the conversion", r.Graph)
		}
	}
}
