package compiler

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
)

const (
	vpnPayloadType   = "com.apple.vpn.managed"
	vpnSuffix        = ".vpn"
	identitySuffix   = ".identity"
	caSuffixPrefix   = ".ca."
	targetIPhoneIPad = 1 // TargetDeviceType: iPhone, iPad and iPod touch
)

// deriveIdentifier sets the profile's PayloadIdentifier and PayloadUUID.
func (b *build) deriveIdentifier() bool {
	prefix := b.opts.IdentifierPrefix
	if prefix == "" {
		prefix = DefaultIdentifierPrefix
	}
	if !validIdentifier(prefix) {
		b.errorf("bad-identifier-prefix", "", "PayloadIdentifier", "the identifier prefix %q is not a reverse-DNS name (letters, digits, '-', '_' separated by dots), such as com.contoso.vpn", prefix)
		return false
	}
	var part string
	switch id := val(b.cfg.ID); {
	case id != "" && validIdentifier(id):
		part = id
	case id != "":
		part = Slug(id)
		b.infof("identifier", "id", "PayloadIdentifier", "the id %q is not usable in an identifier as is; %q is used", id, part)
	case Slug(val(b.cfg.DisplayName)) != "":
		part = Slug(val(b.cfg.DisplayName))
		b.warnf("identifier", "id", "PayloadIdentifier", "the export has no id; the identifier is derived from displayName (%q): renaming the profile in Intune will then make devices install it as a new profile", part)
	default:
		b.errorf("identifier", "id", "PayloadIdentifier", "the export has neither an id nor a displayName to derive a stable PayloadIdentifier from; add the Graph id to the export")
		return false
	}
	b.identifier = prefix + "." + part
	b.uuid = PayloadUUID(b.identifier)
	return true
}

// assemble builds the outer Configuration dictionary from the collected keys.
func (b *build) assemble() {
	org := b.opts.Organization
	common := func(payloadType, identifier, displayName string) dict {
		d := dict{
			"PayloadType":        payloadType,
			"PayloadVersion":     1,
			"PayloadIdentifier":  identifier,
			"PayloadUUID":        PayloadUUID(identifier),
			"PayloadDisplayName": displayName,
		}
		if org != "" {
			d["PayloadOrganization"] = org
		}
		return d
	}

	var content []any
	for _, ca := range b.opts.CACertificates {
		content = append(content, b.certificatePayload(ca, common))
	}
	if b.opts.Identity != nil && b.auth.identity {
		id := b.opts.Identity
		name := "VPN client identity"
		if id.Certificate != nil && id.Certificate.Subject.CommonName != "" {
			name = id.Certificate.Subject.CommonName
		}
		p := common("com.apple.security.pkcs12", b.identifier+identitySuffix, name)
		p["PayloadContent"] = id.PKCS12
		p["PayloadCertificateFileName"] = fileName(name, ".p12")
		if id.Password != "" {
			p["Password"] = id.Password
		}
		content = append(content, p)
	}

	name, _ := b.vpn["UserDefinedName"].(string)
	vpn := common(vpnPayloadType, b.identifier+vpnSuffix, "VPN ("+name+")")
	vpn["PayloadDescription"] = "Configures the IKEv2 VPN " + name
	for k, v := range b.vpn {
		vpn[k] = v
	}
	if b.alwaysOn {
		tunnel := dict{"ProtocolType": "IKEv2", "Interfaces": b.tunnelInterfaces}
		for k, v := range b.ike {
			tunnel[k] = v
		}
		ao, _ := vpn["AlwaysOn"].(dict)
		if ao == nil {
			ao = dict{}
		}
		ao["TunnelConfigurations"] = []any{tunnel}
		vpn["AlwaysOn"] = ao
		vpn["VPNType"] = "AlwaysOn"
	} else {
		vpn["VPNType"] = "IKEv2"
		vpn["IKEv2"] = b.ike
	}
	content = append(content, vpn)

	outer := dict{
		"PayloadType":       "Configuration",
		"PayloadVersion":    1,
		"PayloadIdentifier": b.identifier,
		"PayloadUUID":       b.uuid,
		"PayloadContent":    content,
		"TargetDeviceType":  targetIPhoneIPad,
	}
	for k, v := range b.outer {
		outer[k] = v
	}
	if org != "" {
		outer["PayloadOrganization"] = org
	}
	b.profile = outer
}

// certificatePayload embeds a CA certificate: a self-signed root as
// com.apple.security.root, an intermediate as com.apple.security.pkcs1.
func (b *build) certificatePayload(c *x509.Certificate, common func(string, string, string) dict) dict {
	sum := sha256.Sum256(c.Raw)
	identifier := b.identifier + caSuffixPrefix + hex.EncodeToString(sum[:8])
	name := c.Subject.CommonName
	if name == "" {
		name = "CA certificate"
	}
	payloadType := "com.apple.security.root"
	if !bytes.Equal(c.RawSubject, c.RawIssuer) || c.CheckSignatureFrom(c) != nil {
		payloadType = "com.apple.security.pkcs1"
	}
	p := common(payloadType, identifier, name)
	p["PayloadContent"] = c.Raw
	p["PayloadCertificateFileName"] = fileName(name, ".cer")
	return p
}

func fileName(name, ext string) string {
	s := Slug(name)
	if s == "" {
		s = "certificate"
	}
	return s + ext
}
