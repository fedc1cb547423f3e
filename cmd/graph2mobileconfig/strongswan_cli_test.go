package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strongswan/govici/vici"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testenv"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/strongswan"
)

// The strongSwan integration tests run real charons: a server in one
// network namespace, configured with server-config's output, and dial's
// private charon in another, joined by a veth pair. They need root, the ip
// command and strongSwan (charon-systemd, swanctl); without them they skip
// with one line, except under CI=true, where they fail.

// requireStrongSwan skips (or, in CI, fails) when the integration tests
// cannot run here.
func requireStrongSwan(t *testing.T) {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	if _, err := strongswan.FindCharon(); err != nil {
		missing = append(missing, "charon-systemd")
	}
	for _, cmd := range []string{"swanctl", "ip"} {
		if _, err := exec.LookPath(cmd); err != nil {
			missing = append(missing, cmd)
		}
	}
	if len(missing) == 0 {
		return
	}
	testenv.SkipOrFail(t, "strongSwan integration tests need "+strings.Join(missing, ", ")+" (.ci/run installs strongSwan; run as root); skipped")
}

// Addresses inside every namespace pair (RFC 5737 TEST-NET-1).
const (
	serverAddr = "192.0.2.1"
	clientAddr = "192.0.2.2"
)

// netPair is a server and a client network namespace joined by a veth
// pair. Names carry the test process id and a cell number, so that
// concurrent test runs never share one.
type netPair struct{ server, client string }

func newNetPair(t *testing.T, cell int) netPair {
	t.Helper()
	pid := os.Getpid()
	p := netPair{server: fmt.Sprintf("g2m-%d-%d-s", pid, cell), client: fmt.Sprintf("g2m-%d-%d-c", pid, cell)}
	vs, vc := fmt.Sprintf("g%ds%d", pid, cell), fmt.Sprintf("g%dc%d", pid, cell)
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	ip("netns", "add", p.server)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", p.server).Run() })
	ip("netns", "add", p.client)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", p.client).Run() })
	ip("link", "add", vs, "type", "veth", "peer", "name", vc)
	ip("link", "set", vs, "netns", p.server)
	ip("link", "set", vc, "netns", p.client)
	ip("-n", p.server, "addr", "add", serverAddr+"/24", "dev", vs)
	ip("-n", p.client, "addr", "add", clientAddr+"/24", "dev", vc)
	for _, x := range []struct{ ns, dev string }{{p.server, vs}, {p.client, vc}, {p.server, "lo"}, {p.client, "lo"}} {
		ip("-n", x.ns, "link", "set", x.dev, "up")
	}
	return p
}

