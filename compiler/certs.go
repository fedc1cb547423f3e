package compiler

// This file compiles the Intune certificate profiles an IKEv2 VPN relies on
// into payloads of the same profile: the VPN's SCEP identity
// (iosScepCertificateProfile → com.apple.security.scep, scep.go) and its
// trusted roots (iosTrustedRootCertificate → com.apple.security.root,
// rootcert.go). A PKCS profile (iosPkcsCertificateProfile) has no offline
// equivalent and is an error that says what to do instead.
//
// The profiles come from two places: exports given on their own
// (Options.Certificates, the --with files) and the relationships expanded
// inline in the VPN entity (Input.Certificates). An expanded
// identityCertificate is certain to be the VPN's; among exports given on
// their own, exactly one SCEP or PKCS profile may be given, since a plain
// export does not say which profile the VPN links.

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// SCEPOptions hold what a SCEP payload needs that an Intune export never
// holds.
type SCEPOptions struct {
	// Challenge is the SCEP challenge password: a secret, written into the
	// payload (the profile is then a secret too).
	Challenge string
	// ChallengeVariable, when Challenge is empty, names an MDM variable
	// written as {{name}}, which the MDM fills with a challenge when it
	// delivers the profile (a dynamic challenge, one per device).
	ChallengeVariable string
	// Name is the SCEP payload's Name, which some SCEP servers hosting
	// several CAs use to pick one (EJBCA: the CA name); empty leaves it out.
	Name string
}

const (
	scepPayloadType = "com.apple.security.scep"
	rootPayloadType = "com.apple.security.root"
	scepSuffix      = ".scep."
	rootSuffix      = ".root."
)

// certPlan is what the certificate profiles contribute to the profile.
type certPlan struct {
	// identity is the SCEP or PKCS profile that is the VPN's client
	// identity, or nil.
	identity *graphjson.CertificateProfile
	// roots are the trusted-root profiles, in input order.
	roots []*graphjson.CertificateProfile
	// scepIdentifier is the PayloadIdentifier of the SCEP payload.
	scepIdentifier string
	// scepUsed is set when the VPN references the SCEP payload.
	scepUsed bool
	// subjectCN is the common name the SCEP subject asks for, to fill
	// LocalIdentifier (clientCertificateSubjectName).
	subjectCN string
	// payloads are the finished certificate payloads, roots first; rootDER
	// holds the roots' certificates, so that the same --ca is not embedded
	// twice.
	payloads []certPayload
	rootDER  [][]byte
}

// certPayload is a certificate payload waiting for the common payload keys
// that assemble adds.
type certPayload struct {
	payloadType, identifier, displayName string
	keys                                 *Dict
}

// certBuild compiles one certificate profile into one payload.
type certBuild struct {
	b           *build
	cp          *graphjson.CertificateProfile
	payloadType string
	// keys are the payload's own keys; content is its PayloadContent
	// dictionary when that is a dictionary (SCEP).
	keys, content *Dict
	// written lists the payload key paths written ("PayloadContent.URL")
	// with the Graph property each came from.
	written []written
}

func (b *build) newCertBuild(cp *graphjson.CertificateProfile, payloadType string) *certBuild {
	return &certBuild{b: b, cp: cp, payloadType: payloadType, keys: &Dict{}}
}

// path returns the absolute JSON path of a property of the certificate
// profile.
func (c *certBuild) path(rel string) string { return joinRel(c.cp.Path, rel) }

// appleKey qualifies a payload key path with the payload type for a
// diagnostic: "com.apple.security.scep.PayloadContent.URL".
func (c *certBuild) appleKey(key string) string {
	if key == "" {
		return ""
	}
	return c.payloadType + "." + key
}

func (c *certBuild) add(sev diag.Severity, code, rel, key, format string, args ...any) {
	c.b.diags.Add(sev, code, c.path(rel), c.appleKey(key), format, args...)
}

