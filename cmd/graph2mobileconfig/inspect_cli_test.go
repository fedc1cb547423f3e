package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
)

// inspectJSON runs inspect --json and decodes its report.
func inspectJSON(t *testing.T, args ...string) (result, inspectReport) {
	t.Helper()
	r := runCLI(t, nil, nil, append([]string{"inspect", "--json"}, args...)...)
	var rep inspectReport
	if r.code == exitOK {
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("inspect --json output is not JSON: %v\n%s", err, r.stdout)
		}
	}
	return r, rep
}

func TestInspectSummary(t *testing.T) {
	dir := t.TempDir()
	f := newSignerFiles(t, testpki.ECDSAP256, testpki.Options{})
	psk := compileFixture(t, "psk-ondemand", filepath.Join(dir, "psk.mobileconfig"))
	signed := compileFixture(t, "psk-ondemand", filepath.Join(dir, "signed.mobileconfig"), f.flags()...)
	binary := compileFixture(t, "proxy-pac", filepath.Join(dir, "binary.mobileconfig"))
	alwaysOn := compileFixture(t, "always-on", filepath.Join(dir, "always-on.mobileconfig"))
	scep := compileFixture(t, "scep-separate", filepath.Join(dir, "scep.mobileconfig"))
	beyond := compileFixture(t, "target-27.0", filepath.Join(dir, "beyond.mobileconfig"))

	pskVPN := []string{
		`1. com.apple.vpn.managed "VPN (Warehouse VPN)"`,
		"Identifier:      com.contoso.warehouse.9b2d1f70-3e55-4c8a-b0a1-6f4c7e2d9a13.vpn",
		"UUID:            9413B56D-027F-5AAE-90B4-3CE1C1ABB047",
		"VPN type:        IKEv2, named Warehouse VPN",
		"Remote address:  203.0.113.10",
		"Remote ID:       gw.warehouse.example",
		`Local ID:        ""`,
		"Authentication:  SharedSecret, ExtendedAuthEnabled 0",
		"Shared secret:   «redacted»",
		"IKE SA:          AES-256, SHA2-256, DH group 14, 1440 min",
		"Child SA:        AES-128-GCM, DH group 14, 480 min",
		"On demand:       OnDemandEnabled 1, 3 rules",
		"1. Disconnect when InterfaceTypeMatch WiFi, SSIDMatch [WAREHOUSE-SCAN]",
		"2. Connect when InterfaceTypeMatch Cellular, URLStringProbe http://captive.apple.com/hotspot-detect.html",
		"3. Connect on every network",
		"Secrets:       1 shown as «redacted»; --show-secrets shows them",
	}
	cases := []struct {
		name   string
		file   string
		args   []string
		want   []string
		absent []string
	}{
		{"compiled XML", psk, nil, append([]string{
			"Format:        XML property list\n",
			"Profile:       iOS - Warehouse scanners VPN (PSK)",
			"Identifier:    com.contoso.warehouse.9b2d1f70-3e55-4c8a-b0a1-6f4c7e2d9a13",
			"UUID:          D0B8D389-67E6-5396-B055-F2E354D1F75C",
			"Organization:  (not set)",
			"Payloads (1):",
			"<key>SharedSecret</key>\n\t\t\t\t<string>«redacted»</string>",
			`<?xml version="1.0" encoding="UTF-8"?>`,
		}, pskVPN...), []string{pskSecret, "Signed by:"}},
		{"signed", signed, []string{"--summary-only"}, append([]string{
			"Format:        XML property list, CMS-signed",
			"Signed by:     CN=Test Signer,O=graph2mobileconfig tests",
			"Issued by:     CN=Test Intermediate CA,O=graph2mobileconfig tests",
			"Valid:         " + formatCertDate(f.leaf.Cert.NotBefore) + " to " + formatCertDate(f.leaf.Cert.NotAfter),
			"Signature:     valid (ECDSA-SHA256, SHA-256); trust not checked",
		}, pskVPN...), []string{pskSecret, "<?xml"}},
		{"show secrets", psk, []string{"--show-secrets"}, []string{
			"Shared secret:   " + pskSecret,
			"<string>" + pskSecret + "</string>",
		}, []string{"«redacted»"}},
		{"binary", binary, nil, []string{
			"Format:        binary property list",
			"Remote address:  branch-vpn.contoso.example",
			"Authentication:  SharedSecret",
			"Shared secret:   «redacted»",
			"<key>PayloadType</key>",
		}, []string{"Br4nch-Test-Secret"}},
		{"always on", alwaysOn, []string{"--summary-only"}, []string{
			`1. com.apple.security.root "graph2mobileconfig Test Root CA"`,
			"Certificate:     CN=graph2mobileconfig Test Root CA,O=graph2mobileconfig tests",
			"Valid:           2026-11-26 01:09:07 UTC to 2046-11-21 01:09:07 UTC",
			`2. com.apple.security.pkcs12 "iphone-test.vpn.contoso.example"`,
			"Certificate:     CN=iphone-test.vpn.contoso.example,O=graph2mobileconfig tests",
			"VPN type:        AlwaysOn, named Kiosk Always On",
			"Tunnel 1:        always on over Cellular, WiFi",
			"Remote address:  kiosk-vpn.contoso.example",
			"Authentication:  Certificate, ExtendedAuthEnabled 0",
			"Identity:        payload 096E021A-566B-5088-A228-7C1789925A06",
			"IKE SA:          AES-256-GCM, SHA2-256, DH group 19, 1440 min",
			"Secrets:       2 shown as «redacted»",
		}, []string{"test-only-password", "On demand"}},
		{"scep", scep, []string{"--summary-only"}, []string{
			`2. com.apple.security.scep "iOS - Contoso VPN device certificate (SCEP)"`,
			"SCEP server:     https://scep.contoso.example/scep",
			"Subject:         C=US, O=Contoso Ltd, OU=VPN Devices, CN={{AAD_Device_ID}}.devices.contoso.example",
			"Alt. names:      dNSName {{AAD_Device_ID}}.devices.contoso.example",
			"Key:             RSA (not set: Apple's default and only type) 2048 bits, usage 5 (signing, encryption)",
			"Challenge:       «redacted»",
			"Retries:         3, 10 s apart",
			"Identity:        payload 903AD294-C08F-5197-9683-1AE43CB690A3",
		}, []string{readString(t, filepath.Join(testPKI(t), "scep.challenge")), "Beyond Graph"}},
		{"beyond graph", beyond, []string{"--summary-only"}, []string{
			"Beyond Graph:    EnforceStrictAlgorithmSelection 1",
			"Beyond Graph:    IKESecurityAssociationParameters.PostQuantumKeyExchangeMethods [36]",
			"Beyond Graph:    ChildSecurityAssociationParameters.PostQuantumKeyExchangeMethods [36]",
		}, []string{"AllowPostQuantumKeyExchangeFallback"}},
		{"real signed profile", realSigned, nil, []string{
			"Format:        XML property list, CMS-signed",
			"Profile:       AdGuard DNS Default Encrypted DNS over HTTPS",
			"Signed by:     CN=encrypted-dns.brunch.io",
			"Issued by:     CN=E8,O=Let's Encrypt,C=US",
			"Valid:         2026-02-27 04:30:45 UTC to 2026-05-28 04:30:44 UTC",
			`1. com.apple.dnsSettings.managed "AdGuard DNS Default Encrypted DNS over HTTPS"`,
			"<string>https://dns.adguard.com/dns-query</string>",
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, nil, nil, append([]string{"inspect", c.file}, c.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			wantSubstrings(t, "stdout", r.stdout, c.want...)
			for _, a := range c.absent {
				if strings.Contains(r.stdout+r.stderr, a) {
					t.Errorf("output contains %q:\n%s%s", a, r.stdout, r.stderr)
				}
			}
		})
	}
}

func TestInspectJSON(t *testing.T) {
	dir := t.TempDir()
	psk := compileFixture(t, "psk-ondemand", filepath.Join(dir, "psk.mobileconfig"))
	r, rep := inspectJSON(t, psk)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, pskSecret) {
		t.Error("inspect --json printed the shared secret")
	}
	s := rep.Summary
	if rep.Format != "xml" || rep.Signature != nil || rep.Encryption != nil || rep.SecretsRedacted != 1 ||
		s.DisplayName != "iOS - Warehouse scanners VPN (PSK)" || s.UUID != "D0B8D389-67E6-5396-B055-F2E354D1F75C" || s.PayloadType != "Configuration" || len(s.Payloads) != 1 {
		t.Fatalf("report %+v", rep)
	}
	p := s.Payloads[0]
	if p.Type != "com.apple.vpn.managed" || p.VPN == nil || p.VPN.VPNType != "IKEv2" || len(p.VPN.Tunnels) != 1 {
		t.Fatalf("payload %+v", p)
	}
	want := profile.TunnelSummary{
		RemoteAddress: "203.0.113.10", RemoteIdentifier: "gw.warehouse.example", LocalIdentifier: `""`,
		AuthenticationMethod: "SharedSecret", ExtendedAuthEnabled: "0", SharedSecret: "«redacted»", PayloadCertificateUUID: "(not set)",
		IKESA: "AES-256, SHA2-256, DH group 14, 1440 min", ChildSA: "AES-128-GCM, DH group 14, 480 min", OnDemandEnabled: "1",
	}
	got := p.VPN.Tunnels[0]
	if len(got.OnDemandRules) != 3 || got.OnDemandRules[0] != "Disconnect when InterfaceTypeMatch WiFi, SSIDMatch [WAREHOUSE-SCAN]" {
		t.Errorf("on-demand rules %q", got.OnDemandRules)
	}
	got.OnDemandRules = nil
	if !sameJSON(got, want) {
		t.Errorf("tunnel\n got %+v\nwant %+v", got, want)
	}
	vpn := rep.Profile["PayloadContent"].([]any)[0].(map[string]any)
	if vpn["IKEv2"].(map[string]any)["SharedSecret"] != "«redacted»" || vpn["VPNType"] != "IKEv2" {
		t.Errorf("decoded profile in JSON: %v", vpn)
	}

	// --show-secrets shows it; --summary-only leaves the profile out.
	r, rep = inspectJSON(t, psk, "--show-secrets", "--summary-only")
	if rep.Profile != nil || rep.SecretsRedacted != 0 || rep.Summary.Payloads[0].VPN.Tunnels[0].SharedSecret != pskSecret {
		t.Errorf("--show-secrets --summary-only: profile %v, redacted %d, secret %q", rep.Profile != nil, rep.SecretsRedacted, rep.Summary.Payloads[0].VPN.Tunnels[0].SharedSecret)
	}
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestInspectReferenceProfiles runs inspect on every real-world profile of
// the shared reference collection: none may crash, the strongSwan wiki
// template (with truncated base64) must fail cleanly, and the secrets the
// collection's README lists must not be printed.
func TestInspectReferenceProfiles(t *testing.T) {
	dir := filepath.Join(referenceDir(t), "real-profiles")
	files, _ := filepath.Glob(filepath.Join(dir, "*.mobileconfig"))
	if len(files) != len(realProfileFindings) {
		t.Fatalf("%d reference profiles in %s, %d expected", len(files), dir, len(realProfileFindings))
	}
	wants := map[string][]string{
		"algo-testuser1-ikev2-cert.mobileconfig": {
			"Authentication:  Certificate, ExtendedAuthEnabled (not set)",
			"IKE SA:          AES-256-GCM, SHA2-512, DH group 20, 1440 min",
			"Certificate:     CN=testuser1",
		},
		"buutuud-psk-ondemand.mobileconfig": {
			"UUID:          91fe5fe13059",
			"Authentication:  SharedSecret, ExtendedAuthEnabled 0",
			"IKE SA:          not set (device defaults)",
			"1. Connect on every network",
		},
		"buutuud-jawj-generated-eap-dh21.mobileconfig": {"Authentication:  None, ExtendedAuthEnabled true"},
		"frkn-hwdsl2-generated-cert-dh14.mobileconfig": {"Child SA:        AES-128-GCM, DH group 14, 1410 min"},
		"passimx-minimal-ikev2.mobileconfig":           {"On demand:       not configured"},
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			data := readOrFail(t, file)
			r := runCLI(t, nil, nil, "inspect", file)
			if strings.HasPrefix(name, "strongswan-") {
				if r.code != exitError || r.stdout != "" {
					t.Fatalf("exit %d, want 1 with nothing on stdout", r.code)
				}
				wantSubstrings(t, "stderr", r.stderr, name+": the file is not a configuration profile: not a property list: XML line 102, column 19: <data> that is not base64: illegal base64 data at input byte 9")
				return
			}
			if r.code != exitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			wantSubstrings(t, "stdout", r.stdout, wants[name]...)
			// Every secret in the file is redacted.
			m, _, err := plistout.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range secretStrings(m) {
				if strings.Contains(r.stdout+r.stderr, secret) {
					t.Errorf("inspect printed the secret %q", secret)
				}
			}
			if _, rep := inspectJSON(t, file); len(rep.Summary.Payloads) == 0 {
				t.Errorf("--json summary has no payloads")
			}
		})
	}
}

