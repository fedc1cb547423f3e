package main

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// envDecryptPassword may hold the password of an encrypted --decrypt-key.
const envDecryptPassword = "GRAPH2MOBILECONFIG_DECRYPT_PASSWORD"

// redactedMarker replaces secret values in everything inspect prints.
const redactedMarker = "«redacted»"

func inspectCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "summarize any .mobileconfig (XML, binary, signed or encrypted) and print it as XML",
		ArgsUsage: "FILE|-",
		Description: "inspect prints a one-screen summary of a profile: its name, identifier and UUID, the signer\n" +
			"if it is signed, and every payload (VPN settings: type, server, identifiers, authentication,\n" +
			"security associations, on-demand rules, always-on interfaces; certificates: subject and\n" +
			"validity), followed by the profile as an XML property list.\n\n" +
			"Secrets (shared secrets, passwords, PKCS#12 identities) are shown as " + redactedMarker + " in the summary,\n" +
			"the XML and the JSON unless --show-secrets is given. The payloads of an encrypted profile are\n" +
			"shown when --decrypt-key and --decrypt-cert name the device's RSA key and certificate.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "decrypt-key", Usage: "private key `FILE` (PEM) of the device the payloads are encrypted to"},
			&cli.StringFlag{Name: "decrypt-cert", Usage: "certificate `FILE` of the device the payloads are encrypted to"},
			&cli.StringFlag{Name: "decrypt-password-file", Usage: "`FILE` holding the password of --decrypt-key (or set " + envDecryptPassword + ")"},
			&cli.BoolFlag{Name: "summary-only", Usage: "print the summary without the XML"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON document with the summary and the decoded profile"},
			&cli.BoolFlag{Name: "show-secrets", Usage: "print secrets instead of " + redactedMarker},
			maxInputSizeFlag("inputs"),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("inspect takes exactly one FILE (or - for standard input); got %d", c.NArg())
			}
			input := c.Args().First()
			dec, err := loadDecryptor(c, e)
			if err != nil {
				return err
			}
			data, err := readInput(e, input, c.Int64("max-input-size"))
			if err != nil {
				return err
			}
			rep, err := inspectProfile(e, input, data, dec, c.Bool("show-secrets"))
			if err != nil {
				return err
			}
			if c.Bool("summary-only") {
				rep.Profile = nil
			}
			if c.Bool("json") {
				out, err := json.MarshalIndent(rep, "", "  ")
				if err != nil {
					return fmt.Errorf("%s: cannot write the profile as JSON: %v", displayName(input), err)
				}
				_, err = e.stdout.Write(append(out, '\n'))
				return err
			}
			rep.printText(e.stdout, time.Now())
			if rep.Profile == nil {
				return nil
			}
			xml, err := plistout.Encode(rep.Profile, plistout.XML)
			if err != nil {
				return fmt.Errorf("%s: cannot print the profile as XML: %v", displayName(input), err)
			}
			fmt.Fprintln(e.stdout)
			_, err = e.stdout.Write(xml)
			return err
		},
	}
}

// decryptor is the device identity given to inspect.
type decryptor struct {
	cert *x509.Certificate
	key  crypto.PrivateKey
}

func loadDecryptor(c *cli.Context, e env) (*decryptor, error) {
	keyPath, certPath := c.String("decrypt-key"), c.String("decrypt-cert")
	if keyPath == "" && certPath == "" {
		if c.String("decrypt-password-file") != "" {
			return nil, usagef("--decrypt-password-file needs --decrypt-key and --decrypt-cert")
		}
		return nil, nil
	}
	if keyPath == "" || certPath == "" {
		return nil, usagef("--decrypt-key and --decrypt-cert go together")
	}
	certData, err := readCredential(e, certPath, "the --decrypt-cert file")
	if err != nil {
		return nil, fmt.Errorf("--decrypt-cert: cannot read %s: %w", certPath, err)
	}
	certs, err := signing.ParseCertificates(certData)
	if err != nil {
		return nil, fmt.Errorf("--decrypt-cert %s: %w", certPath, err)
	}
	keyData, err := readCredential(e, keyPath, "the --decrypt-key file")
	if err != nil {
		return nil, fmt.Errorf("--decrypt-key: cannot read %s: %w", keyPath, err)
	}
	warnLoosePermissions(e, keyPath, "the device key")
	pw, err := password(c, e, "decrypt-password-file", envDecryptPassword)
	if err != nil {
		return nil, err
	}
	key, err := signing.ParsePrivateKey(keyData, []byte(pw))
	if err != nil {
		return nil, fmt.Errorf("--decrypt-key %s: %w", keyPath, err)
	}
	return &decryptor{cert: certs[0], key: key}, nil
}

