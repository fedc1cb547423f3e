package strongswan_test

import (
	"fmt"
	"log"
	"net/netip"
	"os"

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
