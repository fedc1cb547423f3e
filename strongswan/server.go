package strongswan

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// ServerConfig is a swanctl.conf for a strongSwan responder that accepts a
// profile.
type ServerConfig struct {
	// Text is the swanctl.conf.
	Text []byte
	// Secrets reports that Text holds a secret (ServerOptions.IncludeSecrets
	// and the profile or options had one); write it with mode 0600.
	Secrets bool
	// Connections are the names of the connections, one per tunnel.
	Connections []string
	// Warnings are problems the configuration cannot fix: a server
	// certificate the device will refuse, secrets left out, identities the
	// server cannot know. Each has a code (one of the Warn constants)
	// and, where the remedy lies in the options, a hint.
	Warnings diag.List
}

// The codes of ServerConfig.Warnings.
const (
	// WarnClientCAUnset: the device certificates come from SCEP and no
	// client CA is named, so the server accepts any CA's.
	WarnClientCAUnset = "client-ca-unset"
	// WarnClientCA: the client CA cannot issue the device certificates.
	WarnClientCA = "client-ca-mismatch"
	// WarnServerCertificate: the device would refuse the server
	// certificate.
	WarnServerCertificate = "server-certificate-mismatch"
	// WarnClientIdentity: LocalIdentifier holds an MDM variable, so the
	// server cannot name each device.
	WarnClientIdentity = "client-identity-variable"
	// WarnSecretsLeftOut: the secrets are placeholders.
	WarnSecretsLeftOut = "secrets-left-out"
	// WarnNoEAPUser: EAP-MSCHAPv2 without an account to write.
	WarnNoEAPUser = "no-eap-user"
	// WarnNoEAPPassword: an EAP user without a password.
	WarnNoEAPPassword = "no-eap-password"
)

// ErrSplitNetworks is returned when a split-tunnel profile is given no
// networks for the server to offer.
var ErrSplitNetworks = errors.New("the profile does not send all traffic through the tunnel, so the server must name the networks it offers")

// WriteServerConfig writes a swanctl.conf (connections, pools, secrets)
// for a strongSwan responder that accepts exactly the profile's tunnels.
func WriteServerConfig(p *Profile, opts ServerOptions) (*ServerConfig, error) {
	if len(p.Tunnels) == 0 {
		return nil, errors.New("the profile has no tunnel")
	}
	if len(opts.Pools) == 0 {
		return nil, errors.New("no address pool: the device asks for a virtual IP, so the server needs a pool")
	}
	for _, pool := range opts.Pools {
		if !pool.IsValid() || pool.Bits() == pool.Addr().BitLen() {
			return nil, fmt.Errorf("pool %v: give a network with room for clients, such as 10.10.10.0/24", pool)
		}
	}
	if opts.ServerCert == "" {
		opts.ServerCert = "server.pem"
	}
	if opts.ServerKey == "" {
		opts.ServerKey = "server.key"
	}
	base := opts.ConnectionName
	if base == "" {
		base = connectionName(p.Name)
	}
	out := &ServerConfig{}
	var w confWriter

	writeHeader(&w, p, opts, out)

	names := make([]string, len(p.Tunnels))
	for i := range p.Tunnels {
		names[i] = base
		if len(p.Tunnels) > 1 {
			names[i] = fmt.Sprintf("%s-%d", base, i+1)
		}
	}
	out.Connections = names

	w.open("connections")
	for i, t := range p.Tunnels {
		if i > 0 {
			w.blank()
		}
		if err := writeConnection(&w, t, names[i], base, opts, out); err != nil {
			return nil, err
		}
	}
	w.close()
	w.blank()
	writePools(&w, p.Tunnels, base, opts)
	w.blank()
	writeSecrets(&w, p.Tunnels, names, opts, out)

	out.Text = []byte(w.String())
	return out, nil
}

