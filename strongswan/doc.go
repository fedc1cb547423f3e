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
package strongswan
