// Command graph2mobileconfig compiles Microsoft Graph (Intune) exports of
// IKEv2 VPN configurations into signed Apple configuration profiles.
//
// Exit status: 0 on success (warnings allowed), 1 when the input or the
// mapping has errors (nothing is written), 2 on usage errors.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// env is what a run of the program sees of its surroundings; tests give their
// own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// stderrIsTerminal enables progress bars.
	stderrIsTerminal bool
}

func main() {
	e := env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, stderrIsTerminal: isTerminal(os.Stderr)}
	os.Exit(run(os.Args, e))
}

// usageError marks a mistake in how the command was called (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// failure marks an error that has already been reported in full (exit 1).
type failure struct{}

func (failure) Error() string { return "failed" }

func run(args []string, e env) int {
	app := newApp(e)
	err := app.Run(interspersed(app, args))
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, new(failure)):
		return exitError
	case errors.As(err, new(usageError)):
		fmt.Fprintf(e.stderr, "graph2mobileconfig: %v\n", err)
		fmt.Fprintf(e.stderr, "Run 'graph2mobileconfig help' for usage.\n")
		return exitUsage
	default:
		var ec cli.ExitCoder
		if errors.As(err, &ec) {
			if msg := strings.TrimSpace(err.Error()); msg != "" {
				fmt.Fprintf(e.stderr, "graph2mobileconfig: %s\n", msg)
			}
			return ec.ExitCode()
		}
		fmt.Fprintf(e.stderr, "graph2mobileconfig: %v\n", err)
		return exitError
	}
}

func newApp(e env) *cli.App {
	app := &cli.App{
		Name:  "graph2mobileconfig",
		Usage: "compile Intune (Microsoft Graph) IKEv2 VPN exports into signed iOS/iPadOS configuration profiles",
		Description: "graph2mobileconfig turns an exported microsoft.graph.iosikEv2VpnConfiguration into a\n" +
			"com.apple.vpn.managed profile that follows Apple's schema, signs it, and delivers it through an MDM.\n" +
			"Every Graph setting is either carried to the right Apple key or explained in a diagnostic.",
		Reader:                    e.stdin,
		Writer:                    e.stdout,
		ErrWriter:                 e.stderr,
		HideVersion:               true,
		DisableSliceFlagSeparator: true,
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{err.Error()}
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usagef("unknown command %q", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		ExitErrHandler: func(*cli.Context, error) {},
	}
	app.Commands = commands(e)
	for _, c := range app.Commands {
		c.OnUsageError = app.OnUsageError
	}
	return app
}