func writeHeader(w *confWriter, p *Profile, opts ServerOptions, out *ServerConfig) {
	w.comment("swanctl.conf for a strongSwan server (5.9 or newer) that accepts this profile.")
	w.comment("Written by graph2mobileconfig server-config; the settings below follow the profile, so write it again")
	w.comment("when the profile changes instead of editing it.")
	w.comment("")
	w.comment("Profile:      %s", orUnset(p.DisplayName))
	w.comment("Identifier:   %s", orUnset(p.Identifier))
	if p.SHA256 != "" {
		w.comment("SHA-256:      %s", p.SHA256)
	}
	w.comment("VPN payload:  %s (%s, VPNType %s)", orUnset(p.VPNPayload), orUnset(p.Name), p.VPNType)
	for _, t := range p.Tunnels {
		if t.DefaultProposals != nil {
			w.comment("Proposals:    the profile has no security association parameters; iOS %s defaults", p.IOS)
			w.comment("              (table %s: %s)", DefaultProposalsVersion, t.DefaultProposals.Source)
			break
		}
	}
	w.comment("")
	w.comment("Files this configuration names, relative to the swanctl folder (/etc/swanctl) unless absolute:")
	needServerCert, needClientCA := false, false
	for _, t := range p.Tunnels {
		needServerCert = needServerCert || t.Auth.Server == MethodPubkey
		needClientCA = needClientCA || t.Auth.Client == MethodPubkey || t.Auth.Client == MethodEAPTLS
	}
	t0 := p.Tunnels[0]
	if needServerCert {
		w.comment("  %s  the server certificate. The device checks that it names %q as a", swanctlPath("x509", opts.ServerCert), t0.RemoteIdentifier)
		w.comment("      subjectAltName (iOS 13 and later)%s, and that it chains to a CA of the profile:", serverCertCNHint(t0))
		if len(t0.TrustAnchors) == 0 {
			w.comment("      the profile carries no CA certificate, so the device must trust the issuer by other means")
		}
		for _, c := range t0.TrustAnchors {
			w.comment("        %s", c.Subject.String())
		}
		if t0.ServerIssuerCN != "" {
			w.comment("      issued by a CA whose common name is %q (ServerCertificateIssuerCommonName),", t0.ServerIssuerCN)
		}
		w.comment("      with the TLS server authentication extended key usage.")
		w.comment("  %s  its private key (swanctl --load-all loads every key in private/)", swanctlPath("private", opts.ServerKey))
	}
	if needClientCA {
		clientCAHint := hint(opts.Hints, HintClientCA, "", "name that CA in strongswan.ServerOptions.ClientCA to accept only it")
		if opts.ClientCA != "" {
			w.comment("  %s  the CA that issues the device certificates", swanctlPath("x509ca", opts.ClientCA))
		} else {
			w.comment("  x509ca/  the CA that issues the device certificates (the connection accepts any CA there; %s)", clientCAHint.Text)
		}
		if t0.Identity != nil {
			w.comment("      the profile's identity %q is issued by %s", t0.Identity.Certificate.Subject.CommonName, t0.Identity.Certificate.Issuer.String())
		}
		if e := t0.Enrollment; e != nil {
			writeEnrollment(w, t0, e)
			if opts.ClientCA == "" {
				out.Warnings.AddHinted(diag.Warning, WarnClientCAUnset, "", "", clientCAHint,
					"the device certificates come from the SCEP server's CA, and the connection accepts a device certificate from any CA in x509ca/")
			}
		}
		if opts.ClientCACertificate != nil {
			for _, msg := range checkClientCA(t0, opts.ClientCACertificate) {
				out.Warnings.Warnf(WarnClientCA, "", "client CA: %s", msg)
				w.comment("  WARNING: %s", msg)
			}
		}
	}
	if !needServerCert && !needClientCA {
		w.comment("  none: both sides authenticate with the shared secret.")
	}
	if opts.ServerCertificate != nil {
		for _, msg := range checkServerCertificate(t0, opts.ServerCertificate) {
			out.Warnings.Warnf(WarnServerCertificate, "", "server certificate: %s", msg)
			w.comment("  WARNING: %s", msg)
		}
	}

	var global []string
	for _, t := range p.Tunnels {
		if !t.FollowRedirect {
			global = appendOnce(global, "DisableRedirect is 1: the device does not follow IKEv2 redirects. Redirection is not a\n"+
				"    connection option: strongSwan initiators follow redirects by the global strongswan.conf setting\n"+
				"    charon.follow_redirects, and a responder redirects only through a redirect provider plugin.\n"+
				"    Do not redirect these clients to another gateway.")
		}
		if t.NATKeepAlive != 0 {
			global = appendOnce(global, fmt.Sprintf("NATKeepAliveInterval is %s: the device sends NAT keepalives that often; the server's own\n"+
				"    interval is the global charon.keep_alive.", duration(t.NATKeepAlive)))
		}
		if t.Auth.Client == MethodEAPTLS && (t.TLSMin != "" || t.TLSMax != "") {
			global = appendOnce(global, fmt.Sprintf("TLSMinimumVersion %s / TLSMaximumVersion %s (EAP-TLS): the server's TLS versions are the global\n"+
				"    strongswan.conf settings libtls.version.min and libtls.version.max.", orDefault(t.TLSMin, "1.0"), orDefault(t.TLSMax, "1.2")))
		}
		if t.MTU != 0 {
			global = appendOnce(global, fmt.Sprintf("MTU is %d: the device's tunnel MTU; not negotiated in IKE.", t.MTU))
		}
		if len(t.IKE) > 0 && len(t.IKE[0].PostQuantum) > 0 {
			global = appendOnce(global, "PostQuantumKeyExchangeMethods: the additional key exchanges (ke1_mlkem...) need strongSwan 6.0\n"+
				"    or newer with ML-KEM; strongSwan 5.9 refuses these proposals.")
		}
	}
	if len(global) > 0 {
		w.comment("")
		w.comment("Settings of the profile that are global in strongSwan (strongswan.conf), not per connection:")
		for _, g := range global {
			w.comment("  - %s", g)
		}
	}
	var notes []string
	for _, t := range p.Tunnels {
		for _, n := range t.Notes {
			notes = appendOnce(notes, n)
		}
	}
	if len(notes) > 0 {
		w.comment("")
		w.comment("Keys of the profile that act only on the device (no server setting, and dial cannot show them):")
		for _, n := range notes {
			w.comment("  - %s", n)
		}
	}
	w.comment("")
	w.comment("Load it with: swanctl --load-all")
	w.blank()
}

