// Command graph2mobileconfig compiles Microsoft Graph (Intune) exports of
// IKEv2 VPN configurations into signed Apple configuration profiles.
//
// Exit status: 0 on success (warnings allowed), 1 when the input or the
// mapping has errors (nothing is written), 2 on usage errors, and 128 plus
// the signal number when interrupted: 130 for SIGINT (Ctrl-C), 143 for
// SIGTERM. An interrupted run leaves no temporary file and no partial output
// behind.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/atomicfile"
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
	// tracker records the temporary files of the atomic writes in flight,
	// so that an interrupted run can remove them; nil records nothing.
	tracker *atomicfile.Tracker
}

// interruptGrace is how long an interrupted run waits for the command to
// stop on its own (a batch finishes the profiles it is signing, without
// publishing them) before it exits anyway.
const interruptGrace = 2 * time.Second

func main() {
	tracker := atomicfile.NewTracker()
	e := env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, stderrIsTerminal: isTerminal(os.Stderr), tracker: tracker}

	// A signal that the program was started with ignored (SIGINT for a
	// background job of a script, under nohup) stays ignored.
	signals := make(chan os.Signal, 2)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		if !signal.Ignored(sig) {
			signal.Notify(signals, sig)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- runContext(ctx, os.Args, e) }()

	var sig os.Signal
	select {
	case code := <-done:
		os.Exit(code)
	case sig = <-signals:
	}
	// Interrupted: stop the command, and remove every temporary file now,
	// so that nothing is left even if the command does not return. From
	// here on the tracker removes each new temporary file as soon as it is
	// created, so an output that was not renamed into place yet never
	// will be. Then give the command a moment to return, so that its
	// writes in flight end before the program does.
	cancel()
	tracker.RemoveAll()
	select {
	case <-done:
	case <-signals: // a second signal: do not wait any longer
	case <-time.After(interruptGrace):
	}
	fmt.Fprintln(os.Stderr, "graph2mobileconfig: interrupted")
	os.Exit(signalExitStatus(sig))
}

// signalExitStatus is the exit status of a program stopped by sig, as shells
// report it: 128 plus the signal number.
func signalExitStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
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

// run runs the program with the given arguments and returns its exit status.
func run(args []string, e env) int {
	return runContext(context.Background(), args, e)
}

// runContext is run with a context that is cancelled when the program is
// interrupted; commands see it as cli.Context.Context. The errors of an
// interrupted command are not printed: they are consequences of the
// interrupt, which main reports.
func runContext(ctx context.Context, args []string, e env) int {
	app := newApp(e)
	err := app.RunContext(ctx, interspersed(app, args))
	switch {
	case err == nil:
		return exitOK
	case ctx.Err() != nil:
		return exitError
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
