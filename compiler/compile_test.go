package compiler_test

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

func testIdentity(t *testing.T) *compiler.Identity {
	t.Helper()
	dir := filepath.Join("..", "fixtures", "testpki")
	data, err := os.ReadFile(filepath.Join(dir, "client.p12"))
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := os.ReadFile(filepath.Join(dir, "client.p12.pass"))
	password := strings.TrimSpace(string(pw))
	p12, cert, err := signing.ReencodePKCS12ForDevice(data, password)
	if err != nil {
		t.Fatal(err)
	}
	return &compiler.Identity{PKCS12: p12, Password: password, Certificate: cert}
}

func testCA(t *testing.T) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "fixtures", "testpki", "root-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	certs, err := signing.ParseCertificates(data)
	if err != nil {
		t.Fatal(err)
	}
	return certs[0]
}

// TestAuthenticationMatrix checks every combination of Graph's three
// authentication settings against the Apple keys it must produce.
func TestAuthenticationMatrix(t *testing.T) {
	id := testIdentity(t)
	cases := []struct {
		name            string
		method, client  string
		eap             bool
		identity        bool
		wantMethod      string
		wantEAP         int
		wantCertRef     bool
		wantSecret      bool
		wantErrorCode   string
		wantWarningCode string
	}{
		{"device certificate", "certificate", "deviceAuthentication", false, true, "Certificate", 0, true, false, "", ""},
		{"device shared secret", "sharedSecret", "deviceAuthentication", false, false, "SharedSecret", 0, false, true, "", ""},
		{"device shared secret ignores EAP", "sharedSecret", "deviceAuthentication", true, false, "SharedSecret", 0, false, true, "", "ignored-setting"},
		{"EAP-TLS", "certificate", "userAuthentication", false, true, "Certificate", 1, true, false, "", ""},
		{"EAP-TLS, EAP only", "certificate", "userAuthentication", true, true, "None", 1, true, false, "", ""},
		{"EAP username/password", "usernameAndPassword", "userAuthentication", false, false, "Certificate", 1, false, false, "", ""},
		{"EAP-only username/password", "usernameAndPassword", "userAuthentication", true, false, "None", 1, false, false, "", ""},
		{"derived credential with identity", "derivedCredential", "deviceAuthentication", false, true, "Certificate", 0, true, false, "", ""},
		{"shared secret with user auth", "sharedSecret", "userAuthentication", false, false, "", 0, false, false, "unsupported-auth", ""},
		{"azureAD", "azureAD", "userAuthentication", false, false, "", 0, false, false, "unsupported-auth", ""},
		{"certificate without identity", "certificate", "deviceAuthentication", false, false, "", 0, false, false, "missing-identity", ""},
		{"derived credential without identity", "derivedCredential", "userAuthentication", false, false, "", 0, false, false, "missing-identity", ""},
		{"username/password with device auth", "usernameAndPassword", "deviceAuthentication", false, false, "", 0, false, false, "unsupported-auth", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			js := strings.NewReplacer(`"sharedSecret",`, `"`+c.method+`",`, `"deviceAuthentication"`, `"`+c.client+`"`).Replace(with(`"enableEAP": ` + map[bool]string{true: "true", false: "false"}[c.eap]))
			opts := compiler.Options{}
			if c.identity {
				opts.Identity = id
			}
			res := compileJSON(t, js, opts)
			if c.wantErrorCode != "" {
				if _, ok := findDiag(res.Diagnostics, c.wantErrorCode, ".authenticationMethod"); !ok || res.Profile != nil {
					t.Fatalf("want error %s and no profile, got %v", c.wantErrorCode, all(res.Diagnostics))
				}
				return
			}
			if res.Profile == nil {
				t.Fatalf("no profile: %v", all(res.Diagnostics))
			}
			vpn := vpnPayload(t, res.Profile)
			if got, _ := lookup(vpn, "IKEv2.AuthenticationMethod"); got != c.wantMethod {
				t.Errorf("AuthenticationMethod = %v, want %s", got, c.wantMethod)
			}
			if got, _ := lookup(vpn, "IKEv2.ExtendedAuthEnabled"); got != c.wantEAP {
				t.Errorf("ExtendedAuthEnabled = %#v, want integer %d", got, c.wantEAP)
			}
			ref, hasRef := lookup(vpn, "IKEv2.PayloadCertificateUUID")
			if hasRef != c.wantCertRef {
				t.Errorf("PayloadCertificateUUID present = %v, want %v", hasRef, c.wantCertRef)
			}
			if hasRef {
				if ref != compiler.PayloadUUID(res.Identifier+".identity") {
					t.Errorf("PayloadCertificateUUID %v does not name the identity payload", ref)
				}
			}
			if _, ok := lookup(vpn, "IKEv2.SharedSecret"); ok != c.wantSecret {
				t.Errorf("SharedSecret present = %v, want %v", ok, c.wantSecret)
			}
			if res.Secrets != (c.wantSecret || c.wantCertRef) {
				t.Errorf("Secrets = %v", res.Secrets)
			}
			if c.wantWarningCode != "" {
				if _, ok := findDiag(res.Diagnostics, c.wantWarningCode, ""); !ok {
					t.Errorf("want a %s diagnostic, got %v", c.wantWarningCode, all(res.Diagnostics))
				}
			}
			if findings := lintErrors(res.Profile); len(findings) > 0 {
				t.Errorf("Apple schema findings: %s", all(findings))
			}
		})
	}
}

