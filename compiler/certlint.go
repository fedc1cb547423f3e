package compiler

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// This file holds lint's checks of SCEP payloads, beyond the key types and
// ranges that Apple's schema states.

// scepKeyUsages are the values of Key Usage: none, signing (1),
// encryption (4), or both.
var scepKeyUsages = []int{0, 1, 4, 5}

// sanStringOrArray lets a SubjectAltName key of a SCEP payload be an array
// of strings: Apple's description of SubjectAltName says "you can specify
// a single string or an array of strings for each key", though its schema
// types each key a string. It reports whether it has checked v.
func (l *linter) sanStringOrArray(v any, k appleschema.Key, path, schemaPath string) bool {
	if k.Type != appleschema.String || !strings.HasPrefix(schemaPath, "PayloadContent.SubjectAltName.") {
		return false
	}
	arr := asList(v)
	if arr == nil {
		return false
	}
	for i, el := range arr {
		if _, ok := el.(string); !ok {
			l.add(diag.Error, "wrong-type", fmt.Sprintf("%s[%d]", path, i), schemaPath, "%s holds %s; each name is a <string>", schemaPath, describeType(plistType(el)))
		}
	}
	return true
}

// scepChecks applies Apple's rules for a SCEP payload that its schema
// cannot state.
func (l *linter) scepChecks(p map[string]any, path string) {
	content, ok := p["PayloadContent"].(map[string]any)
	if !ok {
		return // the schema check has reported it
	}
	cp := joinPath(path, "PayloadContent")
	key := func(k string) string { return "PayloadContent." + k }
	if u, ok := content["URL"].(string); ok && !hasToken(u) {
		if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			l.add(diag.Error, "bad-value", joinPath(cp, "URL"), key("URL"), "URL %q is not an http or https URL of a SCEP server", u)
		}
	}
	if kt, ok := content["Key Type"].(string); ok && kt != "RSA" {
		l.add(diag.Error, "bad-value", joinPath(cp, "Key Type"), key("Key Type"), "Key Type is %q; Apple's SCEP payload makes RSA keys only (\"Always RSA\")", kt)
	}
	if n, ok := number(content["Key Usage"]); ok && !inInts(n, scepKeyUsages) {
		l.add(diag.Error, "bad-value", joinPath(cp, "Key Usage"), key("Key Usage"), "Key Usage is %v; it is a bitmask of 1 (signing) and 4 (encryption): 0, 1, 4 or 5", n)
	}
	if _, ok := content["Keysize"]; !ok {
		l.add(diag.Warning, "default-key-size", cp, key("Keysize"), "Keysize is not set, so the device makes a 1024-bit RSA key (Apple's default), which is weak and which many CAs refuse: write 2048 or 4096")
	}
	if _, ok := content["Challenge"]; !ok {
		l.add(diag.Info, "no-challenge", cp, key("Challenge"), "there is no Challenge: a SCEP server that requires a challenge password refuses the request")
	}
	if subj, ok := content["Subject"]; ok {
		l.scepSubject(subj, joinPath(cp, "Subject"))
	}
}

// scepSubject checks that Subject is an array of RDNs, each an array of
// [OID, value] pairs with a known short name or a dotted OID.
func (l *linter) scepSubject(v any, path string) {
	const key = "PayloadContent.Subject"
	for i, rdn := range asList(v) {
		rp := fmt.Sprintf("%s[%d]", path, i)
		pairs := asList(rdn)
		if len(pairs) == 0 {
			l.add(diag.Error, "bad-subject", rp, key, "each RDN of Subject is an array of [OID, value] pairs; this one is empty or not an array")
			continue
		}
		for j, pair := range pairs {
			pp := fmt.Sprintf("%s[%d]", rp, j)
			items := asList(pair)
			if len(items) != 2 {
				l.add(diag.Error, "bad-subject", pp, key, "each attribute of Subject is a pair [OID, value]; this one has %d items", len(items))
				continue
			}
			oid, ok1 := items[0].(string)
			value, ok2 := items[1].(string)
			if !ok1 || !ok2 {
				l.add(diag.Error, "bad-subject", pp, key, "an attribute of Subject is a pair of strings")
				continue
			}
			if !isAppleSubjectName(oid) {
				l.add(diag.Error, "bad-subject", pp, key, "%q is neither one of Apple's short names (C, L, ST, O, OU, CN) nor a dotted OID", oid)
			}
			if value == "" {
				l.add(diag.Warning, "bad-subject", pp, key, "the %s attribute of Subject is empty", oid)
			}
		}
	}
}

func isAppleSubjectName(s string) bool {
	switch s {
	case "C", "L", "ST", "O", "OU", "CN":
		return true
	}
	return isDottedOID(s)
}

func inInts(n float64, list []int) bool {
	for _, x := range list {
		if float64(x) == n {
			return true
		}
	}
	return false
}

// scepKeyType reports an ECDSA CertificateType whose client identity is a
// SCEP payload, which makes RSA keys only.
func (l *linter) scepKeyType(ref certRef) {
	ct, _ := ref.container["CertificateType"].(string)
	if !strings.HasPrefix(ct, "ECDSA") {
		return
	}
	l.add(diag.Error, "scep-key-type", ref.path, ref.key, "CertificateType is %s, but PayloadCertificateUUID %s names a SCEP payload, which makes RSA keys only: the device cannot authenticate; use CertificateType RSA, or an ECDSA identity (PKCS#12 or ACME)", ct, ref.uuid)
}

// scepChallengeSecret reports a SCEP challenge in a profile that is neither
// signed nor encrypted; an MDM {{variable}} is not a secret.
func (l *linter) scepChallengeSecret(p map[string]any, path string) {
	if p["PayloadType"] != scepPayloadType {
		return
	}
	content, _ := p["PayloadContent"].(map[string]any)
	if c, ok := content["Challenge"].(string); ok && c != "" && !hasToken(c) {
		l.add(diag.Warning, "unprotected-secret", joinPath(path, "PayloadContent.Challenge"), scepPayloadType+".PayloadContent.Challenge", "the SCEP Challenge is a secret in a profile that is neither signed nor encrypted: anyone who reads it can enroll certificates; sign it and encrypt it to the device, or have the MDM fill a per-device challenge")
	}
}
