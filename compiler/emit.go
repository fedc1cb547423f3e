package compiler

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// run applies the mapping table and assembles the profile.
func (b *build) run() {
	b.target = b.opts.Target
	if b.target.IsZero() {
		b.target = DefaultTarget()
	}
	b.alwaysOn = val(b.cfg.EnableAlwaysOnConfiguration)
	b.outer = &Dict{entries: make([]Entry, 0, 4)}
	if !b.loadVars() || !b.deriveIdentifier() {
		return
	}
	if note := b.target.SeedNote(); note != "" {
		b.infof("target-seed", "", "", "%s", note)
	}
	b.planCertificates()
	for _, r := range mappingTable() {
		if r.emit != nil {
			r.emit(b)
		}
	}
	b.emitCertificates()
	b.emitAlgorithms()
	b.reportUnusedVars()
	b.applyTarget()
	if b.diags.HasErrors() {
		return
	}
	b.assemble()
}

func (b *build) outerString(key string, v *string, rel string) {
	if has(v) {
		b.outer.Set(key, b.resolveString(*v, rel, "Profile."+key))
	}
}

func (b *build) ikeString(key string, v *string, rel string) {
	if has(v) {
		b.setIKE(key, *v, rel)
	}
}

func (b *build) ikeFlag(key string, v *bool, rel string) {
	if v != nil {
		b.setIKE(key, flag(*v), rel)
	}
}

func emitDisplayName(b *build) {
	switch {
	case has(b.cfg.DisplayName):
		b.outerString("PayloadDisplayName", b.cfg.DisplayName, "displayName")
	case has(b.cfg.ConnectionName):
		b.outerString("PayloadDisplayName", b.cfg.ConnectionName, "connectionName")
		b.infof("fallback", "displayName", "PayloadDisplayName", "displayName is empty; the profile is named after connectionName")
	default:
		b.outer.Set("PayloadDisplayName", "IKEv2 VPN")
		b.warnf("fallback", "displayName", "PayloadDisplayName", "displayName and connectionName are empty; the profile is named \"IKEv2 VPN\"")
	}
}

func emitUserDefinedName(b *build) {
	switch {
	case has(b.cfg.ConnectionName):
		b.setVPN("UserDefinedName", *b.cfg.ConnectionName, "connectionName")
	case has(b.cfg.DisplayName):
		b.setVPN("UserDefinedName", *b.cfg.DisplayName, "displayName")
		b.infof("fallback", "connectionName", "UserDefinedName", "connectionName is empty; the connection is shown on the device under displayName")
	case b.cfg.Server != nil && has(b.cfg.Server.Address):
		b.setVPN("UserDefinedName", *b.cfg.Server.Address, "server.address")
		b.warnf("fallback", "connectionName", "UserDefinedName", "connectionName and displayName are empty; the connection is shown under the server address")
	}
}

func emitConnectionType(b *build) {
	ct := b.cfg.ConnectionType
	if ct == nil || *ct == graphjson.ConnectionTypeIkEv2 {
		return
	}
	if *ct == graphjson.ConnectionTypeAlwaysOn {
		if !b.alwaysOn {
			b.warnf("connection-type", "connectionType", "VPNType", "connectionType is alwaysOn but enableAlwaysOnConfiguration is not true; compiled as a plain IKEv2 VPN (Intune models Always On with enableAlwaysOnConfiguration)")
		}
		return
	}
	b.warnf("connection-type", "connectionType", "VPNType", "connectionType is %q, but the entity is an IKEv2 VPN configuration; compiled as IKEv2 (the %s setting is for a different VPN client)", string(*ct), string(*ct))
}

