package main

import (
	"flag"
	"fmt"
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
	before := listFolder()
	code := m.Run()
	// A command run without -o writes to the current folder, which is
	// this package's source folder: every test must name its outputs.
	for name := range listFolder() {
		if !before[name] {
			fmt.Fprintf(os.Stderr, "a test left %s in the package folder (a command run without -o?); removing it\n", name)
			os.Remove(name)
			code = 1
		}
	}
	os.Exit(code)
}

// listFolder returns the names in the current folder.
func listFolder() map[string]bool {
	entries, _ := os.ReadDir(".")
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name()] = true
	}
	return names
}
