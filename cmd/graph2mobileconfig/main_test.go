package main

import (
	"flag"
	"os"
	"testing"
)

// strongSwanParallel is how many parallel tests run at once unless -parallel
// says otherwise. The strongSwan matrix (strongswan_cli_test.go) is made of
// parallel cells that wait on daemons and the network, not on the CPU, so
// the default of one per CPU would only make it slow.
const strongSwanParallel = "8"

func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		flag.Set("test.parallel", strongSwanParallel)
	}
	os.Exit(m.Run())
}
