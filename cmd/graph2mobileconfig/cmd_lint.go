package main

import "github.com/urfave/cli/v2"

// lintCommand is not built yet.
func lintCommand(e env) *cli.Command { return nil }
