package graphjson

// Code in this file lists the Graph enums with their wire strings in the
// order of their CSDL numeric values (a member's index is its value), as
// given in the Graph beta metadata. Graph sends enums as strings; the
// decoder also accepts the numeric form, with a warning.

// AppleVpnConnectionType is the Graph enum appleVpnConnectionType: Apple VPN connection type; ikEv2 for this entity.
type AppleVpnConnectionType string

// GraphEnum returns the Graph enum name and its members in value order.
func (AppleVpnConnectionType) GraphEnum() (string, []string) {
	return "appleVpnConnectionType", []string{"ciscoAnyConnect", "pulseSecure", "f5EdgeClient", "dellSonicWallMobileConnect", "checkPointCapsuleVpn", "customVpn", "ciscoIPSec", "citrix", "ciscoAnyConnectV2", "paloAltoGlobalProtect", "zscalerPrivateAccess", "f5Access2018", "citrixSso", "paloAltoGlobalProtectV2", "ikEv2", "alwaysOn", "microsoftTunnel", "netMotionMobility", "microsoftProtect"}
}

// Members of AppleVpnConnectionType.
const (
	ConnectionTypeCiscoAnyConnect            AppleVpnConnectionType = "ciscoAnyConnect"
	ConnectionTypePulseSecure                AppleVpnConnectionType = "pulseSecure"
	ConnectionTypeF5EdgeClient               AppleVpnConnectionType = "f5EdgeClient"
	ConnectionTypeDellSonicWallMobileConnect AppleVpnConnectionType = "dellSonicWallMobileConnect"
	ConnectionTypeCheckPointCapsuleVpn       AppleVpnConnectionType = "checkPointCapsuleVpn"
	ConnectionTypeCustomVpn                  AppleVpnConnectionType = "customVpn"
	ConnectionTypeCiscoIPSec                 AppleVpnConnectionType = "ciscoIPSec"
	ConnectionTypeCitrix                     AppleVpnConnectionType = "citrix"
	ConnectionTypeCiscoAnyConnectV2          AppleVpnConnectionType = "ciscoAnyConnectV2"
	ConnectionTypePaloAltoGlobalProtect      AppleVpnConnectionType = "paloAltoGlobalProtect"
	ConnectionTypeZscalerPrivateAccess       AppleVpnConnectionType = "zscalerPrivateAccess"
	ConnectionTypeF5Access2018               AppleVpnConnectionType = "f5Access2018"
	ConnectionTypeCitrixSso                  AppleVpnConnectionType = "citrixSso"
	ConnectionTypePaloAltoGlobalProtectV2    AppleVpnConnectionType = "paloAltoGlobalProtectV2"
	ConnectionTypeIkEv2                      AppleVpnConnectionType = "ikEv2"
	ConnectionTypeAlwaysOn                   AppleVpnConnectionType = "alwaysOn"
	ConnectionTypeMicrosoftTunnel            AppleVpnConnectionType = "microsoftTunnel"
	ConnectionTypeNetMotionMobility          AppleVpnConnectionType = "netMotionMobility"
	ConnectionTypeMicrosoftProtect           AppleVpnConnectionType = "microsoftProtect"
)

// VpnAuthenticationMethod is the Graph enum vpnAuthenticationMethod: how the client authenticates.
type VpnAuthenticationMethod string

// GraphEnum returns the Graph enum name and its members in value order.
func (VpnAuthenticationMethod) GraphEnum() (string, []string) {
	return "vpnAuthenticationMethod", []string{"certificate", "usernameAndPassword", "sharedSecret", "derivedCredential", "azureAD"}
}

// Members of VpnAuthenticationMethod.
const (
	AuthMethodCertificate         VpnAuthenticationMethod = "certificate"
	AuthMethodUsernameAndPassword VpnAuthenticationMethod = "usernameAndPassword"
	AuthMethodSharedSecret        VpnAuthenticationMethod = "sharedSecret"
	AuthMethodDerivedCredential   VpnAuthenticationMethod = "derivedCredential"
	AuthMethodAzureAD             VpnAuthenticationMethod = "azureAD"
)