// writeEnrollment says in the header that the device certificate comes
// from SCEP, and which CA certificates of the profile the server's client
// CA should be.
func writeEnrollment(w *confWriter, t *Tunnel, e *Enrollment) {
	w.comment("      The device certificate comes from SCEP: the device makes its key and enrolls the certificate")
	w.comment("      itself through the profile's SCEP payload")
	w.comment("        %s", e.PayloadIdentifier)
	w.comment("      from %s, asking for the subject", orUnset(e.URL))
	w.comment("        %s", orUnset(e.SubjectString()))
	w.comment("      and an RSA %d-bit key; the CA of that SCEP server issues it.", e.KeySize)
	if len(t.TrustAnchors) == 0 {
		w.comment("      The profile carries no CA certificate: ask the SCEP server's administrator for its CA.")
		return
	}
	w.comment("      The profile's CA certificates, one of which is usually that CA or its root (Intune's SCEP")
	w.comment("      profile names its rootCertificate): trust that one here.")
	for _, c := range t.TrustAnchors {
		sum := sha256.Sum256(c.Raw)
		w.comment("        %s", c.Subject.String())
		w.comment("          SHA-256 %s", hex.EncodeToString(sum[:]))
	}
}

// checkClientCA says what is wrong with the CA the server accepts device
// certificates from, as far as the profile shows: it must be a CA, it must
// issue the profile's own identity, and for a SCEP identity it must be one
// of the profile's CA certificates or be issued under one.
func checkClientCA(t *Tunnel, ca *x509.Certificate) []string {
	var problems []string
	if !ca.IsCA {
		problems = append(problems, fmt.Sprintf("%q is not a CA certificate (basic constraints CA:FALSE or absent)", ca.Subject.String()))
	}
	if t.Identity != nil && t.Enrollment == nil {
		roots := x509.NewCertPool()
		roots.AddCert(ca)
		inter := x509.NewCertPool()
		for _, c := range t.Identity.Chain {
			inter.AddCert(c)
		}
		if _, err := t.Identity.Certificate.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			problems = append(problems, fmt.Sprintf("the profile's identity %q is not issued under %q: %v", t.Identity.Certificate.Subject.String(), ca.Subject.String(), err))
		}
	}
	if t.Enrollment != nil && len(t.TrustAnchors) > 0 {
		roots := x509.NewCertPool()
		for _, c := range t.TrustAnchors {
			roots.AddCert(c)
		}
		if _, err := ca.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			problems = append(problems, fmt.Sprintf("%q is not one of the profile's CA certificates and is not issued under one (%v), while the SCEP server's CA that issues the device certificates usually is", ca.Subject.String(), err))
		}
	}
	return problems
}

