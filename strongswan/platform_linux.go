package strongswan

import "syscall"

// checkPlatform reports whether a private charon can run here: it can, on
// Linux.
func checkPlatform() error { return nil }

// charonProcAttr puts the private charon in its own process group, so that
// a Ctrl-C meant for this program reaches it only through Stop, after the
// IKE SA is deleted; and has the kernel send it SIGTERM should this process
// die without stopping it.
func charonProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
