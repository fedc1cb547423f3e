package main

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/sceptest"
	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/strongswan"
)

// TestSCEPDial is the machine-certificate cell of the tunnel matrix end to
// end from Graph JSON (issue 13): the VPN, its SCEP profile and the SCEP
// profile's trusted root, three Graph exports, compile with --with into one
// profile that passes Apple's schema check; a device enrolls its identity
// from that profile's SCEP payload against a real SCEP server (micromdm's,
// whose CA is the exports' root); server-config writes a strongSwan
// responder from the same profile, trusting that CA; and dial brings the
// tunnel up with the enrolled certificate and key. A certificate from
// another CA, with the same names, is refused by that server.
func TestSCEPDial(t *testing.T) {
	requireStrongSwan(t)
	challengeFile := filepath.Join(testPKI(t), "scep.challenge")
	challenge := strings.TrimSpace(string(readOrFail(t, challengeFile)))
	ca, caKey := testRootCA(t)
	srv := sceptest.StartWithCA(t, challenge, ca, caKey)
	dir := t.TempDir()

	// The profile as the MDM gets it: compiled from the Graph exports, the
	// device's {{AAD_Device_ID}} left for the MDM to fill.
	tc := scepCase{fixture: "scep-separate", scep: "scep.json", others: []string{"root.json"}}
	profile, _ := compileSCEPCaseWith(t, tc, srv.URL, dir, challengeFile)
	profilePath := filepath.Join(dir, "out.mobileconfig")

	// The device: the MDM fills its variables on delivery, and the device
	// enrolls with exactly the SCEP payload it then holds.
	const deviceID = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
	localID := deviceID + ".devices.contoso.example"
	content := fillTokens(scepContent(t, profile), map[string]string{"AAD_Device_ID": deviceID}).(map[string]any)
	payload, err := sceptest.ParsePayload(content)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	enr, err := sceptest.Enroll(ctx, payload)
	if err != nil {
		t.Fatalf("enrollment with the compiled payload failed: %v", err)
	}
	if enr.Certificate.Subject.CommonName != localID || !slices.Equal(enr.Certificate.DNSNames, []string{localID}) || enr.Certificate.CheckSignatureFrom(ca) != nil {
		t.Fatalf("enrolled %q (SAN %v), issued by %q; want CN and SAN %q from the exports' root", enr.Certificate.Subject, enr.Certificate.DNSNames, enr.Certificate.Issuer, localID)
	}
	certFile, keyFile, _, err := enr.WritePEM(dir)
	if err != nil {
		t.Fatal(err)
	}

	// The server: server-config of the same profile, its certificate and
	// its client CA under the exports' root.
	pki := newVPNPKIFor(t, &testpki.CA{Cert: ca, Key: caKey}, "vpn.contoso.example")
	identityArgs := func(cert, key string) []string {
		// The profile's RemoteAddress, vpn.contoso.example, is not in DNS:
		// the server is at serverAddr.
		return []string{"--server", serverAddr, "--identity-cert", cert, "--identity-key", key, "--var", "AAD_Device_ID=" + deviceID}
	}
	cell := vpnCell{name: "scep-machine-certificate", server: profileSpec{file: profilePath}, checkClientCA: true,
		dialArgs: identityArgs(certFile, keyFile)}
	const n = 950
	pair, dialProfile, conf := startCell(t, n, cell, pki)
	for _, want := range []string{
		"The device certificate comes from SCEP", "from " + srv.URL, "CN={{AAD_Device_ID}}.devices.contoso.example,OU=VPN Devices,O=Contoso Ltd,C=US",
		"and an RSA 2048-bit key", ca.Subject.String(), "id = *.devices.contoso.example",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("server-config does not say %q", want)
		}
	}
	if !regexp.MustCompile(`\n\t+cacerts = /\S+/x509ca/client-ca\.pem\n`).MatchString(conf) {
		t.Error("the connection does not accept only the client CA (cacerts)")
	}
	if strings.Contains(conf, "WARNING") {
		t.Errorf("server-config warns:\n%s", conf)
	}

	rep := dialCell(t, n, cell, pair, dialProfile)
	if !rep.OK || rep.ChildSA == nil || rep.ChildSA.State != "INSTALLED" {
		t.Fatalf("want an installed CHILD SA; got %s: %s %v", rep.Cause, rep.Reason, rep.Details)
	}
	if rep.IKESA.LocalID != localID || rep.IKESA.RemoteID != "vpn.contoso.example" || rep.IKESA.EncrAlg != "AES_GCM_16" || rep.IKESA.DHGroup != "ECP_256" {
		t.Errorf("IKE SA %s ↔ %s, %s/%s; want %s ↔ vpn.contoso.example, AES_GCM_16/ECP_256 as the export asks", rep.IKESA.LocalID, rep.IKESA.RemoteID, rep.IKESA.EncrAlg, rep.IKESA.DHGroup, localID)
	}
	if len(rep.Checks) != 2 {
		t.Errorf("checks %v, want the server certificate's common name and issuer", rep.Checks)
	}
	if id := rep.Offered.Identity; !strings.Contains(id, "--identity-cert "+certFile) || !strings.Contains(id, "SCEP payload") || !strings.Contains(id, srv.URL) || len(rep.Offered.IdentityMismatch) != 0 {
		t.Errorf("identity %q, mismatches %q; want the enrolled certificate standing in for the SCEP payload's, matching it", id, rep.Offered.IdentityMismatch)
	}

	// The report for people says the same.
	r := runCLI(t, nil, map[string]string{}, append([]string{"dial", dialProfile, "--netns", pair.client, "--timeout", "8s"}, cell.dialArgs...)...)
	if r.code != exitOK || !strings.Contains(r.stdout, "  Identity:        \"CN="+localID+",OU=VPN Devices,O=Contoso Ltd,C=US\" (RSA 2048)") ||
		!strings.Contains(r.stdout, "standing in for the certificate the device enrolls through the SCEP payload") || !strings.Contains(r.stdout, "OK: the CHILD SA is installed") {
		t.Errorf("dial: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A certificate with the same names from a CA the server does not
	// trust: the server refuses it, and dial says how it differs from what
	// the SCEP payload would enroll.
	otherKey := testpki.Key(t, testpki.RSA2048, 3)
	otherCert := issue(t, pki.other, localID, []string{localID}, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, otherKey)
	otherCertFile := testpki.WritePEMCert(t, filepath.Join(dir, "other.pem"), otherCert)
	otherKeyFile := testpki.WritePEMKey(t, filepath.Join(dir, "other.key"), otherKey, testpki.PKCS8, nil)
	refused := cell
	refused.dialArgs, refused.wantCause = identityArgs(otherCertFile, otherKeyFile), strongswan.CauseAuthenticationFailed
	rep = dialCell(t, n, refused, pair, dialProfile)
	if rep.OK || rep.Cause != strongswan.CauseAuthenticationFailed {
		t.Errorf("a device certificate from another CA: ok %v, cause %q (%s); want authentication-failed", rep.OK, rep.Cause, rep.Reason)
	}
	if m := strings.Join(rep.Offered.IdentityMismatch, "\n"); !strings.Contains(m, "does not chain to a CA certificate of the profile") || !strings.Contains(m, "the SCEP payload asks for") {
		t.Errorf("mismatches %q; want the subject and the CA named", rep.Offered.IdentityMismatch)
	}
	if _, err := os.Stat(otherKeyFile); err != nil {
		t.Fatal(err)
	}
}

// fillTokens fills {{variables}} in every string of a decoded property
// list value, as the MDM does when it delivers a profile.
func fillTokens(v any, vars map[string]string) any {
	switch x := v.(type) {
	case string:
		return substitute(x, vars)
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = fillTokens(el, vars)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, el := range x {
			out[k] = fillTokens(el, vars)
		}
		return out
	}
	return v
}
