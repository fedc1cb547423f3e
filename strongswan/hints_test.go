package strongswan

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// flagPattern matches what looks like a command-line flag ("--var") or an
// environment variable of the command; library text must name neither.
// swanctl's own --load-all, which the configuration's comments tell a
// server's administrator to run, is swanctl's flag, not ours.
var flagPattern = regexp.MustCompile(`(^|[\s(` + "`" + `/])--[a-z]|GRAPH2MOBILECONFIG_`)

func namesFlag(s string) bool {
	return flagPattern.MatchString(strings.ReplaceAll(s, "swanctl --load-all", "swanctl"))
}

// goOptionPattern matches the Go API's names for the options a remedy lies
// in; with a Hints function none is left.
var goOptionPattern = regexp.MustCompile(`ReadOptions|DialOptions|ServerOptions|TrustAnchors|profile\.Options`)

// libraryTexts runs the package over the fixture profiles and the cases
// that produce each message about the caller's options (ReadProfile,
// CheckDialable, the refusals of Dial, the classifier's diagnoses and the
// offer of a report, WriteServerConfig's configuration, warnings and
// errors), with hints as every options' Hints. It returns every text a
// user can see, the hints of the errors and warnings, and the hint codes
// hints was asked about.
func libraryTexts(t *testing.T, hints diag.HintFunc) (texts []string, carried []diag.Hint, asked map[string]bool) {
	t.Helper()
	asked = map[string]bool{}
	var mu sync.Mutex
	record := func(h diag.Hint) string {
		mu.Lock()
		asked[h.Code] = true
		mu.Unlock()
		if h.Text == "" {
			t.Errorf("hint %q has no text of the Go API", h.Code)
		}
		if hints != nil {
			return hints(h)
		}
		return ""
	}
	addErr := func(where string, err error) {
		if err == nil {
			return
		}
		texts = append(texts, err.Error())
		var he *HintError
		if errors.As(err, &he) {
			carried = append(carried, he.Hint)
		}
	}
	addTunnel := func(tn *Tunnel) {
		texts = append(texts, tn.IdentityProblem, tn.FullTunnelBecause)
		texts = append(texts, tn.Notes...)
		texts = append(texts, tn.IdentityMismatch...)
	}
	addServer := func(p *Profile, opts ServerOptions) {
		opts.Hints = record
		cfg, err := WriteServerConfig(p, opts)
		addErr("WriteServerConfig", err)
		if cfg == nil {
			return
		}
		texts = append(texts, string(cfg.Text))
		for _, d := range cfg.Warnings {
			texts = append(texts, d.String())
			if d.Hint.Code != "" {
				carried = append(carried, d.Hint)
			}
		}
	}
	pools := []netip.Prefix{netip.MustParsePrefix("10.10.10.0/24")}
	root := testpki.NewRoot(t, testpki.Options{CommonName: "Other Root", Key: testpki.Key(t, testpki.RSA2048, 5)})
	wrongServer := root.NewLeaf(t, testpki.Options{CommonName: "not-the-server.example"})

	// The fixture profiles, as dial and server-config read them.
	paths, _ := filepath.Glob(filepath.Join("..", "fixtures", "*", "expected.mobileconfig"))
	if len(paths) < 10 {
		t.Fatalf("found %d fixture profiles", len(paths))
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		top, _, err := plistout.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ReadProfile(top, ReadOptions{Hints: record})
		addErr(path, err)
		if p == nil {
			continue
		}
		for _, tn := range p.Tunnels {
			addTunnel(tn)
			// What a dial lacks: credentials, variables, an identity.
			addErr(path, CheckDialable(tn, DialOptions{Hints: record}))
			addErr(path, CheckDialable(tn, DialOptions{EAPUser: "alice", Hints: record}))
			o := offer(tn, DialOptions{Server: "192.0.2.1"})
			texts = append(texts, o.Server, o.Identity, o.Authentication, o.ProposalSource)
			texts = append(texts, o.IdentityMismatch...)
		}
		// The server: secrets left out, no client CA, no EAP account, a
		// server certificate and a client CA the device would refuse.
		splits := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
		if p.Tunnels[0].FullTunnel {
			splits = nil
		}
		addServer(p, ServerOptions{Pools: pools, SplitNetworks: splits})
		addServer(p, ServerOptions{Pools: pools, SplitNetworks: splits, EAPUser: "alice", ServerCertificate: wrongServer.Cert,
			ClientCA: "ca.pem", ClientCACertificate: wrongServer.Cert})
		addServer(p, ServerOptions{Pools: pools}) // a split tunnel without networks
	}

	// A profile whose payloads are still encrypted.
	_, err := ReadProfile(map[string]any{"EncryptedPayloadContent": []byte{1}}, ReadOptions{Hints: record})
	addErr("encrypted", err)

	// A server identity that is an MDM variable.
	p, err := ReadProfile(testProfile(t, map[string]any{"VPNType": "IKEv2", "IKEv2": map[string]any{
		"RemoteAddress": "a", "RemoteIdentifier": "{{serialnumber}}.vpn.example", "AuthenticationMethod": "SharedSecret", "SharedSecret": "s", "IncludeAllNetworks": int64(1)}}), ReadOptions{Hints: record})
	if err != nil {
		t.Fatal(err)
	}
	addErr("a variable as RemoteIdentifier", CheckDialable(p.Tunnels[0], DialOptions{Hints: record}))
	addServer(p, ServerOptions{Pools: pools})

	// The refusals of a dial through a charon that installs routes, and
	// the private charon's route policy.
	full := &Tunnel{FullTunnel: true, FullTunnelBecause: "IncludeAllNetworks is 1"}
	addErr("full tunnel", fullTunnelRefused(full, RoutePolicy{Installs: true, Because: "charon.install_routes = yes in /etc/strongswan.conf"}, record))
	texts = append(texts, refusedRoute([]string{"0.0.0.0/0"}, record).Reason, privateRoutePolicy(true).Because, privateRoutePolicy(false).Because)

	// The classifier, on every pattern's line and on what no pattern
	// matches, for each way a device authenticates.
	ike := []Proposal{{Encryption: "aes256", Integrity: "sha256", PRF: "prfsha256", DH: "modp2048"}}
	tunnels := []*Tunnel{
		{RemoteIdentifier: "vpn", Auth: Auth{Server: MethodPubkey, Client: MethodEAPMSCHAPv2}, IKE: ike, ESP: ike},
		{RemoteIdentifier: "vpn", Auth: Auth{Server: MethodPubkey, Client: MethodEAPMSCHAPv2}, EAPUser: "bob", IKE: ike, ESP: ike},
		{RemoteIdentifier: "vpn", Auth: Auth{Server: MethodPSK, Client: MethodPSK}, IKE: ike, ESP: ike},
		{RemoteIdentifier: "vpn", LocalIdentifier: "phone", Auth: Auth{Server: MethodPubkey, Client: MethodPubkey}, IKE: ike, ESP: ike},
		{RemoteIdentifier: "vpn", Auth: Auth{Server: MethodPubkey, Client: MethodEAPTLS}, IKE: ike, ESP: ike},
	}
	opts := DialOptions{Timeout: 10 * time.Second, EAPUser: "alice", Hints: record}
	for _, tn := range tunnels {
		for _, lp := range logPatterns {
			lines := []LogLine{{Msg: "received packet: from b to a"}, {Msg: lp.Example}, {Msg: `  issuer is "CN=Other"`}, {Msg: `received end entity cert "CN=vpn"`}}
			d := classify(lines, errors.New("failed"), tn, time.Second, opts)
			texts = append(texts, d.Reason)
			texts = append(texts, d.Details...)
		}
		for _, c := range []struct {
			err     error
			elapsed time.Duration
		}{{errors.New("initiation timed out"), time.Second}, {errors.New("failed"), 10 * time.Second}, {errors.New("something new"), time.Second}} {
			d := classify([]LogLine{{Msg: "sending packet: from a to b"}}, c.err, tn, c.elapsed, opts)
			texts = append(texts, d.Reason)
			texts = append(texts, d.Details...)
		}
	}
	return texts, carried, asked
}