// swanctlPath names a file of a swanctl folder as the header shows it.
func swanctlPath(folder, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return folder + "/" + name
}

func serverCertCNHint(t *Tunnel) string {
	if t.ServerCertCN != "" {
		return fmt.Sprintf(", that its common name is %q (ServerCertificateCommonName)", t.ServerCertCN)
	}
	return ""
}

// writeConnection writes one connection.
func writeConnection(w *confWriter, t *Tunnel, name, base string, opts ServerOptions, out *ServerConfig) error {
	if tok := UnresolvedToken(t.RemoteIdentifier); tok != "" {
		return &HintError{Err: profileErrorf(t.Where+".RemoteIdentifier", "holds the unresolved MDM variable %s, and the server's identity must be fixed", tok), Hint: varHint(opts.Hints, tok)}
	}
	if len(t.Interfaces) > 0 {
		w.comment("Always-on tunnel over %s (%s)", strings.Join(t.Interfaces, ", "), t.Where)
	}
	w.open(name)
	w.kv("version", "2")
	ike, droppedIKE := serverIKEProposals(t)
	if len(droppedIKE) > 0 {
		w.comment("Not accepted although the device offers them (weak; Apple removed them in iOS 26): %s", joinIKE(droppedIKE))
	}
	if len(ike) == 0 {
		return fmt.Errorf("%s: every proposal the device offers is weak", t.Where)
	}
	weakComment(w, ike)
	w.kv("proposals", joinIKE(ike))
	w.kvComment("rekey_time", duration(t.IKELifetime), "IKE SA LifeTimeInMinutes")
	if t.DPD == 0 {
		w.kvComment("dpd_delay", "0s", "DeadPeerDetectionRate None")
	} else {
		w.kvComment("dpd_delay", duration(t.DPD), "the device's DeadPeerDetectionRate")
	}
	if !t.MOBIKE {
		w.kvComment("mobike", "no", "DisableMOBIKE")
	}
	if t.Auth.Server == MethodPubkey {
		w.kvComment("send_cert", "always", "the device sends a certificate request only with ServerCertificateIssuerCommonName")
	}
	clientCert := t.Auth.Client == MethodPubkey || t.Auth.Client == MethodEAPTLS
	if t.Auth.Client == MethodPubkey {
		w.kv("send_certreq", "yes")
	} else {
		w.kv("send_certreq", "no")
	}
	var pools []string
	for _, pool := range poolNames(base, opts) {
		pools = append(pools, pool.name)
	}
	w.kv("pools", strings.Join(pools, ", "))
	if t.PPKID != "" {
		w.kvComment("ppk_id", t.PPKID, "PPKIdentifier")
		w.kvComment("ppk_required", yesNo(t.PPKRequired), "PPKMandatory")
	}

	w.open("local")
	w.kvComment("auth", string(t.Auth.Server), serverAuthWhy(t))
	w.kvComment("id", t.RemoteID, "RemoteIdentifier")
	if t.Auth.Server == MethodPubkey {
		w.kv("certs", opts.ServerCert)
	}
	w.close()

	w.open("remote")
	w.kvComment("auth", string(t.Auth.Client), clientAuthWhy(t))
	remoteID, warn := clientIdentity(t)
	if warn != "" {
		out.Warnings.Add(diag.Warning, WarnClientIdentity, "", t.Where+".LocalIdentifier", "%s", warn)
		w.comment("%s", warn)
	}
	if remoteID == "%any" {
		w.kvComment("id", "%any", "LocalIdentifier is empty")
	} else {
		w.kvComment("id", remoteID, "LocalIdentifier")
	}
	if t.Auth.Client == MethodEAPMSCHAPv2 || t.Auth.Client == MethodEAPTLS {
		w.kvComment("eap_id", "%any", "ask the device for its EAP identity")
	}
	if clientCert && opts.ClientCA != "" {
		w.kv("cacerts", opts.ClientCA)
	}
	w.close()

	w.open("children")
	w.open(name)
	if t.FullTunnel {
		if len(opts.SplitNetworks) > 0 {
			return fmt.Errorf("%s: the profile sends all traffic through the tunnel (%s); split networks do not apply", t.Where, t.FullTunnelBecause)
		}
		w.kvComment("local_ts", "0.0.0.0/0, ::/0", "full tunnel: "+t.FullTunnelBecause)
	} else {
		if len(opts.SplitNetworks) == 0 {
			return ErrSplitNetworks
		}
		w.kvComment("local_ts", joinPrefixes(opts.SplitNetworks), "split tunnel")
	}
	esp, droppedESP := serverESPProposals(t)
	if len(droppedESP) > 0 {
		w.comment("Not accepted although the device offers them (weak; Apple removed them in iOS 26): %s", joinESP(droppedESP))
	}
	weakComment(w, esp)
	w.kv("esp_proposals", joinESP(esp))
	w.kvComment("rekey_time", duration(t.ChildLifetime), "child SA LifeTimeInMinutes")
	w.kv("dpd_action", "clear")
	w.close()
	w.close()
	w.close()
	return nil
}

