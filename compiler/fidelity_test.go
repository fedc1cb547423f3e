package compiler_test

import (
	"crypto/x509"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
)

func mustTarget(t *testing.T, s string) compiler.Target {
	t.Helper()
	tg, err := compiler.ParseTarget(s)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// TestBooleanFlags checks every Graph boolean that becomes an Apple 0/1 flag,
// with both values: true must give integer 1 and false integer 0, never the
// other, never a missing key.
func TestBooleanFlags(t *testing.T) {
	cases := []struct {
		graph    string // member of the entity, or of alwaysOnConfiguration
		apple    string // key path in the VPN payload (Always On: in AlwaysOn, or in the tunnel)
		alwaysOn bool
		extra    string // other members the flag needs to be written
	}{
		{graph: "disableMobilityAndMultihoming", apple: "IKEv2.DisableMOBIKE"},
		{graph: "disableRedirect", apple: "IKEv2.DisableRedirect"},
		{graph: "enablePerfectForwardSecrecy", apple: "IKEv2.EnablePFS"},
		{graph: "enableCertificateRevocationCheck", apple: "IKEv2.EnableCertificateRevocationCheck"},
		{graph: "enableUseInternalSubnetAttributes", apple: "IKEv2.UseConfigurationAttributeInternalIPSubnet"},
		{graph: "disconnectOnIdle", apple: "IKEv2.DisconnectOnIdle"},
		{graph: "includeAllNetworks", apple: "IKEv2.IncludeAllNetworks"},
		{graph: "excludeLocalNetworks", apple: "IKEv2.ExcludeLocalNetworks", extra: `"includeAllNetworks": true`},
		{graph: "disableOnDemandUserOverride", apple: "IKEv2.OnDemandUserOverrideDisabled"},
		{graph: "userToggleEnabled", apple: "AlwaysOn.UIToggleEnabled", alwaysOn: true},
		{graph: "allowCaptiveWebSheet", apple: "AlwaysOn.AllowCaptiveWebSheet", alwaysOn: true},
		{graph: "allowAllCaptiveNetworkPlugins", apple: "AlwaysOn.AllowAllCaptiveNetworkPlugins", alwaysOn: true},
		{graph: "natKeepAliveOffloadEnable", apple: "AlwaysOn.TunnelConfigurations[0].NATKeepAliveOffloadEnable", alwaysOn: true},
	}
	for _, c := range cases {
		for _, v := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s=%v", c.graph, v), func(t *testing.T) {
				member := fmt.Sprintf("%q: %v", c.graph, v)
				if c.extra != "" {
					member += ", " + c.extra
				}
				js := with(member)
				opts := compiler.Options{}
				if c.alwaysOn {
					js = strings.Replace(with(`"enableAlwaysOnConfiguration": true, "alwaysOnConfiguration": {`+member+`}`), `"sharedSecret",`, `"certificate",`, 1)
					opts.IdentityUUID = "11111111-2222-4333-8444-555555555555"
				}
				res := compileJSON(t, js, opts)
				if res.Profile == nil {
					t.Fatalf("no profile: %s", all(res.Diagnostics))
				}
				got, ok := lookupPath(vpnPayload(t, res.Profile), c.apple)
				want := map[bool]int{true: 1, false: 0}[v]
				if !ok || got != want {
					t.Errorf("%s: Graph %s %v gives %#v (present %v), want integer %d", c.apple, c.graph, v, got, ok, want)
				}
			})
		}
	}
}

// lookupPath follows "A.B[0].C" through a decoded profile.
func lookupPath(m map[string]any, path string) (any, bool) {
	var v any = m
	for _, part := range strings.Split(path, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		mm, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = mm[name]; !ok {
			return nil, false
		}
		if hasIdx {
			var i int
			fmt.Sscanf(idx, "%d]", &i)
			arr, ok := v.([]any)
			if !ok || i >= len(arr) {
				return nil, false
			}
			v = arr[i]
		}
	}
	return v, true
}

func TestServerAddress(t *testing.T) {
	cases := []struct {
		address string
		want    string // RemoteAddress; "" for an error
		code    string // the diagnostic expected at server.address
		sev     diag.Severity
	}{
		{"vpn.example.com", "vpn.example.com", "", 0},
		{"  vpn.example.com  ", "vpn.example.com", "", 0},
		{"vpn.example.com.", "vpn.example.com.", "", 0},
		{"203.0.113.10", "203.0.113.10", "", 0},
		{"2001:db8::1", "2001:db8::1", "", 0},
		{"vpn.example.com:4500", "vpn.example.com", "server-port", diag.Warning},
		{"203.0.113.10:500", "203.0.113.10", "server-port", diag.Warning},
		{"[2001:db8::1]", "2001:db8::1", "server-brackets", diag.Info},
		{"[2001:db8::1]:4500", "2001:db8::1", "server-port", diag.Warning},
		{"https://vpn.example.com/login", "vpn.example.com", "server-url", diag.Warning},
		{"https://vpn.example.com:8443/", "vpn.example.com", "server-port", diag.Warning},
		{"vpn.bücher.example", "vpn.xn--bcher-kva.example", "server-idn", diag.Info},
		{"{{site}}.vpn.example.com", "{{site}}.vpn.example.com", "mdm-variable", diag.Warning},
		{"vpn1.example.com,vpn2.example.com", "", "bad-server", diag.Error},
		{"vpn1.example.com; vpn2.example.com", "", "bad-server", diag.Error},
		{"vpn example com", "", "bad-server", diag.Error},
		{"vpn_gw.example.com", "", "bad-server", diag.Error},
		{"-vpn.example.com", "", "bad-server", diag.Error},
		{"vpn..example.com", "", "bad-server", diag.Error},
		{"256.1.1.1", "", "bad-server", diag.Error},
		{"vpn.example.com:0", "", "bad-server", diag.Error},
		{"vpn.example.com:http", "", "bad-server", diag.Error},
		{"[vpn.example.com]", "", "bad-server", diag.Error},
		{"[fe80::1%en0]", "", "bad-server", diag.Error},
		{"http://", "", "bad-server", diag.Error},
		{strings.Repeat("a", 64) + ".example.com", "", "bad-server", diag.Error},
	}
	for _, c := range cases {
		t.Run(c.address, func(t *testing.T) {
			js := strings.Replace(with(""), `"server": {"address": "vpn.example.com"}`, fmt.Sprintf(`"server": {"address": %q}`, c.address), 1)
			res := compileJSON(t, js, compiler.Options{})
			if c.want == "" {
				if res.Profile != nil {
					t.Fatalf("compiled; want an error: %s", all(res.Diagnostics))
				}
			} else {
				if res.Profile == nil {
					t.Fatalf("no profile: %s", all(res.Diagnostics))
				}
				if got, _ := lookup(vpnPayload(t, res.Profile), "IKEv2.RemoteAddress"); got != c.want {
					t.Errorf("RemoteAddress = %v, want %q", got, c.want)
				}
			}
			if c.code != "" {
				d, ok := findDiag(res.Diagnostics, c.code, "server.address")
				if !ok || d.Severity != c.sev {
					t.Errorf("want a %s %s at server.address, got %s", c.sev, c.code, all(res.Diagnostics))
				}
			}
		})
	}
}

