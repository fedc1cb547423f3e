package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

func manCommand(e env, app func() *cli.App) *cli.Command {
	return &cli.Command{
		Name:  "man",
		Usage: "print the manual page (roff), as docs/graph2mobileconfig.1 holds it",
		Description: "Prints the manual page, generated from the same definitions as the help of every command.\n" +
			"Read it with: graph2mobileconfig man | man -l -",
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usagef("man takes no arguments")
			}
			page, err := manPage(app())
			if err != nil {
				return err
			}
			_, err = e.stdout.Write([]byte(page))
			return err
		},
	}
}

// manPage renders the manual page with the library's ToMan, from app with
// each command's description and examples moved to where the library's
// manual template shows text: the usage (a paragraph) and the usage text
// (a literal block).
func manPage(app *cli.App) (string, error) {
	app.Description = manEscape(app.Description) + "\n\n" + manSections
	escapeFlagUsages(app.Flags)
	for _, c := range app.Commands {
		escapeFlagUsages(c.Flags)
		usage := c.Usage + "."
		if c.Description != "" {
			usage += "\n\n" + manEscape(c.Description)
		}
		c.Usage = usage
		var text strings.Builder
		text.WriteString("graph2mobileconfig " + c.Name + " [options]")
		if c.ArgsUsage != "" {
			text.WriteString(" " + c.ArgsUsage)
		}
		if ex := commandExamples(c.Name); len(ex) > 0 {
			text.WriteString("\n\nExamples:\n")
			for _, x := range ex {
				text.WriteString("\n# " + x.about + "\n" + x.cmd + "\n")
			}
		}
		c.UsageText = text.String()
	}
	return app.ToManWithSection(1)
}

// manEscape keeps Markdown from reading the help's plain text as markup:
// indented lines stay lines, and characters Markdown would take for
// emphasis or HTML are escaped.
func manEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", `\<`, "[", `\[`)
	lines := strings.Split(r.Replace(s), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "  ") {
			// A line of a list: its own line in the page.
			lines[i] = "\n" + strings.TrimSpace(l)
		}
	}
	return strings.Join(lines, "\n")
}

// manSections are the sections of the manual page that the help of no one
// command holds.
const manSections = `## ENVIRONMENT

GRAPH2MOBILECONFIG\_IDENTITY\_PASSWORD, GRAPH2MOBILECONFIG\_SIGN\_PASSWORD, GRAPH2MOBILECONFIG\_DECRYPT\_PASSWORD,
GRAPH2MOBILECONFIG\_EAP\_PASSWORD: passwords, when the matching --*-password-file flag is not given
(a password file may be -, standard input). On a terminal, a password that is needed and not given is
asked for, without echo. GRAPH2MOBILECONFIG\_MDM\_API\_KEY: the API key of deploy.
Passwords and keys are never taken from flag values.

## EXIT STATUS

0 success (warnings allowed; verify: every check passed). 1 errors in an input, the mapping, a signer,
a file or the server's answer; nothing is written. 2 usage errors. 3 deploy: every command was queued
but not every push was confirmed. 128+N stopped by signal N, with no temporary file left behind.

## SEE ALSO

The README, docs/MAPPING.md and docs/STRONGSWAN.md of github.com/graph2mobileconfig/graph2mobileconfig.

## USAGE

graph2mobileconfig COMMAND --help shows the help of one command, with its examples, as the COMMANDS
section below does for all of them.
`

// escapeFlagUsages escapes the usage of flags for the Markdown the manual
// page is made from (the library writes them as they are); the backquotes
// around a placeholder (`FILE`) stay, and show it as code.
func escapeFlagUsages(flags []cli.Flag) {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "<", `\<`, "[", `\[`)
	for _, f := range flags {
		switch f := f.(type) {
		case *cli.StringFlag:
			f.Usage = r.Replace(f.Usage)
		case *cli.StringSliceFlag:
			f.Usage = r.Replace(f.Usage)
		case *cli.BoolFlag:
			f.Usage = r.Replace(f.Usage)
		case *cli.IntFlag:
			f.Usage = r.Replace(f.Usage)
		case *cli.Int64Flag:
			f.Usage = r.Replace(f.Usage)
		case *cli.DurationFlag:
			f.Usage = r.Replace(f.Usage)
		}
	}
}
