package main

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/micromdm/scep/v2/cryptoutil/x509util"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/sceptest"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// scepCase is a Graph export whose SCEP identity is enrolled against a real
// SCEP server.
type scepCase struct {
	name    string
	fixture string
	// scep is the SCEP profile's export in the fixture; others are the
	// other --with exports.
	scep   string
	others []string
	// vars fill the Intune variables, as the MDM does on delivery.
	vars map[string]string
	// subject is the CSR subject the Graph subjectNameFormatString asks
	// for, written out by hand from the export: RDNs in certificate order.
	subject [][][2]string
}

var (
	oidC, oidST, oidL, oidO, oidOU, oidCN = "2.5.4.6", "2.5.4.8", "2.5.4.7", "2.5.4.10", "2.5.4.11", "2.5.4.3"
	oidEmail, oidUID                      = "1.2.840.113549.1.9.1", "0.9.2342.19200300.100.1.1"
)

// TestSCEPEnrollment compiles Graph exports whose identity is a SCEP
// profile, reads the SCEP payload of the compiled profile, and enrolls
// exactly as a device would against a real SCEP server started in-process
// (github.com/micromdm/scep/v2 with a static challenge). It checks the CSR
// the payload makes against the Graph export (subject, subject alternative
// names, key size, key usage, challenge) and the certificate the server
// issues (subject, subject alternative names, key usage, chain).
func TestSCEPEnrollment(t *testing.T) {
	challengeBytes, err := os.ReadFile(repoPath("fixtures", "testpki", "scep.challenge"))
	if err != nil {
		t.Fatal(err)
	}
	challenge := strings.TrimSpace(string(challengeBytes))
	// The SCEP server's CA is the root of the exports' trusted certificate
	// profile (fixtures/testpki/root-ca), as in Intune, where the SCEP
	// profile's rootCertificate is the CA that issues its certificates.
	ca, caKey := testRootCA(t)
	srv := sceptest.StartWithCA(t, challenge, ca, caKey)

	cases := []scepCase{
		{
			name: "device certificate, 2048 bits, three separate exports", fixture: "scep-separate",
			scep: "scep.json", others: []string{"root.json"},
			vars: map[string]string{"AAD_Device_ID": "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"},
			// "CN={{AAD_Device_ID}}.devices.contoso.example,OU=VPN Devices,O=Contoso Ltd,C=US"
			subject: [][][2]string{{{oidC, "US"}}, {{oidO, "Contoso Ltd"}}, {{oidOU, "VPN Devices"}}, {{oidCN, "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b.devices.contoso.example"}}},
		},
		{
			name: "user certificate, 4096 bits, root expanded in the SCEP export", fixture: "scep-4096",
			scep: "scep-user.json",
			vars: map[string]string{
				"UserPrincipalName": "jane@contoso.example", "UserName": "jane", "EmailAddress": "jane.doe@contoso.example",
				"DeviceId": "a1b2c3d4-0000-4000-8000-000000000001", "DeviceName": "janes-iphone",
			},
			// `CN={{UserPrincipalName}}+UID={{UserName}};E={{EmailAddress}};OU="Sales, North";O=Contoso Ltd;L=Redmond;ST=WA;C=US`
			// (the attributes of the multi-valued RDN sorted by OID).
			subject: [][][2]string{{{oidC, "US"}}, {{oidST, "WA"}}, {{oidL, "Redmond"}}, {{oidO, "Contoso Ltd"}}, {{oidOU, "Sales, North"}}, {{oidEmail, "jane.doe@contoso.example"}}, {{oidUID, "jane"}, {oidCN, "jane@contoso.example"}}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			profile, export := compileSCEPCase(t, tc, srv.URL, dir)
			content := scepContent(t, profile)
			p, err := sceptest.ParsePayload(content)
			if err != nil {
				t.Fatal(err)
			}
			if p.URL != srv.URL {
				t.Fatalf("payload URL %q, want the first scepServerUrls entry %q", p.URL, srv.URL)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			enr, err := sceptest.Enroll(ctx, p)
			if err != nil {
				t.Fatalf("enrollment with the compiled payload failed: %v", err)
			}
			checkCSR(t, enr.CSR, export, tc, challenge)
			// The certificate chains to the root the same profile installs.
			checkIssued(t, enr, profileRoot(t, profile), tc)
			if n := len(srv.Issued()); n == 0 {
				t.Error("the server recorded no issued certificate")
			}
			// The enrolled identity is ready for a VPN test: PEM files that
			// form a key pair, and the CA that issued them.
			certFile, keyFile, caFile, err := enr.WritePEM(dir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tls.LoadX509KeyPair(certFile, keyFile); err != nil {
				t.Errorf("the written identity does not load as a key pair: %v", err)
			}
			if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("key file mode: %v %v", fi.Mode(), err)
			}
			if data, err := os.ReadFile(caFile); err != nil || !strings.Contains(string(data), "BEGIN CERTIFICATE") {
				t.Errorf("CA file: %v", err)
			}
		})
	}

	t.Run("a wrong challenge is refused by the server", func(t *testing.T) {
		dir := t.TempDir()
		wrong := filepath.Join(dir, "wrong.challenge")
		writeOrFail(t, wrong, []byte("not-the-challenge\n"))
		os.Chmod(wrong, 0o600)
		profile, _ := compileSCEPCaseWith(t, cases[0], srv.URL, dir, wrong)
		p, err := sceptest.ParsePayload(scepContent(t, profile))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := sceptest.Enroll(ctx, p); err == nil || !strings.Contains(err.Error(), "refused") {
			t.Fatalf("enrollment with a wrong challenge: err = %v, want a refusal", err)
		}
	})
}

// compileSCEPCase copies the fixture's exports into dir with the SCEP URL
// pointing at the test server, compiles them with the CLI and returns the
// decoded profile and the SCEP export as plain JSON.
func compileSCEPCase(t *testing.T, tc scepCase, url, dir string) (map[string]any, map[string]any) {
	t.Helper()
	return compileSCEPCaseWith(t, tc, url, dir, filepath.Join(testPKI(t), "scep.challenge"))
}

func compileSCEPCaseWith(t *testing.T, tc scepCase, url, dir, challengeFile string) (map[string]any, map[string]any) {
	t.Helper()
	var export map[string]any
	if err := json.Unmarshal(readOrFail(t, repoPath("fixtures", tc.fixture, tc.scep)), &export); err != nil {
		t.Fatal(err)
	}
	urls := export["scepServerUrls"].([]any)
	urls[0] = url
	data, _ := json.Marshal(export)
	args := []string{"compile", repoPath("fixtures", tc.fixture, "input.json"), "-o", filepath.Join(dir, "out.mobileconfig"),
		"--with", writeOrFail(t, filepath.Join(dir, tc.scep), data), "--scep-challenge-file", challengeFile}
	for _, o := range tc.others {
		args = append(args, "--with", repoPath("fixtures", tc.fixture, o))
	}
	for k, v := range tc.vars {
		args = append(args, "--var", k+"="+v)
	}
	r := runCLI(t, nil, nil, args...)
	if r.code != exitOK {
		t.Fatalf("compile: exit %d\n%s", r.code, r.stderr)
	}
	profile, _, err := plistout.Decode(readOrFail(t, filepath.Join(dir, "out.mobileconfig")))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range compiler.Lint(profile, compiler.LintOptions{Signed: true}) {
		// Without --var, the profile keeps the {{variables}} the MDM fills.
		if f.Severity != diag.Info && !(len(tc.vars) == 0 && f.Code == "unresolved-variable") {
			t.Errorf("Apple schema finding: %s", f)
		}
	}
	return profile, export
}

// scepContent returns the PayloadContent of the profile's SCEP payload,
// after checking that the VPN references that payload.
func scepContent(t *testing.T, profile map[string]any) map[string]any {
	t.Helper()
	var scep, vpn map[string]any
	for _, p := range profile["PayloadContent"].([]any) {
		m := p.(map[string]any)
		switch m["PayloadType"] {
		case "com.apple.security.scep":
			scep = m
		case "com.apple.vpn.managed":
			vpn = m
		}
	}
	if scep == nil || vpn == nil {
		t.Fatalf("the profile lacks the SCEP or the VPN payload")
	}
	ref := vpn["IKEv2"].(map[string]any)["PayloadCertificateUUID"]
	if ref != scep["PayloadUUID"] {
		t.Fatalf("the VPN's PayloadCertificateUUID %v is not the SCEP payload's UUID %v", ref, scep["PayloadUUID"])
	}
	return scep["PayloadContent"].(map[string]any)
}

// substitute fills {{variables}} as the MDM would.
func substitute(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	return s
}

// checkCSR checks the device's request against the Graph export.
func checkCSR(t *testing.T, csr *x509.CertificateRequest, export map[string]any, tc scepCase, challenge string) {
	t.Helper()
	if err := csr.CheckSignature(); err != nil {
		t.Errorf("CSR signature: %v", err)
	}
	if got, _ := x509util.ParseChallengePassword(csr.Raw); got != challenge {
		t.Errorf("CSR challenge password %q, want the one given with --scep-challenge-file", got)
	}
	// Key size: keySize "size2048" → 2048 bits.
	wantBits := 0
	fmt.Sscanf(export["keySize"].(string), "size%d", &wantBits)
	if got := csr.PublicKey.(*rsa.PublicKey).N.BitLen(); got != wantBits {
		t.Errorf("CSR key size %d, want %d (keySize %s)", got, wantBits, export["keySize"])
	}
	// Key usage: the flags of keyUsage.
	flags := strings.Split(export["keyUsage"].(string), ",")
	wantKU := x509.KeyUsage(0)
	if slices.Contains(flags, "digitalSignature") {
		wantKU |= x509.KeyUsageDigitalSignature
	}
	if slices.Contains(flags, "keyEncipherment") {
		wantKU |= x509.KeyUsageKeyEncipherment
	}
	if got := requestedKeyUsage(t, csr); got != wantKU {
		t.Errorf("CSR key usage %b, want %b (keyUsage %q)", got, wantKU, export["keyUsage"])
	}
	// Subject.
	if got := rdns(t, csr.RawSubject); !slices.EqualFunc(got, tc.subject, slices.Equal) {
		t.Errorf("CSR subject %v, want %v", got, tc.subject)
	}
	if tc.fixture == "scep-separate" {
		// Go's RFC 4514 form of the subject is the export's own string.
		if want := substitute(export["subjectNameFormatString"].(string), tc.vars); csr.Subject.String() != want {
			t.Errorf("CSR subject %q, want subjectNameFormatString %q", csr.Subject.String(), want)
		}
	}
	// Subject alternative names: customSubjectAlternativeNames.
	want := map[string][]string{}
	for _, s := range export["customSubjectAlternativeNames"].([]any) {
		m := s.(map[string]any)
		want[m["sanType"].(string)] = append(want[m["sanType"].(string)], substitute(m["name"].(string), tc.vars))
	}
	checkSANs(t, "CSR", sanNames(t, csr.Extensions), want)
}

// checkIssued checks the certificate the SCEP server issued.
func checkIssued(t *testing.T, enr *sceptest.Enrollment, ca *x509.Certificate, tc scepCase) {
	t.Helper()
	cert, csr := enr.Certificate, enr.CSR
	if !slices.Equal(cert.RawSubject, csr.RawSubject) {
		t.Errorf("certificate subject %q, want the requested %q", cert.Subject, csr.Subject)
	}
	if got := rdns(t, cert.RawSubject); !slices.EqualFunc(got, tc.subject, slices.Equal) {
		t.Errorf("certificate subject %v, want %v", got, tc.subject)
	}
	if cert.KeyUsage != requestedKeyUsage(t, csr) {
		t.Errorf("certificate key usage %b, want the requested %b", cert.KeyUsage, requestedKeyUsage(t, csr))
	}
	checkSANs(t, "certificate", sanNames(t, cert.Extensions), sanNames(t, csr.Extensions))
	if !slices.Equal(cert.DNSNames, csr.DNSNames) || !slices.Equal(cert.EmailAddresses, csr.EmailAddresses) {
		t.Errorf("crypto/x509 reads other names from the certificate (%q %q) than from the CSR (%q %q)", cert.DNSNames, cert.EmailAddresses, csr.DNSNames, csr.EmailAddresses)
	}
	if !cert.PublicKey.(*rsa.PublicKey).Equal(&enr.Key.PublicKey) {
		t.Error("the certificate is not for the device's key")
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("the certificate does not chain to the SCEP CA: %v", err)
	}
}

// checkSANs compares subject alternative names by Graph sanType.
func checkSANs(t *testing.T, what string, got, want map[string][]string) {
	t.Helper()
	for _, sanType := range []string{"domainNameService", "emailAddress", "universalResourceIdentifier", "userPrincipalName"} {
		if !slices.Equal(got[sanType], want[sanType]) {
			t.Errorf("%s %s names %q, want %q", what, sanType, got[sanType], want[sanType])
		}
	}
}

var (
	oidExtKeyUsage = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtSAN      = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidNTPrincipal = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}
)