// VpnClientAuthenticationType is the Graph enum vpnClientAuthenticationType: user or machine authentication.
type VpnClientAuthenticationType string

// GraphEnum returns the Graph enum name and its members in value order.
func (VpnClientAuthenticationType) GraphEnum() (string, []string) {
	return "vpnClientAuthenticationType", []string{"userAuthentication", "deviceAuthentication"}
}

// Members of VpnClientAuthenticationType.
const (
	ClientAuthUserAuthentication   VpnClientAuthenticationType = "userAuthentication"
	ClientAuthDeviceAuthentication VpnClientAuthenticationType = "deviceAuthentication"
)

// VpnDeadPeerDetectionRate is the Graph enum vpnDeadPeerDetectionRate: how often IKE checks that the peer is alive.
type VpnDeadPeerDetectionRate string

// GraphEnum returns the Graph enum name and its members in value order.
func (VpnDeadPeerDetectionRate) GraphEnum() (string, []string) {
	return "vpnDeadPeerDetectionRate", []string{"medium", "none", "low", "high"}
}

// Members of VpnDeadPeerDetectionRate.
const (
	DPDMedium VpnDeadPeerDetectionRate = "medium"
	DPDNone   VpnDeadPeerDetectionRate = "none"
	DPDLow    VpnDeadPeerDetectionRate = "low"
	DPDHigh   VpnDeadPeerDetectionRate = "high"
)

// VpnLocalIdentifier is the Graph enum vpnLocalIdentifier: how the client identifies itself.
type VpnLocalIdentifier string

// GraphEnum returns the Graph enum name and its members in value order.
func (VpnLocalIdentifier) GraphEnum() (string, []string) {
	return "vpnLocalIdentifier", []string{"deviceFQDN", "empty", "clientCertificateSubjectName"}
}

// Members of VpnLocalIdentifier.
const (
	LocalIDDeviceFQDN                   VpnLocalIdentifier = "deviceFQDN"
	LocalIDEmpty                        VpnLocalIdentifier = "empty"
	LocalIDClientCertificateSubjectName VpnLocalIdentifier = "clientCertificateSubjectName"
)

// VpnServerCertificateType is the Graph enum vpnServerCertificateType: the server certificate's key type.
type VpnServerCertificateType string

// GraphEnum returns the Graph enum name and its members in value order.
func (VpnServerCertificateType) GraphEnum() (string, []string) {
	return "vpnServerCertificateType", []string{"rsa", "ecdsa256", "ecdsa384", "ecdsa521"}
}

// Members of VpnServerCertificateType.
const (
	ServerCertRsa      VpnServerCertificateType = "rsa"
	ServerCertEcdsa256 VpnServerCertificateType = "ecdsa256"
	ServerCertEcdsa384 VpnServerCertificateType = "ecdsa384"
	ServerCertEcdsa521 VpnServerCertificateType = "ecdsa521"
)

// VpnProviderType is the Graph enum vpnProviderType: the per-app VPN provider type.
type VpnProviderType string

// GraphEnum returns the Graph enum name and its members in value order.
func (VpnProviderType) GraphEnum() (string, []string) {
	return "vpnProviderType", []string{"notConfigured", "appProxy", "packetTunnel"}
}

// Members of VpnProviderType.
const (
	ProviderNotConfigured VpnProviderType = "notConfigured"
	ProviderAppProxy      VpnProviderType = "appProxy"
	ProviderPacketTunnel  VpnProviderType = "packetTunnel"
)

// VpnOnDemandRuleConnectionAction is the Graph enum vpnOnDemandRuleConnectionAction: what an on-demand rule does.
type VpnOnDemandRuleConnectionAction string

// GraphEnum returns the Graph enum name and its members in value order.
func (VpnOnDemandRuleConnectionAction) GraphEnum() (string, []string) {
	return "vpnOnDemandRuleConnectionAction", []string{"connect", "evaluateConnection", "ignore", "disconnect"}
}

