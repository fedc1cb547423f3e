package graphjson

// This file is the Graph (beta) model of microsoft.graph.iosikEv2VpnConfiguration
// and the complex types and enums it uses. The `graph` struct tags carry the
// exact JSON names; the decoder walks these types by reflection, so the
// structs are the schema. Pointers and nil slices mean "null or absent",
// which Graph uses for "not configured".
//
// Tag options: "secret" marks a value that must never be echoed in a
// diagnostic; "range=MIN:MAX" is a range Microsoft documents for the
// property; "max=N" is the documented maximum length of a collection.

// Entity is the Graph base type: every entity has an id.
type Entity struct {
	ID *string `graph:"id"`
}

// DeviceConfiguration holds the properties every Intune device
// configuration has (microsoft.graph.deviceConfiguration).
type DeviceConfiguration struct {
	Entity
	CreatedDateTime                             *string                                      `graph:"createdDateTime"`
	Description                                 *string                                      `graph:"description"`
	DeviceManagementApplicabilityRuleDeviceMode *DeviceManagementApplicabilityRuleDeviceMode `graph:"deviceManagementApplicabilityRuleDeviceMode"`
	DeviceManagementApplicabilityRuleOsEdition  *DeviceManagementApplicabilityRuleOsEdition  `graph:"deviceManagementApplicabilityRuleOsEdition"`
	DeviceManagementApplicabilityRuleOsVersion  *DeviceManagementApplicabilityRuleOsVersion  `graph:"deviceManagementApplicabilityRuleOsVersion"`
	DisplayName                                 *string                                      `graph:"displayName"`
	LastModifiedDateTime                        *string                                      `graph:"lastModifiedDateTime"`
	RoleScopeTagIds                             []string                                     `graph:"roleScopeTagIds"`
	SupportsScopeTags                           *bool                                        `graph:"supportsScopeTags"`
	Version                                     *int32                                       `graph:"version"`
}

// AppleVpnConfiguration holds the properties shared by Apple VPN profiles
// (microsoft.graph.appleVpnConfiguration, abstract).
type AppleVpnConfiguration struct {
	DeviceConfiguration
	AssociatedDomains              []string                 `graph:"associatedDomains"`
	AuthenticationMethod           *VpnAuthenticationMethod `graph:"authenticationMethod"`
	ConnectionName                 *string                  `graph:"connectionName"`
	ConnectionType                 *AppleVpnConnectionType  `graph:"connectionType"`
	CustomData                     []KeyValue               `graph:"customData,max=25"`
	CustomKeyValueData             []KeyValuePair           `graph:"customKeyValueData,max=25"`
	DisableOnDemandUserOverride    *bool                    `graph:"disableOnDemandUserOverride"`
	DisconnectOnIdle               *bool                    `graph:"disconnectOnIdle"`
	DisconnectOnIdleTimerInSeconds *int32                   `graph:"disconnectOnIdleTimerInSeconds,range=0:65535"`
	EnablePerApp                   *bool                    `graph:"enablePerApp"`
	EnableSplitTunneling           *bool                    `graph:"enableSplitTunneling"`
	ExcludeLocalNetworks           *bool                    `graph:"excludeLocalNetworks"`
	ExcludedDomains                []string                 `graph:"excludedDomains"`
	Identifier                     *string                  `graph:"identifier"`
	IncludeAllNetworks             *bool                    `graph:"includeAllNetworks"`
	LoginGroupOrDomain             *string                  `graph:"loginGroupOrDomain"`
	OnDemandRules                  []VpnOnDemandRule        `graph:"onDemandRules"`
	OptInToDeviceIdSharing         *bool                    `graph:"optInToDeviceIdSharing"`
	ProviderType                   *VpnProviderType         `graph:"providerType"`
	ProxyServer                    *VpnProxyServer          `graph:"proxyServer"`
	Realm                          *string                  `graph:"realm"`
	Role                           *string                  `graph:"role"`
	SafariDomains                  []string                 `graph:"safariDomains"`
	Server                         *VpnServer               `graph:"server"`
}

