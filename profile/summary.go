package profile

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// NotSet is how a summary shows a key that is absent.
const NotSet = "(not set)"

// DateFormat is how summaries show dates, as the signing package's messages
// do.
const DateFormat = "2006-01-02 15:04:05 UTC"

// Report is everything inspect shows of a profile; inspect --json prints it
// (with the file's name).
type Report struct {
	// Format is the property list encoding: "xml", "binary" or
	// "openstep".
	Format string `json:"format"`
	// Signature is set when the file is CMS-signed. Its validity is
	// checked; its trust only when Options asked for it.
	Signature *SignatureReport `json:"signature,omitempty"`
	// Encryption is set when the payloads are encrypted.
	Encryption *EncryptionReport `json:"encryption,omitempty"`
	// SecretsRedacted counts the values shown as Marker.
	SecretsRedacted int     `json:"secretsRedacted"`
	Summary         Summary `json:"summary"`
	// Profile is the decoded profile, with decrypted payloads in
	// PayloadContent when they were decrypted, and with secrets redacted
	// unless they are shown.
	Profile map[string]any `json:"profile,omitempty"`
}

// SignatureReport describes a CMS signature: the signer, its algorithms and
// the certificates embedded with it.
type SignatureReport struct {
	// Valid is true when the signature verified over the content.
	Valid bool `json:"valid"`
	// Signer is nil when the signer certificate is not embedded.
	Signer             *signing.CertificateInfo  `json:"signer"`
	DigestAlgorithm    string                    `json:"digestAlgorithm"`
	SignatureAlgorithm string                    `json:"signatureAlgorithm"`
	SigningTime        *time.Time                `json:"signingTime"`
	CMSVersion         int                       `json:"cmsVersion"`
	Certificates       []signing.CertificateInfo `json:"certificates"`
	// Problem says why the signature is not valid, if it is not.
	Problem string `json:"problem,omitempty"`
}

// EncryptionReport says to whom the payloads are encrypted.
type EncryptionReport struct {
	ContentEncryption string              `json:"contentEncryption,omitempty"`
	Recipients        []signing.Recipient `json:"recipients"`
	Decrypted         bool                `json:"decrypted"`
	// Problem says why the recipients cannot be read.
	Problem string `json:"problem,omitempty"`
}

// Summary is the one-screen summary of a profile.
type Summary struct {
	DisplayName  string           `json:"displayName"`
	Identifier   string           `json:"identifier"`
	UUID         string           `json:"uuid"`
	Organization string           `json:"organization"`
	PayloadType  string           `json:"payloadType"`
	Payloads     []PayloadSummary `json:"payloads"`
	// Notes are things about the profile's shape worth knowing, such as a
	// PayloadType other than Configuration.
	Notes []string `json:"notes,omitempty"`
}

// PayloadSummary summarizes one entry of PayloadContent.
type PayloadSummary struct {
	Type        string      `json:"type"`
	Identifier  string      `json:"identifier"`
	UUID        string      `json:"uuid"`
	DisplayName string      `json:"displayName"`
	VPN         *VPNSummary `json:"vpn,omitempty"`
	// SCEP is set for a com.apple.security.scep payload.
	SCEP *SCEPSummary `json:"scep,omitempty"`
	// Certificates are the certificates of a certificate payload, or the
	// certificate of a PKCS#12 identity.
	Certificates []signing.CertificateInfo `json:"certificates,omitempty"`
	// Problem says why the certificates cannot be shown.
	Problem string `json:"problem,omitempty"`
}

// VPNSummary summarizes a VPN payload.
type VPNSummary struct {
	VPNType         string `json:"vpnType"`
	UserDefinedName string `json:"userDefinedName"`
	// Tunnels holds the IKEv2 (or other protocol) settings: one for VPNType
	// IKEv2, one per TunnelConfigurations entry for AlwaysOn.
	Tunnels []TunnelSummary `json:"tunnels"`
}

