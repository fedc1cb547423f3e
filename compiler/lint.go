package compiler

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// LintOptions control Lint.
type LintOptions struct {
	// Target is the device the profile is checked for; zero means the newest
	// iOS the key table knows.
	Target Target
	// Signed and Encrypted describe the file the profile came from: secrets
	// in a profile that is neither are reported.
	Signed, Encrypted bool
}

// certificatePayloadTypes are the payloads a PayloadCertificateUUID may
// point at.
var certificatePayloadTypes = []string{
	"com.apple.security.pkcs12", "com.apple.security.scep", "com.apple.security.acme",
	"com.apple.security.root", "com.apple.security.pkcs1", "com.apple.security.pem",
}

// identityPayloadTypes are the payloads that carry a private key.
var identityPayloadTypes = []string{"com.apple.security.pkcs12", "com.apple.security.scep", "com.apple.security.acme"}

// Lint checks a decoded profile against Apple's schema: unknown keys, plist
// types, allowed values and ranges, required keys, iOS versions, dangling
// PayloadCertificateUUID references, duplicate identifiers, and secrets in a
// profile that is neither signed nor encrypted. Paths in the findings locate
// the value in the profile ("PayloadContent[1].IKEv2.MTU").
func Lint(profile map[string]any, opts LintOptions) diag.List {
	l := &linter{opts: opts}
	if l.opts.Target.IsZero() {
		l.opts.Target = DefaultTarget()
	}
	l.profile(profile)
	return l.diags.Sorted()
}

type linter struct {
	opts  LintOptions
	diags diag.List
	// payloadType is the type of the payload being checked ("TopLevel"
	// for the outer dictionary).
	payloadType string
	// unsupportedAbove is set while checking inside a key the target does
	// not support, which is reported once, not for everything it holds.
	unsupportedAbove bool
}

func (l *linter) add(sev diag.Severity, code, path, key, format string, args ...any) {
	l.diags.Add(sev, code, path, key, format, args...)
}

func (l *linter) profile(p map[string]any) {
	top, _ := appleschema.Lookup("TopLevel")
	l.payloadType = "TopLevel"
	encrypted := isTrue(p["IsEncrypted"]) || p["EncryptedPayloadContent"] != nil
	l.dict(p, top.Keys, "", "", top.IOS, func(k appleschema.Key) bool {
		return k.Name != "PayloadContent" || !encrypted
	})
	if t, ok := p["PayloadType"].(string); ok && t != "Configuration" {
		l.add(diag.Error, "bad-value", "PayloadType", "PayloadType", "the outer PayloadType is %q; a configuration profile's must be \"Configuration\"", t)
	}
	content, _ := p["PayloadContent"].([]any)
	payloads := make([]map[string]any, 0, len(content))
	for i, el := range content {
		path := fmt.Sprintf("PayloadContent[%d]", i)
		pd, ok := el.(map[string]any)
		if !ok {
			continue // the type check above has reported it
		}
		payloads = append(payloads, pd)
		l.payload(pd, path)
	}
	l.crossChecks(p, payloads)
	if !l.opts.Signed && !l.opts.Encrypted && !encrypted {
		l.secrets(p, payloads)
	}
	for _, t := range FindTokens(p) {
		l.diags.AddHinted(diag.Warning, "unresolved-variable", t.Path, tokenKey(t.Path, content), mdmDeliveryHint, "%s is a variable for an MDM to substitute on delivery: a device given the profile as it is gets the literal text", t.Text)
	}
}

// tokenKey names the key a token found at path sits in, as the compiler's
// diagnostics name it: the key path without array indices, prefixed with
// the payload type for a certificate payload
// ("com.apple.security.scep.PayloadContent.Subject" for
// "PayloadContent[1].PayloadContent.Subject[3][0][1]"), alone for the VPN
// payload ("IKEv2.LocalIdentifier"), and with "Profile." for a key of the
// profile itself.
func tokenKey(path string, payloads []any) string {
	key := strings.TrimRight(schemaPath(path), "[]")
	rest, ok := strings.CutPrefix(key, "PayloadContent[].")
	if !ok {
		return "Profile." + key
	}
	var i int
	if _, err := fmt.Sscanf(path, "PayloadContent[%d]", &i); err != nil || i < 0 || i >= len(payloads) {
		return rest
	}
	pd, _ := payloads[i].(map[string]any)
	switch pt, _ := pd["PayloadType"].(string); pt {
	case "", "com.apple.vpn.managed", "com.apple.vpn.managed.applayer":
		return rest
	default:
		return pt + "." + rest
	}
}