func ipOutput(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		t.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// vpnPKI holds the certificates of the matrix.
type vpnPKI struct {
	dir                 string
	rootPEM, otherPEM   string
	root, other         *testpki.CA
	server, serverOther *x509.Certificate
	serverNoSAN         *x509.Certificate
	serverKey           crypto.Signer
	// clients are the device identities by key type, as PKCS#12 files.
	clients map[testpki.KeyType]string
	p12Pass string
	// deviceCert and deviceKey are an RSA device identity that profiles
	// are encrypted to; signerP12 signs profiles.
	deviceCert, deviceKey, signerP12 string
}

const (
	vpnServerID = "vpn.test.example"
	vpnClientID = "iphone.test.example"
	vpnRootCN   = "graph2mobileconfig VPN Test Root CA"
)

func newVPNPKI(t *testing.T) *vpnPKI {
	t.Helper()
	return newVPNPKIFor(t, testpki.NewRoot(t, testpki.Options{CommonName: vpnRootCN}), vpnServerID)
}

// newVPNPKIFor is newVPNPKI with a given root, whose server certificates
// name serverID: the root of a Graph export's trusted certificate profile,
// say, so that the server chains to the root the compiled profile installs.
func newVPNPKIFor(t *testing.T, root *testpki.CA, serverID string) *vpnPKI {
	t.Helper()
	dir := t.TempDir()
	p := &vpnPKI{dir: dir, clients: map[testpki.KeyType]string{}}
	p.root = root
	p.other = testpki.NewRoot(t, testpki.Options{CommonName: "Some Other CA", Key: testpki.Key(t, testpki.RSA2048, 5)})
	p.rootPEM = testpki.WritePEMCert(t, filepath.Join(dir, "root.pem"), p.root.Cert)
	p.otherPEM = testpki.WritePEMCert(t, filepath.Join(dir, "other.pem"), p.other.Cert)
	p.serverKey = testpki.Key(t, testpki.RSA2048, 4)
	serverEKU := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	p.server = issue(t, p.root, serverID, []string{serverID}, serverEKU, p.serverKey)
	p.serverOther = issue(t, p.other, serverID, []string{serverID}, serverEKU, p.serverKey)
	p.serverNoSAN = issue(t, p.root, serverID, nil, serverEKU, p.serverKey)
	p.p12Pass = "p12-test-password"
	writeFile(t, filepath.Join(dir, "p12.pass"), p.p12Pass)
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.ECDSAP256, testpki.ECDSAP384} {
		key := testpki.Key(t, kt, 6)
		cert := issue(t, p.root, vpnClientID, []string{vpnClientID}, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, key)
		der := testpki.PKCS12(t, &testpki.Leaf{Cert: cert, Key: key}, testpki.P12Legacy, p.p12Pass)
		path := filepath.Join(dir, "client-"+kt.String()+".p12")
		if err := os.WriteFile(path, der, 0o600); err != nil {
			t.Fatal(err)
		}
		p.clients[kt] = path
	}
	devKey := testpki.Key(t, testpki.RSA2048, 7)
	dev := issue(t, p.root, "device.test.example", nil, nil, devKey)
	p.deviceCert = testpki.WritePEMCert(t, filepath.Join(dir, "device.pem"), dev)
	p.deviceKey = testpki.WritePEMKey(t, filepath.Join(dir, "device.key"), devKey, testpki.PKCS8, nil)
	signer := p.root.NewLeaf(t, testpki.Options{CommonName: "Profile Signer"})
	p.signerP12 = filepath.Join(dir, "signer.p12")
	if err := os.WriteFile(p.signerP12, testpki.PKCS12(t, signer, testpki.P12Modern, p.p12Pass), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// issue makes a leaf certificate with subjectAltNames, which strongSwan and
// iOS match identities against.
func issue(t *testing.T, ca *testpki.CA, cn string, dnsNames []string, eku []x509.ExtKeyUsage, key crypto.Signer) *x509.Certificate {
	t.Helper()
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"graph2mobileconfig tests"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  eku,
		DNSNames:     dnsNames,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// graphVPN is the Graph export of a full-tunnel IKEv2 VPN to the test
// server; auth and mods set the rest.
func graphVPN(id string, mods ...func(map[string]any)) map[string]any {
	m := map[string]any{
		"@odata.type":           "#microsoft.graph.iosikEv2VpnConfiguration",
		"id":                    "vpn-test-" + id,
		"displayName":           "Test VPN " + id,
		"connectionName":        "Test VPN " + id,
		"connectionType":        "ikEv2",
		"server":                map[string]any{"address": serverAddr, "isDefaultServer": true},
		"remoteIdentifier":      vpnServerID,
		"localIdentifier":       "empty",
		"enableSplitTunneling":  false,
		"deadPeerDetectionRate": "medium",
	}
	for _, mod := range mods {
		mod(m)
	}
	return m
}

func withPSK(secret string) func(map[string]any) {
	return func(m map[string]any) {
		m["authenticationMethod"] = "sharedSecret"
		m["clientAuthenticationType"] = "deviceAuthentication"
		m["sharedSecret"] = secret
	}
}

func withMachineCert(certType string) func(map[string]any) {
	return func(m map[string]any) {
		m["authenticationMethod"] = "certificate"
		m["clientAuthenticationType"] = "deviceAuthentication"
		m["localIdentifier"] = "clientCertificateSubjectName"
		m["serverCertificateType"] = certType
		m["serverCertificateIssuerCommonName"] = vpnRootCN
		m["serverCertificateCommonName"] = vpnServerID
	}
}

// withEAP is user authentication: usernameAndPassword (EAP-MSCHAPv2) or
// certificate (EAP-TLS); eapOnly sets enableEAP (AuthenticationMethod None).
func withEAP(method string, eapOnly bool) func(map[string]any) {
	return func(m map[string]any) {
		m["authenticationMethod"] = method
		m["clientAuthenticationType"] = "userAuthentication"
		m["enableEAP"] = eapOnly
		if method == "certificate" {
			m["localIdentifier"] = "clientCertificateSubjectName"
		}
	}
}

func withSA(enc, integ string, dh int) func(map[string]any) {
	return func(m map[string]any) {
		sa := map[string]any{"securityEncryptionAlgorithm": enc, "securityDiffieHellmanGroup": dh, "lifetimeInMinutes": 480}
		if integ != "" {
			sa["securityIntegrityAlgorithm"] = integ
		}
		m["securityAssociationParameters"] = sa
		child := map[string]any{"securityEncryptionAlgorithm": enc, "securityDiffieHellmanGroup": dh, "lifetimeInMinutes": 60}
		if integ != "" {
			child["securityIntegrityAlgorithm"] = integ
		}
		m["childSecurityAssociationParameters"] = child
	}
}

func withChildSA(enc, integ string) func(map[string]any) {
	return func(m map[string]any) {
		m["childSecurityAssociationParameters"] = map[string]any{"securityEncryptionAlgorithm": enc, "securityIntegrityAlgorithm": integ, "securityDiffieHellmanGroup": 14}
	}
}

func set(key string, v any) func(map[string]any) {
	return func(m map[string]any) { m[key] = v }
}

// profileSpec is the profile of one side of a cell: a Graph export
// compiled through the real pipeline, or (for what Graph cannot say) a
// compiled export whose VPN payload a function edits.
type profileSpec struct {
	// file is a profile already compiled (from Graph exports with --with,
	// say), used as it is.
	file  string
	graph map[string]any
	// identity embeds the client identity of this key type.
	identity *testpki.KeyType
	// edit changes the compiled VPN payload's IKEv2 dictionary.
	edit func(ike map[string]any)
	// compileArgs are extra compile flags.
	compileArgs []string
}

// build compiles the spec into a .mobileconfig file and returns its path.
func (s profileSpec) build(t *testing.T, pki *vpnPKI, dir, name string) string {
	t.Helper()
	if s.file != "" {
		return s.file
	}
	input := filepath.Join(dir, name+".json")
	data, err := json.Marshal(s.graph)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, input, string(data))
	out := filepath.Join(dir, name+".mobileconfig")
	args := []string{"compile", input, "-o", out, "--server-ca", pki.rootPEM, "--identifier-prefix", "com.example.vpntest"}
	if s.identity != nil {
		args = append(args, "--identity", pki.clients[*s.identity], "--identity-password-file", filepath.Join(pki.dir, "p12.pass"))
	}
	args = append(args, s.compileArgs...)
	r := runCLI(t, nil, nil, args...)
	if r.code != exitOK {
		t.Fatalf("compile %s: exit %d: %s", name, r.code, r.stderr)
	}
	if s.edit == nil {
		return out
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	top, _, err := plistout.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range top["PayloadContent"].([]any) {
		payload := p.(map[string]any)
		if payload["PayloadType"] == "com.apple.vpn.managed" {
			s.edit(payload["IKEv2"].(map[string]any))
		}
	}
	edited, err := plistout.Encode(top, plistout.XML)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// vpnCell is one cell of the matrix.
type vpnCell struct {
	name string
	// server is the profile server-config makes the server from; client,
	// when set, is the profile dial uses instead (a negative cell).
	server, client profileSpec
	serverArgs     []string
	dialArgs       []string
	// serverCert picks the server certificate: "" (issued by the profile's
	// CA), "other-ca" or "no-san".
	serverCert string
	// noServer leaves the server namespace without a charon.
	noServer bool
	// checkClientCA gives server-config the client CA as a file here, which
	// it checks against the profile, rather than as a name in x509ca/.
	checkClientCA bool
	// editServer changes the written swanctl.conf.
	editServer func(string) string
	// serverNet is a network the server reaches behind itself (an address
	// on its loopback), for split tunnels.
	serverNet string
	// serverSettings are extra charon settings of the server; port_nat_t
	// moves its NAT-T port, so that it answers IKE_SA_INIT on port 500 and
	// then never hears the IKE_AUTH the client sends to port 4500.
	serverSettings map[string]string
	// whileUp runs while the tunnel is up (with --hold), given the pair.
	whileUp   func(t *testing.T, pair netPair)
	wantCause strongswan.Cause
	// wantPattern is the log pattern the cause must come from.
	wantPattern string
	check       func(t *testing.T, rep *dialJSON)
}

// dialJSON is the part of dial --json the tests read.
type dialJSON struct {
	OK       bool                `json:"ok"`
	Cause    strongswan.Cause    `json:"cause"`
	Reason   string              `json:"reason"`
	Details  []string            `json:"details"`
	Pattern  string              `json:"pattern"`
	Evidence string              `json:"evidence"`
	Offered  strongswan.Offer    `json:"profile"`
	IKESA    *strongswan.IKESA   `json:"ikeSa"`
	ChildSA  *strongswan.ChildSA `json:"childSa"`
	Checks   []string            `json:"checks"`
	Notes    []string            `json:"notes"`
	Log      []strongswan.LogLine
	Daemon   struct {
		Private        bool   `json:"private"`
		InstallsRoutes bool   `json:"installsRoutes"`
		Because        string `json:"because"`
	} `json:"daemon"`
}

func keyType(k testpki.KeyType) *testpki.KeyType { return &k }

// runCell builds both profiles, writes and loads the server configuration,
// and dials.
func runCell(t *testing.T, n int, cell vpnCell, pki *vpnPKI) (*dialJSON, string) {
	t.Helper()
	pair, clientProfile, text := startCell(t, n, cell, pki)
	return dialCell(t, n, cell, pair, clientProfile), text
}

// startCell makes the namespaces, the profiles and the server of a cell; it
// returns the profile to dial and the server's swanctl.conf.
func startCell(t *testing.T, n int, cell vpnCell, pki *vpnPKI) (netPair, string, string) {
	t.Helper()
	dir := t.TempDir()
	pair := newNetPair(t, n)
	serverProfile := cell.server.build(t, pki, dir, "server")
	clientProfile := serverProfile
	if cell.client.graph != nil {
		clientProfile = cell.client.build(t, pki, dir, "client")
	}

	swanctl := filepath.Join(dir, "swanctl")
	for _, sub := range []string{"x509", "x509ca", "private"} {
		if err := os.MkdirAll(filepath.Join(swanctl, sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	serverCert := pki.server
	switch cell.serverCert {
	case "other-ca":
		serverCert = pki.serverOther
	case "no-san":
		serverCert = pki.serverNoSAN
	}
	testpki.WritePEMCert(t, filepath.Join(swanctl, "x509", "server.pem"), serverCert)
	testpki.WritePEMKey(t, filepath.Join(swanctl, "private", "server.key"), pki.serverKey, testpki.PKCS8, nil)
	clientCA := testpki.WritePEMCert(t, filepath.Join(swanctl, "x509ca", "client-ca.pem"), pki.root.Cert)
	if !cell.checkClientCA {
		clientCA = "client-ca.pem"
	}

	conf := filepath.Join(swanctl, "swanctl.conf")
	args := append([]string{"server-config", serverProfile, "-o", conf, "--include-secrets", "--client-ca", clientCA}, cell.serverArgs...)
	r := runCLI(t, nil, nil, args...)
	if r.code != exitOK {
		t.Fatalf("server-config: exit %d: %s", r.code, r.stderr)
	}
	if cell.checkClientCA && strings.Contains(r.stderr, "client CA") {
		t.Errorf("server-config finds fault with the client CA: %s", r.stderr)
	}
	text, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	if cell.editServer != nil {
		text = []byte(cell.editServer(string(text)))
		writeFile(t, conf, string(text))
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("swanctl.conf:\n%s", text)
		}
	})

	if cell.serverNet != "" {
		if out, err := exec.Command("ip", "-n", pair.server, "addr", "add", cell.serverNet, "dev", "lo").CombinedOutput(); err != nil {
			t.Fatalf("ip addr add %s: %v: %s", cell.serverNet, err, out)
		}
	}
	if !cell.noServer {
		sdir := filepath.Join(dir, "server-charon")
		if err := os.Mkdir(sdir, 0o700); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		d, err := strongswan.StartDaemon(ctx, strongswan.DaemonOptions{Dir: sdir, Netns: pair.server, Responder: true, Settings: cell.serverSettings})
		if err != nil {
			t.Fatalf("starting the server charon: %v", err)
		}
		t.Cleanup(func() {
			d.Stop()
			if t.Failed() {
				t.Logf("server charon log:\n%s", d.Log())
			}
		})
		load := exec.Command("swanctl", "--load-all", "--noprompt", "--uri", "unix://"+d.Socket)
		load.Env = append(os.Environ(), "SWANCTL_DIR="+swanctl, "STRONGSWAN_CONF="+d.ConfPath)
		if out, err := load.CombinedOutput(); err != nil {
			t.Fatalf("swanctl --load-all: %v\n%s\nswanctl.conf:\n%s", err, out, text)
		}
	}

	return pair, clientProfile, string(text)
}

// dialCell dials a started cell and returns dial's JSON report.
func dialCell(t *testing.T, n int, cell vpnCell, pair netPair, clientProfile string) *dialJSON {
	t.Helper()
	dargs := append([]string{"dial", clientProfile, "--json", "--netns", pair.client, "--timeout", "8s"}, cell.dialArgs...)
	var inspected sync.WaitGroup
	if cell.whileUp != nil {
		dargs = append(dargs, "--hold", "4s")
		inspected.Add(1)
		go func() {
			defer inspected.Done()
			// The virtual IP on charon's TUN device means the CHILD SA is in.
			deadline := time.Now().Add(6 * time.Second)
			for time.Now().Before(deadline) {
				out, _ := exec.Command("ip", "-n", pair.client, "-4", "addr", "show").CombinedOutput()
				if strings.Contains(string(out), "10.10.10.") {
					cell.whileUp(t, pair)
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Errorf("the virtual IP never appeared in %s", pair.client)
		}()
	}
	r := runCLI(t, nil, map[string]string{}, dargs...)
	inspected.Wait()
	var rep dialJSON
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("dial: exit %d, not JSON: %v\nstdout: %s\nstderr: %s", r.code, err, r.stdout, r.stderr)
	}
	if rep.OK != (r.code == exitOK) {
		t.Errorf("dial: ok %v but exit %d", rep.OK, r.code)
	}
	if slices.Contains(cell.dialArgs, "-v") && !strings.Contains(r.stderr, "[IKE] initiating IKE_SA graph2mobileconfig-dial") {
		t.Errorf("dial -v printed no charon log on standard error: %q", r.stderr)
	}
	if t.Failed() || (cell.wantCause == "" && !rep.OK) || (cell.wantCause != "" && rep.Cause != cell.wantCause) {
		var log strings.Builder
		for _, l := range rep.Log {
			log.WriteString("  " + l.String() + "\n")
		}
		t.Logf("dial log:\n%s", log.String())
	}
	return &rep
}

// TestStrongSwanMatrix brings every authentication and proposal variant of
// the issue up against a real strongSwan server, and checks that each
// negative cell fails with its named cause and the log pattern behind it.
func TestStrongSwanMatrix(t *testing.T) {
	requireStrongSwan(t)
	pki := newVPNPKI(t)
	eapPass := writeFile(t, filepath.Join(pki.dir, "eap.pass"), "eap-test-password")
	wrongEAPPass := writeFile(t, filepath.Join(pki.dir, "wrong-eap.pass"), "not-the-password")
	eapServer := []string{"--eap-user", "alice", "--eap-password-file", eapPass}
	eapDial := []string{"--eap-user", "alice", "--eap-password-file", eapPass}
	rsa := keyType(testpki.RSA2048)

	installed := func(enc, dh string) func(*testing.T, *dialJSON) {
		return func(t *testing.T, rep *dialJSON) {
			t.Helper()
			if rep.IKESA.EncrAlg != enc || rep.IKESA.DHGroup != dh {
				t.Errorf("IKE SA %s/%s, want %s/%s", rep.IKESA.EncrAlg, rep.IKESA.DHGroup, enc, dh)
			}
		}
	}
	psk := profileSpec{graph: graphVPN("psk", withPSK("correct horse battery"))}
	cbc := profileSpec{graph: graphVPN("cbc", withPSK("correct horse battery"), withSA("aes256", "sha2_256", 14))}

	cells := []vpnCell{
		{name: "psk", server: psk, check: func(t *testing.T, rep *dialJSON) {
			if len(rep.IKESA.LocalVIPs) != 1 || !strings.HasPrefix(rep.IKESA.LocalVIPs[0], "10.10.10.") {
				t.Errorf("virtual IPs %v, want one from the pool 10.10.10.0/24", rep.IKESA.LocalVIPs)
			}
			if strings.Join(rep.ChildSA.RemoteTS, ",") != "0.0.0.0/0,::/0" {
				t.Errorf("remote TS %v, want the full tunnel", rep.ChildSA.RemoteTS)
			}
			if rep.IKESA.RemoteID != vpnServerID {
				t.Errorf("remote id %q", rep.IKESA.RemoteID)
			}
		}},
		{name: "psk-with-local-identifier", server: profileSpec{graph: graphVPN("pskid", withPSK("s3cret"), set("localIdentifier", "deviceFQDN")),
			compileArgs: []string{"--var", "devicefqdn=phone-7.test.example"}},
			check: func(t *testing.T, rep *dialJSON) {
				if rep.IKESA.LocalID != "phone-7.test.example" {
					t.Errorf("local id %q, want the LocalIdentifier", rep.IKESA.LocalID)
				}
			}},
		{name: "machine-cert-rsa-2048", server: profileSpec{graph: graphVPN("rsa", withMachineCert("rsa")), identity: rsa},
			check: func(t *testing.T, rep *dialJSON) {
				if rep.IKESA.LocalID != vpnClientID {
					t.Errorf("local id %q, want %q", rep.IKESA.LocalID, vpnClientID)
				}
				if len(rep.Checks) != 2 {
					t.Errorf("checks %v, want the common name and issuer checks", rep.Checks)
				}
			}},
		{name: "machine-cert-ecdsa-p256", server: profileSpec{graph: graphVPN("p256", withMachineCert("ecdsa256")), identity: keyType(testpki.ECDSAP256)}},
		{name: "machine-cert-ecdsa-p384", server: profileSpec{graph: graphVPN("p384", withMachineCert("ecdsa384")), identity: keyType(testpki.ECDSAP384)}},
		{name: "eap-mschapv2", server: profileSpec{graph: graphVPN("mschap", withEAP("usernameAndPassword", false))}, serverArgs: eapServer, dialArgs: eapDial},
		{name: "eap-only-server-cert", server: profileSpec{graph: graphVPN("eaponly", withEAP("usernameAndPassword", true))}, serverArgs: eapServer, dialArgs: eapDial},
		{name: "eap-tls", server: profileSpec{graph: graphVPN("eaptls", withEAP("certificate", true)), identity: rsa}},
		{name: "certificate-and-eap", server: profileSpec{graph: graphVPN("certeap", withEAP("certificate", false)), identity: rsa}},
		{name: "psk-and-eap-from-profile", dialArgs: []string{"-v"}, server: profileSpec{graph: graphVPN("pskeap", withPSK("correct horse battery")), edit: func(ike map[string]any) {
			ike["ExtendedAuthEnabled"] = int64(1)
			ike["AuthName"] = "bob"
			ike["AuthPassword"] = "bob-password"
		}}},
		{name: "psk-with-ppk", server: profileSpec{graph: graphVPN("ppk", withPSK("s3cret")), edit: func(ike map[string]any) {
			ike["PPK"] = []byte("a post-quantum preshared key of 32+ bytes")
			ike["PPKIdentifier"] = "ppk-test-1"
			ike["PPKMandatory"] = int64(1)
		}}, check: func(t *testing.T, rep *dialJSON) {
			for _, l := range rep.Log {
				if strings.HasPrefix(l.Msg, "parsed IKE_AUTH response") && strings.Contains(l.Msg, "N(PPK_ID)") {
					return
				}
			}
			t.Errorf("the server did not confirm the PPK (no N(PPK_ID) in its IKE_AUTH response)")
		}},
		{name: "post-quantum-fallback", server: cbc,
			client: profileSpec{graph: graphVPN("pq", withPSK("correct horse battery"), withSA("aes256", "sha2_256", 14)), edit: func(ike map[string]any) {
				ike["IKESecurityAssociationParameters"].(map[string]any)["PostQuantumKeyExchangeMethods"] = []any{int64(36)}
				ike["AllowPostQuantumKeyExchangeFallback"] = int64(1)
			}},
			check: func(t *testing.T, rep *dialJSON) {
				if !slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.Contains(n, "post-quantum key exchanges were left out") }) {
					t.Errorf("no note about the post-quantum fallback: %v", rep.Notes)
				}
			}},
		{name: "sa-aes256-cbc-sha256-dh14", server: cbc, check: installed("AES_CBC", "MODP_2048")},
		{name: "sa-aes256-gcm-dh19", server: profileSpec{graph: graphVPN("gcm256", withPSK("s3cret"), withSA("aes256Gcm", "", 19))}, check: installed("AES_GCM_16", "ECP_256")},
		{name: "sa-aes128-gcm-dh20", server: profileSpec{graph: graphVPN("gcm128", withPSK("s3cret"), withSA("aes128Gcm", "", 20))}, check: installed("AES_GCM_16", "ECP_384")},
		{name: "sa-chacha20poly1305-dh31", server: profileSpec{graph: graphVPN("chacha", withPSK("s3cret"), withSA("chaCha20Poly1305", "", 31))}, check: installed("CHACHA20_POLY1305", "CURVE_25519")},
		{name: "sa-none-ios-18-defaults", server: psk, serverArgs: []string{"--target", "ios:18.0"}, dialArgs: []string{"--target", "ios:18.0"}, check: installed("AES_CBC", "MODP_2048")},
		{name: "sa-none-ios-26-defaults", server: psk, serverArgs: []string{"--target", "ios:26.0"}, dialArgs: []string{"--target", "ios:26.0"}, check: installed("AES_CBC", "MODP_2048")},
		{name: "always-on", server: profileSpec{graph: graphVPN("alwayson", withMachineCert("rsa"),
			set("enableAlwaysOnConfiguration", true),
			set("alwaysOnConfiguration", map[string]any{"tunnelConfiguration": "wifiAndCellular", "userToggleEnabled": false, "natKeepAliveIntervalInSeconds": 110})),
			identity: rsa}},
		{name: "signed-profile", server: profileSpec{graph: graphVPN("signed", withPSK("s3cret")),
			compileArgs: []string{"--sign-p12", pki.signerP12, "--sign-password-file", filepath.Join(pki.dir, "p12.pass")}}},
		{name: "encrypted-profile", server: profileSpec{graph: graphVPN("encrypted", withMachineCert("rsa")), identity: rsa,
			compileArgs: []string{"--encrypt-to", pki.deviceCert}},
			serverArgs: []string{"--decrypt-key", pki.deviceKey, "--decrypt-cert", pki.deviceCert},
			dialArgs:   []string{"--decrypt-key", pki.deviceKey, "--decrypt-cert", pki.deviceCert}},
		{name: "split-tunnel", server: profileSpec{graph: graphVPN("split", withPSK("s3cret"), set("enableSplitTunneling", true))},
			serverArgs: []string{"--split-networks", "10.20.0.0/16"}, serverNet: "10.20.0.1/16",
			check: func(t *testing.T, rep *dialJSON) {
				if strings.Join(rep.ChildSA.RemoteTS, ",") != "10.20.0.0/16" {
					t.Errorf("remote TS %v, want 10.20.0.0/16", rep.ChildSA.RemoteTS)
				}
			}},
		{name: "routing-untouched", server: psk, whileUp: func(t *testing.T, pair netPair) {
			rules := ipOutput(t, "-n", pair.client, "rule")
			for _, line := range strings.Split(strings.TrimSpace(rules), "\n") {
				if !strings.Contains(line, "lookup local") && !strings.Contains(line, "lookup main") && !strings.Contains(line, "lookup default") && !strings.Contains(line, "fwmark 0x67326d63") {
					t.Errorf("a routing rule the host would use: %s", line)
				}
			}
			if main := ipOutput(t, "-n", pair.client, "route", "show", "table", "main"); strings.Contains(main, "ipsec") || strings.Contains(main, "default") {
				t.Errorf("the main table changed:\n%s", main)
			}
		}},
		{name: "route-installs-routes", server: psk, dialArgs: []string{"--route"}, whileUp: func(t *testing.T, pair netPair) {
			// charon installs the route just after the virtual IP.
			var routes string
			for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if routes = ipOutput(t, "-n", pair.client, "route", "show", "table", "220"); strings.Contains(routes, "default dev ipsec") {
					return
				}
			}
			t.Errorf("with --route the default route goes through the tunnel; table 220 has:\n%s", routes)
		}, check: func(t *testing.T, rep *dialJSON) {
			if !rep.Daemon.InstallsRoutes {
				t.Errorf("the report says routes are not installed: %+v", rep.Daemon)
			}
		}},

		{name: "gcm-profile-vs-cbc-server", server: cbc,
			client:    profileSpec{graph: graphVPN("gcm", withPSK("correct horse battery"), withSA("aes256Gcm", "", 19))},
			wantCause: strongswan.CauseProposalMismatch, wantPattern: "ike-no-proposal"},
		{name: "child-proposal-mismatch", server: cbc,
			client:    profileSpec{graph: graphVPN("childgcm", withPSK("correct horse battery"), withSA("aes256", "sha2_256", 14), withChildSA("aes128Gcm", "sha2_256"))},
			wantCause: strongswan.CauseProposalMismatch, wantPattern: "child-no-proposal"},
		{name: "wrong-remote-identifier", server: profileSpec{graph: graphVPN("rid", withMachineCert("rsa")), identity: rsa},
			client:    profileSpec{graph: graphVPN("rid", withMachineCert("rsa"), set("remoteIdentifier", "other.test.example"), set("serverCertificateCommonName", nil)), identity: rsa},
			wantCause: strongswan.CauseServerIdentityMismatch, wantPattern: "probe-server-identity",
			check: func(t *testing.T, rep *dialJSON) {
				if !strings.Contains(rep.Reason, vpnServerID) {
					t.Errorf("reason %q does not name the server's real identity %q", rep.Reason, vpnServerID)
				}
			}},
		{name: "server-cert-without-remote-identifier", server: profileSpec{graph: graphVPN("nosan", withMachineCert("rsa")), identity: rsa}, serverCert: "no-san",
			wantCause: strongswan.CauseServerIdentityMismatch, wantPattern: "server-cert-names-no-id"},
		{name: "wrong-server-certificate-common-name", server: profileSpec{graph: graphVPN("cn", withMachineCert("rsa"), set("serverCertificateCommonName", "gw.test.example")), identity: rsa},
			wantCause: strongswan.CauseServerIdentityMismatch, wantPattern: "server-cert-cn"},
		{name: "wrong-server-issuer-common-name", server: profileSpec{graph: graphVPN("issuer", withMachineCert("rsa"), set("serverCertificateIssuerCommonName", "Corporate Issuing CA 7")), identity: rsa},
			wantCause: strongswan.CauseServerCertificateUntrusted, wantPattern: "server-issuer-cn"},
		{name: "server-cert-from-other-ca", server: profileSpec{graph: graphVPN("otherca", withMachineCert("rsa")), identity: rsa}, serverCert: "other-ca",
			wantCause: strongswan.CauseServerCertificateUntrusted, wantPattern: "server-cert-untrusted"},
		{name: "wrong-psk", server: psk,
			client:    profileSpec{graph: graphVPN("psk", withPSK("wrong secret"))},
			wantCause: strongswan.CauseAuthenticationFailed, wantPattern: "auth-failed-notify"},
		{name: "wrong-eap-password", server: profileSpec{graph: graphVPN("mschap", withEAP("usernameAndPassword", false))}, serverArgs: eapServer,
			dialArgs:  []string{"--eap-user", "alice", "--eap-password-file", wrongEAPPass},
			wantCause: strongswan.CauseAuthenticationFailed, wantPattern: "eap-failure"},
		{name: "server-down", server: psk, noServer: true, dialArgs: []string{"--timeout", "4s"},
			wantCause: strongswan.CauseUnreachable, wantPattern: "peer-not-responding"},
		{name: "server-unresolvable", server: psk, dialArgs: []string{"--server", "vpn.does-not-exist.invalid"},
			wantCause: strongswan.CauseUnreachable, wantPattern: "unresolvable"},
		{name: "server-answers-only-ike-sa-init", server: psk, dialArgs: []string{"--timeout", "4s"},
			serverSettings: map[string]string{"port_nat_t": "4501"},
			wantCause:      strongswan.CauseTimeout, wantPattern: "peer-not-responding"},
		{name: "server-remote-ts-outside-pool", server: psk, editServer: func(s string) string {
			return strings.Replace(s, "dpd_action = clear", "dpd_action = clear\n\t\t\t\tremote_ts = 10.99.0.0/24", 1)
		}, wantCause: strongswan.CauseTrafficSelectors, wantPattern: "ts-not-acceptable-here"},
		{name: "server-remote-ts-ipv6-only", server: psk, editServer: func(s string) string {
			return strings.Replace(s, "dpd_action = clear", "dpd_action = clear\n\t\t\t\tremote_ts = 2001:db8::/64", 1)
		}, wantCause: strongswan.CauseTrafficSelectors, wantPattern: "ts-unacceptable"},
		{name: "server-without-pool", server: psk, editServer: func(s string) string {
			var out []string
			for _, line := range strings.Split(s, "\n") {
				if !strings.Contains(line, "pools = ") {
					out = append(out, line)
				}
			}
			return strings.Join(out, "\n")
		}, wantCause: strongswan.CauseVirtualIP, wantPattern: "no-virtual-ip"},
	}

	var mu sync.Mutex
	matched := map[string]string{} // pattern → the log line it matched
	ran := 0
	start := time.Now()
	t.Run("cells", func(t *testing.T) {
		for i, cell := range cells {
			t.Run(cell.name, func(t *testing.T) {
				t.Parallel()
				rep, _ := runCell(t, i, cell, pki)
				mu.Lock()
				if rep.Pattern != "" {
					matched[rep.Pattern] = rep.Evidence
				}
				ran++
				mu.Unlock()
				if cell.wantCause == "" {
					if !rep.OK || rep.ChildSA == nil || rep.ChildSA.State != "INSTALLED" {
						t.Fatalf("want an installed CHILD SA; got %s: %s %v", rep.Cause, rep.Reason, rep.Details)
					}
					if !rep.Daemon.Private || rep.Daemon.InstallsRoutes != slices.Contains(cell.dialArgs, "--route") {
						t.Errorf("the private charon installs routes only with --route: %+v", rep.Daemon)
					}
				} else {
					if rep.OK || rep.Cause != cell.wantCause || rep.Pattern != cell.wantPattern {
						t.Fatalf("got ok=%v cause %q (pattern %q): %s %v; want cause %q from pattern %q",
							rep.OK, rep.Cause, rep.Pattern, rep.Reason, rep.Details, cell.wantCause, cell.wantPattern)
					}
				}
				if cell.check != nil {
					cell.check(t, rep)
				}
			})
		}
	})
	t.Logf("strongSwan matrix: %d cells in %s", len(cells), time.Since(start).Round(time.Millisecond))
	if t.Failed() || ran < len(cells) {
		return // a failed or partial run (-run) says nothing about the patterns
	}
	// Every pattern is tied to strongSwan's real output: some cell matched
	// it, and the example the documentation shows is the line it matched.
	for _, p := range strongswan.LogPatterns() {
		evidence, ok := matched[p.ID]
		switch {
		case !ok:
			t.Errorf("log pattern %q (%s) was not matched by any cell: it is not tied to strongSwan's real output", p.ID, p.Cause)
		case evidence != p.Example:
			t.Errorf("log pattern %q matched %q, but its documented example is %q", p.ID, evidence, p.Example)
		}
	}
}

// TestDialVICI dials through a charon that is already running (--vici): it
// refuses a full-tunnel profile when that charon installs routes, dials a
// split tunnel, leaves no connection or secret behind, and names an
// unanswered server when the charon's own retransmissions outlast the
// timeout.
func TestDialVICI(t *testing.T) {
	requireStrongSwan(t)
	pki := newVPNPKI(t)
	dir := t.TempDir()
	const cell = 900
	split := profileSpec{graph: graphVPN("vici-split", withMachineCert("rsa"), set("enableSplitTunneling", true)), identity: keyType(testpki.RSA2048)}
	full := profileSpec{graph: graphVPN("vici-full", withMachineCert("rsa")), identity: keyType(testpki.RSA2048)}
	fullProfile := full.build(t, pki, dir, "full")

	// The server: made from the split profile, with the split network behind it.
	pair, splitProfile, _ := startCell(t, cell, vpnCell{server: split, serverArgs: []string{"--split-networks", "10.20.0.0/16"}, serverNet: "10.20.0.1/16"}, pki)

	// The "running" charon, in the client namespace, installing routes.
	cdir := filepath.Join(dir, "running")
	if err := os.Mkdir(cdir, 0o700); err != nil {
		t.Fatal(err)
	}
	running, err := strongswan.StartDaemon(context.Background(), strongswan.DaemonOptions{Dir: cdir, Netns: pair.client, InstallRoutes: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { running.Stop() })
	viciArgs := []string{"--vici", "unix://" + running.Socket, "--strongswan-conf", running.ConfPath, "--json"}

	r := runCLI(t, nil, nil, append([]string{"dial", fullProfile}, viciArgs...)...)
	if r.code != exitError || !strings.Contains(r.stderr, "refused") || !strings.Contains(r.stderr, "install_routes = yes") || !strings.Contains(r.stderr, "--route") {
		t.Errorf("full tunnel over a route-installing charon: exit %d, stderr %q; want a refusal that names the setting and --route", r.code, r.stderr)
	}

	r = runCLI(t, nil, nil, append([]string{"dial", splitProfile}, viciArgs...)...)
	var rep dialJSON
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("dial --vici: exit %d: %v: %s %s", r.code, err, r.stdout, r.stderr)
	}
	if r.code != exitOK || !rep.OK || rep.Daemon.Private || !rep.Daemon.InstallsRoutes || !strings.Contains(rep.Daemon.Because, running.ConfPath) {
		t.Errorf("split tunnel over --vici: exit %d, %+v (%s %v)", r.code, rep.Daemon, rep.Reason, rep.Details)
	}
	if rep.ChildSA == nil || strings.Join(rep.ChildSA.RemoteTS, ",") != "10.20.0.0/16" {
		t.Errorf("CHILD SA %+v, want remote TS 10.20.0.0/16", rep.ChildSA)
	}

	// Nothing of the dial stays loaded.
	s, err := vici.NewSession(vici.WithSocketPath(running.Socket))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conns, err := s.Call(context.Background(), "get-conns", nil)
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := conns.Get("conns").([]string); len(list) != 0 {
		t.Errorf("connections left in the running charon: %v", list)
	}
	shared, err := s.Call(context.Background(), "get-shared", nil)
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := shared.Get("keys").([]string); len(list) != 0 {
		t.Errorf("shared secrets left in the running charon: %v", list)
	}
	keys, err := s.Call(context.Background(), "get-keys", nil)
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := keys.Get("keys").([]string); len(list) != 0 {
		t.Errorf("private keys left in the running charon: %v", list)
	}

	// A server that never answers, within a timeout shorter than the
	// charon's own retransmissions.
	r = runCLI(t, nil, nil, append([]string{"dial", splitProfile, "--server", "192.0.2.99", "--timeout", "3s"}, viciArgs...)...)
	rep = dialJSON{}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("dial --vici to nowhere: exit %d: %v: %s %s", r.code, err, r.stdout, r.stderr)
	}
	if r.code != exitError || rep.Cause != strongswan.CauseUnreachable || rep.Pattern != "initiate-timeout" {
		t.Errorf("dial --vici to nowhere: exit %d, cause %q (pattern %q): %s", r.code, rep.Cause, rep.Pattern, rep.Reason)
	}
}