func emitServer(b *build) {
	if b.cfg.Server == nil || !has(b.cfg.Server.Address) {
		rel := "server"
		if b.cfg.Server != nil {
			rel = "server.address"
		}
		b.errorf("missing-server", rel, "IKEv2.RemoteAddress", "the VPN server address is required (IKEv2.RemoteAddress): set server.address to the host name or IP address of the VPN server")
		return
	}
	const rel, key = "server.address", "IKEv2.RemoteAddress"
	// Substitute first, check after: a --var value is held to the same
	// rules as the export's own text.
	raw := b.resolveString(strings.TrimSpace(*b.cfg.Server.Address), rel, key)
	if strings.TrimSpace(raw) == "" {
		b.errorf("missing-server", rel, key, "the VPN server address is required (IKEv2.RemoteAddress), and server.address is empty after its {{variables}} were filled in: give the variable a host name or IP address")
		return
	}
	a, err := parseHostAddress(raw)
	if err != nil {
		b.errorf("bad-server", rel, key, "the server address %v; IKEv2.RemoteAddress takes one host name or IP address", err)
		return
	}
	b.explainHost(a, raw, rel, key, "server")
	if a.port != "" {
		b.warnf("server-port", rel, key, "%q carries the port %s, which IKEv2.RemoteAddress cannot hold (the device uses UDP ports 500 and 4500); %q is used: a server listening elsewhere needs a port forward", raw, a.port, a.host)
	}
	b.ike.Set("RemoteAddress", a.host)
	b.recordIKE("RemoteAddress", rel, "")
}

// explainHost reports what parseHostAddress changed in an address, other
// than its port.
func (b *build) explainHost(a hostAddress, raw, rel, key, what string) {
	switch {
	case a.url:
		b.warnf(what+"-url", rel, key, "%q is a URL; %s needs a host name or IP address, so %q is used", raw, key, a.host)
	case a.unwrapped:
		b.infof(what+"-brackets", rel, key, "the brackets around the IPv6 address in %q are removed: %s takes the bare address %s", raw, key, a.host)
	}
	if a.unicode != "" {
		b.infof(what+"-idn", rel, key, "the internationalised host name %q is written in its ASCII form %q, which is what DNS resolves", a.unicode, a.host)
	}
}

func emitRemoteIdentifier(b *build) {
	if has(b.cfg.RemoteIdentifier) {
		b.setIKE("RemoteIdentifier", *b.cfg.RemoteIdentifier, "remoteIdentifier")
		return
	}
	if b.cfg.Server != nil && has(b.cfg.Server.Address) {
		b.warnf("remote-identifier-fallback", "remoteIdentifier", "IKEv2.RemoteIdentifier", "remoteIdentifier is empty; Apple requires IKEv2.RemoteIdentifier, so the server address is used: it must match the identity the server presents")
		v, _ := b.ike.Get("RemoteAddress")
		if addr, ok := v.(string); ok {
			b.setIKE("RemoteIdentifier", addr, "server.address")
		}
	}
}

func emitLocalIdentifier(b *build) {
	li := b.cfg.LocalIdentifier
	switch {
	case li == nil:
		b.setIKE("LocalIdentifier", "", "localIdentifier")
		b.infof("local-identifier-empty", "localIdentifier", "IKEv2.LocalIdentifier", "localIdentifier is not set; LocalIdentifier is written empty (Apple requires the key)")
	case *li == graphjson.LocalIDEmpty:
		b.setIKE("LocalIdentifier", "", "localIdentifier")
	case *li == graphjson.LocalIDDeviceFQDN:
		// resolve reports the token as an error unless --var fills it.
		b.setIKE("LocalIdentifier", "{{"+varDeviceFQDN+"}}", "localIdentifier")
	case *li == graphjson.LocalIDClientCertificateSubjectName:
		switch {
		case b.hasVar(varCertificateSubjectName):
			b.setIKE("LocalIdentifier", "{{"+varCertificateSubjectName+"}}", "localIdentifier")
		case b.opts.Identity != nil && b.opts.Identity.Certificate != nil && b.opts.Identity.Certificate.Subject.CommonName != "":
			cn := b.opts.Identity.Certificate.Subject.CommonName
			b.setIKE("LocalIdentifier", cn, "localIdentifier")
			b.infof("local-identifier-from-identity", "localIdentifier", "IKEv2.LocalIdentifier", "LocalIdentifier is the subject common name of the client identity's certificate, %q", cn)
		case b.certs.subjectCN != "":
			b.setIKE("LocalIdentifier", b.certs.subjectCN, "localIdentifier")
			b.infof("local-identifier-from-scep", "localIdentifier", "IKEv2.LocalIdentifier", "LocalIdentifier is the common name the SCEP profile's subject asks for, %q", b.certs.subjectCN)
		default:
			// resolve reports the token as an error.
			b.setIKE("LocalIdentifier", "{{"+varCertificateSubjectName+"}}", "localIdentifier")
		}
	}
}