// serverIKEProposals are the IKE proposals the server accepts: the
// profile's own, or the strong ones of the iOS defaults.
func serverIKEProposals(t *Tunnel) (keep, dropped []Proposal) {
	if t.DefaultProposals != nil {
		return strong(t.IKE)
	}
	keep = slices.Clone(t.IKE)
	if t.PostQuantumFallback {
		// AllowPostQuantumKeyExchangeFallback: the device also connects
		// without the additional key exchanges.
		for _, p := range t.IKE {
			if len(p.PostQuantum) > 0 {
				p.PostQuantum = nil
				keep = append(keep, p)
			}
		}
	}
	return keep, nil
}

// serverESPProposals are the ESP proposals the server accepts. With PFS and
// default proposals the device rekeys with the IKE SA's group, so every
// group the server accepts for IKE is accepted, and none (modpnone) too.
func serverESPProposals(t *Tunnel) (keep, dropped []Proposal) {
	if t.DefaultProposals == nil {
		return t.ESP, nil
	}
	keep, dropped = strong(t.ESP)
	if !t.PFS {
		return keep, dropped
	}
	ike, _ := strong(t.IKE)
	var groups []string
	for _, p := range ike {
		groups = appendOnce(groups, p.DH)
	}
	groups = append(groups, "modpnone")
	for i := range keep {
		keep[i].DH = strings.Join(groups, "-")
	}
	return keep, dropped
}

func weakComment(w *confWriter, ps []Proposal) {
	for _, p := range ps {
		if p.weak() {
			w.comment("WEAK: the profile asks for %s; iOS 26 no longer offers it", describeProposal(p))
			return
		}
	}
}

func serverAuthWhy(t *Tunnel) string {
	switch {
	case t.Auth.Server == MethodPSK:
		return fmt.Sprintf("AuthenticationMethod %s", t.Auth.Method)
	case t.Auth.EAPOnly:
		return "AuthenticationMethod None with EAP: the device still checks the server certificate"
	}
	return "AuthenticationMethod Certificate"
}

func clientAuthWhy(t *Tunnel) string {
	switch t.Auth.Client {
	case MethodEAPTLS:
		return "ExtendedAuthEnabled with an identity (PayloadCertificateUUID): EAP-TLS"
	case MethodEAPMSCHAPv2:
		return "ExtendedAuthEnabled: EAP-MSCHAPv2 with AuthName/AuthPassword"
	case MethodPubkey:
		return fmt.Sprintf("machine certificate (CertificateType %s)", t.CertificateType)
	}
	return "SharedSecret"
}

