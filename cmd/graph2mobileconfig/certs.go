package main

import (
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/batch"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// certificateFlags are the compile and batch flags for the Intune
// certificate profiles a VPN relies on.
func certificateFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "with", Usage: "an Intune certificate profile export (`FILE`): the VPN's SCEP or PKCS identity, or a trusted root, compiled into the same profile; repeatable"},
		&cli.StringFlag{Name: "scep-challenge-file", Usage: "`FILE` holding the SCEP server's challenge password, which Intune never exports; - for standard input"},
		&cli.StringFlag{Name: "scep-challenge-variable", Usage: "write the SCEP challenge as the MDM variable {{`NAME`}}, for the MDM to fill per device"},
		&cli.StringFlag{Name: "scep-name", Usage: "the SCEP payload's Name, for SCEP servers that host several CAs (EJBCA: the CA `NAME`)"},
	}
}

// loadCertificates reads the --with exports and the SCEP flags into the
// library's options; the library merges the findings of reading the
// exports, whose paths start with the file's name ("scep.json:$.keySize").
// The shared inputs are the same exports one by one, with the entities and
// the findings of each (made errors by --strict, as the library makes
// them), for batch's report. opts holds the compile flags already.
func loadCertificates(c *cli.Context, e env, opts *graph2mobileconfig.Options) ([]batch.SharedInput, error) {
	co := &opts.Compile
	challengeFile, variable := c.String("scep-challenge-file"), c.String("scep-challenge-variable")
	if challengeFile != "" && variable != "" {
		return nil, usagef("give either --scep-challenge-file or --scep-challenge-variable, not both")
	}
	if challengeFile != "" {
		warnLoosePermissions(e, challengeFile, "the SCEP challenge file")
		challenge, err := readSecretFile(e, challengeFile, "SCEP challenge file")
		if err != nil {
			return nil, err
		}
		if challenge == "" {
			return nil, fmt.Errorf("--scep-challenge-file %s is empty; it must hold the challenge password your SCEP server expects", challengeFile)
		}
		co.SCEP.Challenge = challenge
	}
	co.SCEP.ChallengeVariable = variable
	co.SCEP.Name = c.String("scep-name")

	files := c.StringSlice("with")
	bases := map[string]int{}
	for _, f := range files {
		if f == "-" {
			return nil, usagef("--with takes a file; standard input is for the INPUT")
		}
		bases[filepath.Base(f)]++
	}
	var shared []batch.SharedInput
	for _, f := range files {
		data, err := readInput(e, f, c.Int64("max-input-size"))
		if err != nil {
			return nil, fmt.Errorf("--with: %w", err)
		}
		// Diagnostics name the file as briefly as is unambiguous.
		label := filepath.Base(f)
		if bases[label] > 1 {
			label = f
		}
		ex := graph2mobileconfig.ReadCertificateExport(label, data, opts.Limits)
		opts.CertificateExports = append(opts.CertificateExports, ex)
		findings := ex.Diagnostics.Sorted()
		if opts.Compile.Strict {
			findings = findings.Promote()
		}
		in := batch.SharedInput{Flag: "--with", Source: f, Entities: []batch.SharedEntity{}, Diagnostics: findings.WithHints(opts.Hints)}
		for i := range ex.Profiles {
			cp := &ex.Profiles[i]
			in.Entities = append(in.Entities, batch.SharedEntity{Path: cp.Path, Type: cp.Type(), ID: cp.ID(), DisplayName: cp.DisplayName()})
		}
		shared = append(shared, in)
	}
	return shared, nil
}

// reportWith prints the library's findings about the options once, before
// a batch starts, as notices: those about the --with exports (made errors
// by --strict as the compile makes them), and warnings about the signer or
// the device certificate, which are printed without "--with". It reports
// whether they hold an error: then the batch compiles nothing, since every
// profile would need those certificates.
func reportWith(e env, printer diagPrinter, notes diag.List) bool {
	withDiags := notes
	withDiags.Sort()
	for _, d := range withDiags {
		if printer.json {
			printer.printJSONLine(struct {
				Notice batch.Notice `json:"notice"`
			}{batch.Notice{Diagnostic: d}})
		} else if d.Code == "signer-expires-soon" || d.Code == "recipient-expired" {
			fmt.Fprintf(e.stderr, "graph2mobileconfig: %s\n", d)
		} else if d.Severity != diag.Info || printer.verbose {
			fmt.Fprintf(e.stderr, "graph2mobileconfig: --with: %s\n", d)
		}
	}
	return withDiags.HasErrors()
}
