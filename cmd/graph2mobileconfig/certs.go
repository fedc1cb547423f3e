package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/batch"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/pipeline"
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
// compiler's options. The returned diagnostics are about the --with
// exports; their paths start with the file's name ("scep.json:$.keySize").
func loadCertificates(c *cli.Context, e env, opts *pipeline.Options) (diag.List, error) {
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
	var diags diag.List
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
		label = strings.ReplaceAll(label, ":", "_")
		certs, d := graphjson.DecodeCertificates(data, opts.Limits, label)
		co.Certificates = append(co.Certificates, certs...)
		diags = append(diags, d...)
	}
	return diags, nil
}

// compileWith compiles a document with the certificate profiles of the
// --with exports; their findings come first. An error in a --with export
// stops the compilation, whose own findings would only follow from it.
func compileWith(data []byte, opts pipeline.Options, withDiags diag.List) *pipeline.Output {
	if opts.Compile.Strict {
		withDiags = withDiags.Promote()
	}
	if withDiags.HasErrors() {
		withDiags.Sort()
		return &pipeline.Output{Diagnostics: withDiags}
	}
	out := pipeline.Document(data, opts)
	out.Diagnostics = append(withDiags, out.Diagnostics...)
	return out
}

// reportWith prints the findings about the --with exports once, before a
// batch starts, as notices; an error stops the batch before it writes
// anything, since every profile would need those certificates.
func reportWith(e env, printer diagPrinter, withDiags diag.List, strict bool) error {
	if strict {
		withDiags = withDiags.Promote()
	}
	withDiags.Sort()
	for _, d := range withDiags {
		if printer.json {
			printer.printJSONLine(struct {
				Notice batch.Notice `json:"notice"`
			}{batch.Notice{Diagnostic: d}})
		} else if d.Severity != diag.Info || printer.verbose {
			fmt.Fprintf(e.stderr, "graph2mobileconfig: --with: %s\n", d)
		}
	}
	if withDiags.HasErrors() {
		if !printer.json {
			fmt.Fprintf(e.stderr, "graph2mobileconfig: --with: %d error(s); nothing compiled\n", withDiags.Count(diag.Error))
		}
		return failure{}
	}
	return nil
}