func emitDPD(b *build) {
	d := b.cfg.DeadPeerDetectionRate
	if d == nil {
		return
	}
	b.setIKE("DeadPeerDetectionRate", dpdRates[*d], "deadPeerDetectionRate")
}

// The Apple names of Graph's enumeration values (read-only; tables of the
// package rather than literals in the functions, which would build a map
// per profile).
var (
	dpdRates = map[graphjson.VpnDeadPeerDetectionRate]string{
		graphjson.DPDNone: "None", graphjson.DPDLow: "Low", graphjson.DPDMedium: "Medium", graphjson.DPDHigh: "High",
	}
	serverCertificateTypes = map[graphjson.VpnServerCertificateType]string{
		graphjson.ServerCertRsa: "RSA", graphjson.ServerCertEcdsa256: "ECDSA256", graphjson.ServerCertEcdsa384: "ECDSA384", graphjson.ServerCertEcdsa521: "ECDSA521",
	}
	onDemandActions = map[graphjson.VpnOnDemandRuleConnectionAction]string{
		graphjson.ActionConnect: "Connect", graphjson.ActionDisconnect: "Disconnect", graphjson.ActionIgnore: "Ignore", graphjson.ActionEvaluateConnection: "EvaluateConnection",
	}
	onDemandInterfaces = map[graphjson.VpnOnDemandRuleInterfaceTypeMatch]string{
		graphjson.InterfaceEthernet: "Ethernet", graphjson.InterfaceWiFi: "WiFi", graphjson.InterfaceCellular: "Cellular",
	}
)

func emitDisconnectOnIdle(b *build) {
	on, timer := b.cfg.DisconnectOnIdle, b.cfg.DisconnectOnIdleTimerInSeconds
	if b.alwaysOnIgnores("disconnectOnIdle", "IKEv2.DisconnectOnIdle", on != nil || timer != nil, val(on) || timer != nil, "never disconnects") {
		return
	}
	if on != nil {
		b.setIKE("DisconnectOnIdle", flag(*on), "disconnectOnIdle")
	}
	switch {
	case timer == nil:
		if val(on) {
			b.infof("device-default", "disconnectOnIdleTimerInSeconds", "IKEv2.DisconnectOnIdleTimer", "disconnectOnIdle is true without a timer; the device's default idle time applies")
		}
	case val(on):
		b.setIKE("DisconnectOnIdleTimer", int(*timer), "disconnectOnIdleTimerInSeconds")
	default:
		b.warnf("ignored-setting", "disconnectOnIdleTimerInSeconds", "IKEv2.DisconnectOnIdleTimer", "ignored: the idle timer applies only when disconnectOnIdle is true, so it is not written")
	}
}

// emitSplitTunneling writes Intune's full-tunnel choice as Apple
// Configurator and the common IKEv2 profile generators do. Apple documents
// IPv4.OverridePrimary for Cisco IPsec and L2TP only, so it is kept (a device
// ignores it where it does not apply) and the admin is told what really
// decides full tunnelling for IKEv2.
func emitSplitTunneling(b *build) {
	st := b.cfg.EnableSplitTunneling
	if st == nil {
		return
	}
	if b.alwaysOnIgnores("enableSplitTunneling", "IPv4.OverridePrimary", true, *st, "sends all traffic through the tunnel") {
		return
	}
	if *st {
		if val(b.cfg.IncludeAllNetworks) {
			b.warnf("contradiction", "enableSplitTunneling", "IKEv2.IncludeAllNetworks", "enableSplitTunneling is true but includeAllNetworks is true too, which sends all traffic through the tunnel: the split tunnel does not happen; set one of them")
		}
		return
	}
	b.setVPN("IPv4.OverridePrimary", 1, "enableSplitTunneling")
	if val(b.cfg.IncludeAllNetworks) {
		b.infof("full-tunnel", "enableSplitTunneling", "IPv4.OverridePrimary", "enableSplitTunneling false is written as IPv4.OverridePrimary 1; includeAllNetworks is true, which is what sends all traffic through an IKEv2 tunnel")
		return
	}
	b.warnf("full-tunnel", "enableSplitTunneling", "IPv4.OverridePrimary", "enableSplitTunneling false is written as IPv4.OverridePrimary 1, but Apple documents that key for Cisco IPsec and L2TP only: for IKEv2, all traffic goes through the tunnel only when the server's traffic selectors cover everything (0.0.0.0/0 and ::/0) or when includeAllNetworks is true")
}

