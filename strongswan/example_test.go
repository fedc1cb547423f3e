package strongswan_test

import (
	"errors"
	"fmt"
	"log"
	"net/netip"
	"os"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/strongswan"
)

// WriteServerConfig writes the swanctl.conf of a strongSwan server that
// accepts exactly what the profile's devices will offer.
func ExampleWriteServerConfig() {
	data, err := os.ReadFile("../fixtures/psk-ondemand/expected.mobileconfig")
	if err != nil {
		log.Fatal(err)
	}
	top, _, err := plistout.Decode(data)
	if err != nil {
		log.Fatal(err)
	}
	p, err := strongswan.ReadProfile(top, strongswan.ReadOptions{IOS: "18.0"})
	if err != nil {
		log.Fatal(err)
	}
	t := p.Tunnels[0]
	fmt.Println(t.RemoteAddress, t.Auth.Client, t.Auth.Server)
	conf, err := strongswan.WriteServerConfig(p, strongswan.ServerOptions{
		Pools:         []netip.Prefix{netip.MustParsePrefix("10.10.0.0/24")},
		SplitNetworks: []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")},
		// The shared secret goes into the file, which must then be
		// readable by its owner only.
		IncludeSecrets: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(conf.Connections, "secrets written:", conf.Secrets)
	for _, w := range conf.Warnings {
		fmt.Println("warning:", w)
	}
	// Output:
	// 203.0.113.10 psk psk
	// [warehouse-vpn] secrets written: true
}

// CheckDialable says what a dial lacks before any charon starts. The remedy
// names the Go option; a Hints function says it in the program's own words,
// and the error carries its code.
func ExampleCheckDialable() {
	data, err := os.ReadFile("../fixtures/eap-only/expected.mobileconfig")
	if err != nil {
		log.Fatal(err)
	}
	top, _, err := plistout.Decode(data)
	if err != nil {
		log.Fatal(err)
	}
	p, err := strongswan.ReadProfile(top, strongswan.ReadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	err = strongswan.CheckDialable(p.Tunnels[0], strongswan.DialOptions{})
	fmt.Println(err)

	ownWords := func(h diag.Hint) string {
		if h.Code == strongswan.HintEAPUser {
			return "enter a user name in the dial form"
		}
		return "" // the Go API's words
	}
	err = strongswan.CheckDialable(p.Tunnels[0], strongswan.DialOptions{Hints: ownWords})
	var he *strongswan.HintError
	if errors.As(err, &he) {
		fmt.Println(he.Hint.Code+":", err)
	}
	// Output:
	// EAP-MSCHAPv2 needs a user name: the profile has no AuthName (the device asks the user); set strongswan.DialOptions.EAPUser
	// eap-user: EAP-MSCHAPv2 needs a user name: the profile has no AuthName (the device asks the user); enter a user name in the dial form
}
