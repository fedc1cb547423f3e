package compiler_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// certVPN is a machine-certificate VPN export; %s adds properties.
const certVPN = `{
  "@odata.type": "#microsoft.graph.iosikEv2VpnConfiguration",
  "id": "11111111-2222-4333-8444-555555555555",
  "displayName": "Cert VPN",
  "connectionName": "Cert",
  "server": {"address": "vpn.example.com"},
  "remoteIdentifier": "vpn.example.com",
  "authenticationMethod": "certificate",
  "clientAuthenticationType": "deviceAuthentication"%s
}`

// scepJSON is a SCEP profile export; %s adds or replaces properties.
const scepJSON = `{
  "@odata.type": "#microsoft.graph.iosScepCertificateProfile",
  "id": "%s",
  "displayName": "SCEP %s",
  "scepServerUrls": ["https://scep.example.com/scep"],
  "subjectNameFormat": "custom",
  "subjectNameFormatString": "CN={{DeviceName}},O=Example"%s
}`

// scepExport returns a SCEP profile export; extra (",\"k\": v, …") adds
// or replaces properties.
func scepExport(id, extra string) string {
	var doc, more map[string]any
	if err := json.Unmarshal([]byte(fmt.Sprintf(scepJSON, id, id, "")), &doc); err != nil {
		panic(err)
	}
	if extra != "" {
		if err := json.Unmarshal([]byte("{"+strings.TrimPrefix(strings.TrimSpace(extra), ",")+"}"), &more); err != nil {
			panic(err)
		}
	}
	for k, v := range more {
		doc[k] = v
	}
	out, _ := json.Marshal(doc)
	return string(out)
}

func rootExport(t *testing.T, id string, der []byte, extra string) string {
	return fmt.Sprintf(`{"@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "id": %q, "displayName": "Root %s", "trustedRootCertificate": %q%s}`,
		id, id, base64.StdEncoding.EncodeToString(der), extra)
}

// certs decodes --with exports.
func certs(t *testing.T, docs ...string) []graphjson.CertificateProfile {
	t.Helper()
	var out []graphjson.CertificateProfile
	for i, d := range docs {
		got, diags := graphjson.DecodeCertificates([]byte(d), graphjson.DefaultLimits, fmt.Sprintf("with%d.json", i))
		if diags.HasErrors() {
			t.Fatalf("decoding --with %d: %v", i, diags.Errors())
		}
		out = append(out, got...)
	}
	return out
}

// compileCert compiles certVPN (with extra properties) and the given
// certificate profiles.
func compileCert(t *testing.T, extra string, opts compiler.Options, cps ...graphjson.CertificateProfile) *compiler.Result {
	t.Helper()
	cfg, path := decode(t, []byte(fmt.Sprintf(certVPN, extra)))
	opts.Certificates = append(opts.Certificates, cps...)
	return compiler.Compile(compiler.Input{Config: cfg, Path: path}, opts)
}

func payloadOf(t *testing.T, profile *compiler.Dict, payloadType string) map[string]any {
	t.Helper()
	for _, p := range profile.Map()["PayloadContent"].([]any) {
		if m := p.(map[string]any); m["PayloadType"] == payloadType {
			return m
		}
	}
	return nil
}

func rootDER(t *testing.T) []byte { return testCA(t).Raw }

var withChallenge = compiler.Options{SCEP: compiler.SCEPOptions{Challenge: "chal-123"}}

