package profile_test

import (
	"fmt"
	"log"
	"os"

	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
)

// Open reads any profile (plain, signed, encrypted, hostile) within fixed
// limits and gives a typed view of its payloads; Redact hides its secrets
// before it is shown.
func ExampleOpen() {
	data, err := os.ReadFile("../fixtures/psk-ondemand/expected.mobileconfig")
	if err != nil {
		log.Fatal(err)
	}
	p, err := profile.Open(data, profile.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Format, p.Identifier, "signed:", p.Signature != nil)
	for _, pl := range p.Payloads {
		if pl.VPN != nil && pl.VPN.IKEv2 != nil {
			ike := pl.VPN.IKEv2
			fmt.Println(pl.Type, pl.VPN.UserDefinedName, ike.RemoteAddress, ike.EffectiveAuthenticationMethod())
		}
	}
	fmt.Println("holds secrets:", p.HoldsSecrets())
	redacted, n := profile.Redact(p.Tree())
	ike := redacted.(map[string]any)["PayloadContent"].([]any)[0].(map[string]any)["IKEv2"].(map[string]any)
	fmt.Println(n, "redacted:", ike["SharedSecret"])
	// Output:
	// xml com.contoso.warehouse.9b2d1f70-3e55-4c8a-b0a1-6f4c7e2d9a13 signed: false
	// com.apple.vpn.managed Warehouse VPN 203.0.113.10 SharedSecret
	// holds secrets: true
	// 1 redacted: «redacted»
}