// lintErrors lints a compiled profile and returns the findings that the
// compile did not report itself: {{variables}} left for the MDM are the
// compile's own warnings.
func lintErrors(profile *compiler.Dict) diag.List {
	var out diag.List
	for _, d := range compiler.Lint(profile.Map(), compiler.LintOptions{Signed: true}) {
		if d.Severity != diag.Info && d.Code != "unresolved-variable" {
			out = append(out, d)
		}
	}
	return out
}

// TestSecurityAssociations checks the conversions and that values Apple
// cannot express are errors naming the valid choices.
func TestSecurityAssociations(t *testing.T) {
	cases := []struct {
		name    string
		sa      string
		want    map[string]any // Apple key → value; nil for an expected error
		errCode string
		errText string
		warn    string
		target  string // default: DefaultTarget
	}{
		{"strong", `{"securityEncryptionAlgorithm":"aes256Gcm","securityIntegrityAlgorithm":"sha2_512","securityDiffieHellmanGroup":21,"lifetimeInMinutes":1440}`,
			map[string]any{"EncryptionAlgorithm": "AES-256-GCM", "IntegrityAlgorithm": "SHA2-512", "DiffieHellmanGroup": 21, "LifeTimeInMinutes": 1440}, "", "", "", ""},
		{"chacha and group 32", `{"securityEncryptionAlgorithm":"chaCha20Poly1305","securityDiffieHellmanGroup":32}`,
			map[string]any{"EncryptionAlgorithm": "ChaCha20Poly1305", "DiffieHellmanGroup": 32}, "", "", "", ""},
		{"only set members", `{"securityEncryptionAlgorithm":"aes128","securityIntegrityAlgorithm":null,"securityDiffieHellmanGroup":null,"lifetimeInMinutes":null}`,
			map[string]any{"EncryptionAlgorithm": "AES-128"}, "", "", "", ""},
		{"aes192", `{"securityEncryptionAlgorithm":"aes192"}`, nil, "unsupported-value", "choose aes256 (AES-256) or aes128 (AES-128)", "", ""},
		{"aes192Gcm", `{"securityEncryptionAlgorithm":"aes192Gcm"}`, nil, "unsupported-value", "aes256Gcm", "", ""},
		{"md5", `{"securityIntegrityAlgorithm":"md5"}`, nil, "unsupported-value", "sha2_256", "", ""},
		{"group 10", `{"securityDiffieHellmanGroup":10}`, nil, "unsupported-value", "nearest valid groups are 5 and 14", "", ""},
		{"group 22", `{"securityDiffieHellmanGroup":22}`, nil, "unsupported-value", "nearest valid groups are 21 and 31", "", ""},
		{"lifetime 5", `{"lifetimeInMinutes":5}`, nil, "out-of-range", "10 to 1440", "", ""},
		{"lifetime 1441", `{"lifetimeInMinutes":1441}`, nil, "out-of-range", "10 to 1440", "", ""},
		// Weak values: warnings before iOS 26, errors from iOS 26 (Apple:
		// "available only ... prior to iOS 26").
		{"3des before 26", `{"securityEncryptionAlgorithm":"tripleDes","securityIntegrityAlgorithm":"sha1_96","securityDiffieHellmanGroup":1}`,
			map[string]any{"EncryptionAlgorithm": "3DES", "IntegrityAlgorithm": "SHA1-96", "DiffieHellmanGroup": 1}, "", "", "weak-crypto", "ios:25.9"},
		{"des from 26", `{"securityEncryptionAlgorithm":"des"}`, nil, "target-unsupported", "refuses it from iOS 26.0", "", ""},
		{"3des at 26.4", `{"securityEncryptionAlgorithm":"tripleDes"}`, nil, "target-unsupported", "the target iOS 26.4 would refuse", "", "ios:26.4"},
		{"sha1_160 from 26", `{"securityIntegrityAlgorithm":"sha1_160"}`, nil, "target-unsupported", "refuses it from iOS 26.0", "", ""},
		{"group 5 from 26", `{"securityDiffieHellmanGroup":5}`, nil, "target-unsupported", "choose 14, 19, 20 or 21", "", "ios:27.0"},
		{"group 2 before 26", `{"securityDiffieHellmanGroup":2}`, map[string]any{"DiffieHellmanGroup": 2}, "", "", "", "ios:18.5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var target compiler.Target
			if c.target != "" {
				var err error
				if target, err = compiler.ParseTarget(c.target); err != nil {
					t.Fatal(err)
				}
			}
			res := compileJSON(t, with(`"securityAssociationParameters": `+c.sa+`, "allowDefaultSecurityAssociationParameters": true`), compiler.Options{Target: target})
			if c.want == nil {
				d, ok := findDiag(res.Diagnostics, c.errCode, "securityAssociationParameters."+strings.Split(strings.Split(c.sa, `"`)[1], `"`)[0])
				if !ok || d.Severity != diag.Error || !strings.Contains(d.Message, c.errText) || res.Profile != nil {
					t.Fatalf("want error %s mentioning %q, got %v", c.errCode, c.errText, all(res.Diagnostics))
				}
				return
			}
			if res.Profile == nil {
				t.Fatalf("no profile: %v", all(res.Diagnostics))
			}
			got, _ := lookup(vpnPayload(t, res.Profile), "IKEv2.IKESecurityAssociationParameters")
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("IKESecurityAssociationParameters = %#v, want %#v", got, c.want)
			}
			if _, ok := lookup(vpnPayload(t, res.Profile), "IKEv2.ChildSecurityAssociationParameters"); ok {
				t.Error("ChildSecurityAssociationParameters written although the export has none")
			}
			if c.warn != "" {
				if n := countCode(res.Diagnostics, c.warn); n != 3 {
					t.Errorf("want 3 %s warnings, got %d: %v", c.warn, n, all(res.Diagnostics))
				}
			}
		})
	}
}

