// Package graph2mobileconfig compiles Microsoft Graph (Intune) exports of iOS
// IKEv2 VPN configurations (microsoft.graph.iosikEv2VpnConfiguration) into
// Apple configuration profiles (.mobileconfig), in process. It is the one
// entry point that the graph2mobileconfig command's compile and batch use,
// so a program that calls it gets byte for byte the profiles the command
// writes.
//
// Compile runs every stage in the order the design fixes: package graphjson
// decodes the export, compiler maps every Graph setting to Apple's keys,
// plistout encodes the profile and signing signs it (and, when asked,
// encrypts its payloads to one device). A program that compiles many exports
// with the same options, such as an MDM server, calls New once, which checks
// the options, and then Compiler.Compile for each export; a Compiler is safe
// for concurrent use.
//
// # Results
//
// Every setting is either carried to the right Apple key or explained in a
// diagnostic (see package diag): a finding with a severity, a stable code,
// the JSON path of the setting and the Apple key it concerns. A compilation
// returns its diagnostics whether it succeeds or not. It returns an error
// exactly when it returns no profile:
//
//   - an error wrapping ErrInvalidInput: the export, or a certificate export,
//     has errors, which the diagnostics list;
//   - an *OptionError: an option cannot work (an expired signer, a device
//     certificate that is not RSA, a setting the target iOS does not know);
//   - the context's error, when it is cancelled.
//
// Diagnostics name no option of any program in their messages; a remedy that
// lies in the options is a diag.Hint, whose text names this package's
// options unless Options.Hints rewrites it (the command line names its flags).
//
// # Inputs
//
// The export is what Graph returns for one configuration, as Graph, Graph
// Explorer or the Graph PowerShell SDK write it: the entity, {"value":
// {...}}, or a list that holds exactly one IKEv2 configuration, in UTF-8 or
// UTF-16. The Intune certificate profiles the VPN relies on (its SCEP or PKCS
// identity and trusted roots) come either expanded inside the entity or as
// exports of their own, read by ReadCertificateExport into
// Options.CertificateExports.
package graph2mobileconfig