func (l *linter) payload(p map[string]any, path string) {
	pt, _ := p["PayloadType"].(string)
	l.payloadType = pt
	common, _ := appleschema.Lookup("CommonPayloadKeys")
	schema, known := appleschema.Lookup(pt)
	if !known || pt == "TopLevel" || pt == "CommonPayloadKeys" {
		l.add(diag.Info, "unchecked-payload", path, "", "payload type %q is not checked: graph2mobileconfig knows the VPN and certificate payloads", pt)
		// Check only the keys every payload has; the others belong to a
		// schema this program does not carry.
		known := map[string]any{}
		for _, k := range common.Keys {
			if v, ok := p[k.Name]; ok {
				known[k.Name] = v
			}
		}
		l.dict(known, common.Keys, path, "", common.IOS, nil)
		return
	}
	if !schema.IOS.Supported(l.opts.Target.Version) {
		l.add(diag.Error, "target-unsupported", path, pt, "%s is not available on %s (introduced %s)", pt, l.opts.Target.label(), schema.IOS.Introduced)
	}
	keys := append(slices.Clone(common.Keys), schema.Keys...)
	l.dict(p, keys, path, "", schema.IOS, nil)
	switch pt {
	case vpnPayloadType:
		l.vpnChecks(p, path)
	case scepPayloadType:
		l.scepChecks(p, path)
	}
}

// dict checks a dictionary against its schema keys. requiredHere may waive
// a required key (the outer PayloadContent of an encrypted profile).
func (l *linter) dict(m map[string]any, keys []appleschema.Key, path, schemaPath string, eff appleschema.Support, requiredHere func(appleschema.Key) bool) {
	names := sortedKeys(m)
	for _, name := range names {
		k := appleschema.FindKey(keys, name)
		kp := joinPath(path, name)
		sp := joinPath(schemaPath, name)
		if k == nil {
			if r, ok := appleschema.Retired(l.payloadType, sp); ok {
				l.retiredKey(m[name], r, kp)
				continue
			}
			hint := "check the spelling: keys are case-sensitive"
			if s := suggestKey(keys, name); s != "" {
				hint = fmt.Sprintf("did you mean %s?", s)
			}
			l.add(diag.Warning, "unknown-key", kp, sp, "%s is not a key Apple's schema defines here, so the device ignores it (%s)", name, hint)
			continue
		}
		l.value(m[name], *k, kp, sp, eff.Inherit(k.IOS))
	}
	for _, k := range keys {
		if !k.Required || k.IsElement || k.AnyName {
			continue
		}
		if _, ok := m[k.Name]; ok {
			continue
		}
		if requiredHere != nil && !requiredHere(k) {
			continue
		}
		ke := eff.Inherit(k.IOS)
		if !ke.Supported(l.opts.Target.Version) {
			continue // not required on a device that does not know the key
		}
		l.add(diag.Error, "missing-key", path, joinPath(schemaPath, k.Name), "the required key %s is missing", joinPath(schemaPath, k.Name))
	}
}

// retiredKey reports a key that an older copy of Apple's schema defined.
func (l *linter) retiredKey(v any, r appleschema.RetiredKey, path string) {
	if !l.typeOK(v, appleschema.Key{Name: r.Path, Type: r.Type}, path, r.Path) {
		return
	}
	instead := ""
	if r.Replacement != "" {
		instead = "; the current schema has " + r.Replacement
	}
	l.add(diag.Info, "retired-key", path, r.Path, "%s is no longer in Apple's schema (the %s copy was the last to list it)%s", r.Path, r.LastListed, instead)
}

