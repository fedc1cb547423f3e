package main

import "github.com/urfave/cli/v2"

// unsignCommand is not built yet.
func unsignCommand(e env) *cli.Command { return nil }
