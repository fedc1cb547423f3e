package compiler

import (
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// The SCEP payload's keys that no Graph property sets, and their defaults.
const (
	// scepRetries and scepRetryDelay are Apple's own defaults, written out
	// so that the profile shows them: the device asks again 3 times, 10
	// seconds apart, when the server answers PENDING.
	scepRetries    = 3
	scepRetryDelay = 10
	// scepDefaultKeySize is written when keySize is not set: Apple's default
	// is 1024 bits, which CAs refuse and which is too weak for a VPN.
	scepDefaultKeySize = 2048
)

// emitSCEP compiles the SCEP profile that is the VPN's identity into a
// com.apple.security.scep payload.
func (b *build) emitSCEP(cp *graphjson.CertificateProfile) {
	c := b.newCertBuild(cp, scepPayloadType)
	c.content = &Dict{}
	c.keys.Set("PayloadContent", c.content)
	c.applyRules(scepTable())
	c.emitSCEPExtras()
	name := "SCEP certificate"
	if has(cp.Scep.DisplayName) {
		name = c.resolve(*cp.Scep.DisplayName, "displayName", "PayloadDisplayName")
	}
	c.finish(b.certs.scepIdentifier, name)
}

// setContent writes a key of the SCEP payload's PayloadContent.
func (c *certBuild) setContent(key string, v any, rel string) {
	c.set("PayloadContent."+key, v, rel)
}

// scepTable is the mapping table of iosScepCertificateProfile → the
// com.apple.security.scep payload.
var scepTable = sync.OnceValue(func() []certRule {
	type S = graphjson.IosScepCertificateProfile
	scep := func(c *certBuild) *S { return c.cp.Scep }
	rules := commonCertRules(scepPayloadType)
	rules = append(rules, []certRule{
		{Rule: Rule{Graph: "scepServerUrls", Apple: []string{"PayloadContent.URL"}, Fate: Mapped, Evidence: EvidenceSameName,
			Conversion: "the first URL (http or https); required",
			Note:       "Apple's payload takes one URL: the others are left out with a warning that names them (Intune lets its devices fall back to them)."},
			emitCert: emitSCEPURL},
		{Rule: Rule{Graph: "subjectNameFormat", Apple: []string{"PayloadContent.Subject"}, Fate: Mapped, Evidence: EvidenceInformed,
			Conversion: "custom → subjectNameFormatString; commonName → CN={{UserName}}; commonNameIncludingEmail → CN={{UserName}},E={{EmailAddress}}; commonNameAsEmail → CN={{EmailAddress}}; commonNameAsIMEI → CN={{IMEINumber}}; commonNameAsSerialNumber → CN={{SerialNumber}}",
			Note:       "The fixed formats are Intune's older shorthands; which variables Intune puts in them is not published, so they are written with Intune's variables for the MDM to fill, and an info says so."},
			emitCert: emitSCEPSubject},
		{Rule: Rule{Graph: "subjectNameFormatString", Apple: []string{"PayloadContent.Subject"}, Fate: Conditional, Evidence: EvidenceInformed,
			Conversion: "with subjectNameFormat custom: \"CN=…,OU=…,O=…,C=…\" (RFC 4514 order, most specific first; commas or semicolons between RDNs, + inside a multi-valued RDN, values optionally in double quotes) → Subject, an array of RDNs in certificate order (C first), each an array of [OID, value] pairs",
			Note:       "C, L, ST (or S), O, OU and CN keep Apple's short names; E, DC, STREET, T, G, I, SN, SERIALNUMBER, UID and OID.n.n… become dotted OIDs. {{variables}} pass through for the MDM (or --var)."}},
		{Rule: Rule{Graph: "subjectAlternativeNameType", Apple: []string{"PayloadContent.SubjectAltName"}, Fate: Mapped, Evidence: EvidenceInformed,
			Conversion: "emailAddress → rfc822Name {{EmailAddress}}; userPrincipalName → ntPrincipalName {{UserPrincipalName}}; domainNameService → dNSName, universalResourceIdentifier → uniformResourceIdentifier (value from subjectAlternativeNameFormatString); none → nothing",
			Note:       "customAzureADAttribute names a directory attribute that Intune looks up itself; no MDM variable stands for it, so it is left out with a warning."},
			emitCert: emitSCEPSubjectAltName},
		{Rule: Rule{Graph: "subjectAlternativeNameFormatString", Apple: []string{"PayloadContent.SubjectAltName"}, Fate: Conditional, Evidence: EvidenceInformed,
			Conversion: "the value of a domainNameService or universalResourceIdentifier subjectAlternativeNameType"}},
		{Rule: Rule{Graph: "customSubjectAlternativeNames", Apple: []string{"PayloadContent.SubjectAltName"}, Fate: Mapped, Evidence: EvidenceSameName,
			Conversion: "each name by its sanType: emailAddress → rfc822Name, userPrincipalName → ntPrincipalName, domainNameService → dNSName, universalResourceIdentifier → uniformResourceIdentifier",
			Note:       "One value is a string; several of one type are an array of strings, which Apple's description of SubjectAltName allows."}},
		{Rule: Rule{Graph: "customSubjectAlternativeNames[].name", Apple: []string{"PayloadContent.SubjectAltName"}, Fate: Mapped, Conversion: "string; {{variables}} pass through", Evidence: EvidenceSameName}},
		{Rule: Rule{Graph: "customSubjectAlternativeNames[].sanType", Apple: []string{"PayloadContent.SubjectAltName"}, Fate: Mapped, Conversion: "which SubjectAltName key (see customSubjectAlternativeNames)", Evidence: EvidenceSameName}},
		{Rule: Rule{Graph: "keySize", Apple: []string{"PayloadContent.Keysize"}, Fate: Mapped, Evidence: EvidenceSameName,
			Conversion: "size1024 → 1024 (with a warning), size2048 → 2048, size4096 → 4096; not set → 2048",
			Note:       "Apple's own default is 1024 bits, so 2048 is written when Graph leaves it unset. Intune documents 4096-bit keys for iOS 14 and later: an older --target gives a warning."},
			emitCert: emitSCEPKeySize},
		{Rule: Rule{Graph: "keyUsage", Apple: []string{"PayloadContent.Key Usage"}, Fate: Mapped, Evidence: EvidenceSameName,
			Conversion: "bitmask: digitalSignature → 1 (signing), keyEncipherment → 4 (encryption), both → 5; not set → omitted (Apple's default 0, none requested)"},
			emitCert: emitSCEPKeyUsage},
		ignoredCert("extendedKeyUsages", "Apple's SCEP payload cannot request extended key usages; the CA's certificate template decides them (Intune's certificate connector checks them on its side)", func(c *certBuild) string { return describeEKUs(scep(c).ExtendedKeyUsages) }, diag.Warning),
		{Rule: Rule{Graph: "extendedKeyUsages[].name", Fate: Ignored, Note: "See extendedKeyUsages."}},
		{Rule: Rule{Graph: "extendedKeyUsages[].objectIdentifier", Fate: Ignored, Note: "See extendedKeyUsages."}},
		ignoredCert("certificateValidityPeriodValue", "Apple's SCEP payload has no validity period; the CA's certificate template decides it (Intune's certificate connector asks for it on its side)", func(c *certBuild) string {
			if v := scep(c).CertificateValidityPeriodValue; v != nil {
				return fmt.Sprintf("%d %s", *v, val(scep(c).CertificateValidityPeriodScale))
			}
			return ""
		}, diag.Warning),
		ignoredCert("certificateValidityPeriodScale", "the unit of certificateValidityPeriodValue", nil, diag.Info),
		ignoredCert("renewalThresholdPercentage", "the device never renews a SCEP certificate by itself: Intune reissues the profile when this share of the validity is left, so without Intune the MDM must reinstall the profile before the certificate expires", func(c *certBuild) string {
			if v := scep(c).RenewalThresholdPercentage; v != nil {
				return fmt.Sprintf("%d%%", *v)
			}
			return ""
		}, diag.Warning),
		{Rule: Rule{Graph: "certificateStore", Fate: Ignored,
			Note: "Apple installs a SCEP payload on iOS through the device channel only, so the identity always goes into the device's keychain: machine says what the device does anyway (an info); user is a warning, since the certificate is then not tied to a user (on a Shared iPad every user of the device can use it) and only its subject and alternative names say whose it is."},
			emitCert: emitSCEPCertificateStore},
	}...)
	return rules
})

// scepExtraKeys documents the SCEP payload's keys that no Graph property
// sets.
var scepExtraKeys = []struct{ Key, Source string }{
	{"PayloadContent.Challenge", "--scep-challenge-file FILE (a secret: the profile is then written with mode 0600), or --scep-challenge-variable NAME, written as {{NAME}} for the MDM to fill with a per-device challenge; without either the compilation fails, since Intune never exports the challenge"},
	{"PayloadContent.Name", "--scep-name NAME; left out by default (the device then asks the SCEP server for its only or default CA)"},
	{"PayloadContent.Retries", fmt.Sprintf("always %d (Apple's default): how often the device asks again after a PENDING answer", scepRetries)},
	{"PayloadContent.RetryDelay", fmt.Sprintf("always %d seconds (Apple's default) between those retries", scepRetryDelay)},
	{"PayloadContent.Key Type", "left out: Apple's only value, and default, is RSA"},
	{"PayloadContent.CAFingerprint", "left out: Graph's rootCertificate is the root, while a SCEP server answers with its issuing CA or RA, whose fingerprint the export does not hold"},
}

// emitSCEPCertificateStore explains certificateStore, which no key of
// Apple's SCEP payload carries: an iOS device keeps every identity a profile
// installs in its own keychain.
func emitSCEPCertificateStore(c *certBuild) {
	store := c.cp.Scep.CertificateStore
	switch {
	case store == nil:
	case *store == graphjson.CertificateStoreUser:
		c.warnf("ignored-setting", "certificateStore", "", "certificateStore (user) is not carried: iOS installs a SCEP payload through the device channel only, so the certificate goes into the device's keychain and is not tied to a user (on a Shared iPad every user of the device can use it); only its subject and alternative names say whose it is")
	default:
		c.infof("ignored-setting", "certificateStore", "", "certificateStore (%s) needs no key: iOS installs a SCEP payload through the device channel only, so the certificate goes into the device's keychain, as a machine certificate does", *store)
	}
}

func emitSCEPURL(c *certBuild) {
	var urls []string
	for _, u := range c.cp.Scep.ScepServerUrls {
		if strings.TrimSpace(u) != "" {
			urls = append(urls, strings.TrimSpace(u))
		}
	}
	if len(urls) == 0 {
		c.errorf("missing-value", "scepServerUrls", "PayloadContent.URL", "scepServerUrls is empty: the SCEP payload needs the URL of the SCEP server")
		return
	}
	first := c.resolve(urls[0], "scepServerUrls[0]", "PayloadContent.URL")
	if !hasToken(first) {
		u, err := url.Parse(first)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			c.errorf("bad-value", "scepServerUrls[0]", "PayloadContent.URL", "%q is not an http or https URL of a SCEP server", first)
			return
		}
	}
	c.setContent("URL", first, "scepServerUrls")
	if len(urls) > 1 {
		c.warnf("extra-urls", "scepServerUrls", "PayloadContent.URL", "Apple's SCEP payload takes one URL: %s is used, and %s left out (Intune lets its devices fall back to them; an iPhone given this profile asks only the first)", quoteList(urls[:1]), quoteList(urls[1:]))
	}
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// legacySubjects are the subjects of Intune's fixed subject name formats.
var legacySubjects = map[graphjson.AppleSubjectNameFormat]string{
	graphjson.SubjectCommonName:               "CN={{UserName}}",
	graphjson.SubjectCommonNameIncludingEmail: "CN={{UserName}},E={{EmailAddress}}",
	graphjson.SubjectCommonNameAsEmail:        "CN={{EmailAddress}}",
	graphjson.SubjectCommonNameAsIMEI:         "CN={{IMEINumber}}",
	graphjson.SubjectCommonNameAsSerialNumber: "CN={{SerialNumber}}",
}

// scepSubjectFormat returns the subject string a SCEP profile asks for,
// the Graph property it comes from, and whether it is one of the fixed
// formats.
func scepSubjectFormat(s *graphjson.IosScepCertificateProfile) (string, string, bool) {
	format := graphjson.SubjectCustom
	if s.SubjectNameFormat != nil {
		format = *s.SubjectNameFormat
	}
	if format == graphjson.SubjectCustom {
		return val(s.SubjectNameFormatString), "subjectNameFormatString", false
	}
	return legacySubjects[format], "subjectNameFormat", true
}

// scepSubjectCN returns the common name a SCEP profile's subject asks for,
// or "".
func scepSubjectCN(s *graphjson.IosScepCertificateProfile) string {
	text, _, _ := scepSubjectFormat(s)
	rdns, err := parseSubject(text)
	if err != nil {
		return ""
	}
	cn := ""
	for _, rdn := range rdns {
		for _, a := range rdn {
			if a.oid == "CN" {
				cn = a.value
			}
		}
	}
	return cn
}

func emitSCEPSubject(c *certBuild) {
	s := c.cp.Scep
	if s.SubjectNameFormat == nil && !has(s.SubjectNameFormatString) {
		c.warnf("missing-value", "subjectNameFormat", "PayloadContent.Subject", "subjectNameFormat and subjectNameFormatString are not set: the certificate request has an empty subject, which most CAs refuse")
		return
	}
	text, rel, legacy := scepSubjectFormat(s)
	if s.SubjectNameFormat == nil {
		c.infof("assumed-value", "subjectNameFormat", "PayloadContent.Subject", "subjectNameFormat is not set; subjectNameFormatString is used as a custom format")
	}
	if legacy {
		c.hinted(diag.Info, "legacy-subject", "subjectNameFormat", "PayloadContent.Subject", varsHint, "subjectNameFormat %s is one of Intune's fixed formats; it is written as the subject %q, with Intune's variables for the MDM to fill: check that your MDM knows them", *s.SubjectNameFormat, text)
		if has(s.SubjectNameFormatString) {
			c.warnf("ignored-setting", "subjectNameFormatString", "PayloadContent.Subject", "ignored: subjectNameFormatString (%q) applies only with subjectNameFormat custom, and subjectNameFormat is %s, so the subject is %q", *s.SubjectNameFormatString, *s.SubjectNameFormat, text)
		}
	}
	if strings.TrimSpace(text) == "" {
		c.errorf("missing-value", rel, "PayloadContent.Subject", "subjectNameFormat is custom but subjectNameFormatString is empty: give the subject, such as CN={{AAD_Device_ID}},O=Contoso")
		return
	}
	rdns, err := parseSubject(text)
	if err != nil {
		c.errorf("bad-value", rel, "PayloadContent.Subject", "the subject %q cannot be read: %v", text, err)
		return
	}
	// RFC 4514 strings put the most specific RDN first; a certificate,
	// and Apple's array, put it last.
	out := make([]any, 0, len(rdns))
	for i := len(rdns) - 1; i >= 0; i-- {
		rdn := make([]any, len(rdns[i]))
		for j, a := range rdns[i] {
			rdn[j] = []any{a.oid, c.resolve(a.value, rel, "PayloadContent.Subject")}
		}
		out = append(out, rdn)
	}
	c.setContent("Subject", out, rel)
}

// rdnAttribute is one attribute of a subject: an OID (or one of Apple's
// short names) and its value.
type rdnAttribute struct{ oid, value string }

// subjectKeys are the attribute names a subject string may use (those of
// Windows' CertStrToName, which Intune follows, plus SERIALNUMBER and
// UID), with the OID Apple's payload takes: Apple's short names stay.
var subjectKeys = map[string]string{
	"CN": "CN", "C": "C", "L": "L", "ST": "ST", "S": "ST", "O": "O", "OU": "OU",
	"E":            "1.2.840.113549.1.9.1",
	"EMAIL":        "1.2.840.113549.1.9.1",
	"DC":           "0.9.2342.19200300.100.1.25",
	"STREET":       "2.5.4.9",
	"T":            "2.5.4.12",
	"TITLE":        "2.5.4.12",
	"G":            "2.5.4.42",
	"GN":           "2.5.4.42",
	"I":            "2.5.4.43",
	"SN":           "2.5.4.4",
	"SERIALNUMBER": "2.5.4.5",
	"UID":          "0.9.2342.19200300.100.1.1",
	"POSTALCODE":   "2.5.4.17",
	"DESCRIPTION":  "2.5.4.13",
}

// parseSubject reads a subject name string such as
// `CN={{UserName}},OU="Sales, North",O=Contoso,C=US` into its RDNs, in the
// order written. RDNs are separated by commas or semicolons, the
// attributes of a multi-valued RDN by +; a value in double quotes may hold
// those characters ("" is a quote); spaces around names and values are
// dropped.
func parseSubject(s string) ([][]rdnAttribute, error) {
	var rdns [][]rdnAttribute
	var rdn []rdnAttribute
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return nil, fmt.Errorf("%q has no NAME=VALUE", strings.TrimSpace(s[i:]))
		}
		name := strings.TrimSpace(s[i : i+eq])
		oid, err := subjectOID(name)
		if err != nil {
			return nil, err
		}
		i += eq + 1
		for i < len(s) && s[i] == ' ' {
			i++
		}
		var value strings.Builder
		if i < len(s) && s[i] == '"' {
			i++
			for {
				if i >= len(s) {
					return nil, fmt.Errorf("the quoted value of %s has no closing quote", name)
				}
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						value.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				value.WriteByte(s[i])
				i++
			}
			for i < len(s) && s[i] == ' ' {
				i++
			}
			if i < len(s) && !strings.ContainsRune(",;+", rune(s[i])) {
				return nil, fmt.Errorf("text after the quoted value of %s", name)
			}
		} else {
			start := i
			for i < len(s) && !strings.ContainsRune(",;+", rune(s[i])) {
				if s[i] == '\\' {
					return nil, fmt.Errorf("the value of %s holds a backslash escape, which Intune does not support in SCEP subjects (put the value in double quotes instead)", name)
				}
				i++
			}
			value.WriteString(strings.TrimSpace(s[start:i]))
		}
		if value.Len() == 0 {
			return nil, fmt.Errorf("%s has an empty value", name)
		}
		rdn = append(rdn, rdnAttribute{oid, value.String()})
		if i >= len(s) {
			return append(rdns, rdn), nil
		}
		if s[i] != '+' {
			rdns = append(rdns, rdn)
			rdn = nil
		}
		i++
		if strings.TrimSpace(s[i:]) == "" {
			return nil, fmt.Errorf("the subject ends with a separator")
		}
	}
}

