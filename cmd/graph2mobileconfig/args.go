package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// Flags may follow positional arguments, as in the README's
// "compile corp-vpn.json -o corp-vpn.mobileconfig". urfave/cli v2 parses a
// command's flags with Go's flag package, which stops at the first
// positional argument, and has no option to go on (v3 has). So every
// command is declared with SkipFlagParsing, which hands its arguments to
// the action untouched, and parseCommandLine parses them the way the
// library would, segment by segment: a flag.FlagSet built from the
// command's own cli.Flag definitions (each Flag's Apply, as the library
// builds its set), parsed up to the next positional argument, which is
// collected, and so on. The result is a cli.Context made with
// cli.NewContext over that set, so that the commands read their flags and
// arguments through the library's usual accessors.
//
// Nothing is reordered: the arguments reach the library as they were
// typed, so its shell completion, which needs its trigger last and gives
// up after "--", sees them as the shell wrote them. "--" ends the flags
// and is never a flag's value: "compile in.json -o" and
// "compile in.json -o --" are usage errors, not a file named "--".

// parseCommandLine parses the arguments of the command c was started for
// and returns the context its action runs with, or nil when --help was
// given (the help has then been printed).
func parseCommandLine(c *cli.Context) (*cli.Context, error) {
	cmd := c.Command
	set := flag.NewFlagSet(cmd.Name, flag.ContinueOnError)
	set.SetOutput(io.Discard)
	for _, f := range cmd.Flags {
		if err := f.Apply(set); err != nil {
			return nil, err
		}
	}
	var positional []string
	rest := c.Args().Slice()
	for len(rest) > 0 {
		a := rest[0]
		switch {
		case a == "--":
			positional = append(positional, rest[1:]...)
			rest = nil
		case a == "-" || !strings.HasPrefix(a, "-"):
			positional = append(positional, a)
			rest = rest[1:]
		default:
			// The flags up to the next positional argument, but never
			// beyond "--": a flag left without its value there is an
			// error, as at the end of the line.
			end := slices.Index(rest, "--")
			if end < 0 {
				end = len(rest)
			}
			if err := set.Parse(rest[:end]); err != nil {
				return nil, usageError{msg: err.Error()}
			}
			rest = rest[end-set.NArg():]
		}
	}
	// Leave the positional arguments as the set's arguments, for
	// Context.Args; values already parsed stay.
	if err := set.Parse(append([]string{"--"}, positional...)); err != nil {
		return nil, err
	}
	if err := syncAliases(cmd, set); err != nil {
		return nil, err
	}
	nc := cli.NewContext(c.App, set, c)
	nc.Command = cmd
	if nc.Bool("help") {
		return nil, cli.ShowCommandHelp(c.Lineage()[1], cmd.Name)
	}
	return nc, runFlagActions(nc, cmd.Flags)
}

// syncAliases gives every name of a flag (--output and -o) the value given
// with one of them, and refuses both at once, as the library does.
func syncAliases(cmd *cli.Command, set *flag.FlagSet) error {
	given := map[string]bool{}
	set.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, f := range cmd.Flags {
		names := f.Names()
		if len(names) < 2 {
			continue
		}
		var from *flag.Flag
		for _, n := range names {
			if !given[n] {
				continue
			}
			if from != nil {
				return usagef("%s and %s are the same flag; give it once", dashed(from.Name), dashed(n))
			}
			from = set.Lookup(n)
		}
		if from == nil {
			continue
		}
		for _, n := range names {
			if n != from.Name {
				if err := set.Set(n, from.Value.String()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// runFlagActions runs the Action of every flag that was given, as the
// library does for the flags it parses.
func runFlagActions(c *cli.Context, flags []cli.Flag) error {
	for _, f := range flags {
		af, ok := f.(cli.ActionableFlag)
		if !ok || !slices.ContainsFunc(f.Names(), c.IsSet) {
			continue
		}
		if err := af.RunAction(c); err != nil {
			return err
		}
	}
	return nil
}

// dashed writes a flag name as it is typed: -o, --output.
func dashed(name string) string {
	if len([]rune(name)) == 1 {
		return "-" + name
	}
	return "--" + name
}

// commandAction wraps a command's action: it parses the command line,
// applies the deprecated spellings, and names the command in usage errors.
func commandAction(e env, action cli.ActionFunc) cli.ActionFunc {
	return func(c *cli.Context) error {
		err := func() error {
			nc, err := parseCommandLine(c)
			if err != nil || nc == nil {
				return err
			}
			if err := applyDeprecated(nc, e); err != nil {
				return err
			}
			if err := checkStdinUse(nc); err != nil {
				return err
			}
			return action(nc)
		}()
		var ue usageError
		if errors.As(err, &ue) && ue.command == "" {
			ue.command = c.Command.Name
			return ue
		}
		return err
	}
}

// stdinFlags are the flags whose file may be "-", standard input.
var stdinFlags = []string{"identity-password-file", "sign-password-file", "decrypt-password-file", "eap-password-file", "api-key-file", "scep-challenge-file"}

// checkStdinUse refuses to read standard input for two things: the input
// and a password, or two passwords.
func checkStdinUse(c *cli.Context) error {
	var users []string
	if slices.Contains(c.Args().Slice(), "-") {
		users = append(users, "the input")
	}
	for _, name := range stdinFlags {
		if c.String(name) == "-" {
			users = append(users, dashed(name))
		}
	}
	if len(users) > 1 {
		return usagef("standard input (-) can be read only once, but %s both read it; give the others as files", strings.Join(users, " and "))
	}
	return nil
}

// usageHint is the line that follows a usage error.
func usageHint(command string) string {
	if command == "" {
		return "Run 'graph2mobileconfig --help' for usage."
	}
	return fmt.Sprintf("Run 'graph2mobileconfig %s --help' for usage.", command)
}
