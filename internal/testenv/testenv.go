// Package testenv lets tests that need a tool or a privilege of the machine
// skip with one clear line on a developer's machine, and fail under CI
// (CI=true), where .ci/run installs everything the suite needs: a test that
// silently skips in CI protects nothing.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run under CI (the environment variable CI
// is "true", as .ci/run and most CI services set it).
func InCI() bool { return os.Getenv("CI") == "true" }

// SkipOrFail skips the test with reason, or fails it under CI.
func SkipOrFail(tb testing.TB, reason string) {
	tb.Helper()
	if InCI() {
		tb.Fatalf("%s (CI=true: .ci/run must provide it)", reason)
		return
	}
	tb.Skip(reason)
}

// Tool returns the path of the named program, skipping the test (failing it
// under CI) when it is not on PATH; what names what the test uses it for.
func Tool(tb testing.TB, name, what string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		SkipOrFail(tb, name+" is not on PATH; "+what+" is skipped")
	}
	return path
}

// Root skips the test (failing it under CI) unless it runs as root; what
// names what needs root.
func Root(tb testing.TB, what string) {
	tb.Helper()
	if os.Geteuid() != 0 {
		SkipOrFail(tb, "not running as root; "+what+" is skipped")
	}
}
