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
			&cli.StringFlag{Name: "format", Value: "markdown", Usage: "markdown or json"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usagef("mapping takes no arguments")
			}
			switch c.String("format") {
			case "markdown", "md":
				return compiler.WriteMappingMarkdown(e.stdout)
			case "json":
				return compiler.WriteMappingJSON(e.stdout)
			}
			return usagef("--format %q: want markdown or json", c.String("format"))
		},
	}
}
