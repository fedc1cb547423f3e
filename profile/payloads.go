package profile

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// The payload types the typed view knows.
const (
	TypeVPN         = "com.apple.vpn.managed"
	TypeAppLayerVPN = "com.apple.vpn.managed.applayer"
	TypeSCEP        = "com.apple.security.scep"
	// Certificate payloads are com.apple.security. followed by their
	// kind: root, pkcs1, pem, pkcs12, scep or acme.
	certificatePrefix = "com.apple.security."
)

// Payload is one entry of a profile's PayloadContent.
type Payload struct {
	// Index is the entry's position in PayloadContent.
	Index int
	// Dict is the payload as decoded, secrets included; nil when the entry
	// is not a dictionary (see Problem).
	Dict Dict
	// Type, Identifier, UUID and DisplayName are the payload's
	// PayloadType, PayloadIdentifier, PayloadUUID and PayloadDisplayName
	// ("" when absent).
	Type, Identifier, UUID, DisplayName string
	// VPN is set for com.apple.vpn.managed and .applayer payloads.
	VPN *VPN
	// Certificate is set for certificate payloads.
	Certificate *Certificate
	// Problem says why the entry cannot be read.
	Problem string
}

// VPN is the view of a VPN payload.
type VPN struct {
	// Type is VPNType: IKEv2, AlwaysOn, IPSec, L2TP, VPN, …
	Type string
	// SubType is VPNSubType (for VPNType VPN).
	SubType string
	// UserDefinedName is the name the device shows.
	UserDefinedName string
	// IKEv2 is the IKEv2 dictionary of a VPNType IKEv2 payload; nil when
	// the type is another or the dictionary is missing.
	IKEv2 *IKEv2
	// AlwaysOn is the AlwaysOn dictionary of a VPNType AlwaysOn payload.
	AlwaysOn *AlwaysOn
	// Settings is the dictionary that holds the connection settings: the
	// IKEv2 dictionary, or the one named after another type (IPSec, PPP,
	// VPN); nil when there is none.
	Settings Dict
}

// IKEv2 is the view of an IKEv2 dictionary, or of an always-on tunnel
// configuration (which holds the same keys). String fields are "" and
// numbers 0 when the key is absent or holds another type; Dict has
// everything as it is.
type IKEv2 struct {
	Dict Dict
	// RemoteAddress is the server, RemoteIdentifier the identity it must
	// prove, LocalIdentifier the device's.
	RemoteAddress, RemoteIdentifier, LocalIdentifier string
	// AuthenticationMethod is SharedSecret, Certificate or None, as
	// written; see EffectiveAuthenticationMethod.
	AuthenticationMethod string
	// ExtendedAuthEnabled turns on EAP.
	ExtendedAuthEnabled bool
	// SharedSecret is the pre-shared key.
	SharedSecret string
	// AuthName and AuthPassword are the EAP credentials, when the profile
	// holds them.
	AuthName, AuthPassword string
	// PayloadCertificateUUID names the certificate payload (the device
	// identity) for certificate authentication and EAP-TLS.
	PayloadCertificateUUID string
	// CertificateType is the identity's key type: RSA, ECDSA256, ….
	CertificateType string
	// ServerCertificateIssuerCommonName and ServerCertificateCommonName
	// constrain the server's certificate.
	ServerCertificateIssuerCommonName, ServerCertificateCommonName string
	// IKE and Child are the security association parameters; nil when the
	// profile leaves them to the device's defaults.
	IKE, Child *SecurityAssociation
	// DeadPeerDetectionRate is None, Low, Medium or High.
	DeadPeerDetectionRate string
	// The 0/1 settings, false when absent.
	DisableMOBIKE, DisableRedirect, EnablePFS, EnableCertificateRevocationCheck,
	UseConfigurationAttributeInternalIPSubnet, IncludeAllNetworks bool
	// MTU is the tunnel's MTU.
	MTU int
	// OnDemand are the on-demand settings.
	OnDemand OnDemand
	// Interfaces are the interfaces of an always-on tunnel: Cellular,
	// WiFi.
	Interfaces []string
}

// EffectiveAuthenticationMethod is the method a device uses for the IKE
// authentication: Apple's schema says that None without ExtendedAuthEnabled
// means SharedSecret, and the key is required (absent, devices take None).
func (k *IKEv2) EffectiveAuthenticationMethod() string {
	m := k.AuthenticationMethod
	if m == "" {
		m = "None"
	}
	if m == "None" && !k.ExtendedAuthEnabled {
		return "SharedSecret"
	}
	return m
}

// SecurityAssociation is the view of IKESecurityAssociationParameters or
// ChildSecurityAssociationParameters; "" and 0 mean the device's default.
type SecurityAssociation struct {
	Dict                                    Dict
	EncryptionAlgorithm, IntegrityAlgorithm string
	DiffieHellmanGroup, LifeTimeInMinutes   int
}