// inspectReport is what inspect prints; inspect --json prints it as is.
type inspectReport struct {
	File string `json:"file"`
	// Format is the property list encoding: "xml" or "binary".
	Format string `json:"format"`
	// Signature is set when the file is CMS-signed. Its validity is checked,
	// its trust is not (that is what verify --ca does).
	Signature *signatureReport `json:"signature,omitempty"`
	// Encryption is set when the payloads are encrypted.
	Encryption *encryptionReport `json:"encryption,omitempty"`
	// SecretsRedacted counts the values shown as «redacted».
	SecretsRedacted int            `json:"secretsRedacted"`
	Summary         profileSummary `json:"summary"`
	// Profile is the decoded profile, with decrypted payloads in
	// PayloadContent when it was decrypted, and with secrets redacted.
	Profile map[string]any `json:"profile,omitempty"`
}

// encryptionReport says to whom the payloads are encrypted.
type encryptionReport struct {
	ContentEncryption string              `json:"contentEncryption,omitempty"`
	Recipients        []signing.Recipient `json:"recipients"`
	Decrypted         bool                `json:"decrypted"`
	// Problem says why the recipients cannot be read.
	Problem string `json:"problem,omitempty"`
}

// profileSummary is the one-screen summary of a profile.
type profileSummary struct {
	DisplayName  string           `json:"displayName"`
	Identifier   string           `json:"identifier"`
	UUID         string           `json:"uuid"`
	Organization string           `json:"organization"`
	PayloadType  string           `json:"payloadType"`
	Payloads     []payloadSummary `json:"payloads"`
	// Notes are things about the profile's shape worth knowing, such as a
	// PayloadType other than Configuration.
	Notes []string `json:"notes,omitempty"`
}

// payloadSummary summarizes one entry of PayloadContent.
type payloadSummary struct {
	Type        string      `json:"type"`
	Identifier  string      `json:"identifier"`
	UUID        string      `json:"uuid"`
	DisplayName string      `json:"displayName"`
	VPN         *vpnSummary `json:"vpn,omitempty"`
	// Certificates are the certificates of a certificate payload, or the
	// certificate of a PKCS#12 identity.
	Certificates []signing.CertificateInfo `json:"certificates,omitempty"`
	// Problem says why the certificates cannot be shown.
	Problem string `json:"problem,omitempty"`
}

// vpnSummary summarizes a com.apple.vpn.managed payload.
type vpnSummary struct {
	VPNType         string `json:"vpnType"`
	UserDefinedName string `json:"userDefinedName"`
	// Tunnels holds the IKEv2 (or other protocol) settings: one for VPNType
	// IKEv2, one per TunnelConfigurations entry for AlwaysOn.
	Tunnels []tunnelSummary `json:"tunnels"`
}

// tunnelSummary is the part of a VPN payload that says how to connect.
type tunnelSummary struct {
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
}

