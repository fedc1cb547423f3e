package compiler

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
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
	case id != "" && Slug(id) != "":
		// A slug alone could be shared by two ids ("a b" and "a-b"), so
		// a hash of the raw id keeps it unique.
		part = Slug(id) + "-" + idHash(id)
		b.warnf("identifier", "id", "PayloadIdentifier", "the id %q is not usable in an identifier as is (Graph ids are GUIDs); %q is used", id, part)
	case id != "":
		part = "id-" + idHash(id)
		b.warnf("identifier", "id", "PayloadIdentifier", "the id %q has no character usable in an identifier (letters, digits, '-', '_'); %q, from a hash of the id, is used", id, part)
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

// idHash is a short, stable hash of a raw id, for identifiers.
func idHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:6])
}

// assemble builds the outer Configuration dictionary from the collected keys.
func (b *build) assemble() {
	org := b.opts.Organization
	common := func(payloadType, identifier, displayName string) *Dict {
		d := dictOf(
			Entry{"PayloadType", payloadType},
			Entry{"PayloadVersion", 1},
			Entry{"PayloadIdentifier", identifier},
			Entry{"PayloadUUID", PayloadUUID(identifier)},
			Entry{"PayloadDisplayName", displayName},
		)
		if org != "" {
			d.Set("PayloadOrganization", org)
		}
		return d
	}

	var content []any
	for _, p := range b.certs.payloads {
		if p.payloadType == scepPayloadType {
			continue
		}
		content = append(content, b.certificateProfilePayload(p, common))
	}
	for _, ca := range b.opts.CACertificates {
		if b.certs.embeds(ca) {
			continue
		}
		content = append(content, b.certificatePayload(ca, common))
	}
	if b.opts.Identity != nil && b.auth.identity {
		id := b.opts.Identity
		name := "VPN client identity"
		if id.Certificate != nil && id.Certificate.Subject.CommonName != "" {
			name = id.Certificate.Subject.CommonName
		}
		p := common("com.apple.security.pkcs12", b.identifier+identitySuffix, name)
		p.Set("PayloadContent", id.PKCS12)
		p.Set("PayloadCertificateFileName", fileName(name, ".p12"))
		if id.Password != "" {
			p.Set("Password", id.Password)
		}
		content = append(content, p)
	}
	for _, p := range b.certs.payloads {
		if p.payloadType == scepPayloadType {
			content = append(content, b.certificateProfilePayload(p, common))
		}
	}

	userName, _ := b.vpn.Get("UserDefinedName")
	name, _ := userName.(string)
	vpn := common(vpnPayloadType, b.identifier+vpnSuffix, "VPN ("+name+")")
	vpn.Set("PayloadDescription", "Configures the IKEv2 VPN "+name)
	for _, e := range b.vpn.entries {
		vpn.Set(e.Key, e.Value)
	}
	if b.alwaysOn {
		tunnel := dictOf(Entry{"ProtocolType", "IKEv2"}, Entry{"Interfaces", b.tunnelInterfaces})
		for _, e := range b.ike.entries {
			tunnel.Set(e.Key, e.Value)
		}
		cur, _ := vpn.Get("AlwaysOn")
		ao, _ := cur.(*Dict)
		if ao == nil {
			ao = &Dict{}
		}
		ao.Set("TunnelConfigurations", []any{tunnel})
		vpn.Set("AlwaysOn", ao)
		vpn.Set("VPNType", "AlwaysOn")
	} else {
		vpn.Set("VPNType", "IKEv2")
		vpn.Set("IKEv2", b.ike)
	}
	content = append(content, vpn)

	outer := dictOf(
		Entry{"PayloadType", "Configuration"},
		Entry{"PayloadVersion", 1},
		Entry{"PayloadIdentifier", b.identifier},
		Entry{"PayloadUUID", b.uuid},
		Entry{"PayloadContent", content},
	)
	// TargetDeviceType is ours, not the admin's: a target that does not
	// know it simply does without, which a note says.
	if sup, _ := appleschema.SupportOf("TopLevel", "TargetDeviceType"); sup.Supported(b.target.Version) {
		outer.Set("TargetDeviceType", targetIPhoneIPad)
	} else {
		b.infof("target-unsupported", "", "Profile.TargetDeviceType", "TargetDeviceType (which avoids a prompt for the device type) needs iOS %s; it is left out for the target %s", sup.Introduced, b.target.label())
	}
	for _, e := range b.outer.entries {
		outer.Set(e.Key, e.Value)
	}
	if org != "" {
		outer.Set("PayloadOrganization", org)
	}
	b.profile = outer
}

// certificatePayload embeds a CA certificate: a self-signed root as
// com.apple.security.root, an intermediate as com.apple.security.pkcs1.
func (b *build) certificatePayload(c *x509.Certificate, common func(string, string, string) *Dict) *Dict {
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
	p.Set("PayloadContent", c.Raw)
	p.Set("PayloadCertificateFileName", fileName(name, ".cer"))
	return p
}

func fileName(name, ext string) string {
	s := Slug(name)
	if s == "" {
		s = "certificate"
	}
	return s + ext
}
