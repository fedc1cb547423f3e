package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// compileFlags are shared by compile, batch and server-config.
func compileFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "plist-format", Value: "xml", Usage: "property list encoding of the profile: `xml` or binary"},
		&cli.StringFlag{Name: "organization", Usage: "PayloadOrganization shown on the device"},
		&cli.StringFlag{Name: "identifier-prefix", Value: compiler.DefaultIdentifierPrefix, Usage: "reverse-DNS prefix of PayloadIdentifier (`PREFIX`.<graph id>), e.g. com.contoso.vpn; choose it once: devices install a profile with another identifier as a second copy"},
		&cli.StringFlag{Name: "identity", Usage: "client identity `FILE.p12` to embed for certificate authentication (re-encoded in the legacy form iOS imports)"},
		&cli.StringFlag{Name: "identity-password-file", Usage: "`FILE` holding the --identity password, - for standard input (or set " + envIdentityPassword + "; asked for on a terminal)"},
		&cli.StringFlag{Name: "identity-uuid", Usage: "reference an identity payload with this PayloadUUID that your MDM delivers, instead of --identity"},
		&cli.StringSliceFlag{Name: "server-ca", Usage: "CA certificate `FILE` (PEM or DER) of the VPN server, embedded so that devices trust the server; repeatable"},
		&cli.StringSliceFlag{Name: "var", Usage: "substitute {{NAME}} tokens with VALUE (`NAME=VALUE`; names match without regard to case); repeatable"},
		targetFlag("device to compile for"),
		&cli.BoolFlag{Name: "strict", Usage: "treat warnings and unresolved {{tokens}} as errors"},
		&cli.BoolFlag{Name: "strict-algorithms", Usage: "beyond Graph: write IKEv2 EnforceStrictAlgorithmSelection 1 (iOS 18.5+); the device then refuses DES, 3DES, DH groups below 14 and an IKE cipher weaker than the child cipher, so such exports are refused"},
		&cli.StringFlag{Name: "post-quantum", Usage: "beyond Graph: additional key exchanges `mlkem768|mlkem1024[,...]` written as PostQuantumKeyExchangeMethods in both SAs (iOS 26+); the list is ADDKE1..7 of RFC 9370, performed one after the other, NOT alternatives"},
		&cli.BoolFlag{Name: "post-quantum-fallback", Usage: "beyond Graph: write AllowPostQuantumKeyExchangeFallback 1 (iOS 26+), letting the device connect without the --post-quantum exchanges when the server lacks them"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "also print informational diagnostics"},
		maxInputSizeFlag("inputs"),
		&cli.BoolFlag{Name: "force", Usage: "replace an output path that is a symbolic link"},
	}, certificateFlags()...)
}

func compileCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "compile",
		Usage:     "compile one Graph export into a .mobileconfig",
		ArgsUsage: "INPUT.json|-",
		Description: "INPUT is a Graph export of one microsoft.graph.iosikEv2VpnConfiguration: the entity object,\n" +
			"{\"value\": {...}}, or a list holding exactly one IKEv2 entity; - reads standard input.\n" +
			"Without -o the profile is written to the current folder as NAME.mobileconfig, NAME being INPUT's\n" +
			"file name without its extension (the same rule as sign, unsign and mdm-command).\n" +
			"Diagnostics go to standard error; --json prints them, with the outcome, as one JSON document on\n" +
			"standard output (on standard error with -o -, where standard output carries the profile).",
		Flags: append([]cli.Flag{
			outputFlag("NAME.mobileconfig"),
			&cli.BoolFlag{Name: "json", Usage: "print the outcome and the diagnostics as one JSON document (on standard output; on standard error with -o -)"},
		}, append(compileFlags(), signFlags()...)...),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("compile takes exactly one INPUT (a file, or - for standard input); got %d", c.NArg())
			}
			input := c.Args().First()
			output, err := outputPath(c, input, ".mobileconfig")
			if err != nil {
				return err
			}
			opts, printer, err := compileOptions(c, e)
			if err != nil {
				return err
			}
			if _, err := loadCertificates(c, e, &opts); err != nil {
				return err
			}
			data, err := readInput(e, input, c.Int64("max-input-size"))
			if err != nil {
				return fmt.Errorf("%w", err)
			}
			// The one entry point of the library, which batch uses too:
			// the same options give the same bytes.
			out, diags, err := graph2mobileconfig.Compile(c.Context, data, opts)
			if err != nil && !diags.HasErrors() {
				return optionError(c, err)
			}
			printer.print("", diags)
			report := jsonReport{Input: input, Diagnostics: diags}
			if out == nil {
				printer.printJSON(report)
				if !printer.json {
					fmt.Fprintf(e.stderr, "graph2mobileconfig: %s: %d error(s); nothing written\n", displayName(input), diags.Count(diag.Error))
				}
				return failure{}
			}
			if err := writeOutput(e, output, out.Data, out.Secrets, c.Bool("force")); err != nil {
				return err
			}
			noteDefaultOutput(c, e, output)
			report.Output, report.OK = output, true
			printer.printJSON(report)
			return nil
		},
	}
}