func (l *linter) value(v any, k appleschema.Key, path, schemaPath string, eff appleschema.Support) {
	if l.sanStringOrArray(v, k, path, schemaPath) {
		return
	}
	unsupported := !eff.Supported(l.opts.Target.Version)
	switch {
	case unsupported && l.unsupportedAbove:
		// Inside a key already reported: its elements and subkeys are
		// moot on the target.
	case unsupported:
		l.unsupportedAbove = true
		defer func() { l.unsupportedAbove = false }()
		switch {
		case eff.Introduced == "n/a":
			l.add(diag.Warning, "target-unsupported", path, schemaPath, "%s is not available on iOS", schemaPath)
		case eff.Removed != "" && appleschema.CompareVersions(l.opts.Target.Version, eff.Removed) >= 0:
			l.add(diag.Warning, "target-unsupported", path, schemaPath, "%s was removed in iOS %s; the target is %s", schemaPath, eff.Removed, l.opts.Target.label())
		default:
			l.add(diag.Warning, "target-unsupported", path, schemaPath, "%s needs iOS %s; the target %s ignores or rejects it", schemaPath, eff.Introduced, l.opts.Target.label())
		}
	case eff.Deprecated != "" && appleschema.CompareVersions(l.opts.Target.Version, eff.Deprecated) >= 0:
		l.add(diag.Warning, "deprecated-key", path, schemaPath, "%s is deprecated since iOS %s", schemaPath, eff.Deprecated)
	}
	if !l.typeOK(v, k, path, schemaPath) {
		return
	}
	switch k.Type {
	case appleschema.Dictionary:
		l.dict(v.(map[string]any), k.Subkeys, path, schemaPath, eff, nil)
	case appleschema.Array:
		arr := asList(v)
		if len(k.Subkeys) != 1 {
			return
		}
		el := k.Subkeys[0]
		for i, item := range arr {
			ip := fmt.Sprintf("%s[%d]", path, i)
			if schemaPath == "AlwaysOn.TunnelConfigurations" {
				l.tunnelConfiguration(item, el, ip, eff)
				continue
			}
			l.value(item, el, ip, schemaPath+"[]", eff.Inherit(el.IOS))
		}
	default:
		l.scalar(v, k, path, schemaPath)
	}
}

// tunnelConfiguration checks an Always On tunnel configuration. Apple's
// schema lists only ProtocolType and Interfaces there; the IKEv2 settings of
// the tunnel go in the same dictionary (Apple's older prose reference), so
// they are checked against the IKEv2 dictionary's keys.
func (l *linter) tunnelConfiguration(item any, el appleschema.Key, path string, eff appleschema.Support) {
	if !l.typeOK(item, el, path, "AlwaysOn.TunnelConfigurations[]") {
		return
	}
	ike, _, _ := appleschema.Find(vpnPayloadType, "IKEv2")
	keys := append(slices.Clone(el.Subkeys), ike.Subkeys...)
	m := item.(map[string]any)
	l.dict(m, keys, path, "AlwaysOn.TunnelConfigurations[]", eff.Inherit(el.IOS), func(k appleschema.Key) bool {
		// The IKEv2 keys are required inside an IKEv2 tunnel only.
		return slices.ContainsFunc(el.Subkeys, func(s appleschema.Key) bool { return s.Name == k.Name }) || m["ProtocolType"] == "IKEv2"
	})
	if m["ProtocolType"] == "IKEv2" {
		l.ikev2Checks(m, path)
	}
}

func (l *linter) typeOK(v any, k appleschema.Key, path, schemaPath string) bool {
	got := plistType(v)
	want := k.Type
	if want == appleschema.Any || got == want {
		return true
	}
	switch {
	case want == appleschema.Integer && got == appleschema.Boolean:
		b := v.(bool)
		l.add(diag.Error, "wrong-type", path, schemaPath, "%s is <%v/>, but Apple's schema types it <integer> (write <integer>%d</integer>); devices may accept it, schema validators such as Apple Business Manager reject it", schemaPath, b, flag(b))
	case want == appleschema.Integer && got == appleschema.Real:
		f := v.(float64)
		fix := ""
		if f == math.Trunc(f) {
			fix = fmt.Sprintf(" (write <integer>%v</integer>)", f)
		}
		l.add(diag.Error, "wrong-type", path, schemaPath, "%s is <real>%v</real>, but Apple's schema types it <integer>%s", schemaPath, f, fix)
	case want == appleschema.Boolean && got == appleschema.Integer:
		l.add(diag.Error, "wrong-type", path, schemaPath, "%s is an <integer>, but Apple's schema types it <true/> or <false/>", schemaPath)
	default:
		l.add(diag.Error, "wrong-type", path, schemaPath, "%s is %s, but Apple's schema types it <%s>", schemaPath, describeType(got), want)
	}
	return false
}

