package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// Environment variables that may hold passwords; passwords are never taken
// from flag values, which other users can see in the process list.
const (
	envIdentityPassword = "GRAPH2MOBILECONFIG_IDENTITY_PASSWORD"
	envSignPassword     = "GRAPH2MOBILECONFIG_SIGN_PASSWORD"
)

// passwordSource is where a password may come from: a file flag (whose
// file may be -, standard input) or an environment variable; and, when a
// password is needed and neither is given, the terminal.
type passwordSource struct {
	flag string
	env  string
}

var (
	identityPassword = passwordSource{"identity-password-file", envIdentityPassword}
	signPassword     = passwordSource{"sign-password-file", envSignPassword}
	decryptPassword  = passwordSource{"decrypt-password-file", envDecryptPassword}
	eapPassword      = passwordSource{"eap-password-file", envEAPPassword}
)

// maxPasswordTries is how many times a password is asked for on a terminal.
const maxPasswordTries = 3

// readPassword reads the password of src: from the flag's file (standard
// input for -), else from the environment variable. given is false when
// neither is set.
func readPassword(c *cli.Context, e env, src passwordSource) (password string, given bool, err error) {
	if f := c.String(src.flag); f != "" {
		if f != "-" {
			warnLoosePermissions(e, f, "the password file")
		}
		pw, err := readSecretFile(e, f, "password file")
		return pw, true, err
	}
	if v := e.getenv(src.env); v != "" {
		return v, true, nil
	}
	return "", false, nil
}

// password is readPassword for passwords that may be empty (an EAP
// password the profile does not hold).
func password(c *cli.Context, e env, src passwordSource) (string, error) {
	pw, _, err := readPassword(c, e, src)
	return pw, err
}

// unlock opens an encrypted key or identity (what names it: "the --sign-p12
// file signer.p12", in the prompt) with the password of src. When it needs a
// password and none was given, the password is asked for on the terminal,
// without echo, up to three times; where there is no terminal to ask on (a
// script, or standard input already being read for the input), the error
// names the flag and the environment variable that give it.
func unlock[T any](c *cli.Context, e env, src passwordSource, what string, open func(password string) (T, error)) (T, error) {
	pw, given, err := readPassword(c, e, src)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := open(pw)
	if given || !errors.Is(err, signing.ErrPasswordRequired) {
		return v, err
	}
	ask := e.askPassword
	if stdinInUse(c) {
		ask = nil
	}
	if ask == nil {
		return v, fmt.Errorf("%w; give --%s FILE (- reads standard input) or set %s", err, src.flag, src.env)
	}
	for try := 1; ; try++ {
		if pw, err = ask(fmt.Sprintf("Password for %s: ", what)); err != nil {
			return v, err
		}
		v, err = open(pw)
		if !errors.Is(err, signing.ErrIncorrectPassword) && !errors.Is(err, signing.ErrPasswordRequired) || try == maxPasswordTries {
			return v, err
		}
		fmt.Fprintf(e.stderr, "graph2mobileconfig: %v; try again\n", err)
	}
}

// stdinInUse reports whether the command reads standard input for its
// input or a secret, which then cannot be a terminal to ask on.
func stdinInUse(c *cli.Context) bool {
	if slices.Contains(c.Args().Slice(), "-") {
		return true
	}
	return slices.ContainsFunc(stdinFlags, func(name string) bool { return strings.TrimSpace(c.String(name)) == "-" })
}
