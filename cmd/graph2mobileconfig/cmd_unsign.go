package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
)

func unsignCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "unsign",
		Usage:     "write the profile embedded in a signed .mobileconfig, byte for byte",
		ArgsUsage: "FILE|-",
		Description: "unsign writes the content of a CMS-signed profile exactly as it was signed. It does not\n" +
			"need the signature to be valid, but warns when it is not (use verify to check it).\n" +
			"A file that is not signed is an error.\n\n" +
			"Without -o the profile is written to NAME.unsigned.mobileconfig in the current folder, NAME being\n" +
			"FILE's name without its extension (and without .signed); -o - writes standard output.",
		Flags: []cli.Flag{
			outputFlag("NAME.unsigned.mobileconfig"),
			maxInputSizeFlag("inputs"),
			&cli.BoolFlag{Name: "force", Usage: "replace an output path that is a symbolic link"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("unsign takes exactly one FILE (or - for standard input); got %d", c.NArg())
			}
			input := c.Args().First()
			output, err := outputPath(c, input, ".unsigned.mobileconfig")
			if err != nil {
				return err
			}
			data, err := readInput(e, input, c.Int64("max-input-size"))
			if err != nil {
				return err
			}
			p, err := signedProfile(e, input, data, c.Int64("max-input-size"))
			if err != nil {
				return err
			}
			if err := writeOutput(e, output, p.Content, p.Root == nil || p.HoldsSecrets(), c.Bool("force")); err != nil {
				return err
			}
			noteDefaultOutput(c, e, output)
			return nil
		},
	}
}

// signedProfile reads a signed file for unsign, warning when its signature
// does not verify or its content is not a property list (which is written
// anyway: unsign gives back what was signed). The plain profile may hold a
// shared secret or an identity that only the signed file's permissions
// protected so far; content that cannot be read (Root nil) is treated the
// same way.
func signedProfile(e env, input string, data []byte, max int64) (*profile.Profile, error) {
	name := displayName(input)
	p, err := profile.Open(data, profile.Options{MaxSize: max})
	switch {
	case p == nil && errors.Is(err, profile.ErrMalformedCMS):
		return nil, fmt.Errorf("%s: %v", name, err)
	case p == nil && err != nil:
		return nil, fmt.Errorf("%s is not signed: it is not CMS, and %v", name, err)
	case p.Signature == nil:
		return nil, fmt.Errorf("%s is not signed: it is a plain %s property list already", name, formatName(p.Format.String()))
	case errors.Is(err, profile.ErrDetached):
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if !p.Signature.Valid {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: %s: the signature does not verify (%v); the content is written as found\n", name, p.Signature.Problem)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: %s: %v; writing it anyway\n", name, err)
	}
	return p, nil
}