func TestSCEPPayload(t *testing.T) {
	res := compileCert(t, `, "localIdentifier": "clientCertificateSubjectName"`, withChallenge, certs(t,
		scepExport("scep-1", `, "keySize": "size4096", "keyUsage": "digitalSignature",
		  "customSubjectAlternativeNames": [{"sanType": "userPrincipalName", "name": "{{UserPrincipalName}}"}]`),
		rootExport(t, "root-1", rootDER(t), ""))...)
	if res.Diagnostics.HasErrors() {
		t.Fatal(res.Diagnostics.Errors())
	}
	scep := payloadOf(t, res.Profile, "com.apple.security.scep")
	wantID := res.Identifier + ".scep.scep-1"
	if scep["PayloadIdentifier"] != wantID || scep["PayloadUUID"] != compiler.PayloadUUID(wantID) {
		t.Errorf("identifiers %v %v", scep["PayloadIdentifier"], scep["PayloadUUID"])
	}
	want := map[string]any{
		"URL": "https://scep.example.com/scep", "Keysize": 4096, "Key Usage": 1, "Challenge": "chal-123",
		"Retries": 3, "RetryDelay": 10,
		"Subject":        []any{[]any{[]any{"O", "Example"}}, []any{[]any{"CN", "{{DeviceName}}"}}},
		"SubjectAltName": map[string]any{"ntPrincipalName": "{{UserPrincipalName}}"},
	}
	if got := scep["PayloadContent"]; !reflect.DeepEqual(got, want) {
		t.Errorf("PayloadContent\n got %#v\nwant %#v", got, want)
	}
	vpn := vpnPayload(t, res.Profile)
	if ref, _ := lookup(vpn, "IKEv2.PayloadCertificateUUID"); ref != scep["PayloadUUID"] {
		t.Errorf("the VPN references %v, not the SCEP payload", ref)
	}
	if li, _ := lookup(vpn, "IKEv2.LocalIdentifier"); li != "{{DeviceName}}" {
		t.Errorf("LocalIdentifier %v, want the SCEP subject's CN", li)
	}
	if !res.Secrets {
		t.Error("a SCEP challenge is a secret: the profile must be written with mode 0600")
	}
	for _, d := range res.Diagnostics {
		if strings.Contains(d.Message, "chal-123") {
			t.Errorf("the challenge appears in a diagnostic: %s", d)
		}
	}
	// Root first, SCEP next, VPN last.
	var order []string
	for _, p := range res.Profile.Map()["PayloadContent"].([]any) {
		order = append(order, p.(map[string]any)["PayloadType"].(string))
	}
	if !reflect.DeepEqual(order, []string{"com.apple.security.root", "com.apple.security.scep", "com.apple.vpn.managed"}) {
		t.Errorf("payload order %v", order)
	}
	if errs := lintErrors(res.Profile); len(errs) > 0 {
		t.Errorf("lint: %s", all(errs))
	}
}

// TestSCEPUUIDsAreDeterministic: UUIDs come from the Graph ids, so renaming
// a profile or compiling again changes nothing, and another SCEP profile
// gets another UUID.
func TestSCEPUUIDsAreDeterministic(t *testing.T) {
	uuid := func(id, name string) any {
		doc := scepExport(id, `, "displayName": "`+name+`"`)
		res := compileCert(t, "", withChallenge, certs(t, doc)...)
		if res.Diagnostics.HasErrors() {
			t.Fatal(res.Diagnostics.Errors())
		}
		return payloadOf(t, res.Profile, "com.apple.security.scep")["PayloadUUID"]
	}
	a, b, c := uuid("id-a", "First name"), uuid("id-a", "Renamed"), uuid("id-b", "First name")
	if a != b {
		t.Errorf("renaming changed the UUID: %v %v", a, b)
	}
	if a == c {
		t.Error("two SCEP profiles got the same UUID")
	}
}

