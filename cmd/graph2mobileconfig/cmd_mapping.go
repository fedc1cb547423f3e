package main

import (
	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
)

// mappingCommand prints the mapping table that drives the compiler.
func mappingCommand(e env) *cli.Command {
	return &cli.Command{
		Name:  "mapping",
		Usage: "print the Graph → Apple mapping table the compiler uses",
		Description: "Every Graph property of microsoft.graph.iosikEv2VpnConfiguration, the Apple key it becomes\n" +
			"(or why it is ignored), the value conversion and the minimum iOS version of the key.\n" +
			"docs/MAPPING.md is this output in Markdown.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print the table as JSON instead of Markdown"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usagef("mapping takes no arguments")
			}
			if c.Bool("json") {
				return compiler.WriteMappingJSON(e.stdout)
			}
			return compiler.WriteMappingMarkdown(e.stdout)
		},
	}
}
