package strongswan

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// TestMappingDocIsCurrent fails when docs/STRONGSWAN.md no longer matches
// the tables; go test ./strongswan -update rewrites it.
func TestMappingDocIsCurrent(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMappingMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("..", "docs", "STRONGSWAN.md"), b.Bytes())
}

// maximalIKEv2 sets every IKEv2 key the reader knows.
func maximalIKEv2() map[string]any {
	sa := func() map[string]any {
		return map[string]any{"EncryptionAlgorithm": "AES-256-GCM", "IntegrityAlgorithm": "SHA2-384", "DiffieHellmanGroup": int64(20), "LifeTimeInMinutes": int64(600), "PostQuantumKeyExchangeMethods": []any{int64(36)}}
	}
	return map[string]any{
		"RemoteAddress": "vpn.example.com", "RemoteIdentifier": "vpn.example.com", "LocalIdentifier": "phone.example.com",
		"AuthenticationMethod": "Certificate", "ExtendedAuthEnabled": int64(0), "PayloadCertificateUUID": "AAAAAAAA-0000-4000-8000-000000000001",
		"CertificateType": "RSA", "SharedSecret": "unused", "AuthName": "u", "AuthPassword": "p",
		"ServerCertificateIssuerCommonName": "Root", "ServerCertificateCommonName": "vpn.example.com",
		"DeadPeerDetectionRate": "High", "DisableMOBIKE": int64(1), "DisableRedirect": int64(1), "NATKeepAliveInterval": int64(60),
		"TLSMinimumVersion": "1.2", "TLSMaximumVersion": "1.2", "UseConfigurationAttributeInternalIPSubnet": int64(1),
		"EnableCertificateRevocationCheck": int64(1), "MTU": int64(1380), "PPK": []byte("post-quantum-preshared-key-32-by"),
		"PPKIdentifier": "ppk-1", "PPKMandatory": int64(1), "EnablePFS": int64(1), "EnforceStrictAlgorithmSelection": int64(1),
		"AllowPostQuantumKeyExchangeFallback": int64(1), "IncludeAllNetworks": int64(1),
		"IKESecurityAssociationParameters": sa(), "ChildSecurityAssociationParameters": sa(),
		"OnDemandEnabled": int64(1), "OnDemandRules": []any{map[string]any{"Action": "Connect"}}, "OnDemandUserOverrideDisabled": int64(1),
		"DisconnectOnIdle": int64(1), "DisconnectOnIdleTimer": int64(60), "EnforceRoutes": int64(1), "ExcludeLocalNetworks": int64(1),
		"ExcludeCellularServices": int64(1), "ExcludeAPNs": int64(1), "ExcludeDeviceCommunication": int64(1), "EnableFallback": int64(1),
		"NATKeepAliveOffloadEnable": int64(1), "ProviderType": "packet-tunnel", "ProviderBundleIdentifier": "x",
	}
}

// testProfile wraps a VPN payload with a CA and a PKCS#12 identity.
func testProfile(t *testing.T, vpn map[string]any) map[string]any {
	t.Helper()
	root := testpki.NewRoot(t, testpki.Options{CommonName: "Root"})
	leaf := root.NewLeaf(t, testpki.Options{CommonName: "phone.example.com"})
	vpn["PayloadType"] = "com.apple.vpn.managed"
	vpn["PayloadIdentifier"] = "com.example.vpn"
	vpn["PayloadUUID"] = "AAAAAAAA-0000-4000-8000-000000000002"
	vpn["UserDefinedName"] = "Example VPN"
	return map[string]any{
		"PayloadIdentifier": "com.example", "PayloadDisplayName": "Example", "PayloadType": "Configuration",
		"PayloadContent": []any{
			map[string]any{"PayloadType": "com.apple.security.root", "PayloadUUID": "AAAAAAAA-0000-4000-8000-000000000003", "PayloadContent": root.Cert.Raw},
			map[string]any{"PayloadType": "com.apple.security.pkcs12", "PayloadUUID": "AAAAAAAA-0000-4000-8000-000000000001",
				"PayloadContent": testpki.PKCS12(t, leaf, testpki.P12Legacy, "pw"), "Password": "pw"},
			vpn,
		},
	}
}

