package main

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
	"github.com/graph2mobileconfig/graph2mobileconfig/strongswan"
)

func dialCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "dial",
		Usage:     "bring a profile's IKEv2 VPN up with strongSwan, as an iPhone would, and report why it fails",
		ArgsUsage: "PROFILE.mobileconfig",
		Description: "dial reads a profile (XML or binary, signed or not; encrypted with --decrypt-key and --decrypt-cert),\n" +
			"takes its IKEv2 VPN payload and the identity and CA payloads it uses, and initiates the tunnel through\n" +
			"a real strongSwan charon over VICI with what the device would send: the same proposals (or the iOS\n" +
			"defaults), identities, certificate or EAP authentication, the profile's CAs as the only trust anchors,\n" +
			"and a virtual IP request. It reports the IKE SA (algorithms, identities, virtual IP) and the CHILD SA\n" +
			"(traffic selectors), or the cause of the failure: proposal-mismatch, authentication-failed,\n" +
			"server-certificate-untrusted, server-identity-mismatch, unreachable or timeout.\n\n" +
			"Without --vici, dial starts a private charon (root and strongSwan's charon-systemd needed) with\n" +
			"install_routes = no, so the host's routing is never changed unless --route is given, and stops it\n" +
			"afterwards. With --vici it uses a running charon: it says whether that charon installs routes (read\n" +
			"from --strongswan-conf) and refuses a full-tunnel profile there without --route.\n\n" +
			"dial does not show what only the device does: on-demand rules, always-on behaviour, disconnect on\n" +
			"idle, traffic exclusions.\n\n" +
			"A profile whose identity comes from SCEP never carries the key: give the certificate the device\n" +
			"would enroll with --identity-cert and --identity-key (or --identity FILE.p12); dial checks it against\n" +
			"the SCEP payload's subject and key size, and reports any difference.\n\n" +
			"Exit status: 0 only when the CHILD SA is installed; 1 when it fails or cannot be tried; 2 on usage errors.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "vici", Usage: "use the running charon at `URI` (unix:///path/charon.vici) instead of a private one"},
			&cli.StringFlag{Name: "strongswan-conf", Value: strongswan.DefaultStrongswanConf, Usage: "settings `FILE` of the --vici charon, read to learn whether it installs routes"},
			&cli.BoolFlag{Name: "route", Usage: "let the charon install routes and the virtual IP (changes this host's routing)"},
			&cli.DurationFlag{Name: "timeout", Value: strongswan.DefaultDialTimeout, Usage: "give up the negotiation after `DURATION`"},
			&cli.StringFlag{Name: "server", Usage: "connect to `ADDRESS` instead of the profile's RemoteAddress (identities stay the profile's)"},
			&cli.StringFlag{Name: "eap-user", Usage: "EAP user `NAME` when the profile has no AuthName (the device would ask)"},
			&cli.StringFlag{Name: "eap-password-file", Usage: "`FILE` holding the EAP password when the profile has no AuthPassword, - for standard input (or set " + envEAPPassword + ")"},
			&cli.StringFlag{Name: "identity", Usage: "client identity `FILE.p12` to use when the profile's comes from SCEP, ACME or the MDM"},
			&cli.StringFlag{Name: "identity-cert", Usage: "client certificate `FILE` (PEM or DER; further PEM certificates in it are its chain), with --identity-key: the certificate a device enrolled through the profile's SCEP payload, say"},
			&cli.StringFlag{Name: "identity-key", Usage: "private key `FILE` of --identity-cert (PEM: PKCS#1, PKCS#8, SEC1, optionally encrypted; or DER)"},
			&cli.StringFlag{Name: "identity-password-file", Usage: "`FILE` holding the password of --identity or --identity-key, or of a PKCS#12 payload that holds none, - for standard input (or set " + envIdentityPassword + "; asked for on a terminal)"},
			&cli.StringSliceFlag{Name: "server-ca", Usage: "CA certificate `FILE` (PEM or DER) of the VPN server, trusted besides the profile's, for profiles whose CA comes from elsewhere; repeatable"},
			&cli.StringSliceFlag{Name: "var", Usage: "fill the MDM variable {{NAME}} with VALUE (`NAME=VALUE`), as the MDM would; repeatable"},
			&cli.StringFlag{Name: "target", Usage: "the device's OS, `ios:VERSION`; picks the default proposals when the profile has none (default " + compiler.DefaultTarget().String() + ")"},
			&cli.StringFlag{Name: "payload", Usage: "the VPN payload to dial, by `PayloadIdentifier` or PayloadUUID, when the profile has several"},
			&cli.IntFlag{Name: "tunnel", Value: 1, Usage: "the always-on tunnel configuration to dial (`N`, from 1)"},
			&cli.StringFlag{Name: "netns", Usage: "start the private charon in the network namespace `NAME` (ip netns)"},
			&cli.DurationFlag{Name: "hold", Usage: "keep the tunnel up for `DURATION` before tearing it down"},
			&cli.BoolFlag{Name: "json", Usage: "print the report as JSON on standard output"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print charon's log lines on standard error as they come"},
			&cli.StringFlag{Name: "decrypt-key", Usage: "private key `FILE` (PEM) of the device an encrypted profile is encrypted to"},
			&cli.StringFlag{Name: "decrypt-cert", Usage: "certificate `FILE` of that device"},
			&cli.StringFlag{Name: "decrypt-password-file", Usage: "`FILE` holding the password of --decrypt-key, - for standard input (or set " + envDecryptPassword + "; asked for on a terminal)"},
			maxInputSizeFlag("inputs"),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("dial takes exactly one PROFILE; got %d", c.NArg())
			}
			if err := dialSupported(runtime.GOOS); err != nil {
				return err
			}
			input := c.Args().First()
			if c.String("netns") != "" && c.String("vici") != "" {
				return usagef("--netns applies to the private charon; a --vici charon runs where it runs")
			}
			if c.Duration("timeout") <= 0 {
				return usagef("--timeout must be positive")
			}
			ios := ""
			if t := c.String("target"); t != "" {
				var err error
				if ios, err = targetIOS(t); err != nil {
					return err
				}
			}
			override, err := dialIdentity(c, e)
			if err != nil {
				return err
			}
			data, err := readInput(e, input, c.Int64("max-input-size"))
			if err != nil {
				return err
			}
			top, sum, findings, err := readVPNProfileData(c, e, input, data)
			if err != nil {
				return err
			}
			if !c.Bool("json") {
				printFindings(e, input, findings)
			}
			profile, err := readStrongSwanProfile(c, e, input, top, sum, ios, override)
			if err != nil {
				return err
			}
			n := c.Int("tunnel")
			if n < 1 || n > len(profile.Tunnels) {
				return usagef("--tunnel %d: the profile has %d tunnel(s)", n, len(profile.Tunnels))
			}
			tunnel := profile.Tunnels[n-1]
			for _, path := range c.StringSlice("server-ca") {
				data, err := readCredential(e, path, "the --server-ca file")
				if err != nil {
					return fmt.Errorf("--server-ca: cannot read %s: %w", path, err)
				}
				certs, err := signing.ParseCertificates(data)
				if err != nil {
					return fmt.Errorf("--server-ca %s: %w", path, err)
				}
				tunnel.TrustAnchors = append(tunnel.TrustAnchors, certs...)
			}
			opts := strongswan.DialOptions{
				VICI:           c.String("vici"),
				StrongswanConf: c.String("strongswan-conf"),
				Netns:          c.String("netns"),
				Route:          c.Bool("route"),
				Timeout:        c.Duration("timeout"),
				Server:         c.String("server"),
				EAPUser:        c.String("eap-user"),
				Hold:           c.Duration("hold"),
				Hints:          strongswanHint("dial"),
			}
			if c.String("eap-password-file") != "" || e.getenv(envEAPPassword) != "" {
				if opts.EAPPassword, err = password(c, e, eapPassword); err != nil {
					return err
				}
			}
			if c.Bool("verbose") {
				opts.OnLog = func(l strongswan.LogLine) { fmt.Fprintf(e.stderr, "  %s\n", l) }
			}
			if err := strongswan.CheckDialable(tunnel, opts); err != nil {
				return fmt.Errorf("%s: %w", displayName(input), err)
			}
			rep, err := strongswan.Dial(c.Context, tunnel, opts)
			if err != nil {
				if errors.Is(err, strongswan.ErrFullTunnelRefused) {
					return fmt.Errorf("%s: %w", displayName(input), err)
				}
				return fmt.Errorf("%s: cannot dial: %w", displayName(input), err)
			}
			if c.Bool("json") {
				out := struct {
					File    string `json:"file"`
					SHA256  string `json:"sha256"`
					Tunnel  string `json:"tunnel"`
					Elapsed string `json:"elapsed"`
					// Diagnostics are the findings about the file (an
					// invalid signature), printed as text without --json.
					Diagnostics diag.List `json:"diagnostics"`
					*strongswan.DialReport
				}{input, sum, tunnel.Where, rep.Elapsed.Round(time.Millisecond).String(), findings, rep}
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(out); err != nil {
					return err
				}
			} else {
				printDialReport(e.stdout, input, profile, tunnel, rep)
			}
			if !rep.OK {
				return failure{}
			}
			return nil
		},
	}
}

