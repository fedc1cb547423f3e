package compiler

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
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
	if !b.deriveIdentifier() {
		return
	}
	b.planCertificates()
	for _, r := range mappingTable() {
		if r.emit != nil {
			r.emit(b)
		}
	}
	b.emitCertificates()
	b.reportUnusedVars()
	b.applyTarget()
	if b.diags.HasErrors() {
		return
	}
	b.assemble()
}

// setIKEToken writes a {{token}} that the caller has already explained, or
// its --var value; under --strict an unresolved token is an error.
func (b *build) setIKEToken(key, token, rel string) {
	name := strings.Trim(token, "{}")
	if b.hasVar(name) || b.opts.Strict {
		b.setIKE(key, token, rel)
		return
	}
	b.ike.Set(key, token)
	b.recordIKE(key, rel, "")
}

func (b *build) outerString(key string, v *string, rel string) {
	if has(v) {
		b.outer.Set(key, b.resolveString(*v, rel))
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
	addr := strings.TrimSpace(*b.cfg.Server.Address)
	if strings.Contains(addr, "://") {
		u, err := url.Parse(addr)
		if err != nil || u.Hostname() == "" {
			b.errorf("bad-server", "server.address", "IKEv2.RemoteAddress", "%q is not a host name or IP address", addr)
			return
		}
		b.warnf("server-url", "server.address", "IKEv2.RemoteAddress", "%q is a URL; IKEv2 needs a host name or IP address, so %q is used", addr, u.Hostname())
		addr = u.Hostname()
	}
	if strings.ContainsAny(addr, " /") {
		b.errorf("bad-server", "server.address", "IKEv2.RemoteAddress", "%q is not a host name or IP address", addr)
		return
	}
	b.setIKE("RemoteAddress", addr, "server.address")
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
		if !b.hasVar("devicefqdn") {
			b.warnf("local-identifier-token", "localIdentifier", "IKEv2.LocalIdentifier", "deviceFQDN needs the device's host name, which the export does not hold: LocalIdentifier is written as {{devicefqdn}} for the MDM to fill; give --var devicefqdn=HOST to set it now")
		}
		b.setIKEToken("LocalIdentifier", "{{devicefqdn}}", "localIdentifier")
	case *li == graphjson.LocalIDClientCertificateSubjectName:
		switch {
		case b.hasVar("certificatesubjectname"):
			b.setIKE("LocalIdentifier", "{{certificatesubjectname}}", "localIdentifier")
		case b.opts.Identity != nil && b.opts.Identity.Certificate != nil && b.opts.Identity.Certificate.Subject.CommonName != "":
			cn := b.opts.Identity.Certificate.Subject.CommonName
			b.setIKE("LocalIdentifier", cn, "localIdentifier")
			b.infof("local-identifier-from-identity", "localIdentifier", "IKEv2.LocalIdentifier", "LocalIdentifier is the subject common name of the --identity certificate, %q", cn)
		case b.certs.subjectCN != "":
			b.setIKE("LocalIdentifier", b.certs.subjectCN, "localIdentifier")
			b.infof("local-identifier-from-scep", "localIdentifier", "IKEv2.LocalIdentifier", "LocalIdentifier is the common name the SCEP profile's subject asks for, %q", b.certs.subjectCN)
		default:
			b.warnf("local-identifier-token", "localIdentifier", "IKEv2.LocalIdentifier", "clientCertificateSubjectName needs the client certificate's subject, which the export does not hold: LocalIdentifier is written as {{certificatesubjectname}} for the MDM to fill; give --var certificatesubjectname=NAME or --identity to set it now")
			b.setIKEToken("LocalIdentifier", "{{certificatesubjectname}}", "localIdentifier")
		}
	}
}

func emitDPD(b *build) {
	d := b.cfg.DeadPeerDetectionRate
	if d == nil {
		return
	}
	m := map[graphjson.VpnDeadPeerDetectionRate]string{
		graphjson.DPDNone: "None", graphjson.DPDLow: "Low", graphjson.DPDMedium: "Medium", graphjson.DPDHigh: "High",
	}
	b.setIKE("DeadPeerDetectionRate", m[*d], "deadPeerDetectionRate")
}

func emitDisconnectOnIdle(b *build) {
	on, timer := b.cfg.DisconnectOnIdle, b.cfg.DisconnectOnIdleTimerInSeconds
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
		b.infof("ignored-setting", "disconnectOnIdleTimerInSeconds", "IKEv2.DisconnectOnIdleTimer", "ignored: the idle timer applies only when disconnectOnIdle is true")
	}
}

func emitSplitTunneling(b *build) {
	if st := b.cfg.EnableSplitTunneling; st != nil && !*st {
		b.setVPN("IPv4.OverridePrimary", 1, "enableSplitTunneling")
	}
}

