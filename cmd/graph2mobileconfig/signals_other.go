//go:build !unix

package main

import (
	"os"
	"syscall"
)

// stopSignals are the signals that stop the program after it removed its
// temporary files: on Windows, Ctrl-C and Ctrl-Break (both os.Interrupt)
// and the console being closed (SIGTERM).
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}