func (l *linter) scalar(v any, k appleschema.Key, path, schemaPath string) {
	if len(k.RangeList) > 0 && !inRangeList(v, k.RangeList) {
		hint := ""
		if s, ok := v.(string); ok {
			for _, r := range k.RangeList {
				if rs, ok := r.(string); ok && strings.EqualFold(rs, s) {
					hint = fmt.Sprintf(" (values are case-sensitive: %q)", rs)
				}
			}
		}
		l.add(diag.Error, "bad-value", path, schemaPath, "%s is %s, which Apple does not allow; allowed: %s%s", schemaPath, describeValue(v), describeList(k.RangeList), hint)
	}
	l.valueLimit(v, path, schemaPath)
	if n, ok := number(v); ok {
		if k.Min != nil && n < *k.Min || k.Max != nil && n > *k.Max {
			l.add(diag.Error, "out-of-range", path, schemaPath, "%s is %v, outside Apple's range %s", schemaPath, n, describeBounds(k.Min, k.Max))
		}
	}
	if s, ok := v.(string); ok && k.Format != "" {
		if re, err := regexp.Compile(k.Format); err == nil && !re.MatchString(s) {
			l.add(diag.Error, "bad-format", path, schemaPath, "%s is %q, which does not have the form Apple requires (%s)", schemaPath, s, k.Format)
		}
	}
}

// limitPath turns a lint schema path into the path of the IKEv2 key in the
// VPN payload: a tunnel configuration of Always On holds the IKEv2 keys.
func limitPath(schemaPath string) string {
	if rest, ok := strings.CutPrefix(schemaPath, "AlwaysOn.TunnelConfigurations[]."); ok {
		return ikePrefix + rest
	}
	return schemaPath
}

// valueLimit applies Apple's limits on values (appleschema.ValueLimits) for
// the target.
func (l *linter) valueLimit(v any, path, schemaPath string) {
	lim, ok := appleschema.LimitOf(limitPath(schemaPath), v)
	if !ok {
		return
	}
	t := l.opts.Target
	if n, isNum := number(v); isNum && n < alwaysOnMinDHGroup && strings.HasPrefix(schemaPath, "AlwaysOn.") && lim.Supported(t.Version) &&
		strings.HasSuffix(schemaPath, ".DiffieHellmanGroup") && appleschema.CompareVersions(t.Version, alwaysOnDHSince) >= 0 {
		return // refused by Always On: algorithmChecks reports it, once
	}
	switch {
	case !lim.Supported(t.Version) && lim.Removed != "" && appleschema.CompareVersions(t.Version, lim.Removed) >= 0:
		l.add(diag.Error, "target-unsupported", path, schemaPath, "%s is %s, which Apple's IKEv2 client refuses from iOS %s (%s); the target %s refuses the payload", schemaPath, describeValue(v), lim.Removed, lim.Source, t.label())
	case !lim.Supported(t.Version):
		l.add(diag.Warning, "target-unsupported", path, schemaPath, "%s is %s: %s, so iOS before %s may refuse it; the target is %s", schemaPath, describeValue(v), lim.Source, lim.Introduced, t.label())
	case lim.Removed != "":
		l.add(diag.Warning, "weak-crypto", path, schemaPath, "%s is %s, which is weak; the target %s accepts it, but iOS %s and later refuse it", schemaPath, describeValue(v), t.label(), lim.Removed)
	}
}