func TestSCEPSettings(t *testing.T) {
	cases := []struct {
		name   string
		extra  string // SCEP profile properties
		opts   compiler.Options
		key    string // PayloadContent key to check
		want   any
		code   string // a diagnostic code that must be there
		errors bool
	}{
		{name: "key size not set", key: "Keysize", want: 2048, code: "default-value"},
		{name: "1024 bits", extra: `, "keySize": "size1024"`, key: "Keysize", want: 1024, code: "weak-key"},
		{name: "4096 bits on iOS 13", extra: `, "keySize": "size4096"`, opts: compiler.Options{Target: compiler.Target{Platform: "ios", Version: "13.0"}}, key: "Keysize", want: 4096, code: "target-unsupported"},
		{name: "both key usages", extra: `, "keyUsage": "keyEncipherment,digitalSignature"`, key: "Key Usage", want: 5},
		{name: "no key usage", key: "Key Usage", want: nil},
		{name: "legacy subject", extra: `, "subjectNameFormat": "commonNameIncludingEmail"`, key: "Subject",
			want: []any{[]any{[]any{"1.2.840.113549.1.9.1", "{{EmailAddress}}"}}, []any{[]any{"CN", "{{UserName}}"}}}, code: "legacy-subject"},
		{name: "serial number subject", extra: `, "subjectNameFormat": "commonNameAsSerialNumber"`, key: "Subject", want: []any{[]any{[]any{"CN", "{{SerialNumber}}"}}}},
		{name: "unreadable subject", extra: `, "subjectNameFormatString": "CN=a\\,b"`, code: "bad-value", errors: true},
		{name: "empty custom subject", extra: `, "subjectNameFormatString": ""`, code: "missing-value", errors: true},
		{name: "legacy SAN types", extra: `, "subjectAlternativeNameType": "emailAddress,userPrincipalName"`, key: "SubjectAltName",
			want: map[string]any{"rfc822Name": "{{EmailAddress}}", "ntPrincipalName": "{{UserPrincipalName}}"}},
		{name: "legacy DNS SAN", extra: `, "subjectAlternativeNameType": "domainNameService", "subjectAlternativeNameFormatString": "{{DeviceName}}.example.com"`, key: "SubjectAltName",
			want: map[string]any{"dNSName": "{{DeviceName}}.example.com"}},
		{name: "legacy DNS SAN without a value", extra: `, "subjectAlternativeNameType": "domainNameService"`, code: "missing-value", errors: true},
		{name: "custom Azure AD attribute", extra: `, "subjectAlternativeNameType": "customAzureADAttribute", "subjectAlternativeNameFormatString": "department"`, key: "SubjectAltName", want: nil, code: "unsupported-san"},
		{name: "two DNS names", extra: `, "customSubjectAlternativeNames": [{"sanType": "domainNameService", "name": "a.example"}, {"sanType": "domainNameService", "name": "b.example"}, {"sanType": "universalResourceIdentifier", "name": "IntuneDeviceId://{{DeviceId}}"}]`,
			key: "SubjectAltName", want: map[string]any{"dNSName": []string{"a.example", "b.example"}, "uniformResourceIdentifier": "IntuneDeviceId://{{DeviceId}}"}, code: "san-array"},
		{name: "two types in one custom name", extra: `, "customSubjectAlternativeNames": [{"sanType": "emailAddress,domainNameService", "name": "x"}]`, code: "bad-value", errors: true},
		{name: "custom name without a name", extra: `, "customSubjectAlternativeNames": [{"sanType": "emailAddress"}]`, code: "missing-value", errors: true},
		{name: "second URL", extra: `, "scepServerUrls": ["https://a.example/scep", "https://b.example/scep"]`, key: "URL", want: "https://a.example/scep", code: "extra-urls"},
		{name: "no URL", extra: `, "scepServerUrls": []`, code: "missing-value", errors: true},
		{name: "not a URL", extra: `, "scepServerUrls": ["scep.example.com"]`, code: "bad-value", errors: true},
		{name: "EKUs, validity, renewal", extra: `, "extendedKeyUsages": [{"name": "Client Authentication", "objectIdentifier": "1.3.6.1.5.5.7.3.2"}], "certificateValidityPeriodValue": 2, "certificateValidityPeriodScale": "years", "renewalThresholdPercentage": 20`, code: "ignored-setting"},
		{name: "challenge variable", opts: compiler.Options{SCEP: compiler.SCEPOptions{ChallengeVariable: "SCEPChallenge"}}, key: "Challenge", want: "{{SCEPChallenge}}", code: "scep-challenge-variable"},
		{name: "challenge variable filled with --var", opts: compiler.Options{SCEP: compiler.SCEPOptions{ChallengeVariable: "C"}, Vars: map[string]string{"C": "filled"}}, key: "Challenge", want: "filled"},
		{name: "bad challenge variable", opts: compiler.Options{SCEP: compiler.SCEPOptions{ChallengeVariable: "a b"}}, code: "bad-value", errors: true},
		{name: "no challenge", opts: compiler.Options{}, code: "missing-challenge", errors: true},
		{name: "CA name", opts: compiler.Options{SCEP: compiler.SCEPOptions{Challenge: "c", Name: "IssuingCA"}}, key: "Name", want: "IssuingCA"},
		{name: "OS version rule that excludes the target", extra: `, "deviceManagementApplicabilityRuleOsVersion": {"minOSVersion": "99.0", "ruleType": "include"}`, code: "not-applicable", errors: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if opts.SCEP == (compiler.SCEPOptions{}) && tc.name != "no challenge" {
				opts.SCEP = withChallenge.SCEP
			}
			res := compileCert(t, "", opts, certs(t, scepExport("s", tc.extra))...)
			if res.Diagnostics.HasErrors() != tc.errors {
				t.Fatalf("errors: %v", res.Diagnostics)
			}
			if tc.code != "" {
				if _, ok := findDiag(res.Diagnostics, tc.code, ""); !ok {
					t.Errorf("no %s diagnostic in %v", tc.code, res.Diagnostics)
				}
			}
			if tc.errors || tc.key == "" {
				return
			}
			content := payloadOf(t, res.Profile, "com.apple.security.scep")["PayloadContent"].(map[string]any)
			if got := content[tc.key]; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s = %#v, want %#v", tc.key, got, tc.want)
			}
			if errs := lintErrors(res.Profile); len(errs) > 0 {
				t.Errorf("lint: %s", all(errs))
			}
		})
	}
}

