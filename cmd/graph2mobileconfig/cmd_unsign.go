package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

func unsignCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "unsign",
		Usage:     "write the profile embedded in a signed .mobileconfig, byte for byte",
		ArgsUsage: "FILE|-",
		Description: "unsign writes the content of a CMS-signed profile exactly as it was signed. It does not\n" +
			"need the signature to be valid, but warns when it is not (use verify to check it).\n" +
			"A file that is not signed is an error.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output `FILE` (- for standard output)"},
			maxInputSizeFlag("inputs"),
			&cli.BoolFlag{Name: "force", Usage: "replace an output path that is a symbolic link"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("unsign takes exactly one FILE (or - for standard input); got %d", c.NArg())
			}
			input, output := c.Args().First(), c.String("output")
			if output == "" {
				return usagef("unsign needs -o FILE (or -o - for standard output)")
			}
			data, err := readInput(e, input, c.Int64("max-input-size"))
			if err != nil {
				return err
			}
			content, err := unsignedContent(e, input, data)
			if err != nil {
				return err
			}
			// The plain profile may hold a shared secret or an identity that
			// only the signed file's permissions protected so far; content
			// that cannot be read is treated the same way.
			secret := true
			if m, _, err := plistout.Decode(content); err == nil {
				secret = holdsSecrets(m)
			} else {
				fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: %s: the signed content is not a property list (%v); writing it anyway\n", displayName(input), err)
			}
			return writeOutput(e, output, content, secret, c.Bool("force"))
		},
	}
}

// unsignedContent returns the content of a signed file, warning when its
// signature does not verify.
func unsignedContent(e env, input string, data []byte) ([]byte, error) {
	if !signing.IsCMS(data) {
		if _, format, err := plistout.Decode(data); err == nil {
			return nil, fmt.Errorf("%s is not signed: it is a plain %s property list already", displayName(input), formatName(format.String()))
		}
		if err := damagedCMS(data); err != nil {
			return nil, fmt.Errorf("%s: %v", displayName(input), err)
		}
		return nil, fmt.Errorf("%s is not signed: it is neither a CMS-signed profile nor a property list", displayName(input))
	}
	content, err := signing.Unsign(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", displayName(input), err)
	}
	if _, err := signing.Verify(data, signing.VerifyOptions{}); err != nil {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: %s: the signature does not verify (%v); the content is written as found\n", displayName(input), err)
	}
	return content, nil
}
