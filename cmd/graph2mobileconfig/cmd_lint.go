package main

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
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
			"target iOS version does not know, and secrets in profiles that are neither signed nor encrypted.\n" +
			"Exit status: 0 when clean (informational notes allowed), 1 when there are findings.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "target", Usage: "device to check for, ios:VERSION or ipados:VERSION (default " + compiler.DefaultTarget().String() + ")"},
			&cli.BoolFlag{Name: "json", Usage: "print the findings as JSON"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "also print informational notes"},
			maxInputSizeFlag("inputs"),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("lint needs at least one PROFILE")
			}
			opts := compiler.LintOptions{}
			if t := c.String("target"); t != "" {
				target, err := compiler.ParseTarget(t)
				if err != nil {
					return usagef("--target: %v", err)
				}
				opts.Target = target
			}
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
	signed := false
	if signing.IsCMS(data) {
		s, err := signing.Parse(data)
		if err != nil {
			out.Errorf("bad-signature", "", "the file looks like a signed profile but its CMS structure cannot be read: %v", err)
			return out, false
		}
		if s.Content == nil {
			out.Errorf("detached", "", "the signed profile does not carry its content (a detached signature); a .mobileconfig must embed the profile")
			return out, true
		}
		data, signed = s.Content, true
		if s.DigestAlgorithm == "SHA-1" {
			out.Warnf("weak-digest", "", "the profile is signed with a SHA-1 digest; sign it again with SHA-256")
		}
	}
	profile, _, err := plistout.Decode(data)
	if err != nil {
		out.Errorf("not-a-profile", "", "not a configuration profile: %v", err)
		return out, signed
	}
	opts.Signed = signed
	return append(out, compiler.Lint(profile, opts)...), signed
}
