package main

import "github.com/urfave/cli/v2"

// verifyCommand is not built yet.
func verifyCommand(e env) *cli.Command { return nil }