// TunnelSummary is the part of a VPN payload that says how to connect.
// Values are shown as they are written, NotSet when absent.
type TunnelSummary struct {
	// Interfaces are the always-on interfaces (AlwaysOn only).
	Interfaces             []string `json:"interfaces,omitempty"`
	RemoteAddress          string   `json:"remoteAddress"`
	RemoteIdentifier       string   `json:"remoteIdentifier"`
	LocalIdentifier        string   `json:"localIdentifier"`
	AuthenticationMethod   string   `json:"authenticationMethod"`
	ExtendedAuthEnabled    string   `json:"extendedAuthEnabled"`
	SharedSecret           string   `json:"sharedSecret,omitempty"`
	PayloadCertificateUUID string   `json:"payloadCertificateUUID,omitempty"`
	IKESA                  string   `json:"ikeSecurityAssociation"`
	ChildSA                string   `json:"childSecurityAssociation"`
	OnDemandEnabled        string   `json:"onDemandEnabled"`
	OnDemandRules          []string `json:"onDemandRules"`
	// BeyondGraph lists the settings present that Intune's Graph model
	// cannot express (the compiler writes them only when its options beyond
	// Graph ask for them), as "Key value".
	BeyondGraph []string `json:"beyondGraph,omitempty"`
}

// SCEPSummary says where and how a device enrolls for the certificate of a
// com.apple.security.scep payload. Values are shown as written, NotSet when
// absent; the challenge is redacted unless secrets are shown.
type SCEPSummary struct {
	URL             string   `json:"url"`
	Name            string   `json:"name"`
	Subject         string   `json:"subject"`
	SubjectAltNames []string `json:"subjectAltNames"`
	KeyType         string   `json:"keyType"`
	KeySize         string   `json:"keySize"`
	KeyUsage        string   `json:"keyUsage"`
	Challenge       string   `json:"challenge"`
	Retries         string   `json:"retries"`
	RetryDelay      string   `json:"retryDelay"`
}

// Report describes the profile for inspect, with its secrets replaced by
// Marker unless showSecrets is set.
func (p *Profile) Report(showSecrets bool) *Report {
	r := &Report{Format: p.Format.String()}
	if p.Signature != nil {
		r.Signature = p.Signature.Report()
	}
	if e := p.Encryption; e != nil {
		r.Encryption = &EncryptionReport{Recipients: []signing.Recipient{}, Decrypted: e.Decrypted(), Problem: e.Problem}
		if e.Info != nil {
			r.Encryption.Recipients, r.Encryption.ContentEncryption = e.Info.Recipients, e.Info.ContentEncryption
		}
	}
	display := map[string]any(p.Tree())
	if !showSecrets {
		redacted, n := Redact(display)
		display, r.SecretsRedacted = redacted.(map[string]any), n
	}
	r.Profile = display
	r.Summary = p.summarize(display)
	return r
}

// Report describes the signature.
func (s *Signature) Report() *SignatureReport {
	signed := s.Signed
	r := &SignatureReport{
		Valid:              s.Valid,
		DigestAlgorithm:    signed.DigestAlgorithm,
		SignatureAlgorithm: signed.SignatureAlgorithm,
		SigningTime:        signed.SigningTime,
		CMSVersion:         signed.Version,
		Certificates:       []signing.CertificateInfo{},
	}
	if signed.Signer != nil {
		info := signing.DescribeCertificate(signed.Signer)
		r.Signer = &info
	}
	for _, c := range signed.Certificates {
		r.Certificates = append(r.Certificates, signing.DescribeCertificate(c))
	}
	if !s.Valid && s.Problem != nil {
		r.Problem = s.Problem.Error()
	}
	return r
}

