package plistout_test

import (
	"fmt"
	"log"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// Encode writes a property list in Apple's own XML layout, keys sorted, so
// that the same model always gives the same bytes.
func ExampleEncode() {
	model := map[string]any{
		"PayloadType":    "Configuration",
		"PayloadVersion": 1,
		"Enabled":        true,
		"Certificate":    []byte{0xde, 0xad, 0xbe, 0xef},
		"Domains":        []string{"contoso.example"},
	}
	data, err := plistout.Encode(model, plistout.XML)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(data))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
	// <plist version="1.0">
	// <dict>
	// 	<key>Certificate</key>
	// 	<data>
	// 	3q2+7w==
	// 	</data>
	// 	<key>Domains</key>
	// 	<array>
	// 		<string>contoso.example</string>
	// 	</array>
	// 	<key>Enabled</key>
	// 	<true/>
	// 	<key>PayloadType</key>
	// 	<string>Configuration</string>
	// 	<key>PayloadVersion</key>
	// 	<integer>1</integer>
	// </dict>
	// </plist>
}

// Decode reads XML, binary and OpenStep property lists within fixed limits.
func ExampleDecode() {
	binary, err := plistout.Encode(map[string]any{"PayloadType": "Configuration", "PayloadVersion": 1}, plistout.Binary)
	if err != nil {
		log.Fatal(err)
	}
	root, format, err := plistout.Decode(binary)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(format, root["PayloadType"], root["PayloadVersion"])

	_, _, err = plistout.Decode([]byte("<plist><dict><key>a</key></dict></plist>"))
	fmt.Println(err)
	// Output:
	// binary Configuration 1
	// not a property list: XML line 1, column 33: a <key> in a <dict> has no value
}
