package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/strongswan"
)

// The library's messages name no option; where a remedy lies in the
// options, a diagnostic carries a hint whose code says which (see
// diag.Hint), in the Go API's words. The command line says them with its
// flags.

// flagHints are the command line's words for every hint code; arg is the
// hint's Arg.
var flagHints = map[string]func(arg string) string{
	diag.HintVar:  func(arg string) string { return "give --var " + arg + "=VALUE" },
	diag.HintVars: func(string) string { return "or give them with --var" },
	diag.HintMDMVariable: func(arg string) string {
		return "graph2mobileconfig's mdm-command and deploy do not substitute it (they refuse such a profile unless --allow-unresolved): give --var " + arg + "=VALUE to fill it now"
	},
	diag.HintMDMDelivery: func(string) string {
		return "graph2mobileconfig's mdm-command and deploy refuse it unless --allow-unresolved"
	},
	diag.HintIdentity: func(string) string {
		return "give the identity with --identity FILE.p12, or reference the payload your MDM delivers with --identity-uuid UUID"
	},
	diag.HintIdentityOrExport: func(string) string {
		return "give that SCEP profile's export with --with FILE, give the identity with --identity FILE.p12 (its password from --identity-password-file or " + envIdentityPassword + "), or reference the identity payload your MDM delivers with --identity-uuid UUID"
	},
	diag.HintIdentityOrSCEP: func(string) string {
		return "give the identity as --identity FILE.p12 (its password from --identity-password-file), enroll it with a SCEP profile (export the iosScepCertificateProfile and give it with --with), or reference your MDM's ACME payload with --identity-uuid UUID"
	},
	diag.HintECDSAIdentity: func(string) string {
		return "or give an ECDSA identity with --identity FILE.p12 (or your MDM's ACME payload with --identity-uuid)"
	},
	diag.HintOneIdentityExport: func(string) string {
		return "give only that one with --with, or export the VPN with its identityCertificate expanded"
	},
	diag.HintRoot: func(string) string {
		return "give the SCEP profile's rootCertificate (an iosTrustedRootCertificate export) with --with, or the CA with --server-ca"
	},
	diag.HintLinkedIdentity: func(string) string {
		return "give that profile's export with --with FILE, expand it inline, or give the identity with --identity or --identity-uuid"
	},
	diag.HintLinkedRoot: func(string) string { return "give that profile's export with --with FILE, or expand it inline" },
	diag.HintVPNAsExport: func(string) string {
		return "give it as the INPUT, and only its certificate profiles with --with"
	},
	diag.HintSCEPChallenge: func(string) string {
		return "give it with --scep-challenge-file FILE, or have your MDM fill it per device with --scep-challenge-variable NAME"
	},
	diag.HintTarget: func(string) string {
		return "give --target for the devices it is meant for, and the rule is then checked against it"
	},
	diag.HintAllowedTarget: func(string) string { return "choose a --target the rule allows" },
	diag.HintOlderTarget: func(string) string {
		return "or give an older --target if every device runs an older iOS"
	},
	diag.HintNewerTarget: func(arg string) string {
		return "give --target ios:" + arg + " (or later) if every device runs it"
	},
	diag.HintNoStrictAlgorithms: func(string) string { return "or leave out --strict-algorithms" },
	diag.HintSignEncrypt: func(string) string {
		return "sign it (--sign-p12 or --sign-cert/--sign-key) and encrypt it to the device (--encrypt-to)"
	},
	diag.HintMaxInputSize: func(string) string { return "--max-input-size sets the limit" },
	diag.HintBatch:        func(string) string { return "use `graph2mobileconfig batch` to convert them all" },
}

// flagHint is the diag.HintFunc of the command line.
func flagHint(h diag.Hint) string {
	if f := flagHints[h.Code]; f != nil {
		return f(h.Arg)
	}
	return ""
}

// strongswanFlagHints are the words of dial and server-config for the
// strongswan package's hint codes; strongswan.HintVar is diag.HintVar, in
// flagHints.
var strongswanFlagHints = map[string]func(command string) string{
	strongswan.HintClientIdentity: func(string) string {
		return "give it with --identity FILE.p12, or --identity-cert FILE and --identity-key FILE"
	},
	strongswan.HintEAPUser: func(string) string { return "give --eap-user NAME" },
	strongswan.HintEAPPassword: func(string) string {
		return "give --eap-password-file FILE (or set " + envEAPPassword + ")"
	},
	strongswan.HintEAPAccount: func(string) string { return "or give --eap-user and --eap-password-file" },
	strongswan.HintRoute: func(string) string {
		return "give --route to accept that, or dial with a private charon (without --vici)"
	},
	strongswan.HintTimeout: func(string) string { return "--timeout sets the limit" },
	// server-config has a --server-ca of its own, which embeds the CA.
	strongswan.HintServerCA: func(command string) string {
		if command == "dial" {
			return "give the server's CA with --server-ca"
		}
		return "give the server's CA to dial with its --server-ca"
	},
	strongswan.HintClientCA: func(string) string { return "give that CA with --client-ca to accept only it" },
	strongswan.HintIncludeSecrets: func(string) string {
		return "run server-config with --include-secrets -o FILE to write the secrets (into a file of mode 0600)"
	},
	strongswan.HintDecrypt: func(string) string {
		return "give the device's key and certificate with --decrypt-key and --decrypt-cert"
	},
}

// strongswanHint is the diag.HintFunc of dial and server-config (command).
func strongswanHint(command string) diag.HintFunc {
	return func(h diag.Hint) string {
		if f := strongswanFlagHints[h.Code]; f != nil {
			return f(command)
		}
		return flagHint(h)
	}
}

// optionFlags are the flags that set the fields of graph2mobileconfig.Options
// an option error can name.
var optionFlags = map[string]string{
	"Compile.Algorithms.StrictSelection":     "--strict-algorithms",
	"Compile.Algorithms.PostQuantum":         "--post-quantum",
	"Compile.Algorithms.PostQuantumFallback": "--post-quantum-fallback",
	"Compile.Vars":                           "--var",
}

// optionError says an option error of the library with the flag that set
// the option: the signer's problems as "the signer cannot be used", the
// device certificate's after --encrypt-to and its file, a compile setting's
// as a usage error after its flag. Other errors are returned as they are.
func optionError(c *cli.Context, err error) error {
	var oe *graph2mobileconfig.OptionError
	if !errors.As(err, &oe) {
		return err
	}
	switch {
	case oe.Option == "Signer":
		return fmt.Errorf("the signer cannot be used: %w", oe.Err)
	case oe.Option == "EncryptTo":
		return fmt.Errorf("--encrypt-to %s: %w", c.String("encrypt-to"), oe.Err)
	case optionFlags[oe.Option] != "":
		return usagef("%s: %v", optionFlags[oe.Option], oe.Err)
	case strings.HasPrefix(oe.Option, "Compile."):
		return usagef("%v", oe.Err)
	}
	return err
}