// OnDemand is the on-demand part of a VPN's settings.
type OnDemand struct {
	// Set reports that OnDemandEnabled is present; Enabled is its value.
	Set, Enabled bool
	// Rules are OnDemandRules in order.
	Rules []OnDemandRule
}

// OnDemandRule is one on-demand rule: its Action (Connect, Disconnect,
// EvaluateConnection, Ignore) and its match keys in Dict.
type OnDemandRule struct {
	Action string
	Dict   Dict
}

// AlwaysOn is the view of an AlwaysOn dictionary.
type AlwaysOn struct {
	Dict Dict
	// Tunnels are the TunnelConfigurations, with their Interfaces.
	Tunnels []*IKEv2
	// UIToggleEnabled lets the user turn the VPN off.
	UIToggleEnabled bool
}

// Certificate is the view of a certificate payload.
type Certificate struct {
	// Kind is the end of the PayloadType: root, pkcs1, pem, pkcs12, scep
	// or acme.
	Kind string
	// Data is the PayloadContent of root, pkcs1, pem and pkcs12 payloads.
	Data []byte
	// Password is the pkcs12 payload's Password; HasPassword reports that
	// it holds one (without it, the device asks the user).
	Password    string
	HasPassword bool
	// Certificates are those of a root, pkcs1 or pem payload.
	Certificates []*x509.Certificate
	// Problem says why the certificates cannot be read.
	Problem string
}

// IsIdentity reports whether the payload holds (or enrolls) an identity: a
// certificate with its private key.
func (c *Certificate) IsIdentity() bool {
	return c.Kind == "pkcs12" || c.Kind == "scep" || c.Kind == "acme"
}

// Identity opens a pkcs12 payload with password, or with the payload's own
// Password when password is "".
func (c *Certificate) Identity(password string) (*signing.Identity, error) {
	if c.Kind != "pkcs12" {
		return nil, fmt.Errorf("a %s certificate payload holds no PKCS#12 identity", c.Kind)
	}
	if c.Data == nil {
		return nil, fmt.Errorf("the PKCS#12 payload has no PayloadContent data")
	}
	if password == "" {
		password = c.Password
	}
	return signing.LoadPKCS12Identity(c.Data, password)
}

// PayloadByUUID returns the payload whose PayloadUUID is uuid (compared
// without regard to case, as devices do), or nil.
func (p *Profile) PayloadByUUID(uuid string) *Payload {
	for _, pl := range p.Payloads {
		if uuid != "" && strings.EqualFold(pl.UUID, uuid) {
			return pl
		}
	}
	return nil
}

// TrustAnchors returns the certificates of the profile's root, pkcs1 and pem
// payloads: the CAs it installs.
func (p *Profile) TrustAnchors() []*x509.Certificate {
	var out []*x509.Certificate
	for _, pl := range p.Payloads {
		if c := pl.Certificate; c != nil && !c.IsIdentity() {
			out = append(out, c.Certificates...)
		}
	}
	return out
}

// readPayloads builds the typed view of a profile's PayloadContent.
func readPayloads(root Dict) []*Payload {
	entries, ok := root.Array("PayloadContent")
	if !ok {
		return nil
	}
	out := make([]*Payload, 0, len(entries))
	for i, e := range entries {
		out = append(out, readPayload(i, e))
	}
	return out
}

func readPayload(index int, entry any) *Payload {
	m, ok := entry.(map[string]any)
	if !ok {
		return &Payload{Index: index, Problem: fmt.Sprintf("the payload is %s, not a dictionary", plistout.TypeName(entry))}
	}
	d := Dict(m)
	p := &Payload{Index: index, Dict: d}
	p.Type, _ = d.String("PayloadType")
	p.Identifier, _ = d.String("PayloadIdentifier")
	p.UUID, _ = d.String("PayloadUUID")
	p.DisplayName, _ = d.String("PayloadDisplayName")
	switch {
	case p.Type == TypeVPN || p.Type == TypeAppLayerVPN:
		p.VPN = readVPN(d)
	case strings.HasPrefix(p.Type, certificatePrefix):
		switch kind := strings.TrimPrefix(p.Type, certificatePrefix); kind {
		case "root", "pkcs1", "pem", "pkcs12", "scep", "acme":
			p.Certificate = readCertificate(kind, d)
		}
	}
	return p
}