// summarize summarizes display (the profile as shown, perhaps redacted);
// the certificates come from the typed view, which has the secrets needed
// to open a PKCS#12 identity.
func (p *Profile) summarize(display Dict) Summary {
	s := Summary{
		DisplayName:  valueString(display, "PayloadDisplayName"),
		Identifier:   valueString(display, "PayloadIdentifier"),
		UUID:         valueString(display, "PayloadUUID"),
		Organization: valueString(display, "PayloadOrganization"),
		PayloadType:  valueString(display, "PayloadType"),
		Payloads:     []PayloadSummary{},
	}
	if s.PayloadType != "Configuration" {
		s.Notes = append(s.Notes, fmt.Sprintf("the top-level PayloadType is %s, not Configuration: this is not a configuration profile", s.PayloadType))
	}
	raw, ok := display["PayloadContent"]
	if !ok {
		if _, enc := display["EncryptedPayloadContent"]; !enc {
			s.Notes = append(s.Notes, "the profile has no PayloadContent")
		}
		return s
	}
	entries, ok := raw.([]any)
	if !ok {
		s.Notes = append(s.Notes, fmt.Sprintf("PayloadContent is %s, not an array of payloads", plistout.TypeName(raw)))
		return s
	}
	for i, e := range entries {
		m, ok := e.(map[string]any)
		if !ok {
			s.Payloads = append(s.Payloads, PayloadSummary{Problem: fmt.Sprintf("the payload is %s, not a dictionary", plistout.TypeName(e))})
			continue
		}
		var typed *Payload
		if i < len(p.Payloads) {
			typed = p.Payloads[i]
		}
		s.Payloads = append(s.Payloads, summarizePayload(m, typed))
	}
	return s
}

func summarizePayload(m Dict, typed *Payload) PayloadSummary {
	s := PayloadSummary{
		Type:        valueString(m, "PayloadType"),
		Identifier:  valueString(m, "PayloadIdentifier"),
		UUID:        valueString(m, "PayloadUUID"),
		DisplayName: valueString(m, "PayloadDisplayName"),
	}
	if s.Type == TypeVPN || s.Type == TypeAppLayerVPN {
		s.VPN = summarizeVPN(m)
	}
	if s.Type == TypeSCEP {
		s.SCEP = summarizeSCEP(m)
	}
	if typed == nil || typed.Certificate == nil {
		return s
	}
	c := typed.Certificate
	switch {
	case c.Kind == "pkcs12":
		s.Certificates, s.Problem = pkcs12Certificate(c)
	case c.Kind == "scep" || c.Kind == "acme":
	case c.Problem != "":
		// A payload without data has nothing to show.
		if c.Data != nil {
			s.Problem = c.Problem
		}
	default:
		for _, cert := range c.Certificates {
			s.Certificates = append(s.Certificates, signing.DescribeCertificate(cert))
		}
	}
	return s
}

// pkcs12Certificate reads the certificate of a PKCS#12 payload with the
// password the payload carries. Only the certificate, which is not secret,
// is reported.
func pkcs12Certificate(c *Certificate) ([]signing.CertificateInfo, string) {
	if c.Data == nil {
		return nil, "the payload has no PKCS#12 data"
	}
	id, err := c.Identity("")
	if err != nil {
		if !c.HasPassword {
			return nil, "the identity is protected by a password that the profile does not hold (the device asks for it)"
		}
		return nil, "the identity cannot be read: " + err.Error()
	}
	return []signing.CertificateInfo{signing.DescribeCertificate(id.Certificate)}, ""
}

func summarizeVPN(m Dict) *VPNSummary {
	v := &VPNSummary{
		VPNType:         valueString(m, "VPNType"),
		UserDefinedName: valueString(m, "UserDefinedName"),
		Tunnels:         []TunnelSummary{},
	}
	if v.VPNType == "AlwaysOn" {
		ao, _ := m.Dict("AlwaysOn")
		tunnels, _ := ao.Array("TunnelConfigurations")
		for _, t := range tunnels {
			if tm, ok := t.(map[string]any); ok {
				ts := summarizeTunnel(tm, nil)
				ts.Interfaces = stringList(tm["Interfaces"])
				v.Tunnels = append(v.Tunnels, ts)
			}
		}
		return v
	}
	typ, _ := m.String("VPNType")
	for _, key := range []string{typ, "IKEv2", "IPSec", "VPN", "PPP"} {
		if t, ok := m.Dict(key); ok && key != "" {
			v.Tunnels = append(v.Tunnels, summarizeTunnel(t, m))
			break
		}
	}
	return v
}

