package appleschema_test

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema/internal/schemagen"
)

const yamlDir = "../../testdata/apple-device-management"

const (
	vpn      = "com.apple.vpn.managed"
	applayer = "com.apple.vpn.managed.applayer"
	topLevel = "TopLevel"
	common   = "CommonPayloadKeys"
	scep     = "com.apple.security.scep"
)

func TestGeneratedIsCurrent(t *testing.T) {
	want, err := schemagen.Generate(os.DirFS(yamlDir))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("schema_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	line := 0
	for line < min(len(gl), len(wl)) && gl[line] == wl[line] {
		line++
	}
	at := func(lines []string) string {
		if line < len(lines) {
			return lines[line]
		}
		return "(end of file)"
	}
	t.Errorf("schema_gen.go is stale; run: go generate ./compiler/appleschema\nfirst difference at line %d:\n have: %s\n want: %s",
		line+1, strings.TrimSpace(at(gl)), strings.TrimSpace(at(wl)))
}

func TestPayloads(t *testing.T) {
	var got []string
	for _, p := range appleschema.Payloads() {
		got = append(got, p.Type)
	}
	want := []string{
		"CommonPayloadKeys",
		"TopLevel",
		"com.apple.security.acme",
		"com.apple.security.pem",
		"com.apple.security.pkcs1",
		"com.apple.security.pkcs12",
		"com.apple.security.root",
		"com.apple.security.scep",
		"com.apple.vpn.managed",
		"com.apple.vpn.managed.applayer",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Payloads() types = %q, want %q", got, want)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		typ      string
		ok       bool
		ios      appleschema.Support
		multiple bool
	}{
		{vpn, true, appleschema.Support{Introduced: "4.0"}, true},
		{applayer, true, appleschema.Support{Introduced: "7.0"}, true},
		{topLevel, true, appleschema.Support{Introduced: "4.0"}, false},
		{common, true, appleschema.Support{Introduced: "4.0"}, false},
		{"com.apple.security.pkcs12", true, appleschema.Support{Introduced: "4.0"}, true},
		{"com.apple.security.acme", true, appleschema.Support{Introduced: "16.0"}, true},
		{scep, true, appleschema.Support{Introduced: "4.0"}, true},
		// macOS-only, deliberately not copied into testdata.
		{"com.apple.vpn.managed.appmapping", false, appleschema.Support{}, false},
		{"Configuration", false, appleschema.Support{}, false},
		{"", false, appleschema.Support{}, false},
	}
	for _, tt := range tests {
		p, ok := appleschema.Lookup(tt.typ)
		if ok != tt.ok {
			t.Errorf("Lookup(%q) ok = %v, want %v", tt.typ, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if p.Type != tt.typ || p.IOS != tt.ios || p.Multiple != tt.multiple {
			t.Errorf("Lookup(%q) = {Type %q, IOS %+v, Multiple %v}, want {%q, %+v, %v}",
				tt.typ, p.Type, p.IOS, p.Multiple, tt.typ, tt.ios, tt.multiple)
		}
		if len(p.Keys) == 0 {
			t.Errorf("Lookup(%q) has no keys", tt.typ)
		}
	}
}

func TestResolve(t *testing.T) {
	type S = appleschema.Support
	ints := func(vs ...int64) []any {
		out := make([]any, len(vs))
		for i, v := range vs {
			out[i] = v
		}
		return out
	}
	flag := ints(0, 1)
	f := func(v float64) *float64 { return &v }

	tests := []struct {
		payload, path string
		typ           appleschema.Type
		required      bool
		rangeList     []any
		min, max      *float64
		def           any
		format        string
		own           S // the key's own entry
		eff           S // after inheritance
	}{
		// IKEv2 dictionary (apple-vpn-keys.md §3).
		{payload: vpn, path: "IKEv2", typ: appleschema.Dictionary, eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.RemoteAddress", typ: appleschema.String, required: true, eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.AuthenticationMethod", typ: appleschema.String, required: true,
			rangeList: []any{"None", "SharedSecret", "Certificate"}, eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.CertificateType", typ: appleschema.String,
			rangeList: []any{"RSA", "ECDSA256", "ECDSA384", "ECDSA521", "RSA-PSS"}, def: "RSA", eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.SharedSecret", typ: appleschema.String, eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.ExtendedAuthEnabled", typ: appleschema.Integer, rangeList: flag, def: int64(0), eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.MTU", typ: appleschema.Integer, min: f(1280), max: f(1400), def: int64(1280),
			own: S{Introduced: "14.0"}, eff: S{Introduced: "14.0"}},
		// '1.3' is in the 27.0 seed copy, with no version of its own.
		{payload: vpn, path: "IKEv2.TLSMinimumVersion", typ: appleschema.String, rangeList: []any{"1.0", "1.1", "1.2", "1.3"}, def: "1.0",
			own: S{Introduced: "11.0"}, eff: S{Introduced: "11.0"}},
		{payload: vpn, path: "IKEv2.TLSMaximumVersion", typ: appleschema.String, rangeList: []any{"1.0", "1.1", "1.2", "1.3"}, def: "1.2",
			own: S{Introduced: "11.0"}, eff: S{Introduced: "11.0"}},
		// The IKEv2 keys of the 2026 schema.
		{payload: vpn, path: "IKEv2.EnforceStrictAlgorithmSelection", typ: appleschema.Integer, rangeList: flag, def: int64(0),
			own: S{Introduced: "18.5"}, eff: S{Introduced: "18.5"}},
		{payload: vpn, path: "IKEv2.AllowPostQuantumKeyExchangeFallback", typ: appleschema.Integer, rangeList: flag, def: int64(0),
			own: S{Introduced: "26.0"}, eff: S{Introduced: "26.0"}},
		{payload: vpn, path: "IKEv2.IKESecurityAssociationParameters.PostQuantumKeyExchangeMethods", typ: appleschema.Array,
			own: S{Introduced: "26.0"}, eff: S{Introduced: "26.0"}},
		{payload: vpn, path: "IKEv2.ChildSecurityAssociationParameters.PostQuantumKeyExchangeMethods[]", typ: appleschema.Integer,
			rangeList: ints(0, 36, 37), eff: S{Introduced: "26.0"}},
		{payload: vpn, path: "IKEv2.DeadPeerDetectionRate", typ: appleschema.String,
			rangeList: []any{"None", "Low", "Medium", "High"}, def: "Medium", eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.NATKeepAliveOffloadEnable", typ: appleschema.Integer, rangeList: flag, def: int64(1),
			own: S{Introduced: "9.0"}, eff: S{Introduced: "9.0"}},
		{payload: vpn, path: "IKEv2.NATKeepAliveInterval", typ: appleschema.Integer, def: int64(20),
			own: S{Introduced: "9.0"}, eff: S{Introduced: "9.0"}},
		{payload: vpn, path: "IKEv2.EnableFallback", typ: appleschema.Integer, rangeList: flag, def: int64(0),
			own: S{Introduced: "13.0"}, eff: S{Introduced: "13.0"}},
		{payload: vpn, path: "IKEv2.IncludeAllNetworks", typ: appleschema.Integer, rangeList: flag, def: int64(0),
			own: S{Introduced: "14.0"}, eff: S{Introduced: "14.0"}},
		{payload: vpn, path: "IKEv2.OnDemandUserOverrideDisabled", typ: appleschema.Integer, rangeList: flag, def: int64(0),
			own: S{Introduced: "14.0"}, eff: S{Introduced: "14.0"}},
		{payload: vpn, path: "IKEv2.EnforceRoutes", typ: appleschema.Integer, rangeList: flag, def: int64(0),
			own: S{Introduced: "14.2"}, eff: S{Introduced: "14.2"}},
		{payload: vpn, path: "IKEv2.ExcludeLocalNetworks", typ: appleschema.Integer, rangeList: flag,
			own: S{Introduced: "14.2"}, eff: S{Introduced: "14.2"}},
		{payload: vpn, path: "IKEv2.ExcludeCellularServices", typ: appleschema.Integer, rangeList: flag, def: int64(1),
			own: S{Introduced: "16.4"}, eff: S{Introduced: "16.4"}},
		{payload: vpn, path: "IKEv2.ExcludeAPNs", typ: appleschema.Integer, rangeList: flag, def: int64(1),
			own: S{Introduced: "16.4"}, eff: S{Introduced: "16.4"}},
		{payload: vpn, path: "IKEv2.ExcludeDeviceCommunication", typ: appleschema.Integer, rangeList: flag, def: int64(1),
			own: S{Introduced: "17.4"}, eff: S{Introduced: "17.4"}},
		{payload: vpn, path: "IKEv2.PPK", typ: appleschema.Data, own: S{Introduced: "18.0"}, eff: S{Introduced: "18.0"}},
		{payload: vpn, path: "IKEv2.PPKMandatory", typ: appleschema.Integer, rangeList: flag, def: int64(1),
			own: S{Introduced: "18.0"}, eff: S{Introduced: "18.0"}},
		{payload: vpn, path: "IKEv2.ProviderDesignatedRequirement", typ: appleschema.String,
			own: S{Introduced: "n/a"}, eff: S{Introduced: "n/a"}},
		{payload: vpn, path: "IKEv2.IKESecurityAssociationParameters.DiffieHellmanGroup", typ: appleschema.Integer,
			rangeList: ints(1, 2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 31, 32), def: int64(14), eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.ChildSecurityAssociationParameters.DiffieHellmanGroup", typ: appleschema.Integer,
			rangeList: ints(1, 2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 31, 32), def: int64(14), eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.IKESecurityAssociationParameters.LifeTimeInMinutes", typ: appleschema.Integer,
			min: f(10), max: f(1440), def: int64(1440), eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.IKESecurityAssociationParameters.EncryptionAlgorithm", typ: appleschema.String,
			def: "AES-256", eff: S{Introduced: "4.0"},
			rangeList: []any{"DES", "3DES", "AES-128", "AES-256", "AES-128-GCM", "AES-256-GCM", "ChaCha20Poly1305"}},
		{payload: vpn, path: "IKEv2.OnDemandRules", typ: appleschema.Array, eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.OnDemandRules[]", typ: appleschema.Dictionary, eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.OnDemandRules[].Action", typ: appleschema.String, required: true,
			rangeList: []any{"Allow", "Connect", "Disconnect", "EvaluateConnection", "Ignore"}, eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.OnDemandRules[].InterfaceTypeMatch", typ: appleschema.String,
			rangeList: []any{"Ethernet", "WiFi", "Cellular"}, eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.OnDemandRules[].ActionParameters[].DomainAction", typ: appleschema.String, required: true,
			rangeList: []any{"ConnectIfNeeded", "NeverConnect"}, eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IKEv2.OnDemandRules[].ActionParameters[].Domains[]", typ: appleschema.String, eff: S{Introduced: "4.0"}},

		// Other VPN dictionaries.
		{payload: vpn, path: "IPSec.SharedSecret", typ: appleschema.Data, eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "IPSec.PromptForVPNPIN", typ: appleschema.Boolean, def: false, eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "VPN.OnDemandMatchDomainsAlways", typ: appleschema.Array,
			own: S{Deprecated: "7.0"}, eff: S{Introduced: "4.0", Deprecated: "7.0"}},
		{payload: vpn, path: "VPN.OnDemandMatchDomainsAlways[]", typ: appleschema.String, eff: S{Introduced: "4.0", Deprecated: "7.0"}},
		{payload: vpn, path: "DNS.DNSProtocol", typ: appleschema.String, required: true, rangeList: []any{"Cleartext", "HTTPS", "TLS"},
			own: S{Introduced: "14.0"}, eff: S{Introduced: "14.0"}},
		{payload: vpn, path: "DNS.PayloadCertificateUUID", typ: appleschema.String,
			own: S{Introduced: "16.0"}, eff: S{Introduced: "16.0"},
			format: "^[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}$"},
		{payload: vpn, path: "Proxies.HTTPPort", typ: appleschema.Integer, min: f(0), max: f(65535), eff: S{Introduced: "4.0"}},
		{payload: vpn, path: "AlwaysOn", typ: appleschema.Dictionary, own: S{Introduced: "8.0"}, eff: S{Introduced: "8.0"}},
		// Inherited from AlwaysOn, not from the payload.
		{payload: vpn, path: "AlwaysOn.UIToggleEnabled", typ: appleschema.Integer, rangeList: flag, def: int64(0), eff: S{Introduced: "8.0"}},
		{payload: vpn, path: "AlwaysOn.TunnelConfigurations[].Interfaces[]", typ: appleschema.String,
			rangeList: []any{"Cellular", "WiFi"}, eff: S{Introduced: "8.0"}},
		{payload: vpn, path: "AlwaysOn.ApplicationExceptions", typ: appleschema.Array,
			own: S{Introduced: "13.6"}, eff: S{Introduced: "13.6"}},
		{payload: vpn, path: "AlwaysOn.ApplicationExceptions[].BundleIdentifier", typ: appleschema.String, required: true,
			eff: S{Introduced: "13.6"}},
		// Inherited "n/a" from the TransparentProxy dictionary.
		{payload: vpn, path: "TransparentProxy.ProviderType", typ: appleschema.String,
			rangeList: []any{"packet-tunnel", "app-proxy"}, def: "packet-tunnel", eff: S{Introduced: "n/a"}},

		// Per-app VPN.
		{payload: applayer, path: "VPNUUID", typ: appleschema.String, required: true, eff: S{Introduced: "7.0"}},
		{payload: applayer, path: "SafariDomains[]", typ: appleschema.String, required: true, eff: S{Introduced: "7.0"}},
		{payload: applayer, path: "MailDomains", typ: appleschema.Array,
			own: S{Introduced: "13.0", Deprecated: "13.4"}, eff: S{Introduced: "13.0", Deprecated: "13.4"}},
		{payload: applayer, path: "OnDemandMatchAppEnabled", typ: appleschema.Boolean, eff: S{Introduced: "7.0"}},
		{payload: applayer, path: "CellularSliceUUID", typ: appleschema.String, own: S{Introduced: "18.0"}, eff: S{Introduced: "18.0"}},

		// Profile-level keys.
		{payload: topLevel, path: "PayloadType", typ: appleschema.String, required: true, rangeList: []any{"Configuration"}, eff: S{Introduced: "4.0"}},
		{payload: topLevel, path: "PayloadVersion", typ: appleschema.Integer, required: true, rangeList: ints(1), eff: S{Introduced: "4.0"}},
		{payload: topLevel, path: "TargetDeviceType", typ: appleschema.Integer, rangeList: ints(0, 1, 2, 3, 4, 5, 6), def: int64(0),
			own: S{Introduced: "12.2"}, eff: S{Introduced: "12.2"}},
		{payload: topLevel, path: "PayloadRemovalDisallowed", typ: appleschema.Boolean, def: false,
			own: S{Supervised: true}, eff: S{Introduced: "4.0", Supervised: true}},
		{payload: topLevel, path: "DurationUntilRemoval", typ: appleschema.Real, eff: S{Introduced: "4.0"}},
		{payload: topLevel, path: "RemovalDate", typ: appleschema.Date, eff: S{Introduced: "4.0"}},
		{payload: topLevel, path: "PayloadContent[]", typ: appleschema.Dictionary, eff: S{Introduced: "4.0"}},
		// "ANY" matches any name.
		{payload: topLevel, path: "PayloadContent[].PayloadUUID", typ: appleschema.Any, required: true, eff: S{Introduced: "4.0"}},
		// The YAML nests ConsentText's language entries one level down,
		// under a ConsentTextItem dictionary; the table keeps that shape.
		{payload: topLevel, path: "ConsentText.ConsentTextItem.en", typ: appleschema.String, required: true, eff: S{Introduced: "4.0"}},
		{payload: common, path: "PayloadVersion", typ: appleschema.Integer, required: true, rangeList: ints(1), eff: S{Introduced: "4.0"}},

		// Certificate payloads.
		{payload: scep, path: "PayloadContent.Key Type", typ: appleschema.String, def: "RSA", eff: S{Introduced: "4.0"}},
		{payload: scep, path: "PayloadContent.Keysize", typ: appleschema.Integer, rangeList: ints(1024, 2048, 4096), def: int64(1024), eff: S{Introduced: "4.0"}},
		{payload: scep, path: "PayloadContent.Subject[][][]", typ: appleschema.String, eff: S{Introduced: "4.0"}},
		{payload: "com.apple.security.pkcs12", path: "PayloadContent", typ: appleschema.Data, required: true, eff: S{Introduced: "4.0"}},
		{payload: "com.apple.security.pkcs12", path: "KeyIsExtractable", typ: appleschema.Boolean, def: true,
			own: S{Introduced: "n/a"}, eff: S{Introduced: "n/a"}},
	}
	for _, tt := range tests {
		t.Run(tt.payload+"/"+tt.path, func(t *testing.T) {
			p, ok := appleschema.Lookup(tt.payload)
			if !ok {
				t.Fatalf("Lookup(%q) failed", tt.payload)
			}
			k, eff, ok := p.Resolve(tt.path)
			if !ok {
				t.Fatalf("Resolve(%q) failed", tt.path)
			}
			check := func(field string, got, want any) {
				t.Helper()
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", field, got, want)
				}
			}
			check("Type", k.Type, tt.typ)
			check("Required", k.Required, tt.required)
			check("RangeList", k.RangeList, tt.rangeList)
			check("Min", deref(k.Min), deref(tt.min))
			check("Max", deref(k.Max), deref(tt.max))
			check("Default", k.Default, tt.def)
			check("Format", k.Format, tt.format)
			check("own IOS", k.IOS, tt.own)
			check("effective IOS", eff, tt.eff)
		})
	}
}

// deref makes range bounds print as numbers in failures.
func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func TestResolveFails(t *testing.T) {
	tests := []struct{ payload, path string }{
		{vpn, ""},
		{vpn, "."},
		{vpn, "IKEv2."},
		{vpn, ".IKEv2"},
		{vpn, "[]"},
		{vpn, "IKEv2.[]"},
		{vpn, "IKEv2.Nope"},
		{vpn, "OnDemandRules"},              // only inside IKEv2, VPN, IPSec, TransparentProxy
		{vpn, "IKEv2.OnDemandRules.Action"}, // missing []
		{vpn, "IKEv2.OnDemandRules[][]"},    // elements are dictionaries
		{vpn, "IKEv2.MTU[]"},                // not an array
		{vpn, "IKEv2.MTU.X"},                // not a dictionary
		{vpn, "IKEv2.OnDemandRules[].OnDemandRulesElement"},
		{vpn, "IKEv2.ikev2"}, // names are case-sensitive
		{topLevel, "ConsentText.en"},
		{applayer, "IKEv2"}, // the applayer YAML lists only its additions
	}
	for _, tt := range tests {
		p, ok := appleschema.Lookup(tt.payload)
		if !ok {
			t.Fatalf("Lookup(%q) failed", tt.payload)
		}
		if k, _, ok := p.Resolve(tt.path); ok {
			t.Errorf("%s: Resolve(%q) = %q, want failure", tt.payload, tt.path, k.Name)
		}
	}
}

func TestSupported(t *testing.T) {
	vpnPayload, _ := appleschema.Lookup(vpn)
	eff := func(path string) appleschema.Support {
		t.Helper()
		_, s, ok := vpnPayload.Resolve(path)
		if !ok {
			t.Fatalf("Resolve(%q) failed", path)
		}
		return s
	}
	tests := []struct {
		name string
		s    appleschema.Support
		v    string
		want bool
	}{
		{"n/a key", eff("IKEv2.ProviderDesignatedRequirement"), "18.0", false},
		{"n/a dictionary member", eff("TransparentProxy.Order"), "18.0", false},
		{"MTU on 14.0", eff("IKEv2.MTU"), "14.0", true},
		{"MTU on 14", eff("IKEv2.MTU"), "14", true},
		{"MTU on 13.7", eff("IKEv2.MTU"), "13.7", false},
		{"EnforceRoutes on 14.10", eff("IKEv2.EnforceRoutes"), "14.10", true},
		{"EnforceRoutes on 14.1", eff("IKEv2.EnforceRoutes"), "14.1", false},
		{"PPK on 17.6", eff("IKEv2.PPK"), "17.6", false},
		{"PPK on 18.0", eff("IKEv2.PPK"), "18.0", true},
		{"deprecated still works", eff("VPN.OnDemandMatchDomainsNever"), "18.0", true},
		{"inherited", eff("IKEv2.RemoteAddress"), "4.0", true},
		{"before payload", eff("IKEv2.RemoteAddress"), "3.2", false},
		{"nothing stated", appleschema.Support{}, "1.0", true},
		{"before removal", appleschema.Support{Introduced: "4.0", Removed: "17.0"}, "16.7", true},
		{"at removal", appleschema.Support{Introduced: "4.0", Removed: "17.0"}, "17", false},
		{"after removal", appleschema.Support{Introduced: "4.0", Removed: "17.0"}, "18.0", false},
	}
	for _, tt := range tests {
		if got := tt.s.Supported(tt.v); got != tt.want {
			t.Errorf("%s: %+v.Supported(%q) = %v, want %v", tt.name, tt.s, tt.v, got, tt.want)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"14.2", "14.10", -1},
		{"17", "17.0", 0},
		{"17.0.0", "17", 0},
		{"4.0", "10.0", -1},
		{"18.0", "17.4", 1},
		{"16.4", "16.4", 0},
		{"1.2.3", "1.2", 1},
		{"010", "10", 0},
		{"99999999999999999999999", "18", 1},
		{"18.0", "n/a", -1},
		{"999", "n/a", -1},
		{"n/a", "n/a", 0},
		{"", "4.0", -1},
		{"", "", 0},
		{"", "n/a", -1},
	}
	for _, tt := range tests {
		if got := appleschema.CompareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := appleschema.CompareVersions(tt.b, tt.a); got != -tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func TestNewestIOS(t *testing.T) {
	// AllowPostQuantumKeyExchangeFallback and PostQuantumKeyExchangeMethods.
	if got, want := appleschema.NewestIOS(), "26.0"; got != want {
		t.Errorf("NewestIOS() = %q, want %q", got, want)
	}
}

// TestSchemaRelease checks the release record against the copy's README,
// which names the same commit, and against the table.
func TestSchemaRelease(t *testing.T) {
	r := appleschema.SchemaRelease()
	want := appleschema.Release{Commit: "61449b07e22d7d659aaa9ae65a29688cff3902a2", IOS: "27.0", Seed: true, NewestReleasedIOS: "26.0"}
	if r != want {
		t.Errorf("SchemaRelease() = %+v, want %+v", r, want)
	}
	readme, err := os.ReadFile(yamlDir + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), r.Commit) {
		t.Errorf("README.md does not name the commit %s", r.Commit)
	}
	if appleschema.CompareVersions(appleschema.NewestIOS(), r.IOS) > 0 {
		t.Errorf("the table names iOS %s, newer than its release %s", appleschema.NewestIOS(), r.IOS)
	}
}

// walk calls fn for every key of every payload with the key's Resolve path.
func walk(fn func(p appleschema.Payload, path string, k appleschema.Key)) {
	var rec func(p appleschema.Payload, prefix string, keys []appleschema.Key)
	rec = func(p appleschema.Payload, prefix string, keys []appleschema.Key) {
		for _, k := range keys {
			path := prefix
			switch {
			case k.IsElement:
				path += "[]"
			case prefix == "":
				path = k.Name
			default:
				path += "." + k.Name
			}
			fn(p, path, k)
			rec(p, path, k.Subkeys)
		}
	}
	for _, p := range appleschema.Payloads() {
		rec(p, "", p.Keys)
	}
}

func TestKeysAreWellFormed(t *testing.T) {
	valid := []appleschema.Type{
		appleschema.String, appleschema.Integer, appleschema.Real, appleschema.Boolean, appleschema.Date,
		appleschema.Data, appleschema.Array, appleschema.Dictionary, appleschema.Any,
	}
	n := 0
	walk(func(p appleschema.Payload, path string, k appleschema.Key) {
		n++
		where := p.Type + ": " + path
		if k.Type == "" || !slices.Contains(valid, k.Type) {
			t.Errorf("%s: bad Type %q", where, k.Type)
		}
		if k.Name == "" || strings.Contains(k.Name, ".") || strings.Contains(k.Name, "[]") {
			t.Errorf("%s: name %q cannot be used in a Resolve path", where, k.Name)
		}
		switch k.Type {
		case appleschema.Array:
			if len(k.Subkeys) != 1 || !k.Subkeys[0].IsElement {
				t.Errorf("%s: array has %d subkeys, want exactly one element key", where, len(k.Subkeys))
			}
		case appleschema.Dictionary:
		default:
			if len(k.Subkeys) != 0 {
				t.Errorf("%s: %s key has subkeys", where, k.Type)
			}
		}
		if k.Type != appleschema.Array {
			for _, s := range k.Subkeys {
				if s.IsElement {
					t.Errorf("%s: element key %q outside an array", where, s.Name)
				}
			}
		}
		if (k.Min != nil || k.Max != nil) && k.Type != appleschema.Integer && k.Type != appleschema.Real {
			t.Errorf("%s: range on a %s key", where, k.Type)
		}
	})
	if n < 300 {
		t.Errorf("walked only %d keys; the table looks truncated", n)
	}
}

// TestValuesMatchKeyTypes shows every place where a YAML rangelist or
// default value was written with a different type than its key declares.
// The table keeps such values exactly as the YAML has them, so this test is
// where a disagreement in a new schema release shows up.
func TestValuesMatchKeyTypes(t *testing.T) {
	goType := map[appleschema.Type]string{
		appleschema.String:  "string",
		appleschema.Integer: "int64",
		appleschema.Real:    "float64",
		appleschema.Boolean: "bool",
	}
	walk(func(p appleschema.Payload, path string, k appleschema.Key) {
		values := slices.Clone(k.RangeList)
		if k.Default != nil {
			values = append(values, k.Default)
		}
		for _, v := range values {
			if got, want := fmt.Sprintf("%T", v), goType[k.Type]; got != want {
				t.Errorf("%s: %s: %s key has value %#v of Go type %s", p.Type, path, k.Type, v, got)
			}
		}
		if k.Default != nil && len(k.RangeList) > 0 && !slices.Contains(k.RangeList, k.Default) {
			t.Errorf("%s: %s: default %#v is not in rangelist %#v", p.Type, path, k.Default, k.RangeList)
		}
	})
}

// TestInheritanceIsConsistent checks two assumptions behind Resolve's
// inheritance rule that the schema format does not promise: no key claims to
// be available earlier than the key that contains it, and nothing inside an
// "n/a" container claims a version of its own. It also checks that Resolve
// reaches every key of the table.
func TestInheritanceIsConsistent(t *testing.T) {
	walk(func(p appleschema.Payload, path string, k appleschema.Key) {
		got, eff, ok := p.Resolve(path)
		if !ok {
			t.Errorf("%s: Resolve(%q) failed", p.Type, path)
			return
		}
		if got.Name != k.Name || got.IsElement != k.IsElement {
			t.Errorf("%s: Resolve(%q) = %q, want %q", p.Type, path, got.Name, k.Name)
		}
		parent := p.IOS
		if i := strings.LastIndexAny(path, ".["); i > 0 {
			_, parent, _ = p.Resolve(path[:i])
		}
		if appleschema.CompareVersions(eff.Introduced, parent.Introduced) < 0 {
			t.Errorf("%s: %s: introduced %q is earlier than its container's %q", p.Type, path, eff.Introduced, parent.Introduced)
		}
	})
}

func TestCopiesAreIndependent(t *testing.T) {
	p, _ := appleschema.Lookup(vpn)
	mtu, _, _ := p.Resolve("IKEv2.MTU")
	*mtu.Min = 0
	dh, _, _ := p.Resolve("IKEv2.IKESecurityAssociationParameters.DiffieHellmanGroup")
	dh.RangeList[0] = int64(99)
	p.Keys[0].Name = "Changed"
	all := appleschema.Payloads()
	all[0].Keys = nil

	p2, _ := appleschema.Lookup(vpn)
	if p2.Keys[0].Name != "VPNType" {
		t.Errorf("first VPN key = %q after changing a copy", p2.Keys[0].Name)
	}
	if mtu2, _, _ := p2.Resolve("IKEv2.MTU"); *mtu2.Min != 1280 {
		t.Errorf("MTU min = %v after changing a copy", *mtu2.Min)
	}
	if dh2, _, _ := p2.Resolve("IKEv2.IKESecurityAssociationParameters.DiffieHellmanGroup"); dh2.RangeList[0] != int64(1) {
		t.Errorf("DiffieHellmanGroup rangelist[0] = %v after changing a copy", dh2.RangeList[0])
	}
	if len(appleschema.Payloads()[0].Keys) == 0 {
		t.Error("Payloads()[0] lost its keys after changing a copy")
	}
}

// TestSupportOfAgreesWithResolve checks the precomputed index against the
// slow path for every key Resolve can reach.
func TestSupportOfAgreesWithResolve(t *testing.T) {
	for _, p := range appleschema.Payloads() {
		for _, path := range []string{"IKEv2.MTU", "IKEv2.OnDemandRules", "IKEv2.OnDemandRules[]", "IKEv2.OnDemandRules[].ActionParameters[].DomainAction", "AlwaysOn.TunnelConfigurations[].Interfaces", "PayloadContent", "DNS.DNSProtocol"} {
			_, want, ok := p.Resolve(path)
			got, ok2 := appleschema.SupportOf(p.Type, path)
			if ok != ok2 || got != want {
				t.Errorf("%s %s: SupportOf = %+v %v, Resolve = %+v %v", p.Type, path, got, ok2, want, ok)
			}
		}
	}
	if s, ok := appleschema.SupportOf("com.apple.vpn.managed", "IKEv2.ExcludeLocalNetworks"); !ok || s.Introduced != "14.2" {
		t.Errorf("ExcludeLocalNetworks: %+v %v", s, ok)
	}
}

// TestSupportsIsTheIndexAndACopy checks that Supports gives the same answers
// as SupportOf, and that changing the map it returns changes nothing else.
func TestSupportsIsTheIndexAndACopy(t *testing.T) {
	const vpn = "com.apple.vpn.managed"
	all := appleschema.Supports(vpn)
	if len(all) == 0 {
		t.Fatal("no keys")
	}
	for path, s := range all {
		if got, ok := appleschema.SupportOf(vpn, path); !ok || got != s {
			t.Errorf("%s: Supports %+v, SupportOf %+v %v", path, s, got, ok)
		}
	}
	all["IKEv2.ExcludeLocalNetworks"] = appleschema.Support{Introduced: "1.0"}
	if s, _ := appleschema.SupportOf(vpn, "IKEv2.ExcludeLocalNetworks"); s.Introduced != "14.2" {
		t.Errorf("changing the returned map changed the index: %+v", s)
	}
}
