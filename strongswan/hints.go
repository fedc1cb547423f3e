package strongswan

import (
	"fmt"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// The hint codes of this package. Each names one remedy; the text for a Go
// program is written where the problem is found.
const (
	// HintVar: give the MDM variable Arg a value (ReadOptions.Vars); the
	// code is diag.HintVar, the same remedy in the compiler's findings.
	HintVar = diag.HintVar
	// HintClientIdentity: the profile does not carry the client identity
	// a dial needs: give it (ReadOptions.Identity).
	HintClientIdentity = "client-identity"
	// HintEAPUser: give the EAP user name the device would ask the user
	// for (DialOptions.EAPUser).
	HintEAPUser = "eap-user"
	// HintEAPPassword: give the EAP password the device would ask the user
	// for (DialOptions.EAPPassword, ServerOptions.EAPPassword).
	HintEAPPassword = "eap-password"
	// HintEAPAccount: the profile holds no EAP user; the server
	// configuration can hold one account (ServerOptions.EAPUser and
	// EAPPassword).
	HintEAPAccount = "eap-account"
	// HintRoute: a running charon that installs routes would route this
	// host's traffic through a full tunnel: accept that
	// (DialOptions.Route), or dial with a private charon (no
	// DialOptions.VICI).
	HintRoute = "route"
	// HintTimeout: the time a dial gives the negotiation
	// (DialOptions.Timeout).
	HintTimeout = "timeout"
	// HintServerCA: trust a CA for the server besides the profile's (a
	// certificate added to Tunnel.TrustAnchors before Dial).
	HintServerCA = "server-ca"
	// HintClientCA: name the CA that issues the device certificates, the
	// only one the server then accepts (ServerOptions.ClientCA).
	HintClientCA = "client-ca"
	// HintIncludeSecrets: write the secrets into the server configuration
	// (ServerOptions.IncludeSecrets).
	HintIncludeSecrets = "include-secrets"
	// HintDecrypt: the payloads are encrypted; decrypt them with the
	// device's key first (profile.Options.Decrypt).
	HintDecrypt = "decrypt"
)

// HintCodes returns every hint code of this package, for a program that
// maps them all to its own words (and a test that checks it does).
func HintCodes() []string {
	return []string{HintVar, HintClientIdentity, HintEAPUser, HintEAPPassword, HintEAPAccount, HintRoute,
		HintTimeout, HintServerCA, HintClientCA, HintIncludeSecrets, HintDecrypt}
}

// hint makes the hint of a code: text is the remedy in the Go API's words,
// which f, when set, may say in the caller's.
func hint(f diag.HintFunc, code, arg, text string) diag.Hint {
	h := diag.Hint{Code: code, Arg: arg, Text: text}
	if f != nil {
		if s := f(h); s != "" {
			h.Text = s
		}
	}
	return h
}

// varHint asks for the value of the MDM variable tok ("{{serialnumber}}").
func varHint(f diag.HintFunc, tok string) diag.Hint {
	name := tok
	if m := tokenPattern.FindStringSubmatch(tok); m != nil {
		name = m[1]
	}
	return hint(f, HintVar, name, fmt.Sprintf("set strongswan.ReadOptions.Vars[%q]", name))
}

// withHint ends a sentence with a remedy as diag.Diagnostic.String does:
// after "; ", or after ", " for an alternative ("or ...").
func withHint(s string, h diag.Hint) string {
	switch {
	case h.Text == "":
		return s
	case strings.HasPrefix(h.Text, "or "):
		return s + ", " + h.Text
	}
	return s + "; " + h.Text
}

// HintError is an error whose remedy lies in the caller's options rather
// than in the profile: a value to give, an option to set. Hint says which,
// by its code, in the words of the options' Hints when they had them.
type HintError struct {
	// Err is what is wrong.
	Err error
	// Hint is the remedy.
	Hint diag.Hint
}

// Error says what is wrong, then the remedy.
func (e *HintError) Error() string { return withHint(e.Err.Error(), e.Hint) }

// Unwrap returns Err.
func (e *HintError) Unwrap() error { return e.Err }
