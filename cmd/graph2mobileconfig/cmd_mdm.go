package main

import "github.com/urfave/cli/v2"

// mdmCommandCommand is not built yet.
func mdmCommandCommand(e env) *cli.Command { return nil }