// TestIdentityChoice covers which certificate profile is the VPN's identity.
func TestIdentityChoice(t *testing.T) {
	expanded := func(t *testing.T, id string) graphjson.CertificateProfile {
		cp := certs(t, scepExport(id, ""))[0]
		cp.Expanded, cp.Path = true, "$.identityCertificate"
		return cp
	}
	t.Run("two SCEP profiles given on their own", func(t *testing.T) {
		res := compileCert(t, "", withChallenge, certs(t, scepExport("a", ""), scepExport("b", ""))...)
		if _, ok := findDiag(res.Diagnostics, "ambiguous-identity", "$.identityCertificate"); !ok || res.Profile != nil {
			t.Errorf("%v", res.Diagnostics)
		}
	})
	t.Run("the expanded one wins", func(t *testing.T) {
		cfg, path := decode(t, []byte(fmt.Sprintf(certVPN, "")))
		opts := withChallenge
		opts.Certificates = certs(t, scepExport("other", ""))
		res := compiler.Compile(compiler.Input{Config: cfg, Path: path, Certificates: []graphjson.CertificateProfile{expanded(t, "linked")}}, opts)
		if res.Diagnostics.HasErrors() {
			t.Fatal(res.Diagnostics.Errors())
		}
		if id := payloadOf(t, res.Profile, "com.apple.security.scep")["PayloadIdentifier"].(string); !strings.HasSuffix(id, ".scep.linked") {
			t.Errorf("identity %s", id)
		}
		if _, ok := findDiag(res.Diagnostics, "identity-unused", "with0.json:$"); !ok {
			t.Errorf("the other profile is not reported unused: %v", res.Diagnostics)
		}
	})
	t.Run("the same profile expanded and given", func(t *testing.T) {
		cfg, path := decode(t, []byte(fmt.Sprintf(certVPN, "")))
		opts := withChallenge
		opts.Certificates = certs(t, scepExport("same", ""))
		res := compiler.Compile(compiler.Input{Config: cfg, Path: path, Certificates: []graphjson.CertificateProfile{expanded(t, "same")}}, opts)
		if res.Diagnostics.HasErrors() || countCode(res.Diagnostics, "duplicate-certificate") != 1 {
			t.Errorf("%v", res.Diagnostics)
		}
	})
	t.Run("--identity replaces the SCEP profile", func(t *testing.T) {
		opts := withChallenge
		opts.Identity = testIdentity(t)
		res := compileCert(t, "", opts, certs(t, scepExport("s", ""))...)
		if res.Diagnostics.HasErrors() || payloadOf(t, res.Profile, "com.apple.security.scep") != nil || payloadOf(t, res.Profile, "com.apple.security.pkcs12") == nil {
			t.Fatalf("%v", res.Diagnostics)
		}
		if _, ok := findDiag(res.Diagnostics, "identity-unused", "with0.json:$"); !ok {
			t.Errorf("%v", res.Diagnostics)
		}
	})
	t.Run("--identity replaces a PKCS profile", func(t *testing.T) {
		opts := compiler.Options{Identity: testIdentity(t)}
		res := compileCert(t, "", opts, certs(t, `{"@odata.type": "#microsoft.graph.iosPkcsCertificateProfile", "id": "p"}`)...)
		if res.Diagnostics.HasErrors() {
			t.Fatal(res.Diagnostics.Errors())
		}
	})
	t.Run("a PKCS profile alone", func(t *testing.T) {
		res := compileCert(t, "", compiler.Options{}, certs(t, `{"@odata.type": "#microsoft.graph.iosPkcsCertificateProfile", "id": "p", "displayName": "PKCS"}`)...)
		d, ok := findDiag(res.Diagnostics, "pkcs-identity", "with0.json:$")
		if !ok || d.Hint.Code != diag.HintIdentityOrSCEP || !strings.Contains(d.Hint.Text, "compiler.Options.Identity") || !strings.Contains(d.Hint.Text, "SCEP") || !strings.Contains(d.Hint.Text, "ACME") {
			t.Errorf("%v", res.Diagnostics)
		}
	})
	t.Run("shared secret needs no identity", func(t *testing.T) {
		cfg, path := decode(t, []byte(with("")))
		opts := withChallenge
		opts.Certificates = certs(t, scepExport("s", ""), rootExport(t, "r", rootDER(t), ""))
		res := compiler.Compile(compiler.Input{Config: cfg, Path: path}, opts)
		if res.Diagnostics.HasErrors() || payloadOf(t, res.Profile, "com.apple.security.scep") != nil || payloadOf(t, res.Profile, "com.apple.security.root") == nil {
			t.Fatalf("%v", res.Diagnostics)
		}
		if _, ok := findDiag(res.Diagnostics, "identity-unused", "with0.json:$"); !ok {
			t.Errorf("%v", res.Diagnostics)
		}
	})
	t.Run("ECDSA certificate type with a SCEP identity", func(t *testing.T) {
		res := compileCert(t, `, "serverCertificateType": "ecdsa256", "serverCertificateIssuerCommonName": "CA"`, withChallenge, certs(t, scepExport("s", ""))...)
		d, ok := findDiag(res.Diagnostics, "scep-key-type", "$.serverCertificateType")
		if !ok || !strings.Contains(d.Message, "ECDSA256") || !strings.Contains(d.Message, "SCEP") {
			t.Errorf("%v", res.Diagnostics)
		}
	})
	t.Run("no root", func(t *testing.T) {
		res := compileCert(t, "", withChallenge, certs(t, scepExport("s", ""))...)
		if _, ok := findDiag(res.Diagnostics, "no-root", ""); !ok {
			t.Errorf("%v", res.Diagnostics)
		}
	})
}

