package main

import "github.com/urfave/cli/v2"

// batchCommand is not built yet.
func batchCommand(e env) *cli.Command { return nil }
