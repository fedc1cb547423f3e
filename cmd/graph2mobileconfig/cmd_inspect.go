package main

import (
	"crypto"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// envDecryptPassword may hold the password of an encrypted --decrypt-key.
const envDecryptPassword = "GRAPH2MOBILECONFIG_DECRYPT_PASSWORD"

// redactedMarker replaces secret values in everything inspect prints.
const redactedMarker = profile.Marker

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
			&cli.StringFlag{Name: "decrypt-password-file", Usage: "`FILE` holding the password of --decrypt-key, - for standard input (or set " + envDecryptPassword + "; asked for on a terminal)"},
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
			rep, err := inspectProfile(e, input, data, c.Int64("max-input-size"), dec, c.Bool("show-secrets"))
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

// loadDecryptor reads the device identity given with --decrypt-key and
// --decrypt-cert; nil when neither is given.
func loadDecryptor(c *cli.Context, e env) (*profile.Decryptor, error) {
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
	key, err := unlock(c, e, decryptPassword, "the --decrypt-key file "+keyPath, func(pw string) (crypto.PrivateKey, error) {
		return signing.ParsePrivateKey(keyData, []byte(pw))
	})
	if err != nil {
		return nil, fmt.Errorf("--decrypt-key %s: %w", keyPath, err)
	}
	return &profile.Decryptor{Certificate: certs[0], Key: key}, nil
}

// inspectReport is what inspect prints; inspect --json prints it as is.
type inspectReport struct {
	File string `json:"file"`
	*profile.Report
}

// inspectProfile reads data and describes it, warning about an invalid
// signature and a --decrypt-key that is not needed.
func inspectProfile(e env, input string, data []byte, max int64, dec *profile.Decryptor, showSecrets bool) (*inspectReport, error) {
	name := displayName(input)
	p, err := profile.Open(data, profile.Options{MaxSize: max, Decrypt: dec})
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if s := p.Signature; s != nil && !s.Valid {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: %s: the signature is not valid: %v\n", name, s.Problem)
	}
	if dec != nil && p.Encryption == nil {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: %s: the payloads are not encrypted; --decrypt-key is not needed\n", name)
	}
	return &inspectReport{File: input, Report: p.Report(showSecrets)}, nil
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
			reportField(w, "Signature", fmt.Sprintf("valid (%s, %s); trust not checked: run verify --roots FILE", sig.SignatureAlgorithm, sig.DigestAlgorithm))
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
		if p.DisplayName == profile.NotSet {
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
		if sc := p.SCEP; sc != nil {
			payloadField(w, 1, "SCEP server", sc.URL)
			payloadField(w, 1, "CA name", sc.Name)
			payloadField(w, 1, "Subject", sc.Subject)
			if len(sc.SubjectAltNames) > 0 {
				payloadField(w, 1, "Alt. names", strings.Join(sc.SubjectAltNames, ", "))
			}
			payloadField(w, 1, "Key", fmt.Sprintf("%s %s bits, usage %s", sc.KeyType, sc.KeySize, sc.KeyUsage))
			payloadField(w, 1, "Challenge", sc.Challenge)
			payloadField(w, 1, "Retries", fmt.Sprintf("%s, %s s apart", sc.Retries, sc.RetryDelay))
		}
		if v := p.VPN; v != nil {
			payloadField(w, 1, "VPN type", fmt.Sprintf("%s, named %s", v.VPNType, v.UserDefinedName))
			for j, t := range v.Tunnels {
				depth := 1
				if v.VPNType == "AlwaysOn" {
					payloadField(w, 1, fmt.Sprintf("Tunnel %d", j+1), "always on over "+strings.Join(t.Interfaces, ", "))
					depth = 2
				}
				printTunnel(w, t, depth)
			}
		}
	}
	if r.SecretsRedacted > 0 {
		reportField(w, "Secrets", fmt.Sprintf("%d shown as %s; --show-secrets shows them", r.SecretsRedacted, redactedMarker))
	}
}

func printTunnel(w io.Writer, t profile.TunnelSummary, depth int) {
	payloadField(w, depth, "Remote address", t.RemoteAddress)
	payloadField(w, depth, "Remote ID", t.RemoteIdentifier)
	payloadField(w, depth, "Local ID", t.LocalIdentifier)
	payloadField(w, depth, "Authentication", fmt.Sprintf("%s, ExtendedAuthEnabled %s", t.AuthenticationMethod, t.ExtendedAuthEnabled))
	if t.SharedSecret != "" {
		payloadField(w, depth, "Shared secret", t.SharedSecret)
	}
	if t.PayloadCertificateUUID != "" && t.PayloadCertificateUUID != profile.NotSet {
		payloadField(w, depth, "Identity", "payload "+t.PayloadCertificateUUID)
	}
	payloadField(w, depth, "IKE SA", t.IKESA)
	payloadField(w, depth, "Child SA", t.ChildSA)
	for _, b := range t.BeyondGraph {
		payloadField(w, depth, "Beyond Graph", b)
	}
	if t.Interfaces != nil && t.OnDemandEnabled == profile.NotSet && len(t.OnDemandRules) == 0 {
		return // always-on tunnels have no on-demand settings
	}
	if t.OnDemandEnabled == profile.NotSet && len(t.OnDemandRules) == 0 {
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
