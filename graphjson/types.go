package graphjson

import (
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// GraphType methods name the Graph type each struct models; the decoder uses
// them to check nested "@odata.type" annotations and to word its messages.

// GraphType returns "entity".
func (Entity) GraphType() string { return "entity" }

// GraphType returns "deviceConfiguration".
func (DeviceConfiguration) GraphType() string { return "deviceConfiguration" }

// GraphType returns "appleVpnConfiguration".
func (AppleVpnConfiguration) GraphType() string { return "appleVpnConfiguration" }

// GraphType returns "iosVpnConfiguration".
func (IosVpnConfiguration) GraphType() string { return "iosVpnConfiguration" }

// GraphType returns "iosikEv2VpnConfiguration".
func (IosikEv2VpnConfiguration) GraphType() string { return "iosikEv2VpnConfiguration" }

// GraphType returns "vpnServer".
func (VpnServer) GraphType() string { return "vpnServer" }

// GraphType returns "vpnProxyServer".
func (VpnProxyServer) GraphType() string { return "vpnProxyServer" }

// GraphType returns "vpnOnDemandRule".
func (VpnOnDemandRule) GraphType() string { return "vpnOnDemandRule" }

// GraphType returns "iosVpnSecurityAssociationParameters".
func (IosVpnSecurityAssociationParameters) GraphType() string {
	return "iosVpnSecurityAssociationParameters"
}

// GraphType returns "appleVpnAlwaysOnConfiguration".
func (AppleVpnAlwaysOnConfiguration) GraphType() string { return "appleVpnAlwaysOnConfiguration" }

// GraphType returns "specifiedCaptiveNetworkPlugins".
func (SpecifiedCaptiveNetworkPlugins) GraphType() string { return "specifiedCaptiveNetworkPlugins" }

// GraphType returns "keyValue".
func (KeyValue) GraphType() string { return "keyValue" }

// GraphType returns "keyValuePair".
func (KeyValuePair) GraphType() string { return "keyValuePair" }

// GraphType returns "appListItem".
func (AppListItem) GraphType() string { return "appListItem" }

// GraphType returns "deviceManagementApplicabilityRuleOsVersion".
func (DeviceManagementApplicabilityRuleOsVersion) GraphType() string {
	return "deviceManagementApplicabilityRuleOsVersion"
}

// GraphType returns "deviceManagementApplicabilityRuleOsEdition".
func (DeviceManagementApplicabilityRuleOsEdition) GraphType() string {
	return "deviceManagementApplicabilityRuleOsEdition"
}

// GraphType returns "deviceManagementApplicabilityRuleDeviceMode".
func (DeviceManagementApplicabilityRuleDeviceMode) GraphType() string {
	return "deviceManagementApplicabilityRuleDeviceMode"
}

// derivedTypes lists the Graph types that may stand in for a complex type
// (OData polymorphism), with the members they add and why we ignore them.
func derivedTypes(base string) map[string]string {
	switch base {
	case "vpnProxyServer":
		return map[string]string{
			"windows10VpnProxyServer": "Windows VPN profiles use",
			"windows81VpnProxyServer": "Windows VPN profiles use",
		}
	case "appListItem":
		return map[string]string{"appleAppListItem": ""}
	}
	return nil
}

// navigationProperty says whether name is a relationship of the entity and
// what it holds, with the hint for a relationship that the compiler could
// use. Relationships appear only with $expand and are not settings
// of the profile.
func navigationProperty(name string) (string, diag.Hint, bool) {
	// The Graph PowerShell SDK writes them in PascalCase ("DeviceStatuses").
	switch strings.ToLower(name) {
	case "assignments", "groupassignments":
		return "the groups the profile is assigned to; assign the profile in your MDM", diag.Hint{}, true
	case "devicesettingstatesummaries", "devicestatusoverview", "devicestatuses", "userstatusoverview", "userstatuses":
		return "reporting data", diag.Hint{}, true
	case "derivedcredentialsettings":
		return "tenant-wide derived credential settings", identityHint, true
	case "identitycertificate":
		return "a link to the Intune certificate profile", linkedIdentityHint, true
	case "rootcertificate":
		return "a link to the Intune trusted certificate profile", linkedRootHint, true
	case "manageddevicecertificatestates":
		return "reporting data", diag.Hint{}, true
	}
	return "", diag.Hint{}, false
}

// The hints of the decoder's findings, in the terms of graph2mobileconfig's
// Go API (see diag.Hint).
var (
	identityHint       = diag.Hint{Code: diag.HintIdentity, Text: "give the identity in compiler.Options.Identity (graph2mobileconfig.LoadClientIdentity reads a PKCS#12 file), or reference the payload your MDM delivers with compiler.Options.IdentityUUID"}
	linkedIdentityHint = diag.Hint{Code: diag.HintLinkedIdentity, Text: "give that profile's export in graph2mobileconfig.Options.CertificateExports, expand it inline, or give the identity in compiler.Options.Identity or compiler.Options.IdentityUUID"}
	linkedRootHint     = diag.Hint{Code: diag.HintLinkedRoot, Text: "give that profile's export in graph2mobileconfig.Options.CertificateExports, or expand it inline"}
	batchHint          = diag.Hint{Code: diag.HintBatch, Text: "compile each item of graphjson.Split with graph2mobileconfig's Compiler.CompileItem, or use the batch package, to convert them all"}
	vpnAsExportHint    = diag.Hint{Code: diag.HintVPNAsExport, Text: "compile it as the input, and give only its certificate profiles as certificate exports"}
)
