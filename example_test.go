package graph2mobileconfig_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// exportJSON is a Graph export of an IKEv2 VPN configuration with a
// shared secret and a {{serialnumber}} variable in its local identifier.
const exportJSON = `{
  "@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration",
  "id": "7d4c2e10-5a3b-4f86-9e21-0b8c6d4f1a37",
  "displayName": "Warehouse VPN",
  "connectionName": "Warehouse",
  "server": {"address": "vpn.contoso.example"},
  "remoteIdentifier": "vpn.contoso.example",
  "localIdentifier": "deviceFQDN",
  "authenticationMethod": "sharedSecret",
  "clientAuthenticationType": "deviceAuthentication",
  "sharedSecret": "correct-horse-battery-staple"
}`

// Compile an export in one call: the profile, and every finding.
func Example() {
	var opts graph2mobileconfig.Options
	opts.Compile.IdentifierPrefix = "com.contoso.vpn"
	// deviceFQDN stands for the device's host name, which no export holds.
	opts.Compile.Vars = map[string]string{"devicefqdn": "{{serialnumber}}.devices.contoso.example"}

	profile, diags, err := graph2mobileconfig.Compile(context.Background(), []byte(exportJSON), opts)
	if err != nil {
		fmt.Println(err)
		for _, d := range diags.Errors() {
			fmt.Println(d)
		}
		return
	}
	fmt.Println(profile.Identifier)
	fmt.Println("holds a secret in the clear:", profile.Secrets)
	for _, d := range diags {
		if d.Severity == diag.Warning {
			fmt.Printf("warning %s (%s)\n", d.Code, d.Hint.Code)
		}
	}
	// Output:
	// com.contoso.vpn.7d4c2e10-5a3b-4f86-9e21-0b8c6d4f1a37
	// holds a secret in the clear: true
	// warning unprotected-secret (sign-encrypt)
	// warning mdm-variable (mdm-variable)
}

// An MDM server checks its options once and compiles every export it is
// given with the same Compiler, from any goroutine.
func ExampleNew() {
	var opts graph2mobileconfig.Options
	opts.Compile.IdentifierPrefix = "com.contoso.vpn"
	opts.Compile.Vars = map[string]string{"devicefqdn": "iphone.contoso.example"}
	c, notes, err := graph2mobileconfig.New(opts)
	if err != nil {
		log.Fatal(err) // an option that cannot work, such as an expired signer
	}
	fmt.Println("notes about the options:", len(notes))

	for _, export := range []string{exportJSON, `{"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration"}`} {
		profile, diags, err := c.Compile(context.Background(), []byte(export))
		if err != nil {
			fmt.Println("no profile:", diags.Errors())
			continue
		}
		fmt.Println("compiled", profile.Identifier)
	}
	// Output:
	// notes about the options: 0
	// compiled com.contoso.vpn.7d4c2e10-5a3b-4f86-9e21-0b8c6d4f1a37
	// no profile: error: $.id: the export has neither an id nor a displayName to derive a stable PayloadIdentifier from; add the Graph id to the export
}

// A certificate profile the VPN relies on, exported on its own, is compiled
// into the same profile.
func ExampleReadCertificateExport() {
	scep, err := os.ReadFile("fixtures/scep-separate/scep.json")
	if err != nil {
		log.Fatal(err)
	}
	root, err := os.ReadFile("fixtures/scep-separate/root.json")
	if err != nil {
		log.Fatal(err)
	}
	vpn, err := os.ReadFile("fixtures/scep-separate/input.json")
	if err != nil {
		log.Fatal(err)
	}
	var opts graph2mobileconfig.Options
	opts.CertificateExports = []graph2mobileconfig.CertificateExport{
		graph2mobileconfig.ReadCertificateExport("scep.json", scep, graphjson.Limits{}),
		graph2mobileconfig.ReadCertificateExport("root.json", root, graphjson.Limits{}),
	}
	for _, ex := range opts.CertificateExports {
		for _, p := range ex.Profiles {
			fmt.Printf("%s: %s\n", ex.Name, p.Label())
		}
	}
	// Intune never exports the SCEP challenge: the MDM fills this variable.
	opts.Compile.SCEP.ChallengeVariable = "scep_challenge"

	profile, _, err := graph2mobileconfig.Compile(context.Background(), vpn, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("compiled", profile.Identifier)
	// Output:
	// scep.json: iosScepCertificateProfile "iOS - Contoso VPN device certificate (SCEP)"
	// root.json: iosTrustedRootCertificate "iOS - Contoso root CA"
	// compiled graph2mobileconfig.b3f1d0e2-58a4-4c61-9f0e-2d7a91c4e6b8
}

// Hints name the caller's own options: here, what an MDM server's admin
// would do in its console.
func ExampleOptions_hints() {
	certificateAuth := `{
  "@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration",
  "id": "8e5d3f21-6b4c-4a97-8f32-1c9d7e5a2b48",
  "displayName": "Field VPN",
  "connectionName": "Field",
  "server": {"address": "vpn.contoso.example"},
  "remoteIdentifier": "vpn.contoso.example",
  "localIdentifier": "empty",
  "authenticationMethod": "certificate"
}`
	opts := graph2mobileconfig.Options{Hints: func(h diag.Hint) string {
		if h.Code == diag.HintIdentityOrExport {
			return "upload the device identity under Certificates"
		}
		return "" // the Go API's words
	}}
	_, diags, _ := graph2mobileconfig.Compile(context.Background(), []byte(certificateAuth), opts)
	for _, d := range diags.Errors() {
		fmt.Println(d.Code, "-", d.Hint.Text)
	}
	// Output:
	// missing-identity - upload the device identity under Certificates
}

// A tenant export holds many configurations: graphjson.Split finds them and
// CompileItem compiles each, as the batch package does.
func ExampleCompiler_CompileItem() {
	list := `{"value": [` + exportJSON + `, {"@odata.type": "#microsoft.graph.iosGeneralDeviceConfiguration", "id": "x"}]}`
	items, err := graphjson.Split([]byte(list), graphjson.DefaultLimits)
	if err != nil {
		log.Fatal(err)
	}
	var opts graph2mobileconfig.Options
	opts.Compile.Vars = map[string]string{"devicefqdn": "iphone.contoso.example"}
	c, _, err := graph2mobileconfig.New(opts)
	if err != nil {
		log.Fatal(err)
	}
	for _, it := range items {
		if !it.IsIKEv2() {
			fmt.Println(it.Path, "skipped:", it.Type)
			continue
		}
		profile, _, err := c.CompileItem(context.Background(), it)
		if err != nil {
			fmt.Println(it.Path, err)
			continue
		}
		fmt.Println(it.Path, "compiled:", profile.Identifier)
	}
	// Output:
	// $.value[0] compiled: graph2mobileconfig.7d4c2e10-5a3b-4f86-9e21-0b8c6d4f1a37
	// $.value[1] skipped: microsoft.graph.iosGeneralDeviceConfiguration
}