func emitIncludeAllNetworks(b *build) {
	if b.alwaysOnIgnores("includeAllNetworks", "IKEv2.IncludeAllNetworks", b.cfg.IncludeAllNetworks != nil, val(b.cfg.IncludeAllNetworks), "sends all traffic through the tunnel already") {
		return
	}
	b.ikeFlag("IncludeAllNetworks", b.cfg.IncludeAllNetworks, "includeAllNetworks")
	if !val(b.cfg.IncludeAllNetworks) {
		return
	}
	v := b.target.Version
	switch {
	case appleschema.CompareVersions(v, "16.4") < 0:
		b.infof("target-behaviour", "includeAllNetworks", "IKEv2.IncludeAllNetworks", "on %s, IncludeAllNetworks sends all traffic through the tunnel, cellular services (Wi-Fi calling, visual voicemail, MMS) and Apple push notifications included", b.target.label())
	case appleschema.CompareVersions(v, "17.4") < 0:
		b.infof("target-behaviour", "includeAllNetworks", "IKEv2.IncludeAllNetworks", "on %s, IncludeAllNetworks still leaves cellular services and Apple push notifications outside the tunnel (Apple's defaults ExcludeCellularServices 1 and ExcludeAPNs 1 from iOS 16.4, which Graph cannot change)", b.target.label())
	default:
		b.infof("target-behaviour", "includeAllNetworks", "IKEv2.IncludeAllNetworks", "on %s, IncludeAllNetworks still leaves cellular services, Apple push notifications and traffic to attached devices outside the tunnel (Apple's defaults ExcludeCellularServices, ExcludeAPNs (iOS 16.4) and ExcludeDeviceCommunication (iOS 17.4) are 1, and Graph cannot change them)", b.target.label())
	}
}

func emitExcludeLocalNetworks(b *build) {
	b.ikeFlag("ExcludeLocalNetworks", b.cfg.ExcludeLocalNetworks, "excludeLocalNetworks")
	if val(b.cfg.ExcludeLocalNetworks) && !val(b.cfg.IncludeAllNetworks) {
		b.warnf("no-effect", "excludeLocalNetworks", "IKEv2.ExcludeLocalNetworks", "excludeLocalNetworks takes effect only when includeAllNetworks is true, and it is not")
	}
}

func emitTLS(b *build) {
	min, max := b.cfg.TlsMinimumVersion, b.cfg.TlsMaximumVersion
	if !has(min) && !has(max) {
		return
	}
	if !b.auth.tls {
		for _, p := range []struct {
			v   *string
			rel string
		}{{min, "tlsMinimumVersion"}, {max, "tlsMaximumVersion"}} {
			if has(p.v) {
				b.warnf("ignored-setting", p.rel, "", "ignored: TLS versions apply only to EAP-TLS (userAuthentication with certificate authentication), so %s is not written", p.rel)
			}
		}
		return
	}
	// Apple's list, in order; some values only from some iOS versions
	// (appleschema.ValueLimits).
	var allowed []string
	for _, s := range tlsVersions() {
		if l, limited := appleschema.LimitOf("IKEv2.TLSMinimumVersion", s); !limited || l.Supported(b.target.Version) {
			allowed = append(allowed, s)
		}
	}
	rank := func(s string) int { return slices.Index(allowed, s) }
	ok := true
	for _, p := range []struct {
		v        *string
		rel, key string
	}{{min, "tlsMinimumVersion", "TLSMinimumVersion"}, {max, "tlsMaximumVersion", "TLSMaximumVersion"}} {
		if !has(p.v) {
			continue
		}
		if rank(*p.v) < 0 {
			note, hint := "", diag.Hint{}
			if l, limited := appleschema.LimitOf("IKEv2."+p.key, *p.v); limited {
				note = fmt.Sprintf(" (TLS %s: %s; the compiler accepts it for targets from iOS %s on, and the exact iOS version is not known)", *p.v, l.Source, l.Introduced)
				hint = newerTargetHint(l.Introduced)
			}
			b.hinted(diag.Error, "bad-value", p.rel, "IKEv2."+p.key, hint, "%q is not a TLS version Apple accepts for %s on %s; allowed: %s%s", *p.v, p.key, b.target.label(), strings.Join(allowed, ", "), note)
			ok = false
			continue
		}
		b.setIKE(p.key, *p.v, p.rel)
	}
	if ok && has(min) && has(max) && rank(*min) > rank(*max) {
		b.errorf("bad-value", "tlsMinimumVersion", "IKEv2.TLSMinimumVersion", "the minimum TLS version %s is above the maximum %s", *min, *max)
	}
}