// inspectProfile reads data (a plist, or a CMS-signed plist), decrypts the
// payloads if dec is set, and summarizes the profile.
func inspectProfile(e env, input string, data []byte, dec *decryptor, showSecrets bool) (*inspectReport, error) {
	name := displayName(input)
	rep := &inspectReport{File: input}
	content := data
	if signing.IsCMS(data) {
		v, err := signing.Verify(data, signing.VerifyOptions{})
		if v == nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		rep.Signature = newSignatureReport(v.Signed, v.SignatureValid)
		if err != nil {
			rep.Signature.Problem = err.Error()
			fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: %s: the signature is not valid: %v\n", name, err)
		}
		if content = v.Signed.Content; content == nil {
			return nil, fmt.Errorf("%s: the signature is detached: the profile is not embedded, so there is nothing to inspect", name)
		}
	}
	profile, format, err := plistout.Decode(content)
	if err != nil && rep.Signature == nil {
		if cmsErr := damagedCMS(data); cmsErr != nil {
			return nil, fmt.Errorf("%s: it is neither a property list nor valid CMS: %v", name, cmsErr)
		}
	}
	if err != nil {
		what := "the file"
		if rep.Signature != nil {
			what = "the signed content"
		}
		return nil, fmt.Errorf("%s: %s cannot be read as a profile: %v", name, what, err)
	}
	rep.Format = format.String()

	if raw, ok := profile["EncryptedPayloadContent"]; ok {
		envelope, ok := raw.([]byte)
		if !ok {
			return nil, fmt.Errorf("%s: EncryptedPayloadContent is a %s, not data", name, plistTypeName(raw))
		}
		enc := &encryptionReport{Recipients: []signing.Recipient{}}
		rep.Encryption = enc
		if info, err := signing.ParseEnvelope(envelope); err != nil {
			enc.Problem = err.Error()
		} else {
			enc.Recipients, enc.ContentEncryption = info.Recipients, info.ContentEncryption
		}
		if dec != nil {
			payloads, err := decryptPayloads(envelope, dec)
			if err != nil {
				return nil, fmt.Errorf("%s: cannot decrypt EncryptedPayloadContent with --decrypt-key: %v", name, err)
			}
			decrypted := make(map[string]any, len(profile))
			for k, v := range profile {
				decrypted[k] = v
			}
			delete(decrypted, "EncryptedPayloadContent")
			decrypted["PayloadContent"] = payloads
			profile = decrypted
			enc.Decrypted = true
		}
	} else if dec != nil {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: %s: the payloads are not encrypted; --decrypt-key is not needed\n", name)
	}

	display := profile
	if !showSecrets {
		var redactedTree any
		redactedTree, rep.SecretsRedacted = redactSecrets(profile)
		display = redactedTree.(map[string]any)
	}
	rep.Profile = display
	rep.Summary = summarizeProfile(display, profile)
	return rep, nil
}

// decryptPayloads decrypts an EncryptedPayloadContent and decodes the
// payload array it holds.
func decryptPayloads(envelope []byte, dec *decryptor) ([]any, error) {
	plain, err := signing.Decrypt(envelope, dec.cert, dec.key)
	if err != nil {
		return nil, err
	}
	v, err := plistout.DecodeAny(plain)
	if err != nil {
		return nil, fmt.Errorf("the decrypted payloads are %v", err)
	}
	payloads, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("the decrypted payloads are a %s, not an array", plistTypeName(v))
	}
	return payloads, nil
}

// redactSecrets returns a copy of v in which every secret is replaced by
// redactedMarker, and how many were replaced. Secrets are non-empty string
// or data values of keys whose name contains "Password" or "Secret"
// (SharedSecret, AuthPassword, the PKCS#12 payload's Password, proxy
// passwords), and the PayloadContent of PKCS#12 payloads (the identity
// with its private key).
func redactSecrets(v any) (any, int) {
	switch x := v.(type) {
	case map[string]any:
		pkcs12 := x["PayloadType"] == "com.apple.security.pkcs12"
		out := make(map[string]any, len(x))
		n := 0
		for k, val := range x {
			if (isSecretKey(k) || pkcs12 && k == "PayloadContent") && isNonEmptyValue(val) {
				out[k] = redactedMarker
				n++
				continue
			}
			c, m := redactSecrets(val)
			out[k], n = c, n+m
		}
		return out, n
	case []any:
		out := make([]any, len(x))
		n := 0
		for i, val := range x {
			c, m := redactSecrets(val)
			out[i], n = c, n+m
		}
		return out, n
	}
	return v, 0
}