// IosVpnConfiguration holds the iOS VPN properties
// (microsoft.graph.iosVpnConfiguration).
type IosVpnConfiguration struct {
	AppleVpnConfiguration
	CloudName             *string       `graph:"cloudName"`
	ExcludeList           []string      `graph:"excludeList"`
	MicrosoftTunnelSiteId *string       `graph:"microsoftTunnelSiteId"`
	StrictEnforcement     *bool         `graph:"strictEnforcement"`
	TargetedMobileApps    []AppListItem `graph:"targetedMobileApps,max=500"`
	UserDomain            *string       `graph:"userDomain"`
}

// IosikEv2VpnConfiguration is microsoft.graph.iosikEv2VpnConfiguration, the
// Intune IKEv2 VPN profile for iOS and iPadOS: 64 structural properties.
type IosikEv2VpnConfiguration struct {
	IosVpnConfiguration
	AllowDefaultChildSecurityAssociationParameters *bool                                `graph:"allowDefaultChildSecurityAssociationParameters"`
	AllowDefaultSecurityAssociationParameters      *bool                                `graph:"allowDefaultSecurityAssociationParameters"`
	AlwaysOnConfiguration                          *AppleVpnAlwaysOnConfiguration       `graph:"alwaysOnConfiguration"`
	ChildSecurityAssociationParameters             *IosVpnSecurityAssociationParameters `graph:"childSecurityAssociationParameters"`
	ClientAuthenticationType                       *VpnClientAuthenticationType         `graph:"clientAuthenticationType"`
	DeadPeerDetectionRate                          *VpnDeadPeerDetectionRate            `graph:"deadPeerDetectionRate"`
	DisableMobilityAndMultihoming                  *bool                                `graph:"disableMobilityAndMultihoming"`
	DisableRedirect                                *bool                                `graph:"disableRedirect"`
	EnableAlwaysOnConfiguration                    *bool                                `graph:"enableAlwaysOnConfiguration"`
	EnableCertificateRevocationCheck               *bool                                `graph:"enableCertificateRevocationCheck"`
	EnableEAP                                      *bool                                `graph:"enableEAP"`
	EnablePerfectForwardSecrecy                    *bool                                `graph:"enablePerfectForwardSecrecy"`
	EnableUseInternalSubnetAttributes              *bool                                `graph:"enableUseInternalSubnetAttributes"`
	LocalIdentifier                                *VpnLocalIdentifier                  `graph:"localIdentifier"`
	MtuSizeInBytes                                 *int32                               `graph:"mtuSizeInBytes,range=1280:1400"`
	RemoteIdentifier                               *string                              `graph:"remoteIdentifier"`
	SecurityAssociationParameters                  *IosVpnSecurityAssociationParameters `graph:"securityAssociationParameters"`
	ServerCertificateCommonName                    *string                              `graph:"serverCertificateCommonName"`
	ServerCertificateIssuerCommonName              *string                              `graph:"serverCertificateIssuerCommonName"`
	ServerCertificateType                          *VpnServerCertificateType            `graph:"serverCertificateType"`
	SharedSecret                                   *string                              `graph:"sharedSecret,secret"`
	TlsMaximumVersion                              *string                              `graph:"tlsMaximumVersion"`
	TlsMinimumVersion                              *string                              `graph:"tlsMinimumVersion"`
}

// VpnServer is microsoft.graph.vpnServer.
type VpnServer struct {
	Address         *string `graph:"address"`
	Description     *string `graph:"description"`
	IsDefaultServer *bool   `graph:"isDefaultServer"`
}

// VpnProxyServer is microsoft.graph.vpnProxyServer. The Windows-only derived
// types add members that the decoder reports as not applicable.
type VpnProxyServer struct {
	Address                         *string `graph:"address"`
	AutomaticConfigurationScriptUrl *string `graph:"automaticConfigurationScriptUrl"`
	Port                            *int32  `graph:"port,range=0:65535"`
}

// VpnOnDemandRule is microsoft.graph.vpnOnDemandRule.
type VpnOnDemandRule struct {
	Action                *VpnOnDemandRuleConnectionAction       `graph:"action"`
	DnsSearchDomains      []string                               `graph:"dnsSearchDomains"`
	DnsServerAddressMatch []string                               `graph:"dnsServerAddressMatch"`
	DomainAction          *VpnOnDemandRuleConnectionDomainAction `graph:"domainAction"`
	Domains               []string                               `graph:"domains"`
	InterfaceTypeMatch    *VpnOnDemandRuleInterfaceTypeMatch     `graph:"interfaceTypeMatch"`
	ProbeRequiredUrl      *string                                `graph:"probeRequiredUrl"`
	ProbeUrl              *string                                `graph:"probeUrl"`
	Ssids                 []string                               `graph:"ssids"`
}

