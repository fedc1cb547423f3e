package graph2mobileconfig_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig"
	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
	_ "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

const secret = "pipeline-test-secret"

// export is a valid shared-secret export; extra members go before the
// closing brace.
func export(extra string) []byte {
	return []byte(`{
  "@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration",
  "id": "7d4c2e10-5a3b-4f86-9e21-0b8c6d4f1a37",
  "displayName": "Pipeline test",
  "connectionName": "Pipeline",
  "server": {"address": "vpn.example.com"},
  "remoteIdentifier": "vpn.example.com",
  "localIdentifier": "empty",
  "authenticationMethod": "sharedSecret",
  "clientAuthenticationType": "deviceAuthentication",
  "sharedSecret": "` + secret + `"` + extra + `
}`)
}

// compile is the one-call Compile with a background context.
func compile(t *testing.T, data []byte, opts graph2mobileconfig.Options) (*graph2mobileconfig.Profile, diag.List, error) {
	t.Helper()
	return graph2mobileconfig.Compile(context.Background(), data, opts)
}

func codesAt(l diag.List, path string) []string {
	var out []string
	for _, d := range l {
		if d.Path == path {
			out = append(out, d.Severity.String()+" "+d.Code)
		}
	}
	return out
}

func find(l diag.List, code string) (diag.Diagnostic, bool) {
	i := slices.IndexFunc(l, func(d diag.Diagnostic) bool { return d.Code == code })
	if i < 0 {
		return diag.Diagnostic{}, false
	}
	return l[i], true
}

// TestErrorsOfEveryStageAreMerged: one run reports the decoder's errors and
// the compiler's, in path order, returns no profile and an error that
// wraps ErrInvalidInput and quotes the first of them.
func TestErrorsOfEveryStageAreMerged(t *testing.T) {
	data := export(`, "mtuSizeInBytes": "1400", "securityAssociationParameters": {"securityEncryptionAlgorithm": "aes192"}`)
	p, diags, err := compile(t, data, graph2mobileconfig.Options{})
	if p != nil {
		t.Error("a profile despite errors")
	}
	if !errors.Is(err, graph2mobileconfig.ErrInvalidInput) {
		t.Fatalf("error %v, want one wrapping ErrInvalidInput", err)
	}
	if want := "the export has 2 errors, the first: error: $.mtuSizeInBytes:"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q lacks %q", err, want)
	}
	decodeErr, compileErr := -1, -1
	for i, d := range diags {
		switch {
		case d.Path == "$.mtuSizeInBytes" && d.Severity == diag.Error:
			decodeErr = i
		case d.Path == "$.securityAssociationParameters.securityEncryptionAlgorithm" && d.Code == "unsupported-value":
			compileErr = i
		}
	}
	if decodeErr < 0 || compileErr < 0 {
		t.Fatalf("want the decoder's error on mtuSizeInBytes and the compiler's on the cipher:\n%s", diags)
	}
	if compileErr < decodeErr { // "$.mtu..." sorts before "$.security..."
		t.Errorf("findings are not in path order:\n%s", diags)
	}
	if diags.Count(diag.Error) != 2 {
		t.Errorf("want exactly 2 errors:\n%s", diags)
	}
}

