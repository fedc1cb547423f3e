package graphjson_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

func readFixtureFile(t *testing.T, parts ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(append([]string{"..", "fixtures"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDecodeSCEPProfile(t *testing.T) {
	certs, diags := graphjson.DecodeCertificates(readFixtureFile(t, "scep-separate", "scep.json"), graphjson.DefaultLimits, "scep.json")
	if diags.HasErrors() || len(certs) != 1 {
		t.Fatalf("%d profiles, diagnostics %v", len(certs), diags)
	}
	cp := certs[0]
	s := cp.Scep
	if s == nil || cp.Type() != graphjson.ScepType || cp.Path != "scep.json:$" || cp.Expanded {
		t.Fatalf("profile %+v", cp)
	}
	if cp.ID() != "5e0c8a7d-1b2f-4f3a-8c6d-9e4b7a2f1c30" || cp.DisplayName() != "iOS - Contoso VPN device certificate (SCEP)" {
		t.Errorf("id %q, name %q", cp.ID(), cp.DisplayName())
	}
	if *s.KeySize != graphjson.KeySize2048 || !s.KeyUsage.Has(graphjson.KeyUsageKeyEncipherment) || !s.KeyUsage.Has(graphjson.KeyUsageDigitalSignature) {
		t.Errorf("key size %v, usage %v", *s.KeySize, *s.KeyUsage)
	}
	if *s.SubjectNameFormat != graphjson.SubjectCustom || len(s.ScepServerUrls) != 2 || *s.CertificateStore != graphjson.CertificateStoreMachine {
		t.Errorf("subject format %v, urls %v", *s.SubjectNameFormat, s.ScepServerUrls)
	}
	if len(s.CustomSubjectAlternativeNames) != 1 || *s.CustomSubjectAlternativeNames[0].SanType != graphjson.SANDomainNameService {
		t.Errorf("SANs %+v", s.CustomSubjectAlternativeNames)
	}
	if len(s.ExtendedKeyUsages) != 1 || *s.ExtendedKeyUsages[0].ObjectIdentifier != "1.3.6.1.5.5.7.3.2" {
		t.Errorf("EKUs %+v", s.ExtendedKeyUsages)
	}
	if *s.RenewalThresholdPercentage != 20 || *s.CertificateValidityPeriodScale != graphjson.ValidityYears {
		t.Error("validity settings lost")
	}
	if !has(diags, diag.Info, "annotation", `scep.json:$["@odata.context"]`, "not part of the configuration") {
		t.Errorf("the annotation is reported under the file's name: %v", diags)
	}
}

func TestDecodeCertificateValues(t *testing.T) {
	js := `{"@odata.type": "#microsoft.graph.iosScepCertificateProfile", "id": "s",
	  "keyUsage": "digitalsignature,keyEncipherment",
	  "subjectAlternativeNameType": "emailAddress,userPrincipalName",
	  "subjectNameFormat": "commonNameAsUPN",
	  "certificateStore": "device",
	  "keySize": "size8192",
	  "renewalThresholdPercentage": 100,
	  "customSubjectAlternativeNames": [{"sanType": "dns", "name": "x"}],
	  "futureProperty": 1,
	  "managedDeviceCertificateStates": []}`
	certs, diags := graphjson.DecodeCertificates([]byte(js), graphjson.DefaultLimits, "s.json")
	want := []struct {
		sev        diag.Severity
		code, path string
		text       string
	}{
		{diag.Error, "unknown-enum", "s.json:$.keyUsage", `Graph spells it "digitalSignature"`},
		{diag.Error, "unknown-enum", "s.json:$.subjectNameFormat", "allowed: commonName, commonNameAsEmail, custom"},
		{diag.Error, "unknown-enum", "s.json:$.certificateStore", "allowed: user, machine"},
		{diag.Error, "unknown-enum", "s.json:$.keySize", "allowed: size1024, size2048, size4096"},
		{diag.Error, "out-of-range", "s.json:$.renewalThresholdPercentage", "1 to 99"},
		{diag.Error, "unknown-enum", "s.json:$.customSubjectAlternativeNames[0].sanType", "joined with commas"},
		{diag.Warning, "unknown-property", "s.json:$.futureProperty", "microsoft.graph.iosScepCertificateProfile"},
		{diag.Info, "navigation-property", "s.json:$.managedDeviceCertificateStates", "reporting data"},
	}
	for _, w := range want {
		if !has(diags, w.sev, w.code, w.path, w.text) {
			t.Errorf("missing %s %s at %s containing %q in\n%v", w.sev, w.code, w.path, w.text, diags)
		}
	}
	if len(certs) != 1 {
		t.Fatalf("%d profiles", len(certs))
	}
	s := certs[0].Scep
	if s.KeyUsage != nil || s.SubjectNameFormat != nil || s.CertificateStore != nil || s.KeySize != nil || s.CustomSubjectAlternativeNames[0].SanType != nil {
		t.Error("a bad value must be left unset")
	}
	if san := s.SubjectAlternativeNameType; san == nil || !san.Has(graphjson.SANEmailAddress) || !san.Has(graphjson.SANUserPrincipalName) || san.Has(graphjson.SANNone) {
		t.Errorf("flag enum %v", san)
	}
}

func TestDecodeTrustedRoot(t *testing.T) {
	certs, diags := graphjson.DecodeCertificates(readFixtureFile(t, "scep-separate", "root.json"), graphjson.DefaultLimits, "root.json")
	if diags.HasErrors() || len(certs) != 1 || certs[0].Root == nil {
		t.Fatalf("%v %v", certs, diags)
	}
	if r := certs[0].Root; *r.CertFileName != "graph2mobileconfig-test-root-ca.cer" || !strings.HasPrefix(string(*r.TrustedRootCertificate), "MII") {
		t.Errorf("root %+v", r)
	}
	_, diags = graphjson.DecodeCertificates([]byte(`{"@odata.type": "#microsoft.graph.iosTrustedRootCertificate", "trustedRootCertificate": "not base64!"}`), graphjson.DefaultLimits, "r.json")
	if !has(diags, diag.Error, "bad-value", "r.json:$.trustedRootCertificate", "not base64") {
		t.Errorf("bad base64 not reported: %v", diags)
	}
}

// TestCertificateDocuments covers what --with accepts and refuses.
func TestCertificateDocuments(t *testing.T) {
	scep := string(readFixtureFile(t, "scep-separate", "scep.json"))
	root := string(readFixtureFile(t, "scep-separate", "root.json"))
	vpn := string(readFixtureFile(t, "scep-separate", "input.json"))
	cases := []struct {
		name     string
		doc      string
		profiles int
		code     string // a diagnostic that must be there
		errors   bool
	}{
		{"list response", `{"value": [` + scep + `,` + root + `, {"@odata.type": "#microsoft.graph.iosGeneralDeviceConfiguration", "id": "g", "displayName": "General"}]}`, 2, "skipped-entity", false},
		{"bare array", `[` + root + `]`, 1, "", false},
		{"get response", `{"value": ` + root + `}`, 1, "", false},
		{"no @odata.type, SCEP properties", `{"id": "x", "scepServerUrls": ["https://scep.example"]}`, 1, "assumed-type", false},
		{"the VPN itself", vpn, 0, "not-a-certificate", true},
		{"a list with only the VPN", `[` + vpn + `]`, 0, "not-a-certificate", true},
		{"another device configuration", `{"@odata.type": "#microsoft.graph.iosGeneralDeviceConfiguration"}`, 0, "unsupported-type", true},
		{"an unrecognisable object", `{"id": "x"}`, 0, "missing-type", true},
		{"an empty list", `{"value": []}`, 0, "no-certificate", true},
		{"invalid JSON", `{"value": [`, 0, "json-syntax", true},
		{"type in other letter case", `{"@odata.type": "#microsoft.graph.IOSScepCertificateProfile", "id": "x"}`, 1, "type-case", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			certs, diags := graphjson.DecodeCertificates([]byte(tc.doc), graphjson.DefaultLimits, "f.json")
			if len(certs) != tc.profiles || diags.HasErrors() != tc.errors {
				t.Fatalf("%d profiles (want %d), errors %v (want %v): %v", len(certs), tc.profiles, diags.HasErrors(), tc.errors, diags)
			}
			if tc.code != "" && countCode(diags, tc.code) == 0 {
				t.Errorf("no %s diagnostic in %v", tc.code, diags)
			}
			for _, d := range diags {
				if d.Path != "" && !strings.HasPrefix(d.Path, "f.json:$") {
					t.Errorf("path %q does not name the document", d.Path)
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

// TestExpandedCertificates reads the certificate profiles expanded inline in
// a VPN entity, and checks that the VPN's decoder leaves them alone.
func TestExpandedCertificates(t *testing.T) {
	data := readFixtureFile(t, "scep-expanded", "input.json")
	cfg, it, diags := graphjson.DecodeSingle(data, graphjson.DefaultLimits)
	if cfg == nil || diags.HasErrors() {
		t.Fatal(diags)
	}
	if countCode(diags, "navigation-property") != 0 || countCode(diags, "unknown-property") != 0 {
		t.Errorf("the expanded identityCertificate must not be reported as ignored: %v", diags)
	}
	certs, cd := graphjson.ExpandedCertificates(it)
	if cd.HasErrors() || len(certs) != 1 || certs[0].Scep == nil || !certs[0].Expanded || certs[0].Path != "$.identityCertificate" {
		t.Fatalf("%+v %v", certs, cd)
	}

	// A nested expansion: the SCEP profile's rootCertificate inline too.
	nested := strings.Replace(string(data), `"identityCertificate": {`, `"identityCertificate": {"rootCertificate": `+string(readFixtureFile(t, "scep-separate", "root.json"))+`,`, 1)
	cfg, it, diags = graphjson.DecodeSingle([]byte(nested), graphjson.DefaultLimits)
	if cfg == nil || diags.HasErrors() {
		t.Fatal(diags)
	}
	certs, cd = graphjson.ExpandedCertificates(it)
	if cd.HasErrors() || len(certs) != 2 || certs[1].Root == nil || certs[1].Path != "$.identityCertificate.rootCertificate" || !certs[1].Expanded {
		t.Fatalf("%+v %v", certs, cd)
	}
	if !has(cd, diag.Info, "annotation", `$.identityCertificate.rootCertificate["@odata.context"]`, "") {
		t.Errorf("the nested export's annotation is reported at its path: %v", cd)
	}

	for _, tc := range []struct{ name, value, code string }{
		{"null", `null`, "no-relationship"},
		{"a trusted root", string(readFixtureFile(t, "scep-separate", "root.json")), "unsupported-type"},
		{"a string", `"https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations('x')"`, "type-mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			js := strings.Replace(string(readFixtureFile(t, "scep-separate", "input.json")), `"id":`, `"identityCertificate": `+tc.value+`, "id":`, 1)
			_, it, diags := graphjson.DecodeSingle([]byte(js), graphjson.DefaultLimits)
			certs, cd := graphjson.ExpandedCertificates(it)
			if len(certs) != 0 || countCode(cd, tc.code) != 1 {
				t.Errorf("%v %v", certs, cd)
			}
			// A relationship that is not an inline object stays a
			// navigation property of the VPN.
			if tc.value[0] == '"' && countCode(diags, "navigation-property") != 1 {
				t.Errorf("a link that is not expanded is reported by the VPN's decoder: %v", diags)
			}
		})
	}
}

func TestCertificateProperties(t *testing.T) {
	types := map[string]string{}
	for _, p := range graphjson.CertificateProperties(graphjson.ScepType) {
		types[p.Path] = p.Type
	}
	for path, want := range map[string]string{
		"keyUsage":          "keyUsages",
		"keySize":           "keySize",
		"subjectNameFormat": "appleSubjectNameFormat",
		"scepServerUrls":    "Collection(Edm.String)",
		"customSubjectAlternativeNames[].sanType": "subjectAlternativeNameType",
		"renewalThresholdPercentage":              "Edm.Int32",
		"id":                                      "Edm.String",
	} {
		if types[path] != want {
			t.Errorf("%s has type %q, want %q", path, types[path], want)
		}
	}
	// Own properties per the Graph beta type mappings: 8 on the SCEP
	// profile, 5 on its base, 10 on deviceConfiguration, 1 on entity.
	top := 0
	for path := range types {
		if !strings.ContainsAny(path, ".[") {
			top++
		}
	}
	if top != 24 {
		t.Errorf("iosScepCertificateProfile has %d properties, want 24", top)
	}
	for _, p := range graphjson.CertificateProperties(graphjson.TrustedRootType) {
		if p.Path == "trustedRootCertificate" && p.Type != "Edm.Binary" {
			t.Errorf("trustedRootCertificate is %s", p.Type)
		}
	}
	if n := len(graphjson.CertificateProperties("microsoft.graph.other")); n != 0 {
		t.Errorf("%d properties for an unknown type", n)
	}
}
