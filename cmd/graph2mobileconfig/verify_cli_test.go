package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// realSigned is the real signed profile of testdata/real-profiles/signed,
// signed by a Let's Encrypt leaf valid until 2026-05-28.
var (
	realSigned   = repoPath("testdata", "real-profiles", "signed", "paulmillr-encrypted-dns-adguard-default-https.signed.mobileconfig")
	realUnsigned = repoPath("testdata", "real-profiles", "signed", "paulmillr-encrypted-dns-adguard-default-https.unsigned.mobileconfig")
)

// verifyJSON runs verify --json and decodes its report.
func verifyJSON(t *testing.T, args ...string) (result, verifyReport) {
	t.Helper()
	r := runCLI(t, nil, nil, append([]string{"verify", "--json"}, args...)...)
	var rep verifyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("verify --json output is not JSON: %v\n%s", err, r.stdout)
	}
	return r, rep
}

func TestVerifyFailures(t *testing.T) {
	now := time.Now()
	dir := t.TempDir()
	f := newSignerFiles(t, testpki.RSA2048, testpki.Options{})
	plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))
	good := readOrFail(t, compileFixture(t, "psk-ondemand", filepath.Join(dir, "signed.mobileconfig"), f.flags()...))
	id := &signing.Identity{Certificate: f.leaf.Cert, PrivateKey: f.leaf.Key, Chain: f.leaf.Chain}
	sign := func(content []byte, id *signing.Identity) []byte {
		t.Helper()
		der, err := signing.Sign(content, id)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}

	// The signature is the last element of the DER SignedData.
	badSig := bytes.Clone(good)
	badSig[len(badSig)-1] ^= 0xff
	expiredLeaf := f.inter.NewLeaf(t, testpki.Options{NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(0, 0, -3)})
	expired := sign(readOrFail(t, plain), &signing.Identity{Certificate: expiredLeaf.Cert, PrivateKey: expiredLeaf.Key, Chain: expiredLeaf.Chain})
	payload, _ := plistout.Encode(map[string]any{"PayloadType": "com.apple.vpn.managed", "PayloadUUID": "X"}, plistout.XML)
	wrongRoot := testpki.WritePEMCert(t, filepath.Join(dir, "wrong-root.pem"), testpki.NewRoot(t, testpki.Options{CommonName: "Other Root"}).Cert)

	cases := []struct {
		name    string
		data    []byte
		ca      string
		failure string
		want    []string
	}{
		{"content modified", bytes.Replace(good, []byte("203.0.113.10"), []byte("203.0.113.66"), 1), f.rootPEM, failContentModified,
			[]string{"verification failed: content does not match the signed digest (the profile was modified after signing)"}},
		{"signature modified", badSig, f.rootPEM, failBadSignature,
			[]string{"verification failed: signature does not verify with the signer's public key"}},
		{"wrong CA", good, wrongRoot, failUntrusted,
			[]string{"verification failed: signer certificate does not chain to the given CA"}},
		{"expired signer", expired, f.rootPEM, failSignerExpired,
			[]string{"verification failed: signer certificate expired on " + expiredLeaf.Cert.NotAfter.UTC().Format(certDateFormat)}},
		{"unsigned XML profile", readOrFail(t, plain), "", failNotSigned,
			[]string{"not signed: it is a plain XML property list, not a CMS-signed profile"}},
		{"unsigned binary profile", readOrFail(t, compileFixture(t, "proxy-pac", filepath.Join(dir, "binary.mobileconfig"))), "", failNotSigned,
			[]string{"not signed: it is a plain binary property list"}},
		{"not a plist at all", []byte("hello"), "", failNotSigned,
			[]string{"not signed: it is not CMS, and the file is not a configuration profile: "}},
		{"signed text, not a plist", sign([]byte("hello, world\n"), id), "", failNotProfile,
			[]string{"the signature is valid, but the signed content is not a configuration profile: not a property list"}},
		{"signed payload, not a profile", sign(payload, id), f.rootPEM, failNotProfile,
			[]string{`PayloadType is "com.apple.vpn.managed", not a configuration profile`}},
		{"truncated CMS", good[:len(good)/2], "", failMalformed,
			[]string{"not a valid signed profile"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := writeOrFail(t, filepath.Join(t.TempDir(), "in.mobileconfig"), c.data)
			args := []string{in}
			if c.ca != "" {
				args = append(args, "--roots", c.ca)
			}
			r := runCLI(t, nil, nil, append([]string{"verify"}, args...)...)
			if r.code != exitError {
				t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
			}
			wantSubstrings(t, "stderr", r.stderr, c.want...)
			wantSubstrings(t, "stdout", r.stdout, "Result:        FAILED: ")

			r, rep := verifyJSON(t, args...)
			if r.code != exitError || rep.OK || rep.Failure != c.failure {
				t.Errorf("--json: exit %d, ok %v, failure %q; want 1, false, %q", r.code, rep.OK, rep.Failure, c.failure)
			}
			wantSubstrings(t, "--json error", rep.Error, c.want...)
			if r.stderr != "" {
				t.Errorf("--json printed on stderr: %s", r.stderr)
			}
		})
	}

	// The test root is not among the system's roots.
	in := writeOrFail(t, filepath.Join(dir, "good.mobileconfig"), good)
	r := runCLI(t, nil, nil, "verify", in, "--system-roots")
	if r.code != exitError {
		t.Fatalf("verify --system-roots of a test-PKI signature: exit %d, want 1", r.code)
	}
	wantSubstrings(t, "stderr", r.stderr, "verification failed: signer certificate does not chain to a root trusted by the system")

	// Without a trust check, an expired signer is a warning: the
	// signature itself is valid.
	in = writeOrFail(t, filepath.Join(dir, "expired.mobileconfig"), expired)
	r = runCLI(t, nil, nil, "verify", in)
	if r.code != exitOK {
		t.Fatalf("verify of an expired signer without --ca: exit %d, want 0\n%s", r.code, r.stderr)
	}
	wantSubstrings(t, "stderr", r.stderr, "warning: Signer certificate expired on", "devices treat the profile as unsigned")
	wantSubstrings(t, "stdout", r.stdout, "(EXPIRED 3 days ago)", "Chain:         not checked", "the chain was NOT checked")
}