func isSecretKey(k string) bool {
	l := strings.ToLower(k)
	return strings.Contains(l, "password") || strings.Contains(l, "secret") || strings.Contains(l, "challenge")
}

// isNonEmptyValue reports whether a value under a secret key holds anything;
// whatever its type, it is then redacted as a whole.
func isNonEmptyValue(v any) bool {
	switch x := v.(type) {
	case string:
		return x != ""
	case []byte:
		return len(x) > 0
	case nil:
		return false
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// holdsSecrets reports whether a decoded profile holds a secret in the
// clear (secrets inside EncryptedPayloadContent do not count).
func holdsSecrets(profile map[string]any) bool {
	_, n := redactSecrets(profile)
	return n > 0
}

// summarizeProfile summarizes display (the profile as printed, perhaps
// redacted); original has the same shape with the secrets, which are used
// only to read the certificate of a PKCS#12 identity.
func summarizeProfile(display, original map[string]any) profileSummary {
	s := profileSummary{
		DisplayName:  plistString(display, "PayloadDisplayName"),
		Identifier:   plistString(display, "PayloadIdentifier"),
		UUID:         plistString(display, "PayloadUUID"),
		Organization: plistString(display, "PayloadOrganization"),
		PayloadType:  plistString(display, "PayloadType"),
		Payloads:     []payloadSummary{},
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
	payloads, ok := raw.([]any)
	if !ok {
		s.Notes = append(s.Notes, fmt.Sprintf("PayloadContent is a %s, not an array of payloads", plistTypeName(raw)))
		return s
	}
	originals, _ := original["PayloadContent"].([]any)
	for i, p := range payloads {
		m, ok := p.(map[string]any)
		if !ok {
			s.Payloads = append(s.Payloads, payloadSummary{Problem: fmt.Sprintf("the payload is a %s, not a dictionary", plistTypeName(p))})
			continue
		}
		var orig map[string]any
		if i < len(originals) {
			orig, _ = originals[i].(map[string]any)
		}
		s.Payloads = append(s.Payloads, summarizePayload(m, orig))
	}
	return s
}

func summarizePayload(m, original map[string]any) payloadSummary {
	p := payloadSummary{
		Type:        plistString(m, "PayloadType"),
		Identifier:  plistString(m, "PayloadIdentifier"),
		UUID:        plistString(m, "PayloadUUID"),
		DisplayName: plistString(m, "PayloadDisplayName"),
	}
	switch {
	case p.Type == "com.apple.vpn.managed" || p.Type == "com.apple.vpn.managed.applayer":
		p.VPN = summarizeVPN(m)
	case p.Type == "com.apple.security.pkcs12":
		p.Certificates, p.Problem = pkcs12Certificate(original)
	case strings.HasPrefix(p.Type, "com.apple.security."):
		data, ok := m["PayloadContent"].([]byte)
		if !ok {
			break
		}
		certs, err := signing.ParseCertificates(data)
		if err != nil {
			p.Problem = "the certificate data cannot be read: " + err.Error()
			break
		}
		for _, c := range certs {
			p.Certificates = append(p.Certificates, signing.DescribeCertificate(c))
		}
	}
	return p
}

// pkcs12Certificate reads the certificate of a PKCS#12 payload with the
// password the payload carries. Only the certificate, which is not secret,
// is reported.
func pkcs12Certificate(payload map[string]any) ([]signing.CertificateInfo, string) {
	data, ok := payload["PayloadContent"].([]byte)
	if !ok {
		return nil, "the payload has no PKCS#12 data"
	}
	pw, hasPassword := payload["Password"].(string)
	id, err := signing.LoadPKCS12Identity(data, pw)
	if err != nil {
		if !hasPassword {
			return nil, "the identity is protected by a password that the profile does not hold (the device asks for it)"
		}
		return nil, "the identity cannot be read: " + err.Error()
	}
	return []signing.CertificateInfo{signing.DescribeCertificate(id.Certificate)}, ""
}

func summarizeVPN(m map[string]any) *vpnSummary {
	v := &vpnSummary{
		VPNType:         plistString(m, "VPNType"),
		UserDefinedName: plistString(m, "UserDefinedName"),
		Tunnels:         []tunnelSummary{},
	}
	if v.VPNType == "AlwaysOn" {
		ao, _ := m["AlwaysOn"].(map[string]any)
		tunnels, _ := ao["TunnelConfigurations"].([]any)
		for _, t := range tunnels {
			if tm, ok := t.(map[string]any); ok {
				ts := summarizeTunnel(tm, nil)
				ts.Interfaces = stringList(tm["Interfaces"])
				v.Tunnels = append(v.Tunnels, ts)
			}
		}
		return v
	}
	// IKEv2 settings are in the IKEv2 dictionary; other VPN types keep
	// theirs in a dictionary named after the type (IPSec, PPP, VPN).
	for _, key := range []string{v.VPNType, "IKEv2", "IPSec", "VPN", "PPP"} {
		if t, ok := m[key].(map[string]any); ok && key != "" {
			v.Tunnels = append(v.Tunnels, summarizeTunnel(t, m))
			break
		}
	}
	return v
}

// summarizeTunnel reads the connection settings of an IKEv2 dictionary (or
// of an always-on tunnel configuration). On-demand settings are read from
// the dictionary, and from payload when it is not nil and they are not
// there.
func summarizeTunnel(t, payload map[string]any) tunnelSummary {
	s := tunnelSummary{
		RemoteAddress:          plistString(t, "RemoteAddress"),
		RemoteIdentifier:       plistString(t, "RemoteIdentifier"),
		LocalIdentifier:        plistString(t, "LocalIdentifier"),
		AuthenticationMethod:   plistString(t, "AuthenticationMethod"),
		ExtendedAuthEnabled:    plistString(t, "ExtendedAuthEnabled"),
		IKESA:                  saSummary(t["IKESecurityAssociationParameters"]),
		ChildSA:                saSummary(t["ChildSecurityAssociationParameters"]),
		OnDemandRules:          []string{},
		PayloadCertificateUUID: plistValueString(t["PayloadCertificateUUID"]),
	}
	if _, ok := t["SharedSecret"]; ok {
		s.SharedSecret = plistString(t, "SharedSecret")
	}
	onDemand := t
	if _, ok := t["OnDemandEnabled"]; !ok && payload != nil {
		if _, ok := payload["OnDemandEnabled"]; ok {
			onDemand = payload
		}
	}
	s.OnDemandEnabled = plistString(onDemand, "OnDemandEnabled")
	rules, _ := onDemand["OnDemandRules"].([]any)
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
		return plistValueString(v)
	}
	var parts []string
	for _, k := range []string{"EncryptionAlgorithm", "IntegrityAlgorithm"} {
		if x, ok := m[k]; ok {
			parts = append(parts, plistValueString(x))
		}
	}
	if x, ok := m["DiffieHellmanGroup"]; ok {
		parts = append(parts, "DH group "+plistValueString(x))
	}
	if x, ok := m["LifeTimeInMinutes"]; ok {
		parts = append(parts, plistValueString(x)+" min")
	}
	for _, k := range sortedKeys(m) {
		switch k {
		case "EncryptionAlgorithm", "IntegrityAlgorithm", "DiffieHellmanGroup", "LifeTimeInMinutes":
		default:
			parts = append(parts, k+" "+plistValueString(m[k]))
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
		return plistValueString(v)
	}
	action := plistString(m, "Action")
	var matches []string
	for _, k := range sortedKeys(m) {
		if k != "Action" {
			matches = append(matches, k+" "+plistValueString(m[k]))
		}
	}
	if len(matches) == 0 {
		return action + " on every network"
	}
	return action + " when " + strings.Join(matches, ", ")
}

// plistString returns m[key] as text: "(not set)" when absent, `""` when
// empty.
func plistString(m map[string]any, key string) string {
	v, ok := m[key]
	if !ok {
		return "(not set)"
	}
	return plistValueString(v)
}

// plistValueString formats a decoded plist value on one line.
func plistValueString(v any) string {
	switch x := v.(type) {
	case nil:
		return "(not set)"
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
	case []byte:
		return fmt.Sprintf("<%d bytes of data>", len(x))
	case time.Time:
		return formatCertDate(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = plistValueString(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		var parts []string
		for _, k := range sortedKeys(x) {
			parts = append(parts, k+" "+plistValueString(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// plistTypeName names the plist type of a decoded value.
func plistTypeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case uint64, int64:
		return "integer"
	case float64:
		return "real"
	case []byte:
		return "data"
	case time.Time:
		return "date"
	case []any:
		return "array"
	case map[string]any:
		return "dictionary"
	}
	return fmt.Sprintf("%T", v)
}

func stringList(v any) []string {
	a, _ := v.([]any)
	out := make([]string, 0, len(a))
	for _, e := range a {
		out = append(out, plistValueString(e))
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// printText prints the summary for people.
func (r *inspectReport) printText(w io.Writer, now time.Time) {
	s := r.Summary
	fmt.Fprintf(w, "%s\n", displayName(r.File))
	container := formatName(r.Format) + " property list"
	if r.Signature != nil {
		container += ", CMS-signed"
	}
	if r.Encryption != nil {
		container += ", payloads encrypted"
	}
	reportField(w, "Format", container)
	reportField(w, "Profile", s.DisplayName)
	reportField(w, "Identifier", s.Identifier)
	reportField(w, "UUID", s.UUID)
	reportField(w, "Organization", s.Organization)
	if s.PayloadType != "Configuration" {
		reportField(w, "Type", s.PayloadType)
	}
	if sig := r.Signature; sig != nil {
		if c := sig.Signer; c != nil {
			reportField(w, "Signed by", c.Subject)
			reportField(w, "Issued by", c.Issuer)
			reportField(w, "Valid", fmt.Sprintf("%s to %s%s%s", formatCertDate(c.NotBefore), formatCertDate(c.NotAfter), certNotYetValid(*c, now), certExpiry(*c, now)))
		} else {
			reportField(w, "Signed by", "unknown (the signer certificate is not embedded)")
		}
		if sig.Valid {
			reportField(w, "Signature", fmt.Sprintf("valid (%s, %s); trust not checked: run verify --ca FILE", sig.SignatureAlgorithm, sig.DigestAlgorithm))
		} else {
			reportField(w, "Signature", "NOT VALID: "+sig.Problem)
		}
	}
	if enc := r.Encryption; enc != nil {
		var to []string
		for _, rc := range enc.Recipients {
			switch {
			case rc.Issuer != "":
				to = append(to, fmt.Sprintf("the certificate with serial %s issued by %s", rc.SerialNumber, rc.Issuer))
			case rc.SubjectKeyID != "":
				to = append(to, "the certificate with key identifier "+rc.SubjectKeyID)
			default:
				to = append(to, "a "+rc.KeyEncryption+" recipient")
			}
		}
		desc := "encrypted"
		if enc.ContentEncryption != "" {
			desc += " (" + enc.ContentEncryption + ")"
		}
		if len(to) > 0 {
			desc += " to " + strings.Join(to, "; ")
		}
		if enc.Problem != "" {
			desc += "; the recipients cannot be read: " + enc.Problem
		}
		reportField(w, "Encryption", desc)
		if !enc.Decrypted {
			reportField(w, "Payloads", "encrypted; give --decrypt-key and --decrypt-cert of the device to see them")
		}
	}
	for _, n := range s.Notes {
		reportField(w, "Note", n)
	}
	if r.Encryption == nil || r.Encryption.Decrypted {
		fmt.Fprintf(w, "  Payloads (%d):\n", len(s.Payloads))
	}
	for i, p := range s.Payloads {
		name := fmt.Sprintf("%q", p.DisplayName)
		if p.DisplayName == "(not set)" {
			name = "(no PayloadDisplayName)"
		}
		fmt.Fprintf(w, "    %d. %s %s\n", i+1, p.Type, name)
		payloadField(w, 1, "Identifier", p.Identifier)
		payloadField(w, 1, "UUID", p.UUID)
		for _, c := range p.Certificates {
			payloadField(w, 1, "Certificate", c.Subject)
			payloadField(w, 1, "Issued by", c.Issuer)
			payloadField(w, 1, "Valid", fmt.Sprintf("%s to %s%s%s", formatCertDate(c.NotBefore), formatCertDate(c.NotAfter), certNotYetValid(c, now), certExpiry(c, now)))
		}
		if p.Problem != "" {
			payloadField(w, 1, "Problem", p.Problem)
		}
		if v := p.VPN; v != nil {
			payloadField(w, 1, "VPN type", fmt.Sprintf("%s, named %s", v.VPNType, v.UserDefinedName))
			for j, t := range v.Tunnels {
				depth := 1
				if v.VPNType == "AlwaysOn" {
					payloadField(w, 1, fmt.Sprintf("Tunnel %d", j+1), "always on over "+strings.Join(t.Interfaces, ", "))
					depth = 2
				}
				t.print(w, depth)
			}
		}
	}
	if r.SecretsRedacted > 0 {
		reportField(w, "Secrets", fmt.Sprintf("%d shown as %s; --show-secrets shows them", r.SecretsRedacted, redactedMarker))
	}
}

func (t tunnelSummary) print(w io.Writer, depth int) {
	payloadField(w, depth, "Remote address", t.RemoteAddress)
	payloadField(w, depth, "Remote ID", t.RemoteIdentifier)
	payloadField(w, depth, "Local ID", t.LocalIdentifier)
	payloadField(w, depth, "Authentication", fmt.Sprintf("%s, ExtendedAuthEnabled %s", t.AuthenticationMethod, t.ExtendedAuthEnabled))
	if t.SharedSecret != "" {
		payloadField(w, depth, "Shared secret", t.SharedSecret)
	}
	if t.PayloadCertificateUUID != "" && t.PayloadCertificateUUID != "(not set)" {
		payloadField(w, depth, "Identity", "payload "+t.PayloadCertificateUUID)
	}
	payloadField(w, depth, "IKE SA", t.IKESA)
	payloadField(w, depth, "Child SA", t.ChildSA)
	if t.Interfaces != nil && t.OnDemandEnabled == "(not set)" && len(t.OnDemandRules) == 0 {
		return // always-on tunnels have no on-demand settings
	}
	if t.OnDemandEnabled == "(not set)" && len(t.OnDemandRules) == 0 {
		payloadField(w, depth, "On demand", "not configured")
		return
	}
	rules := fmt.Sprintf("%d rules", len(t.OnDemandRules))
	if len(t.OnDemandRules) == 1 {
		rules = "1 rule"
	}
	payloadField(w, depth, "On demand", fmt.Sprintf("OnDemandEnabled %s, %s", t.OnDemandEnabled, rules))
	for i, r := range t.OnDemandRules {
		fmt.Fprintf(w, "%s  %d. %s\n", strings.Repeat("   ", depth+1), i+1, r)
	}
}

// payloadField prints a "Label: value" line nested under a payload.
func payloadField(w io.Writer, depth int, label, value string) {
	fmt.Fprintf(w, "%s%-16s %s\n", strings.Repeat("   ", depth+1), label+":", value)
}

// formatName names a plist encoding ("xml", "binary") for people.
func formatName(f string) string {
	if f == "xml" {
		return "XML"
	}
	return f
}
