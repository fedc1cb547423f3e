package main

import "github.com/urfave/cli/v2"

// deployCommand is not built yet.
func deployCommand(e env) *cli.Command { return nil }