func TestProxyAddress(t *testing.T) {
	cases := []struct {
		proxy      string
		host       string // HTTPProxy; "" for an error
		port       int
		code, path string // a diagnostic expected
	}{
		{`{"address": "proxy.example.com", "port": 8080}`, "proxy.example.com", 8080, "", ""},
		{`{"address": "http://proxy.example.com:3128", "port": null}`, "proxy.example.com", 3128, "proxy-address", "proxyServer.address"},
		{`{"address": "http://proxy.example.com:3128", "port": 8080}`, "proxy.example.com", 8080, "proxy-address", "proxyServer.address"},
		{`{"address": "proxy.example.com:3128"}`, "proxy.example.com", 3128, "proxy-address", "proxyServer.address"},
		{`{"address": "http://proxy.example.com"}`, "proxy.example.com", 80, "proxy-address", "proxyServer.address"},
		{`{"address": "https://proxy.example.com/"}`, "proxy.example.com", 443, "proxy-address", "proxyServer.address"},
		{`{"address": "[2001:db8::8]:8080"}`, "2001:db8::8", 8080, "proxy-address", "proxyServer.address"},
		{`{"address": "proxy.example.com"}`, "", 0, "missing-value", "proxyServer.port"},
		{`{"address": "proxy.example.com", "port": 0}`, "", 0, "bad-value", "proxyServer.port"},
		{`{"address": "proxy1.example.com,proxy2.example.com", "port": 8080}`, "", 0, "bad-proxy", "proxyServer.address"},
		{`{"address": "proxy example", "port": 8080}`, "", 0, "bad-proxy", "proxyServer.address"},
		{`{"port": 8080}`, "-", 0, "ignored-setting", "proxyServer.port"},
	}
	for _, c := range cases {
		t.Run(c.proxy, func(t *testing.T) {
			res := compileJSON(t, with(`"proxyServer": `+c.proxy), compiler.Options{})
			switch c.host {
			case "":
				if res.Profile != nil {
					t.Fatalf("compiled; want an error: %s", all(res.Diagnostics))
				}
			case "-":
				if _, ok := lookup(vpnPayload(t, res.Profile), "Proxies"); ok {
					t.Error("Proxies written without an address")
				}
			default:
				if res.Profile == nil {
					t.Fatalf("no profile: %s", all(res.Diagnostics))
				}
				vpn := vpnPayload(t, res.Profile)
				for _, s := range []string{"HTTP", "HTTPS"} {
					if got, _ := lookup(vpn, "Proxies."+s+"Proxy"); got != c.host {
						t.Errorf("%sProxy = %v, want %q", s, got, c.host)
					}
					if got, _ := lookup(vpn, "Proxies."+s+"Port"); got != c.port {
						t.Errorf("%sPort = %v, want %d", s, got, c.port)
					}
				}
			}
			if c.code != "" {
				d, ok := findDiag(res.Diagnostics, c.code, c.path)
				if !ok {
					t.Errorf("want %s at %s, got %s", c.code, c.path, all(res.Diagnostics))
				}
				if c.code == "ignored-setting" && d.Severity != diag.Warning {
					t.Errorf("a dropped setting must be a warning: %s", d)
				}
			}
		})
	}
}

// testIdentityOf makes an identity of the key type; the PKCS#12 bytes are
// not looked at by these tests.
func testIdentityOf(t *testing.T, kt testpki.KeyType) *compiler.Identity {
	t.Helper()
	root := testpki.NewRoot(t, testpki.Options{})
	leaf := root.NewLeaf(t, testpki.Options{KeyType: kt, CommonName: "device.example"})
	return &compiler.Identity{PKCS12: []byte{0x30, 0x00}, Certificate: leaf.Cert}
}

