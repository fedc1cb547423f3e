package main

import (
	"crypto/x509"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// signFlags select the signer identity and encryption; shared by compile,
// batch and sign.
func signFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "sign-cert", Usage: "signer certificate `FILE` (PEM or DER; further PEM certificates in it count as the chain)"},
		&cli.StringFlag{Name: "sign-key", Usage: "signer private key `FILE` (PEM: PKCS#1, PKCS#8, SEC1, optionally encrypted)"},
		&cli.StringSliceFlag{Name: "sign-chain", Usage: "intermediate certificate `FILE` to embed so devices can build the chain; repeatable"},
		&cli.StringFlag{Name: "sign-p12", Usage: "signer identity as a PKCS#12 `FILE` (legacy or modern encoding)"},
		&cli.StringFlag{Name: "sign-password-file", Usage: "`FILE` holding the password of --sign-key or --sign-p12, - for standard input (or set " + envSignPassword + "; asked for on a terminal)"},
		&cli.StringFlag{Name: "encrypt-to", Usage: "encrypt the payloads to the device certificate `FILE` (RSA only)"},
	}
}

// loadSigner reads the signer identity from the --sign-* flags and checks it
// before anything is written, as the library does the signer it is given;
// nil when no signer is asked for.
func loadSigner(c *cli.Context, e env) (*signing.Identity, error) {
	id, err := readSigner(c, e)
	if id == nil || err != nil {
		return nil, err
	}
	warnings, err := signing.CheckIdentity(id, time.Now())
	if err != nil {
		return nil, fmt.Errorf("the signer cannot be used: %w", err)
	}
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: %s\n", w.String())
	}
	return id, nil
}

// readSigner reads the signer identity from the --sign-* flags, without
// checking it; nil when no signer is asked for.
func readSigner(c *cli.Context, e env) (*signing.Identity, error) {
	certPath, keyPath, p12Path := c.String("sign-cert"), c.String("sign-key"), c.String("sign-p12")
	var id *signing.Identity
	switch {
	case p12Path != "" && (certPath != "" || keyPath != ""):
		return nil, usagef("give either --sign-p12 or --sign-cert with --sign-key, not both")
	case p12Path != "":
		data, err := readCredential(e, p12Path, "the --sign-p12 file")
		if err != nil {
			return nil, fmt.Errorf("--sign-p12: cannot read %s: %w", p12Path, err)
		}
		warnLoosePermissions(e, p12Path, "the signing identity")
		if id, err = unlock(c, e, signPassword, "the --sign-p12 file "+p12Path, func(pw string) (*signing.Identity, error) {
			return signing.LoadPKCS12Identity(data, pw)
		}); err != nil {
			return nil, fmt.Errorf("--sign-p12 %s: %w", p12Path, err)
		}
	case certPath != "" || keyPath != "":
		if certPath == "" || keyPath == "" {
			return nil, usagef("--sign-cert and --sign-key go together")
		}
		certData, err := readCredential(e, certPath, "the --sign-cert file")
		if err != nil {
			return nil, fmt.Errorf("--sign-cert: cannot read %s: %w", certPath, err)
		}
		keyData, err := readCredential(e, keyPath, "the --sign-key file")
		if err != nil {
			return nil, fmt.Errorf("--sign-key: cannot read %s: %w", keyPath, err)
		}
		warnLoosePermissions(e, keyPath, "the signing key")
		if id, err = unlock(c, e, signPassword, "the --sign-key file "+keyPath, func(pw string) (*signing.Identity, error) {
			return signing.LoadPEMIdentity(certData, keyData, []byte(pw))
		}); err != nil {
			return nil, fmt.Errorf("--sign-key %s: %w", keyPath, err)
		}
	default:
		if len(c.StringSlice("sign-chain")) > 0 {
			return nil, usagef("--sign-chain needs a signer (--sign-p12, or --sign-cert with --sign-key)")
		}
		return nil, nil
	}
	for _, path := range c.StringSlice("sign-chain") {
		data, err := readCredential(e, path, "a --sign-chain file")
		if err != nil {
			return nil, fmt.Errorf("--sign-chain: cannot read %s: %w", path, err)
		}
		certs, err := signing.ParseCertificates(data)
		if err != nil {
			return nil, fmt.Errorf("--sign-chain %s: %w", path, err)
		}
		id.Chain = append(id.Chain, certs...)
	}
	return id, nil
}

// signingOptions reads the signer and the device certificate into the
// library's options, which checks them (graph2mobileconfig.New).
func signingOptions(c *cli.Context, e env, opts *graph2mobileconfig.Options) error {
	id, err := readSigner(c, e)
	if err != nil {
		return err
	}
	opts.Signer = id
	device, err := readRecipient(c, e)
	if err != nil {
		return err
	}
	opts.EncryptTo = device
	return nil
}

// loadRecipient reads the --encrypt-to device certificate and checks it as
// the library does (graph2mobileconfig.CheckRecipient): only RSA
// certificates can be recipients, refused here before anything is written;
// an expired one is a warning. nil when the flag is not given.
func loadRecipient(c *cli.Context, e env) (*x509.Certificate, error) {
	device, err := readRecipient(c, e)
	if device == nil || err != nil {
		return nil, err
	}
	warnings, err := graph2mobileconfig.CheckRecipient(device, time.Now())
	if err != nil {
		return nil, optionError(c, &graph2mobileconfig.OptionError{Option: "EncryptTo", Err: err})
	}
	for _, w := range warnings {
		fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: --encrypt-to %s: %s\n", c.String("encrypt-to"), w.Message)
	}
	return device, nil
}

// readRecipient reads the --encrypt-to device certificate (the first
// certificate in the file), without checking it; nil when the flag is not
// given.
func readRecipient(c *cli.Context, e env) (*x509.Certificate, error) {
	path := c.String("encrypt-to")
	if path == "" {
		return nil, nil
	}
	data, err := readCredential(e, path, "the --encrypt-to file")
	if err != nil {
		return nil, fmt.Errorf("--encrypt-to: cannot read %s: %w", path, err)
	}
	certs, err := signing.ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("--encrypt-to %s: %w", path, err)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("--encrypt-to %s: the file holds no certificate", path)
	}
	return certs[0], nil
}
