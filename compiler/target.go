package compiler

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
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

// DefaultTarget is the newest released iOS version that the project's copy
// of Apple's schema describes (appleschema.SchemaRelease): a beta seed is
// never the default.
func DefaultTarget() Target {
	return Target{Platform: "ios", Version: appleschema.SchemaRelease().NewestReleasedIOS}
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

// ParseTarget reads a target such as "ios:17.4" or "ipados:18". A version
// newer than the release of Apple's schema that the compiler carries is an
// error that names the newest one it knows: the compiler cannot know what a
// future iOS accepts. A version that only a beta seed of the schema
// describes is accepted; SeedNote explains it.
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
	rel := appleschema.SchemaRelease()
	if appleschema.CompareVersions(majorMinor(version), rel.IOS) > 0 {
		newest := "iOS " + rel.IOS
		if rel.Seed {
			newest += fmt.Sprintf(" (a beta seed; the newest release is iOS %s)", rel.NewestReleasedIOS)
		}
		return Target{}, fmt.Errorf("target %q: iOS %s is newer than any version this build's copy of Apple's schema describes; the newest it knows is %s: give a version up to %s, or use a newer graph2mobileconfig", s, version, newest, rel.IOS)
	}
	return Target{Platform: platform, Version: version}, nil
}

// majorMinor cuts a version to its first two components: a patch release
// ("27.0.1") belongs to the release its schema describes.
func majorMinor(v string) string {
	first, rest, _ := strings.Cut(v, ".")
	second, _, _ := strings.Cut(rest, ".")
	if second == "" {
		return first
	}
	return first + "." + second
}

// SeedNote returns a note when only a beta seed of Apple's schema describes
// the target, whose keys may still change before release; it is empty for
// released versions.
func (t Target) SeedNote() string {
	rel := appleschema.SchemaRelease()
	if !rel.Seed || t.IsZero() || appleschema.CompareVersions(majorMinor(t.Version), rel.NewestReleasedIOS) <= 0 ||
		appleschema.CompareVersions(majorMinor(t.Version), majorMinor(rel.IOS)) < 0 {
		return ""
	}
	return fmt.Sprintf("%s is described by a beta seed of Apple's schema (apple/device-management %s, iOS %s): its keys and values may still change before Apple releases it; the newest released iOS this build knows is %s",
		t.label(), rel.Commit[:7], rel.IOS, rel.NewestReleasedIOS)
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
		if b.opts.Target.IsZero() {
			// The default target is a guess at the devices, not a
			// statement about them.
			b.hinted(diag.Warning, "not-applicable", rel, "", targetHint, "this configuration does not apply to %s, the default target (rule: %s); Intune would not assign it to such a device", b.target.label(), desc)
			return
		}
		b.hinted(diag.Error, "not-applicable", rel, "", allowedTargetHint, "this configuration does not apply to %s (rule: %s); Intune would not assign it to such a device", b.target.label(), desc)
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