// TestCertificateTypeMatchesIdentity checks serverCertificateType (Apple's
// CertificateType, "the type of PayloadCertificateUUID to use for IKEv2
// machine authentication") against the --identity key.
func TestCertificateTypeMatchesIdentity(t *testing.T) {
	certJS := func(ct string) string {
		js := strings.Replace(with(`"serverCertificateIssuerCommonName": "Test CA"`+ct), `"sharedSecret",`, `"certificate",`, 1)
		return js
	}
	cases := []struct {
		name     string
		identity *compiler.Identity
		uuid     string
		ct       string // serverCertificateType member, "" for none
		want     string // CertificateType written; "" for an error
		errText  []string
		warnCode string
	}{
		{"RSA identity, rsa", testIdentityOf(t, testpki.RSA2048), "", "rsa", "RSA", nil, ""},
		{"RSA identity, ecdsa256", testIdentityOf(t, testpki.RSA2048), "", "ecdsa256", "", []string{"ecdsa256", "ECDSA256", "RSA 2048", "set serverCertificateType to rsa"}, ""},
		{"P-256 identity, ecdsa256", testIdentityOf(t, testpki.ECDSAP256), "", "ecdsa256", "ECDSA256", nil, ""},
		{"P-256 identity, ecdsa384", testIdentityOf(t, testpki.ECDSAP256), "", "ecdsa384", "", []string{"ECDSA384", "ECDSA P-256", "ecdsa256"}, ""},
		{"P-384 identity, ecdsa384", testIdentityOf(t, testpki.ECDSAP384), "", "ecdsa384", "ECDSA384", nil, ""},
		{"P-521 identity, ecdsa521", testIdentityOf(t, testpki.ECDSAP521), "", "ecdsa521", "ECDSA521", nil, ""},
		{"P-521 identity, rsa", testIdentityOf(t, testpki.ECDSAP521), "", "rsa", "", []string{"ECDSA P-521", "ecdsa521"}, ""},
		{"Ed25519 identity, rsa", testIdentityOf(t, testpki.Ed25519), "", "rsa", "", []string{"Ed25519"}, ""},
		{"identity uuid: written as asked", nil, "11111111-2222-4333-8444-555555555555", "ecdsa384", "ECDSA384", nil, ""},
		{"P-256 identity, no type: the RSA default does not fit", testIdentityOf(t, testpki.ECDSAP256), "", "", "-", nil, "certificate-type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct := ""
			if c.ct != "" {
				ct = fmt.Sprintf(`, "serverCertificateType": %q`, c.ct)
			}
			res := compileJSON(t, certJS(ct), compiler.Options{Identity: c.identity, IdentityUUID: c.uuid})
			switch c.want {
			case "":
				d, ok := findDiag(res.Diagnostics, "certificate-type", "serverCertificateType")
				if !ok || d.Severity != diag.Error || res.Profile != nil {
					t.Fatalf("want a certificate-type error, got %s", all(res.Diagnostics))
				}
				for _, s := range c.errText {
					if !strings.Contains(d.Message, s) {
						t.Errorf("the error does not name %q: %s", s, d.Message)
					}
				}
			case "-":
				if res.Profile == nil {
					t.Fatalf("no profile: %s", all(res.Diagnostics))
				}
				if _, ok := lookup(vpnPayload(t, res.Profile), "IKEv2.CertificateType"); ok {
					t.Error("CertificateType written although the export sets none")
				}
			default:
				if res.Profile == nil {
					t.Fatalf("no profile: %s", all(res.Diagnostics))
				}
				if got, _ := lookup(vpnPayload(t, res.Profile), "IKEv2.CertificateType"); got != c.want {
					t.Errorf("CertificateType = %v, want %s", got, c.want)
				}
			}
			if c.warnCode != "" {
				if d, ok := findDiag(res.Diagnostics, c.warnCode, "serverCertificateType"); !ok || d.Severity != diag.Warning {
					t.Errorf("want a %s warning, got %s", c.warnCode, all(res.Diagnostics))
				}
			}
		})
	}
}

// TestUnresolvedVariables checks that every {{variable}} left in a profile
// is a warning naming it and its key, that names graph2mobileconfig made up
// are errors unless --var fills them, and that a token a --var value brings
// in is reported too.
func TestUnresolvedVariables(t *testing.T) {
	js := with(`"connectionName": "{{ DeviceName }} VPN"`)
	js = strings.Replace(js, `"connectionName": "Test",`, "", 1)
	res := compileJSON(t, js, compiler.Options{})
	d, ok := findDiag(res.Diagnostics, "mdm-variable", "connectionName")
	if !ok || d.Severity != diag.Warning || !strings.Contains(d.Message, "{{ DeviceName }}") || d.Key != "UserDefinedName" || res.Profile == nil {
		t.Errorf("want a warning naming {{ DeviceName }} in UserDefinedName, got %s", all(res.Diagnostics))
	}

	fqdn := strings.Replace(with(`"localIdentifier": "deviceFQDN"`), `"localIdentifier": "empty",`, "", 1)
	res = compileJSON(t, fqdn, compiler.Options{})
	if d, ok := findDiag(res.Diagnostics, "unresolved-variable", "localIdentifier"); !ok || d.Severity != diag.Error || res.Profile != nil || d.Hint.Code != diag.HintVar || d.Hint.Arg != "devicefqdn" || d.Hint.Text != `set compiler.Options.Vars["devicefqdn"]` {
		t.Errorf("{{devicefqdn}} without --var must be an error, got %s", all(res.Diagnostics))
	}
	res = compileJSON(t, fqdn, compiler.Options{Vars: map[string]string{"DeviceFQDN": "{{serialnumber}}.corp.example"}})
	if res.Profile == nil {
		t.Fatalf("no profile: %s", all(res.Diagnostics))
	}
	if got, _ := lookup(vpnPayload(t, res.Profile), "IKEv2.LocalIdentifier"); got != "{{serialnumber}}.corp.example" {
		t.Errorf("LocalIdentifier = %v", got)
	}
	if d, ok := findDiag(res.Diagnostics, "mdm-variable", "localIdentifier"); !ok || !strings.Contains(d.Message, "{{serialnumber}}") || d.Key != "IKEv2.LocalIdentifier" {
		t.Errorf("a token brought in by a --var value must be reported, got %s", all(res.Diagnostics))
	}
	subject := strings.Replace(with(`"localIdentifier": "clientCertificateSubjectName"`), `"localIdentifier": "empty",`, "", 1)
	subject = strings.Replace(subject, `"sharedSecret",`, `"certificate",`, 1)
	res = compileJSON(t, subject, compiler.Options{IdentityUUID: "11111111-2222-4333-8444-555555555555"})
	if d, ok := findDiag(res.Diagnostics, "unresolved-variable", "localIdentifier"); !ok || d.Severity != diag.Error || !strings.Contains(d.Message, "{{certificatesubjectname}}") {
		t.Errorf("{{certificatesubjectname}} without --var or --identity must be an error, got %s", all(res.Diagnostics))
	}
}

