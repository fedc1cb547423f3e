package compiler

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// Target is the device a profile is compiled for.
type Target struct {
	// Platform is "ios" or "ipados"; Apple's schema gives both the same
	// versions.
	Platform string
	// Version is the OS version, such as "17.4".
	Version string
}

// DefaultTarget is the newest iOS version the key table knows.
func DefaultTarget() Target {
	return Target{Platform: "ios", Version: appleschema.NewestIOS()}
}

// IsZero reports whether the target is unset.
func (t Target) IsZero() bool { return t.Version == "" }

// String formats the target as --target takes it: "ios:17.4".
func (t Target) String() string { return t.Platform + ":" + t.Version }

// label formats the target for messages: "iOS 17.4".
func (t Target) label() string {
	if t.Platform == "ipados" {
		return "iPadOS " + t.Version
	}
	return "iOS " + t.Version
}

var versionPattern = regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]{1,3}){0,2}$`)

// ParseTarget reads a target such as "ios:17.4" or "ipados:18".
func ParseTarget(s string) (Target, error) {
	platform, version, ok := strings.Cut(strings.TrimSpace(s), ":")
	platform = strings.ToLower(platform)
	if !ok || (platform != "ios" && platform != "ipados") {
		return Target{}, fmt.Errorf("target %q: want ios:VERSION or ipados:VERSION, for example ios:17.4", s)
	}
	if !versionPattern.MatchString(version) {
		return Target{}, fmt.Errorf("target %q: %q is not a version such as 17.4", s, version)
	}
	if appleschema.CompareVersions(version, "9.0") < 0 {
		return Target{}, fmt.Errorf("target %q: versions before iOS 9 are not supported (IKEv2 profiles need iOS 9 for most of their keys)", s)
	}
	return Target{Platform: platform, Version: version}, nil
}

// schemaPath turns a written key path into the schema's path syntax:
// "IKEv2.OnDemandRules" stays, "AlwaysOn.ServiceExceptions[0].Action" would
// become "AlwaysOn.ServiceExceptions[].Action".
func schemaPath(p string) string {
	if !strings.Contains(p, "[") {
		return p
	}
	var b strings.Builder
	skip := false
	for _, r := range p {
		switch {
		case r == '[':
			b.WriteString("[]")
			skip = true
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// vpnKeySupport is the support of every key of the VPN payload, the only
// payload whose keys the compiler gates, by path in the payload and by path
// in its IKEv2 dictionary. Computed once, read only.
var vpnKeySupport = sync.OnceValue(func() keySupport {
	t := keySupport{vpn: appleschema.Supports(vpnPayloadType), ike: map[string]appleschema.Support{}}
	for path, s := range t.vpn {
		if rest, ok := strings.CutPrefix(path, ikePrefix); ok {
			t.ike[rest] = s
		}
	}
	return t
})

// keySupport is the support of keys by their path in the VPN payload (vpn)
// and in its IKEv2 dictionary (ike).
type keySupport struct {
	vpn, ike map[string]appleschema.Support
}

// applyTarget leaves out every key the target cannot honour, with a warning
// that names the key, the version it needs and the target.
func (b *build) applyTarget() {
	type gated struct {
		key string
		sup appleschema.Support
	}
	var unsupported []gated
	support := vpnKeySupport()
	for i := range b.written {
		w := &b.written[i]
		table := support.vpn
		if w.ike {
			table = support.ike
		}
		sup, ok := table[schemaPath(w.key)]
		if !ok {
			// Every key the mapping writes is in Apple's schema; a test
			// keeps it so. Reaching here is a bug in this program.
			panic(fmt.Sprintf("compiler: the key %s is not in Apple's schema for %s", w.fullKey(), vpnPayloadType))
		}
		deprecated := sup.Deprecated != "" && appleschema.CompareVersions(b.target.Version, sup.Deprecated) >= 0
		if !sup.Supported(b.target.Version) || deprecated {
			unsupported = append(unsupported, gated{w.fullKey(), sup})
		}
	}
	// Sorted, so that diagnostics come out in the same order every time,
	// and once each, since a key may have been written twice.
	slices.SortFunc(unsupported, func(a, b gated) int { return strings.Compare(a.key, b.key) })
	unsupported = slices.CompactFunc(unsupported, func(a, b gated) bool { return a.key == b.key })
	for _, g := range unsupported {
		k, sup := g.key, g.sup
		if sup.Supported(b.target.Version) {
			b.warnf("deprecated-key", b.origin(k), k, "%s is deprecated since iOS %s", k, sup.Deprecated)
			continue
		}
		b.dropForTarget(k, sup)
	}
	b.valueGates()
}

func (b *build) dropForTarget(k string, sup appleschema.Support) {
	why := fmt.Sprintf("needs iOS %s", sup.Introduced)
	if sup.Removed != "" && appleschema.CompareVersions(b.target.Version, sup.Removed) >= 0 {
		why = fmt.Sprintf("was removed in iOS %s", sup.Removed)
	}
	b.warnf("target-unsupported", b.origin(k), k, "%s %s; the target %s would ignore or reject it, so it is left out", k, why, b.target.label())
	if rest, ok := strings.CutPrefix(k, "IKEv2."); ok {
		deletePath(b.ike, rest)
	} else {
		deletePath(b.vpn, k)
	}
	b.forget(k)
}

// valueGates applies the limits Apple states on values rather than keys.
func (b *build) valueGates() {
	// "For AlwaysOn VPN, minimum allowed Diffie Hellman Group is 14 in iOS
	// 14.2 and later" (Apple's schema, DiffieHellmanGroup).
	if !b.alwaysOn || appleschema.CompareVersions(b.target.Version, "14.2") < 0 {
		return
	}
	for _, sa := range []string{"IKESecurityAssociationParameters", "ChildSecurityAssociationParameters"} {
		k := "IKEv2." + sa + ".DiffieHellmanGroup"
		sd, _ := b.ike.Get(sa)
		d, ok := sd.(*Dict)
		if !ok {
			continue
		}
		if g, ok := getInt(d, "DiffieHellmanGroup"); ok && g < 14 {
			b.warnf("target-unsupported", b.origin(k), k, "an Always On VPN on iOS 14.2 and later needs Diffie-Hellman group 14 or higher; group %d is left out for the target %s, so the device default (group 14) applies: choose 14, 19, 20 or 21 to decide yourself", g, b.target.label())
			deletePath(b.ike, sa+".DiffieHellmanGroup")
			b.forget(k)
		}
	}
}

// emitOsVersionRule checks Intune's OS version applicability rule against
// the target: a profile Intune would never assign to such a device is an
// error, not a silent success.
func emitOsVersionRule(b *build) {
	r := b.cfg.DeviceManagementApplicabilityRuleOsVersion
	if r == nil {
		return
	}
	const rel = "deviceManagementApplicabilityRuleOsVersion"
	min, max := val(r.MinOSVersion), val(r.MaxOSVersion)
	for _, v := range []struct{ rel, s string }{{rel + ".minOSVersion", min}, {rel + ".maxOSVersion", max}} {
		if v.s != "" && !versionPattern.MatchString(v.s) {
			b.errorf("bad-value", v.rel, "", "%q is not an OS version such as 16.0", v.s)
			return
		}
	}
	if min == "" && max == "" {
		return
	}
	inside := (min == "" || appleschema.CompareVersions(b.target.Version, min) >= 0) &&
		(max == "" || appleschema.CompareVersions(b.target.Version, max) <= 0)
	exclude := r.RuleType != nil && *r.RuleType == graphjson.RuleExclude
	desc := describeRange(min, max)
	if r.Name != nil && *r.Name != "" {
		desc = fmt.Sprintf("%q, %s", *r.Name, desc)
	}
	if exclude {
		desc = "exclude " + desc
	} else {
		desc = "include " + desc
	}
	if inside == exclude {
		b.errorf("not-applicable", rel, "", "this configuration does not apply to %s (rule: %s); Intune would not assign it to such a device: choose a --target the rule allows", b.target.label(), desc)
		return
	}
	b.infof("applicable", rel, "", "the applicability rule (%s) allows the target %s", desc, b.target.label())
}

func describeRange(min, max string) string {
	switch {
	case min != "" && max != "":
		return fmt.Sprintf("OS versions %s to %s", min, max)
	case min != "":
		return fmt.Sprintf("OS %s and later", min)
	default:
		return fmt.Sprintf("OS %s and earlier", max)
	}
}