// dialSupported refuses to dial on a system other than Linux: dial drives
// strongSwan's charon with kernel-libipsec and network namespaces.
func dialSupported(goos string) error {
	if goos == "linux" {
		return nil
	}
	return fmt.Errorf("dial runs on Linux only: it drives strongSwan's charon (with kernel-libipsec and network namespaces), and this is %s; run it on a Linux host or VM that reaches your VPN server", goos)
}

// readVPNProfileData reads a profile file for server-config and dial
// through the profile package: XML or binary, CMS-signed or not, with
// encrypted payloads decrypted through --decrypt-key and --decrypt-cert.
// It returns the profile as a device sees it (secrets included), the
// SHA-256 of the file and the findings about it (an invalid signature),
// which the caller prints as text or puts in its JSON. It is the one place
// these commands read a profile.
func readVPNProfileData(c *cli.Context, e env, input string, data []byte) (map[string]any, string, diag.List, error) {
	dec, err := loadDecryptor(c, e)
	if err != nil {
		return nil, "", nil, err
	}
	p, err := profile.Open(data, profile.Options{MaxSize: c.Int64("max-input-size"), Decrypt: dec})
	if err != nil {
		return nil, "", nil, fmt.Errorf("%s: %v", displayName(input), err)
	}
	findings := diag.List{}
	if s := p.Signature; s != nil && !s.Valid {
		findings.Warnf("invalid-signature", "", "the signature is not valid: %v", s.Problem)
	}
	if p.Encryption != nil && !p.Encryption.Decrypted() {
		return nil, "", nil, fmt.Errorf("%s: the payloads are encrypted; give the device's key and certificate with --decrypt-key and --decrypt-cert", displayName(input))
	}
	sum := sha256.Sum256(data)
	return map[string]any(p.Tree()), hex.EncodeToString(sum[:]), findings, nil
}

