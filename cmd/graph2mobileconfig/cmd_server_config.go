package main

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
	"github.com/graph2mobileconfig/graph2mobileconfig/strongswan"
)

// envEAPPassword may hold the EAP password of server-config and dial.
const envEAPPassword = "GRAPH2MOBILECONFIG_EAP_PASSWORD"

// defaultPool is the address pool server-config writes without --pool.
const defaultPool = "10.10.10.0/24"

func serverConfigCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "server-config",
		Usage:     "write a strongSwan swanctl.conf for a server that accepts a profile",
		ArgsUsage: "INPUT.json|PROFILE.mobileconfig",
		Description: "server-config writes the connections, pools and secrets of a strongSwan responder (swanctl.conf)\n" +
			"that accepts exactly the profile's IKEv2 tunnel: its proposals (or the iOS defaults when it has none),\n" +
			"identities, authentication rounds, DPD, lifetimes and MOBIKE, a full or split tunnel, an address pool\n" +
			"and DNS servers. INPUT is a Graph export (compiled in memory, as compile would, with the same flags)\n" +
			"or a profile (XML or binary, signed or not; encrypted with --decrypt-key and --decrypt-cert).\n\n" +
			"Secrets (the shared secret, EAP passwords, the PPK) are written only with --include-secrets, and\n" +
			"then only to a file (-o), created with mode 0600. The header names the profile's identifier and\n" +
			"SHA-256, the certificate files the server needs, and the profile's settings that are global in\n" +
			"strongSwan (charon.follow_redirects for DisableRedirect) or act only on the device.\n" +
			"docs/STRONGSWAN.md lists what every profile key becomes.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "-", Usage: "output `FILE` (- for standard output)"},
			&cli.StringSliceFlag{Name: "pool", Usage: "virtual IP pool `CIDR` for the devices (default " + defaultPool + "); repeat for IPv6"},
			&cli.StringSliceFlag{Name: "dns", Usage: "DNS server `IP` given to the devices; repeatable"},
			&cli.StringSliceFlag{Name: "split-networks", Usage: "network `CIDR` a split-tunnel profile reaches through the server; repeatable"},
			&cli.StringFlag{Name: "server-cert", Value: "server.pem", Usage: "server certificate `FILE`: a name in swanctl's x509/ folder, or a file here that is checked against the profile (and named by its file name)"},
			&cli.StringFlag{Name: "server-key", Value: "server.key", Usage: "`NAME` of the server's private key in swanctl's private/ folder (named in the header only)"},
			&cli.StringFlag{Name: "client-ca", Usage: "CA certificate `FILE` (x509ca/) that issues device certificates; the connection then accepts only it (a file here is checked against the profile, and named by its file name)"},
			&cli.BoolFlag{Name: "include-secrets", Usage: "write the shared secret, EAP password and PPK into the file (mode 0600; needs -o FILE)"},
			&cli.StringFlag{Name: "eap-user", Usage: "EAP-MSCHAPv2 user `NAME` to add when the profile has no AuthName"},
			&cli.StringFlag{Name: "eap-password-file", Usage: "`FILE` holding the --eap-user password, - for standard input (or set " + envEAPPassword + ")"},
			&cli.StringFlag{Name: "connection-name", Usage: "swanctl connection `NAME` (default: from the VPN's name)"},
			&cli.StringFlag{Name: "payload", Usage: "the VPN payload to use, by `PayloadIdentifier` or PayloadUUID, when the profile has several"},
			&cli.StringFlag{Name: "decrypt-key", Usage: "private key `FILE` (PEM) of the device an encrypted profile is encrypted to"},
			&cli.StringFlag{Name: "decrypt-cert", Usage: "certificate `FILE` of that device"},
			&cli.StringFlag{Name: "decrypt-password-file", Usage: "`FILE` holding the password of --decrypt-key, - for standard input (or set " + envDecryptPassword + "; asked for on a terminal)"},
			&cli.BoolFlag{Name: "json", Usage: "print the outcome and every finding (those of compiling a Graph export, of reading the profile and about the server configuration) as one JSON document instead of text (on standard output with -o FILE, else on standard error)"},
		}, compileFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("server-config takes exactly one INPUT (a Graph export or a profile); got %d", c.NArg())
			}
			input := c.Args().First()
			output := c.String("output")
			if c.Bool("include-secrets") && output == "-" {
				return usagef("--include-secrets writes secrets, which are never printed: give -o FILE (it is created with mode 0600)")
			}
			opts, err := serverOptions(c, e)
			if err != nil {
				return err
			}
			printer := newDiagPrinter(c, e)
			// One convention for machine-readable output: with --json,
			// every finding (the compile's, the file's, the server
			// configuration's) is in the one JSON document, printed once
			// the configuration is written, or with the error about the
			// profile that stopped it.
			profile, report, err := loadServerConfigInput(c, e, printer, input)
			if err != nil {
				return reportInputError(printer, report, err)
			}
			cfg, err := strongswan.WriteServerConfig(profile, opts)
			if errors.Is(err, strongswan.ErrSplitNetworks) {
				return usagef("%s: %v: give them with --split-networks CIDR (repeatable)", displayName(input), err)
			}
			if err != nil {
				return reportInputError(printer, report, inputError{fmt.Errorf("%s: %w", displayName(input), err)})
			}
			report.Diagnostics = append(report.Diagnostics, cfg.Warnings...)
			printer.print("", cfg.Warnings)
			if err := writeOutput(e, output, cfg.Text, cfg.Secrets, c.Bool("force")); err != nil {
				return err
			}
			if output != "-" {
				report.Output = output
			}
			report.OK = true
			printer.printJSON(report)
			return nil
		},
	}
}