func countCode(l diag.List, code string) int {
	n := 0
	for _, d := range l {
		if d.Code == code {
			n++
		}
	}
	return n
}

func TestEmptyValuesAreNotConfigured(t *testing.T) {
	res := compileJSON(t, with(`"onDemandRules": [], "mtuSizeInBytes": null, "deadPeerDetectionRate": null, "disableRedirect": false,
		"serverCertificateCommonName": "", "proxyServer": null, "includeAllNetworks": null`), compiler.Options{})
	vpn := vpnPayload(t, res.Profile)
	for _, k := range []string{"IKEv2.OnDemandEnabled", "IKEv2.OnDemandRules", "IKEv2.MTU", "IKEv2.DeadPeerDetectionRate", "IKEv2.ServerCertificateCommonName", "Proxies", "IKEv2.IncludeAllNetworks"} {
		if v, ok := lookup(vpn, k); ok {
			t.Errorf("%s = %v, want it absent (not configured)", k, v)
		}
	}
	if v, _ := lookup(vpn, "IKEv2.DisableRedirect"); v != 0 {
		t.Errorf("an explicit false must be written as integer 0, got %#v", v)
	}
	if v, _ := lookup(vpn, "IKEv2.ExtendedAuthEnabled"); v != 0 {
		t.Errorf("ExtendedAuthEnabled must always be written, got %#v", v)
	}
}

