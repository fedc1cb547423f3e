package compiler

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"sync"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// rootTable is the mapping table of iosTrustedRootCertificate → the
// com.apple.security.root payload.
var rootTable = sync.OnceValue(func() []certRule {
	rules := commonCertRules(rootPayloadType)
	return append(rules, []certRule{
		{Rule: Rule{Graph: "trustedRootCertificate", Apple: []string{"PayloadContent"}, Fate: Mapped, Evidence: EvidenceSameName,
			Conversion: "base64 → the certificate's DER (a PEM file is converted); required",
			Note:       "A certificate that is not self-signed (an intermediate) becomes a com.apple.security.pkcs1 payload instead, with an info. Intune deploys it so that the device trusts the SCEP server and the VPN server, whose certificates chain to it."}},
		{Rule: Rule{Graph: "certFileName", Apple: []string{"PayloadCertificateFileName"}, Fate: Mapped, Evidence: EvidenceSameName,
			Conversion: "string; when empty, a file name made from the payload's name"}},
	}...)
})

// pkcsTable documents iosPkcsCertificateProfile: as the VPN's identity it
// is an error (see referenceCertificateIdentity).
var pkcsTable = sync.OnceValue(func() []certRule {
	rules := commonCertRules("")
	note := "Intune's certificate connector requests the certificate from a Microsoft CA and delivers it as a PFX: there is no offline equivalent, so a PKCS identity is an error pointing to --identity FILE.p12, SCEP or ACME."
	for _, p := range graphjson.CertificateProperties(graphjson.PkcsType) {
		switch p.Path {
		case "certificationAuthority", "certificationAuthorityName", "certificateTemplateName", "certificateStore",
			"customSubjectAlternativeNames", "customSubjectAlternativeNames[].name", "customSubjectAlternativeNames[].sanType",
			"subjectAlternativeNameFormatString", "subjectNameFormatString", "subjectNameFormat", "subjectAlternativeNameType",
			"certificateValidityPeriodValue", "certificateValidityPeriodScale", "renewalThresholdPercentage":
			rules = append(rules, certRule{Rule: Rule{Graph: p.Path, Fate: Unsupported, Note: note}})
		}
	}
	// The envelope rows describe payload keys; a PKCS profile makes none.
	for i := range rules {
		rules[i].Apple = nil
		rules[i].Conversion = ""
		rules[i].emitCert = nil
		if rules[i].Fate == Mapped {
			rules[i].Fate = Unsupported
			rules[i].Note = note
		}
	}
	return rules
})

// emitRoot compiles a trusted-root profile into a com.apple.security.root
// payload (or com.apple.security.pkcs1 for a certificate that is not
// self-signed).
func (b *build) emitRoot(cp *graphjson.CertificateProfile) {
	r := cp.Root
	c := b.newCertBuild(cp, rootPayloadType)
	cert, ok := c.rootCertificate()
	if !ok {
		return
	}
	for _, der := range b.certs.rootDER {
		if bytes.Equal(der, cert.Raw) {
			c.infof("duplicate-certificate", "trustedRootCertificate", "", "this certificate is already embedded from another trusted certificate profile; it is embedded once")
			return
		}
	}
	if !bytes.Equal(cert.RawSubject, cert.RawIssuer) || cert.CheckSignatureFrom(cert) != nil {
		c.payloadType = "com.apple.security.pkcs1"
		c.infof("not-a-root", "trustedRootCertificate", "PayloadContent", "%q is not self-signed (an intermediate CA issued by %q): it is embedded as a com.apple.security.pkcs1 certificate, which the device uses to build chains but does not trust as a root", cert.Subject.CommonName, cert.Issuer.CommonName)
	}
	if !cert.IsCA {
		c.warnf("not-a-ca", "trustedRootCertificate", "PayloadContent", "%q is not a CA certificate (basic constraints CA:FALSE or absent): trusting it lets the device accept that one certificate only", cert.Subject.CommonName)
	}
	part, ok := b.certIdentifierPart(cp)
	if !ok {
		return
	}
	name := cert.Subject.CommonName
	switch {
	case has(r.DisplayName):
		name = c.resolve(*r.DisplayName, "displayName", "PayloadDisplayName")
	case name == "":
		name = "Trusted root certificate"
	}
	c.applyRules(rootTable())
	c.set("PayloadContent", cert.Raw, "trustedRootCertificate")
	if has(r.CertFileName) {
		c.set("PayloadCertificateFileName", *r.CertFileName, "certFileName")
	} else {
		c.set("PayloadCertificateFileName", fileName(name, ".cer"), "displayName")
	}
	b.certs.rootDER = append(b.certs.rootDER, cert.Raw)
	c.finish(b.identifier+rootSuffix+part, name)
}

// rootCertificate reads the certificate of a trusted-root profile.
func (c *certBuild) rootCertificate() (*x509.Certificate, bool) {
	cert, d := TrustedCertificate(c.cp)
	for _, x := range d {
		x.Key = c.appleKey(x.Key)
		c.b.diags = append(c.b.diags, x)
	}
	return cert, cert != nil
}

// TrustedCertificate returns the certificate of a trusted-root profile
// (iosTrustedRootCertificate): the CA that the device trusts, and that a
// test VPN server built from the same export trusts too. A PEM file
// uploaded to Intune is read as well as DER. The diagnostics explain a
// missing or unreadable certificate.
func TrustedCertificate(cp *graphjson.CertificateProfile) (*x509.Certificate, diag.List) {
	var diags diag.List
	if cp.Root == nil {
		diags.Add(diag.Error, "not-a-root", cp.Path, "", "%s is not a trusted certificate profile", cp.Label())
		return nil, diags
	}
	path := joinRel(cp.Path, "trustedRootCertificate")
	enc := cp.Root.TrustedRootCertificate
	if enc == nil || *enc == "" {
		diags.Add(diag.Error, "missing-value", path, "PayloadContent", "trustedRootCertificate is empty: the trusted certificate profile carries no certificate")
		return nil, diags
	}
	raw, err := base64.StdEncoding.DecodeString(string(*enc))
	if err != nil {
		diags.Add(diag.Error, "bad-value", path, "PayloadContent", "is not base64: %v", err)
		return nil, diags
	}
	der := raw
	if block, _ := pem.Decode(raw); block != nil {
		if block.Type != "CERTIFICATE" {
			diags.Add(diag.Error, "bad-certificate", path, "PayloadContent", "the uploaded file is a PEM %q, not a certificate", block.Type)
			return nil, diags
		}
		der = block.Bytes
		diags.Add(diag.Info, "pem-certificate", path, "PayloadContent", "the uploaded file is PEM text; its DER certificate is embedded, as Apple's payload expects")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		diags.Add(diag.Error, "bad-certificate", path, "PayloadContent", "is not an X.509 certificate: %v", err)
		return nil, diags
	}
	return cert, diags
}

// TrustedCertificates returns the certificates of every trusted-root
// profile among cps, once each: the CAs an Intune export asks the device
// to trust.
func TrustedCertificates(cps []graphjson.CertificateProfile) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for i := range cps {
		if cps[i].Root == nil {
			continue
		}
		cert, d := TrustedCertificate(&cps[i])
		if cert == nil {
			for _, x := range d {
				if x.Severity == diag.Error {
					return nil, fmt.Errorf("%s: %s", x.Path, x.Message)
				}
			}
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || bytes.Equal(o.Raw, cert.Raw)
		}
		if !dup {
			out = append(out, cert)
		}
	}
	return out, nil
}