// serverOptions reads the server-side flags.
func serverOptions(c *cli.Context, e env) (strongswan.ServerOptions, error) {
	opts := strongswan.ServerOptions{
		ServerCert:     c.String("server-cert"),
		ServerKey:      c.String("server-key"),
		ClientCA:       c.String("client-ca"),
		IncludeSecrets: c.Bool("include-secrets"),
		ConnectionName: c.String("connection-name"),
		EAPUser:        c.String("eap-user"),
	}
	pools := c.StringSlice("pool")
	if len(pools) == 0 {
		pools = []string{defaultPool}
	}
	for _, s := range pools {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return opts, usagef("--pool %q: want a network such as 10.10.10.0/24", s)
		}
		opts.Pools = append(opts.Pools, p)
	}
	for _, s := range c.StringSlice("dns") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return opts, usagef("--dns %q: want an IP address", s)
		}
		opts.DNS = append(opts.DNS, a)
	}
	for _, s := range c.StringSlice("split-networks") {
		for _, part := range strings.Split(s, ",") {
			p, err := netip.ParsePrefix(strings.TrimSpace(part))
			if err != nil {
				return opts, usagef("--split-networks %q: want a network such as 10.0.0.0/8", s)
			}
			opts.SplitNetworks = append(opts.SplitNetworks, p)
		}
	}
	if c.String("eap-password-file") != "" || e.getenv(envEAPPassword) != "" {
		if opts.EAPUser == "" {
			return opts, usagef("an EAP password needs --eap-user")
		}
		pw, err := password(c, e, eapPassword)
		if err != nil {
			return opts, err
		}
		opts.EAPPassword = pw
	}
	var err error
	if opts.ServerCert, opts.ServerCertificate, err = localCertificate(e, "server-cert", opts.ServerCert); err != nil {
		return opts, err
	}
	if opts.ClientCA != "" {
		if opts.ClientCA, opts.ClientCACertificate, err = localCertificate(e, "client-ca", opts.ClientCA); err != nil {
			return opts, err
		}
	}
	opts.Hints = strongswanHint("server-config")
	return opts, nil
}