// requestedKeyUsage reads the key usage extension a CSR requests.
func requestedKeyUsage(t *testing.T, csr *x509.CertificateRequest) x509.KeyUsage {
	t.Helper()
	for _, ext := range csr.Extensions {
		if !ext.Id.Equal(oidExtKeyUsage) {
			continue
		}
		var bits asn1.BitString
		if _, err := asn1.Unmarshal(ext.Value, &bits); err != nil {
			t.Fatal(err)
		}
		var ku x509.KeyUsage
		for i := 0; i < 9; i++ {
			if bits.At(i) != 0 {
				ku |= 1 << uint(i)
			}
		}
		return ku
	}
	return 0
}

// sanNames reads a subject alternative name extension, by Graph sanType,
// as written (crypto/x509 lowercases a URI's scheme and does not read the
// user principal name, otherName 1.3.6.1.4.1.311.20.2.3).
func sanNames(t *testing.T, exts []pkix.Extension) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, ext := range exts {
		if !ext.Id.Equal(oidExtSAN) {
			continue
		}
		var names []asn1.RawValue
		if _, err := asn1.Unmarshal(ext.Value, &names); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if n.Class != asn1.ClassContextSpecific {
				continue
			}
			switch n.Tag {
			case 1:
				out["emailAddress"] = append(out["emailAddress"], string(n.Bytes))
				continue
			case 2:
				out["domainNameService"] = append(out["domainNameService"], string(n.Bytes))
				continue
			case 6:
				out["universalResourceIdentifier"] = append(out["universalResourceIdentifier"], string(n.Bytes))
				continue
			case 0:
			default:
				t.Errorf("unexpected general name [%d]", n.Tag)
				continue
			}
			var other struct {
				ID    asn1.ObjectIdentifier
				Value asn1.RawValue `asn1:"explicit,tag:0"`
			}
			if _, err := asn1.UnmarshalWithParams(n.FullBytes, &other, "tag:0"); err != nil {
				t.Fatalf("otherName: %v", err)
			}
			if !other.ID.Equal(oidNTPrincipal) {
				continue
			}
			var upn string
			if _, err := asn1.UnmarshalWithParams(other.Value.Bytes, &upn, "utf8"); err != nil {
				t.Fatalf("UPN: %v", err)
			}
			out["userPrincipalName"] = append(out["userPrincipalName"], upn)
		}
	}
	return out
}