// TestLibraryTextNamesNoFlag: no text of the package names a command-line
// flag (or the command's environment variables); where the remedy lies in
// the caller's options, it names the Go option, and its hint carries a code
// of HintCodes. Every code is reached by the cases.
func TestLibraryTextNamesNoFlag(t *testing.T) {
	texts, carried, asked := libraryTexts(t, nil)
	for _, s := range texts {
		if namesFlag(s) {
			t.Errorf("names a flag: %s", s)
		}
	}
	for _, h := range carried {
		if !slices.Contains(HintCodes(), h.Code) || h.Text == "" || namesFlag(h.Text) {
			t.Errorf("hint %+v: not a code of HintCodes, no text, or a flag", h)
		}
	}
	for _, code := range HintCodes() {
		if !asked[code] {
			t.Errorf("no case gave a hint %q", code)
		}
	}
	for code := range asked {
		if !slices.Contains(HintCodes(), code) {
			t.Errorf("a hint %q, which HintCodes does not list", code)
		}
	}
	if !slices.ContainsFunc(texts, func(s string) bool { return goOptionPattern.MatchString(s) }) {
		t.Error("no text names a Go option: the remedies are not in the texts")
	}
}

// TestHintsRewriteEveryRemedy: with a Hints function in the options, every
// remedy is said in its words: no text names a Go option any more, and the
// errors and warnings carry the hint's code with the new text.
func TestHintsRewriteEveryRemedy(t *testing.T) {
	words := func(h diag.Hint) string { return "<" + h.Code + ":" + h.Arg + ">" }
	texts, carried, asked := libraryTexts(t, words)
	if len(asked) != len(HintCodes()) {
		t.Errorf("asked about %d codes, want %d", len(asked), len(HintCodes()))
	}
	for _, s := range texts {
		if goOptionPattern.MatchString(s) {
			t.Errorf("names a Go option although Hints is set: %s", s)
		}
	}
	for code := range asked {
		if !slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, "<"+code+":") }) {
			t.Errorf("no text carries the words for %q", code)
		}
	}
	for _, h := range carried {
		if h.Text != words(h) {
			t.Errorf("hint %+v: the text is not the Hints function's", h)
		}
	}
	if !slices.ContainsFunc(texts, func(s string) bool {
		return strings.HasSuffix(s, "LocalIdentifier holds the MDM variable {{serialnumber}}, which the MDM fills on each device; <var:serialnumber>")
	}) {
		t.Error("the variable's hint does not carry its name")
	}
}

// TestNoFlagInTheSource: no string in the package's code (the generated
// documentation of the command line's server-config and dial apart) names
// a flag, whether or not a case above reaches it.
func TestNoFlagInTheSource(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "mapping.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		n++
		ast.Inspect(f, func(node ast.Node) bool {
			lit, ok := node.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			if namesFlag(s) {
				t.Errorf("%s: a string names a flag: %q", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
	if n < 10 {
		t.Fatalf("read %d files", n)
	}
}

// TestHintError: a HintError says the remedy after the error, as a
// diagnostic does, and unwraps to it.
func TestHintError(t *testing.T) {
	err := &HintError{Err: ErrFullTunnelRefused, Hint: diag.Hint{Code: HintRoute, Text: "accept it"}}
	if !errors.Is(err, ErrFullTunnelRefused) || err.Error() != ErrFullTunnelRefused.Error()+"; accept it" {
		t.Errorf("%v", err)
	}
	err.Hint.Text = "or accept it"
	if err.Error() != ErrFullTunnelRefused.Error()+", or accept it" {
		t.Errorf("%v", err)
	}
}