func TestTrustedRootPayloads(t *testing.T) {
	ca := testCA(t)
	pemText := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw})
	client, err := os.ReadFile(filepath.Join("..", "fixtures", "testpki", "client.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(client)
	cases := []struct {
		name        string
		der         []byte
		extra       string
		opts        compiler.Options
		payloadType string
		code        string
		payloads    int
		errors      bool
	}{
		{name: "DER root", der: ca.Raw, extra: `, "certFileName": "corp.cer"`, payloadType: "com.apple.security.root", payloads: 1},
		{name: "PEM file uploaded", der: pemText, payloadType: "com.apple.security.root", code: "pem-certificate", payloads: 1},
		{name: "the same CA with --ca", der: ca.Raw, opts: compiler.Options{CACertificates: []*x509.Certificate{ca}}, payloadType: "com.apple.security.root", payloads: 1},
		{name: "not a root", der: block.Bytes, payloadType: "com.apple.security.pkcs1", code: "not-a-root", payloads: 1},
		{name: "not a certificate", der: []byte("hello"), code: "bad-certificate", errors: true},
		{name: "empty", der: nil, code: "missing-value", errors: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, path := decode(t, []byte(with("")))
			opts := tc.opts
			opts.Certificates = certs(t, rootExport(t, "r", tc.der, tc.extra))
			res := compiler.Compile(compiler.Input{Config: cfg, Path: path}, opts)
			if res.Diagnostics.HasErrors() != tc.errors {
				t.Fatalf("%v", res.Diagnostics)
			}
			if tc.code != "" {
				if _, ok := findDiag(res.Diagnostics, tc.code, ""); !ok {
					t.Errorf("no %s in %v", tc.code, res.Diagnostics)
				}
			}
			if tc.errors {
				return
			}
			n := 0
			for _, p := range res.Profile.Map()["PayloadContent"].([]any) {
				if strings.HasPrefix(p.(map[string]any)["PayloadType"].(string), "com.apple.security.") {
					n++
				}
			}
			if n != tc.payloads {
				t.Errorf("%d certificate payloads, want %d", n, tc.payloads)
			}
			p := payloadOf(t, res.Profile, tc.payloadType)
			if p == nil {
				t.Fatalf("no %s payload", tc.payloadType)
			}
			if got := p["PayloadContent"].([]byte); tc.payloadType == "com.apple.security.root" && !reflect.DeepEqual(got, ca.Raw) {
				t.Error("the payload does not hold the certificate's DER")
			}
			if p["PayloadDisplayName"] != "Root r" || p["PayloadIdentifier"] != res.Identifier+".root.r" {
				t.Errorf("name %v, identifier %v", p["PayloadDisplayName"], p["PayloadIdentifier"])
			}
			if tc.extra != "" && p["PayloadCertificateFileName"] != "corp.cer" {
				t.Errorf("file name %v", p["PayloadCertificateFileName"])
			}
			if errs := lintErrors(res.Profile); len(errs) > 0 {
				t.Errorf("lint: %s", all(errs))
			}
		})
	}
	got, err := compiler.TrustedCertificates(certs(t, rootExport(t, "a", ca.Raw, ""), rootExport(t, "b", pemText, ""), scepExport("s", "")))
	if err != nil || len(got) != 1 || !got[0].Equal(ca) {
		t.Errorf("TrustedCertificates: %v, %v", got, err)
	}
}