// printFindings prints the findings about a file as text lines on
// standard error.
func printFindings(e env, input string, l diag.List) {
	for _, d := range l {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: %s: %s\n", displayName(input), d)
	}
}

// readStrongSwanProfile maps a decoded profile to strongSwan terms with the
// flags both commands share (--payload, --var, --identity-password-file).
func readStrongSwanProfile(c *cli.Context, e env, input string, top map[string]any, sum, ios string, override *strongswan.Identity) (*strongswan.Profile, error) {
	opts := strongswan.ReadOptions{IOS: ios, Payload: c.String("payload"), Identity: override, Hints: strongswanHint(c.Command.Name)}
	for _, kv := range c.StringSlice("var") {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, usagef("--var %q: want NAME=VALUE", kv)
		}
		if opts.Vars == nil {
			opts.Vars = map[string]string{}
		}
		opts.Vars[strings.TrimSpace(name)] = value
	}
	if override == nil {
		pw, err := password(c, e, identityPassword)
		if err != nil {
			return nil, err
		}
		opts.IdentityPassword = pw
	}
	p, err := strongswan.ReadProfile(top, opts)
	if err != nil {
		return nil, inputError{fmt.Errorf("%s: %w", displayName(input), err)}
	}
	p.SHA256 = sum
	return p, nil
}