// TestVariableNames checks that names match without regard to case, the
// same way every run, and that two names differing only in case are refused.
func TestVariableNames(t *testing.T) {
	js := strings.Replace(with(""), `"remoteIdentifier": "vpn.example.com"`, `"remoteIdentifier": "{{Gateway}}.example.com"`, 1)
	for range 20 {
		res := compileJSON(t, js, compiler.Options{Vars: map[string]string{"GATEWAY": "gw1"}})
		if res.Profile == nil {
			t.Fatalf("no profile: %s", all(res.Diagnostics))
		}
		if got, _ := lookup(vpnPayload(t, res.Profile), "IKEv2.RemoteIdentifier"); got != "gw1.example.com" {
			t.Fatalf("RemoteIdentifier = %v", got)
		}
	}
	vars := map[string]string{"gateway": "gw1", "Gateway": "gw2"}
	res := compileJSON(t, js, compiler.Options{Vars: vars})
	if d, ok := findDiag(res.Diagnostics, "bad-variable", ""); !ok || res.Profile != nil || !strings.Contains(d.Message, "differ only in case") {
		t.Errorf("names differing only in case must be an error, got %s", all(res.Diagnostics))
	}
	if err := (compiler.Options{Vars: vars}).Check(); err == nil || !strings.Contains(err.Error(), `"Gateway" and "gateway"`) {
		t.Errorf("Options.Check = %v", err)
	}
	if err := (compiler.Options{Vars: map[string]string{"a b": "x"}}).Check(); err == nil {
		t.Error("a name that cannot appear in a token must be refused")
	}
}

// TestVariablesAreCheckedAfterSubstitution: a --var value is held to the
// rules of the text it replaces (issue 11, item 14).
func TestVariablesAreCheckedAfterSubstitution(t *testing.T) {
	js := strings.Replace(with(""), `"server": {"address": "vpn.example.com"}`, `"server": {"address": "{{host}}"}`, 1)
	for _, c := range []struct {
		value, code, want string
	}{
		{"", "missing-server", ""},
		{"   ", "missing-server", ""},
		{"vpn example com", "bad-server", ""},
		{"a.example.com,b.example.com", "bad-server", ""},
		{"vpn.example.com:4500", "server-port", "vpn.example.com"},
		{"vpn.example.com", "", "vpn.example.com"},
	} {
		for _, strict := range []bool{false, true} {
			res := compileJSON(t, js, compiler.Options{Strict: strict, Vars: map[string]string{"host": c.value}})
			if c.want == "" {
				if d, ok := findDiag(res.Diagnostics, c.code, "server.address"); !ok || d.Severity != diag.Error || res.Profile != nil {
					t.Errorf("--var host=%q (strict %v): want %s, got %s", c.value, strict, c.code, all(res.Diagnostics))
				}
				continue
			}
			if strict && c.code != "" {
				continue // the warning is an error under --strict
			}
			if res.Profile == nil {
				t.Fatalf("--var host=%q: no profile: %s", c.value, all(res.Diagnostics))
			}
			if got, _ := lookup(vpnPayload(t, res.Profile), "IKEv2.RemoteAddress"); got != c.want {
				t.Errorf("--var host=%q: RemoteAddress %v", c.value, got)
			}
		}
	}
}

// TestIdentifiersNeverEmptyOrShared: ids without a usable character get an
// identifier from a hash of the raw id (issue 11, item 16).
func TestIdentifiersNeverEmptyOrShared(t *testing.T) {
	seen := map[string]string{}
	for _, id := range []string{"...", ".", "日本語", "日本", "a b", "a-b", "a_b", "A B"} {
		js := strings.Replace(with(""), `"id": "00000000-1111-4222-8333-444444444444"`, fmt.Sprintf(`"id": %q`, id), 1)
		res := compileJSON(t, js, compiler.Options{IdentifierPrefix: "com.example"})
		if res.Profile == nil {
			t.Fatalf("id %q: no profile: %s", id, all(res.Diagnostics))
		}
		part := strings.TrimPrefix(res.Identifier, "com.example.")
		if part == "" || strings.HasSuffix(res.Identifier, ".") || strings.Contains(part, ".") && id != "..." {
			t.Errorf("id %q: identifier %q", id, res.Identifier)
		}
		if prev, dup := seen[res.Identifier]; dup {
			t.Errorf("ids %q and %q share the identifier %s", prev, id, res.Identifier)
		}
		seen[res.Identifier] = id
		if id == "a-b" || id == "a_b" {
			continue // valid as they are
		}
		d, ok := findDiag(res.Diagnostics, "identifier", "id")
		if !ok || d.Severity != diag.Warning {
			t.Errorf("id %q: want a warning, got %s", id, all(res.Diagnostics))
		}
		strict := compileJSON(t, js, compiler.Options{IdentifierPrefix: "com.example", Strict: true})
		if strict.Profile != nil {
			t.Errorf("id %q: --strict must refuse the made-up identifier", id)
		}
	}
	if a, b := seen["com.example.a-b"], "a-b"; a != b {
		t.Errorf("the valid id a-b must stay as it is: %v", seen)
	}
}