// TestCertificateRules holds the certificate tables to the same standard as
// the VPN's: every property has a rule, every key exists in Apple's schema.
func TestCertificateRules(t *testing.T) {
	payloads := map[string]string{graphjson.ScepType: "com.apple.security.scep", graphjson.TrustedRootType: "com.apple.security.root", graphjson.PkcsType: ""}
	for typ, payload := range payloads {
		rules := map[string]compiler.Rule{}
		for _, r := range compiler.CertificateRules(typ) {
			if _, dup := rules[r.Graph]; dup {
				t.Errorf("%s: two rules for %s", typ, r.Graph)
			}
			rules[r.Graph] = r
		}
		props := map[string]bool{}
		for _, p := range graphjson.CertificateProperties(typ) {
			props[p.Path] = true
			r, ok := rules[p.Path]
			switch {
			case !ok:
				t.Errorf("%s: the property %s has no rule", typ, p.Path)
			case r.Fate == "":
				t.Errorf("%s: %s has no fate", typ, p.Path)
			case (r.Fate == compiler.Ignored || r.Fate == compiler.Unsupported) && r.Note == "":
				t.Errorf("%s: %s is %s without a reason", typ, p.Path, r.Fate)
			case (r.Fate == compiler.Mapped || r.Fate == compiler.Conditional) && (len(r.Apple) == 0 || r.Conversion == ""):
				t.Errorf("%s: %s is %s but names no Apple key or conversion", typ, p.Path, r.Fate)
			}
			for _, k := range r.Apple {
				_, _, inPayload := appleschema.Find(payload, k)
				_, _, common := appleschema.Find("CommonPayloadKeys", k)
				if !inPayload && !common {
					t.Errorf("%s: %s names %s, which is not in Apple's schema for %s", typ, p.Path, k, payload)
				}
			}
		}
		for g := range rules {
			if !props[g] {
				t.Errorf("%s: the rule for %s names no property of the model", typ, g)
			}
		}
	}
	for _, r := range compiler.CertificateMapping() {
		for _, k := range r.Apple {
			if k.MinOS == "" || k.MinOS == "?" {
				t.Errorf("%s %s → %s has no minimum iOS", r.Entity, r.Graph, k.Key)
			}
		}
	}
}

// TestLintSCEP covers lint's SCEP checks on hand-written profiles.
func TestLintSCEP(t *testing.T) {
	profile := func(content map[string]any, certType string) map[string]any {
		ike := map[string]any{"AuthenticationMethod": "Certificate", "ExtendedAuthEnabled": 0, "PayloadCertificateUUID": "9F6A0B7E-3C41-4E52-8A6B-1D2C3E4F5A6B",
			"RemoteAddress": "vpn.example.com", "RemoteIdentifier": "vpn.example.com", "LocalIdentifier": ""}
		if certType != "" {
			ike["CertificateType"] = certType
			ike["ServerCertificateIssuerCommonName"] = "CA"
		}
		return map[string]any{
			"PayloadType": "Configuration", "PayloadVersion": 1, "PayloadIdentifier": "t", "PayloadUUID": "0B1C2D3E-4F50-4617-8899-AABBCCDDEEFF",
			"PayloadContent": []any{
				map[string]any{"PayloadType": "com.apple.security.scep", "PayloadVersion": 1, "PayloadIdentifier": "t.scep", "PayloadUUID": "9F6A0B7E-3C41-4E52-8A6B-1D2C3E4F5A6B", "PayloadContent": content},
				map[string]any{"PayloadType": "com.apple.vpn.managed", "PayloadVersion": 1, "PayloadIdentifier": "t.vpn", "PayloadUUID": "1A2B3C4D-5E6F-4071-8293-A4B5C6D7E8F9",
					"UserDefinedName": "x", "VPNType": "IKEv2", "IKEv2": ike},
			},
		}
	}
	good := func() map[string]any {
		return map[string]any{"URL": "https://scep.example/scep", "Keysize": 2048, "Key Usage": 5, "Challenge": "{{C}}",
			"Subject":        []any{[]any{[]any{"O", "X"}}, []any{[]any{"CN", "a"}}},
			"SubjectAltName": map[string]any{"dNSName": []any{"a.example", "b.example"}}}
	}
	// The {{C}} challenge is reported as a variable nothing on
	// graph2mobileconfig's delivery path fills (checked at the end), not
	// as a secret.
	codes := func(l diag.List) []string {
		var out []string
		for _, d := range l {
			if d.Severity != diag.Info && d.Code != "unresolved-variable" {
				out = append(out, d.Code)
			}
		}
		return out
	}
	if got := codes(compiler.Lint(profile(good(), ""), compiler.LintOptions{})); len(got) != 0 {
		t.Fatalf("a good SCEP profile: %s", all(compiler.Lint(profile(good(), ""), compiler.LintOptions{})))
	}
	cases := []struct {
		name   string
		change func(m map[string]any)
		cert   string
		signed bool
		want   string
	}{
		{"EC key", func(m map[string]any) { m["Key Type"] = "EC" }, "", true, "bad-value"},
		{"key usage 3", func(m map[string]any) { m["Key Usage"] = 3 }, "", true, "bad-value"},
		{"no key size", func(m map[string]any) { delete(m, "Keysize") }, "", true, "default-key-size"},
		{"key size 3072", func(m map[string]any) { m["Keysize"] = 3072 }, "", true, "bad-value"},
		{"subject triple", func(m map[string]any) { m["Subject"] = []any{[]any{[]any{"CN", "a", "b"}}} }, "", true, "bad-subject"},
		{"subject unknown name", func(m map[string]any) { m["Subject"] = []any{[]any{[]any{"E", "a@b"}}} }, "", true, "bad-subject"},
		{"SAN array of numbers", func(m map[string]any) { m["SubjectAltName"] = map[string]any{"dNSName": []any{1}} }, "", true, "wrong-type"},
		{"URL without scheme", func(m map[string]any) { m["URL"] = "scep.example" }, "", true, "bad-value"},
		{"no URL", func(m map[string]any) { delete(m, "URL") }, "", true, "missing-key"},
		{"ECDSA with SCEP", func(m map[string]any) {}, "ECDSA384", true, "scep-key-type"},
		{"challenge in an unsigned profile", func(m map[string]any) { m["Challenge"] = "secret" }, "", false, "unprotected-secret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := good()
			tc.change(c)
			got := codes(compiler.Lint(profile(c, tc.cert), compiler.LintOptions{Signed: tc.signed}))
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("findings %v, want just %s", got, tc.want)
			}
		})
	}
	// A {{variable}} challenge is not a secret, but a variable left for
	// the MDM.
	if got := codes(compiler.Lint(profile(good(), ""), compiler.LintOptions{})); len(got) != 0 {
		t.Errorf("an MDM variable reported as a secret: %v", got)
	}
	if _, ok := findDiag(compiler.Lint(profile(good(), ""), compiler.LintOptions{}), "unresolved-variable", "PayloadContent[0].PayloadContent.Challenge"); !ok {
		t.Error("the {{C}} challenge is not reported as an unresolved variable")
	}
}