// hinted records a diagnostic with a hint, as add does.
func (c *certBuild) hinted(sev diag.Severity, code, rel, key string, h diag.Hint, format string, args ...any) {
	c.b.diags.AddHinted(sev, code, c.path(rel), c.appleKey(key), h, format, args...)
}

func (c *certBuild) errorf(code, rel, key, format string, args ...any) {
	c.add(diag.Error, code, rel, key, format, args...)
}

func (c *certBuild) warnf(code, rel, key, format string, args ...any) {
	c.add(diag.Warning, code, rel, key, format, args...)
}

func (c *certBuild) infof(code, rel, key, format string, args ...any) {
	c.add(diag.Info, code, rel, key, format, args...)
}

// resolve fills the {{variables}} of a string from --var, or leaves them
// for the MDM; rel is the Graph property the string comes from and key the
// payload key it is written to ("PayloadContent.Subject"), which every
// diagnostic about a token left in it names.
func (c *certBuild) resolve(s, rel, key string) string {
	return c.b.resolveAt(s, c.path(rel), c.appleKey(key))
}

// set writes a key of the payload at a dotted path ("PayloadContent.URL");
// rel is the Graph property it comes from ("" for none).
func (c *certBuild) set(keyPath string, v any, rel string) {
	setPath(c.keys, keyPath, v)
	c.written = append(c.written, written{key: keyPath, rel: rel})
}

// gate leaves out, with a warning, every key the target does not know,
// from Apple's schema for the payload, as applyTarget does for the VPN.
func (c *certBuild) gate() {
	if sup, ok := appleschema.Lookup(c.payloadType); ok && !sup.IOS.Supported(c.b.target.Version) {
		c.errorf("target-unsupported", "", "", "%s needs iOS %s; the target %s does not have it", c.payloadType, sup.IOS.Introduced, c.b.target.label())
		return
	}
	done := map[string]bool{}
	for _, w := range c.written {
		if done[w.key] {
			continue
		}
		done[w.key] = true
		sup, ok := appleschema.SupportOf(c.payloadType, schemaPath(w.key))
		if !ok {
			sup, ok = appleschema.SupportOf("CommonPayloadKeys", w.key)
		}
		if !ok {
			// Every key written is in Apple's schema; a test keeps it so.
			panic(fmt.Sprintf("compiler: the key %s is not in Apple's schema for %s", w.key, c.payloadType))
		}
		switch {
		case !sup.Supported(c.b.target.Version):
			why := fmt.Sprintf("needs iOS %s", sup.Introduced)
			if sup.Removed != "" && appleschema.CompareVersions(c.b.target.Version, sup.Removed) >= 0 {
				why = fmt.Sprintf("was removed in iOS %s", sup.Removed)
			}
			c.warnf("target-unsupported", w.rel, w.key, "%s %s; the target %s would ignore or reject it, so it is left out", w.key, why, c.b.target.label())
			deletePath(c.keys, w.key)
		case sup.Deprecated != "" && appleschema.CompareVersions(c.b.target.Version, sup.Deprecated) >= 0:
			c.warnf("deprecated-key", w.rel, w.key, "%s is deprecated since iOS %s", w.key, sup.Deprecated)
		}
	}
}

// finish adds the payload to the profile.
func (c *certBuild) finish(identifier, displayName string) {
	c.gate()
	c.b.certs.payloads = append(c.b.certs.payloads, certPayload{payloadType: c.payloadType, identifier: identifier, displayName: displayName, keys: c.keys})
}

// joinRel returns the absolute JSON path of the property rel ("keySize",
// "customSubjectAlternativeNames[1].name") of an entity at root.
func joinRel(root, rel string) string {
	p := root
	for rel != "" {
		var part string
		part, rel, _ = strings.Cut(rel, ".")
		name, rest, _ := strings.Cut(part, "[")
		p = graphjson.JoinName(p, name)
		if rest != "" {
			p += "[" + rest
		}
	}
	return p
}