// tlsVersions are the TLS versions Apple's schema lists, in order, read
// once (a lookup copies the whole payload).
var tlsVersions = sync.OnceValue(func() []string {
	k, _, ok := appleschema.Find(vpnPayloadType, "IKEv2.TLSMinimumVersion")
	if !ok {
		panic("compiler: Apple's schema lost IKEv2.TLSMinimumVersion")
	}
	var out []string
	for _, v := range k.RangeList {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
})

func emitCertificateType(b *build) {
	ct := b.cfg.ServerCertificateType
	if ct == nil {
		if b.auth.method == "Certificate" {
			if kind, desc := b.identityKeyType(); kind != "" && kind != "RSA" {
				b.warnf("certificate-type", "serverCertificateType", "IKEv2.CertificateType", "serverCertificateType is not set, so the device assumes Apple's default RSA, but the client identity's key is %s: set serverCertificateType to %s (with serverCertificateIssuerCommonName)", desc, graphCertificateType(kind))
			}
		}
		return
	}
	if b.auth.method == "" {
		return // the authentication is in error, which says why
	}
	if b.auth.method != "Certificate" {
		b.warnf("ignored-setting", "serverCertificateType", "IKEv2.CertificateType", "ignored: the certificate type applies only when AuthenticationMethod is Certificate (it is %s), so it is not written", b.auth.method)
		return
	}
	m := serverCertificateTypes
	// Apple: "The type of PayloadCertificateUUID to use for IKEv2 machine
	// authentication": it must describe the identity's key.
	if kind, desc := b.identityKeyType(); kind != "" && kind != m[*ct] {
		b.errorf("certificate-type", "serverCertificateType", "IKEv2.CertificateType", "serverCertificateType %s (CertificateType %s) does not match the client identity's key, which is %s: set serverCertificateType to %s, or give an identity with a %s key", string(*ct), m[*ct], desc, graphCertificateType(kind), m[*ct])
		return
	}
	if !has(b.cfg.ServerCertificateIssuerCommonName) {
		if *ct == graphjson.ServerCertRsa {
			b.infof("device-default", "serverCertificateType", "IKEv2.CertificateType", "CertificateType RSA is left out: it is Apple's default, and Apple requires ServerCertificateIssuerCommonName whenever CertificateType is written")
			return
		}
		b.errorf("missing-issuer", "serverCertificateType", "IKEv2.CertificateType", "CertificateType %s requires ServerCertificateIssuerCommonName; set serverCertificateIssuerCommonName to the common name of the CA that issued the VPN server's certificate", m[*ct])
		return
	}
	b.setIKE("CertificateType", m[*ct], "serverCertificateType")
}

// identityKeyType returns the CertificateType that matches the embedded
// identity's key ("RSA", "ECDSA256", ...), "?" for a key Apple has no type
// for, and "" when the key is not known (no identity, or --identity-uuid);
// desc describes the key for messages.
func (b *build) identityKeyType() (kind, desc string) {
	id := b.opts.Identity
	if id == nil || id.Certificate == nil {
		return "", ""
	}
	switch k := id.Certificate.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		name := k.Curve.Params().Name
		switch name {
		case "P-256":
			return "ECDSA256", "ECDSA P-256"
		case "P-384":
			return "ECDSA384", "ECDSA P-384"
		case "P-521":
			return "ECDSA521", "ECDSA P-521"
		}
		return "?", "ECDSA " + name
	case ed25519.PublicKey:
		return "?", "Ed25519"
	}
	return "?", fmt.Sprintf("a %T", id.Certificate.PublicKey)
}

// graphCertificateType names the Graph value for an Apple CertificateType.
func graphCertificateType(kind string) string {
	switch kind {
	case "RSA":
		return "rsa"
	case "ECDSA256", "ECDSA384", "ECDSA521":
		return "ecdsa" + strings.TrimPrefix(kind, "ECDSA")
	}
	return "a type Apple supports (its IKEv2 client takes RSA and ECDSA P-256, P-384 and P-521 keys)"
}

