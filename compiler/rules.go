package compiler

import (
	"slices"
	"sync"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// Fate says what the compiler does with a Graph property.
type Fate string

// The fates of Graph properties.
const (
	// Mapped properties are carried to the Apple keys named in the rule.
	Mapped Fate = "mapped"
	// Conditional properties are carried only in some combinations of
	// settings, which the rule's Note states.
	Conditional Fate = "conditional"
	// Ignored properties have no Apple equivalent for a native IKEv2
	// profile; setting one to a non-default value gives a warning.
	Ignored Fate = "ignored"
	// Metadata properties name or identify the profile, or are Intune
	// bookkeeping with no effect on the device.
	Metadata Fate = "metadata"
	// Targeting properties are Intune assignment rules, checked against the
	// compile target rather than written.
	Targeting Fate = "targeting"
)

// Evidence says how sure the mapping is.
type Evidence string

// The kinds of evidence behind a mapping.
const (
	// EvidenceDocs: Microsoft's or Apple's documentation states it.
	EvidenceDocs Evidence = "documented"
	// EvidenceSameName: the Graph description and Apple's key describe the
	// same knob.
	EvidenceSameName Evidence = "same setting"
	// EvidenceInformed: no public source shows what Intune emits; this is our
	// reading of both schemas.
	EvidenceInformed Evidence = "informed reading"
)

// Rule is one row of the mapping table: what happens to one Graph property.
type Rule struct {
	// Graph is the property's path relative to the entity
	// ("mtuSizeInBytes", "onDemandRules[].action").
	Graph string
	// Apple lists the Apple key paths the property can produce, relative to
	// the com.apple.vpn.managed payload ("IKEv2.MTU"), or to the outer
	// profile when they start with "Profile.".
	Apple []string
	// Conversion says how the value is converted.
	Conversion string
	// Fate says whether the property is mapped, ignored, and so on.
	Fate Fate
	// Note explains conditions, reasons for ignoring, and caveats.
	Note string
	// Evidence says how the mapping is known.
	Evidence Evidence

	// emit carries the property into the profile. Rules of members of a
	// complex type are often documented here but emitted by their parent.
	emit func(*build)
}

// Rules returns the mapping table in the order the compiler applies it. The
// caller owns the returned slice.
func Rules() []Rule {
	return slices.Clone(mappingTable())
}

// rulesByGraph indexes the table by Graph path.
func rulesByGraph() map[string]Rule {
	out := map[string]Rule{}
	for _, r := range mappingTable() {
		out[r.Graph] = r
	}
	return out
}

func ikev2(keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = "IKEv2." + k
	}
	return out
}

// mappingTable is built once and only read afterwards; Rules hands out
// copies.
var mappingTable = sync.OnceValue(buildMappingTable)