// summarizeTunnel reads the connection settings of an IKEv2 dictionary (or
// of an always-on tunnel configuration). On-demand settings are read from
// the dictionary, and from payload when it is not nil and they are not
// there (profiles from some tools put them beside the IKEv2 dictionary).
func summarizeTunnel(t, payload Dict) TunnelSummary {
	s := TunnelSummary{
		RemoteAddress:          valueString(t, "RemoteAddress"),
		RemoteIdentifier:       valueString(t, "RemoteIdentifier"),
		LocalIdentifier:        valueString(t, "LocalIdentifier"),
		AuthenticationMethod:   valueString(t, "AuthenticationMethod"),
		ExtendedAuthEnabled:    valueString(t, "ExtendedAuthEnabled"),
		IKESA:                  saSummary(t["IKESecurityAssociationParameters"]),
		ChildSA:                saSummary(t["ChildSecurityAssociationParameters"]),
		OnDemandRules:          []string{},
		PayloadCertificateUUID: ValueString(t["PayloadCertificateUUID"]),
	}
	if _, ok := t["SharedSecret"]; ok {
		s.SharedSecret = valueString(t, "SharedSecret")
	}
	onDemand := t
	if _, ok := t["OnDemandEnabled"]; !ok && payload != nil {
		if _, ok := payload["OnDemandEnabled"]; ok {
			onDemand = payload
		}
	}
	s.BeyondGraph = beyondGraph(t)
	s.OnDemandEnabled = valueString(onDemand, "OnDemandEnabled")
	rules, _ := onDemand.Array("OnDemandRules")
	for _, r := range rules {
		s.OnDemandRules = append(s.OnDemandRules, ruleSummary(r))
	}
	return s
}

// saSummary formats security association parameters as one line:
// "AES-256, SHA2-256, DH group 14, 1440 min".
func saSummary(v any) string {
	if v == nil {
		return "not set (device defaults)"
	}
	m, ok := v.(map[string]any)
	if !ok {
		return ValueString(v)
	}
	var parts []string
	for _, k := range []string{"EncryptionAlgorithm", "IntegrityAlgorithm"} {
		if x, ok := m[k]; ok {
			parts = append(parts, ValueString(x))
		}
	}
	if x, ok := m["DiffieHellmanGroup"]; ok {
		parts = append(parts, "DH group "+ValueString(x))
	}
	if x, ok := m["LifeTimeInMinutes"]; ok {
		parts = append(parts, ValueString(x)+" min")
	}
	for _, k := range sortedKeys(m) {
		switch k {
		case "EncryptionAlgorithm", "IntegrityAlgorithm", "DiffieHellmanGroup", "LifeTimeInMinutes":
		default:
			parts = append(parts, k+" "+ValueString(m[k]))
		}
	}
	if len(parts) == 0 {
		return "empty (device defaults)"
	}
	return strings.Join(parts, ", ")
}

// ruleSummary formats an on-demand rule as its action and its matches:
// "Connect when InterfaceTypeMatch Cellular, URLStringProbe http://…".
func ruleSummary(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ValueString(v)
	}
	action := valueString(m, "Action")
	var matches []string
	for _, k := range sortedKeys(m) {
		if k != "Action" {
			matches = append(matches, k+" "+ValueString(m[k]))
		}
	}
	if len(matches) == 0 {
		return action + " on every network"
	}
	return action + " when " + strings.Join(matches, ", ")
}

// valueString returns m[key] as text: NotSet when absent, `""` when empty.
func valueString(m Dict, key string) string {
	v, ok := m[key]
	if !ok {
		return NotSet
	}
	return ValueString(v)
}