// dialIdentity reads --identity, or --identity-cert with --identity-key.
func dialIdentity(c *cli.Context, e env) (*strongswan.Identity, error) {
	path, certPath, keyPath := c.String("identity"), c.String("identity-cert"), c.String("identity-key")
	var id *signing.Identity
	var source string
	switch {
	case path != "" && (certPath != "" || keyPath != ""):
		return nil, usagef("give either --identity FILE.p12 or --identity-cert with --identity-key, not both")
	case path != "":
		data, err := readCredential(e, path, "the --identity file")
		if err != nil {
			return nil, fmt.Errorf("--identity: cannot read %s: %w", path, err)
		}
		warnLoosePermissions(e, path, "the identity file")
		if id, err = unlock(c, e, identityPassword, "the --identity file "+path, func(pw string) (*signing.Identity, error) {
			return signing.LoadPKCS12Identity(data, pw)
		}); err != nil {
			return nil, fmt.Errorf("--identity %s: %w", path, err)
		}
		source = "--identity " + path
	case certPath != "" || keyPath != "":
		if certPath == "" || keyPath == "" {
			return nil, usagef("--identity-cert and --identity-key go together")
		}
		certData, err := readCredential(e, certPath, "the --identity-cert file")
		if err != nil {
			return nil, fmt.Errorf("--identity-cert: cannot read %s: %w", certPath, err)
		}
		keyData, err := readCredential(e, keyPath, "the --identity-key file")
		if err != nil {
			return nil, fmt.Errorf("--identity-key: cannot read %s: %w", keyPath, err)
		}
		warnLoosePermissions(e, keyPath, "the identity key")
		certs, err := signing.ParseCertificates(certData)
		if err != nil {
			return nil, fmt.Errorf("--identity-cert %s: %w", certPath, err)
		}
		key, err := unlock(c, e, identityPassword, "the --identity-key file "+keyPath, func(pw string) (crypto.Signer, error) {
			return signing.ParsePrivateKey(keyData, []byte(pw))
		})
		if err != nil {
			return nil, fmt.Errorf("--identity-key %s: %w", keyPath, err)
		}
		// The certificate is the one whose public key is the key's; the
		// others are its chain.
		type equaler interface{ Equal(crypto.PublicKey) bool }
		leaf := slices.IndexFunc(certs, func(cert *x509.Certificate) bool {
			pub, ok := key.Public().(equaler)
			return ok && pub.Equal(cert.PublicKey)
		})
		if leaf < 0 {
			return nil, fmt.Errorf("--identity-key %s is not the key of the certificate in --identity-cert %s (%q)", keyPath, certPath, certs[0].Subject.String())
		}
		id = &signing.Identity{Certificate: certs[leaf], PrivateKey: key, Chain: certs}
		source = "--identity-cert " + certPath
	default:
		return nil, nil
	}
	var chain = id.Chain[:0:0]
	for _, cert := range id.Chain {
		if !cert.Equal(id.Certificate) {
			chain = append(chain, cert)
		}
	}
	return &strongswan.Identity{Certificate: id.Certificate, Key: id.PrivateKey, Chain: chain, Source: source}, nil
}

func targetIOS(s string) (string, error) {
	t, err := compiler.ParseTarget(s)
	if err != nil {
		return "", usagef("--target: %v", err)
	}
	return t.Version, nil
}