func TestOnDemandRules(t *testing.T) {
	res := compileJSON(t, with(`"onDemandRules": [
		{"action":"evaluateConnection","domains":["a.example","", "b.example"],"domainAction":"neverConnect","probeRequiredUrl":"https://p.example/"},
		{"action":"ignore","interfaceTypeMatch":"ethernet","domains":["x.example"]},
		{"action":"connect","ssids":[]},
		{"action":"disconnect","ssids":["HOME"]}
	]`), compiler.Options{})
	if res.Profile == nil {
		t.Fatalf("no profile: %v", all(res.Diagnostics))
	}
	rules, _ := lookup(vpnPayload(t, res.Profile), "IKEv2.OnDemandRules")
	want := []any{
		map[string]any{"Action": "EvaluateConnection", "ActionParameters": []any{map[string]any{"Domains": []string{"a.example", "b.example"}, "DomainAction": "NeverConnect"}}},
		map[string]any{"Action": "Ignore", "InterfaceTypeMatch": "Ethernet"},
		map[string]any{"Action": "Connect"},
		map[string]any{"Action": "Disconnect", "SSIDMatch": []string{"HOME"}},
	}
	if !reflect.DeepEqual(rules, want) {
		t.Errorf("OnDemandRules =\n%#v\nwant\n%#v", rules, want)
	}
	for _, c := range []struct{ code, path string }{
		{"empty-value", "onDemandRules[0].domains[1]"},
		{"ignored-setting", "onDemandRules[0].probeRequiredUrl"},
		{"ignored-setting", "onDemandRules[1]"},
		{"unreachable-rule", "onDemandRules[3]"},
	} {
		if _, ok := findDiag(res.Diagnostics, c.code, c.path); !ok {
			t.Errorf("want %s at %s, got %v", c.code, c.path, all(res.Diagnostics))
		}
	}
	bad := compileJSON(t, with(`"onDemandRules": [{"action":"evaluateConnection","domains":[]}]`), compiler.Options{})
	if _, ok := findDiag(bad.Diagnostics, "missing-value", "onDemandRules[0].domains"); !ok || bad.Profile != nil {
		t.Errorf("evaluateConnection without domains must fail, got %v", all(bad.Diagnostics))
	}
}

func TestIdentifiersAreDeterministic(t *testing.T) {
	a := compileJSON(t, with(""), compiler.Options{IdentifierPrefix: "com.example.vpn"})
	b := compileJSON(t, with(""), compiler.Options{IdentifierPrefix: "com.example.vpn"})
	if a.Identifier != "com.example.vpn.00000000-1111-4222-8333-444444444444" {
		t.Errorf("identifier %s", a.Identifier)
	}
	if a.UUID != b.UUID || a.UUID != compiler.PayloadUUID(a.Identifier) {
		t.Errorf("UUIDs differ: %s %s", a.UUID, b.UUID)
	}
	if !reflect.DeepEqual(a.Profile, b.Profile) {
		t.Error("two compiles of the same input differ")
	}
	// RFC 9562 version 5, variant 10xx.
	u := a.UUID
	if len(u) != 36 || u[14] != '5' || !strings.ContainsRune("89AB", rune(u[19])) || u != strings.ToUpper(u) {
		t.Errorf("%s is not an upper-case version 5 UUID", u)
	}
	other := compileJSON(t, with(""), compiler.Options{IdentifierPrefix: "com.example.other"})
	if other.UUID == a.UUID {
		t.Error("different identifiers gave the same UUID")
	}
	noID := compileJSON(t, strings.Replace(with(""), `"id": "00000000-1111-4222-8333-444444444444",`, "", 1), compiler.Options{})
	if noID.Identifier != "graph2mobileconfig.test-vpn" {
		t.Errorf("identifier without id = %s, want a slug of displayName", noID.Identifier)
	}
	bad := compileJSON(t, with(""), compiler.Options{IdentifierPrefix: "com..bad prefix"})
	if bad.Profile != nil || !bad.Diagnostics.HasErrors() {
		t.Error("a bad prefix must be an error")
	}
}

func TestVariables(t *testing.T) {
	js := with(`"remoteIdentifier": "{{ Gateway }}.example.com", "onDemandRules":[{"action":"connect","ssids":["{{site}}-WIFI"]}]`)
	js = strings.Replace(js, `"remoteIdentifier": "vpn.example.com",`, "", 1)
	res := compileJSON(t, js, compiler.Options{Vars: map[string]string{"gateway": "gw1", "unused": "x"}})
	vpn := vpnPayload(t, res.Profile)
	if v, _ := lookup(vpn, "IKEv2.RemoteIdentifier"); v != "gw1.example.com" {
		t.Errorf("RemoteIdentifier = %v", v)
	}
	rules, _ := lookup(vpn, "IKEv2.OnDemandRules")
	if ssid := rules.([]any)[0].(map[string]any)["SSIDMatch"].([]string)[0]; ssid != "{{site}}-WIFI" {
		t.Errorf("an unresolved token must pass through untouched, got %q", ssid)
	}
	if _, ok := findDiag(res.Diagnostics, "mdm-variable", "onDemandRules[0].ssids"); !ok {
		t.Errorf("want an info about {{site}}: %v", all(res.Diagnostics))
	}
	if _, ok := findDiag(res.Diagnostics, "unused-variable", ""); !ok {
		t.Errorf("want a warning about --var unused: %v", all(res.Diagnostics))
	}
	strict := compileJSON(t, js, compiler.Options{Strict: true, Vars: map[string]string{"gateway": "gw1"}})
	if d, ok := findDiag(strict.Diagnostics, "unresolved-variable", "ssids"); !ok || d.Severity != diag.Error || strict.Profile != nil {
		t.Errorf("--strict must make an unresolved token an error: %v", all(strict.Diagnostics))
	}
}

