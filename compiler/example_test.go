package compiler_test

import (
	"fmt"
	"log"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

const exampleExport = `{
  "@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration",
  "id": "7d4c2e10-5a3b-4f86-9e21-0b8c6d4f1a37",
  "displayName": "Warehouse VPN",
  "connectionName": "Warehouse",
  "server": {"address": "vpn.contoso.example"},
  "remoteIdentifier": "vpn.contoso.example",
  "localIdentifier": "empty",
  "authenticationMethod": "sharedSecret",
  "clientAuthenticationType": "deviceAuthentication",
  "sharedSecret": "{{psk}}",
  "securityAssociationParameters": {"securityEncryptionAlgorithm": "aes256Gcm", "securityDiffieHellmanGroup": 19, "lifetimeInMinutes": 480}
}`

// Compile maps a decoded export to Apple's keys; the profile is a tree of
// compiler.Dict values for plistout to encode.
func ExampleCompile() {
	cfg, item, diags := graphjson.DecodeSingle([]byte(exampleExport), graphjson.DefaultLimits)
	if diags.HasErrors() {
		log.Fatal(diags)
	}
	res := compiler.Compile(compiler.Input{Config: cfg, Path: item.Path}, compiler.Options{
		IdentifierPrefix: "com.contoso.vpn",
		Vars:             map[string]string{"psk": "correct-horse-battery-staple"},
		Target:           compiler.Target{Platform: "ios", Version: "18.0"},
	})
	if res.Profile == nil {
		log.Fatal(res.Diagnostics)
	}
	fmt.Println(res.Identifier)
	content, _ := res.Profile.Get("PayloadContent")
	vpn := content.([]any)[0].(*compiler.Dict).Map()
	ike := vpn["IKEv2"].(map[string]any)
	fmt.Println(vpn["PayloadType"], vpn["VPNType"], ike["RemoteAddress"], ike["AuthenticationMethod"])
	fmt.Println(ike["IKESecurityAssociationParameters"])
	// Output:
	// com.contoso.vpn.7d4c2e10-5a3b-4f86-9e21-0b8c6d4f1a37
	// com.apple.vpn.managed IKEv2 vpn.contoso.example SharedSecret
	// map[DiffieHellmanGroup:19 EncryptionAlgorithm:AES-256-GCM LifeTimeInMinutes:480]
}

// Lint checks any decoded profile, whoever wrote it, against Apple's schema.
func ExampleLint() {
	profile := map[string]any{
		"PayloadType":       "Configuration",
		"PayloadVersion":    1,
		"PayloadIdentifier": "com.contoso.vpn",
		"PayloadUUID":       "4E4C2B0A-8F5D-4D6C-9E1B-2A7F3C8D9E01",
		"PayloadContent": []any{map[string]any{
			"PayloadType":       "com.apple.vpn.managed",
			"PayloadVersion":    1,
			"PayloadIdentifier": "com.contoso.vpn.vpn",
			"PayloadUUID":       "5F5D3C1B-9A6E-4E7D-8F2C-3B8A4D9E0F12",
			"UserDefinedName":   "Warehouse",
			"VPNType":           "IKEv2",
			"IKEv2": map[string]any{
				"RemoteAddress":        "vpn.contoso.example",
				"RemoteIdentifier":     "vpn.contoso.example",
				"LocalIdentifier":      "{{serialnumber}}",
				"AuthenticationMethod": "SharedSecret",
				"ExtendedAuthEnabled":  0,
				"MTU":                  9000,
			},
		}},
	}
	for _, d := range compiler.Lint(profile, compiler.LintOptions{Signed: true}) {
		if d.Severity != diag.Info {
			fmt.Println(d.Severity, d.Code, d.Path)
		}
	}
	// Output:
	// warning missing-key PayloadContent[0].IKEv2
	// warning unresolved-variable PayloadContent[0].IKEv2.LocalIdentifier
	// error out-of-range PayloadContent[0].IKEv2.MTU
}