// TestDerivedErrorsAreDropped: a value the decoder refused is left unset, and
// the compiler's complaint about that same property (here: "the server
// address is required") would only repeat the decoding error.
func TestDerivedErrorsAreDropped(t *testing.T) {
	data := bytes.Replace(export(""), []byte(`"server": {"address": "vpn.example.com"}`), []byte(`"server": "vpn.example.com"`), 1)
	_, diags, _ := compile(t, data, graph2mobileconfig.Options{})
	got := codesAt(diags, "$.server")
	if len(got) != 1 || !strings.HasPrefix(got[0], "error ") || got[0] == "error missing-server" {
		t.Errorf("want the decoder's error alone at $.server, got %v:\n%s", got, diags)
	}
	if d, ok := find(diags, "missing-server"); ok {
		t.Errorf("a derived compiler error was kept: %s", d)
	}
	// A compiler error elsewhere is kept.
	data = bytes.Replace(export(`, "securityAssociationParameters": {"lifetimeInMinutes": 5}`), []byte(`"server": {"address": "vpn.example.com"}`), []byte(`"server": "vpn.example.com"`), 1)
	_, diags, _ = compile(t, data, graph2mobileconfig.Options{})
	if got := codesAt(diags, "$.securityAssociationParameters.lifetimeInMinutes"); len(got) != 1 || got[0] != "error out-of-range" {
		t.Errorf("the unrelated compiler error is lost: %v:\n%s", got, diags)
	}
	// The entity itself failing to decode gives no compiler findings.
	p, diags, err := compile(t, []byte(`[1, 2]`), graph2mobileconfig.Options{})
	if p != nil || !diags.HasErrors() || !errors.Is(err, graph2mobileconfig.ErrInvalidInput) {
		t.Errorf("not an entity: %v\n%s", err, diags)
	}
}

// TestStrictAppliesToEveryStage: strict mode promotes the decoder's
// warnings too, not only the compiler's, and the warning about a secret in
// the clear, which is found last.
func TestStrictAppliesToEveryStage(t *testing.T) {
	data := export(`, "@odata.etag": "W/\"1\"", "bogusMember": 1`)
	p, diags, err := compile(t, data, graph2mobileconfig.Options{})
	if err != nil || p == nil {
		t.Fatalf("no profile: %v\n%s", err, diags)
	}
	if got := codesAt(diags, "$.bogusMember"); len(got) != 1 || got[0] != "warning unknown-property" {
		t.Fatalf("the decoder does not warn about an unknown member: %v", got)
	}
	var opts graph2mobileconfig.Options
	opts.Compile.Strict = true
	p, diags, err = compile(t, data, opts)
	if p != nil || !errors.Is(err, graph2mobileconfig.ErrInvalidInput) {
		t.Errorf("strict mode gave a profile despite a decoder warning (%v)", err)
	}
	d, _ := find(diags, "unknown-property")
	if d.Severity != diag.Error || !strings.HasSuffix(d.Message, diag.StrictNote) {
		t.Errorf("the decoder's warning is not an error in strict mode: %s", d)
	}
	// Only the secret in the clear is left to warn about.
	_, diags, err = compile(t, export(""), opts)
	if d, _ := find(diags, "unprotected-secret"); d.Severity != diag.Error || !errors.Is(err, graph2mobileconfig.ErrInvalidInput) {
		t.Errorf("strict mode let an unprotected secret through: %v\n%s", err, diags)
	}
}

