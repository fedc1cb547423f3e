// Command graph2mobileconfig compiles Microsoft Graph (Intune) exports of
// IKEv2 VPN configurations into signed Apple configuration profiles.
//
// Exit status: 0 on success (warnings allowed), 1 when the input or the
// mapping has errors (nothing is written), 2 on usage errors, 3 when deploy
// queued every command but could not confirm every push, and 128 plus the
// signal number when stopped by a signal: 129 for SIGHUP (a closed
// terminal), 130 for SIGINT (Ctrl-C), 141 for SIGPIPE (standard output or
// error is a pipe whose reader went away, as with "| head"), 143 for
// SIGTERM. A stopped run leaves no temporary file and no partial output
// behind. A bug that panics is reported in one line with exit status 1; 2
// can also mean that the Go runtime itself gave up (it ran out of stack or
// memory), which no input should cause.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
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
	// exitNotPushed: deploy queued every command, but a push failed or
	// its result is unknown.
	exitNotPushed = 3
)

// env is what a run of the program sees of its surroundings; tests give their
// own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// stderrColumns returns the width of the terminal standard error
	// writes to; nil when standard error is not a terminal. A progress
	// bar is drawn only on a terminal.
	stderrColumns func() int
	// askPassword asks for a password on the terminal, without echo; nil
	// when standard input is not a terminal, where a missing password is
	// an error instead.
	askPassword func(prompt string) (string, error)
	// tracker records the temporary files of the atomic writes in flight,
	// so that an interrupted run can remove them; nil records nothing.
	tracker *atomicfile.Tracker
	// inputs records the files the run reads, which its outputs must not
	// replace; runContext makes a new one for each run.
	inputs *inputFiles
}

// interruptGrace is how long an interrupted run waits for the command to
// stop on its own (a batch finishes the profiles it is signing, without
// publishing them) before it exits anyway.
const interruptGrace = 2 * time.Second

func main() {
	// A batch allocates about 25 KB per profile and keeps only a few MB
	// live, so at Go's default GOGC=100 the collector runs every hundred
	// profiles or so. At 150 it runs a third less often: a fifth less CPU
	// for a batch, for about 1 MB more memory, within the memory targets
	// (docs/PERFORMANCE.md). GOGC in the environment still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(150)
	}
	tracker := atomicfile.NewTracker()
	signals := make(chan os.Signal, 4)

	// A write to a closed pipe on standard output or error would end the
	// program at once, by SIGPIPE, leaving its temporary files behind. With
	// SIGPIPE ignored such a write fails with EPIPE instead, which
	// pipeWatch turns into a stop like any other signal. (Network
	// connections, which get SIGPIPE too, see only the error, as Go
	// programs always do.)
	signal.Ignore(syscall.SIGPIPE)
	var pipeOnce sync.Once
	stdout := pipeWatch{f: os.Stdout, stop: signals, once: &pipeOnce}
	stderr := pipeWatch{f: os.Stderr, stop: signals, once: &pipeOnce}
	e := env{stdin: os.Stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, tracker: tracker,
		askPassword: passwordPrompt(os.Stdin, stderr)}
	if t := terminalOf(os.Stderr); t != nil {
		e.stderrColumns = t.width
	}

	// A signal that the program was started with ignored (SIGINT for a
	// background job of a script, SIGHUP under nohup) stays ignored.
	for _, sig := range stopSignals {
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
	// Stopped: cancel the command, and remove every temporary file now,
	// so that nothing is left even if the command does not return. From
	// here on the tracker refuses to create or publish any file, so an
	// output that was not in place yet never will be. Then give the
	// command a moment to return, so that its writes in flight end before
	// the program does.
	cancel()
	tracker.RemoveAll()
	select {
	case <-done:
	case <-signals: // a second signal: do not wait any longer
	case <-time.After(interruptGrace):
	}
	// Standard error may be the closed pipe or terminal that stopped the
	// run; then this line goes nowhere, harmlessly.
	if sig == syscall.SIGPIPE {
		fmt.Fprintln(os.Stderr, "graph2mobileconfig: stopped: the pipe the output went to was closed")
	} else {
		fmt.Fprintln(os.Stderr, "graph2mobileconfig: interrupted")
	}
	os.Exit(signalExitStatus(sig))
}

// pipeWatch is standard output or error: a write that fails because the
// reading end of the pipe was closed (EPIPE) stops the program as SIGPIPE
// would, through main's signal channel, after the cleanup every signal
// gets.
type pipeWatch struct {
	f    *os.File
	stop chan<- os.Signal
	once *sync.Once
}