func emitIncludeAllNetworks(b *build) {
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
	if b.cfg.ExcludeLocalNetworks != nil && !val(b.cfg.IncludeAllNetworks) {
		b.infof("no-effect", "excludeLocalNetworks", "IKEv2.ExcludeLocalNetworks", "excludeLocalNetworks takes effect only when includeAllNetworks is true")
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
				b.infof("ignored-setting", p.rel, "", "ignored: TLS versions apply only to EAP-TLS (userAuthentication with certificate authentication)")
			}
		}
		return
	}
	allowed := []string{"1.0", "1.1", "1.2"}
	rank := func(s string) int {
		for i, a := range allowed {
			if s == a {
				return i
			}
		}
		return -1
	}
	ok := true
	for _, p := range []struct {
		v        *string
		rel, key string
	}{{min, "tlsMinimumVersion", "TLSMinimumVersion"}, {max, "tlsMaximumVersion", "TLSMaximumVersion"}} {
		if !has(p.v) {
			continue
		}
		if rank(*p.v) < 0 {
			hint := ""
			if *p.v == "1.3" {
				hint = " (Apple's IKEv2 EAP-TLS does not offer TLS 1.3)"
			}
			b.errorf("bad-value", p.rel, "IKEv2."+p.key, "%q is not a TLS version Apple accepts for %s; allowed: 1.0, 1.1, 1.2%s", *p.v, p.key, hint)
			ok = false
			continue
		}
		b.setIKE(p.key, *p.v, p.rel)
	}
	if ok && has(min) && has(max) && rank(*min) > rank(*max) {
		b.errorf("bad-value", "tlsMinimumVersion", "IKEv2.TLSMinimumVersion", "the minimum TLS version %s is above the maximum %s", *min, *max)
	}
}

func emitCertificateType(b *build) {
	ct := b.cfg.ServerCertificateType
	if ct == nil {
		return
	}
	if b.auth.method != "Certificate" {
		b.infof("ignored-setting", "serverCertificateType", "IKEv2.CertificateType", "ignored: the certificate type applies only when AuthenticationMethod is Certificate")
		return
	}
	m := map[graphjson.VpnServerCertificateType]string{
		graphjson.ServerCertRsa: "RSA", graphjson.ServerCertEcdsa256: "ECDSA256", graphjson.ServerCertEcdsa384: "ECDSA384", graphjson.ServerCertEcdsa521: "ECDSA521",
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
	actions := map[graphjson.VpnOnDemandRuleConnectionAction]string{
		graphjson.ActionConnect: "Connect", graphjson.ActionDisconnect: "Disconnect", graphjson.ActionIgnore: "Ignore", graphjson.ActionEvaluateConnection: "EvaluateConnection",
	}
	interfaces := map[graphjson.VpnOnDemandRuleInterfaceTypeMatch]string{
		graphjson.InterfaceEthernet: "Ethernet", graphjson.InterfaceWiFi: "WiFi", graphjson.InterfaceCellular: "Cellular",
	}
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
				d.Set(key, b.resolve(items, rel+"."+member))
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
			d.Set("URLStringProbe", b.resolveString(*r.ProbeUrl, rel+".probeUrl"))
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
			ap := dictOf(Entry{"Domains", b.resolve(domains, rel+".domains")})
			if da == graphjson.DomainActionNeverConnect {
				ap.Set("DomainAction", "NeverConnect")
				if has(r.ProbeRequiredUrl) {
					b.infof("ignored-setting", rel+".probeRequiredUrl", "", "ignored: probeRequiredUrl applies only with domainAction connectIfNeeded")
				}
			} else {
				ap.Set("DomainAction", "ConnectIfNeeded")
				if has(r.ProbeRequiredUrl) {
					ap.Set("RequiredURLStringProbe", b.resolveString(*r.ProbeRequiredUrl, rel+".probeRequiredUrl"))
				}
			}
			d.Set("ActionParameters", []any{ap})
		} else if len(b.nonEmpty(r.Domains, "")) > 0 || has(r.ProbeRequiredUrl) {
			b.infof("ignored-setting", rel, "", "ignored: domains, domainAction and probeRequiredUrl apply only to evaluateConnection rules; this rule's action is %s", string(*r.Action))
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
	if manual {
		if ps.Port == nil {
			b.errorf("missing-value", "proxyServer.port", "Proxies.HTTPPort", "a proxy address needs a port (Apple requires HTTPPort with HTTPProxy)")
			return
		}
		host := *ps.Address
		if h, p, err := net.SplitHostPort(host); err == nil && p != "" {
			b.warnf("proxy-address", "proxyServer.address", "Proxies.HTTPProxy", "the address %q carries a port; the host %q is used with proxyServer.port %d", host, h, *ps.Port)
			host = h
		}
		for _, scheme := range []string{"HTTP", "HTTPS"} {
			b.setVPN("Proxies."+scheme+"Enable", 1, "proxyServer.address")
			b.setVPN("Proxies."+scheme+"Proxy", host, "proxyServer.address")
			b.setVPN("Proxies."+scheme+"Port", int(*ps.Port), "proxyServer.port")
		}
	} else if ps.Port != nil {
		b.infof("ignored-setting", "proxyServer.port", "", "ignored: a proxy port without an address")
	}
	if pac && manual {
		b.warnf("proxy-both", "proxyServer", "Proxies", "both an automatic configuration script and a manual proxy are set; both are written, as Intune would: check which one your devices should use")
	}
}

func (b *build) windowsRule(rel string, set bool) {
	if set {
		b.infof("windows-only", rel, "", "this applicability rule concerns Windows editions or modes only; it does not apply to iOS and is not evaluated")
	}
}
