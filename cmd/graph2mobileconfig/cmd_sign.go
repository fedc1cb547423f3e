package main

import "github.com/urfave/cli/v2"

// signCommand is not built yet.
func signCommand(e env) *cli.Command { return nil }