// localCertificate reads the certificate a swanctl file flag names when
// the file is here, so that it can be checked against the profile; on the
// server it is then named by its file name (a relative path) or its path
// (an absolute one). A name of no file here is a name in the swanctl
// folder, used as it is.
func localCertificate(e env, flag, name string) (string, *x509.Certificate, error) {
	if !filepath.IsAbs(name) {
		if _, err := os.Stat(name); err != nil {
			return name, nil, nil
		}
	}
	data, err := readCredential(e, name, "the --"+flag+" file")
	if err != nil {
		return name, nil, fmt.Errorf("--%s: cannot read %s: %w", flag, name, err)
	}
	certs, err := signing.ParseCertificates(data)
	if err != nil {
		return name, nil, fmt.Errorf("--%s %s: %w", flag, name, err)
	}
	if !filepath.IsAbs(name) {
		name = filepath.Base(name)
	}
	return name, certs[0], nil
}

// loadServerConfigInput reads INPUT: a Graph export is compiled in memory
// with the compile flags, through the library's one entry point as compile
// does (its certificate exports from --with included), so that the
// configuration is the one of the profile compile writes; anything else is
// read as a profile. The findings of the compile or of reading the file are
// printed as text, or, with --json, returned in the report for the caller
// to complete.
func loadServerConfigInput(c *cli.Context, e env, printer diagPrinter, input string) (*strongswan.Profile, jsonReport, error) {
	report := jsonReport{Input: input, Diagnostics: diag.List{}}
	data, err := readInput(e, input, c.Int64("max-input-size"))
	if err != nil {
		return nil, report, err
	}
	ios := ""
	if !isGraphJSON(input, data) {
		if t := c.String("target"); t != "" {
			if ios, err = targetIOS(t); err != nil {
				return nil, report, err
			}
		}
		top, sum, findings, err := readVPNProfileData(c, e, input, data)
		if err != nil {
			return nil, report, err
		}
		report.Diagnostics = append(report.Diagnostics, findings...)
		if !printer.json {
			printFindings(e, input, findings)
		}
		p, err := readStrongSwanProfile(c, e, input, top, sum, ios, nil)
		return p, report, err
	}
	popts, _, err := compileOptions(c, e)
	if err != nil {
		return nil, report, err
	}
	if _, err := loadCertificates(c, e, &popts); err != nil {
		return nil, report, err
	}
	out, diags, err := graph2mobileconfig.Compile(c.Context, data, popts)
	if err != nil && !diags.HasErrors() {
		return nil, report, optionError(c, err)
	}
	// The profile is never written, so that it holds a secret in the
	// clear (and the remedy, compile's signing flags) is beside the point.
	diags = slices.DeleteFunc(diags, func(d diag.Diagnostic) bool { return d.Code == "unprotected-secret" })
	printer.print("", diags)
	report.Diagnostics = append(report.Diagnostics, diags...)
	if out == nil {
		printer.printJSON(report)
		if !printer.json {
			fmt.Fprintf(e.stderr, "graph2mobileconfig: %s: %d error(s); nothing written\n", displayName(input), diags.Count(diag.Error))
		}
		return nil, report, failure{}
	}
	compiled, err := profile.Open(out.Data, profile.Options{})
	if err != nil {
		return nil, report, fmt.Errorf("%s: reading the compiled profile back: %v", displayName(input), err)
	}
	top := map[string]any(compiled.Tree())
	sum := sha256.Sum256(out.Data)
	target := popts.Compile.Target
	if target.IsZero() {
		ios = ""
	} else {
		ios = target.Version
	}
	p, err := readStrongSwanProfile(c, e, input, top, hex.EncodeToString(sum[:]), ios, nil)
	return p, report, err
}

// inputError is an error about the input (a profile strongswan cannot map
// or write a configuration for), which --json reports in its document.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

// reportInputError returns err; with --json, an error about the input is
// printed in the JSON document with the findings so far instead, and the
// run fails without more.
func reportInputError(printer diagPrinter, report jsonReport, err error) error {
	if !printer.json || !errors.As(err, new(inputError)) {
		return err
	}
	report.OK, report.Error = false, err.Error()
	printer.printJSON(report)
	return failure{}
}

// isGraphJSON tells a Graph export from a profile: by the file name, else
// by the first byte (a profile is XML, binary plist or CMS).
func isGraphJSON(name string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return true
	case ".mobileconfig", ".plist":
		return false
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
}