func emitOnDemand(b *build) {
	rules := b.cfg.OnDemandRules
	if len(rules) == 0 {
		return
	}
	if len(rules) > 500 {
		b.errorf("too-many", "onDemandRules", "IKEv2.OnDemandRules", "has %d rules; Graph allows at most 500", len(rules))
		return
	}
	if b.alwaysOn {
		b.warnf("ignored-setting", "onDemandRules", "IKEv2.OnDemandRules", "ignored: on-demand rules do not apply to an always-on VPN, which is always connected")
		return
	}
	actions, interfaces := onDemandActions, onDemandInterfaces
	out := make([]any, 0, len(rules))
	catchAll := -1
	for i, r := range rules {
		rel := fmt.Sprintf("onDemandRules[%d]", i)
		if r.Action == nil {
			b.errorf("missing-value", rel+".action", "IKEv2.OnDemandRules[].Action", "every on-demand rule needs an action; allowed: connect, evaluateConnection, ignore, disconnect")
			continue
		}
		if catchAll >= 0 {
			b.warnf("unreachable-rule", rel, "", "this rule is never reached: rule %d matches every network, and the device applies the first rule that matches", catchAll)
		}
		d := dictOf(Entry{"Action", actions[*r.Action]})
		matches := 0
		list := func(key string, items []string, member string) {
			items = b.nonEmpty(items, rel+"."+member)
			if len(items) > 0 {
				d.Set(key, b.resolve(items, rel+"."+member, "IKEv2.OnDemandRules[]."+key))
				matches++
			}
		}
		list("SSIDMatch", r.Ssids, "ssids")
		list("DNSDomainMatch", r.DnsSearchDomains, "dnsSearchDomains")
		list("DNSServerAddressMatch", r.DnsServerAddressMatch, "dnsServerAddressMatch")
		if it := r.InterfaceTypeMatch; it != nil && *it != graphjson.InterfaceNotConfigured {
			d.Set("InterfaceTypeMatch", interfaces[*it])
			matches++
		}
		if has(r.ProbeUrl) {
			d.Set("URLStringProbe", b.resolveString(*r.ProbeUrl, rel+".probeUrl", "IKEv2.OnDemandRules[].URLStringProbe"))
			matches++
		}
		if *r.Action == graphjson.ActionEvaluateConnection {
			domains := b.nonEmpty(r.Domains, rel+".domains")
			if len(domains) == 0 {
				b.errorf("missing-value", rel+".domains", "IKEv2.OnDemandRules[].ActionParameters[].Domains", "an evaluateConnection rule needs at least one domain: Apple evaluates the connection per domain")
				continue
			}
			da := graphjson.DomainActionConnectIfNeeded
			if r.DomainAction != nil {
				da = *r.DomainAction
			} else {
				b.infof("device-default", rel+".domainAction", "", "domainAction is not set; connectIfNeeded is used")
			}
			ap := dictOf(Entry{"Domains", b.resolve(domains, rel+".domains", "IKEv2.OnDemandRules[].ActionParameters[].Domains")})
			if da == graphjson.DomainActionNeverConnect {
				ap.Set("DomainAction", "NeverConnect")
				if has(r.ProbeRequiredUrl) {
					b.warnf("ignored-setting", rel+".probeRequiredUrl", "", "ignored: probeRequiredUrl applies only with domainAction connectIfNeeded, so it is not written")
				}
			} else {
				ap.Set("DomainAction", "ConnectIfNeeded")
				if has(r.ProbeRequiredUrl) {
					ap.Set("RequiredURLStringProbe", b.resolveString(*r.ProbeRequiredUrl, rel+".probeRequiredUrl", "IKEv2.OnDemandRules[].ActionParameters[].RequiredURLStringProbe"))
				}
			}
			d.Set("ActionParameters", []any{ap})
		} else if len(b.nonEmpty(r.Domains, "")) > 0 || has(r.ProbeRequiredUrl) {
			b.warnf("ignored-setting", rel, "", "ignored: domains, domainAction and probeRequiredUrl apply only to evaluateConnection rules; this rule's action is %s, so they are not written", string(*r.Action))
		}
		if matches == 0 && catchAll < 0 {
			catchAll = i
		}
		out = append(out, d)
	}
	b.setIKE("OnDemandEnabled", 1, "onDemandRules")
	b.setIKE("OnDemandRules", out, "onDemandRules")
}