func subjectOID(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("an attribute has no name before =")
	}
	if oid, ok := subjectKeys[strings.ToUpper(name)]; ok {
		return oid, nil
	}
	dotted := name
	if len(name) > 4 && strings.EqualFold(name[:4], "OID.") {
		dotted = name[4:]
	}
	if isDottedOID(dotted) {
		return dotted, nil
	}
	return "", fmt.Errorf("%q is not an attribute name (CN, E, OU, O, L, ST, C, DC, …) or a dotted OID", name)
}

func isDottedOID(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// sanKeys are the SubjectAltName keys of Apple's payload by Graph's
// subjectAlternativeNameType member.
var sanKeys = map[string]string{
	graphjson.SANEmailAddress:                "rfc822Name",
	graphjson.SANUserPrincipalName:           "ntPrincipalName",
	graphjson.SANDomainNameService:           "dNSName",
	graphjson.SANUniversalResourceIdentifier: "uniformResourceIdentifier",
}

func emitSCEPSubjectAltName(c *certBuild) {
	s := c.cp.Scep
	type entry struct{ key, value, rel string }
	var entries []entry
	if t := s.SubjectAlternativeNameType; t != nil {
		format := strings.TrimSpace(val(s.SubjectAlternativeNameFormatString))
		for _, m := range t.Members() {
			switch m {
			case graphjson.SANNone:
			case graphjson.SANEmailAddress:
				entries = append(entries, entry{"rfc822Name", "{{EmailAddress}}", "subjectAlternativeNameType"})
			case graphjson.SANUserPrincipalName:
				entries = append(entries, entry{"ntPrincipalName", "{{UserPrincipalName}}", "subjectAlternativeNameType"})
			case graphjson.SANCustomAzureADAttribute:
				c.warnf("unsupported-san", "subjectAlternativeNameType", "PayloadContent.SubjectAltName", "customAzureADAttribute (%q) names a directory attribute that Intune looks up for each user; no MDM variable stands for it, so it is left out: put the value in customSubjectAlternativeNames with a variable your MDM fills", format)
			default:
				if format == "" {
					c.errorf("missing-value", "subjectAlternativeNameFormatString", "PayloadContent.SubjectAltName", "subjectAlternativeNameType %s needs its value in subjectAlternativeNameFormatString, which is empty", m)
					continue
				}
				entries = append(entries, entry{sanKeys[m], format, "subjectAlternativeNameFormatString"})
			}
		}
		if format != "" && !t.Has(graphjson.SANDomainNameService) && !t.Has(graphjson.SANUniversalResourceIdentifier) && !t.Has(graphjson.SANCustomAzureADAttribute) {
			c.warnf("ignored-setting", "subjectAlternativeNameFormatString", "PayloadContent.SubjectAltName", "ignored: subjectAlternativeNameFormatString (%q) applies to the domainNameService, universalResourceIdentifier and customAzureADAttribute types only, and subjectAlternativeNameType is %s", format, *t)
		}
	} else if format := strings.TrimSpace(val(s.SubjectAlternativeNameFormatString)); format != "" {
		c.warnf("ignored-setting", "subjectAlternativeNameFormatString", "PayloadContent.SubjectAltName", "ignored: subjectAlternativeNameFormatString (%q) needs a subjectAlternativeNameType, which is not set; put the name in customSubjectAlternativeNames", format)
	}
	for i, san := range s.CustomSubjectAlternativeNames {
		rel := fmt.Sprintf("customSubjectAlternativeNames[%d]", i)
		if san.SanType == nil {
			c.errorf("missing-value", rel+".sanType", "PayloadContent.SubjectAltName", "every custom subject alternative name needs a sanType: emailAddress, userPrincipalName, domainNameService or universalResourceIdentifier")
			continue
		}
		members := san.SanType.Members()
		if len(members) != 1 {
			c.errorf("bad-value", rel+".sanType", "PayloadContent.SubjectAltName", "%q names %d types; one name has one type", *san.SanType, len(members))
			continue
		}
		name := strings.TrimSpace(val(san.Name))
		switch m := members[0]; m {
		case graphjson.SANNone:
			if name != "" {
				c.warnf("ignored-setting", rel, "PayloadContent.SubjectAltName", "ignored: the name %q has sanType none, so it is not requested; give it a sanType (emailAddress, userPrincipalName, domainNameService or universalResourceIdentifier)", name)
			} else {
				c.infof("ignored-setting", rel, "", "ignored: an empty name with sanType none")
			}
		case graphjson.SANCustomAzureADAttribute:
			c.warnf("unsupported-san", rel+".sanType", "PayloadContent.SubjectAltName", "customAzureADAttribute (%q) names a directory attribute that Intune looks up for each user; no MDM variable stands for it, so it is left out: use another sanType with a variable your MDM fills", name)
		default:
			if name == "" {
				c.errorf("missing-value", rel+".name", "PayloadContent.SubjectAltName", "the %s subject alternative name has an empty name", m)
				continue
			}
			entries = append(entries, entry{sanKeys[m], name, rel + ".name"})
		}
	}
	if len(entries) == 0 {
		return
	}
	byKey := map[string][]string{}
	var order []string
	rels := map[string]string{}
	for _, e := range entries {
		v := c.resolve(e.value, e.rel, "PayloadContent.SubjectAltName."+e.key)
		if _, ok := byKey[e.key]; !ok {
			order = append(order, e.key)
			rels[e.key] = e.rel
		}
		byKey[e.key] = append(byKey[e.key], v)
	}
	for _, k := range order {
		vals := byKey[k]
		rel := strings.SplitN(rels[k], "[", 2)[0]
		if len(vals) == 1 {
			c.setContent("SubjectAltName."+k, vals[0], rel)
			continue
		}
		c.setContent("SubjectAltName."+k, vals, rel)
		c.infof("san-array", rel, "PayloadContent.SubjectAltName."+k, "%d %s names are written as an array, which Apple's description of SubjectAltName allows (\"a single string or an array of strings for each key\"), though its schema types the key a string", len(vals), k)
	}
}

func emitSCEPKeySize(c *certBuild) {
	ks := c.cp.Scep.KeySize
	if ks == nil {
		c.setContent("Keysize", scepDefaultKeySize, "keySize")
		c.infof("default-value", "keySize", "PayloadContent.Keysize", "keySize is not set; Keysize %d is written, since Apple's default is 1024 bits", scepDefaultKeySize)
		return
	}
	bits := map[graphjson.KeySize]int{graphjson.KeySize1024: 1024, graphjson.KeySize2048: 2048, graphjson.KeySize4096: 4096}[*ks]
	c.setContent("Keysize", bits, "keySize")
	switch {
	case bits == 1024:
		c.warnf("weak-key", "keySize", "PayloadContent.Keysize", "a 1024-bit RSA key is weak, and many CAs and VPN servers refuse it: choose size2048 or size4096")
	case bits == 4096 && appleschema.CompareVersions(c.b.target.Version, "14.0") < 0:
		c.warnf("target-unsupported", "keySize", "PayloadContent.Keysize", "Intune documents 4096-bit SCEP keys for iOS and iPadOS 14 and later; the target %s may fail to enroll: choose size2048 for it", c.b.target.label())
	}
}

func emitSCEPKeyUsage(c *certBuild) {
	ku := c.cp.Scep.KeyUsage
	if ku == nil {
		return
	}
	bits := 0
	if ku.Has(graphjson.KeyUsageDigitalSignature) {
		bits |= 1
	}
	if ku.Has(graphjson.KeyUsageKeyEncipherment) {
		bits |= 4
	}
	c.setContent("Key Usage", bits, "keyUsage")
}

// emitSCEPExtras writes the keys no Graph property sets: the challenge,
// the CA name and the retry policy.
func (c *certBuild) emitSCEPExtras() {
	o := c.b.opts.SCEP
	switch {
	case o.Challenge != "" && hasToken(o.Challenge):
		v := c.resolve(o.Challenge, "", "PayloadContent.Challenge")
		c.setContent("Challenge", v, "")
		c.b.secrets = c.b.secrets || !hasToken(v)
	case o.Challenge != "":
		c.setContent("Challenge", o.Challenge, "")
		c.b.secrets = true
	case o.ChallengeVariable != "":
		name := strings.Trim(strings.TrimSpace(o.ChallengeVariable), "{}")
		if name == "" || !tokenPattern.MatchString("{{"+name+"}}") {
			c.errorf("bad-value", "", "PayloadContent.Challenge", "the SCEP challenge variable %q is not a variable name (letters, digits, _ . : -)", o.ChallengeVariable)
			return
		}
		v := c.resolve("{{"+name+"}}", "", "PayloadContent.Challenge")
		c.setContent("Challenge", v, "")
		c.b.secrets = c.b.secrets || !hasToken(v)
		c.infof("scep-challenge-variable", "", "PayloadContent.Challenge", "the SCEP challenge is the variable {{%s}}: your MDM must fill it with a challenge your SCEP server accepts when it delivers the profile", name)
	default:
		c.hinted(diag.Error, "missing-challenge", "", "PayloadContent.Challenge", scepChallengeHint, "the SCEP profile %s needs the SCEP server's challenge, which Intune never exports", c.cp.Label())
	}
	if o.Name != "" {
		c.setContent("Name", o.Name, "")
	}
	c.setContent("Retries", scepRetries, "")
	c.setContent("RetryDelay", scepRetryDelay, "")
}

// describeEKUs lists extended key usages for a message: "Client
// Authentication (1.3.6.1.5.5.7.3.2)".
func describeEKUs(ekus []graphjson.ExtendedKeyUsage) string {
	parts := make([]string, 0, len(ekus))
	for _, e := range ekus {
		name, oid := val(e.Name), val(e.ObjectIdentifier)
		switch {
		case name != "" && oid != "":
			parts = append(parts, fmt.Sprintf("%s (%s)", name, oid))
		case oid != "":
			parts = append(parts, oid)
		case name != "":
			parts = append(parts, name)
		}
	}
	return strings.Join(parts, ", ")
}
