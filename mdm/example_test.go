package mdm_test

import (
	"context"
	"fmt"
	"log"

	"github.com/graph2mobileconfig/graph2mobileconfig/mdm"
)

// InstallProfileCommand wraps a profile in the command plist an MDM server
// queues for a device; DecodeCommand reads one back.
func ExampleInstallProfileCommand() {
	profile := []byte(`<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict/></plist>`)
	cmd, err := mdm.InstallProfileCommand(profile, "0F1E2D3C-4B5A-4968-8776-655443322110")
	if err != nil {
		log.Fatal(err)
	}
	back, err := mdm.DecodeCommand(cmd)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.RequestType, back.CommandUUID, len(back.Payload) == len(profile))

	remove, err := mdm.RemoveProfileCommand("com.contoso.vpn.7d4c2e10-5a3b-4f86-9e21-0b8c6d4f1a37", "1A2B3C4D-5E6F-4A7B-8C9D-0E1F2A3B4C5D")
	if err != nil {
		log.Fatal(err)
	}
	back, err = mdm.DecodeCommand(remove)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.RequestType, back.Identifier)
	// Output:
	// InstallProfile 0F1E2D3C-4B5A-4968-8776-655443322110 true
	// RemoveProfile com.contoso.vpn.7d4c2e10-5a3b-4f86-9e21-0b8c6d4f1a37
}

// A NanoMDMClient queues the command for devices and pushes them; the
// result says, per device, whether it was queued and pushed. (Not run: it
// needs a NanoMDM server.)
func ExampleNanoMDMClient_Enqueue() {
	profile := []byte(`<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict/></plist>`)
	cmd, err := mdm.InstallProfileCommand(profile, mdm.NewCommandUUID())
	if err != nil {
		log.Fatal(err)
	}
	client := &mdm.NanoMDMClient{BaseURL: "https://mdm.contoso.example", APIKey: "the NanoMDM -api key"}
	res, err := client.Enqueue(context.Background(), []string{"00008110-000A1B2C3D4E801E"}, cmd, false)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range res.Devices {
		fmt.Println(d.ID, "queued:", d.Queued, "pushed:", d.Pushed)
	}
}