// TestCompileSignEncrypt runs every stage: the output is a CMS signature
// that verifies, over a profile whose payloads are enveloped to the device
// and decrypt to the compiled VPN payload with its secret.
func TestCompileSignEncrypt(t *testing.T) {
	root := testpki.NewRoot(t, testpki.Options{})
	signer := root.NewLeaf(t, testpki.Options{CommonName: "Pipeline Signer"})
	device := root.NewLeaf(t, testpki.Options{CommonName: "Device", KeyType: testpki.RSA2048, Key: testpki.Key(t, testpki.RSA2048, 5)})

	opts := graph2mobileconfig.Options{
		Signer:    &signing.Identity{Certificate: signer.Cert, PrivateKey: signer.Key, Chain: signer.Chain},
		EncryptTo: device.Cert,
	}
	out, diags, err := compile(t, export(""), opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, diags)
	}
	if out.Secrets {
		t.Error("an encrypted profile is reported as holding secrets in the clear")
	}
	if d, ok := find(diags, "unprotected-secret"); ok {
		t.Errorf("a signed, encrypted profile is reported unprotected: %s", d)
	}
	if bytes.Contains(out.Data, []byte(secret)) {
		t.Fatal("the shared secret is in the output in the clear")
	}
	v, err := signing.Verify(out.Data, signing.VerifyOptions{Roots: root.Pool()})
	if err != nil || !v.SignatureValid || !v.ChainVerified {
		t.Fatalf("the signature does not verify: %v", err)
	}
	content, err := signing.Unsign(out.Data)
	if err != nil {
		t.Fatal(err)
	}
	profile, _, err := plistout.Decode(content)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := profile["PayloadContent"]; ok {
		t.Error("PayloadContent is still in the clear")
	}
	if profile["PayloadIdentifier"] != out.Identifier || out.Identifier == "" || profile["PayloadUUID"] != out.UUID || out.UUID == "" {
		t.Errorf("identifier %v and UUID %v, reported %q and %q", profile["PayloadIdentifier"], profile["PayloadUUID"], out.Identifier, out.UUID)
	}
	env, _ := profile["EncryptedPayloadContent"].([]byte)
	plain, err := signing.Decrypt(env, device.Cert, device.Key)
	if err != nil {
		t.Fatalf("the payloads do not decrypt with the device key: %v", err)
	}
	decoded, err := plistout.DecodeAny(plain)
	if err != nil {
		t.Fatalf("the decrypted payloads are not a property list: %v", err)
	}
	payloads, _ := decoded.([]any)
	var vpn map[string]any
	for _, p := range payloads {
		if m, _ := p.(map[string]any); m["PayloadType"] == "com.apple.vpn.managed" {
			vpn = m
		}
	}
	ike, _ := vpn["IKEv2"].(map[string]any)
	if ike["SharedSecret"] != secret || ike["RemoteAddress"] != "vpn.example.com" {
		t.Errorf("the decrypted VPN payload is %v", vpn)
	}
	if _, err := signing.Decrypt(env, signer.Cert, signer.Key); err == nil {
		t.Error("another key decrypts the payloads")
	}
}

// TestUnprotectedSecretWarning: a profile with a secret that is neither
// signed nor encrypted says so, with a hint in the Go API's terms, and
// reports the secret so that the file is written for its owner only.
func TestUnprotectedSecretWarning(t *testing.T) {
	out, diags, err := compile(t, export(""), graph2mobileconfig.Options{})
	if err != nil || !out.Secrets {
		t.Fatalf("%v, secrets %v:\n%s", err, out != nil && out.Secrets, diags)
	}
	d, ok := find(diags, "unprotected-secret")
	if !ok || d.Severity != diag.Warning || d.Hint.Code != diag.HintSignEncrypt || !strings.Contains(d.Hint.Text, "Options.Signer") {
		t.Errorf("no unprotected-secret warning with its hint:\n%s", diags)
	}
	if !bytes.Contains(out.Data, []byte("<string>"+secret+"</string>")) {
		t.Error("the unsigned profile does not carry the secret it was given")
	}
}