func TestVerifyJSON(t *testing.T) {
	f := newSignerFiles(t, testpki.ECDSAP256, testpki.Options{})
	signed := compileFixture(t, "psk-ondemand", filepath.Join(t.TempDir(), "signed.mobileconfig"), f.flags()...)
	otherRoot := testpki.WritePEMCert(t, filepath.Join(f.dir, "other-root.pem"), testpki.NewRoot(t, testpki.Options{CommonName: "Other Root"}).Cert)
	cases := []struct {
		name          string
		args          []string
		chainChecked  bool
		chainVerified bool
	}{
		{"signature only", nil, false, false},
		{"with --roots", []string{"--roots", f.rootPEM}, true, true},
		{"--roots twice", []string{"--roots", otherRoot, "--roots", f.rootPEM}, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, rep := verifyJSON(t, append([]string{signed}, c.args...)...)
			if r.code != exitOK || !rep.OK || !rep.Signed || rep.Failure != "" || rep.Error != "" {
				t.Fatalf("exit %d, report %+v", r.code, rep)
			}
			if rep.ChainChecked != c.chainChecked || rep.ChainVerified != c.chainVerified {
				t.Errorf("chainChecked %v, chainVerified %v; want %v, %v", rep.ChainChecked, rep.ChainVerified, c.chainChecked, c.chainVerified)
			}
			s := rep.Signature
			if !s.Valid || s.Signer == nil || s.Signer.Subject != "CN=Test Signer,O=graph2mobileconfig tests" ||
				s.Signer.Issuer != "CN=Test Intermediate CA,O=graph2mobileconfig tests" || s.Signer.PublicKey != "ECDSA-P256" ||
				s.DigestAlgorithm != "SHA-256" || s.SignatureAlgorithm != "ECDSA-SHA256" || s.SigningTime == nil || len(s.Certificates) != 2 {
				t.Errorf("signature %+v", s)
			}
			if !s.Signer.NotAfter.Equal(f.leaf.Cert.NotAfter) || !s.Signer.NotBefore.Equal(f.leaf.Cert.NotBefore) {
				t.Errorf("validity %v to %v, want %v to %v", s.Signer.NotBefore, s.Signer.NotAfter, f.leaf.Cert.NotBefore, f.leaf.Cert.NotAfter)
			}
			want := contentReport{Profile: true, Format: "xml", PayloadType: "Configuration", Identifier: "com.contoso.warehouse.9b2d1f70-3e55-4c8a-b0a1-6f4c7e2d9a13", DisplayName: "iOS - Warehouse scanners VPN (PSK)"}
			if got := *rep.Content; got.Size == 0 || func() contentReport { got.Size = 0; return got }() != want {
				t.Errorf("content %+v, want %+v", got, want)
			}
			if c.chainVerified && (len(rep.Chains) != 1 || len(rep.Chains[0]) != 3 || rep.Chains[0][2] != "CN=Test Root CA,O=graph2mobileconfig tests") {
				t.Errorf("chains %v", rep.Chains)
			}
			if len(rep.Warnings) != 0 {
				t.Errorf("warnings:%s", findings(rep.Warnings))
			}
		})
	}
}

