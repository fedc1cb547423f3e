package main

import (
	"embed"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// The bash and zsh scripts are urfave/cli's own (completion/README.md);
// both ask the program for candidates by running it with the words typed so
// far and --generate-bash-completion last, which the library answers
// through the BashComplete functions below.
//
//go:embed completion/bash_autocomplete completion/zsh_autocomplete completion/LICENSE.urfave-cli
var completionFiles embed.FS

// shells are the shells completion prints a script for.
var shells = []string{"bash", "zsh", "fish"}

func completionCommand(e env, app func() *cli.App) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: "Prints a script that completes graph2mobileconfig's commands and flags in the given shell;\n" +
			"after a flag that takes a file, the shell completes file names. Load it with:\n" +
			"  bash  source <(graph2mobileconfig completion bash)        (in ~/.bashrc; needs bash-completion)\n" +
			"  zsh   source <(graph2mobileconfig completion zsh)         (in ~/.zshrc, after compinit)\n" +
			"  fish  graph2mobileconfig completion fish > ~/.config/fish/completions/graph2mobileconfig.fish\n" +
			"The bash and zsh scripts are urfave/cli's (MIT License, printed with them).",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 || !slices.Contains(shells, c.Args().First()) {
				return usagef("completion takes one shell: bash, zsh or fish")
			}
			script, err := completionScript(c.Args().First(), app())
			if err != nil {
				return err
			}
			_, err = e.stdout.Write([]byte(script))
			return err
		},
	}
}

// completionScript returns the completion script for shell.
func completionScript(shell string, app *cli.App) (string, error) {
	if shell == "fish" {
		return app.ToFishCompletion()
	}
	script, err := completionFiles.ReadFile("completion/" + shell + "_autocomplete")
	if err != nil {
		return "", err
	}
	license, err := completionFiles.ReadFile("completion/LICENSE.urfave-cli")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if shell == "zsh" {
		b.WriteString("#compdef graph2mobileconfig\n")
	}
	fmt.Fprintf(&b, "# %s completion for graph2mobileconfig: source <(graph2mobileconfig completion %s)\n", shell, shell)
	b.WriteString("# The script below is urfave/cli's autocomplete/" + shell + "_autocomplete, unchanged:\n#\n")
	for _, line := range strings.Split(strings.TrimRight(string(license), "\n"), "\n") {
		b.WriteString(strings.TrimRight("# "+line, " ") + "\n")
	}
	b.WriteString("\nPROG=graph2mobileconfig\n")
	b.Write(script)
	return b.String(), nil
}

// completeProgram answers completion before a command: the commands, or
// the program's flags for a word starting with "-". args are the run's
// arguments, the completion flag last.
func completeProgram(args []string) cli.BashCompleteFunc {
	return func(c *cli.Context) {
		if n := len(args); n >= 3 && strings.HasPrefix(args[n-2], "-") {
			printMatching(c, args[n-2], []string{"--help", "--version"})
			return
		}
		for _, cmd := range c.App.VisibleCommands() {
			fmt.Fprintln(c.App.Writer, cmd.Name)
		}
	}
}

// flagChoices are the values of the flags that take one of a few words.
var flagChoices = map[string][]string{
	"plist-format": {"xml", "binary"},
	"mdm":          {"nanomdm", "micromdm"},
}

// completeCommand answers completion within cmd. The shell scripts send the
// word being typed only when it starts with "-"; otherwise the last
// argument is the word before it. Printing nothing lets the shell complete
// file names, which is what follows a flag that takes a file, and what
// most arguments are.
func completeCommand(cmd *cli.Command) cli.BashCompleteFunc {
	return func(c *cli.Context) {
		args := c.Args().Slice()
		if i := slices.Index(args, "--"); i >= 0 || len(args) == 0 {
			if i < 0 && cmd.Name == "completion" {
				printMatching(c, "", shells)
			}
			return
		}
		last := args[len(args)-1]
		if strings.HasPrefix(last, "-") && last != "-" {
			if f := findFlag(cmd, last); f != nil && takesValue(f) {
				// A flag that wants a value, typed in full: its value
				// comes next (the word being typed, if any, was not
				// sent since it does not start with "-").
				printMatching(c, "", flagChoices[f.Names()[0]])
				return
			}
			printMatching(c, last, flagNames(cmd, args[:len(args)-1]))
		}
	}
}

// findFlag returns cmd's visible flag typed as typed ("-o", "--output").
func findFlag(cmd *cli.Command, typed string) cli.Flag {
	for _, f := range cmd.VisibleFlags() {
		for _, n := range f.Names() {
			if dashed(n) == typed {
				return f
			}
		}
	}
	return nil
}

func takesValue(f cli.Flag) bool {
	d, ok := f.(cli.DocGenerationFlag)
	return ok && d.TakesValue()
}

// flagNames lists cmd's visible flags as typed, leaving out those already
// given that cannot be repeated.
func flagNames(cmd *cli.Command, given []string) []string {
	var names []string
	for _, f := range cmd.VisibleFlags() {
		_, repeatable := f.(*cli.StringSliceFlag)
		used := false
		for _, n := range f.Names() {
			used = used || slices.ContainsFunc(given, func(a string) bool {
				return a == dashed(n) || strings.HasPrefix(a, dashed(n)+"=")
			})
		}
		if used && !repeatable {
			continue
		}
		for _, n := range f.Names() {
			names = append(names, dashed(n))
		}
	}
	return names
}

// printMatching prints the candidates that start with prefix, one a line.
func printMatching(c *cli.Context, prefix string, candidates []string) {
	for _, s := range candidates {
		if strings.HasPrefix(s, prefix) {
			fmt.Fprintln(c.App.Writer, s)
		}
	}
}

// markFileFlags sets TakesFile on the flags whose value is a file or a
// folder (their placeholder in the help says so: `FILE`, `FILE.p12`,
// `FOLDER`), so that fish completes file names after them.
func markFileFlags(flags []cli.Flag) {
	takesFile := func(usage string) bool {
		return strings.Contains(usage, "`FILE") || strings.Contains(usage, "`FOLDER")
	}
	for _, f := range flags {
		switch f := f.(type) {
		case *cli.StringFlag:
			f.TakesFile = takesFile(f.Usage)
		case *cli.StringSliceFlag:
			f.TakesFile = takesFile(f.Usage)
		}
	}
}
