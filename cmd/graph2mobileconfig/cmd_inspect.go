package main

import "github.com/urfave/cli/v2"

// inspectCommand is not built yet.
func inspectCommand(e env) *cli.Command { return nil }