// clientIdentity is the remote id the server accepts for the device.
func clientIdentity(t *Tunnel) (id, warning string) {
	if t.LocalIdentifier == "" {
		return "%any", ""
	}
	tok := UnresolvedToken(t.LocalIdentifier)
	if tok == "" {
		return t.LocalID, ""
	}
	rest := strings.TrimPrefix(t.LocalIdentifier, tok)
	if strings.HasPrefix(t.LocalIdentifier, tok) && UnresolvedToken(rest) == "" && plainFQDN.MatchString(strings.TrimPrefix(rest, ".")) {
		return "*" + rest, fmt.Sprintf("LocalIdentifier %q holds the MDM variable %s, different on each device: the server accepts any identity ending in %q", t.LocalIdentifier, tok, rest)
	}
	return "%any", fmt.Sprintf("LocalIdentifier %q holds the MDM variable %s, different on each device: the server accepts any identity", t.LocalIdentifier, tok)
}

// pool is a named address pool.
type pool struct {
	name   string
	prefix netip.Prefix
}

func poolNames(base string, opts ServerOptions) []pool {
	var out []pool
	for i, p := range opts.Pools {
		family := "v4"
		if p.Addr().Is6() {
			family = "v6"
		}
		name := base + "-" + family
		if i > 0 && slices.ContainsFunc(out, func(q pool) bool { return q.name == name }) {
			name = fmt.Sprintf("%s-%d", name, i+1)
		}
		out = append(out, pool{name: name, prefix: p.Masked()})
	}
	return out
}

func writePools(w *confWriter, tunnels []*Tunnel, base string, opts ServerOptions) {
	internalSubnet := false
	for _, t := range tunnels {
		internalSubnet = internalSubnet || (t.InternalSubnet && !t.FullTunnel)
	}
	w.open("pools")
	for _, p := range poolNames(base, opts) {
		w.open(p.name)
		w.kv("addrs", p.prefix.String())
		var dns []string
		for _, a := range opts.DNS {
			if a.Is4() == p.prefix.Addr().Is4() {
				dns = append(dns, a.String())
			}
		}
		if len(dns) > 0 {
			w.kv("dns", strings.Join(dns, ", "))
		}
		if internalSubnet {
			var nets []netip.Prefix
			for _, n := range opts.SplitNetworks {
				if n.Addr().Is4() == p.prefix.Addr().Is4() {
					nets = append(nets, n)
				}
			}
			if len(nets) > 0 {
				w.kvComment("subnet", joinPrefixes(nets), "INTERNAL_IP_SUBNET: UseConfigurationAttributeInternalIPSubnet is 1")
			}
		}
		w.close()
	}
	w.close()
}

func writeSecrets(w *confWriter, tunnels []*Tunnel, names []string, opts ServerOptions, out *ServerConfig) {
	w.open("secrets")
	written := map[string]bool{}
	secretsHint := hint(opts.Hints, HintIncludeSecrets, "", "set strongswan.ServerOptions.IncludeSecrets to write the secrets (into a file of mode 0600)")
	placeholder := func(what string) {
		w.comment("secret = <%s, left out; %s>", what, secretsHint.Text)
		out.Warnings = warnOnce(out.Warnings, diag.Diagnostic{Severity: diag.Warning, Code: WarnSecretsLeftOut,
			Message: "the secrets are left out of the configuration", Hint: secretsHint})
	}
	for i, t := range tunnels {
		name := names[i]
		if t.SharedSecret != "" && !written["ike:"+t.SharedSecret+t.RemoteID] {
			written["ike:"+t.SharedSecret+t.RemoteID] = true
			w.open("ike-" + name)
			w.kvComment("id-server", t.RemoteID, "RemoteIdentifier")
			clientID, _ := clientIdentity(t)
			w.kvComment("id-client", clientID, "LocalIdentifier")
			if opts.IncludeSecrets {
				w.indent()
				w.b.WriteString("secret = " + secretValue([]byte(t.SharedSecret)) + " # SharedSecret\n")
				out.Secrets = true
			} else {
				placeholder("the profile's SharedSecret")
			}
			w.close()
		}
		if t.Auth.Client == MethodEAPMSCHAPv2 {
			user, password := t.EAPUser, t.EAPPassword
			if user == "" {
				user = opts.EAPUser
			}
			if password == "" {
				password = opts.EAPPassword
			}
			if user == "" {
				w.comment("EAP accounts: the profile has no AuthName (the device asks the user); add one eap section per user:")
				w.comment("eap-USER { id = USER  secret = PASSWORD }")
				out.Warnings = warnOnce(out.Warnings, diag.Diagnostic{Severity: diag.Warning, Code: WarnNoEAPUser,
					Message: "the profile holds no EAP user (AuthName): add an eap-USER secret per user",
					Hint:    hint(opts.Hints, HintEAPAccount, "", "or set strongswan.ServerOptions.EAPUser and EAPPassword")})
				continue
			}
			if written["eap:"+user] {
				continue
			}
			written["eap:"+user] = true
			w.open("eap-" + connectionName(user))
			w.kv("id", user)
			switch {
			case password == "":
				w.comment("secret = <the password of %s: the profile holds none (the device asks the user)>", user)
				out.Warnings = warnOnce(out.Warnings, diag.Diagnostic{Severity: diag.Warning, Code: WarnNoEAPPassword,
					Message: fmt.Sprintf("no password for the EAP user %q", user),
					Hint:    hint(opts.Hints, HintEAPPassword, "", "set strongswan.ServerOptions.EAPPassword")})
			case opts.IncludeSecrets:
				w.indent()
				w.b.WriteString("secret = " + secretValue([]byte(password)) + "\n")
				out.Secrets = true
			default:
				placeholder("the password of " + user)
			}
			w.close()
		}
		if t.PPKID != "" && !written["ppk:"+t.PPKID] {
			written["ppk:"+t.PPKID] = true
			w.open("ppk-" + name)
			w.kvComment("id", t.PPKID, "PPKIdentifier")
			if opts.IncludeSecrets {
				w.indent()
				w.b.WriteString("secret = 0x" + fmt.Sprintf("%x", t.PPK) + " # PPK\n")
				out.Secrets = true
			} else {
				placeholder("the profile's PPK")
			}
			w.close()
		}
	}
	w.close()
}

