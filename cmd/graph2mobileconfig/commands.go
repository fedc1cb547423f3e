package main

import "github.com/urfave/cli/v2"

// commands lists the subcommands in the order help shows them. Each lives in
// its own cmd_*.go file; a constructor that returns nil is not offered.
func commands(e env) []*cli.Command {
	// The documentation commands describe the program itself, built anew
	// without arguments.
	docs := func() *cli.App { return newApp(e, nil) }
	all := []*cli.Command{
		compileCommand(e),
		batchCommand(e),
		signCommand(e),
		verifyCommand(e),
		inspectCommand(e),
		unsignCommand(e),
		lintCommand(e),
		mappingCommand(e),
		mdmCommandCommand(e),
		deployCommand(e),
		serverConfigCommand(e),
		dialCommand(e),
		versionCommand(e),
		completionCommand(e, docs),
		manCommand(e, docs),
	}
	out := all[:0]
	for _, c := range all {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}