// TestAlwaysOnLeavesOutWhatMeansNothing: settings without meaning for an
// always-connected tunnel are left out, with a warning when they ask for
// something.
func TestAlwaysOnLeavesOutWhatMeansNothing(t *testing.T) {
	base := strings.Replace(with(`"enableAlwaysOnConfiguration": true, %s`), `"sharedSecret",`, `"certificate",`, 1)
	for _, c := range []struct {
		member, graph, key string
	}{
		{`"disconnectOnIdle": true, "disconnectOnIdleTimerInSeconds": 300`, "disconnectOnIdle", "DisconnectOnIdle"},
		{`"includeAllNetworks": true`, "includeAllNetworks", "IncludeAllNetworks"},
		{`"disableOnDemandUserOverride": true`, "disableOnDemandUserOverride", "OnDemandUserOverrideDisabled"},
		{`"enableSplitTunneling": true`, "enableSplitTunneling", "OverridePrimary"},
	} {
		for _, on := range []bool{true, false} {
			member := c.member
			if !on {
				member = strings.ReplaceAll(strings.Split(member, ",")[0], "true", "false")
			}
			res := compileJSON(t, strings.Replace(base, "%s", member, 1), compiler.Options{IdentityUUID: "11111111-2222-4333-8444-555555555555"})
			if res.Profile == nil {
				t.Fatalf("%s: no profile: %s", member, all(res.Diagnostics))
			}
			if strings.Contains(fmt.Sprint(res.Profile.Map()), c.key) {
				t.Errorf("%s: %s is in the Always On profile", member, c.key)
			}
			d, ok := findDiag(res.Diagnostics, "ignored-setting", c.graph)
			want := diag.Info
			if on {
				want = diag.Warning
			}
			if !ok || d.Severity != want {
				t.Errorf("%s: want a %s, got %s", member, want, all(res.Diagnostics))
			}
		}
	}
}

func TestSplitTunneling(t *testing.T) {
	for _, c := range []struct {
		members  string
		override bool
		code     string
		sev      diag.Severity
	}{
		{`"enableSplitTunneling": false`, true, "full-tunnel", diag.Warning},
		{`"enableSplitTunneling": false, "includeAllNetworks": true`, true, "full-tunnel", diag.Info},
		{`"enableSplitTunneling": true`, false, "", 0},
		{`"enableSplitTunneling": true, "includeAllNetworks": true`, false, "contradiction", diag.Warning},
	} {
		res := compileJSON(t, with(c.members), compiler.Options{})
		if res.Profile == nil {
			t.Fatalf("%s: no profile: %s", c.members, all(res.Diagnostics))
		}
		got, ok := lookup(vpnPayload(t, res.Profile), "IPv4.OverridePrimary")
		if ok != c.override || ok && got != 1 {
			t.Errorf("%s: IPv4.OverridePrimary = %v (present %v)", c.members, got, ok)
		}
		if c.code != "" {
			d, ok := findDiag(res.Diagnostics, c.code, "enableSplitTunneling")
			if !ok || d.Severity != c.sev {
				t.Errorf("%s: want a %s %s, got %s", c.members, c.sev, c.code, all(res.Diagnostics))
			}
			if c.code == "full-tunnel" && !strings.Contains(d.Message, "includeAllNetworks") {
				t.Errorf("the note must name includeAllNetworks: %s", d.Message)
			}
		}
		if c.code == "full-tunnel" && c.sev == diag.Warning {
			d, _ := findDiag(res.Diagnostics, c.code, "enableSplitTunneling")
			if !strings.Contains(d.Message, "traffic selectors") {
				t.Errorf("the warning must name the server's traffic selectors: %s", d.Message)
			}
		}
	}
}

func TestTargetDeviceTypeGate(t *testing.T) {
	for _, c := range []struct {
		target string
		want   bool
	}{{"ios:12.1", false}, {"ios:12.2", true}, {"ios:26.0", true}, {"", true}} {
		var tg compiler.Target
		if c.target != "" {
			tg = mustTarget(t, c.target)
		}
		res := compileJSON(t, with(""), compiler.Options{Target: tg})
		if res.Profile == nil {
			t.Fatalf("%s: no profile: %s", c.target, all(res.Diagnostics))
		}
		if _, ok := res.Profile.Get("TargetDeviceType"); ok != c.want {
			t.Errorf("%s: TargetDeviceType present %v, want %v", c.target, ok, c.want)
		}
		if _, noted := findDiagKey(res.Diagnostics, "target-unsupported", "Profile.TargetDeviceType"); noted == c.want {
			t.Errorf("%s: note present %v", c.target, noted)
		}
	}
}