// TestVerifyRealSignedProfile documents verify on a real profile whose
// signer has expired: without a trust check the exit status is 0 (the
// signature is valid) with a warning about the expiry; with --ca the check
// fails with exit status 1.
func TestVerifyRealSignedProfile(t *testing.T) {
	data := readOrFail(t, realSigned)
	s, err := signing.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	expired := time.Now().After(s.Signer.NotAfter)

	r := runCLI(t, nil, nil, "verify", realSigned)
	if r.code != exitOK {
		t.Fatalf("verify: exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
	}
	wantSubstrings(t, "stdout", r.stdout,
		"Signature:     valid (the content is unmodified)",
		"Signer:        CN=encrypted-dns.brunch.io",
		"Issuer:        CN=E8,O=Let's Encrypt,C=US",
		"Not after:     2026-05-28 04:30:44 UTC",
		"Signer key:    ECDSA-P256",
		"Digest:        SHA-256",
		"Algorithm:     ECDSA-SHA256",
		"Signing time:  not recorded (no signingTime attribute)",
		"Embedded certificates (2):",
		"2. CN=E8,O=Let's Encrypt,C=US",
		"issued by CN=ISRG Root X1,O=Internet Security Research Group,C=US",
		"Chain:         not checked",
		`Content:       configuration profile "AdGuard DNS Default Encrypted DNS over HTTPS" (com.paulmillr.apple-dns), XML property list, 1903 bytes`,
		"Result:        OK",
	)
	if expired {
		wantSubstrings(t, "stdout", r.stdout, "(EXPIRED ")
		wantSubstrings(t, "stderr", r.stderr, "warning: Signer certificate expired on 2026-05-28 04:30:44 UTC", "devices treat the profile as unsigned")
	}

	// The ISRG root is not embedded; trust the embedded E8 intermediate.
	e8 := testpki.WritePEMCert(t, filepath.Join(t.TempDir(), "e8.pem"), s.Certificates[1])
	r = runCLI(t, nil, nil, "verify", realSigned, "--roots", e8)
	if !expired {
		if r.code != exitOK {
			t.Errorf("verify --ca E8 while the signer is valid: exit %d\n%s", r.code, r.stderr)
		}
		return
	}
	if r.code != exitError {
		t.Fatalf("verify --ca E8 after the signer expired: exit %d, want 1", r.code)
	}
	wantSubstrings(t, "stderr", r.stderr, "verification failed: signer certificate expired on 2026-05-28 04:30:44 UTC")
	wantSubstrings(t, "stdout", r.stdout, "Chain:         NOT TRUSTED: signer certificate expired", "Result:        FAILED")
}

func TestVerifyUsage(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"verify"}, exitUsage, "verify takes exactly one FILE"},
		{[]string{"verify", "a", "b"}, exitUsage, "verify takes exactly one FILE"},
		{[]string{"verify", realSigned, "--roots", "/nonexistent/root.pem"}, exitError, "--roots: cannot read /nonexistent/root.pem"},
		{[]string{"verify", "/nonexistent/profile.mobileconfig"}, exitError, "cannot read the input"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := runCLI(t, nil, nil, c.args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, c.code, r.stderr)
			}
			wantSubstrings(t, "stderr", r.stderr, c.want)
		})
	}
}

func TestVerifyStandardInput(t *testing.T) {
	r := runCLI(t, bytes.NewReader(readOrFail(t, realSigned)), nil, "verify", "-")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "standard input\n") {
		t.Errorf("verify -: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestOpenSSLInteropCLI checks the CLI's signatures against OpenSSL in both
// directions.
func TestOpenSSLInteropCLI(t *testing.T) {
	requireOpenSSLCLI(t)
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.ECDSAP256} {
		t.Run(kt.String(), func(t *testing.T) {
			f := newSignerFiles(t, kt, testpki.Options{})
			dir := f.dir
			plain := compileFixture(t, "psk-ondemand", filepath.Join(dir, "plain.mobileconfig"))

			t.Run("openssl verifies ours", func(t *testing.T) {
				compileFixture(t, "psk-ondemand", filepath.Join(dir, "ours.mobileconfig"), f.flags()...)
				runOpenSSL(t, dir, "cms", "-verify", "-inform", "DER", "-in", "ours.mobileconfig", "-CAfile", "root.pem", "-purpose", "any", "-out", "content.plist")
				if !bytes.Equal(readOrFail(t, filepath.Join(dir, "content.plist")), readOrFail(t, plain)) {
					t.Error("the content openssl extracted differs from the unsigned compile")
				}
			})
			t.Run("we verify openssl's", func(t *testing.T) {
				runOpenSSL(t, dir, "cms", "-sign", "-nodetach", "-binary", "-outform", "DER", "-md", "sha256",
					"-in", "plain.mobileconfig", "-signer", "signer.pem", "-inkey", "signer.key", "-certfile", "chain.pem", "-out", "theirs.mobileconfig")
				theirs := filepath.Join(dir, "theirs.mobileconfig")
				r := runCLI(t, nil, nil, "verify", theirs, "--roots", f.rootPEM)
				if r.code != exitOK {
					t.Fatalf("verify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
				wantSubstrings(t, "stdout", r.stdout, "Signer:        CN=Test Signer", "Digest:        SHA-256", "Chain:         trusted", "Result:        OK")
				out := filepath.Join(dir, "unsigned.mobileconfig")
				if r := runCLI(t, nil, nil, "unsign", theirs, "-o", out); r.code != exitOK || !bytes.Equal(readOrFail(t, out), readOrFail(t, plain)) {
					t.Errorf("unsign of openssl's profile: exit %d, content equal %v", r.code, r.code == exitOK && bytes.Equal(readOrFail(t, out), readOrFail(t, plain)))
				}
			})
		})
	}
}