// TestCertificatePayloadsOnOldTargets: the SCEP and root payloads and all
// their keys date from iOS 4, so the oldest target keeps every key, and
// lint for that target finds nothing.
func TestCertificatePayloadsOnOldTargets(t *testing.T) {
	opts := withChallenge
	opts.Target = compiler.Target{Platform: "ios", Version: "9.0"}
	res := compileCert(t, "", opts, certs(t, scepExport("s", `, "keySize": "size2048", "keyUsage": "digitalSignature"`), rootExport(t, "r", rootDER(t), ""))...)
	if res.Diagnostics.HasErrors() {
		t.Fatal(res.Diagnostics.Errors())
	}
	for _, d := range res.Diagnostics {
		if (d.Code == "target-unsupported" || d.Code == "deprecated-key") && d.Key != "Profile.TargetDeviceType" {
			t.Errorf("unexpected gate: %s", d)
		}
	}
	content := payloadOf(t, res.Profile, "com.apple.security.scep")["PayloadContent"].(map[string]any)
	for _, k := range []string{"URL", "Subject", "Keysize", "Key Usage", "Challenge", "Retries", "RetryDelay"} {
		if _, ok := content[k]; !ok {
			t.Errorf("%s left out for iOS 9", k)
		}
	}
	// Lint for iOS 9, on the certificate payloads (PayloadContent[0] and
	// [1]; the outer TargetDeviceType, which needs iOS 12.2, is the VPN
	// compiler's business).
	for _, d := range lintFor(res.Profile, "9.0") {
		if (strings.HasPrefix(d.Path, "PayloadContent[0]") || strings.HasPrefix(d.Path, "PayloadContent[1]")) && d.Code != "unresolved-variable" {
			t.Errorf("lint for iOS 9: %s", d)
		}
	}
}