// Members of VpnOnDemandRuleConnectionAction.
const (
	ActionConnect            VpnOnDemandRuleConnectionAction = "connect"
	ActionEvaluateConnection VpnOnDemandRuleConnectionAction = "evaluateConnection"
	ActionIgnore             VpnOnDemandRuleConnectionAction = "ignore"
	ActionDisconnect         VpnOnDemandRuleConnectionAction = "disconnect"
)

// VpnOnDemandRuleConnectionDomainAction is the Graph enum vpnOnDemandRuleConnectionDomainAction: what evaluateConnection does for its domains.
type VpnOnDemandRuleConnectionDomainAction string

// GraphEnum returns the Graph enum name and its members in value order.
func (VpnOnDemandRuleConnectionDomainAction) GraphEnum() (string, []string) {
	return "vpnOnDemandRuleConnectionDomainAction", []string{"connectIfNeeded", "neverConnect"}
}

// Members of VpnOnDemandRuleConnectionDomainAction.
const (
	DomainActionConnectIfNeeded VpnOnDemandRuleConnectionDomainAction = "connectIfNeeded"
	DomainActionNeverConnect    VpnOnDemandRuleConnectionDomainAction = "neverConnect"
)

// VpnOnDemandRuleInterfaceTypeMatch is the Graph enum vpnOnDemandRuleInterfaceTypeMatch: the network interface an on-demand rule matches.
type VpnOnDemandRuleInterfaceTypeMatch string

// GraphEnum returns the Graph enum name and its members in value order.
func (VpnOnDemandRuleInterfaceTypeMatch) GraphEnum() (string, []string) {
	return "vpnOnDemandRuleInterfaceTypeMatch", []string{"notConfigured", "ethernet", "wiFi", "cellular"}
}

// Members of VpnOnDemandRuleInterfaceTypeMatch.
const (
	InterfaceNotConfigured VpnOnDemandRuleInterfaceTypeMatch = "notConfigured"
	InterfaceEthernet      VpnOnDemandRuleInterfaceTypeMatch = "ethernet"
	InterfaceWiFi          VpnOnDemandRuleInterfaceTypeMatch = "wiFi"
	InterfaceCellular      VpnOnDemandRuleInterfaceTypeMatch = "cellular"
)

// VpnEncryptionAlgorithmType is the Graph enum vpnEncryptionAlgorithmType: an IKE/ESP encryption algorithm.
type VpnEncryptionAlgorithmType string

// GraphEnum returns the Graph enum name and its members in value order.
func (VpnEncryptionAlgorithmType) GraphEnum() (string, []string) {
	return "vpnEncryptionAlgorithmType", []string{"aes256", "des", "tripleDes", "aes128", "aes128Gcm", "aes256Gcm", "aes192", "aes192Gcm", "chaCha20Poly1305"}
}

// Members of VpnEncryptionAlgorithmType.
const (
	EncryptionAes256           VpnEncryptionAlgorithmType = "aes256"
	EncryptionDes              VpnEncryptionAlgorithmType = "des"
	EncryptionTripleDes        VpnEncryptionAlgorithmType = "tripleDes"
	EncryptionAes128           VpnEncryptionAlgorithmType = "aes128"
	EncryptionAes128Gcm        VpnEncryptionAlgorithmType = "aes128Gcm"
	EncryptionAes256Gcm        VpnEncryptionAlgorithmType = "aes256Gcm"
	EncryptionAes192           VpnEncryptionAlgorithmType = "aes192"
	EncryptionAes192Gcm        VpnEncryptionAlgorithmType = "aes192Gcm"
	EncryptionChaCha20Poly1305 VpnEncryptionAlgorithmType = "chaCha20Poly1305"
)

// VpnIntegrityAlgorithmType is the Graph enum vpnIntegrityAlgorithmType: an IKE/ESP integrity algorithm.
type VpnIntegrityAlgorithmType string

// GraphEnum returns the Graph enum name and its members in value order.
func (VpnIntegrityAlgorithmType) GraphEnum() (string, []string) {
	return "vpnIntegrityAlgorithmType", []string{"sha2_256", "sha1_96", "sha1_160", "sha2_384", "sha2_512", "md5"}
}