// checkServerCertificate says what a device with this tunnel would refuse
// in the server certificate.
func checkServerCertificate(t *Tunnel, cert *x509.Certificate) []string {
	var problems []string
	if !certNames(cert, t.RemoteIdentifier) {
		problems = append(problems, fmt.Sprintf("it does not name RemoteIdentifier %q as a subjectAltName, which iOS 13 and later require", t.RemoteIdentifier))
	}
	if t.ServerCertCN != "" && cert.Subject.CommonName != t.ServerCertCN {
		problems = append(problems, fmt.Sprintf("its common name is %q, not ServerCertificateCommonName %q", cert.Subject.CommonName, t.ServerCertCN))
	}
	if t.ServerIssuerCN != "" && cert.Issuer.CommonName != t.ServerIssuerCN {
		problems = append(problems, fmt.Sprintf("its issuer's common name is %q, not ServerCertificateIssuerCommonName %q", cert.Issuer.CommonName, t.ServerIssuerCN))
	}
	if !slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageServerAuth) {
		problems = append(problems, "it lacks the TLS server authentication extended key usage that Apple clients require")
	}
	if len(t.TrustAnchors) > 0 {
		roots := x509.NewCertPool()
		for _, c := range t.TrustAnchors {
			roots.AddCert(c)
		}
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			problems = append(problems, fmt.Sprintf("it does not chain to a CA certificate of the profile: %v", err))
		}
	}
	return problems
}

// certNames reports whether a certificate names id as a subjectAltName.
func certNames(cert *x509.Certificate, id string) bool {
	if ip := net.ParseIP(id); ip != nil {
		return slices.ContainsFunc(cert.IPAddresses, ip.Equal)
	}
	for _, n := range cert.DNSNames {
		if strings.EqualFold(n, id) {
			return true
		}
	}
	return slices.ContainsFunc(cert.EmailAddresses, func(e string) bool { return strings.EqualFold(e, id) })
}

func joinIKE(ps []Proposal) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.IKE())
	}
	return strings.Join(s, ", ")
}

func joinESP(ps []Proposal) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.ESP())
	}
	return strings.Join(s, ", ")
}

func joinPrefixes(ps []netip.Prefix) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Masked().String())
	}
	return strings.Join(s, ", ")
}

// warnOnce appends a warning that the list does not hold yet.
func warnOnce(l diag.List, d diag.Diagnostic) diag.List {
	if slices.Contains(l, d) {
		return l
	}
	return append(l, d)
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orUnset(s string) string {
	if s == "" {
		return "(not set)"
	}
	return s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