// IosVpnSecurityAssociationParameters is
// microsoft.graph.iosVpnSecurityAssociationParameters: one IKE or child SA
// proposal.
type IosVpnSecurityAssociationParameters struct {
	LifetimeInMinutes           *int32                      `graph:"lifetimeInMinutes"`
	SecurityDiffieHellmanGroup  *int32                      `graph:"securityDiffieHellmanGroup"`
	SecurityEncryptionAlgorithm *VpnEncryptionAlgorithmType `graph:"securityEncryptionAlgorithm"`
	SecurityIntegrityAlgorithm  *VpnIntegrityAlgorithmType  `graph:"securityIntegrityAlgorithm"`
}

// AppleVpnAlwaysOnConfiguration is microsoft.graph.appleVpnAlwaysOnConfiguration.
type AppleVpnAlwaysOnConfiguration struct {
	AirPrintExceptionAction       *VpnServiceExceptionAction      `graph:"airPrintExceptionAction"`
	AllowAllCaptiveNetworkPlugins *bool                           `graph:"allowAllCaptiveNetworkPlugins"`
	AllowCaptiveWebSheet          *bool                           `graph:"allowCaptiveWebSheet"`
	AllowedCaptiveNetworkPlugins  *SpecifiedCaptiveNetworkPlugins `graph:"allowedCaptiveNetworkPlugins"`
	CellularExceptionAction       *VpnServiceExceptionAction      `graph:"cellularExceptionAction"`
	NatKeepAliveIntervalInSeconds *int32                          `graph:"natKeepAliveIntervalInSeconds"`
	NatKeepAliveOffloadEnable     *bool                           `graph:"natKeepAliveOffloadEnable"`
	TunnelConfiguration           *VpnTunnelConfigurationType     `graph:"tunnelConfiguration"`
	UserToggleEnabled             *bool                           `graph:"userToggleEnabled"`
	VoicemailExceptionAction      *VpnServiceExceptionAction      `graph:"voicemailExceptionAction"`
}

// SpecifiedCaptiveNetworkPlugins is microsoft.graph.specifiedCaptiveNetworkPlugins.
type SpecifiedCaptiveNetworkPlugins struct {
	AllowedBundleIdentifiers []string `graph:"allowedBundleIdentifiers"`
}

// KeyValue is microsoft.graph.keyValue.
type KeyValue struct {
	Key   *string `graph:"key"`
	Value *string `graph:"value"`
}

// KeyValuePair is microsoft.graph.keyValuePair.
type KeyValuePair struct {
	Name  *string `graph:"name"`
	Value *string `graph:"value"`
}

// AppListItem is microsoft.graph.appListItem.
type AppListItem struct {
	AppID       *string `graph:"appId"`
	AppStoreURL *string `graph:"appStoreUrl"`
	Name        *string `graph:"name"`
	Publisher   *string `graph:"publisher"`
}

// DeviceManagementApplicabilityRuleOsVersion limits a policy to OS versions.
type DeviceManagementApplicabilityRuleOsVersion struct {
	MaxOSVersion *string                                `graph:"maxOSVersion"`
	MinOSVersion *string                                `graph:"minOSVersion"`
	Name         *string                                `graph:"name"`
	RuleType     *DeviceManagementApplicabilityRuleType `graph:"ruleType"`
}

// DeviceManagementApplicabilityRuleOsEdition limits a policy to Windows editions.
type DeviceManagementApplicabilityRuleOsEdition struct {
	Name           *string                                `graph:"name"`
	OsEditionTypes []Windows10EditionType                 `graph:"osEditionTypes"`
	RuleType       *DeviceManagementApplicabilityRuleType `graph:"ruleType"`
}

// DeviceManagementApplicabilityRuleDeviceMode limits a policy to a Windows device mode.
type DeviceManagementApplicabilityRuleDeviceMode struct {
	DeviceMode *Windows10DeviceModeType               `graph:"deviceMode"`
	Name       *string                                `graph:"name"`
	RuleType   *DeviceManagementApplicabilityRuleType `graph:"ruleType"`
}