// printDialReport prints a dial report for people.
func printDialReport(w io.Writer, input string, p *strongswan.Profile, t *strongswan.Tunnel, rep *strongswan.DialReport) {
	field := func(label, value string) {
		if label != "" {
			label += ":"
		}
		fmt.Fprintf(w, "  %-16s %s\n", label, value)
	}
	fmt.Fprintf(w, "%s: %q (%s) → %s\n", displayName(input), p.Name, t.Where, rep.Offered.Server)
	o := rep.Offered
	field("Device offers", "IKE "+strings.Join(o.IKEProposals, ", "))
	field("", "ESP "+strings.Join(o.ESPProposals, ", "))
	field("", "from "+o.ProposalSource)
	field("Identities", fmt.Sprintf("local %s, remote %s", orEmpty(o.LocalID), o.RemoteID))
	field("Authentication", o.Authentication)
	if o.Identity != "" {
		field("Identity", o.Identity)
		for _, m := range o.IdentityMismatch {
			field("", "differs from the SCEP payload: "+m)
		}
	}
	d := rep.Daemon
	if d.Private {
		who := fmt.Sprintf("private %s %s, started for this dial and stopped after it", d.Name, d.Version)
		if d.Netns != "" {
			who += ", in network namespace " + d.Netns
		}
		field("Charon", who)
	} else {
		field("Charon", fmt.Sprintf("%s %s at %s", d.Name, d.Version, d.VICI))
	}
	field("Routes", fmt.Sprintf("%s (%s)", map[bool]string{true: "installed", false: "not installed"}[d.Installs], d.Because))
	if sa := rep.IKESA; sa != nil {
		fmt.Fprintf(w, "IKE SA established: %s\n", ikeAlgorithms(sa))
		field("Local", fmt.Sprintf("'%s' @ %s, virtual IP %s", sa.LocalID, sa.LocalHost, orEmpty(strings.Join(sa.LocalVIPs, ", "))))
		field("Remote", fmt.Sprintf("'%s' @ %s", sa.RemoteID, sa.RemoteHost))
		if sa.RemoteEAPID != "" {
			field("EAP identity", sa.RemoteEAPID)
		}
	}
	if ch := rep.ChildSA; ch != nil {
		fmt.Fprintf(w, "CHILD SA %s: %s %s\n", strings.ToLower(ch.State), ch.Protocol, childAlgorithms(ch))
		field("Traffic", strings.Join(ch.LocalTS, ", ")+" === "+strings.Join(ch.RemoteTS, ", "))
	}
	for _, check := range rep.Checks {
		field("Checked", check)
	}
	if rep.OK {
		fmt.Fprintf(w, "OK: the CHILD SA is installed (%s)\n", rep.Elapsed.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "FAILED: %s: %s\n", rep.Cause, rep.Reason)
		for _, detail := range rep.Details {
			fmt.Fprintf(w, "  - %s\n", detail)
		}
		if rep.Evidence != "" {
			fmt.Fprintf(w, "  charon said: %s\n", rep.Evidence)
		}
		if len(rep.Log) > 0 && rep.Cause == strongswan.CauseInternal {
			fmt.Fprintln(w, "  charon's log (-v prints it as it comes):")
			for _, l := range rep.Log {
				fmt.Fprintf(w, "    %s\n", l)
			}
		}
	}
	if len(rep.Notes) > 0 {
		fmt.Fprintln(w, "Not shown by dial (the device decides):")
		for _, n := range rep.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
}

func ikeAlgorithms(sa *strongswan.IKESA) string {
	parts := []string{algo(sa.EncrAlg, sa.EncrKeysize)}
	if sa.IntegAlg != "" {
		parts = append(parts, algo(sa.IntegAlg, sa.IntegKeysize))
	}
	parts = append(parts, sa.PRFAlg, sa.DHGroup)
	return strings.Join(parts, "/")
}

func childAlgorithms(ch *strongswan.ChildSA) string {
	parts := []string{algo(ch.EncrAlg, ch.EncrKeysize)}
	if ch.IntegAlg != "" {
		parts = append(parts, ch.IntegAlg)
	}
	if ch.DHGroup != "" {
		parts = append(parts, ch.DHGroup)
	}
	return strings.Join(parts, "/")
}

func algo(name, size string) string {
	if size == "" {
		return name
	}
	return name + "-" + size
}

func orEmpty(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
