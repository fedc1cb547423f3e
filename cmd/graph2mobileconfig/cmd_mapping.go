package main

import "github.com/urfave/cli/v2"

// mappingCommand is not built yet.
func mappingCommand(e env) *cli.Command { return nil }