// secretStrings returns the secret string values of a decoded profile: those
// that redactSecrets replaces.
func secretStrings(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && profile.IsSecretKey(k) && len(s) > 3 {
				out = append(out, s)
			}
			out = append(out, secretStrings(val)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, secretStrings(e)...)
		}
	}
	return out
}

func TestInspectFailures(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		data []byte
		args []string
		code int
		want string
	}{
		{"not a plist", []byte("hello"), nil, exitError, "the file is not a configuration profile: the property list's root is a string, not a dictionary"},
		{"JSON", []byte(`{"id": "x"}`), nil, exitError, "the file is not a configuration profile: not a property list: it is neither XML nor binary, and as text, line 1, column 7: a dictionary key without = or ;"},
		{"truncated CMS", readOrFail(t, realSigned)[:500], nil, exitError, "it is neither a property list nor valid CMS: not a valid CMS structure"},
		{"key without cert", nil, []string{"--decrypt-key", "k.pem"}, exitUsage, "--decrypt-key and --decrypt-cert go together"},
		{"missing key", nil, []string{"--decrypt-key", filepath.Join(dir, "none.key"), "--decrypt-cert", realSigned}, exitError, "--decrypt-cert " + realSigned + ": "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := realSigned
			if c.data != nil {
				in = writeOrFail(t, filepath.Join(dir, "in"), c.data)
			}
			r := runCLI(t, nil, nil, append([]string{"inspect", in}, c.args...)...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.code, r.stderr)
			}
			wantSubstrings(t, "stderr", r.stderr, c.want)
		})
	}
}

func TestInspectWarnsAboutInvalidSignature(t *testing.T) {
	data := readOrFail(t, realSigned)
	tampered := []byte(strings.Replace(string(data), "dns.adguard.com", "dns.adguard.org", 1))
	in := writeOrFail(t, filepath.Join(t.TempDir(), "tampered.mobileconfig"), tampered)
	r := runCLI(t, nil, nil, "inspect", in, "--summary-only")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	wantSubstrings(t, "stderr", r.stderr, "warning: ", "the signature is not valid: content does not match the signed digest")
	wantSubstrings(t, "stdout", r.stdout, "Signature:     NOT VALID: content does not match the signed digest")
	if _, err := os.Stat(in); err != nil {
		t.Error(err)
	}
}

// readString reads a small test file, without its trailing newline.
func readString(t *testing.T, path string) string {
	t.Helper()
	return strings.TrimSpace(string(readOrFail(t, path)))
}
