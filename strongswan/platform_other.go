//go:build !linux

package strongswan

import (
	"fmt"
	"runtime"
	"syscall"
)

// checkPlatform refuses to start a private charon: strongSwan's charon with
// kernel-libipsec, network namespaces and a parent-death signal are what
// this package drives, and they are Linux's.
func checkPlatform() error {
	return fmt.Errorf("%w (this is %s)", ErrLinuxOnly, runtime.GOOS)
}

func charonProcAttr() *syscall.SysProcAttr { return nil }