// TestApplicabilityRuleAgainstDefaultTarget: only an explicit target can
// refuse an export; the default target gives a warning.
func TestApplicabilityRuleAgainstDefaultTarget(t *testing.T) {
	js := with(`"deviceManagementApplicabilityRuleOsVersion": {"minOSVersion": "12.0", "maxOSVersion": "16.9", "ruleType": "include"}`)
	res := compileJSON(t, js, compiler.Options{})
	d, ok := findDiag(res.Diagnostics, "not-applicable", "deviceManagementApplicabilityRuleOsVersion")
	if !ok || d.Severity != diag.Warning || res.Profile == nil || !strings.Contains(d.Message, "default target") {
		t.Errorf("without --target: want a warning and a profile, got %s", all(res.Diagnostics))
	}
	res = compileJSON(t, js, compiler.Options{Target: mustTarget(t, "ios:26.0")})
	if d, ok := findDiag(res.Diagnostics, "not-applicable", "deviceManagementApplicabilityRuleOsVersion"); !ok || d.Severity != diag.Error || res.Profile != nil {
		t.Errorf("with --target ios:26.0: want an error, got %s", all(res.Diagnostics))
	}
}

// TestDroppedSettingsAreWarnings: a setting the admin made that is not
// written is a warning, so it shows at the default verbosity.
func TestDroppedSettingsAreWarnings(t *testing.T) {
	eapOnly := strings.Replace(with(`"enableEAP": true`), `"sharedSecret",`, `"usernameAndPassword",`, 1)
	eapOnly = strings.Replace(eapOnly, `"deviceAuthentication"`, `"userAuthentication"`, 1)
	for _, c := range []struct {
		js, path string
	}{
		{strings.Replace(eapOnly, `"enableEAP": true`, `"enableEAP": true, "serverCertificateType": "ecdsa256"`, 1), "serverCertificateType"},
		{with(`"tlsMinimumVersion": "1.2"`), "tlsMinimumVersion"},
		{with(`"disconnectOnIdle": false, "disconnectOnIdleTimerInSeconds": 120`), "disconnectOnIdleTimerInSeconds"},
		{with(`"alwaysOnConfiguration": {"userToggleEnabled": true}`), "alwaysOnConfiguration"},
		{with(`"onDemandRules": [{"action": "connect", "domains": ["a.example"]}]`), "onDemandRules[0]"},
	} {
		res := compileJSON(t, c.js, compiler.Options{})
		d, ok := findDiag(res.Diagnostics, "ignored-setting", c.path)
		if !ok || d.Severity != diag.Warning {
			t.Errorf("%s: want an ignored-setting warning, got %s", c.path, all(res.Diagnostics))
		}
	}
}

// TestNoDefaultNoteForInvalidMember: when the only member of a proposal is
// invalid, the error says so and no "device defaults apply" note follows.
func TestNoDefaultNoteForInvalidMember(t *testing.T) {
	for _, sa := range []string{`{"securityDiffieHellmanGroup": 10}`, `{"securityEncryptionAlgorithm": "aes192"}`, `{"lifetimeInMinutes": 5}`} {
		res := compileJSON(t, with(`"securityAssociationParameters": `+sa), compiler.Options{})
		if !res.Diagnostics.HasErrors() {
			t.Errorf("%s: want an error", sa)
		}
		if d, ok := findDiag(res.Diagnostics, "device-default", "securityAssociationParameters"); ok {
			t.Errorf("%s: a device-default note beside the error: %s", sa, d)
		}
	}
}

func TestTLS13(t *testing.T) {
	eapTLS := strings.Replace(with(`"tlsMinimumVersion": "1.2", "tlsMaximumVersion": "1.3"`), `"sharedSecret",`, `"certificate",`, 1)
	eapTLS = strings.Replace(eapTLS, `"deviceAuthentication"`, `"userAuthentication"`, 1)
	opts := compiler.Options{IdentityUUID: "11111111-2222-4333-8444-555555555555"}
	for _, c := range []struct {
		target string
		ok     bool
	}{{"ios:26.4", false}, {"ios:27.0", true}, {"ios:18.0", false}} {
		opts.Target = mustTarget(t, c.target)
		res := compileJSON(t, eapTLS, opts)
		if c.ok {
			if res.Profile == nil {
				t.Fatalf("%s: no profile: %s", c.target, all(res.Diagnostics))
			}
			if got, _ := lookup(vpnPayload(t, res.Profile), "IKEv2.TLSMaximumVersion"); got != "1.3" {
				t.Errorf("%s: TLSMaximumVersion %v", c.target, got)
			}
			continue
		}
		d, ok := findDiag(res.Diagnostics, "bad-value", "tlsMaximumVersion")
		if !ok || res.Profile != nil || !strings.Contains(d.Message, "from iOS 27.0 on") || !strings.Contains(d.Message, "exact iOS version is not known") {
			t.Errorf("%s: want an error pointing to 27.0, got %s", c.target, all(res.Diagnostics))
		}
	}
}

func TestParseKeyExchanges(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []compiler.KeyExchange
		err  string
	}{
		{"mlkem768", []compiler.KeyExchange{compiler.MLKEM768}, ""},
		{"mlkem1024, MLKEM768", []compiler.KeyExchange{compiler.MLKEM1024, compiler.MLKEM768}, ""},
		{"ml-kem-768", []compiler.KeyExchange{compiler.MLKEM768}, ""},
		{"mlkem768,mlkem768", nil, "listed twice"},
		{"x25519", nil, "unknown key exchange"},
		{"", nil, "empty entry"},
		{"mlkem768,", nil, "empty entry"},
	} {
		got, err := compiler.ParseKeyExchanges(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseKeyExchanges(%q) = %v, %v; want an error with %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseKeyExchanges(%q) = %v, %v", c.in, got, err)
		}
	}
	if compiler.MLKEM768.String() != "mlkem768" || compiler.MLKEM1024 != 37 || compiler.MLKEM768 != 36 {
		t.Error("ML-KEM-768 is transform ID 36 and ML-KEM-1024 37 (IANA)")
	}
}