func readVPN(d Dict) *VPN {
	v := &VPN{}
	v.Type, _ = d.String("VPNType")
	v.SubType, _ = d.String("VPNSubType")
	v.UserDefinedName, _ = d.String("UserDefinedName")
	if v.Type == "AlwaysOn" {
		ao, ok := d.Dict("AlwaysOn")
		if !ok {
			return v
		}
		v.AlwaysOn = &AlwaysOn{Dict: ao}
		v.AlwaysOn.UIToggleEnabled, _ = ao.Flag("UIToggleEnabled")
		tunnels, _ := ao.Array("TunnelConfigurations")
		for _, t := range tunnels {
			if tm, ok := t.(map[string]any); ok {
				k := readIKEv2(tm)
				k.Interfaces = Dict(tm).Strings("Interfaces")
				v.AlwaysOn.Tunnels = append(v.AlwaysOn.Tunnels, k)
			}
		}
		return v
	}
	// IKEv2 settings are in the IKEv2 dictionary; other VPN types keep
	// theirs in a dictionary named after the type (IPSec, PPP, VPN).
	for _, key := range []string{v.Type, "IKEv2", "IPSec", "VPN", "PPP"} {
		if s, ok := d.Dict(key); ok && key != "" {
			v.Settings = s
			break
		}
	}
	if s, ok := d.Dict("IKEv2"); ok && v.Type == "IKEv2" {
		v.IKEv2 = readIKEv2(s)
	}
	return v
}

func readIKEv2(d Dict) *IKEv2 {
	k := &IKEv2{Dict: d}
	for key, field := range map[string]*string{
		"RemoteAddress": &k.RemoteAddress, "RemoteIdentifier": &k.RemoteIdentifier, "LocalIdentifier": &k.LocalIdentifier,
		"AuthenticationMethod": &k.AuthenticationMethod, "SharedSecret": &k.SharedSecret,
		"AuthName": &k.AuthName, "AuthPassword": &k.AuthPassword,
		"PayloadCertificateUUID": &k.PayloadCertificateUUID, "CertificateType": &k.CertificateType,
		"ServerCertificateIssuerCommonName": &k.ServerCertificateIssuerCommonName,
		"ServerCertificateCommonName":       &k.ServerCertificateCommonName,
		"DeadPeerDetectionRate":             &k.DeadPeerDetectionRate,
	} {
		*field, _ = d.String(key)
	}
	for key, field := range map[string]*bool{
		"ExtendedAuthEnabled": &k.ExtendedAuthEnabled, "DisableMOBIKE": &k.DisableMOBIKE, "DisableRedirect": &k.DisableRedirect,
		"EnablePFS": &k.EnablePFS, "EnableCertificateRevocationCheck": &k.EnableCertificateRevocationCheck,
		"UseConfigurationAttributeInternalIPSubnet": &k.UseConfigurationAttributeInternalIPSubnet,
		"IncludeAllNetworks":                        &k.IncludeAllNetworks,
	} {
		*field, _ = d.Flag(key)
	}
	if n, ok := d.Int("MTU"); ok {
		k.MTU = int(n)
	}
	k.IKE = readSA(d, "IKESecurityAssociationParameters")
	k.Child = readSA(d, "ChildSecurityAssociationParameters")
	k.OnDemand = readOnDemand(d)
	return k
}

func readSA(d Dict, key string) *SecurityAssociation {
	m, ok := d.Dict(key)
	if !ok {
		return nil
	}
	sa := &SecurityAssociation{Dict: m}
	sa.EncryptionAlgorithm, _ = m.String("EncryptionAlgorithm")
	sa.IntegrityAlgorithm, _ = m.String("IntegrityAlgorithm")
	if n, ok := m.Int("DiffieHellmanGroup"); ok {
		sa.DiffieHellmanGroup = int(n)
	}
	if n, ok := m.Int("LifeTimeInMinutes"); ok {
		sa.LifeTimeInMinutes = int(n)
	}
	return sa
}

func readOnDemand(d Dict) OnDemand {
	var o OnDemand
	o.Enabled, _ = d.Flag("OnDemandEnabled")
	_, o.Set = d["OnDemandEnabled"]
	rules, _ := d.Array("OnDemandRules")
	for _, r := range rules {
		m, _ := r.(map[string]any)
		rule := OnDemandRule{Dict: m}
		rule.Action, _ = Dict(m).String("Action")
		o.Rules = append(o.Rules, rule)
	}
	return o
}

func readCertificate(kind string, d Dict) *Certificate {
	c := &Certificate{Kind: kind}
	switch kind {
	case "scep", "acme":
		return c
	case "pkcs12":
		c.Data, _ = d.Data("PayloadContent")
		c.Password, c.HasPassword = d.String("Password")
		return c
	}
	data, ok := d.Data("PayloadContent")
	if !ok {
		c.Problem = "the payload has no PayloadContent data"
		return c
	}
	c.Data = data
	certs, err := signing.ParseCertificates(data)
	if err != nil {
		c.Problem = "the certificate data cannot be read: " + err.Error()
		return c
	}
	c.Certificates = certs
	return c
}