// vpnChecks applies Apple's rules that span several VPN keys.
func (l *linter) vpnChecks(p map[string]any, path string) {
	vt, _ := p["VPNType"].(string)
	switch vt {
	case "IKEv2":
		ike, ok := p["IKEv2"].(map[string]any)
		if !ok {
			l.add(diag.Error, "missing-key", path, "IKEv2", "VPNType is IKEv2 but the payload has no IKEv2 dictionary")
			return
		}
		if st, ok := p["VPNSubType"].(string); ok && st != "" {
			l.add(diag.Warning, "bad-value", joinPath(path, "VPNSubType"), "VPNSubType", "for IKEv2, VPNSubType is reserved and must be an empty string; it is %q", st)
		}
		l.ikev2Checks(ike, joinPath(path, "IKEv2"))
	case "AlwaysOn":
		if _, ok := p["AlwaysOn"].(map[string]any); !ok {
			l.add(diag.Error, "missing-key", path, "AlwaysOn", "VPNType is AlwaysOn but the payload has no AlwaysOn dictionary")
		}
	}
}

// ikev2Checks applies Apple's rules between IKEv2 keys, and the known device
// behaviours documented with them.
func (l *linter) ikev2Checks(ike map[string]any, path string) {
	method, _ := ike["AuthenticationMethod"].(string)
	_, hasEAP := ike["ExtendedAuthEnabled"]
	eap := isTrue(ike["ExtendedAuthEnabled"])
	if !hasEAP {
		msg := "ExtendedAuthEnabled is missing: iOS 18 and later refuse IKEv2 profiles without it; write <integer>0</integer> or <integer>1</integer>"
		if method == "None" {
			msg += " (and with AuthenticationMethod None and no ExtendedAuthEnabled, Apple falls back to SharedSecret)"
		}
		l.add(diag.Warning, "missing-extended-auth", path, "IKEv2.ExtendedAuthEnabled", "%s", msg)
	}
	if method == "SharedSecret" {
		if s, _ := ike["SharedSecret"].(string); s == "" {
			l.add(diag.Warning, "missing-key", path, "IKEv2.SharedSecret", "AuthenticationMethod is SharedSecret but SharedSecret is empty; the device will ask the user for it")
		}
	}
	if method == "Certificate" && !eap {
		if _, ok := ike["PayloadCertificateUUID"]; !ok {
			l.add(diag.Warning, "missing-key", path, "IKEv2.PayloadCertificateUUID", "AuthenticationMethod is Certificate without EAP, but no PayloadCertificateUUID names the client identity; the connection cannot authenticate")
		}
	}
	if _, ok := ike["CertificateType"]; ok {
		if s, _ := ike["ServerCertificateIssuerCommonName"].(string); s == "" {
			l.add(diag.Error, "missing-key", path, "IKEv2.ServerCertificateIssuerCommonName", "CertificateType is set, and Apple then requires ServerCertificateIssuerCommonName")
		}
	}
	if rules, ok := ike["OnDemandRules"].([]any); ok {
		if !isTrue(ike["OnDemandEnabled"]) && len(rules) > 0 {
			l.add(diag.Info, "no-effect", joinPath(path, "OnDemandRules"), "IKEv2.OnDemandRules", "there are %d on-demand rules, but OnDemandEnabled is not 1, so they have no effect", len(rules))
		}
		for i, r := range rules {
			rm, ok := r.(map[string]any)
			if !ok {
				continue
			}
			rp := fmt.Sprintf("%s.OnDemandRules[%d]", path, i)
			action, _ := rm["Action"].(string)
			if _, ok := rm["ActionParameters"]; ok && action != "EvaluateConnection" {
				l.add(diag.Warning, "no-effect", rp, "IKEv2.OnDemandRules[].ActionParameters", "ActionParameters apply only to the EvaluateConnection action; this rule's action is %s", action)
			}
			if action == "EvaluateConnection" {
				if _, ok := rm["ActionParameters"]; !ok {
					l.add(diag.Error, "missing-key", rp, "IKEv2.OnDemandRules[].ActionParameters", "an EvaluateConnection rule needs ActionParameters")
				}
			}
			if action == "Allow" {
				l.add(diag.Warning, "deprecated-value", rp, "IKEv2.OnDemandRules[].Action", "the Allow action is deprecated; use Connect, EvaluateConnection or Ignore")
			}
		}
	}
	l.algorithmChecks(ike, path)
}