func (w pipeWatch) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if errors.Is(err, syscall.EPIPE) {
		w.once.Do(func() {
			select {
			case w.stop <- syscall.SIGPIPE:
			default:
			}
		})
	}
	return n, err
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
type usageError struct {
	msg string
	// command is the command whose usage was wrong; empty for the
	// program's own flags.
	command string
}

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{msg: fmt.Sprintf(format, args...)}
}

// done marks a run that has finished its work before any command ran
// (--version), with exit status 0.
type done struct{}

func (done) Error() string { return "done" }

// failure marks an error that has already been reported in full (exit 1).
type failure struct{}

func (failure) Error() string { return "failed" }

// notPushed marks a deploy whose commands were all queued but whose pushes
// were not all sent, already reported in full (exit 3).
type notPushed struct{}

func (notPushed) Error() string { return "not pushed" }

// panicMessage is a recovered panic value as one line.
func panicMessage(v any) string {
	return strings.Join(strings.Fields(fmt.Sprint(v)), " ")
}

// run runs the program with the given arguments and returns its exit status.
func run(args []string, e env) int {
	return runContext(context.Background(), args, e)
}

// runContext is run with a context that is cancelled when the program is
// interrupted; commands see it as cli.Context.Context. The errors of an
// interrupted command are not printed: they are consequences of the
// interrupt, which main reports.
//
// A panic, which is a bug whatever the input, is reported in one line and
// gives exit status 1; goroutines that commands start recover their own
// panics and report them as errors.
func runContext(ctx context.Context, args []string, e env) (code int) {
	if e.inputs == nil {
		e.inputs = &inputFiles{}
	}
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(e.stderr, "graph2mobileconfig: internal error (a bug, whatever the input; please report it): %s\n", panicMessage(v))
			code = exitError
		}
	}()
	app := newApp(e, args)
	err := app.RunContext(ctx, args)
	var usage usageError
	switch {
	case err == nil, errors.As(err, new(done)):
		return exitOK
	case ctx.Err() != nil:
		return exitError
	case errors.As(err, new(failure)):
		return exitError
	case errors.As(err, new(notPushed)):
		return exitNotPushed
	case errors.As(err, &usage):
		if usage.command != "" {
			fmt.Fprintf(e.stderr, "graph2mobileconfig %s: %v\n", usage.command, err)
		} else {
			fmt.Fprintf(e.stderr, "graph2mobileconfig: %v\n", err)
		}
		fmt.Fprintln(e.stderr, usageHint(usage.command))
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

// newApp builds the program for one run; args are the run's arguments,
// which shell completion looks at.
func newApp(e env, args []string) *cli.App {
	app := &cli.App{
		Name:  "graph2mobileconfig",
		Usage: "compile Intune (Microsoft Graph) IKEv2 VPN exports into signed iOS/iPadOS configuration profiles",
		Description: "graph2mobileconfig turns an exported microsoft.graph.iosikEv2VpnConfiguration into a\n" +
			"com.apple.vpn.managed profile that follows Apple's schema, signs it, and delivers it through an MDM.\n" +
			"Every Graph setting is either carried to the right Apple key or explained in a diagnostic.\n\n" +
			outputRule + "\n\n" +
			"Flags may come before or after the arguments; -- ends the flags. Exit status: 0 success, 1 errors\n" +
			"in an input or a check, 2 usage errors, 3 deploy queued but not every push confirmed, 128+N\n" +
			"stopped by signal N.",
		Reader:                    e.stdin,
		Writer:                    e.stdout,
		ErrWriter:                 e.stderr,
		HideVersion:               true,
		DisableSliceFlagSeparator: true,
		EnableBashCompletion:      true,
		BashComplete:              completeProgram(args),
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "version", Usage: "print the version (as the version command does) and exit"},
		},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError{msg: err.Error()}
		},
		Before: func(c *cli.Context) error {
			if c.Bool("version") {
				printVersion(e.stdout, currentVersion())
				return done{}
			}
			return nil
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
		// Flags are parsed by parseCommandLine, so that they may follow
		// the arguments (args.go says why).
		c.SkipFlagParsing = true
		c.Flags = append(c.Flags, deprecatedFlags(c.Name)...)
		c.Action = commandAction(e, c.Action)
		c.BashComplete = completeCommand(c)
		markFileFlags(c.Flags)
		c.CustomHelpTemplate = helpTemplate(c.Name)
	}
	return app
}
