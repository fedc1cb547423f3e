package graphjson_test

import (
	"fmt"

	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// Decode an export, and read every problem it has at once, each at its
// JSON path.
func ExampleDecodeSingle() {
	export := `{
  "@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration",
  "id": "7d4c2e10-5a3b-4f86-9e21-0b8c6d4f1a37",
  "displayName": "Warehouse VPN",
  "server": {"address": "vpn.contoso.example"},
  "mtuSizeInBytes": 9000,
  "authenticationMethod": "sharedsecret"
}`
	cfg, item, diags := graphjson.DecodeSingle([]byte(export), graphjson.DefaultLimits)
	fmt.Println(item.Path, item.Form)
	fmt.Println(*cfg.Server.Address)
	for _, d := range diags.Sorted().Errors() {
		fmt.Println(d)
	}
	// Output:
	// $ a Graph entity object, UTF-8 text
	// vpn.contoso.example
	// error: $.authenticationMethod: "sharedsecret" is not a vpnAuthenticationMethod value; Graph spells it "sharedSecret" (allowed: certificate, usernameAndPassword, sharedSecret, derivedCredential, azureAD)
	// error: $.mtuSizeInBytes: 9000 is out of range: mtuSizeInBytes takes 1280 to 1400
}

// Split finds the entities of a document of any shape Graph writes.
func ExampleSplit() {
	list := `{"value": [
  {"@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration", "id": "a", "displayName": "VPN"},
  {"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "id": "b", "displayName": "SCEP"}
]}`
	items, err := graphjson.Split([]byte(list), graphjson.DefaultLimits)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range items {
		fmt.Println(it.Path, it.DisplayName(), it.IsIKEv2(), it.IsCertificateProfile())
	}
	// Output:
	// $.value[0] VPN true false
	// $.value[1] SCEP false true
}
