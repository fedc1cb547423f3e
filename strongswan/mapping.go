package strongswan

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// KeyMapping says what one profile key becomes on each side.
type KeyMapping struct {
	// Key is the key path: relative to the VPN payload, "Profile." for the
	// outer dictionary, or the payload type for other payloads. The keys of
	// an always-on tunnel configuration are the IKEv2 keys.
	Key string
	// Server is what server-config writes (swanctl.conf).
	Server string
	// Dial is what dial does with it (the initiator connection loaded over
	// VICI, or the private charon's strongswan.conf).
	Dial string
}

// deviceOnly is the Server and Dial text of keys that act only on the
// device.
const deviceOnly = "no setting: acts on the device only (a comment in the header)"

// keyMappings is the documentation of every key ReadProfile consults; a
// test holds the two to each other.
var keyMappings = []KeyMapping{
	{"Profile.PayloadIdentifier", "header comment (Identifier)", "—"},
	{"Profile.PayloadDisplayName", "header comment (Profile)", "—"},
	{"Profile.PayloadContent", "the payloads read", "the payloads read"},
	{"PayloadType", "selects the VPN payload (com.apple.vpn.managed or .applayer)", "same"},
	{"PayloadIdentifier", "header comment; `--payload` selects by it", "`--payload` selects by it"},
	{"PayloadUUID", "`--payload` selects by it; PayloadCertificateUUID finds the identity by it", "same"},
	{"UserDefinedName", "the connection name (lower case, dashes), unless `--connection-name`", "named in the report"},
	{"VPNType", "IKEv2, or AlwaysOn (one connection per tunnel configuration); other types are refused", "same; `--tunnel N` picks the always-on tunnel"},
	{"IPv4", "see OverridePrimary", "see OverridePrimary"},
	{"IPv4.OverridePrimary", "1: full tunnel, `local_ts = 0.0.0.0/0, ::/0`", "1: full tunnel (refused on a `--vici` charon that installs routes, unless `--route`)"},
	{"IKEv2", "the tunnel's settings", "the tunnel's settings"},
	{"AlwaysOn", "full tunnel; one connection per tunnel configuration", "full tunnel"},
	{"AlwaysOn.TunnelConfigurations", "one connection each (name-N when several)", "`--tunnel N`"},
	{"AlwaysOn.TunnelConfigurations[].Interfaces", "comment above the connection", "named in the report"},
	{"AlwaysOn.TunnelConfigurations[].ProtocolType", "must be IKEv2", "must be IKEv2"},
	{"AlwaysOn.UIToggleEnabled", deviceOnly, deviceOnly},
	{"AlwaysOn.ServiceExceptions", deviceOnly, deviceOnly},
	{"AlwaysOn.AllowCaptiveWebSheet", deviceOnly, deviceOnly},
	{"AlwaysOn.AllowAllCaptiveNetworkPlugins", deviceOnly, deviceOnly},
	{"AlwaysOn.AllowedCaptiveNetworkPlugins", deviceOnly, deviceOnly},
	{"AlwaysOn.ApplicationExceptions", deviceOnly, deviceOnly},
	{"IKEv2.RemoteAddress", "— (the server's own address; `local_addrs` stays `%any`)", "`remote_addrs` (or `--server`)"},
	{"IKEv2.RemoteIdentifier", "`local.id` and the PSK's `id-server`; the server certificate must name it as a subjectAltName", "`remote.id`; when the server refuses it, a second attempt without it names the server's real identity (server-identity-mismatch)"},
	{"IKEv2.LocalIdentifier", "`remote.id` (`%any` when empty, `*.rest` for a leading MDM variable) and the PSK's `id-client`", "`local.id` (the IP address when empty); MDM variables need `--var`"},
	{"IKEv2.AuthenticationMethod", "`local.auth` (see Authentication)", "`remote.auth` (see Authentication)"},
	{"IKEv2.ExtendedAuthEnabled", "`remote.auth = eap-mschapv2` or `eap-tls`, `eap_id = %any`", "`local.auth = eap-mschapv2` or `eap-tls`, `local.eap_id`"},
	{"IKEv2.PayloadCertificateUUID", "`remote.auth = pubkey` or `eap-tls`; `send_certreq = yes`; the header names the identity's issuer", "`local.certs` and the key (load-cert, load-key)"},
	{"IKEv2.CertificateType", "comment on `remote.auth`", "machine authentication: checked against the identity's key before dialing (Apple: the type of the PayloadCertificateUUID identity)"},
	{"IKEv2.SharedSecret", "`secrets.ike-NAME.secret` (only with `--include-secrets`)", "load-shared IKE"},
	{"IKEv2.AuthName", "`secrets.eap-USER.id` (or `--eap-user`)", "`local.eap_id` (or `--eap-user`)"},
	{"IKEv2.AuthPassword", "`secrets.eap-USER.secret` (only with `--include-secrets`; or `--eap-password-file`)", "load-shared EAP (or `--eap-password-file`)"},
	{"IKEv2.ServerCertificateIssuerCommonName", "header comment; `--server-cert` is checked against it; `send_cert = always` because the device asks for a certificate only with it", "`send_certreq = yes`; the issuer's common name is checked (server-certificate-untrusted)"},
	{"IKEv2.ServerCertificateCommonName", "header comment; `--server-cert` is checked against it", "the server certificate's common name is checked (server-identity-mismatch)"},
	{"IKEv2.DeadPeerDetectionRate", "`dpd_delay` (see DPD)", "`dpd_delay`"},
	{"IKEv2.DisableMOBIKE", "1: `mobike = no`", "1: `mobike = no`"},
	{"IKEv2.DisableRedirect", "header comment: `charon.follow_redirects` is global, not per connection", "1: `charon.follow_redirects = no` in the private charon"},
	{"IKEv2.NATKeepAliveInterval", "header comment: `charon.keep_alive` is global", "`charon.keep_alive` in the private charon"},
	{"IKEv2.TLSMinimumVersion", "header comment: `libtls.version.min` is global", "`libtls.version.min` in the private charon"},
	{"IKEv2.TLSMaximumVersion", "header comment: `libtls.version.max` is global", "`libtls.version.max` in the private charon"},
	{"IKEv2.UseConfigurationAttributeInternalIPSubnet", "1 with a split tunnel: the pool's `subnet` attribute (INTERNAL_IP4/6_SUBNET) lists the split networks", "—"},
	{"IKEv2.EnableCertificateRevocationCheck", "— (the server's checks of client certificates are its own)", "1: the revocation plugin and `remote.revocation = relaxed` (best effort, as Apple describes it)"},
	{"IKEv2.MTU", "header comment (not negotiated in IKE)", "—"},
	{"IKEv2.PPK", "`secrets.ppk-NAME.secret` (only with `--include-secrets`)", "load-shared PPK"},
	{"IKEv2.PPKIdentifier", "`ppk_id` and `secrets.ppk-NAME.id`", "`ppk_id`"},
	{"IKEv2.PPKMandatory", "`ppk_required`", "`ppk_required`"},
	{"IKEv2.EnablePFS", "the child's DH group in `esp_proposals` (with the iOS defaults: every accepted IKE group and `modpnone`)", "the child's DH group in `esp_proposals`"},
	{"IKEv2.EnforceStrictAlgorithmSelection", "1: the profile is refused when the device would refuse it (DES, 3DES, DH below 14, an IKE cipher weaker than the child's)", "same"},
	{"IKEv2.AllowPostQuantumKeyExchangeFallback", "1: the proposals are also accepted without the additional key exchanges", "1: with strongSwan 5.9 (no ML-KEM) the additional key exchanges are left out, as the device leaves them out for a server without them"},
	{"IKEv2.IncludeAllNetworks", "1: full tunnel, `local_ts = 0.0.0.0/0, ::/0`", "1: full tunnel"},
	{"IKEv2.IKESecurityAssociationParameters", "`proposals`: exactly this one proposal; absent: the iOS defaults (see below)", "`proposals`: this one proposal, or the iOS defaults"},
	{"IKEv2.IKESecurityAssociationParameters.EncryptionAlgorithm", "encryption keyword (see Algorithms)", "same"},
	{"IKEv2.IKESecurityAssociationParameters.IntegrityAlgorithm", "integrity keyword, and the PRF of the same hash (AEAD: the PRF only)", "same"},
	{"IKEv2.IKESecurityAssociationParameters.DiffieHellmanGroup", "key exchange keyword", "same"},
	{"IKEv2.IKESecurityAssociationParameters.LifeTimeInMinutes", "`rekey_time`", "`rekey_time`"},
	{"IKEv2.IKESecurityAssociationParameters.PostQuantumKeyExchangeMethods", "`ke1_mlkem768`… (strongSwan 6 syntax; 5.9 has no ML-KEM)", "refused before dialing with strongSwan 5.9, unless the fallback is allowed"},
	{"IKEv2.ChildSecurityAssociationParameters", "`esp_proposals`: exactly this proposal; absent: the IKE parameters (Apple: they apply to the child SA too)", "same"},
	{"IKEv2.ChildSecurityAssociationParameters.EncryptionAlgorithm", "encryption keyword", "same"},
	{"IKEv2.ChildSecurityAssociationParameters.IntegrityAlgorithm", "integrity keyword (none with AEAD)", "same"},
	{"IKEv2.ChildSecurityAssociationParameters.DiffieHellmanGroup", "key exchange keyword, with EnablePFS only", "same"},
	{"IKEv2.ChildSecurityAssociationParameters.LifeTimeInMinutes", "children's `rekey_time`", "same"},
	{"IKEv2.ChildSecurityAssociationParameters.PostQuantumKeyExchangeMethods", "`ke1_mlkem768`… in `esp_proposals`, for rekeying (strongSwan 6 syntax)", "refused before dialing with strongSwan 5.9, unless the fallback is allowed"},
	{"IKEv2.OnDemandEnabled", deviceOnly, deviceOnly},
	{"IKEv2.OnDemandRules", deviceOnly, deviceOnly},
	{"IKEv2.OnDemandUserOverrideDisabled", deviceOnly, deviceOnly},
	{"IKEv2.DisconnectOnIdle", deviceOnly, deviceOnly},
	{"IKEv2.DisconnectOnIdleTimer", deviceOnly, deviceOnly},
	{"IKEv2.EnforceRoutes", deviceOnly, deviceOnly},
	{"IKEv2.ExcludeLocalNetworks", deviceOnly, deviceOnly},
	{"IKEv2.ExcludeCellularServices", deviceOnly, deviceOnly},
	{"IKEv2.ExcludeAPNs", deviceOnly, deviceOnly},
	{"IKEv2.ExcludeDeviceCommunication", deviceOnly, deviceOnly},
	{"IKEv2.EnableFallback", deviceOnly, deviceOnly},
	{"IKEv2.NATKeepAliveOffloadEnable", deviceOnly, deviceOnly},
	{"IKEv2.ProviderType", deviceOnly, deviceOnly},
	{"IKEv2.ProviderBundleIdentifier", deviceOnly, deviceOnly},
	{"Certificate payloads.PayloadContent", "header lists the CAs the server certificate must chain to; `--server-cert` is checked against them", "load-cert (CA) and `remote.cacerts`: the only trust anchors (dial's `--server-ca` adds more)"},
	{"com.apple.security.pkcs12.PayloadContent", "header names the identity and its issuer (for `--client-ca`)", "load-cert and load-key"},
	{"com.apple.security.pkcs12.Password", "opens the identity", "opens the identity (or `--identity-password-file`)"},
	{"com.apple.security.scep.PayloadContent", "a SCEP identity: the header says the device enrolls its certificate itself and names the profile's CA certificates, one of which `--client-ca` should be (a `--client-ca` file here is checked against them)", "a SCEP identity: the certificate the device would enroll is given with `--identity` or `--identity-cert` and `--identity-key`, and checked against the payload (the report's `identityMismatch`)"},
	{"com.apple.security.scep.PayloadContent.URL", "header comment: the SCEP server whose CA issues the device certificates", "named in the report"},
	{"com.apple.security.scep.PayloadContent.Subject", "header comment: the subject the devices ask for", "compared with the given identity's subject (MDM variables filled with `--var`); a difference is reported"},
	{"com.apple.security.scep.PayloadContent.Keysize", "header comment: the RSA key size (Apple's default 1024 when absent)", "compared with the given identity's key (RSA of this size); a difference is reported"},
}