// planCertificates decides, before the VPN's keys are written, which
// certificate profile is the client identity and which are roots, and
// derives the SCEP payload's identifier, which the VPN references.
func (b *build) planCertificates() {
	var all []*graphjson.CertificateProfile
	seen := map[string]string{}
	add := func(cp *graphjson.CertificateProfile) {
		if id := cp.ID(); id != "" {
			key := cp.Type() + "\x00" + id
			if prev, dup := seen[key]; dup {
				b.diags.Add(diag.Info, "duplicate-certificate", cp.Path, "", "this %s is the one at %s (same id); it is used once", cp.Label(), prev)
				return
			}
			seen[key] = cp.Path
		}
		all = append(all, cp)
	}
	for i := range b.in.Certificates {
		add(&b.in.Certificates[i])
	}
	for i := range b.opts.Certificates {
		add(&b.opts.Certificates[i])
	}
	var ids []*graphjson.CertificateProfile
	for _, cp := range all {
		if cp.Root != nil {
			b.certs.roots = append(b.certs.roots, cp)
		} else {
			ids = append(ids, cp)
		}
	}
	if len(ids) == 0 {
		return
	}
	chosen := ids[0]
	if len(ids) > 1 {
		chosen = nil
		for _, cp := range ids {
			if cp.Expanded {
				chosen = cp
				break
			}
		}
		if chosen == nil {
			labels := make([]string, len(ids))
			for i, cp := range ids {
				labels[i] = cp.Label() + " (" + cp.Path + ")"
			}
			b.hinted(diag.Error, "ambiguous-identity", "identityCertificate", "IKEv2.PayloadCertificateUUID", oneExportHint, "%d client certificate profiles are given: %s; an export on its own does not say which one the VPN links as its identityCertificate", len(ids), strings.Join(labels, ", "))
			return
		}
		for _, cp := range ids {
			if cp != chosen {
				b.diags.Add(diag.Warning, "identity-unused", cp.Path, "", "%s is not used: the VPN's own identityCertificate is %s", cp.Label(), chosen.Label())
			}
		}
	}
	b.certs.identity = chosen
	if chosen.Scep == nil {
		return
	}
	part, ok := b.certIdentifierPart(chosen)
	if !ok {
		b.certs.identity = nil
		return
	}
	b.certs.scepIdentifier = b.identifier + scepSuffix + part
	// LocalIdentifier, written before the authentication is worked out,
	// takes the subject's common name only when the SCEP identity will be
	// the one used.
	if m := val(b.cfg.AuthenticationMethod); b.opts.Identity == nil && b.opts.IdentityUUID == "" && (m == graphjson.AuthMethodCertificate || m == graphjson.AuthMethodDerivedCredential) {
		b.certs.subjectCN = scepSubjectCN(chosen.Scep)
	}
}

// certIdentifierPart returns the part of a certificate payload's
// identifier that comes from its profile: the Graph id, so that the
// payload keeps its UUID when the profile is renamed.
func (b *build) certIdentifierPart(cp *graphjson.CertificateProfile) (string, bool) {
	idPath := joinRel(cp.Path, "id")
	switch id := cp.ID(); {
	case id != "" && validIdentifier(id):
		return id, true
	case id != "" && Slug(id) != "":
		b.diags.Add(diag.Info, "identifier", idPath, "PayloadIdentifier", "the id %q is not usable in an identifier as is; %q is used", id, Slug(id))
		return Slug(id), true
	case Slug(cp.DisplayName()) != "":
		b.diags.Add(diag.Warning, "identifier", idPath, "PayloadIdentifier", "the %s has no id; its payload identifier is derived from displayName (%q): renaming it in Intune will then change the payload's UUID", strings.TrimPrefix(cp.Type(), "microsoft.graph."), Slug(cp.DisplayName()))
		return Slug(cp.DisplayName()), true
	}
	b.diags.Add(diag.Error, "identifier", idPath, "PayloadIdentifier", "the %s has neither an id nor a displayName to derive a stable payload identifier from; add the Graph id to the export", strings.TrimPrefix(cp.Type(), "microsoft.graph."))
	return "", false
}