// TestItems compiles the entities of a list one by one, as batch does.
func TestItems(t *testing.T) {
	list := []byte(`{"value": [` + string(export("")) + `, ` +
		strings.Replace(string(export("")), "7d4c2e10-5a3b-4f86-9e21-0b8c6d4f1a37", "8e5d3f21-6b4c-4a97-8f32-1c9d7e5a2b48", 1) + `]}`)
	items, err := graphjson.Split(list, graphjson.DefaultLimits)
	if err != nil || len(items) != 2 {
		t.Fatalf("Split: %d items, %v", len(items), err)
	}
	c, _, err := graph2mobileconfig.New(graph2mobileconfig.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, it := range items {
		p, diags, err := c.CompileItem(context.Background(), it)
		if err != nil {
			t.Fatalf("%s: %v\n%s", it.Path, err, diags)
		}
		ids[p.Identifier] = true
	}
	if len(ids) != 2 {
		t.Errorf("identifiers %v", ids)
	}
	// The whole list is not one export.
	if _, diags, err := c.Compile(context.Background(), list); !errors.Is(err, graph2mobileconfig.ErrInvalidInput) {
		t.Errorf("a list of two compiled as one: %v", err)
	} else if d, _ := find(diags, "multiple-entities"); d.Hint.Code != diag.HintBatch {
		t.Errorf("multiple-entities has no batch hint: %s", d)
	}
}

// TestOptionErrors: an option that cannot work is an *OptionError naming
// the field, found by New before anything is compiled.
func TestOptionErrors(t *testing.T) {
	now := time.Now()
	root := testpki.NewRoot(t, testpki.Options{})
	expired := root.NewLeaf(t, testpki.Options{NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(0, 0, -1)})
	ecDevice := root.NewLeaf(t, testpki.Options{CommonName: "EC Device", KeyType: testpki.ECDSAP256})
	cases := []struct {
		name   string
		opts   func(*graph2mobileconfig.Options)
		option string
		text   string
		is     error
	}{
		{"expired signer", func(o *graph2mobileconfig.Options) {
			o.Signer = &signing.Identity{Certificate: expired.Cert, PrivateKey: expired.Key}
		}, "Signer", "expired on", nil},
		{"EC recipient", func(o *graph2mobileconfig.Options) { o.EncryptTo = ecDevice.Cert }, "EncryptTo", `the device certificate "CN=EC Device`, signing.ErrUnsupportedRecipient},
		{"fallback without post-quantum", func(o *graph2mobileconfig.Options) { o.Compile.Algorithms.PostQuantumFallback = true }, "Compile.Algorithms.PostQuantumFallback", "needs post-quantum key exchanges", nil},
		{"strict selection before iOS 18.5", func(o *graph2mobileconfig.Options) {
			o.Compile.Algorithms.StrictSelection = true
			o.Compile.Target = compiler.Target{Platform: "ios", Version: "17.4"}
		}, "Compile.Algorithms.StrictSelection", "which iOS 18.5 introduced", nil},
		{"variables that differ in case", func(o *graph2mobileconfig.Options) { o.Compile.Vars = map[string]string{"A": "1", "a": "2"} }, "Compile.Vars", "differ only in case", nil},
		{"unnamed export", func(o *graph2mobileconfig.Options) {
			o.CertificateExports = []graph2mobileconfig.CertificateExport{{}}
		}, "CertificateExports[0]", "no Name", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts graph2mobileconfig.Options
			c.opts(&opts)
			p, _, err := compile(t, export(""), opts)
			var oe *graph2mobileconfig.OptionError
			if p != nil || !errors.As(err, &oe) {
				t.Fatalf("got %v, want an *OptionError", err)
			}
			if oe.Option != c.option || !strings.Contains(oe.Err.Error(), c.text) || strings.Contains(oe.Err.Error(), "Options.") {
				t.Errorf("Option %q, Err %q; want %q and a text with %q that does not name the field", oe.Option, oe.Err, c.option, c.text)
			}
			if !strings.HasPrefix(err.Error(), "graph2mobileconfig: Options."+c.option+": ") {
				t.Errorf("error %q does not start with the field", err)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %v does not wrap %v", err, c.is)
			}
			if errors.Is(err, graph2mobileconfig.ErrInvalidInput) {
				t.Error("an option error reads as an input error")
			}
		})
	}
}

// TestNotesAboutOptions: warnings about the credentials come from New once,
// and strict mode leaves them warnings.
func TestNotesAboutOptions(t *testing.T) {
	now := time.Now()
	root := testpki.NewRoot(t, testpki.Options{})
	soon := root.NewLeaf(t, testpki.Options{NotAfter: now.AddDate(0, 0, 10)})
	oldDevice := root.NewLeaf(t, testpki.Options{CommonName: "Old Device", KeyType: testpki.RSA2048, Key: testpki.Key(t, testpki.RSA2048, 5),
		NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(0, 0, -1)})
	opts := graph2mobileconfig.Options{
		Signer:    &signing.Identity{Certificate: soon.Cert, PrivateKey: soon.Key, Chain: soon.Chain},
		EncryptTo: oldDevice.Cert,
	}
	opts.Compile.Strict = true
	c, notes, err := graph2mobileconfig.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := codesAt(notes, ""); !slices.Equal(got, []string{"warning signer-expires-soon", "warning recipient-expired"}) {
		t.Errorf("notes %v:\n%s", got, notes)
	}
	if d, _ := find(notes, "recipient-expired"); !strings.Contains(d.Message, `"CN=Old Device`) || !strings.Contains(d.Message, "make sure the device still holds its private key") {
		t.Errorf("recipient note: %s", d)
	}
	p, diags, err := c.Compile(context.Background(), export(""))
	if err != nil || p == nil {
		t.Fatalf("%v\n%s", err, diags)
	}
	if d, ok := find(diags, "signer-expires-soon"); ok {
		t.Errorf("a compilation repeats New's note: %s", d)
	}
	// The one-call Compile puts New's notes first.
	_, all, _ := graph2mobileconfig.Compile(context.Background(), export(""), opts)
	if len(all) < 2 || all[0].Code != "signer-expires-soon" || all[1].Code != "recipient-expired" {
		t.Errorf("Compile's diagnostics do not start with New's:\n%s", all)
	}
}

