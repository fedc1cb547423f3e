// Package strongswan checks a configuration profile against strongSwan, an
// IKEv2 implementation graph2mobileconfig did not write, before any device
// gets it.
//
// ReadProfile maps the profile's IKEv2 VPN payload to strongSwan's terms: a
// Profile with one Tunnel (one per tunnel configuration of an always-on
// VPN), each with its identities, authentication and the proposals the
// device offers (Apple's defaults for the target iOS when the profile sets
// none; see DefaultProposalsFor). From there:
//
//   - WriteServerConfig writes a swanctl.conf for a responder that accepts
//     exactly those tunnels (connections, address pools, secrets);
//   - Dial brings a tunnel up as the device would, through a running charon
//     (DialOptions.VICI) or a private one it starts, and reports the
//     outcome: the SAs negotiated, or the Cause of a failure.
//
// docs/STRONGSWAN.md, written by WriteMappingMarkdown, says what every
// profile key becomes.
//
// # Hints
//
// Where the remedy for a problem lies in the caller's options rather than
// in the profile (an MDM variable's value, the client identity, EAP
// credentials, the route policy of a dial), the package says it as a
// diag.Hint: a stable code (one of the Hint constants; see HintCodes) and
// the remedy in the terms of this Go API ("set
// strongswan.DialOptions.EAPUser"). Its messages name no option of any
// program themselves. A program with its own names for these options (the
// graph2mobileconfig command names its flags) sets ReadOptions.Hints,
// DialOptions.Hints and ServerOptions.Hints to a diag.HintFunc that says
// each code's remedy in its words: the errors (a *HintError carries the
// hint), reports, notes, warnings and configuration comments then carry
// those.
package strongswan
