package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// A flag name has one meaning in every command. Names that had two (--ca:
// the CA embedded for the VPN server in compile, the signer's trust root in
// verify) or stood for a choice that is now a flag of its own (--format,
// --diagnostics) were renamed; the old spellings still work, hidden from
// help and completion, with a notice that names the new one.

// deprecation is an old spelling of a flag in one command.
type deprecation struct {
	// flag is the old spelling, hidden.
	flag cli.Flag
	// apply gives the old spelling's value to the new flag and returns the
	// notice, which names the new spelling.
	apply func(c *cli.Context) (string, error)
}

// deprecations lists the old spellings that command accepts.
func deprecations(command string) []deprecation {
	var out []deprecation
	switch command {
	case "compile", "batch", "server-config", "dial":
		out = append(out, renamedSlice("ca", "server-ca"))
	case "verify":
		out = append(out, renamedSlice("ca", "roots"))
	case "mdm-command":
		out = append(out, renamedString("format", "mdm"))
	case "mapping":
		out = append(out, choiceToBool("format", "json", "json", "markdown", "md"))
	}
	switch command {
	case "compile", "batch", "server-config":
		out = append(out,
			renamedString("format", "plist-format"),
			choiceToBool("diagnostics", "json", "json", "text", ""))
	}
	return out
}

// deprecatedFlags returns the hidden flags of command's old spellings.
func deprecatedFlags(command string) []cli.Flag {
	var flags []cli.Flag
	for _, d := range deprecations(command) {
		flags = append(flags, d.flag)
	}
	return flags
}

// applyDeprecated gives the values of the old spellings used to their new
// flags, with a notice for each.
func applyDeprecated(c *cli.Context, e env) error {
	for _, d := range deprecations(c.Command.Name) {
		if !c.IsSet(d.flag.Names()[0]) {
			continue
		}
		notice, err := d.apply(c)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "graph2mobileconfig: warning: %s; the old spelling will be removed in a later release\n", notice)
	}
	return nil
}

// renamedSlice is a repeatable flag renamed: its values join the new
// flag's.
func renamedSlice(old, name string) deprecation {
	return deprecation{
		flag: &cli.StringSliceFlag{Name: old, Hidden: true},
		apply: func(c *cli.Context) (string, error) {
			for _, v := range c.StringSlice(old) {
				if err := c.Set(name, v); err != nil {
					return "", err
				}
			}
			return fmt.Sprintf("%s is deprecated in %s: use %s", dashed(old), c.Command.Name, dashed(name)), nil
		},
	}
}

// renamedString is a flag renamed.
func renamedString(old, name string) deprecation {
	return deprecation{
		flag: &cli.StringFlag{Name: old, Hidden: true},
		apply: func(c *cli.Context) (string, error) {
			if c.IsSet(name) {
				return "", usagef("%s is the old spelling of %s; give %s only", dashed(old), dashed(name), dashed(name))
			}
			if err := c.Set(name, c.String(old)); err != nil {
				return "", err
			}
			return fmt.Sprintf("%s is deprecated in %s: use %s", dashed(old), c.Command.Name, dashed(name)), nil
		},
	}
}

// choiceToBool is a flag whose value chose between a default and what is
// now the boolean flag name: --diagnostics json is --json.
func choiceToBool(old, name, yes string, no ...string) deprecation {
	return deprecation{
		flag: &cli.StringFlag{Name: old, Hidden: true},
		apply: func(c *cli.Context) (string, error) {
			v := strings.ToLower(c.String(old))
			switch {
			case v == yes:
				if err := c.Set(name, "true"); err != nil {
					return "", err
				}
				return fmt.Sprintf("%s %s is deprecated: use %s", dashed(old), v, dashed(name)), nil
			case slices.Contains(no, v):
				return fmt.Sprintf("%s %s is deprecated: it is the default, leave it out", dashed(old), v), nil
			}
			return "", usagef("%s %q: want %s (better: %s) or %s (the default)", dashed(old), c.String(old), yes, dashed(name), no[0])
		},
	}
}