// rdns reads a DER name as [OID, value] pairs per RDN, in DER order; the
// attributes of a multi-valued RDN, a SET, are sorted by OID.
func rdns(t *testing.T, raw []byte) [][][2]string {
	t.Helper()
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		t.Fatal(err)
	}
	var out [][][2]string
	for _, set := range seq {
		var rdn [][2]string
		for _, a := range set {
			rdn = append(rdn, [2]string{a.Type.String(), fmt.Sprint(a.Value)})
		}
		slices.SortFunc(rdn, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
		out = append(out, rdn)
	}
	return out
}

// testRootCA loads the test PKI's root CA and its RSA key.
func testRootCA(t *testing.T) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	block, _ := pem.Decode(readOrFail(t, repoPath("fixtures", "testpki", "root-ca.pem")))
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	block, _ = pem.Decode(readOrFail(t, repoPath("fixtures", "testpki", "root-ca.key")))
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return ca, key.(*rsa.PrivateKey)
}

// profileRoot returns the certificate of the profile's
// com.apple.security.root payload.
func profileRoot(t *testing.T, profile map[string]any) *x509.Certificate {
	t.Helper()
	for _, p := range profile["PayloadContent"].([]any) {
		if m := p.(map[string]any); m["PayloadType"] == "com.apple.security.root" {
			c, err := x509.ParseCertificate(m["PayloadContent"].([]byte))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	t.Fatal("the profile has no com.apple.security.root payload")
	return nil
}