// ValueString formats a decoded property list value on one line: strings
// as they are (`""` when empty), data as its size, dates in DateFormat,
// arrays and dictionaries in brackets.
func ValueString(v any) string {
	switch x := v.(type) {
	case nil:
		return NotSet
	case string:
		if x == "" {
			return `""`
		}
		return x
	case bool:
		return strconv.FormatBool(x)
	case uint64, int64, int, uint, int32, uint32:
		return fmt.Sprintf("%d", x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case []byte:
		return fmt.Sprintf("<%d bytes of data>", len(x))
	case time.Time:
		return x.UTC().Format(DateFormat)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = ValueString(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		var parts []string
		for _, k := range sortedKeys(x) {
			parts = append(parts, k+" "+ValueString(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

func stringList(v any) []string {
	a, _ := v.([]any)
	out := make([]string, 0, len(a))
	for _, e := range a {
		out = append(out, ValueString(e))
	}
	return out
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// beyondGraph lists the keys of an IKEv2 dictionary (or always-on tunnel)
// that compiler.BeyondGraphMapping names: settings that Intune's Graph model
// cannot express, so a profile holding them was written by hand or with the
// compiler's options beyond Graph.
func beyondGraph(t Dict) []string {
	var out []string
	for _, row := range compiler.BeyondGraphMapping() {
		for _, k := range row.Apple {
			path := strings.TrimPrefix(k.Key, "IKEv2.")
			if v, ok := lookupPath(t, path); ok {
				out = append(out, path+" "+ValueString(v))
			}
		}
	}
	return out
}

// lookupPath finds a dotted key path in nested dictionaries.
func lookupPath(d Dict, path string) (any, bool) {
	for {
		head, rest, nested := strings.Cut(path, ".")
		v, ok := d[head]
		if !ok || !nested {
			return v, ok
		}
		if d, ok = v.(map[string]any); !ok {
			return nil, false
		}
		path = rest
	}
}

// summarizeSCEP reads the enrollment settings of a SCEP payload (from its
// PayloadContent dictionary).
func summarizeSCEP(m Dict) *SCEPSummary {
	c, _ := m.Dict("PayloadContent")
	s := &SCEPSummary{
		URL:             valueString(c, "URL"),
		Name:            valueString(c, "Name"),
		Subject:         scepSubject(c["Subject"]),
		SubjectAltNames: []string{},
		KeyType:         valueString(c, "Key Type"),
		KeySize:         valueString(c, "Keysize"),
		KeyUsage:        scepKeyUsage(c["Key Usage"]),
		Challenge:       valueString(c, "Challenge"),
		Retries:         valueString(c, "Retries"),
		RetryDelay:      valueString(c, "RetryDelay"),
	}
	if s.KeyType == NotSet {
		s.KeyType = "RSA (not set: Apple's default and only type)"
	}
	if san, ok := c.Dict("SubjectAltName"); ok {
		// Apple's schema types each name as a string; its description
		// allows several, which some tools write as an array.
		for _, k := range sortedKeys(san) {
			values := stringList(san[k])
			if _, isList := san[k].([]any); !isList {
				values = []string{ValueString(san[k])}
			}
			for _, v := range values {
				s.SubjectAltNames = append(s.SubjectAltNames, k+" "+v)
			}
		}
	}
	return s
}

// scepSubject formats Apple's subject (an array of RDNs, each an array of
// [OID or short name, value] pairs) as "C=US, O=Contoso, CN=device", in the
// order written.
func scepSubject(v any) string {
	if v == nil {
		return NotSet
	}
	rdns, ok := v.([]any)
	if !ok {
		return ValueString(v)
	}
	var parts []string
	for _, rdn := range rdns {
		pairs, ok := rdn.([]any)
		if !ok {
			return ValueString(v)
		}
		var attrs []string
		for _, pair := range pairs {
			kv, ok := pair.([]any)
			if !ok || len(kv) != 2 {
				return ValueString(v)
			}
			attrs = append(attrs, ValueString(kv[0])+"="+ValueString(kv[1]))
		}
		parts = append(parts, strings.Join(attrs, "+"))
	}
	return strings.Join(parts, ", ")
}

// scepKeyUsage names the bits of Apple's Key Usage (1 signing, 4
// encryption).
func scepKeyUsage(v any) string {
	var n uint64
	switch x := v.(type) {
	case nil:
		return NotSet
	case uint64:
		n = x
	case int64:
		if x < 0 {
			return ValueString(v)
		}
		n = uint64(x)
	default:
		return ValueString(v)
	}
	var names []string
	if n&1 != 0 {
		names = append(names, "signing")
	}
	if n&4 != 0 {
		names = append(names, "encryption")
	}
	if n&^5 != 0 {
		names = append(names, "unknown bits")
	}
	if len(names) == 0 {
		names = append(names, "none (device default)")
	}
	return fmt.Sprintf("%d (%s)", n, strings.Join(names, ", "))
}