func readFixture(t *testing.T, parts ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(append([]string{"fixtures"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// scepSeparateOptions are the options of fixtures/scep-separate/args.
func scepSeparateOptions(t *testing.T) graph2mobileconfig.Options {
	var opts graph2mobileconfig.Options
	for _, name := range []string{"scep.json", "root.json"} {
		opts.CertificateExports = append(opts.CertificateExports, graph2mobileconfig.ReadCertificateExport(name, readFixture(t, "scep-separate", name), graphjson.Limits{}))
	}
	opts.Compile.SCEP.Challenge = strings.TrimSuffix(string(readFixture(t, "testpki", "scep.challenge")), "\n")
	opts.Compile.IdentifierPrefix = "com.contoso.vpn"
	opts.Compile.Organization = "Contoso Ltd"
	return opts
}

// TestCertificateExportsAsTheCommandLine: the library, given what
// fixtures/scep-separate/args gives the command, writes the fixture's
// golden profile byte for byte, with the exports' findings first.
func TestCertificateExportsAsTheCommandLine(t *testing.T) {
	p, diags, err := compile(t, readFixture(t, "scep-separate", "input.json"), scepSeparateOptions(t))
	if err != nil {
		t.Fatalf("%v\n%s", err, diags)
	}
	if want := readFixture(t, "scep-separate", "expected.mobileconfig"); !bytes.Equal(p.Data, want) {
		t.Errorf("the profile differs from fixtures/scep-separate/expected.mobileconfig")
	}
	if !p.Secrets {
		t.Error("a SCEP challenge in the clear is not reported as a secret")
	}
	if len(diags) < 2 || !strings.HasPrefix(diags[0].Path, "scep.json:") || !strings.HasPrefix(diags[1].Path, "root.json:") {
		t.Errorf("the exports' findings do not come first, in export order:\n%s", diags)
	}
}

// TestCertificateExportErrors: an error in a certificate export stops every
// compilation before it starts; in strict mode a warning does.
func TestCertificateExportErrors(t *testing.T) {
	opts := scepSeparateOptions(t)
	opts.CertificateExports = append(opts.CertificateExports, graph2mobileconfig.ReadCertificateExport("vpn:again.json", export(""), graphjson.Limits{}))
	c, notes, err := graph2mobileconfig.New(opts)
	if c != nil || !errors.Is(err, graph2mobileconfig.ErrInvalidInput) || !strings.Contains(err.Error(), "a certificate export has 1 error") {
		t.Fatalf("New: %v", err)
	}
	d, ok := find(notes, "not-a-certificate")
	if !ok || d.Path != "vpn_again.json:$" || d.Hint.Code != diag.HintVPNAsExport {
		t.Errorf("the export's error (its name's colon replaced): %s\n%s", d, notes)
	}
	p, all, err := compile(t, readFixture(t, "scep-separate", "input.json"), opts)
	if p != nil || !slices.Equal(all, notes) || !errors.Is(err, graph2mobileconfig.ErrInvalidInput) {
		t.Errorf("Compile with a bad export: %v\n%s", err, all)
	}

	opts = scepSeparateOptions(t)
	root := bytes.Replace(readFixture(t, "scep-separate", "root.json"), []byte(`{`), []byte(`{"bogusMember": 1, `), 1)
	opts.CertificateExports[1] = graph2mobileconfig.ReadCertificateExport("root.json", root, graphjson.Limits{})
	if _, _, err := graph2mobileconfig.New(opts); err != nil {
		t.Fatalf("a warning stops New: %v", err)
	}
	opts.Compile.Strict = true
	_, notes, err = graph2mobileconfig.New(opts)
	if !errors.Is(err, graph2mobileconfig.ErrInvalidInput) {
		t.Fatalf("strict mode accepts an export's warnings: %v", err)
	}
	for _, d := range notes {
		if d.Severity == diag.Warning {
			t.Errorf("a warning of an export is not an error in strict mode: %s", d)
		}
	}
}

// flagPattern matches what looks like a command-line flag ("--var") or an
// environment variable of the command; library text must name neither.
var flagPattern = regexp.MustCompile(`(^|[\s(` + "`" + `/])--[a-z]|GRAPH2MOBILECONFIG_`)

// TestLibraryTextNamesNoFlag compiles every fixture and every bad input
// with variants of the options that messages can be about (strict mode,
// certificate exports, variables, an identity, targets, strict algorithm
// selection), and lints each profile: no message and no hint names a command-line flag, and
// every hint has a code the diag package lists.
func TestLibraryTextNamesNoFlag(t *testing.T) {
	inputs, _ := filepath.Glob(filepath.Join("fixtures", "*", "input.json"))
	bad, _ := filepath.Glob(filepath.Join("fixtures", "bad", "*.json"))
	inputs = append(inputs, bad...)
	if len(inputs) < 40 {
		t.Fatalf("found %d inputs", len(inputs))
	}
	seen := map[string]bool{}
	check := func(where string, l diag.List) {
		for _, d := range l {
			if flagPattern.MatchString(d.Message) || flagPattern.MatchString(d.Hint.Text) {
				t.Errorf("%s: names a flag: %s", where, d)
			}
			if d.Hint.Code != "" {
				seen[d.Hint.Code] = true
				if !slices.Contains(diag.HintCodes(), d.Hint.Code) || d.Hint.Text == "" {
					t.Errorf("%s: hint %+v is not one of diag.HintCodes(), or has no text", where, d.Hint)
				}
			}
		}
	}
	identity, err := graph2mobileconfig.LoadClientIdentity(readFixture(t, "testpki", "client-ec.p12"), strings.TrimSpace(string(readFixture(t, "testpki", "client.p12.pass"))))
	if err != nil {
		t.Fatal(err)
	}
	// Every option a message could be about, each in a variant.
	variants := []func(*graph2mobileconfig.Options){
		func(*graph2mobileconfig.Options) {},
		func(o *graph2mobileconfig.Options) { o.Compile.Strict = true },
		func(o *graph2mobileconfig.Options) {
			*o = scepSeparateOptions(t)
			o.Compile.SCEP.Challenge = ""
		},
		func(o *graph2mobileconfig.Options) {
			*o = scepSeparateOptions(t)
			o.Compile.SCEP = compiler.SCEPOptions{ChallengeVariable: "not a name!"}
			o.Compile.Strict = true
		},
		func(o *graph2mobileconfig.Options) {
			o.Compile.Vars = map[string]string{"unused": "x", "psk": "{{more}}"}
			o.Compile.IdentityUUID = "not-a-uuid"
		},
		func(o *graph2mobileconfig.Options) {
			o.Compile.Identity = identity
			o.Compile.Target = compiler.Target{Platform: "ios", Version: "18.5"}
			o.Compile.Algorithms.StrictSelection = true
		},
		func(o *graph2mobileconfig.Options) {
			o.Compile.Target = compiler.Target{Platform: "ios", Version: "17.4"}
		},
	}
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, variant := range variants {
			var opts graph2mobileconfig.Options
			variant(&opts)
			p, diags, _ := compile(t, data, opts)
			check(in, diags)
			if p == nil {
				continue
			}
			m, _, err := plistout.Decode(p.Data)
			if err != nil {
				t.Fatal(err)
			}
			check(in+" (lint)", compiler.Lint(m, compiler.LintOptions{}))
		}
	}
	// The fixtures must reach the hints this test is about.
	for _, code := range []string{diag.HintVar, diag.HintMDMVariable, diag.HintMDMDelivery, diag.HintSignEncrypt, diag.HintIdentityOrExport,
		diag.HintSCEPChallenge, diag.HintOlderTarget, diag.HintNoStrictAlgorithms, diag.HintAllowedTarget, diag.HintTarget} {
		if !seen[code] {
			t.Errorf("no input gave a hint %q", code)
		}
	}
}

// TestHints: Options.Hints rewrites every hint's text, of the notes and of
// the compilation alike, and leaves the rest of the diagnostic as it is.
func TestHints(t *testing.T) {
	certAuth := bytes.Replace(export(""), []byte(`"authenticationMethod": "sharedSecret"`), []byte(`"authenticationMethod": "certificate"`), 1)
	_, plain, _ := compile(t, certAuth, graph2mobileconfig.Options{})
	d, ok := find(plain, "missing-identity")
	if !ok || d.Hint.Code != diag.HintIdentityOrExport || !strings.Contains(d.Hint.Text, "compiler.Options.Identity") {
		t.Fatalf("missing-identity and its hint:\n%s", plain)
	}
	var asked []diag.Hint
	var mu sync.Mutex
	opts := graph2mobileconfig.Options{Hints: func(h diag.Hint) string {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, h)
		if h.Code == diag.HintIdentityOrExport {
			return "upload the identity"
		}
		return ""
	}}
	_, rewritten, _ := compile(t, certAuth, opts)
	r, _ := find(rewritten, "missing-identity")
	if r.Hint.Text != "upload the identity" || r.Message != d.Message || r.Hint.Code != d.Hint.Code {
		t.Errorf("rewritten: %+v, was %+v", r, d)
	}
	if !strings.HasSuffix(r.String(), "; upload the identity [IKEv2.PayloadCertificateUUID]") {
		t.Errorf("String: %s", r)
	}
	if len(asked) == 0 {
		t.Error("the function was not asked")
	}
	// A hint the function keeps is the Go API's.
	for i := range rewritten {
		if rewritten[i].Code != "missing-identity" && rewritten[i] != plain[i] {
			t.Errorf("changed: %s, was %s", rewritten[i], plain[i])
		}
	}
}

// TestCancelled: a cancelled context stops the compilation.
func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p, _, err := graph2mobileconfig.Compile(ctx, export(""), graph2mobileconfig.Options{})
	if p != nil || !errors.Is(err, context.Canceled) {
		t.Errorf("got %v", err)
	}
}

// TestConcurrentUse: one Compiler compiles in many goroutines at once, with
// the same results (run with -race to check the sharing).
func TestConcurrentUse(t *testing.T) {
	leaf := testpki.NewRoot(t, testpki.Options{}).NewLeaf(t, testpki.Options{KeyType: testpki.ECDSAP256})
	opts := scepSeparateOptions(t)
	c, _, err := graph2mobileconfig.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	data := readFixture(t, "scep-separate", "input.json")
	want, _, err := c.Compile(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	opts.Signer = &signing.Identity{Certificate: leaf.Cert, PrivateKey: leaf.Key, Chain: leaf.Chain}
	signer, _, err := graph2mobileconfig.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			p, _, err := c.Compile(context.Background(), data)
			if err != nil || !bytes.Equal(p.Data, want.Data) {
				t.Errorf("a concurrent compilation differs: %v", err)
			}
			if _, _, err := signer.Compile(context.Background(), data); err != nil {
				t.Errorf("a concurrent signed compilation failed: %v", err)
			}
		})
	}
	wg.Wait()
}