// referenceCertificateIdentity links the VPN to the client identity of a
// certificate profile (called by referenceIdentity when neither
// Options.Identity nor Options.IdentityUUID is given).
func (b *build) referenceCertificateIdentity() {
	cp := b.certs.identity
	if cp.Pkcs != nil {
		b.diags.AddHinted(diag.Error, "pkcs-identity", cp.Path, "IKEv2.PayloadCertificateUUID", identityOrSCEP, "the VPN's identity is the PKCS certificate profile %s: Intune's certificate connector requests that certificate from your CA and delivers it to each device as a PFX, and there is no offline equivalent", cp.Label())
		return
	}
	b.certs.scepUsed = true
	b.setIKE("PayloadCertificateUUID", PayloadUUID(b.certs.scepIdentifier), "authenticationMethod")
}

// certificateIdentityUnused explains a SCEP or PKCS profile the VPN does
// not use; by is the reason.
func (b *build) certificateIdentityUnused(by string) {
	if cp := b.certs.identity; cp != nil {
		b.diags.Add(diag.Warning, "identity-unused", cp.Path, "IKEv2.PayloadCertificateUUID", "%s is not used: %s, so no payload is made for it", cp.Label(), by)
	}
}

// emitCertificates compiles the certificate profiles into their payloads,
// once the VPN's keys are written and the authentication is known.
func (b *build) emitCertificates() {
	for _, cp := range b.certs.roots {
		b.emitRoot(cp)
	}
	if !b.certs.scepUsed {
		return
	}
	cp := b.certs.identity
	b.checkSCEPKeyType(cp)
	b.emitSCEP(cp)
	if len(b.certs.rootDER) == 0 && len(b.opts.CACertificates) == 0 {
		b.diags.AddHinted(diag.Warning, "no-root", cp.Path, "", rootHint, "no trusted root certificate is given: the device must already trust the CA that issues the SCEP certificate and the VPN server's certificate")
	}
}

// checkSCEPKeyType refuses an ECDSA CertificateType with a SCEP identity:
// Apple's SCEP payload always makes an RSA key.
func (b *build) checkSCEPKeyType(cp *graphjson.CertificateProfile) {
	ct := b.cfg.ServerCertificateType
	if ct == nil || *ct == graphjson.ServerCertRsa || b.auth.method != "Certificate" {
		return
	}
	apple := strings.ToUpper(string(*ct))
	b.hinted(diag.Error, "scep-key-type", "serverCertificateType", "IKEv2.CertificateType", ecdsaIdentityHint, "serverCertificateType is %s (IKEv2.CertificateType %s), so the device would authenticate with an ECDSA certificate, but its identity comes from the SCEP profile %s, and Apple's SCEP payload always makes an RSA key (Key Type RSA; Graph has no key-algorithm setting): set serverCertificateType to rsa", *ct, apple, cp.Label())
}

// certRule is a row of a certificate profile's mapping table: the Rule it
// documents and how it is compiled.
type certRule struct {
	Rule
	emitCert func(*certBuild)
}

// Unsupported properties make the compilation fail: there is no offline
// equivalent of what Intune does with them.
const Unsupported Fate = "unsupported"

// CertificateRules returns the mapping table of a certificate profile type
// (graphjson.ScepType, PkcsType or TrustedRootType): Apple keys are
// relative to the payload it becomes. The caller owns the returned slice.
func CertificateRules(odataType string) []Rule {
	var out []Rule
	for _, r := range certTable(odataType) {
		out = append(out, r.Rule)
	}
	return out
}