// TestSCEPDroppedSettingsAreWarnings: a SCEP setting the admin made that
// the payload does not carry is a warning (issue 10's rule for the VPN's
// settings holds for its certificate profiles too); what the device does
// anyway, or an empty value, stays an info.
func TestSCEPDroppedSettingsAreWarnings(t *testing.T) {
	for _, c := range []struct {
		name, extra, path string
		sev               diag.Severity
	}{
		{"custom subject string beside a fixed format", `, "subjectNameFormat": "commonNameAsSerialNumber", "subjectNameFormatString": "CN=x,O=Example"`, "subjectNameFormatString", diag.Warning},
		{"SAN format string with the emailAddress type", `, "subjectAlternativeNameType": "emailAddress", "subjectAlternativeNameFormatString": "{{DeviceName}}.example.com"`, "subjectAlternativeNameFormatString", diag.Warning},
		{"SAN format string without a type", `, "subjectAlternativeNameFormatString": "{{DeviceName}}.example.com"`, "subjectAlternativeNameFormatString", diag.Warning},
		{"a named SAN of type none", `, "customSubjectAlternativeNames": [{"sanType": "none", "name": "device.example.com"}]`, "customSubjectAlternativeNames[0]", diag.Warning},
		{"an empty SAN of type none", `, "customSubjectAlternativeNames": [{"sanType": "none", "name": ""}]`, "customSubjectAlternativeNames[0]", diag.Info},
		{"user certificate store", `, "certificateStore": "user"`, "certificateStore", diag.Warning},
		{"machine certificate store", `, "certificateStore": "machine"`, "certificateStore", diag.Info},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := compileCert(t, "", withChallenge, certs(t, scepExport("s", c.extra))...)
			if res.Profile == nil {
				t.Fatalf("no profile: %s", all(res.Diagnostics))
			}
			d, ok := findDiag(res.Diagnostics, "ignored-setting", c.path)
			if !ok || d.Severity != c.sev {
				t.Errorf("want an ignored-setting %s at %s, got %s", c.sev, c.path, all(res.Diagnostics))
			}
		})
	}
}

// TestCertificateTokensNameTheirKey: every diagnostic about a {{variable}}
// left in a certificate payload names the payload key it sits in, as the
// VPN's do, so that an admin can find it in the profile (and with --strict
// the error says it too).
func TestCertificateTokensNameTheirKey(t *testing.T) {
	scep := scepExport("s", `, "displayName": "SCEP {{DeviceName}}", "description": "for {{UserName}}",
	  "scepServerUrls": ["https://{{ScepHost}}/scep"],
	  "subjectAlternativeNameType": "domainNameService", "subjectAlternativeNameFormatString": "{{DeviceName}}.example.com",
	  "customSubjectAlternativeNames": [{"sanType": "userPrincipalName", "name": "{{UserPrincipalName}}"}]`)
	root := strings.Replace(rootExport(t, "r", rootDER(t), ""), `"Root r"`, `"Root for {{DeviceName}}"`, 1)
	// By the diagnostic's path: the --with files are with0.json (SCEP) and
	// with1.json (root); the challenge variable has no Graph property.
	want := map[string]string{
		"with0.json:$.displayName":                           "com.apple.security.scep.PayloadDisplayName",
		"with0.json:$.description":                           "com.apple.security.scep.PayloadDescription",
		"with0.json:$.scepServerUrls[0]":                     "com.apple.security.scep.PayloadContent.URL",
		"with0.json:$.subjectNameFormatString":               "com.apple.security.scep.PayloadContent.Subject",
		"with0.json:$.subjectAlternativeNameFormatString":    "com.apple.security.scep.PayloadContent.SubjectAltName.dNSName",
		"with0.json:$.customSubjectAlternativeNames[0].name": "com.apple.security.scep.PayloadContent.SubjectAltName.ntPrincipalName",
		"with0.json:$":             "com.apple.security.scep.PayloadContent.Challenge",
		"with1.json:$.displayName": "com.apple.security.root.PayloadDisplayName",
	}
	for _, strict := range []bool{false, true} {
		opts := compiler.Options{Strict: strict, SCEP: compiler.SCEPOptions{ChallengeVariable: "Challenge"}}
		res := compileCert(t, "", opts, certs(t, scep, root)...)
		got := map[string]string{}
		for _, d := range res.Diagnostics {
			if d.Code != "mdm-variable" && d.Code != "unresolved-variable" || !strings.Contains(d.Path, ".json:") {
				continue
			}
			if d.Key == "" || !strings.Contains(d.Message, " in "+d.Key) {
				t.Errorf("strict %v: a token diagnostic without its payload key: %s", strict, d)
			}
			got[d.Path] = d.Key
		}
		for rel, key := range want {
			if got[rel] != key {
				t.Errorf("strict %v: the token at %s names %q, want %q\n%s", strict, rel, got[rel], key, all(res.Diagnostics))
			}
		}
	}
}