// WriteMappingMarkdown writes docs/STRONGSWAN.md: what every profile key
// becomes in server-config and dial, the authentication rounds, the
// algorithm keywords, the iOS default proposals and the failure causes, all
// printed from the tables the code uses. It documents the graph2mobileconfig
// command's server-config and dial, and so names their flags where the
// package's own messages name the options of ReadOptions, DialOptions and
// ServerOptions.
func WriteMappingMarkdown(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Profile → strongSwan reference\n\n")
	p("<!-- Generated from the strongswan package's tables; do not edit.\n")
	p("     A test fails when this file is stale: regenerate it with `go test ./strongswan -update`. -->\n\n")
	p("`graph2mobileconfig server-config` writes a strongSwan `swanctl.conf` for a server that accepts a profile;\n")
	p("`graph2mobileconfig dial` brings the profile's tunnel up through a real charon, driven over VICI, with what an\n")
	p("iPhone would send. This page says what each profile key becomes on both sides. Keys are relative to the VPN\n")
	p("payload (`com.apple.vpn.managed`); `Profile.` keys belong to the outer dictionary; the keys of an always-on\n")
	p("tunnel configuration are the `IKEv2` keys. Both commands need strongSwan 5.9 or newer; dial runs its own charon\n")
	p("(as root) unless given `--vici`.\n\n")

	p("## Keys\n\n| Profile key | server-config (`swanctl.conf`) | dial (initiator) |\n|---|---|---|\n")
	for _, m := range keyMappings {
		p("| `%s` | %s | %s |\n", m.Key, cell(m.Server), cell(m.Dial))
	}

	p("\n## Authentication\n\n")
	p("With `ExtendedAuthEnabled` = 1, `AuthenticationMethod` says only how the device checks the server (Apple's\n")
	p("NetworkExtension documentation of `authenticationMethod`); the device itself authenticates with EAP: EAP-TLS\n")
	p("when `PayloadCertificateUUID` names an identity, EAP-MSCHAPv2 with `AuthName`/`AuthPassword` otherwise.\n")
	p("A strongSwan server always proves itself with its certificate when the method is `None` (EAP-only).\n\n")
	p("| AuthenticationMethod | ExtendedAuthEnabled | identity | server `local.auth` | server `remote.auth` | dial `local.auth` | dial `remote.auth` |\n|---|---|---|---|---|---|---|\n")
	for _, row := range authRows() {
		p("| %s | %s | %s | `%s` | `%s` | `%s` | `%s` |\n", row.method, row.extended, row.identity, row.auth.Server, row.auth.Client, row.auth.Client, row.auth.Server)
	}

	p("\n## Algorithms\n\nIKE proposals are `encryption-integrity-prf-group` (AEAD: `encryption-prf-group`); ESP proposals are\n")
	p("`encryption-integrity` (AEAD: `encryption`), plus the group with `EnablePFS`. Each profile dictionary is one proposal.\n\n")
	table := func(key string, rows []keyword) {
		p("| %s | strongSwan |\n|---|---|\n", key)
		for _, k := range rows {
			p("| `%s` | `%s` |\n", k.apple, k.strongswan)
		}
		p("\n")
	}
	table("EncryptionAlgorithm", encryptionKeywords)
	table("IntegrityAlgorithm", integrityKeywords)
	table("IntegrityAlgorithm (PRF of the IKE SA)", prfKeywords)
	table("DiffieHellmanGroup", dhKeywords)
	table("PostQuantumKeyExchangeMethods", postQuantumKeywords)
	p("Apple's per-key defaults fill keys a dictionary leaves out: %s, %s, DH %d, %s.\n\n", appleDefaultEncryption, appleDefaultIntegrity, appleDefaultDHGroup, duration(appleDefaultLifetime))

	p("## DPD\n\n| DeadPeerDetectionRate | `dpd_delay` |\n|---|---|\n")
	for _, r := range dpdIntervals {
		p("| `%s` | `%s` |\n", r.rate, duration(r.delay))
	}

	p("\n## iOS default proposals (table %s)\n\n", DefaultProposalsVersion)
	p("When a profile has no `IKESecurityAssociationParameters`, the device sends its own proposals, which depend on\n")
	p("its iOS version (`--target`). dial offers all of them, in order; server-config accepts those that are not weak\n")
	p("(no DES, 3DES, SHA-1 or DH group below 14: the algorithms Apple removed in iOS 26) and names the others in a comment.\n\n")
	p("| From iOS | IKE | ESP | Source | Versus Apple's per-key defaults |\n|---|---|---|---|---|\n")
	for _, r := range iosDefaultProposals {
		p("| %s | %s | %s | %s | %s |\n", r.From, codeList(proposalStrings(r.IKE, true)), codeList(proposalStrings(r.ESP, false)), r.Source, r.VersusApple)
	}

	p("\n## Failure causes\n\n")
	p("dial reads the cause from the `control-log` of `initiate`. The initiator sees only what the server tells it\n")
	p("(a notify such as NO_PROPOSAL_CHOSEN, never the server's own proposals), so the report adds what is known of the\n")
	p("device's side. Each log pattern is matched against strongSwan 5.9.8 (Debian 12) by an integration test, and the\n")
	p("example is the line that test saw.\n\n")
	p("| Cause | Pattern | strongSwan 5.9.8 log line |\n|---|---|---|\n")
	for _, lp := range logPatterns {
		p("| `%s` | `%s` | `%s` |\n", lp.Cause, lp.ID, strings.ReplaceAll(lp.Example, "|", "\\|"))
	}
	for _, c := range derivedCauses {
		p("| `%s` | `%s` | %s |\n", c.cause, c.pattern, c.how)
	}
	p("\nAn unanswered server is `unreachable` when no packet ever came back, `timeout` when it answered and then stopped.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// derivedCauses are the causes dial finds other than by one log line.
var derivedCauses = []struct {
	cause        Cause
	pattern, how string
}{
	{CauseServerIdentityMismatch, "probe-server-identity", "AUTHENTICATION_FAILED, and a second attempt that names no server identity authenticates the server as another identity"},
	{CauseServerIdentityMismatch, "server-cert-cn", "the certificate the log names has another common name than `ServerCertificateCommonName`"},
	{CauseServerCertificateUntrusted, "server-issuer-cn", "the CA the log names has another common name than `ServerCertificateIssuerCommonName`"},
	{CauseUnreachable, "initiate-timeout", "`--timeout` passed and no packet came back (`timeout` if one did)"},
	{CauseRefusedRoute, "—", "a `--vici` charon that installs routes got a full-tunnel traffic selector without `--route`; the SA is deleted at once"},
}

type authRow struct {
	method, extended, identity string
	auth                       Auth
}

// authRows runs the authentication mapping over every combination.
func authRows() []authRow {
	var rows []authRow
	for _, method := range []string{"SharedSecret", "Certificate", "None"} {
		for _, extended := range []bool{false, true} {
			for _, identity := range []bool{false, true} {
				if identity && method != "Certificate" && !extended {
					continue // an identity is used only by certificate authentication or EAP-TLS
				}
				if !identity && method == "Certificate" && !extended {
					continue // machine certificate authentication needs the identity
				}
				m := map[string]any{"AuthenticationMethod": method, "SharedSecret": "x", "ExtendedAuthEnabled": int64(0)}
				if extended {
					m["ExtendedAuthEnabled"] = int64(1)
				}
				if identity {
					m["PayloadCertificateUUID"] = "11111111-2222-3333-4444-555555555555"
				}
				t := &Tunnel{}
				if err := (tunnelEnv{}).authentication(dict{m: m}, t); err != nil {
					continue
				}
				rows = append(rows, authRow{method: method, extended: map[bool]string{false: "0", true: "1"}[extended],
					identity: map[bool]string{false: "—", true: "yes"}[identity], auth: t.Auth})
			}
		}
	}
	return rows
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

func codeList(items []string) string {
	quoted := slices.Clone(items)
	for i, s := range quoted {
		quoted[i] = "`" + s + "`"
	}
	return strings.Join(quoted, ", ")
}