// algorithmChecks applies Apple's rules on the security associations of an
// IKEv2 dictionary at path.
func (l *linter) algorithmChecks(ike map[string]any, path string) {
	t := l.opts.Target
	if strings.Contains(path, "AlwaysOn") && appleschema.CompareVersions(t.Version, alwaysOnDHSince) >= 0 {
		for _, sa := range []string{ikeSAKey, childSAKey} {
			d, _ := ike[sa].(map[string]any)
			g, ok := number(d["DiffieHellmanGroup"])
			if !ok || g >= alwaysOnMinDHGroup {
				continue
			}
			key := ikePrefix + sa + ".DiffieHellmanGroup"
			if lim, limited := appleschema.LimitOf(key, g); limited && !lim.Supported(t.Version) {
				continue // reported as refused by every VPN on the target
			}
			l.add(diag.Error, "target-unsupported", joinPath(joinPath(path, sa), "DiffieHellmanGroup"), key, "an Always On VPN on iOS %s and later needs Diffie-Hellman group %d or higher; group %v is refused on %s", alwaysOnDHSince, alwaysOnMinDHGroup, g, t.label())
		}
	}
	anyPQ := false
	for _, sa := range []string{ikeSAKey, childSAKey} {
		d, _ := ike[sa].(map[string]any)
		methods := asList(d[pqMethodsKey])
		anyPQ = anyPQ || len(methods) > 0
		if len(methods) > MaxPostQuantum {
			l.add(diag.Error, "too-many", joinPath(joinPath(path, sa), pqMethodsKey), ikePrefix+sa+"."+pqMethodsKey, "%d post-quantum key exchanges; Apple accepts at most %d (ADDKE1 to ADDKE7 of RFC 9370)", len(methods), MaxPostQuantum)
		}
	}
	if isTrue(ike[pqFallbackKey]) && !anyPQ {
		l.add(diag.Info, "no-effect", joinPath(path, pqFallbackKey), ikePrefix+pqFallbackKey, "AllowPostQuantumKeyExchangeFallback has no effect: neither security association lists PostQuantumKeyExchangeMethods")
	}
	strictSup, _ := appleschema.SupportOf(vpnPayloadType, ikePrefix+strictSelectionKey)
	if isTrue(ike[strictSelectionKey]) && strictSup.Supported(t.Version) {
		for _, v := range AlgorithmsOf(ike).StrictViolations() {
			l.add(diag.Error, "strict-algorithms", joinPath(path, v.Key), ikePrefix+v.Key, "%s: EnforceStrictAlgorithmSelection is 1, so the device refuses this VPN payload", v.Message)
		}
	}
}

// crossChecks look across payloads: identifiers, UUIDs and certificate
// references.
func (l *linter) crossChecks(top map[string]any, payloads []map[string]any) {
	uuids := map[string]string{}
	idents := map[string]string{}
	check := func(m map[string]any, path string) {
		if u, ok := m["PayloadUUID"].(string); ok {
			if !uuidPattern.MatchString(u) {
				l.add(diag.Error, "bad-uuid", joinPath(path, "PayloadUUID"), "PayloadUUID", "PayloadUUID %q is not a UUID", u)
			} else if placeholderUUID(u) {
				l.add(diag.Warning, "placeholder-uuid", joinPath(path, "PayloadUUID"), "PayloadUUID", "PayloadUUID %q looks like a placeholder; another profile with the same UUID would replace this one", u)
			}
			key := strings.ToUpper(u)
			if prev, dup := uuids[key]; dup {
				l.add(diag.Error, "duplicate-uuid", joinPath(path, "PayloadUUID"), "PayloadUUID", "PayloadUUID %s is also used by %s; every payload needs its own", u, describeLoc(prev))
			} else {
				uuids[key] = path
			}
		}
		if id, ok := m["PayloadIdentifier"].(string); ok {
			if strings.HasSuffix(id, ".") {
				l.add(diag.Warning, "bad-identifier", joinPath(path, "PayloadIdentifier"), "PayloadIdentifier", "PayloadIdentifier %q ends with a dot: a reverse-DNS identifier whose last part is missing, which other profiles may share", id)
			}
			if prev, dup := idents[id]; dup {
				l.add(diag.Warning, "duplicate-identifier", joinPath(path, "PayloadIdentifier"), "PayloadIdentifier", "PayloadIdentifier %q is also used by %s; identifiers must be unique within the profile", id, describeLoc(prev))
			} else {
				idents[id] = path
			}
		}
	}
	check(top, "")
	certs := map[string]string{}
	for i, p := range payloads {
		path := fmt.Sprintf("PayloadContent[%d]", i)
		check(p, path)
		if pt, _ := p["PayloadType"].(string); slices.Contains(certificatePayloadTypes, pt) {
			if u, ok := p["PayloadUUID"].(string); ok {
				certs[strings.ToUpper(u)] = pt
			}
			l.certificatePayload(p, pt, path)
		}
	}
	for i, p := range payloads {
		path := fmt.Sprintf("PayloadContent[%d]", i)
		for _, ref := range certificateRefs(p, path) {
			pt, ok := certs[strings.ToUpper(ref.uuid)]
			switch {
			case !ok:
				l.add(diag.Error, "dangling-reference", ref.path, ref.key, "PayloadCertificateUUID %s names no certificate payload in this profile; the device refuses to install it (\"failed to fill in cert references\")", ref.uuid)
			case ref.identity && !slices.Contains(identityPayloadTypes, pt):
				l.add(diag.Error, "dangling-reference", ref.path, ref.key, "PayloadCertificateUUID %s names a %s payload, which holds no private key; the client identity must be a PKCS#12, SCEP or ACME payload", ref.uuid, pt)
			case pt == scepPayloadType:
				l.scepKeyType(ref)
			}
		}
	}
}