// Members of VpnIntegrityAlgorithmType.
const (
	IntegritySha2256 VpnIntegrityAlgorithmType = "sha2_256"
	IntegritySha196  VpnIntegrityAlgorithmType = "sha1_96"
	IntegritySha1160 VpnIntegrityAlgorithmType = "sha1_160"
	IntegritySha2384 VpnIntegrityAlgorithmType = "sha2_384"
	IntegritySha2512 VpnIntegrityAlgorithmType = "sha2_512"
	IntegrityMd5     VpnIntegrityAlgorithmType = "md5"
)

// VpnTunnelConfigurationType is the Graph enum vpnTunnelConfigurationType: the interfaces an always-on tunnel uses.
type VpnTunnelConfigurationType string

// GraphEnum returns the Graph enum name and its members in value order.
func (VpnTunnelConfigurationType) GraphEnum() (string, []string) {
	return "vpnTunnelConfigurationType", []string{"wifiAndCellular", "cellular", "wifi"}
}

// Members of VpnTunnelConfigurationType.
const (
	TunnelWifiAndCellular VpnTunnelConfigurationType = "wifiAndCellular"
	TunnelCellular        VpnTunnelConfigurationType = "cellular"
	TunnelWifi            VpnTunnelConfigurationType = "wifi"
)

// VpnServiceExceptionAction is the Graph enum vpnServiceExceptionAction: how an always-on VPN treats a system service.
type VpnServiceExceptionAction string

// GraphEnum returns the Graph enum name and its members in value order.
func (VpnServiceExceptionAction) GraphEnum() (string, []string) {
	return "vpnServiceExceptionAction", []string{"forceTrafficViaVPN", "allowTrafficOutside", "dropTraffic"}
}

// Members of VpnServiceExceptionAction.
const (
	ExceptionForceTrafficViaVPN  VpnServiceExceptionAction = "forceTrafficViaVPN"
	ExceptionAllowTrafficOutside VpnServiceExceptionAction = "allowTrafficOutside"
	ExceptionDropTraffic         VpnServiceExceptionAction = "dropTraffic"
)

// DeviceManagementApplicabilityRuleType is the Graph enum deviceManagementApplicabilityRuleType: whether an applicability rule includes or excludes.
type DeviceManagementApplicabilityRuleType string

// GraphEnum returns the Graph enum name and its members in value order.
func (DeviceManagementApplicabilityRuleType) GraphEnum() (string, []string) {
	return "deviceManagementApplicabilityRuleType", []string{"include", "exclude"}
}

// Members of DeviceManagementApplicabilityRuleType.
const (
	RuleInclude DeviceManagementApplicabilityRuleType = "include"
	RuleExclude DeviceManagementApplicabilityRuleType = "exclude"
)

// Windows10EditionType is the Graph enum windows10EditionType: a Windows 10 edition (Windows-only applicability).
type Windows10EditionType string

// GraphEnum returns the Graph enum name and its members in value order.
func (Windows10EditionType) GraphEnum() (string, []string) {
	return "windows10EditionType", []string{"windows10Enterprise", "windows10EnterpriseN", "windows10Education", "windows10EducationN", "windows10MobileEnterprise", "windows10HolographicEnterprise", "windows10Professional", "windows10ProfessionalN", "windows10ProfessionalEducation", "windows10ProfessionalEducationN", "windows10ProfessionalWorkstation", "windows10ProfessionalWorkstationN", "notConfigured", "windows10Home", "windows10HomeChina", "windows10HomeN", "windows10HomeSingleLanguage", "windows10Mobile", "windows10IoTCore", "windows10IoTCoreCommercial"}
}

// Windows10DeviceModeType is the Graph enum windows10DeviceModeType: a Windows 10 device mode (Windows-only applicability).
type Windows10DeviceModeType string

// GraphEnum returns the Graph enum name and its members in value order.
func (Windows10DeviceModeType) GraphEnum() (string, []string) {
	return "windows10DeviceModeType", []string{"standardConfiguration", "sModeConfiguration"}
}
