package main

import (
	"crypto/x509"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

func signCommand(e env) *cli.Command {
	return &cli.Command{
		Name:      "sign",
		Usage:     "sign an existing .mobileconfig (and optionally encrypt its payloads to a device)",
		ArgsUsage: "FILE|-",
		Description: "sign signs a configuration profile (XML or binary property list) with the identity given by\n" +
			"--sign-p12, or by --sign-cert with --sign-key, and embeds the --sign-chain intermediates. The\n" +
			"profile is signed byte for byte as it is, so unsign gives back the same file. The identity is\n" +
			"checked before anything is written (key match, validity, key usage, chain order).\n\n" +
			"A file that is already signed is refused unless --resign is given, which replaces the old\n" +
			"signature. --encrypt-to encrypts PayloadContent to a device certificate (RSA only) before\n" +
			"signing; the profile is then written again in its own format (XML or binary).\n\n" +
			"Without -o the signed profile is written to NAME.signed.mobileconfig in the current folder, NAME\n" +
			"being FILE's name without its extension (and without .unsigned); -o - writes standard output.",
		Flags: append([]cli.Flag{
			outputFlag("NAME.signed.mobileconfig"),
			&cli.BoolFlag{Name: "resign", Usage: "replace the signature of a profile that is already signed"},
			maxInputSizeFlag("inputs"),
			&cli.BoolFlag{Name: "force", Usage: "replace an output path that is a symbolic link"},
		}, signFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("sign takes exactly one FILE (or - for standard input); got %d", c.NArg())
			}
			input := c.Args().First()
			output, err := outputPath(c, input, ".signed.mobileconfig")
			if err != nil {
				return err
			}
			id, err := loadSigner(c, e)
			if err != nil {
				return err
			}
			if id == nil {
				return usagef("sign needs a signer: --sign-p12 FILE, or --sign-cert FILE with --sign-key FILE")
			}
			device, err := loadRecipient(c, e)
			if err != nil {
				return err
			}
			data, err := readInput(e, input, c.Int64("max-input-size"))
			if err != nil {
				return err
			}
			content, secret, err := prepareForSigning(input, data, c.Int64("max-input-size"), c.Bool("resign"), device)
			if err != nil {
				return err
			}
			signed, err := signing.Sign(content, id)
			if err != nil {
				return fmt.Errorf("%s: %v", displayName(input), err)
			}
			if err := writeOutput(e, output, signed, secret, c.Bool("force")); err != nil {
				return err
			}
			noteDefaultOutput(c, e, output)
			return nil
		},
	}
}

// prepareForSigning checks that data is a configuration profile and returns
// the bytes to sign: data itself, the content of a signed file when resign
// is set, or the profile with its payloads encrypted to device. secret
// reports that the result holds an unencrypted secret.
func prepareForSigning(input string, data []byte, max int64, resign bool, device *x509.Certificate) (content []byte, secret bool, err error) {
	name := displayName(input)
	p, err := profile.Open(data, profile.Options{MaxSize: max})
	if p != nil && p.Signature != nil && !resign {
		by := ""
		if s := p.Signature.Signed.Signer; s != nil {
			by = fmt.Sprintf(" by %q", s.Subject.String())
		}
		return nil, false, fmt.Errorf("%s is already signed%s; pass --resign to replace the signature, or unsign it first", name, by)
	}
	if err == nil {
		err = p.CheckConfiguration()
	}
	if err != nil {
		return nil, false, fmt.Errorf("%s cannot be signed: %v", name, err)
	}
	if device == nil {
		return p.Content, p.HoldsSecrets(), nil
	}
	if p.Encryption != nil {
		return nil, false, fmt.Errorf("%s is already encrypted (it has EncryptedPayloadContent); leave out --encrypt-to", name)
	}
	encrypted := compiler.DictOf(p.Root)
	if err := graph2mobileconfig.EncryptPayloads(encrypted, device); err != nil {
		return nil, false, fmt.Errorf("%s: %v", name, err)
	}
	format := p.Format
	if format == plistout.OpenStep {
		format = plistout.XML // the text format cannot hold data
	}
	out, err := plistout.Encode(encrypted, format)
	if err != nil {
		return nil, false, fmt.Errorf("%s: cannot encode the encrypted profile: %v", name, err)
	}
	return out, profile.CountSecrets(encrypted.Map()) > 0, nil
}
