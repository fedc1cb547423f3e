package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/nanomdmtest"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testenv"
	"github.com/graph2mobileconfig/graph2mobileconfig/strongswan"
)

// The examples of the help and of the README name a NanoMDM server and
// devices the way a reader would write them; the tests put an in-process
// NanoMDM, with those devices enrolled, in their place.
const (
	exampleMDMURL   = "https://mdm.contoso.example"
	exampleMDMKey   = "nanomdm-example-api-key"
	exampleDevice1  = "00008101-000A1234ABCD001E"
	exampleDevice2  = "00008101-000A1234ABCD002E"
	exampleVPNNetns = "vpn-client"
)

// shellSandbox is a folder in which examples run as written from the top of
// a clone: fixtures/ is the repository's, the built program is on PATH, and
// a NanoMDM server stands in for mdm.contoso.example.
type shellSandbox struct {
	dir string
	bin string
	mdm *nanomdmtest.Server
	// devices are the examples' devices, enrolled in mdm.
	devices map[string]*nanomdmtest.Device
	env     []string
	subs    *strings.Replacer
}

func newShellSandbox(t *testing.T) *shellSandbox {
	t.Helper()
	testenv.Tool(t, "sh", "running the examples")
	bin := buildBinary(t)
	dir := t.TempDir()
	fixtures, err := filepath.Abs(repoPath("fixtures"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(fixtures, filepath.Join(dir, "fixtures")); err != nil {
		t.Fatal(err)
	}
	srv := nanomdmtest.Start(t, nanomdmtest.Options{APIKey: exampleMDMKey})
	devices := map[string]*nanomdmtest.Device{}
	for _, udid := range []string{exampleDevice1, exampleDevice2} {
		devices[udid] = srv.NewDevice(t, udid)
		devices[udid].Enroll(t)
	}
	writeOrFail(t, filepath.Join(dir, "nanomdm.key"), []byte(exampleMDMKey+"\n"))
	env := append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	return &shellSandbox{dir: dir, bin: bin, mdm: srv, devices: devices, env: env, subs: strings.NewReplacer(exampleMDMURL, srv.URL)}
}

// run runs script with sh -e in the sandbox and returns its output; the
// test fails unless it exits 0.
func (s *shellSandbox) run(t *testing.T, script string, extraEnv ...string) string {
	t.Helper()
	script = s.subs.Replace(script)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-e", "-c", script)
	cmd.Dir = s.dir
	cmd.Env = append(append([]string(nil), s.env...), extraEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("%s\nfailed: %v\n%s", script, err, out)
	}
	return string(out)
}

// TestHelpExamples runs every example of every command's help, in help
// order, as a user would from the top of a clone; dial's run against a real
// strongSwan server when root and strongSwan are here.
func TestHelpExamples(t *testing.T) {
	s := newShellSandbox(t)
	for _, cmd := range newApp(env{}, nil).Commands {
		examples := commandExamples(cmd.Name)
		if len(examples) == 0 {
			t.Errorf("%s has no examples", cmd.Name)
			continue
		}
		help := runCLI(t, nil, nil, cmd.Name, "--help")
		for _, x := range examples {
			if !strings.Contains(help.stdout, "\n   # "+x.about+"\n   "+x.cmd+"\n") {
				t.Errorf("%s --help does not show the example %q", cmd.Name, x.cmd)
			}
		}
		if cmd.Name == "dial" {
			t.Run("dial", func(t *testing.T) { runDialExamples(t, s, examples) })
			continue
		}
		for _, x := range examples {
			s.run(t, x.cmd)
		}
	}
	// What the examples say they write.
	for _, name := range []string{"corp-vpn.mobileconfig", "machine-cert.mobileconfig", "input.mobileconfig", "signed.mobileconfig",
		"expected.signed.mobileconfig", "encrypted.mobileconfig", "plain.mobileconfig", "signed.unsigned.mobileconfig",
		"signed.install.plist", "install.json", "remove.plist", "corp-vpn.conf", "report.json", "graph2mobileconfig.1"} {
		if _, err := os.Stat(filepath.Join(s.dir, name)); err != nil {
			t.Errorf("the examples did not write %s: %v", name, err)
		}
	}
}

// runDialExamples brings up a strongSwan server for the psk-ondemand
// fixture in a network namespace at 192.0.2.1, the examples' server, and
// runs dial's examples from the client namespace.
func runDialExamples(t *testing.T, s *shellSandbox, examples []example) {
	requireStrongSwan(t)
	pair := newNetPair(t, 990)
	// The network of the split tunnel, behind the server.
	if out, err := exec.Command("ip", "-n", pair.server, "addr", "add", "10.0.0.1/8", "dev", "lo").CombinedOutput(); err != nil {
		t.Fatalf("ip addr add: %v: %s", err, out)
	}
	swanctl := filepath.Join(t.TempDir(), "swanctl")
	if err := os.MkdirAll(swanctl, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(swanctl, "swanctl.conf")
	if r := runCLI(t, nil, nil, "server-config", repoPath("fixtures", "psk-ondemand", "expected.mobileconfig"), "-o", conf, "--include-secrets", "--split-networks", "10.0.0.0/8"); r.code != exitOK {
		t.Fatalf("server-config: exit %d\n%s", r.code, r.stderr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := strongswan.StartDaemon(ctx, strongswan.DaemonOptions{Dir: t.TempDir(), Netns: pair.server, Responder: true})
	if err != nil {
		t.Fatalf("starting the server charon: %v", err)
	}
	t.Cleanup(func() { d.Stop() })
	load := exec.Command("swanctl", "--load-all", "--noprompt", "--uri", "unix://"+d.Socket)
	load.Env = append(os.Environ(), "SWANCTL_DIR="+swanctl, "STRONGSWAN_CONF="+d.ConfPath)
	if out, err := load.CombinedOutput(); err != nil {
		t.Fatalf("swanctl --load-all: %v\n%s", err, out)
	}
	for _, x := range examples {
		if !strings.Contains(x.cmd, "--netns "+exampleVPNNetns+" --server "+serverAddr) {
			t.Fatalf("dial's example does not use the test's network: %s", x.cmd)
		}
		out := s.run(t, strings.ReplaceAll(x.cmd, "--netns "+exampleVPNNetns, "--netns "+pair.client))
		if !strings.Contains(out, "CHILD SA") && !strings.Contains(out, `"ok": true`) {
			t.Errorf("%s: no tunnel:\n%s", x.cmd, out)
		}
	}
}