// TestAlgorithmsBeyondGraph checks --strict-algorithms, --post-quantum and
// --post-quantum-fallback: what they write, what they refuse, and their
// gates by target.
func TestAlgorithmsBeyondGraph(t *testing.T) {
	pq := []compiler.KeyExchange{compiler.MLKEM768, compiler.MLKEM1024}
	strong := `"securityAssociationParameters": {"securityEncryptionAlgorithm": "aes256Gcm", "securityDiffieHellmanGroup": 20}`

	t.Run("post-quantum into both SAs, child from the IKE values", func(t *testing.T) {
		res := compileJSON(t, with(strong), compiler.Options{Algorithms: compiler.Algorithms{PostQuantum: pq, PostQuantumFallback: true}})
		if res.Profile == nil {
			t.Fatalf("no profile: %s", all(res.Diagnostics))
		}
		vpn := vpnPayload(t, res.Profile)
		want := []any{36, 37}
		for _, sa := range []string{"IKESecurityAssociationParameters", "ChildSecurityAssociationParameters"} {
			if got, _ := lookup(vpn, "IKEv2."+sa+".PostQuantumKeyExchangeMethods"); !reflect.DeepEqual(got, want) {
				t.Errorf("%s.PostQuantumKeyExchangeMethods = %#v, want %v (in order)", sa, got, want)
			}
		}
		if got, _ := lookup(vpn, "IKEv2.ChildSecurityAssociationParameters.DiffieHellmanGroup"); got != 20 {
			t.Errorf("the new child dictionary must carry the IKE values; DiffieHellmanGroup = %v", got)
		}
		if got, _ := lookup(vpn, "IKEv2.AllowPostQuantumKeyExchangeFallback"); got != 1 {
			t.Errorf("AllowPostQuantumKeyExchangeFallback = %v", got)
		}
		if _, ok := lookup(vpn, "IKEv2.EnforceStrictAlgorithmSelection"); ok {
			t.Error("EnforceStrictAlgorithmSelection written without --strict-algorithms")
		}
		if f := lintFor(res.Profile, "26.0"); len(f) > 0 {
			t.Errorf("schema findings: %s", all(f))
		}
		algs := compiler.ProfileAlgorithms(res.Profile.Map())
		if len(algs) != 1 || !reflect.DeepEqual(algs[0].IKE.PostQuantum, pq) || !reflect.DeepEqual(algs[0].Child.PostQuantum, pq) || !algs[0].PostQuantumFallback || algs[0].ChildFromIKE {
			t.Errorf("ProfileAlgorithms = %+v", algs)
		}
	})
	t.Run("post-quantum without any SA in the export", func(t *testing.T) {
		res := compileJSON(t, with(""), compiler.Options{Algorithms: compiler.Algorithms{PostQuantum: pq[:1]}})
		if res.Profile == nil {
			t.Fatalf("no profile: %s", all(res.Diagnostics))
		}
		vpn := vpnPayload(t, res.Profile)
		for _, sa := range []string{"IKESecurityAssociationParameters", "ChildSecurityAssociationParameters"} {
			if got, _ := lookup(vpn, "IKEv2."+sa); !reflect.DeepEqual(got, map[string]any{"PostQuantumKeyExchangeMethods": []any{36}}) {
				t.Errorf("%s = %#v", sa, got)
			}
		}
		a := compiler.ProfileAlgorithms(res.Profile.Map())[0]
		if a.IKE.Encryption != "AES-256" || a.IKE.DHGroup != 14 || a.IKE.LifetimeMinutes != 1440 || len(a.IKE.Defaulted) != 4 {
			t.Errorf("Apple's defaults must fill the unset members: %+v", a.IKE)
		}
	})
	t.Run("strict selection writes the key", func(t *testing.T) {
		res := compileJSON(t, with(strong), compiler.Options{Target: mustTarget(t, "ios:18.5"), Algorithms: compiler.Algorithms{StrictSelection: true}})
		if res.Profile == nil {
			t.Fatalf("no profile: %s", all(res.Diagnostics))
		}
		if got, _ := lookup(vpnPayload(t, res.Profile), "IKEv2.EnforceStrictAlgorithmSelection"); got != 1 {
			t.Errorf("EnforceStrictAlgorithmSelection = %v", got)
		}
	})
	for _, c := range []struct {
		name, sa, path, text string
	}{
		{"strict refuses 3DES", `"securityAssociationParameters": {"securityEncryptionAlgorithm": "tripleDes"}`, "securityAssociationParameters.securityEncryptionAlgorithm", "3DES is refused"},
		{"strict refuses DES in the child", `"childSecurityAssociationParameters": {"securityEncryptionAlgorithm": "des"}`, "childSecurityAssociationParameters.securityEncryptionAlgorithm", "DES is refused"},
		{"strict refuses DH 5", `"securityAssociationParameters": {"securityDiffieHellmanGroup": 5}`, "securityAssociationParameters.securityDiffieHellmanGroup", "group 5 is refused"},
		{"strict refuses an IKE cipher weaker than the child's", `"securityAssociationParameters": {"securityEncryptionAlgorithm": "aes128"}, "childSecurityAssociationParameters": {"securityEncryptionAlgorithm": "chaCha20Poly1305"}`, "securityAssociationParameters.securityEncryptionAlgorithm", "AES-128 is weaker than the child SA cipher ChaCha20Poly1305"},
		{"strict: a child without a cipher gets the default AES-256", `"securityAssociationParameters": {"securityEncryptionAlgorithm": "aes128Gcm"}, "childSecurityAssociationParameters": {"securityDiffieHellmanGroup": 19}`, "securityAssociationParameters.securityEncryptionAlgorithm", "child SA cipher AES-256"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := compileJSON(t, with(c.sa), compiler.Options{Target: mustTarget(t, "ios:25.0"), Algorithms: compiler.Algorithms{StrictSelection: true}})
			d, ok := findDiag(res.Diagnostics, "strict-algorithms", c.path)
			if !ok || d.Severity != diag.Error || res.Profile != nil || !strings.Contains(d.Message, c.text) {
				t.Errorf("want a strict-algorithms error at %s with %q, got %s", c.path, c.text, all(res.Diagnostics))
			}
		})
	}
	t.Run("strict accepts an IKE cipher as strong as the child's", func(t *testing.T) {
		res := compileJSON(t, with(`"securityAssociationParameters": {"securityEncryptionAlgorithm": "chaCha20Poly1305"}, "childSecurityAssociationParameters": {"securityEncryptionAlgorithm": "aes256Gcm"}`),
			compiler.Options{Algorithms: compiler.Algorithms{StrictSelection: true}})
		if res.Profile == nil {
			t.Errorf("no profile: %s", all(res.Diagnostics))
		}
	})
	for _, c := range []struct {
		name   string
		target string
		algs   compiler.Algorithms
		text   string
	}{
		{"strict before 18.5", "ios:18.4", compiler.Algorithms{StrictSelection: true}, "iOS 18.5"},
		{"post-quantum before 26", "ios:18.5", compiler.Algorithms{PostQuantum: pq}, "iOS 26.0"},
		{"fallback before 26", "ios:25.9", compiler.Algorithms{PostQuantum: pq, PostQuantumFallback: true}, "iOS 26.0"},
		{"fallback without post-quantum", "ios:26.0", compiler.Algorithms{PostQuantumFallback: true}, "needs post-quantum key exchanges"},
		{"eight exchanges", "ios:26.0", compiler.Algorithms{PostQuantum: []compiler.KeyExchange{36, 37, 36, 37, 36, 37, 36, 37}}, "at most 7"},
		{"an unknown method", "ios:26.0", compiler.Algorithms{PostQuantum: []compiler.KeyExchange{31}}, "not one Apple offers"},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := compiler.Options{Target: mustTarget(t, c.target), Algorithms: c.algs}
			if err := opts.Check(); err == nil || !strings.Contains(err.Error(), c.text) {
				t.Errorf("Options.Check = %v, want an error with %q", err, c.text)
			}
			res := compileJSON(t, with(strong), opts)
			if d, ok := findDiag(res.Diagnostics, "target-unsupported", ""); !ok || d.Severity != diag.Error || res.Profile != nil {
				t.Errorf("Compile must refuse it too, got %s", all(res.Diagnostics))
			}
		})
	}
}