type certRef struct {
	uuid, path, key string
	identity        bool
	// container is the dictionary holding the reference.
	container map[string]any
}

func certificateRefs(p map[string]any, path string) []certRef {
	var out []certRef
	if ike, ok := p["IKEv2"].(map[string]any); ok {
		if u, ok := ike["PayloadCertificateUUID"].(string); ok {
			out = append(out, certRef{u, joinPath(path, "IKEv2.PayloadCertificateUUID"), "IKEv2.PayloadCertificateUUID", true, ike})
		}
	}
	if ao, ok := p["AlwaysOn"].(map[string]any); ok {
		tcs, _ := ao["TunnelConfigurations"].([]any)
		for i, tc := range tcs {
			if m, ok := tc.(map[string]any); ok {
				if u, ok := m["PayloadCertificateUUID"].(string); ok {
					out = append(out, certRef{u, fmt.Sprintf("%s.AlwaysOn.TunnelConfigurations[%d].PayloadCertificateUUID", path, i), "AlwaysOn.TunnelConfigurations[].PayloadCertificateUUID", true, m})
				}
			}
		}
	}
	for _, dictName := range []string{"IPSec", "VPN", "DNS"} {
		if d, ok := p[dictName].(map[string]any); ok {
			if u, ok := d["PayloadCertificateUUID"].(string); ok {
				out = append(out, certRef{u, joinPath(path, dictName+".PayloadCertificateUUID"), dictName + ".PayloadCertificateUUID", true, d})
			}
		}
	}
	return out
}

// certificatePayload checks what a certificate payload carries.
func (l *linter) certificatePayload(p map[string]any, pt, path string) {
	data, ok := p["PayloadContent"].([]byte)
	if !ok {
		return
	}
	switch pt {
	case "com.apple.security.root", "com.apple.security.pkcs1":
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN")) {
			l.add(diag.Info, "pem-in-der-payload", joinPath(path, "PayloadContent"), pt+".PayloadContent", "the certificate is PEM text where Apple describes DER; devices accept it, but com.apple.security.pem is the matching payload type")
		} else if len(data) < 2 || data[0] != 0x30 {
			l.add(diag.Error, "bad-certificate", joinPath(path, "PayloadContent"), pt+".PayloadContent", "PayloadContent is not a DER certificate")
		}
	case "com.apple.security.pkcs12":
		if len(data) < 2 || data[0] != 0x30 {
			l.add(diag.Error, "bad-certificate", joinPath(path, "PayloadContent"), pt+".PayloadContent", "PayloadContent is not a PKCS#12 container")
		}
	}
}

