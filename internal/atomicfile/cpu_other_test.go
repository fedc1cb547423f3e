//go:build !unix

package atomicfile

import "time"

// cpuTime falls back to wall time where getrusage is missing.
func cpuTime() int64 { return time.Now().UnixNano() }