func certTable(odataType string) []certRule {
	switch odataType {
	case graphjson.ScepType:
		return scepTable()
	case graphjson.TrustedRootType:
		return rootTable()
	case graphjson.PkcsType:
		return pkcsTable()
	}
	return nil
}

// applyCertRules runs the emitters of a certificate table.
func (c *certBuild) applyRules(table []certRule) {
	for _, r := range table {
		if r.emitCert != nil {
			r.emitCert(c)
		}
	}
}

// commonCertRules are the rows every certificate profile shares: the
// deviceConfiguration properties. what is the payload the profile becomes.
func commonCertRules(payload string) []certRule {
	meta := func(graph, note string) certRule {
		return certRule{Rule: Rule{Graph: graph, Fate: Metadata, Note: note}}
	}
	return []certRule{
		{Rule: Rule{Graph: "id", Apple: []string{"PayloadIdentifier", "PayloadUUID"}, Fate: Metadata, Evidence: EvidenceInformed,
			Conversion: "PayloadIdentifier = <VPN PayloadIdentifier>" + map[string]string{scepPayloadType: scepSuffix, rootPayloadType: rootSuffix}[payload] + "<id>; PayloadUUID is its UUIDv5",
			Note:       "Deterministic, so an MDM replaces the payload instead of adding a second one; without an id, a slug of displayName is used, with a warning."}},
		{Rule: Rule{Graph: "displayName", Apple: []string{"PayloadDisplayName"}, Fate: Mapped, Conversion: "string", Evidence: EvidenceInformed}},
		{Rule: Rule{Graph: "description", Apple: []string{"PayloadDescription"}, Fate: Mapped, Conversion: "string (omitted when empty)", Evidence: EvidenceInformed},
			emitCert: func(c *certBuild) {
				if d := c.cp.Device().Description; has(d) {
					c.set("PayloadDescription", c.resolve(*d, "description", "PayloadDescription"), "description")
				}
			}},
		meta("createdDateTime", "Intune bookkeeping; no Apple key."),
		meta("lastModifiedDateTime", "Intune bookkeeping; no Apple key."),
		meta("version", "Intune bookkeeping; no Apple key."),
		meta("roleScopeTagIds", "Intune role-based access; no Apple key."),
		meta("supportsScopeTags", "Intune role-based access; no Apple key."),
		{Rule: Rule{Graph: "deviceManagementApplicabilityRuleOsVersion", Fate: Targeting, Conversion: "checked against --target like the VPN's rule: a target outside it is an error"},
			emitCert: func(c *certBuild) {
				c.b.checkOsVersionRule(c.cp.Device().DeviceManagementApplicabilityRuleOsVersion, c.path("deviceManagementApplicabilityRuleOsVersion"))
			}},
		{Rule: Rule{Graph: "deviceManagementApplicabilityRuleOsVersion.minOSVersion", Fate: Targeting, Conversion: "version string"}},
		{Rule: Rule{Graph: "deviceManagementApplicabilityRuleOsVersion.maxOSVersion", Fate: Targeting, Conversion: "version string"}},
		meta("deviceManagementApplicabilityRuleOsVersion.name", "Quoted in diagnostics."),
		{Rule: Rule{Graph: "deviceManagementApplicabilityRuleOsVersion.ruleType", Fate: Targeting, Conversion: "include or exclude"}},
		{Rule: Rule{Graph: "deviceManagementApplicabilityRuleOsEdition", Fate: Targeting, Note: "Windows editions only: reported (info) and not applied to iOS."},
			emitCert: func(c *certBuild) {
				if c.cp.Device().DeviceManagementApplicabilityRuleOsEdition != nil {
					c.infof("windows-only", "deviceManagementApplicabilityRuleOsEdition", "", "this applicability rule concerns Windows editions only; it does not apply to iOS and is not evaluated")
				}
			}},
		{Rule: Rule{Graph: "deviceManagementApplicabilityRuleOsEdition.osEditionTypes", Fate: Targeting, Note: "Windows only."}},
		meta("deviceManagementApplicabilityRuleOsEdition.name", ""),
		{Rule: Rule{Graph: "deviceManagementApplicabilityRuleOsEdition.ruleType", Fate: Targeting, Note: "Windows only."}},
		{Rule: Rule{Graph: "deviceManagementApplicabilityRuleDeviceMode", Fate: Targeting, Note: "Windows S mode only: reported (info) and not applied to iOS."},
			emitCert: func(c *certBuild) {
				if c.cp.Device().DeviceManagementApplicabilityRuleDeviceMode != nil {
					c.infof("windows-only", "deviceManagementApplicabilityRuleDeviceMode", "", "this applicability rule concerns the Windows S mode only; it does not apply to iOS and is not evaluated")
				}
			}},
		{Rule: Rule{Graph: "deviceManagementApplicabilityRuleDeviceMode.deviceMode", Fate: Targeting, Note: "Windows only."}},
		meta("deviceManagementApplicabilityRuleDeviceMode.name", ""),
		{Rule: Rule{Graph: "deviceManagementApplicabilityRuleDeviceMode.ruleType", Fate: Targeting, Note: "Windows only."}},
	}
}

