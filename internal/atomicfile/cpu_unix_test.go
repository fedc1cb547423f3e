//go:build unix

package atomicfile

import "syscall"

// cpuTime is the user and system CPU time of the process so far, in
// nanoseconds: on a shared machine it varies much less than wall time.
func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