// TestStrictViolations checks the rules directly, with Apple's defaults for
// what a profile leaves out.
func TestStrictViolations(t *testing.T) {
	for _, c := range []struct {
		name string
		ike  map[string]any
		want []string
	}{
		{"defaults", map[string]any{}, nil},
		{"3DES and DH 2", map[string]any{"IKESecurityAssociationParameters": map[string]any{"EncryptionAlgorithm": "3DES", "DiffieHellmanGroup": int64(2)}},
			[]string{"IKESecurityAssociationParameters.EncryptionAlgorithm", "IKESecurityAssociationParameters.DiffieHellmanGroup"}},
		{"AES-128 IKE, default child cipher", map[string]any{
			"IKESecurityAssociationParameters":   map[string]any{"EncryptionAlgorithm": "AES-128-GCM"},
			"ChildSecurityAssociationParameters": map[string]any{"DiffieHellmanGroup": uint64(19)},
		}, []string{"IKESecurityAssociationParameters.EncryptionAlgorithm"}},
		{"no child dictionary: the child is the IKE SA", map[string]any{"IKESecurityAssociationParameters": map[string]any{"EncryptionAlgorithm": "AES-128"}}, nil},
	} {
		var got []string
		for _, v := range compiler.AlgorithmsOf(c.ike).StrictViolations() {
			got = append(got, v.Key)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: violations %v, want %v", c.name, got, c.want)
		}
	}
}

// TestProfileAlgorithmsAlwaysOn reads the tunnel of an Always On profile.
func TestProfileAlgorithmsAlwaysOn(t *testing.T) {
	js := strings.Replace(with(`"enableAlwaysOnConfiguration": true, "securityAssociationParameters": {"securityDiffieHellmanGroup": 21}`), `"sharedSecret",`, `"certificate",`, 1)
	res := compileJSON(t, js, compiler.Options{IdentityUUID: "11111111-2222-4333-8444-555555555555", Algorithms: compiler.Algorithms{PostQuantum: []compiler.KeyExchange{compiler.MLKEM1024}}})
	if res.Profile == nil {
		t.Fatalf("no profile: %s", all(res.Diagnostics))
	}
	algs := compiler.ProfileAlgorithms(res.Profile.Map())
	if len(algs) != 1 || algs[0].Path != "PayloadContent[0].AlwaysOn.TunnelConfigurations[0]" || algs[0].IKE.DHGroup != 21 || algs[0].Child.DHGroup != 21 ||
		!reflect.DeepEqual(algs[0].Child.PostQuantum, []compiler.KeyExchange{compiler.MLKEM1024}) {
		t.Errorf("ProfileAlgorithms = %+v", algs)
	}
	_ = x509.Certificate{}
}