func TestStrictPromotesWarnings(t *testing.T) {
	js := with(`"loginGroupOrDomain": "CORP"`)
	if res := compileJSON(t, js, compiler.Options{}); res.Profile == nil {
		t.Fatal("a warning alone must not stop compilation")
	}
	res := compileJSON(t, js, compiler.Options{Strict: true})
	if res.Profile != nil {
		t.Fatal("--strict must fail on a warning")
	}
	if d, _ := findDiag(res.Diagnostics, "ignored-setting", "loginGroupOrDomain"); d.Severity != diag.Error || !strings.HasSuffix(d.Message, diag.StrictNote) {
		t.Errorf("got %v", d)
	}
}

func TestSecretsNeverInDiagnostics(t *testing.T) {
	const secret = "s3cret-for-tests"
	// certificate auth: the secret is set but unused, which is reported.
	js := strings.Replace(with(`"enableEAP": true`), `"sharedSecret",`, `"certificate",`, 1)
	res := compileJSON(t, js, compiler.Options{IdentityUUID: "11111111-2222-4333-8444-555555555555"})
	if _, ok := findDiag(res.Diagnostics, "ignored-setting", "sharedSecret"); !ok {
		t.Fatalf("want the unused secret reported: %v", all(res.Diagnostics))
	}
	for _, d := range res.Diagnostics {
		if strings.Contains(d.String(), secret) {
			t.Errorf("a diagnostic shows the secret: %s", d)
		}
	}
}

func TestCertificatePayloads(t *testing.T) {
	js := strings.Replace(with(`"localIdentifier": "clientCertificateSubjectName"`), `"localIdentifier": "empty",`, "", 1)
	js = strings.Replace(js, `"sharedSecret",`, `"certificate",`, 1)
	res := compileJSON(t, js, compiler.Options{Identity: testIdentity(t), CACertificates: []*x509.Certificate{testCA(t)}, Organization: "Example Org"})
	if res.Profile == nil {
		t.Fatalf("no profile: %v", all(res.Diagnostics))
	}
	content := res.Profile.Map()["PayloadContent"].([]any)
	if len(content) != 3 {
		t.Fatalf("%d payloads, want root, identity, VPN", len(content))
	}
	root, p12, vpn := content[0].(map[string]any), content[1].(map[string]any), content[2].(map[string]any)
	if root["PayloadType"] != "com.apple.security.root" || !reflect.DeepEqual(root["PayloadContent"], testCA(t).Raw) {
		t.Errorf("root payload %v", root["PayloadType"])
	}
	if p12["PayloadType"] != "com.apple.security.pkcs12" || p12["Password"] != "test-only-password" {
		t.Errorf("identity payload %v", p12["PayloadType"])
	}
	if ref, _ := lookup(vpn, "IKEv2.PayloadCertificateUUID"); ref != p12["PayloadUUID"] {
		t.Errorf("PayloadCertificateUUID %v != identity UUID %v", ref, p12["PayloadUUID"])
	}
	if li, _ := lookup(vpn, "IKEv2.LocalIdentifier"); li != "iphone-test.vpn.contoso.example" {
		t.Errorf("LocalIdentifier = %v, want the identity's common name", li)
	}
	for _, p := range content {
		if p.(map[string]any)["PayloadOrganization"] != "Example Org" {
			t.Errorf("payload without PayloadOrganization")
		}
	}
	if !res.Secrets {
		t.Error("an embedded identity must mark the profile as secret")
	}
	if f := lintErrors(res.Profile); len(f) > 0 {
		t.Errorf("Apple schema findings: %s", all(f))
	}
}
