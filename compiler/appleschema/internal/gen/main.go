// Command gen regenerates compiler/appleschema/schema_gen.go from Apple's
// device-management profile YAML. It is run by go generate in that package:
//
//	go run ./internal/gen -in ../../testdata/apple-device-management -out schema_gen.go
//
// All the work is done by package schemagen, so that tests can check the
// committed file against the YAML without running this command.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema/internal/schemagen"
)

func main() {
	in := flag.String("in", "", "directory holding Apple's profile `YAML` files")
	out := flag.String("out", "", "Go `file` to write")
	flag.Parse()
	if *in == "" || *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -in DIR -out FILE")
		os.Exit(2)
	}
	src, err := schemagen.Generate(os.DirFS(*in))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