// checkOsVersionRule checks an OS version applicability rule of a
// certificate profile, at path, against the target, as emitOsVersionRule
// does for the VPN's: Intune would not deliver the profile to a device
// outside the rule, and the VPN would then have no identity.
func (b *build) checkOsVersionRule(r *graphjson.DeviceManagementApplicabilityRuleOsVersion, path string) {
	if r == nil {
		return
	}
	min, max := val(r.MinOSVersion), val(r.MaxOSVersion)
	for _, v := range []struct{ rel, s string }{{"minOSVersion", min}, {"maxOSVersion", max}} {
		if v.s != "" && !versionPattern.MatchString(v.s) {
			b.diags.Add(diag.Error, "bad-value", joinRel(path, v.rel), "", "%q is not an OS version such as 16.0", v.s)
			return
		}
	}
	if min == "" && max == "" {
		return
	}
	inside := (min == "" || appleschema.CompareVersions(b.target.Version, min) >= 0) &&
		(max == "" || appleschema.CompareVersions(b.target.Version, max) <= 0)
	exclude := r.RuleType != nil && *r.RuleType == graphjson.RuleExclude
	if inside == exclude {
		b.diags.AddHinted(diag.Error, "not-applicable", path, "", allowedTargetHint, "this certificate profile does not apply to %s (rule: %s %s); Intune would not deliver it to such a device", b.target.label(), map[bool]string{true: "exclude", false: "include"}[exclude], describeRange(min, max))
	}
}

// ignoredCert documents a property Apple has no key for; value describes
// the property's value, and a value that is not "" is reported with sev.
func ignoredCert(graph, note string, value func(*certBuild) string, sev diag.Severity) certRule {
	return certRule{Rule: Rule{Graph: graph, Fate: Ignored, Note: note}, emitCert: func(c *certBuild) {
		if value == nil {
			return
		}
		if v := value(c); v != "" {
			c.add(sev, "ignored-setting", graph, "", "%s (%s) is not carried: %s", graph, v, note)
		}
	}}
}

// certificateProfilePayload wraps a certificate payload's own keys in the
// keys every payload has.
func (b *build) certificateProfilePayload(p certPayload, common func(string, string, string) *Dict) *Dict {
	d := common(p.payloadType, p.identifier, p.displayName)
	for i := 0; i < p.keys.Len(); i++ {
		k, v := p.keys.At(i)
		d.Set(k, v)
	}
	return d
}

// embeds reports whether a certificate profile already embeds the
// certificate, so that the same --ca is not embedded twice.
func (p *certPlan) embeds(c *x509.Certificate) bool {
	for _, der := range p.rootDER {
		if bytes.Equal(der, c.Raw) {
			return true
		}
	}
	return false
}
