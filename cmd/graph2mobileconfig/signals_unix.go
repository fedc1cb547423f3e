//go:build unix

package main

import (
	"os"
	"syscall"
)

// stopSignals are the signals that stop the program after it removed its
// temporary files: every asynchronous signal whose default is to end a Go
// program. SIGPIPE is handled through the writes that meet a closed pipe
// (see pipeWatch); SIGKILL cannot be caught, which is why new files have
// no name until they are complete where the system allows it.
var stopSignals = []os.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT,
	syscall.SIGABRT, syscall.SIGILL, syscall.SIGTRAP, syscall.SIGSYS,
}
