package compiler

import (
	"fmt"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// The compiler's hints, in the terms of its Go API (see diag.Hint). A
// program that names its options differently rewrites them from their
// codes; the compiler's messages themselves name no option.

func varHint(name string) diag.Hint {
	return diag.Hint{Code: diag.HintVar, Arg: name, Text: fmt.Sprintf("set compiler.Options.Vars[%q]", name)}
}

func mdmVariableHint(name string) diag.Hint {
	return diag.Hint{Code: diag.HintMDMVariable, Arg: name, Text: fmt.Sprintf("graph2mobileconfig's mdm package delivers it as it is: set compiler.Options.Vars[%q] to fill it now", name)}
}

var (
	varsHint          = diag.Hint{Code: diag.HintVars, Text: "or give them in compiler.Options.Vars"}
	mdmDeliveryHint   = diag.Hint{Code: diag.HintMDMDelivery, Text: "graph2mobileconfig's mdm package delivers it as it is"}
	identityHint      = diag.Hint{Code: diag.HintIdentity, Text: "give the identity in compiler.Options.Identity (graph2mobileconfig.LoadClientIdentity reads a PKCS#12 file), or reference the payload your MDM delivers with compiler.Options.IdentityUUID"}
	identityOrExport  = diag.Hint{Code: diag.HintIdentityOrExport, Text: "give that SCEP profile's export in compiler.Options.Certificates (graph2mobileconfig.Options.CertificateExports), the identity in compiler.Options.Identity, or reference the identity payload your MDM delivers with compiler.Options.IdentityUUID"}
	identityOrSCEP    = diag.Hint{Code: diag.HintIdentityOrSCEP, Text: "give the identity in compiler.Options.Identity, enroll it with a SCEP profile (export the iosScepCertificateProfile and give it in compiler.Options.Certificates), or reference your MDM's ACME payload with compiler.Options.IdentityUUID"}
	ecdsaIdentityHint = diag.Hint{Code: diag.HintECDSAIdentity, Text: "or give an ECDSA identity in compiler.Options.Identity (or your MDM's ACME payload with compiler.Options.IdentityUUID)"}
	oneExportHint     = diag.Hint{Code: diag.HintOneIdentityExport, Text: "give only that one in compiler.Options.Certificates, or export the VPN with its identityCertificate expanded"}
	rootHint          = diag.Hint{Code: diag.HintRoot, Text: "give the SCEP profile's rootCertificate (an iosTrustedRootCertificate export) in compiler.Options.Certificates, or the CA in compiler.Options.CACertificates"}
	scepChallengeHint = diag.Hint{Code: diag.HintSCEPChallenge, Text: "give it in compiler.Options.SCEP.Challenge, or have your MDM fill it per device with compiler.Options.SCEP.ChallengeVariable"}
	targetHint        = diag.Hint{Code: diag.HintTarget, Text: "set compiler.Options.Target to the devices it is meant for, and the rule is then checked against it"}
	allowedTargetHint = diag.Hint{Code: diag.HintAllowedTarget, Text: "choose a compiler.Options.Target the rule allows"}
	olderTargetHint   = diag.Hint{Code: diag.HintOlderTarget, Text: "or set an older compiler.Options.Target if every device runs an older iOS"}
	noStrictAlgHint   = diag.Hint{Code: diag.HintNoStrictAlgorithms, Text: "or leave compiler.Options.Algorithms.StrictSelection off"}
)

func newerTargetHint(version string) diag.Hint {
	return diag.Hint{Code: diag.HintNewerTarget, Arg: version, Text: fmt.Sprintf("set compiler.Options.Target to iOS %s or later if every device runs it", version)}
}

// hinted records a diagnostic with a hint; rel is relative to the entity.
func (b *build) hinted(sev diag.Severity, code, rel, key string, h diag.Hint, format string, args ...any) {
	b.diags.AddHinted(sev, code, b.path(rel), key, h, format, args...)
}

// OptionError reports an option that cannot work, found by Options.Check.
type OptionError struct {
	// Option is the field of Options at fault ("Algorithms.PostQuantum").
	Option string
	// Err says what is wrong, in words that do not name the field.
	Err error
}

// Error says which option and what is wrong with it.
func (e *OptionError) Error() string { return "compiler: Options." + e.Option + ": " + e.Err.Error() }

// Unwrap returns Err.
func (e *OptionError) Unwrap() error { return e.Err }
