package strongswan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// charonCandidates are where distributions install the IKE daemon:
// charon-systemd (Debian's charon-systemd package) first, then the classic
// charon of the starter packages.
var charonCandidates = []string{
	"/usr/sbin/charon-systemd",
	"/usr/lib/ipsec/charon",
	"/usr/libexec/ipsec/charon",
	"/usr/libexec/strongswan/charon",
}

// FindCharon returns the path of the strongSwan IKE daemon, or an error
// that says how to install it.
func FindCharon() (string, error) {
	if p, err := exec.LookPath("charon-systemd"); err == nil {
		return p, nil
	}
	for _, p := range charonCandidates {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New("strongSwan's IKE daemon (charon) is not installed; on Debian or Ubuntu: apt-get install charon-systemd libcharon-extra-plugins libstrongswan-extra-plugins")
}

// charonPlugins are the plugins a private charon loads. Loading an explicit
// list keeps out the plugins that would touch the host (resolve rewrites
// resolv.conf, updown runs scripts, dhcp and farp talk to the LAN, stroke
// and the default VICI socket live in /run). kernel-libipsec does ESP in
// user space through a TUN device, so no kernel IPsec policy (which would
// capture the host's traffic) is installed; kernel-netlink is still needed
// for addresses and interfaces.
var charonPlugins = []string{
	"random", "nonce", "x509", "revocation", "constraints", "pubkey", "pkcs1", "pkcs7", "pkcs8", "pkcs12", "pem",
	"openssl", "gmp", "curve25519", "aes", "des", "sha1", "sha2", "md4", "md5", "hmac", "kdf", "gcm", "chapoly", "drbg",
	"mgf1", "xcbc", "cmac", "ctr", "ccm", "kernel-libipsec", "kernel-netlink", "socket-default", "vici",
	"eap-identity", "eap-mschapv2", "eap-tls", "attr",
}

// isolatedRoutingTable and isolatedRouteMark keep a private charon's routes
// away from the host: its routing table (not 220, which a system charon
// uses) is selected only for packets with a firewall mark nobody sets.
const (
	isolatedRoutingTable = 2147483000
	isolatedRouteMark    = 0x67326d63 // "g2mc"
)

// DaemonOptions configure a private charon.
type DaemonOptions struct {
	// Dir holds the daemon's strongswan.conf, VICI socket and log; it must
	// exist and should be private (mode 0700).
	Dir string
	// Charon is the daemon binary; empty means FindCharon.
	Charon string
	// Netns runs the daemon in this network namespace (ip netns exec).
	Netns string
	// InstallRoutes lets the daemon install routes and the virtual IP;
	// without it the host's routing is not touched.
	InstallRoutes bool
	// FollowRedirects is charon.follow_redirects (DisableRedirect).
	FollowRedirects bool
	// KeepAlive is charon.keep_alive (NATKeepAliveInterval); 0 keeps
	// strongSwan's default.
	KeepAlive time.Duration
	// Revocation loads the revocation plugin
	// (EnableCertificateRevocationCheck).
	Revocation bool
	// TLSMin and TLSMax are libtls.version.min/max (EAP-TLS).
	TLSMin, TLSMax string
	// Retransmit bounds how long an unanswered IKE request is retransmitted
	// before the daemon gives up; 0 keeps strongSwan's default (about
	// 165 s).
	Retransmit time.Duration
	// Responder makes the daemon listen on the IKE ports 500 and 4500
	// (a server); an initiator uses random ports so that it never collides
	// with an IKE daemon already running on the host.
	Responder bool
	// LogLevel is the file log level of the ike, cfg, knl and tls groups
	// (default 2).
	LogLevel int
	// Settings are further charon settings (strongswan.conf keys below
	// "charon", such as "port_nat_t"), for what the options above do not
	// cover.
	Settings map[string]string
}

// Daemon is a private charon started by StartDaemon.
type Daemon struct {
	// Socket is the VICI socket path.
	Socket string
	// LogPath is the daemon's log file.
	LogPath string
	// ConfPath is its strongswan.conf.
	ConfPath string
	cmd      *exec.Cmd
	done     chan struct{}
	waitErr  error
	output   *lockedBuffer
}

// lockedBuffer collects a process's output while others may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// StrongswanConf returns the strongswan.conf of a private charon.
func StrongswanConf(opts DaemonOptions) string {
	socket := filepath.Join(opts.Dir, "charon.vici")
	logPath := filepath.Join(opts.Dir, "charon.log")
	level := opts.LogLevel
	if level == 0 {
		level = 2
	}
	var w confWriter
	w.comment("strongswan.conf of a private charon started by graph2mobileconfig")
	w.open("charon")
	w.kv("load_modular", "no")
	plugins := charonPlugins
	if !opts.Revocation {
		plugins = without(plugins, "revocation")
	}
	w.kv("load", strings.Join(plugins, " "))
	if !opts.Responder {
		w.kv("port", "0")
		w.kv("port_nat_t", "0")
	}
	w.kv("install_routes", yesNo(opts.InstallRoutes))
	// kernel-libipsec routes a CHILD_SA's packets from the virtual IP on
	// its TUN device, so the virtual IP is installed there; the device
	// belongs to this charon and goes away with it.
	w.kv("install_virtual_ip", "yes")
	if !opts.InstallRoutes {
		// kernel-libipsec installs the routes of its policies whatever
		// install_routes says (strongSwan 5.9.8). They go to a table of
		// their own, and the rule that would make the host use that table
		// applies only to packets carrying a firewall mark that nothing
		// sets, so the host's routing stays as it was.
		w.comment("routes go to a table the host never consults (see kernel-netlink.fwmark)")
		w.kv("routing_table", fmt.Sprint(isolatedRoutingTable))
		w.kv("routing_table_prio", fmt.Sprint(isolatedRoutingTable%30000+1000))
	}
	w.kv("follow_redirects", yesNo(opts.FollowRedirects))
	if opts.KeepAlive > 0 {
		w.kv("keep_alive", duration(opts.KeepAlive))
	}
	if opts.Retransmit > 0 {
		// Wait 1 s, then 1.5 s, 2.25 s, ... until the budget is spent.
		tries, total, wait := 0, 0.0, 1.0
		for total+wait <= opts.Retransmit.Seconds() && tries < 10 {
			total += wait
			wait *= 1.5
			tries++
		}
		if tries > 0 {
			tries-- // the first send is not a retransmit
		}
		w.kv("retransmit_timeout", "1")
		w.kv("retransmit_base", "1.5")
		w.kv("retransmit_tries", fmt.Sprint(tries))
	}
	for _, k := range slices.Sorted(maps.Keys(opts.Settings)) {
		w.kv(k, opts.Settings[k])
	}
	w.open("plugins")
	w.open("vici")
	w.kv("socket", "unix://"+socket)
	w.close()
	if !opts.InstallRoutes {
		w.open("kernel-netlink")
		w.kv("fwmark", fmt.Sprintf("0x%x", isolatedRouteMark))
		w.close()
	}
	w.close()
	w.open("filelog")
	w.open("log")
	w.kv("path", logPath)
	w.kv("time_format", "%H:%M:%S")
	w.kv("flush_line", "yes")
	w.kv("default", "1")
	for _, g := range []string{"ike", "cfg", "tls", "knl"} {
		w.kv(g, fmt.Sprint(level))
	}
	w.close()
	w.close()
	w.open("journal")
	w.kv("default", "-1")
	w.close()
	w.open("syslog")
	w.open("daemon")
	w.kv("default", "-1")
	w.close()
	w.close()
	w.close()
	if opts.TLSMin != "" || opts.TLSMax != "" {
		w.open("libtls")
		w.open("version")
		if opts.TLSMin != "" {
			w.kv("min", opts.TLSMin)
		}
		if opts.TLSMax != "" {
			w.kv("max", opts.TLSMax)
		}
		w.close()
		w.close()
	}
	return w.String()
}

// ErrLinuxOnly is returned on other systems by what starts or drives a
// charon: dial and the private charon run on Linux only.
var ErrLinuxOnly = errors.New("strongSwan's charon is driven on Linux only")

// StartDaemon starts a private charon and waits until its VICI socket
// answers. Stop it with Stop.
func StartDaemon(ctx context.Context, opts DaemonOptions) (*Daemon, error) {
	if err := checkPlatform(); err != nil {
		return nil, err
	}
	if opts.Dir == "" {
		return nil, errors.New("no folder for the private charon")
	}
	charon := opts.Charon
	if charon == "" {
		var err error
		if charon, err = FindCharon(); err != nil {
			return nil, err
		}
	}
	d := &Daemon{
		Socket:   filepath.Join(opts.Dir, "charon.vici"),
		LogPath:  filepath.Join(opts.Dir, "charon.log"),
		ConfPath: filepath.Join(opts.Dir, "strongswan.conf"),
		done:     make(chan struct{}),
		output:   &lockedBuffer{},
	}
	if err := os.WriteFile(d.ConfPath, []byte(StrongswanConf(opts)), 0o600); err != nil {
		return nil, err
	}
	args := []string{charon}
	if opts.Netns != "" {
		ip, err := exec.LookPath("ip")
		if err != nil {
			return nil, errors.New("running charon in a network namespace needs the ip command (iproute2)")
		}
		args = append([]string{ip, "netns", "exec", opts.Netns}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "STRONGSWAN_CONF="+d.ConfPath)
	cmd.Stdout, cmd.Stderr = d.output, d.output
	cmd.Dir = opts.Dir
	// Its own process group, so that a Ctrl-C meant for us reaches it only
	// through Stop, after the IKE SA is deleted; and a SIGTERM from the
	// kernel should this process die without stopping it.
	cmd.SysProcAttr = charonProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", charon, err)
	}
	d.cmd = cmd
	go func() {
		d.waitErr = cmd.Wait()
		close(d.done)
	}()

	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("unix", d.Socket, time.Second)
		if err == nil {
			conn.Close()
			return d, nil
		}
		select {
		case <-d.done:
			return nil, fmt.Errorf("charon (%s) stopped at start: %v%s", charon, d.waitErr, d.tail())
		case <-ctx.Done():
			d.Stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			d.Stop()
			return nil, fmt.Errorf("charon (%s) did not open its VICI socket %s within 10 s%s", charon, d.Socket, d.tail())
		}
	}
}

// PID is the daemon's process id.
func (d *Daemon) PID() int { return d.cmd.Process.Pid }

// Stop stops the daemon (SIGTERM, then SIGKILL after 5 s) and waits for it.
func (d *Daemon) Stop() error {
	select {
	case <-d.done:
		return nil
	default:
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
		return nil
	case <-time.After(5 * time.Second):
	}
	d.cmd.Process.Kill()
	<-d.done
	return errors.New("charon did not stop on SIGTERM and was killed")
}

// Log returns the daemon's log so far.
func (d *Daemon) Log() string {
	b, _ := os.ReadFile(d.LogPath)
	return string(b)
}

// tail is the end of what the daemon printed and logged, for errors.
func (d *Daemon) tail() string {
	text := strings.TrimSpace(d.output.String() + "\n" + d.Log())
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	if len(lines) > 8 {
		lines = lines[len(lines)-8:]
	}
	return ":\n  " + strings.Join(lines, "\n  ")
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}
