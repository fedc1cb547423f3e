package batch_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/batch"
)

// Run compiles every IKEv2 VPN configuration of files and folders with one
// Compiler, one profile per entity.
func ExampleRun() {
	out, err := os.MkdirTemp("", "profiles")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(out)

	var opts graph2mobileconfig.Options
	opts.Compile.IdentifierPrefix = "com.contoso.vpn"
	c, _, err := graph2mobileconfig.New(opts)
	if err != nil {
		log.Fatal(err)
	}
	sum, err := batch.Run(context.Background(), []string{"../fixtures/psk-ondemand/input.json", "../fixtures/proxy-pac/input.json"}, batch.Options{
		Compiler: c,
		OutDir:   out,
		Jobs:     2,
		OnEntry: func(e batch.Entry) {
			fmt.Println(e.Status, filepath.Base(e.Output))
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum.Compiled, "compiled,", sum.Failed, "failed")
	// Output:
	// compiled ios-warehouse-scanners-vpn-psk-360b63d4.mobileconfig
	// compiled ios-branch-vpn-with-pac-proxy-cfee3fa4.mobileconfig
	// 2 compiled, 0 failed
}