// compileOptions turns the shared compile and signing flags into the
// library's options, with the command line's words for the hints. The
// signer and the device certificate are read, and checked by the library.
func compileOptions(c *cli.Context, e env) (graph2mobileconfig.Options, diagPrinter, error) {
	opts := graph2mobileconfig.Options{Hints: flagHint}
	printer := newDiagPrinter(c, e)
	var err error
	if opts.Format, err = plistout.ParseFormat(c.String("plist-format")); err != nil {
		return opts, printer, usagef("--plist-%v", err)
	}
	co := &opts.Compile
	co.IdentifierPrefix = c.String("identifier-prefix")
	if !c.IsSet("identifier-prefix") {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: note: the default --identifier-prefix %s is used; give your own (com.contoso.vpn) before deploying and keep it: changing it later makes devices install a second copy\n", co.IdentifierPrefix)
	}
	co.Organization = c.String("organization")
	co.Strict = c.Bool("strict")
	if co.Target, err = parseTargetFlag(c, e); err != nil {
		return opts, printer, err
	}
	for _, kv := range c.StringSlice("var") {
		name, value, ok := strings.Cut(kv, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return opts, printer, usagef("--var %q: want NAME=VALUE", kv)
		}
		if co.Vars == nil {
			co.Vars = map[string]string{}
		}
		if _, dup := co.Vars[name]; dup {
			return opts, printer, usagef("--var %s is given twice", name)
		}
		co.Vars[name] = value
	}
	co.Algorithms.StrictSelection = c.Bool("strict-algorithms")
	co.Algorithms.PostQuantumFallback = c.Bool("post-quantum-fallback")
	if pq := c.String("post-quantum"); c.IsSet("post-quantum") {
		if co.Algorithms.PostQuantum, err = compiler.ParseKeyExchanges(pq); err != nil {
			return opts, printer, usagef("--post-quantum %v", err)
		}
	}
	if co.Algorithms.PostQuantumFallback && len(co.Algorithms.PostQuantum) == 0 {
		return opts, printer, usagef("--post-quantum-fallback needs post-quantum key exchanges to fall back from: give --post-quantum too")
	}
	// Checked now, before any file is read; the library checks again.
	if err := co.Check(); err != nil {
		var ce *compiler.OptionError
		if errors.As(err, &ce) {
			err = &graph2mobileconfig.OptionError{Option: "Compile." + ce.Option, Err: ce.Err}
		}
		return opts, printer, optionError(c, err)
	}
	for _, path := range c.StringSlice("server-ca") {
		data, err := readCredential(e, path, "the --server-ca file")
		if err != nil {
			return opts, printer, fmt.Errorf("--server-ca: cannot read %s: %w", path, err)
		}
		certs, err := signing.ParseCertificates(data)
		if err != nil {
			return opts, printer, fmt.Errorf("--server-ca %s: %w", path, err)
		}
		co.CACertificates = append(co.CACertificates, certs...)
	}
	if id := c.String("identity"); id != "" {
		if c.String("identity-uuid") != "" {
			return opts, printer, usagef("give either --identity or --identity-uuid, not both")
		}
		identity, err := loadDeviceIdentity(c, e, id)
		if err != nil {
			return opts, printer, err
		}
		co.Identity = identity
	}
	co.IdentityUUID = c.String("identity-uuid")
	if err := signingOptions(c, e, &opts); err != nil {
		return opts, printer, err
	}
	return opts, printer, nil
}

// targetFlag is the --target flag of every command that takes one.
func targetFlag(what string) cli.Flag {
	rel := appleschema.SchemaRelease()
	newest := rel.IOS
	if rel.Seed {
		newest += " (a beta seed, accepted with a note)"
	}
	return &cli.StringFlag{Name: "target", Usage: what + ", ios:VERSION or ipados:VERSION (default " + compiler.DefaultTarget().String() +
		", the newest released iOS in Apple's schema; the newest known is " + newest + ")"}
}

// parseTargetFlag reads --target; the zero Target when it is not given, so
// that the compiler knows the target was not chosen. A target that only a
// beta seed of Apple's schema describes is accepted with a note.
func parseTargetFlag(c *cli.Context, e env) (compiler.Target, error) {
	if !c.IsSet("target") {
		return compiler.Target{}, nil
	}
	t, err := compiler.ParseTarget(c.String("target"))
	if err != nil {
		return t, usagef("--target: %v", err)
	}
	if note := t.SeedNote(); note != "" {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: note: --target %s: %s\n", t, note)
	}
	return t, nil
}

func loadDeviceIdentity(c *cli.Context, e env, path string) (*compiler.Identity, error) {
	data, err := readCredential(e, path, "the --identity file")
	if err != nil {
		return nil, fmt.Errorf("--identity: cannot read %s: %w", path, err)
	}
	warnLoosePermissions(e, path, "the identity file")
	identity, err := unlock(c, e, identityPassword, "the --identity file "+path, func(pw string) (*compiler.Identity, error) {
		return graph2mobileconfig.LoadClientIdentity(data, pw)
	})
	if err != nil {
		return nil, fmt.Errorf("--identity %s: %w", path, err)
	}
	return identity, nil
}