// secrets reports secrets that travel in the clear.
func (l *linter) secrets(top map[string]any, payloads []map[string]any) {
	for i, p := range payloads {
		path := fmt.Sprintf("PayloadContent[%d]", i)
		pt, _ := p["PayloadType"].(string)
		l.scepChallengeSecret(p, path)
		if pt == "com.apple.security.pkcs12" {
			what := "a private key (PKCS#12)"
			if _, ok := p["Password"]; ok {
				what = "a private key (PKCS#12) and its password"
			}
			l.add(diag.Warning, "unprotected-secret", path, pt, "the profile carries %s but is neither signed nor encrypted; sign it and encrypt it to the device", what)
		}
		for _, s := range []struct{ dict, key string }{
			{"IKEv2", "SharedSecret"}, {"IKEv2", "AuthPassword"}, {"IKEv2", "Password"}, {"IPSec", "SharedSecret"},
			{"IPSec", "XAuthPassword"}, {"PPP", "AuthPassword"}, {"Proxies", "HTTPProxyPassword"}, {"VPN", "Password"}, {"VPN", "AuthPassword"},
		} {
			d, ok := p[s.dict].(map[string]any)
			if !ok {
				continue
			}
			switch v := d[s.key].(type) {
			case string:
				if v == "" {
					continue
				}
			case []byte:
				if len(v) == 0 {
					continue
				}
			default:
				continue
			}
			l.add(diag.Warning, "unprotected-secret", joinPath(path, s.dict+"."+s.key), s.dict+"."+s.key, "%s.%s is a secret in a profile that is neither signed nor encrypted; sign it and encrypt it to the device", s.dict, s.key)
		}
	}
}

func placeholderUUID(u string) bool {
	u = strings.ToUpper(u)
	if strings.HasPrefix(u, "12345678-1234-") || strings.HasPrefix(u, "00000000-0000-0000-0000-") {
		return true
	}
	digits := strings.ReplaceAll(u, "-", "")
	return strings.Count(digits, digits[:1]) == len(digits)
}

func describeLoc(path string) string {
	if path == "" {
		return "the profile itself"
	}
	return path
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// asList returns the elements of an array value, whichever slice type holds
// them.
func asList(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return nil
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// plistType names the plist type of a decoded value.
func plistType(v any) appleschema.Type {
	switch v.(type) {
	case string:
		return appleschema.String
	case int, int64, uint64, int32, uint32:
		return appleschema.Integer
	case float64, float32:
		return appleschema.Real
	case bool:
		return appleschema.Boolean
	case []byte:
		return appleschema.Data
	case time.Time:
		return appleschema.Date
	case []any, []string:
		return appleschema.Array
	case map[string]any:
		return appleschema.Dictionary
	}
	return "unknown"
}

func describeType(t appleschema.Type) string {
	switch t {
	case appleschema.Boolean:
		return "a <true/> or <false/>"
	case appleschema.Integer:
		return "an <integer>"
	case appleschema.Array:
		return "an <array>"
	}
	return "a <" + string(t) + ">"
}

func inRangeList(v any, list []any) bool {
	for _, r := range list {
		switch rv := r.(type) {
		case string:
			if s, ok := v.(string); ok && s == rv {
				return true
			}
		case int64:
			if n, ok := number(v); ok && n == float64(rv) {
				return true
			}
		case float64:
			if n, ok := number(v); ok && n == rv {
				return true
			}
		case bool:
			if b, ok := v.(bool); ok && b == rv {
				return true
			}
		}
	}
	return false
}

func describeValue(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

func describeList(list []any) string {
	parts := make([]string, len(list))
	for i, r := range list {
		parts[i] = fmt.Sprint(r)
	}
	return strings.Join(parts, ", ")
}

func describeBounds(min, max *float64) string {
	switch {
	case min != nil && max != nil:
		return fmt.Sprintf("%v to %v", *min, *max)
	case min != nil:
		return fmt.Sprintf("at least %v", *min)
	case max != nil:
		return fmt.Sprintf("at most %v", *max)
	}
	return "unbounded"
}

// suggestKey finds the schema key a misspelt name most likely meant: one
// that differs only in case, or by at most two edits.
func suggestKey(keys []appleschema.Key, name string) string {
	best, bestDist := "", 3
	for _, k := range keys {
		if k.IsElement || k.AnyName {
			continue
		}
		if strings.EqualFold(k.Name, name) {
			return k.Name
		}
		if d := editDistance(strings.ToLower(k.Name), strings.ToLower(name)); d < bestDist {
			best, bestDist = k.Name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between two short strings.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
