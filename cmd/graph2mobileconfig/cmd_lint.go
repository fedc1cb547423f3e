package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// lintCommand checks existing profiles, from any tool, against Apple's schema.
func lintCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "lint",
		Usage:     "check .mobileconfig files against Apple's schema",
		ArgsUsage: "PROFILE...",
		Description: "Checks profiles from any source (XML, binary or CMS-signed) against Apple's schema for\n" +
			"com.apple.vpn.managed, the certificate payloads and the profile itself: unknown keys, wrong plist\n" +
			"types (<true/> where Apple wants <integer>), values outside Apple's lists and ranges, missing required\n" +
			"keys, dangling PayloadCertificateUUID references, duplicate PayloadUUID/PayloadIdentifier, keys the\n" +
			"target iOS version does not know, values it refuses (weak algorithms from iOS 26, TLS 1.3 before\n" +
			"27.0, security associations EnforceStrictAlgorithmSelection rejects), {{variables}} left for an MDM,\n" +
			"signatures that do not verify, and secrets in profiles that are neither signed nor encrypted.\n" +
			"Exit status: 0 when clean (informational notes allowed), 1 when there are findings.",
		Flags: []cli.Flag{
			targetFlag("device to check for"),
			&cli.BoolFlag{Name: "json", Usage: "print the findings as JSON"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "also print informational notes"},
			maxInputSizeFlag("inputs"),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("lint needs at least one PROFILE")
			}
			opts := compiler.LintOptions{}
			target, err := parseTargetFlag(c, e)
			if err != nil {
				return err
			}
			opts.Target = target
			type fileReport struct {
				File     string    `json:"file"`
				Signed   bool      `json:"signed"`
				Clean    bool      `json:"clean"`
				Findings diag.List `json:"findings"`
			}
			var reports []fileReport
			dirty := false
			for _, path := range c.Args().Slice() {
				rep := fileReport{File: path}
				findings, signed := lintFile(e, path, c.Int64("max-input-size"), opts)
				rep.Signed, rep.Findings = signed, findings
				rep.Clean = findings.Count(diag.Error)+findings.Count(diag.Warning) == 0
				dirty = dirty || !rep.Clean
				reports = append(reports, rep)
				if c.Bool("json") {
					continue
				}
				for _, f := range findings {
					if f.Severity == diag.Info && !c.Bool("verbose") {
						continue
					}
					fmt.Fprintf(e.stdout, "%s: %s\n", path, f)
				}
				if rep.Clean {
					fmt.Fprintf(e.stdout, "%s: ok\n", path)
				}
			}
			if c.Bool("json") {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				if err := enc.Encode(reports); err != nil {
					return err
				}
			}
			if dirty {
				return failure{}
			}
			return nil
		},
	}
}

// lintFile reads one profile and lints it. A file that cannot be read or is
// not a profile is itself a finding.
func lintFile(e env, path string, max int64, opts compiler.LintOptions) (diag.List, bool) {
	var out diag.List
	data, err := readInput(e, path, max)
	if err != nil {
		out.Errorf("unreadable", "", "%v", err)
		return out, false
	}
	p, err := profile.Open(data, profile.Options{MaxSize: max})
	signed := p != nil && p.Signature != nil
	switch {
	case errors.Is(err, profile.ErrMalformedCMS) && signing.IsCMS(data):
		out.Errorf("bad-signature", "", "%v", err)
		return out, false
	case errors.Is(err, profile.ErrDetached):
		out.Errorf("detached", "", "the signed profile does not carry its content (a detached signature); a .mobileconfig must embed the profile")
		return out, true
	case err != nil:
		out.Errorf("not-a-profile", "", "%v", err)
		return out, signed
	}
	if signed {
		if p.Signature.Signed.DigestAlgorithm == "SHA-1" {
			out.Warnf("weak-digest", "", "the profile is signed with a SHA-1 digest; sign it again with SHA-256")
		}
		if !p.Signature.Valid {
			out.Errorf("invalid-signature", "", "the signature does not verify (%v); devices refuse the profile", p.Signature.Problem)
		}
	}
	opts.Signed = signed
	return append(out, compiler.Lint(p.Root, opts).WithHints(flagHint)...), signed
}