func buildMappingTable() []Rule {
	type C = graphjson.IosikEv2VpnConfiguration
	rules := []Rule{
		// The profile envelope.
		{Graph: "id", Apple: []string{"Profile.PayloadIdentifier", "Profile.PayloadUUID"}, Fate: Metadata,
			Conversion: "PayloadIdentifier = <prefix>.<id>; every PayloadUUID is a UUIDv5 of its PayloadIdentifier",
			Note:       "Stable identifiers make an MDM replace the profile instead of installing a second copy. Without an id, a slug of displayName is used.", Evidence: EvidenceInformed},
		{Graph: "displayName", Apple: []string{"Profile.PayloadDisplayName"}, Fate: Mapped, Conversion: "string", Evidence: EvidenceInformed,
			Note: "Falls back to connectionName.", emit: emitDisplayName},
		{Graph: "description", Apple: []string{"Profile.PayloadDescription"}, Fate: Mapped, Conversion: "string (omitted when empty)", Evidence: EvidenceInformed,
			emit: func(b *build) { b.outerString("PayloadDescription", b.cfg.Description, "description") }},
		{Graph: "connectionName", Apple: []string{"UserDefinedName"}, Fate: Mapped, Conversion: "string",
			Note: "Falls back to displayName, then to the server address.", Evidence: EvidenceDocs, emit: emitUserDefinedName},
		{Graph: "connectionType", Apple: []string{"VPNType"}, Fate: Mapped,
			Conversion: "ikEv2 → IKEv2 (AlwaysOn when enableAlwaysOnConfiguration is true)",
			Note:       "Any other connection type is a warning: the entity type already says IKEv2.", Evidence: EvidenceInformed, emit: emitConnectionType},

		// Server and identities.
		{Graph: "server", Apple: ikev2("RemoteAddress"), Fate: Mapped, Conversion: "complex type; see its members", Evidence: EvidenceDocs, emit: emitServer},
		{Graph: "server.address", Apple: ikev2("RemoteAddress"), Fate: Mapped, Conversion: "string, required: one host name or IP address, after {{variables}} are filled in",
			Note: "A URL or an address with a port is reduced to its host, with a warning; brackets around an IPv6 address are removed; an internationalised name is written in its ASCII (IDNA) form, with a note. A list, white space or anything else that is not a host name or IP literal is an error.", Evidence: EvidenceDocs},
		{Graph: "server.description", Fate: Metadata, Note: "A label in the Intune portal; no Apple key."},
		{Graph: "server.isDefaultServer", Fate: Metadata, Note: "Intune bookkeeping for multi-server lists; an IKEv2 profile has one server."},
		{Graph: "remoteIdentifier", Apple: ikev2("RemoteIdentifier"), Fate: Mapped, Conversion: "string",
			Note: "Apple requires the key: when empty, server.address is used, with a warning.", Evidence: EvidenceSameName, emit: emitRemoteIdentifier},
		{Graph: "localIdentifier", Apple: ikev2("LocalIdentifier"), Fate: Mapped,
			Conversion: "empty → \"\"; deviceFQDN → --var devicefqdn=VALUE; clientCertificateSubjectName → --var certificatesubjectname=VALUE, else the --identity certificate's subject common name",
			Note:       "Apple marks LocalIdentifier required, so it is always written. The export holds neither the device's host name nor the client certificate's subject, and no MDM fills the names devicefqdn and certificatesubjectname, so without a value the compile fails (a --var value may itself hold your MDM's variables, such as {{serialnumber}}.corp.example).", Evidence: EvidenceInformed, emit: emitLocalIdentifier},

		// Authentication.
		{Graph: "authenticationMethod", Apple: ikev2("AuthenticationMethod", "ExtendedAuthEnabled", "PayloadCertificateUUID", "SharedSecret"), Fate: Mapped,
			Conversion: "with clientAuthenticationType and enableEAP: deviceAuthentication+certificate → Certificate, EAP 0, identity; deviceAuthentication+sharedSecret → SharedSecret, EAP 0; userAuthentication → EAP 1 and None (enableEAP) or Certificate, identity for certificate (EAP-TLS), none for usernameAndPassword",
			Note:       "ExtendedAuthEnabled is always written (iOS 18 refuses IKEv2 profiles without it). azureAD, sharedSecret with user authentication, and certificate or derivedCredential without --identity/--identity-uuid are errors.", Evidence: EvidenceInformed, emit: emitAuthentication},
		{Graph: "clientAuthenticationType", Apple: ikev2("ExtendedAuthEnabled"), Fate: Mapped, Conversion: "see authenticationMethod",
			Note: "When absent, userAuthentication (Intune's default) is assumed, or deviceAuthentication for sharedSecret, with a warning.", Evidence: EvidenceInformed},
		{Graph: "enableEAP", Apple: ikev2("AuthenticationMethod"), Fate: Conditional, Conversion: "true with userAuthentication → AuthenticationMethod None (EAP-only)",
			Note: "Ignored, with a warning, for deviceAuthentication.", Evidence: EvidenceInformed},
		{Graph: "sharedSecret", Apple: ikev2("SharedSecret"), Fate: Conditional, Conversion: "string, only with authenticationMethod sharedSecret",
			Note: "A secret: never printed; the output file is created with mode 0600.", Evidence: EvidenceSameName},
		{Graph: "serverCertificateType", Apple: ikev2("CertificateType"), Fate: Conditional,
			Conversion: "rsa → RSA, ecdsa256 → ECDSA256, ecdsa384 → ECDSA384, ecdsa521 → ECDSA521; only with AuthenticationMethod Certificate",
			Note:       "Apple describes CertificateType as the type of the machine-authentication identity: with --identity it must match the identity's key (RSA, or ECDSA P-256/P-384/P-521), or the compile fails naming both; with --identity-uuid it is written as asked. Apple requires ServerCertificateIssuerCommonName with CertificateType: RSA (the default) is then omitted, the ECDSA types are an error. Set with another authentication method, it is left out with a warning.", Evidence: EvidenceInformed, emit: emitCertificateType},
		{Graph: "serverCertificateIssuerCommonName", Apple: ikev2("ServerCertificateIssuerCommonName"), Fate: Mapped, Conversion: "string", Evidence: EvidenceSameName,
			emit: func(b *build) {
				b.ikeString("ServerCertificateIssuerCommonName", b.cfg.ServerCertificateIssuerCommonName, "serverCertificateIssuerCommonName")
			}},
		{Graph: "serverCertificateCommonName", Apple: ikev2("ServerCertificateCommonName"), Fate: Mapped, Conversion: "string", Evidence: EvidenceSameName,
			emit: func(b *build) {
				b.ikeString("ServerCertificateCommonName", b.cfg.ServerCertificateCommonName, "serverCertificateCommonName")
			}},
		{Graph: "tlsMinimumVersion", Apple: ikev2("TLSMinimumVersion"), Fate: Conditional, Conversion: "string 1.0, 1.1 or 1.2, and 1.3 for targets from iOS 27.0; only for EAP-TLS (userAuthentication + certificate)", Evidence: EvidenceDocs, emit: emitTLS,
			Note: tls13Note},
		{Graph: "tlsMaximumVersion", Apple: ikev2("TLSMaximumVersion"), Fate: Conditional, Conversion: "string 1.0, 1.1 or 1.2, and 1.3 for targets from iOS 27.0; only for EAP-TLS (userAuthentication + certificate)", Evidence: EvidenceDocs,
			Note: tls13Note},

		// IKE options.
		{Graph: "deadPeerDetectionRate", Apple: ikev2("DeadPeerDetectionRate"), Fate: Mapped, Conversion: "none → None, low → Low, medium → Medium, high → High", Evidence: EvidenceDocs, emit: emitDPD},
		{Graph: "disableMobilityAndMultihoming", Apple: ikev2("DisableMOBIKE"), Fate: Mapped, Conversion: "boolean → integer 0/1", Evidence: EvidenceSameName,
			emit: func(b *build) {
				b.ikeFlag("DisableMOBIKE", b.cfg.DisableMobilityAndMultihoming, "disableMobilityAndMultihoming")
			}},
		{Graph: "disableRedirect", Apple: ikev2("DisableRedirect"), Fate: Mapped, Conversion: "boolean → integer 0/1", Evidence: EvidenceSameName,
			emit: func(b *build) { b.ikeFlag("DisableRedirect", b.cfg.DisableRedirect, "disableRedirect") }},
		{Graph: "enablePerfectForwardSecrecy", Apple: ikev2("EnablePFS"), Fate: Mapped, Conversion: "boolean → integer 0/1", Evidence: EvidenceSameName,
			emit: func(b *build) {
				b.ikeFlag("EnablePFS", b.cfg.EnablePerfectForwardSecrecy, "enablePerfectForwardSecrecy")
			}},
		{Graph: "enableCertificateRevocationCheck", Apple: ikev2("EnableCertificateRevocationCheck"), Fate: Mapped, Conversion: "boolean → integer 0/1", Evidence: EvidenceSameName,
			emit: func(b *build) {
				b.ikeFlag("EnableCertificateRevocationCheck", b.cfg.EnableCertificateRevocationCheck, "enableCertificateRevocationCheck")
			}},
		{Graph: "enableUseInternalSubnetAttributes", Apple: ikev2("UseConfigurationAttributeInternalIPSubnet"), Fate: Mapped, Conversion: "boolean → integer 0/1", Evidence: EvidenceDocs,
			emit: func(b *build) {
				b.ikeFlag("UseConfigurationAttributeInternalIPSubnet", b.cfg.EnableUseInternalSubnetAttributes, "enableUseInternalSubnetAttributes")
			}},
		{Graph: "mtuSizeInBytes", Apple: ikev2("MTU"), Fate: Mapped, Conversion: "integer, 1280 to 1400", Evidence: EvidenceSameName,
			emit: func(b *build) {
				if v := b.cfg.MtuSizeInBytes; v != nil {
					b.setIKE("MTU", int(*v), "mtuSizeInBytes")
				}
			}},
		{Graph: "disconnectOnIdle", Apple: ikev2("DisconnectOnIdle"), Fate: Mapped, Conversion: "boolean → integer 0/1", Evidence: EvidenceSameName, emit: emitDisconnectOnIdle,
			Note: alwaysOnNote},
		{Graph: "disconnectOnIdleTimerInSeconds", Apple: ikev2("DisconnectOnIdleTimer"), Fate: Conditional, Conversion: "integer seconds, only when disconnectOnIdle is true", Evidence: EvidenceSameName},

		// Security associations.
		{Graph: "securityAssociationParameters", Apple: ikev2("IKESecurityAssociationParameters"), Fate: Mapped, Conversion: "dictionary of the members that are set", Evidence: EvidenceSameName,
			Note: "Values Apple cannot express (aes192, aes192Gcm, md5, DH groups outside Apple's list, lifetimes outside 10–1440) are errors; weak ones (DES, 3DES, SHA-1, DH 1/2/5) are warnings for targets before iOS 26 and errors from iOS 26, which refuses them (Apple's schema: \"available only ... prior to iOS 26\"). --post-quantum adds PostQuantumKeyExchangeMethods (see Beyond the Graph model).",
			emit: func(b *build) {
				b.securityAssociation("IKESecurityAssociationParameters", b.cfg.SecurityAssociationParameters, "securityAssociationParameters", b.cfg.AllowDefaultSecurityAssociationParameters)
			}},
		{Graph: "childSecurityAssociationParameters", Apple: ikev2("ChildSecurityAssociationParameters"), Fate: Mapped, Conversion: "dictionary of the members that are set; omitted when absent (the IKE values apply)", Evidence: EvidenceDocs,
			emit: func(b *build) {
				b.securityAssociation("ChildSecurityAssociationParameters", b.cfg.ChildSecurityAssociationParameters, "childSecurityAssociationParameters", b.cfg.AllowDefaultChildSecurityAssociationParameters)
			}},
	}
	rules = append(rules, saMemberRules("securityAssociationParameters", "IKESecurityAssociationParameters")...)
	rules = append(rules, saMemberRules("childSecurityAssociationParameters", "ChildSecurityAssociationParameters")...)
	rules = append(rules, []Rule{
		{Graph: "allowDefaultSecurityAssociationParameters", Fate: Conditional, Apple: ikev2("IKESecurityAssociationParameters"),
			Conversion: "no key of its own: members left null fall back to the device defaults",
			Note:       "Only the members that are set are ever written; with false, each unset member is reported (info) because the device default applies.", Evidence: EvidenceInformed},
		{Graph: "allowDefaultChildSecurityAssociationParameters", Fate: Conditional, Apple: ikev2("ChildSecurityAssociationParameters"),
			Conversion: "no key of its own: members left null fall back to the device defaults", Evidence: EvidenceInformed},

		// Routing.
		{Graph: "enableSplitTunneling", Apple: []string{"IPv4.OverridePrimary"}, Fate: Mapped, Conversion: "false → IPv4.OverridePrimary 1 (all traffic through the VPN), with a warning; true → no override",
			Note:     "Graph's description (\"send all network traffic through VPN\") is inverted; Intune's UI and docs say false means full tunnel. Caveat: Apple documents OverridePrimary for Cisco IPsec and L2TP only. It is kept because Apple Configurator and the common IKEv2 profile generators write it for IKEv2 too and a device ignores it where it does not apply, but for IKEv2 all traffic uses the tunnel only when the server's traffic selectors cover everything (0.0.0.0/0, ::/0) or includeAllNetworks is true: the warning says so unless includeAllNetworks is true. true together with includeAllNetworks true is a contradiction (warning). " + alwaysOnNote,
			Evidence: EvidenceInformed, emit: emitSplitTunneling},
		{Graph: "includeAllNetworks", Apple: ikev2("IncludeAllNetworks"), Fate: Mapped, Conversion: "boolean → integer 0/1", Evidence: EvidenceSameName,
			Note: "When true, an info diagnostic says which traffic the target iOS version still leaves outside the tunnel by default (ExcludeCellularServices and ExcludeAPNs from 16.4, ExcludeDeviceCommunication from 17.4), which Graph cannot set. " + alwaysOnNote,
			emit: emitIncludeAllNetworks},
		{Graph: "excludeLocalNetworks", Apple: ikev2("ExcludeLocalNetworks"), Fate: Mapped, Conversion: "boolean → integer 0/1",
			Note: "Takes effect only with IncludeAllNetworks (or EnforceRoutes, which Graph cannot set).", Evidence: EvidenceSameName, emit: emitExcludeLocalNetworks},

		// On demand.
		{Graph: "onDemandRules", Apple: ikev2("OnDemandEnabled", "OnDemandRules"), Fate: Mapped, Conversion: "non-empty list → OnDemandEnabled 1 and one OnDemandRules element per rule, in order",
			Note: "At most 500 rules. Ignored, with a warning, for an always-on VPN.", Evidence: EvidenceSameName, emit: emitOnDemand},
		{Graph: "onDemandRules[].action", Apple: ikev2("OnDemandRules[].Action"), Fate: Mapped, Conversion: "connect → Connect, disconnect → Disconnect, ignore → Ignore, evaluateConnection → EvaluateConnection", Evidence: EvidenceSameName},
		{Graph: "onDemandRules[].ssids", Apple: ikev2("OnDemandRules[].SSIDMatch"), Fate: Mapped, Conversion: "list of strings (omitted when empty)", Evidence: EvidenceDocs},
		{Graph: "onDemandRules[].dnsSearchDomains", Apple: ikev2("OnDemandRules[].DNSDomainMatch"), Fate: Mapped, Conversion: "list of strings (omitted when empty)", Evidence: EvidenceDocs},
		{Graph: "onDemandRules[].dnsServerAddressMatch", Apple: ikev2("OnDemandRules[].DNSServerAddressMatch"), Fate: Mapped, Conversion: "list of strings (omitted when empty)", Evidence: EvidenceInformed,
			Note: "Graph describes it only as \"DNS Search Server Address\"; it is written as the rule-level match."},
		{Graph: "onDemandRules[].interfaceTypeMatch", Apple: ikev2("OnDemandRules[].InterfaceTypeMatch"), Fate: Mapped, Conversion: "ethernet → Ethernet, wiFi → WiFi, cellular → Cellular, notConfigured → omitted", Evidence: EvidenceSameName},
		{Graph: "onDemandRules[].probeUrl", Apple: ikev2("OnDemandRules[].URLStringProbe"), Fate: Mapped, Conversion: "string", Evidence: EvidenceSameName},
		{Graph: "onDemandRules[].domains", Apple: ikev2("OnDemandRules[].ActionParameters[].Domains"), Fate: Conditional, Conversion: "list of strings, only for evaluateConnection (required there)", Evidence: EvidenceDocs},
		{Graph: "onDemandRules[].domainAction", Apple: ikev2("OnDemandRules[].ActionParameters[].DomainAction"), Fate: Conditional, Conversion: "connectIfNeeded → ConnectIfNeeded, neverConnect → NeverConnect; only for evaluateConnection", Evidence: EvidenceDocs},
		{Graph: "onDemandRules[].probeRequiredUrl", Apple: ikev2("OnDemandRules[].ActionParameters[].RequiredURLStringProbe"), Fate: Conditional, Conversion: "string, only for evaluateConnection with connectIfNeeded", Evidence: EvidenceDocs},
		{Graph: "disableOnDemandUserOverride", Apple: ikev2("OnDemandUserOverrideDisabled"), Fate: Mapped, Conversion: "boolean → integer 0/1", Evidence: EvidenceSameName, Note: alwaysOnNote,
			emit: func(b *build) {
				v := b.cfg.DisableOnDemandUserOverride
				if !b.alwaysOnIgnores("disableOnDemandUserOverride", "IKEv2.OnDemandUserOverrideDisabled", v != nil, val(v), "has no on-demand connection to override") {
					b.ikeFlag("OnDemandUserOverrideDisabled", v, "disableOnDemandUserOverride")
				}
			}},

		// Proxy.
		{Graph: "proxyServer", Apple: []string{"Proxies"}, Fate: Mapped, Conversion: "complex type; see its members", Evidence: EvidenceInformed, emit: emitProxy},
		{Graph: "proxyServer.automaticConfigurationScriptUrl", Apple: []string{"Proxies.ProxyAutoConfigEnable", "Proxies.ProxyAutoConfigURLString"}, Fate: Mapped, Conversion: "URL → ProxyAutoConfigEnable 1 + ProxyAutoConfigURLString", Evidence: EvidenceInformed},
		{Graph: "proxyServer.address", Apple: []string{"Proxies.HTTPEnable", "Proxies.HTTPProxy", "Proxies.HTTPSEnable", "Proxies.HTTPSProxy"}, Fate: Mapped, Conversion: "host → HTTPEnable 1, HTTPProxy, HTTPSEnable 1, HTTPSProxy", Evidence: EvidenceInformed,
			Note: "A URL (http://proxy.example:8080) or host:port is reduced to the host, with a warning; its port (or the scheme's default port) is used when proxyServer.port is unset. A list or anything else that is not a host name or IP literal is an error."},
		{Graph: "proxyServer.port", Apple: []string{"Proxies.HTTPPort", "Proxies.HTTPSPort"}, Fate: Mapped, Conversion: "integer 1 to 65535, required with an address (0 is an error)", Evidence: EvidenceInformed},

		// Always on.
		{Graph: "enableAlwaysOnConfiguration", Apple: []string{"VPNType"}, Fate: Mapped, Conversion: "true → VPNType AlwaysOn, the IKEv2 keys go into AlwaysOn.TunnelConfigurations[0]",
			Note: "Apple's schema lists only ProtocolType and Interfaces in a tunnel configuration; placing the IKEv2 keys there follows Apple's older prose reference (informed reading). Always On needs a supervised device.", Evidence: EvidenceInformed},
		{Graph: "alwaysOnConfiguration", Apple: []string{"AlwaysOn"}, Fate: Conditional, Conversion: "complex type, used only when enableAlwaysOnConfiguration is true", Evidence: EvidenceInformed, emit: emitAlwaysOn},
		{Graph: "alwaysOnConfiguration.tunnelConfiguration", Apple: []string{"AlwaysOn.TunnelConfigurations[].Interfaces"}, Fate: Conditional, Conversion: "wifiAndCellular → [Cellular, WiFi], cellular → [Cellular], wifi → [WiFi]", Evidence: EvidenceInformed},
		{Graph: "alwaysOnConfiguration.userToggleEnabled", Apple: []string{"AlwaysOn.UIToggleEnabled"}, Fate: Conditional, Conversion: "boolean → integer 0/1", Evidence: EvidenceDocs},
		{Graph: "alwaysOnConfiguration.voicemailExceptionAction", Apple: []string{"AlwaysOn.ServiceExceptions[]"}, Fate: Conditional, Conversion: "allowTrafficOutside → {ServiceName VoiceMail, Action Allow}, dropTraffic → Drop, forceTrafficViaVPN → no entry", Evidence: EvidenceDocs},
		{Graph: "alwaysOnConfiguration.airPrintExceptionAction", Apple: []string{"AlwaysOn.ServiceExceptions[]"}, Fate: Conditional, Conversion: "allowTrafficOutside → {ServiceName AirPrint, Action Allow}, dropTraffic → Drop, forceTrafficViaVPN → no entry", Evidence: EvidenceDocs},
		{Graph: "alwaysOnConfiguration.cellularExceptionAction", Apple: []string{"AlwaysOn.ServiceExceptions[]"}, Fate: Conditional, Conversion: "allowTrafficOutside → {ServiceName CellularServices, Action Allow}, dropTraffic → Drop, forceTrafficViaVPN → no entry", Evidence: EvidenceDocs},
		{Graph: "alwaysOnConfiguration.allowAllCaptiveNetworkPlugins", Apple: []string{"AlwaysOn.AllowAllCaptiveNetworkPlugins"}, Fate: Conditional, Conversion: "boolean → integer 0/1", Evidence: EvidenceDocs},
		{Graph: "alwaysOnConfiguration.allowedCaptiveNetworkPlugins", Apple: []string{"AlwaysOn.AllowedCaptiveNetworkPlugins"}, Fate: Conditional, Conversion: "complex type; see its member", Evidence: EvidenceDocs},
		{Graph: "alwaysOnConfiguration.allowedCaptiveNetworkPlugins.allowedBundleIdentifiers", Apple: []string{"AlwaysOn.AllowedCaptiveNetworkPlugins[].BundleIdentifier"}, Fate: Conditional, Conversion: "each bundle id → {BundleIdentifier}", Evidence: EvidenceDocs},
		{Graph: "alwaysOnConfiguration.allowCaptiveWebSheet", Apple: []string{"AlwaysOn.AllowCaptiveWebSheet"}, Fate: Conditional, Conversion: "boolean → integer 0/1", Evidence: EvidenceDocs},
		{Graph: "alwaysOnConfiguration.natKeepAliveIntervalInSeconds", Apple: ikev2("NATKeepAliveInterval"), Fate: Conditional, Conversion: "integer seconds, 20 to 1440; in the always-on tunnel configuration",
			Note: "An IKEv2 key: it travels with the other IKEv2 keys into AlwaysOn.TunnelConfigurations[0].", Evidence: EvidenceDocs},
		{Graph: "alwaysOnConfiguration.natKeepAliveOffloadEnable", Apple: ikev2("NATKeepAliveOffloadEnable"), Fate: Conditional, Conversion: "boolean → integer 0/1; in the always-on tunnel configuration", Evidence: EvidenceDocs},

		// Assignment targeting.
		{Graph: "deviceManagementApplicabilityRuleOsVersion", Fate: Targeting, Conversion: "checked against --target: a target outside the rule is an error; without --target, a rule that excludes the default target is a warning",
			Note: "Intune evaluates the rule when it assigns the profile; the device never sees it.", emit: emitOsVersionRule},
		{Graph: "deviceManagementApplicabilityRuleOsVersion.minOSVersion", Fate: Targeting, Conversion: "version string"},
		{Graph: "deviceManagementApplicabilityRuleOsVersion.maxOSVersion", Fate: Targeting, Conversion: "version string"},
		{Graph: "deviceManagementApplicabilityRuleOsVersion.name", Fate: Metadata, Note: "Quoted in diagnostics."},
		{Graph: "deviceManagementApplicabilityRuleOsVersion.ruleType", Fate: Targeting, Conversion: "include: the target must be inside the range; exclude: outside it"},
		{Graph: "deviceManagementApplicabilityRuleOsEdition", Fate: Targeting, Note: "Windows editions only: reported (info) and not applied to iOS.", emit: func(b *build) {
			b.windowsRule("deviceManagementApplicabilityRuleOsEdition", b.cfg.DeviceManagementApplicabilityRuleOsEdition != nil)
		}},
		{Graph: "deviceManagementApplicabilityRuleOsEdition.osEditionTypes", Fate: Targeting, Note: "Windows only."},
		{Graph: "deviceManagementApplicabilityRuleOsEdition.name", Fate: Metadata},
		{Graph: "deviceManagementApplicabilityRuleOsEdition.ruleType", Fate: Targeting, Note: "Windows only."},
		{Graph: "deviceManagementApplicabilityRuleDeviceMode", Fate: Targeting, Note: "Windows S mode only: reported (info) and not applied to iOS.", emit: func(b *build) {
			b.windowsRule("deviceManagementApplicabilityRuleDeviceMode", b.cfg.DeviceManagementApplicabilityRuleDeviceMode != nil)
		}},
		{Graph: "deviceManagementApplicabilityRuleDeviceMode.deviceMode", Fate: Targeting, Note: "Windows only."},
		{Graph: "deviceManagementApplicabilityRuleDeviceMode.name", Fate: Metadata},
		{Graph: "deviceManagementApplicabilityRuleDeviceMode.ruleType", Fate: Targeting, Note: "Windows only."},

		// Ignored for native IKEv2: vendor, per-app and Zscaler settings.
		ignoredString("loginGroupOrDomain", "it is a Dell SonicWALL Mobile Connect setting (VendorConfig.LoginGroupOrDomain), which native IKEv2 does not have", func(c *C) *string { return c.LoginGroupOrDomain }),
		ignoredString("role", "it is a Pulse Secure setting (VendorConfig.Role), which native IKEv2 does not have", func(c *C) *string { return c.Role }),
		ignoredString("realm", "it is a Pulse Secure setting (VendorConfig.Realm), which native IKEv2 does not have", func(c *C) *string { return c.Realm }),
		ignoredString("identifier", "it is the VPNSubType of a custom VPN app, which native IKEv2 does not have", func(c *C) *string { return c.Identifier }),
		ignoredList("customData", "it is custom VPN vendor data (VendorConfig), which native IKEv2 does not read", func(c *C) int { return len(c.CustomData) }),
		{Graph: "customData[].key", Fate: Ignored, Note: "See customData."},
		{Graph: "customData[].value", Fate: Ignored, Note: "See customData."},
		ignoredList("customKeyValueData", "it is custom VPN vendor data (VendorConfig), which native IKEv2 does not read", func(c *C) int { return len(c.CustomKeyValueData) }),
		{Graph: "customKeyValueData[].name", Fate: Ignored, Note: "See customKeyValueData."},
		{Graph: "customKeyValueData[].value", Fate: Ignored, Note: "See customKeyValueData."},
		ignoredString("userDomain", "it is a Zscaler setting, which native IKEv2 does not have", func(c *C) *string { return c.UserDomain }),
		ignoredBool("strictEnforcement", "it is a Zscaler setting, which native IKEv2 does not have", func(c *C) *bool { return c.StrictEnforcement }),
		ignoredString("cloudName", "it is a Zscaler setting, which native IKEv2 does not have", func(c *C) *string { return c.CloudName }),
		ignoredList("excludeList", "it is a Zscaler setting, which native IKEv2 does not have", func(c *C) int { return len(c.ExcludeList) }),
		ignoredString("microsoftTunnelSiteId", "it is a Microsoft Tunnel setting, which native IKEv2 does not have", func(c *C) *string { return c.MicrosoftTunnelSiteId }),
		ignoredBool("optInToDeviceIdSharing", "it is network access control for partner VPN apps, which native IKEv2 does not have", func(c *C) *bool { return c.OptInToDeviceIdSharing }),
		{Graph: "providerType", Fate: Ignored, Note: "it is the per-app VPN provider type of VPN apps, and Intune does not support per-app VPN for IKEv2",
			emit: func(b *build) {
				if p := b.cfg.ProviderType; p != nil && *p != graphjson.ProviderNotConfigured {
					b.ignoredWarning("providerType", "it is the per-app VPN provider type of VPN apps, and Intune does not support per-app VPN for IKEv2")
				}
			}},
		ignoredList("targetedMobileApps", "it lists per-app VPN apps, and Intune does not support per-app VPN for IKEv2 (apps are bound to a VPN through their own assignments)", func(c *C) int { return len(c.TargetedMobileApps) }),
		{Graph: "targetedMobileApps[].appId", Fate: Ignored, Note: "See targetedMobileApps."},
		{Graph: "targetedMobileApps[].appStoreUrl", Fate: Ignored, Note: "See targetedMobileApps."},
		{Graph: "targetedMobileApps[].name", Fate: Ignored, Note: "See targetedMobileApps."},
		{Graph: "targetedMobileApps[].publisher", Fate: Ignored, Note: "See targetedMobileApps."},
		ignoredBool("enablePerApp", "Intune does not support per-app VPN for IKEv2, so no com.apple.vpn.managed.applayer payload is made", func(c *C) *bool { return c.EnablePerApp }),
		ignoredList("safariDomains", "it is for per-app VPN only (applayer SafariDomains), and Intune does not support per-app VPN for IKEv2", func(c *C) int { return len(c.SafariDomains) }),
		ignoredList("associatedDomains", "it is for per-app VPN only (applayer AssociatedDomains), and Intune does not support per-app VPN for IKEv2", func(c *C) int { return len(c.AssociatedDomains) }),
		ignoredList("excludedDomains", "it is for per-app VPN only (applayer ExcludedDomains), and Intune does not support per-app VPN for IKEv2", func(c *C) int { return len(c.ExcludedDomains) }),

		// Intune bookkeeping.
		{Graph: "createdDateTime", Fate: Metadata, Note: "Intune bookkeeping; no Apple key."},
		{Graph: "lastModifiedDateTime", Fate: Metadata, Note: "Intune bookkeeping; no Apple key (not used, so that output stays reproducible)."},
		{Graph: "version", Fate: Metadata, Note: "Intune bookkeeping; no Apple key."},
		{Graph: "roleScopeTagIds", Fate: Metadata, Note: "Intune role-based access; no Apple key."},
		{Graph: "supportsScopeTags", Fate: Metadata, Note: "Intune role-based access; no Apple key."},
	}...)
	return rules
}