// TestKeyTableMatchesReader holds docs/STRONGSWAN.md's key table to the
// keys ReadProfile consults: every key read is documented, and every
// documented key is read.
func TestKeyTableMatchesReader(t *testing.T) {
	used := map[string]bool{}
	ikev2 := testProfile(t, map[string]any{"VPNType": "IKEv2", "IKEv2": maximalIKEv2(), "IPv4": map[string]any{"OverridePrimary": int64(1)}})
	ikev2["PayloadContent"].([]any)[2].(map[string]any)["IKEv2"].(map[string]any)["IncludeAllNetworks"] = int64(0)
	if _, err := readProfile(ikev2, ReadOptions{}, used); err != nil {
		t.Fatal(err)
	}
	eap := maximalIKEv2()
	eap["AuthenticationMethod"], eap["ExtendedAuthEnabled"], eap["PayloadCertificateUUID"] = "SharedSecret", int64(1), ""
	delete(eap, "PayloadCertificateUUID")
	if _, err := readProfile(testProfile(t, map[string]any{"VPNType": "IKEv2", "IKEv2": eap}), ReadOptions{}, used); err != nil {
		t.Fatal(err)
	}
	tunnel := maximalIKEv2()
	tunnel["Interfaces"] = []any{"WiFi"}
	tunnel["ProtocolType"] = "IKEv2"
	alwaysOn := testProfile(t, map[string]any{"VPNType": "AlwaysOn", "AlwaysOn": map[string]any{
		"TunnelConfigurations": []any{tunnel}, "UIToggleEnabled": int64(0), "ServiceExceptions": []any{}, "AllowCaptiveWebSheet": int64(0),
		"AllowAllCaptiveNetworkPlugins": int64(0), "AllowedCaptiveNetworkPlugins": []any{}, "ApplicationExceptions": []any{},
	}})
	if _, err := readProfile(alwaysOn, ReadOptions{}, used); err != nil {
		t.Fatal(err)
	}
	if _, err := readProfile(scepProfile(testpki.NewRoot(t, testpki.Options{})), ReadOptions{}, used); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range keyMappings {
		if documented[m.Key] {
			t.Errorf("%s is documented twice", m.Key)
		}
		documented[m.Key] = true
		if !used[m.Key] {
			t.Errorf("%s is documented but ReadProfile never reads it", m.Key)
		}
	}
	var missing []string
	for k := range used {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	for _, k := range missing {
		t.Errorf("ReadProfile reads %s, which docs/STRONGSWAN.md does not document", k)
	}
}

func TestMaximalProfile(t *testing.T) {
	ike := maximalIKEv2()
	ike["EnforceStrictAlgorithmSelection"] = int64(0)
	p, err := ReadProfile(testProfile(t, map[string]any{"VPNType": "IKEv2", "IKEv2": ike}), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tn := p.Tunnels[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"IKE", tn.IKE[0].IKE(), "aes256gcm16-prfsha384-ecp384-ke1_mlkem768"},
		{"ESP", tn.ESP[0].ESP(), "aes256gcm16-ecp384-ke1_mlkem768"},
		{"IKE lifetime", tn.IKELifetime, 600 * time.Minute},
		{"DPD", tn.DPD, time.Minute},
		{"MOBIKE", tn.MOBIKE, false},
		{"redirect", tn.FollowRedirect, false},
		{"keepalive", tn.NATKeepAlive, time.Minute},
		{"full tunnel", tn.FullTunnelBecause, "IKEv2.IncludeAllNetworks is 1"},
		{"auth", tn.Auth, Auth{Server: MethodPubkey, Client: MethodPubkey, Method: "Certificate"}},
		{"identity", tn.Identity.Certificate.Subject.CommonName, "phone.example.com"},
		{"anchors", len(tn.TrustAnchors), 1},
		{"PPK", tn.PPKID + "/" + yesNo(tn.PPKRequired), "ppk-1/yes"},
		{"cert request", tn.CertRequest, true},
		{"notes", len(tn.Notes), len(deviceOnlyKeys)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestAuthentication(t *testing.T) {
	for _, c := range []struct {
		method   string
		extended int64
		identity bool
		want     Auth
	}{
		{"SharedSecret", 0, false, Auth{Server: MethodPSK, Client: MethodPSK}},
		{"None", 0, false, Auth{Server: MethodPSK, Client: MethodPSK}},
		{"Certificate", 0, true, Auth{Server: MethodPubkey, Client: MethodPubkey}},
		{"Certificate", 1, false, Auth{Server: MethodPubkey, Client: MethodEAPMSCHAPv2}},
		{"Certificate", 1, true, Auth{Server: MethodPubkey, Client: MethodEAPTLS}},
		{"None", 1, false, Auth{Server: MethodPubkey, Client: MethodEAPMSCHAPv2, EAPOnly: true}},
		{"None", 1, true, Auth{Server: MethodPubkey, Client: MethodEAPTLS, EAPOnly: true}},
		{"SharedSecret", 1, false, Auth{Server: MethodPSK, Client: MethodEAPMSCHAPv2}},
	} {
		m := map[string]any{"AuthenticationMethod": c.method, "ExtendedAuthEnabled": c.extended, "SharedSecret": "s"}
		if c.identity {
			m["PayloadCertificateUUID"] = "AAAAAAAA-0000-4000-8000-000000000009"
		}
		tn := &Tunnel{}
		if err := (tunnelEnv{}).authentication(dict{m: m}, tn); err != nil {
			t.Errorf("%s/%d: %v", c.method, c.extended, err)
			continue
		}
		c.want.Method, c.want.Extended = c.method, c.extended == 1
		if tn.Auth != c.want {
			t.Errorf("%s/%d identity %v: got %+v, want %+v", c.method, c.extended, c.identity, tn.Auth, c.want)
		}
	}
}

func TestProposals(t *testing.T) {
	for _, c := range []struct {
		sa       SAParams
		pfs      bool
		ike, esp string
	}{
		{SAParams{"AES-256", "SHA2-256", 14, 0, nil}, false, "aes256-sha256-prfsha256-modp2048", "aes256-sha256"},
		{SAParams{"AES-256", "SHA2-256", 14, 0, nil}, true, "aes256-sha256-prfsha256-modp2048", "aes256-sha256-modp2048"},
		{SAParams{"AES-256-GCM", "SHA2-256", 19, 0, nil}, false, "aes256gcm16-prfsha256-ecp256", "aes256gcm16"},
		{SAParams{"AES-128-GCM", "SHA2-384", 20, 0, nil}, false, "aes128gcm16-prfsha384-ecp384", "aes128gcm16"},
		{SAParams{"ChaCha20Poly1305", "SHA2-512", 31, 0, nil}, true, "chacha20poly1305-prfsha512-curve25519", "chacha20poly1305-curve25519"},
		{SAParams{"3DES", "SHA1-96", 2, 0, nil}, false, "3des-sha1-prfsha1-modp1024", "3des-sha1"},
		{SAParams{"AES-128", "SHA1-160", 32, 0, nil}, false, "aes128-sha1_160-prfsha1-curve448", "aes128-sha1_160"},
	} {
		ike, err := proposalFromParams(c.sa, true)
		if err != nil {
			t.Fatal(err)
		}
		esp, err := proposalFromParams(c.sa, c.pfs)
		if err != nil {
			t.Fatal(err)
		}
		if ike.IKE() != c.ike || esp.ESP() != c.esp {
			t.Errorf("%+v pfs %v: IKE %q ESP %q, want %q and %q", c.sa, c.pfs, ike.IKE(), esp.ESP(), c.ike, c.esp)
		}
	}
	for _, bad := range []SAParams{{"AES-192", "SHA2-256", 14, 0, nil}, {"AES-256", "MD5", 14, 0, nil}, {"AES-256", "SHA2-256", 22, 0, nil}, {"AES-256", "SHA2-256", 14, 0, []int{35}}} {
		if _, err := proposalFromParams(bad, true); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func TestDefaultProposalsFor(t *testing.T) {
	for ios, want := range map[string]int{"9.0": 5, "16.5": 5, "18.0": 5, "25.9": 5, "26.0": 2, "27.1": 2} {
		row := DefaultProposalsFor(ios)
		if len(row.IKE) != want {
			t.Errorf("iOS %s: %d IKE proposals, want %d", ios, len(row.IKE), want)
		}
		if row.IKE[0].IKE() != "aes256-sha256-prfsha256-modp2048" {
			t.Errorf("iOS %s: first proposal %s, want Apple's defaults first", ios, row.IKE[0].IKE())
		}
	}
	for _, p := range DefaultProposalsFor("26.0").IKE {
		if p.weak() {
			t.Errorf("iOS 26 offers %s, which Apple removed", p.IKE())
		}
	}
}

func TestReadProfileErrors(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{"RemoteAddress": "a", "RemoteIdentifier": "b", "AuthenticationMethod": "SharedSecret", "SharedSecret": "s"}
	}
	for _, c := range []struct {
		name string
		edit func(ike map[string]any)
		want string
	}{
		{"no remote address", func(m map[string]any) { delete(m, "RemoteAddress") }, "IKEv2.RemoteAddress: is required"},
		{"bad method", func(m map[string]any) { m["AuthenticationMethod"] = "Password" }, `IKEv2.AuthenticationMethod: is "Password"`},
		{"no secret", func(m map[string]any) { delete(m, "SharedSecret") }, "IKEv2.SharedSecret: AuthenticationMethod SharedSecret needs the shared secret"},
		{"bad flag", func(m map[string]any) { m["DisableMOBIKE"] = int64(2) }, "IKEv2.DisableMOBIKE: is 2"},
		{"bad lifetime", func(m map[string]any) {
			m["IKESecurityAssociationParameters"] = map[string]any{"LifeTimeInMinutes": int64(5)}
		}, "IKEv2.IKESecurityAssociationParameters.LifeTimeInMinutes: is 5"},
		{"bad cipher", func(m map[string]any) {
			m["IKESecurityAssociationParameters"] = map[string]any{"EncryptionAlgorithm": "AES-192"}
		}, `EncryptionAlgorithm "AES-192" is not one of Apple's values`},
		{"strict", func(m map[string]any) {
			m["EnforceStrictAlgorithmSelection"] = int64(1)
			m["IKESecurityAssociationParameters"] = map[string]any{"EncryptionAlgorithm": "AES-128"}
			m["ChildSecurityAssociationParameters"] = map[string]any{"EncryptionAlgorithm": "AES-256"}
		}, "the IKE SA cipher AES-128 is weaker than the child SA cipher AES-256; the device refuses this payload"},
		{"bad dpd", func(m map[string]any) { m["DeadPeerDetectionRate"] = "Sometimes" }, `IKEv2.DeadPeerDetectionRate: is "Sometimes"`},
		{"keepalive", func(m map[string]any) { m["NATKeepAliveInterval"] = int64(10) }, "Apple's minimum is 20 seconds"},
		{"certificate type", func(m map[string]any) {
			m["AuthenticationMethod"] = "Certificate"
			m["PayloadCertificateUUID"] = "AAAAAAAA-0000-4000-8000-000000000001"
			m["CertificateType"] = "ECDSA256"
		}, "IKEv2.CertificateType: is ECDSA256 but the identity \"phone.example.com\" has a RSA key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ike := base()
			c.edit(ike)
			_, err := ReadProfile(testProfile(t, map[string]any{"VPNType": "IKEv2", "IKEv2": ike}), ReadOptions{})
			var pe *ProfileError
			if err == nil || !errors.As(err, &pe) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want a ProfileError containing %q", err, c.want)
			}
		})
	}
	if _, err := ReadProfile(map[string]any{"PayloadContent": []any{}}, ReadOptions{}); err == nil || !strings.Contains(err.Error(), "no VPN payload") {
		t.Errorf("empty profile: %v", err)
	}
	_, err := ReadProfile(map[string]any{"EncryptedPayloadContent": []byte{1}}, ReadOptions{})
	var he *HintError
	var pe *ProfileError
	if !errors.As(err, &he) || he.Hint.Code != HintDecrypt || !errors.As(err, &pe) || pe.Key != "EncryptedPayloadContent" ||
		err.Error() != "EncryptedPayloadContent: the payloads are encrypted; decrypt them first with the device's key (profile.Options.Decrypt)" {
		t.Errorf("encrypted profile: %v", err)
	}
}

func TestIOSIdentity(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"vpn.example.com":   "vpn.example.com",
		"203.0.113.10":      "203.0.113.10",
		"2001:db8::1":       "2001:db8::1",
		"user@example.com":  "user@example.com",
		"CN=vpn, O=Example": "fqdn:CN=vpn, O=Example",
		"@vpn.example.com":  "fqdn:@vpn.example.com",
		"keyid:abc":         "fqdn:keyid:abc",
		"%any":              "fqdn:%any",
		"phone 7":           "fqdn:phone 7",
	} {
		if got := iosIdentity(in); got != want {
			t.Errorf("iosIdentity(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfValues(t *testing.T) {
	for in, want := range map[string]string{
		"aes256-sha256":          "aes256-sha256",
		"0.0.0.0/0, ::/0":        "0.0.0.0/0, ::/0",
		"%any":                   "%any",
		"CN=vpn, O=Example":      `"CN=vpn, O=Example"`,
		`say "hi"\now`:           `"say \"hi\"\\now"`,
		"{{serialnumber}}.x.com": `"{{serialnumber}}.x.com"`,
	} {
		if got := confValue(in); got != want {
			t.Errorf("confValue(%q) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"correct horse": `"correct horse"`,
		"0xdeadbeef":    "0x30786465616462656566",
		"0sAAAA":        "0x307341414141",
		"a\nb":          "0x610a62",
	} {
		if got := secretValue([]byte(in)); got != want {
			t.Errorf("secretValue(%q) = %s, want %s", in, got, want)
		}
	}
	for d, want := range map[time.Duration]string{0: "0s", time.Minute: "1m", 1440 * time.Minute: "24h", 90 * time.Second: "90s", 480 * time.Minute: "8h", 1410 * time.Minute: "1410m"} {
		if got := duration(d); got != want {
			t.Errorf("duration(%s) = %s, want %s", d, got, want)
		}
	}
}

// goldenServerConfigs are the fixtures whose server configurations are
// kept as golden files: one of each authentication and proposal kind.
var goldenServerConfigs = []string{"psk-ondemand", "machine-cert", "eap-only", "eap-tls", "always-on", "weak-crypto", "full-featured", "scep-separate"}

// TestServerConfigFixtures writes the server configuration of every
// fixture profile, compares those of goldenServerConfigs with golden files,
// and checks that the secrets appear only with IncludeSecrets.
func TestServerConfigFixtures(t *testing.T) {
	profiles, err := filepath.Glob(filepath.Join("..", "fixtures", "*", "expected.mobileconfig"))
	if err != nil || len(profiles) == 0 {
		t.Fatalf("no fixture profiles: %v", err)
	}
	for _, path := range profiles {
		name := filepath.Base(filepath.Dir(path))
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			top, _, err := plistout.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			p, err := ReadProfile(top, ReadOptions{IOS: "18.0"})
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			p.SHA256 = hex.EncodeToString(sum[:])
			opts := ServerOptions{
				Pools:         []netip.Prefix{netip.MustParsePrefix("10.10.10.0/24"), netip.MustParsePrefix("fd00:10::/64")},
				DNS:           []netip.Addr{netip.MustParseAddr("10.0.0.53"), netip.MustParseAddr("fd00::53")},
				SplitNetworks: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
				ClientCA:      "client-ca.pem",
				EAPUser:       "alice",
				EAPPassword:   "eap-secret-for-golden",
			}
			if p.Tunnels[0].FullTunnel {
				opts.SplitNetworks = nil
			}
			cfg, err := WriteServerConfig(p, opts)
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(goldenServerConfigs, name) {
				golden.Check(t, filepath.Join("testdata", "server-config", name+".conf"), cfg.Text)
			}
			secrets := []string{"eap-secret-for-golden"}
			for _, tn := range p.Tunnels {
				if tn.SharedSecret != "" {
					secrets = append(secrets, tn.SharedSecret)
				}
			}
			for _, s := range secrets {
				if strings.Contains(string(cfg.Text), s) {
					t.Errorf("a secret is in the configuration without IncludeSecrets")
				}
			}
			if cfg.Secrets {
				t.Errorf("Secrets is set without IncludeSecrets")
			}
			opts.IncludeSecrets = true
			withSecrets, err := WriteServerConfig(p, opts)
			if err != nil {
				t.Fatal(err)
			}
			if p.Tunnels[0].SharedSecret != "" && (!withSecrets.Secrets || !strings.Contains(string(withSecrets.Text), p.Tunnels[0].SharedSecret)) {
				t.Errorf("IncludeSecrets did not write the shared secret")
			}
		})
	}
}

func TestServerConfigSplitNeedsNetworks(t *testing.T) {
	p, err := ReadProfile(testProfile(t, map[string]any{"VPNType": "IKEv2", "IKEv2": map[string]any{
		"RemoteAddress": "a", "RemoteIdentifier": "b", "AuthenticationMethod": "SharedSecret", "SharedSecret": "s"}}), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = WriteServerConfig(p, ServerOptions{Pools: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/24")}})
	if !errors.Is(err, ErrSplitNetworks) {
		t.Errorf("got %v, want ErrSplitNetworks", err)
	}
	if _, err := WriteServerConfig(p, ServerOptions{Pools: []netip.Prefix{netip.MustParsePrefix("10.1.0.1/32")}, SplitNetworks: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}); err == nil {
		t.Errorf("a /32 pool was accepted")
	}
}

func TestCheckServerCertificate(t *testing.T) {
	root := testpki.NewRoot(t, testpki.Options{CommonName: "Root"})
	other := testpki.NewRoot(t, testpki.Options{CommonName: "Other", Key: testpki.Key(t, testpki.RSA2048, 5)})
	cert := root.NewLeaf(t, testpki.Options{CommonName: "vpn.example.com"})
	tn := &Tunnel{RemoteIdentifier: "vpn.example.com", ServerCertCN: "gw.example.com", ServerIssuerCN: "Issuing CA", TrustAnchors: []*x509.Certificate{other.Cert}}
	got := strings.Join(checkServerCertificate(tn, cert.Cert), "\n")
	for _, want := range []string{"subjectAltName", `not ServerCertificateCommonName "gw.example.com"`, `not ServerCertificateIssuerCommonName "Issuing CA"`, "TLS server authentication", "does not chain"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q lack %q", got, want)
		}
	}
}

func TestReadRoutePolicy(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("conf.d/charon.conf", "install_routes = no # set by the include\n")
	main := write("strongswan.conf", "# comment\ncharon {\n\tload_modular = yes\n\tinclude conf.d/*.conf\n\tplugins { vici { socket = \"unix:///x\" } }\n}\n")
	for _, c := range []struct {
		conf, daemon string
		installs     bool
		because      string
	}{
		{main, "charon-systemd", false, "charon.install_routes = no"},
		{write("yes.conf", "charon-systemd {\n install_routes = yes\n}\ncharon { install_routes = no }\n"), "charon-systemd", true, "charon-systemd.install_routes = yes"},
		{write("default.conf", "charon { }\n"), "charon", true, "strongSwan's default is yes"},
	} {
		p, err := ReadRoutePolicy(c.conf, c.daemon)
		if err != nil || p.Installs != c.installs || !strings.Contains(p.Because, c.because) {
			t.Errorf("%s: %+v, %v; want installs %v because %q", c.conf, p, err, c.installs, c.because)
		}
	}
	if p, err := ReadRoutePolicy(filepath.Join(dir, "missing.conf"), "charon"); err == nil || !p.Installs {
		t.Errorf("unreadable settings: %+v %v; want an error and routes assumed", p, err)
	}
}

func TestStrongswanConf(t *testing.T) {
	isolated := StrongswanConf(DaemonOptions{Dir: "/d", Retransmit: 24 * time.Second})
	for _, want := range []string{"install_routes = no", "fwmark = 0x67326d63", "routing_table = 2147483000", "port = 0", "retransmit_tries = 5", "socket = unix:///d/charon.vici", "follow_redirects = no"} {
		if !strings.Contains(isolated, want) {
			t.Errorf("private charon settings lack %q:\n%s", want, isolated)
		}
	}
	if strings.Contains(isolated, "revocation nonce") || strings.Contains(isolated, " resolve ") || strings.Contains(isolated, "updown") {
		t.Errorf("plugins that touch the host are loaded:\n%s", isolated)
	}
	routed := StrongswanConf(DaemonOptions{Dir: "/d", InstallRoutes: true, Responder: true, Revocation: true, FollowRedirects: true})
	for _, unwanted := range []string{"fwmark", "routing_table", "port = 0"} {
		if strings.Contains(routed, unwanted) {
			t.Errorf("--route settings hold %q:\n%s", unwanted, routed)
		}
	}
	if !strings.Contains(routed, "install_routes = yes") || !strings.Contains(routed, " revocation ") {
		t.Errorf("--route settings:\n%s", routed)
	}
}

// TestClassifyPrecedence checks the order of the patterns on logs that hold
// several (the real lines are matched in the integration matrix).
func TestClassifyPrecedence(t *testing.T) {
	tn := &Tunnel{RemoteIdentifier: "vpn", Auth: Auth{Server: MethodPubkey, Client: MethodEAPMSCHAPv2}, IKE: []Proposal{{Encryption: "aes256", Integrity: "sha256", PRF: "prfsha256", DH: "modp2048"}}}
	lines := func(msgs ...string) []LogLine {
		var out []LogLine
		for _, m := range msgs {
			out = append(out, LogLine{Group: "IKE", Msg: m})
		}
		return out
	}
	for _, c := range []struct {
		log   []LogLine
		err   error
		cause Cause
		id    string
	}{
		{lines("EAP_MSCHAPV2 method failed", "received AUTHENTICATION_FAILED notify error"), errors.New("failed"), CauseAuthenticationFailed, "eap-failure"},
		{lines("received NO_PROPOSAL_CHOSEN notify error"), errors.New("failed"), CauseProposalMismatch, "ike-no-proposal"},
		{lines("sending packet: from a to b", "giving up after 5 retransmits"), errors.New("failed"), CauseUnreachable, "peer-not-responding"},
		{lines("received packet: from b to a", "giving up after 5 retransmits"), errors.New("failed"), CauseTimeout, "peer-not-responding"},
		{lines("sending packet: from a to b"), errors.New("initiation timed out"), CauseUnreachable, "initiate-timeout"},
		{lines("something new"), errors.New("failed"), CauseInternal, "unknown"},
	} {
		d := classify(c.log, c.err, tn, time.Second, DialOptions{Timeout: 10 * time.Second})
		if d.Cause != c.cause || d.Pattern != c.id {
			t.Errorf("%v: got %s (%s), want %s (%s)", c.log, d.Cause, d.Pattern, c.cause, c.id)
		}
	}
	for _, p := range logPatterns {
		if !p.Re.MatchString(p.Example) {
			t.Errorf("pattern %s does not match its own example %q", p.ID, p.Example)
		}
	}
}

func TestParseVICIURI(t *testing.T) {
	for in, want := range map[string]string{
		"unix:///run/charon.vici": "unix /run/charon.vici",
		"/run/charon.vici":        "unix /run/charon.vici",
		"tcp://127.0.0.1:4502":    "tcp 127.0.0.1:4502",
	} {
		n, a, err := ParseVICIURI(in)
		if err != nil || n+" "+a != want {
			t.Errorf("%s: %s %s %v, want %s", in, n, a, err, want)
		}
	}
	for _, bad := range []string{"unix://", "http://x", "tcp://"} {
		if _, _, err := ParseVICIURI(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// scepProfile is a machine-certificate profile whose identity is a SCEP
// payload, with root as its CA certificate.
func scepProfile(root *testpki.CA) map[string]any {
	ike := maximalIKEv2()
	ike["PayloadCertificateUUID"] = "AAAAAAAA-0000-4000-8000-0000000000SC"
	ike["LocalIdentifier"] = "{{DeviceName}}.devices.example.com"
	return map[string]any{
		"PayloadIdentifier": "com.example", "PayloadDisplayName": "Example", "PayloadType": "Configuration",
		"PayloadContent": []any{
			map[string]any{"PayloadType": "com.apple.security.root", "PayloadUUID": "AAAAAAAA-0000-4000-8000-000000000003", "PayloadContent": root.Cert.Raw},
			map[string]any{"PayloadType": "com.apple.security.scep", "PayloadUUID": "AAAAAAAA-0000-4000-8000-0000000000SC", "PayloadIdentifier": "com.example.scep",
				"PayloadContent": map[string]any{
					"URL": "https://scep.example.com/scep", "Keysize": int64(2048), "Challenge": "x",
					"Subject": []any{[]any{[]any{"O", "graph2mobileconfig tests"}}, []any{[]any{"CN", "{{DeviceName}}.devices.example.com"}}},
				}},
			map[string]any{"PayloadType": "com.apple.vpn.managed", "PayloadIdentifier": "com.example.vpn", "PayloadUUID": "AAAAAAAA-0000-4000-8000-000000000002",
				"UserDefinedName": "Example VPN", "VPNType": "IKEv2", "IKEv2": ike},
		},
	}
}

// TestSCEPIdentity: a profile whose identity is a SCEP payload. Without an
// identity, dial says what to enroll; with one, the identity is checked
// against the payload (subject, key size, CA); server-config says the
// device certificate comes from SCEP, names the profile's CAs, and checks
// --client-ca against them.
func TestSCEPIdentity(t *testing.T) {
	root := testpki.NewRoot(t, testpki.Options{CommonName: "SCEP Root"})
	other := testpki.NewRoot(t, testpki.Options{CommonName: "Other Root", Key: testpki.Key(t, testpki.RSA2048, 5)})
	vars := map[string]string{"DeviceName": "phone-1"}

	p, err := ReadProfile(scepProfile(root), ReadOptions{Vars: vars})
	if err != nil {
		t.Fatal(err)
	}
	tn := p.Tunnels[0]
	want := &Enrollment{PayloadType: "com.apple.security.scep", PayloadIdentifier: "com.example.scep", PayloadUUID: "AAAAAAAA-0000-4000-8000-0000000000SC",
		URL: "https://scep.example.com/scep", KeySize: 2048,
		Subject: [][][2]string{{{"O", "graph2mobileconfig tests"}}, {{"CN", "phone-1.devices.example.com"}}}}
	if !reflect.DeepEqual(tn.Enrollment, want) || tn.Identity != nil {
		t.Fatalf("enrollment %+v, identity %v; want %+v and none", tn.Enrollment, tn.Identity, want)
	}
	err = CheckDialable(tn, DialOptions{})
	for _, s := range []string{"SCEP payload com.example.scep", "https://scep.example.com/scep", "CN=phone-1.devices.example.com,O=graph2mobileconfig tests", "RSA 2048", "; give it in strongswan.ReadOptions.Identity"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("CheckDialable without an identity: %v; want it to name %q", err, s)
		}
	}
	var he *HintError
	if !errors.As(err, &he) || he.Hint.Code != HintClientIdentity {
		t.Errorf("CheckDialable without an identity: %#v, want a HintError with the code %q", err, HintClientIdentity)
	}

	enrolled := root.NewLeaf(t, testpki.Options{CommonName: "phone-1.devices.example.com"})
	cases := []struct {
		name string
		leaf *testpki.Leaf
		want []string // what the mismatches name
	}{
		{"as enrolled", enrolled, nil},
		{"another subject", root.NewLeaf(t, testpki.Options{CommonName: "phone-2.devices.example.com"}), []string{"phone-2"}},
		{"another key size", root.NewLeaf(t, testpki.Options{CommonName: "phone-1.devices.example.com", Key: testpki.Key(t, testpki.RSA3072, 6)}), []string{"RSA 3072 bits"}},
		{"another CA", other.NewLeaf(t, testpki.Options{CommonName: "phone-1.devices.example.com"}), []string{"does not chain to a CA certificate of the profile"}},
	}
	for _, c := range cases {
		id := &Identity{Certificate: c.leaf.Cert, Key: c.leaf.Key, Source: "--identity-cert device.pem"}
		p, err := ReadProfile(scepProfile(root), ReadOptions{Vars: vars, Identity: id})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		tn := p.Tunnels[0]
		if tn.Identity != id || tn.Enrollment == nil || len(tn.IdentityMismatch) != len(c.want) {
			t.Errorf("%s: identity %v, mismatches %q; want %d", c.name, tn.Identity == id, tn.IdentityMismatch, len(c.want))
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(tn.IdentityMismatch[i], w) {
				t.Errorf("%s: mismatch %q does not name %q", c.name, tn.IdentityMismatch[i], w)
			}
		}
		o := offer(tn, DialOptions{})
		if !strings.Contains(o.Identity, "--identity-cert device.pem") || !strings.Contains(o.Identity, "standing in for the certificate the device enrolls through the SCEP payload com.example.scep") {
			t.Errorf("%s: the report's identity %q", c.name, o.Identity)
		}
	}

	// server-config, from the profile as the MDM has it (the variable
	// unfilled).
	p, err = ReadProfile(scepProfile(root), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opts := ServerOptions{Pools: []netip.Prefix{netip.MustParsePrefix("10.10.10.0/24")}}
	cfg, err := WriteServerConfig(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	text := string(cfg.Text)
	for _, s := range []string{"The device certificate comes from SCEP", "com.example.scep", "from https://scep.example.com/scep", "CN={{DeviceName}}.devices.example.com,O=graph2mobileconfig tests", "RSA 2048-bit", "CN=SCEP Root,O=graph2mobileconfig tests", "id = *.devices.example.com"} {
		if !strings.Contains(text, s) {
			t.Errorf("server-config does not say %q:\n%s", s, text)
		}
	}
	if i := slices.IndexFunc(cfg.Warnings, func(w diag.Diagnostic) bool { return w.Code == WarnClientCAUnset }); i < 0 ||
		!strings.Contains(cfg.Warnings[i].Message, "accepts a device certificate from any CA in x509ca/") || cfg.Warnings[i].Hint.Code != HintClientCA {
		t.Errorf("no warning that any CA in x509ca/ is accepted: %q", cfg.Warnings)
	}
	for _, c := range []struct {
		ca   *x509.Certificate
		warn string
	}{
		{root.Cert, ""},
		{root.NewIntermediate(t, testpki.Options{CommonName: "SCEP Issuing CA"}).Cert, ""},
		{other.Cert, `"CN=Other Root,O=graph2mobileconfig tests" is not one of the profile's CA certificates`},
		{enrolled.Cert, "is not a CA certificate"},
	} {
		opts.ClientCA, opts.ClientCACertificate = "client-ca.pem", c.ca
		cfg, err := WriteServerConfig(p, opts)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, w := range cfg.Warnings {
			if w.Code == WarnClientCA || w.Code == WarnClientCAUnset {
				got = append(got, w.Message)
			}
		}
		if c.warn == "" && len(got) > 0 || c.warn != "" && (len(got) == 0 || !strings.Contains(got[0], c.warn) || !strings.Contains(string(cfg.Text), "WARNING: "+strings.TrimPrefix(got[0], "client CA: "))) {
			t.Errorf("client CA %s: warnings %q, want %q", c.ca.Subject, got, c.warn)
		}
		if !strings.Contains(string(cfg.Text), "cacerts = client-ca.pem") {
			t.Errorf("client CA %s: no cacerts", c.ca.Subject)
		}
	}
}