// nonEmpty drops empty strings from a list: an empty SSID or domain matches
// nothing, so keeping it would silently change what the rule does.
func (b *build) nonEmpty(items []string, rel string) []string {
	out := items[:0:0]
	for i, s := range items {
		if strings.TrimSpace(s) == "" {
			if rel != "" {
				b.warnf("empty-value", fmt.Sprintf("%s[%d]", rel, i), "", "an empty string matches nothing; left out")
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

func emitProxy(b *build) {
	ps := b.cfg.ProxyServer
	if ps == nil {
		return
	}
	pac, manual := has(ps.AutomaticConfigurationScriptUrl), has(ps.Address)
	if pac {
		b.setVPN("Proxies.ProxyAutoConfigEnable", 1, "proxyServer.automaticConfigurationScriptUrl")
		b.setVPN("Proxies.ProxyAutoConfigURLString", *ps.AutomaticConfigurationScriptUrl, "proxyServer.automaticConfigurationScriptUrl")
	}
	if manual && !b.manualProxy(ps.Address, ps.Port) {
		return
	}
	if !manual && ps.Port != nil {
		b.warnf("ignored-setting", "proxyServer.port", "Proxies.HTTPPort", "ignored: a proxy port without an address is not written")
	}
	if pac && manual {
		b.warnf("proxy-both", "proxyServer", "Proxies", "both an automatic configuration script and a manual proxy are set; both are written, as Intune would: check which one your devices should use")
	}
}

// manualProxy writes the HTTP and HTTPS proxy from Graph's address and
// port. An address given as a URL or with a port is reduced to its host;
// its port is used when port is unset.
func (b *build) manualProxy(address *string, port *int32) bool {
	const rel, key = "proxyServer.address", "Proxies.HTTPProxy"
	raw := b.resolveString(strings.TrimSpace(*address), rel, key)
	a, err := parseHostAddress(raw)
	if err != nil {
		b.errorf("bad-proxy", rel, key, "the proxy address %v; HTTPProxy takes one host name or IP address", err)
		return false
	}
	b.explainHost(a, raw, rel, key, "proxy")
	p := -1
	portRel := "proxyServer.port"
	if port != nil {
		p = int(*port)
		if a.port != "" && a.port != strconv.Itoa(p) {
			b.warnf("proxy-address", rel, key, "the address %q carries the port %s, but proxyServer.port is %d: proxyServer.port is used", raw, a.port, p)
		} else if a.port != "" {
			b.warnf("proxy-address", rel, key, "the address %q carries the port %s; the host %q is used with proxyServer.port %d", raw, a.port, a.host, p)
		}
	} else {
		portRel = rel
		switch {
		case a.port != "":
			p, _ = strconv.Atoi(a.port)
			b.warnf("proxy-address", rel, key, "the address %q carries the port %d and proxyServer.port is not set: the host %q is used with port %d", raw, p, a.host, p)
		case a.url && (a.scheme == "http" || a.scheme == "https"):
			p = map[string]int{"http": 80, "https": 443}[a.scheme]
			b.warnf("proxy-address", rel, key, "the URL %q names no port and proxyServer.port is not set: the %s default port %d is used", raw, a.scheme, p)
		default:
			b.errorf("missing-value", "proxyServer.port", "Proxies.HTTPPort", "a proxy address needs a port (Apple requires HTTPPort with HTTPProxy): set proxyServer.port")
			return false
		}
	}
	if p == 0 {
		b.errorf("bad-value", portRel, "Proxies.HTTPPort", "port 0 is not a port a proxy can listen on; give the proxy's port (such as 8080)")
		return false
	}
	for _, scheme := range []string{"HTTP", "HTTPS"} {
		setPath(b.vpn, "Proxies."+scheme+"Enable", 1)
		b.record("Proxies."+scheme+"Enable", rel, "")
		setPath(b.vpn, "Proxies."+scheme+"Proxy", a.host)
		b.record("Proxies."+scheme+"Proxy", rel, "")
		setPath(b.vpn, "Proxies."+scheme+"Port", p)
		b.record("Proxies."+scheme+"Port", portRel, "")
	}
	return true
}

func (b *build) windowsRule(rel string, set bool) {
	if set {
		b.infof("windows-only", rel, "", "this applicability rule concerns Windows editions or modes only; it does not apply to iOS and is not evaluated")
	}
}