// Notes shared by several rules.
const (
	alwaysOnNote = "For an Always On VPN it means nothing and is left out (a warning when it asks for something, a note when it is off)."
	tls13Note    = "Apple's schema lists 1.3 first in the copy of the iOS 27.0 seed, with no version of its own (the 18.1 copy does not list it): the exact iOS version that accepts TLS 1.3 is not known, so the compiler accepts it from --target ios:27.0, the release of the first copy that lists it."
)

// saMemberRules documents the four members of an SA proposal; the parent's
// rule emits them.
func saMemberRules(graph, apple string) []Rule {
	key := func(k string) []string { return []string{"IKEv2." + apple + "." + k} }
	return []Rule{
		{Graph: graph + ".securityEncryptionAlgorithm", Apple: key("EncryptionAlgorithm"), Fate: Mapped, Evidence: EvidenceDocs,
			Conversion: "aes128 → AES-128, aes256 → AES-256, aes128Gcm → AES-128-GCM, aes256Gcm → AES-256-GCM, des → DES, tripleDes → 3DES, chaCha20Poly1305 → ChaCha20Poly1305; aes192 and aes192Gcm are errors",
			Note:       "DES and 3DES compile with a warning before iOS 26 and are errors from iOS 26."},
		{Graph: graph + ".securityIntegrityAlgorithm", Apple: key("IntegrityAlgorithm"), Fate: Mapped, Evidence: EvidenceDocs,
			Conversion: "sha1_96 → SHA1-96, sha1_160 → SHA1-160, sha2_256 → SHA2-256, sha2_384 → SHA2-384, sha2_512 → SHA2-512; md5 is an error",
			Note:       "The SHA-1 choices compile with a warning before iOS 26 and are errors from iOS 26."},
		{Graph: graph + ".securityDiffieHellmanGroup", Apple: key("DiffieHellmanGroup"), Fate: Mapped, Evidence: EvidenceSameName,
			Conversion: "integer, one of 1, 2, 5, 14–21, 31, 32; others are errors naming the nearest valid groups",
			Note:       "Groups 1, 2 and 5 compile with a warning before iOS 26 and are errors from iOS 26; an Always On VPN needs 14 or higher from iOS 14.2 (an error: the group is never dropped)."},
		{Graph: graph + ".lifetimeInMinutes", Apple: key("LifeTimeInMinutes"), Fate: Mapped, Evidence: EvidenceSameName,
			Conversion: "integer minutes, 10 to 1440"},
	}
}

func ignoredString(graph, reason string, get func(*graphjson.IosikEv2VpnConfiguration) *string) Rule {
	return Rule{Graph: graph, Fate: Ignored, Note: reason, emit: func(b *build) {
		if has(get(b.cfg)) {
			b.ignoredWarning(graph, reason)
		}
	}}
}

func ignoredBool(graph, reason string, get func(*graphjson.IosikEv2VpnConfiguration) *bool) Rule {
	return Rule{Graph: graph, Fate: Ignored, Note: reason + " (a warning only when true)", emit: func(b *build) {
		if val(get(b.cfg)) {
			b.ignoredWarning(graph, reason)
		}
	}}
}

func ignoredList(graph, reason string, count func(*graphjson.IosikEv2VpnConfiguration) int) Rule {
	return Rule{Graph: graph, Fate: Ignored, Note: reason, emit: func(b *build) {
		if count(b.cfg) > 0 {
			b.ignoredWarning(graph, reason)
		}
	}}
}

func (b *build) ignoredWarning(graph, reason string) {
	b.diags = append(b.diags, diag.Diagnostic{Severity: diag.Warning, Code: "ignored-setting", Path: b.path(graph), Message: graph + " is ignored: " + reason})
}
