package signing

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/smallstep/pkcs7"
)

func TestSignRoundTrip(t *testing.T) {
	cases := []struct {
		kt           testpki.KeyType
		intermediate bool
		sigAlg       string
	}{
		{testpki.RSA2048, false, "SHA256-RSA"},
		{testpki.RSA2048, true, "SHA256-RSA"},
		{testpki.ECDSAP256, false, "ECDSA-SHA256"},
		{testpki.ECDSAP256, true, "ECDSA-SHA256"},
		{testpki.ECDSAP384, false, "ECDSA-SHA256"},
		{testpki.ECDSAP384, true, "ECDSA-SHA256"},
	}
	for _, c := range cases {
		name := c.kt.String()
		if c.intermediate {
			name += "/intermediate"
		}
		t.Run(name, func(t *testing.T) {
			root := testpki.NewRoot(t, testpki.Options{KeyType: c.kt})
			issuer := root
			if c.intermediate {
				issuer = root.NewIntermediate(t, testpki.Options{KeyType: c.kt})
			}
			leaf := issuer.NewLeaf(t, testpki.Options{KeyType: c.kt})
			before := time.Now().Add(-time.Second)

			der, err := Sign(sampleProfile, identityOf(leaf))
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if !IsCMS(der) {
				t.Error("IsCMS(signed) = false")
			}

			s, err := Parse(der)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !bytes.Equal(s.Content, sampleProfile) {
				t.Error("parsed content differs from the signed content")
			}
			wantCerts := 1 + len(leaf.Chain)
			if len(s.Certificates) != wantCerts {
				t.Errorf("%d certificates embedded, want %d", len(s.Certificates), wantCerts)
			}
			if s.Signer == nil || !s.Signer.Equal(leaf.Cert) {
				t.Errorf("Signer = %v, want the leaf", s.Signer)
			}
			if s.DigestAlgorithm != "SHA-256" || s.SignatureAlgorithm != c.sigAlg || s.Version != 1 {
				t.Errorf("digest %q, signature %q, version %d; want SHA-256, %s, 1", s.DigestAlgorithm, s.SignatureAlgorithm, s.Version, c.sigAlg)
			}
			if s.SigningTime == nil || s.SigningTime.Before(before.Truncate(time.Second)) || s.SigningTime.After(time.Now()) {
				t.Errorf("SigningTime = %v, want about now", s.SigningTime)
			}

			v, err := Verify(der, VerifyOptions{Roots: root.Pool()})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !v.SignatureValid || !v.ChainVerified || len(v.Chains) == 0 || len(v.Warnings) != 0 {
				t.Fatalf("Verify = %+v", v)
			}
			if got := len(v.Chains[0]); got != wantCerts+1 {
				t.Errorf("chain length %d, want %d", got, wantCerts+1)
			}

			unsigned, err := Unsign(der)
			if err != nil || !bytes.Equal(unsigned, sampleProfile) {
				t.Errorf("Unsign = %d bytes, %v; want the original content", len(unsigned), err)
			}

			// The library we sign with must accept the result too.
			p7, err := pkcs7.Parse(der)
			if err != nil {
				t.Fatalf("pkcs7.Parse: %v", err)
			}
			if err := p7.VerifyWithChain(root.Pool()); err != nil {
				t.Errorf("pkcs7 VerifyWithChain: %v", err)
			}
		})
	}
}

func TestSignRejectsMismatchedKey(t *testing.T) {
	root := testpki.NewRoot(t, testpki.Options{KeyType: testpki.ECDSAP256})
	leaf := root.NewLeaf(t, testpki.Options{KeyType: testpki.ECDSAP256})
	id := identityOf(leaf)
	id.PrivateKey = testpki.Key(t, testpki.ECDSAP256, 3)
	_, err := Sign(sampleProfile, id)
	checkErr(t, err, nil, "private key does not match the signer certificate")
}

// signedFixture signs sampleProfile with an ECDSA leaf under an intermediate.
func signedFixture(t *testing.T) (der []byte, root *testpki.CA, leaf *testpki.Leaf) {
	t.Helper()
	root = testpki.NewRoot(t, testpki.Options{KeyType: testpki.ECDSAP256})
	leaf = root.NewIntermediate(t, testpki.Options{KeyType: testpki.ECDSAP256}).NewLeaf(t, testpki.Options{KeyType: testpki.RSA2048})
	der, err := Sign(sampleProfile, identityOf(leaf))
	if err != nil {
		t.Fatal(err)
	}
	return der, root, leaf
}

func TestVerifyFailures(t *testing.T) {
	der, root, leaf := signedFixture(t)
	s, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(needle []byte) []byte {
		i := bytes.Index(der, needle)
		if i < 0 {
			t.Fatal("needle not found in the signed data")
		}
		out := bytes.Clone(der)
		out[i+len(needle)/2] ^= 0x01
		return out
	}
	otherRoot := testpki.NewRoot(t, testpki.Options{KeyType: testpki.ECDSAP384, CommonName: "Other Root"})

	cases := []struct {
		name      string
		data      []byte
		opts      VerifyOptions
		want      error
		msgs      []string
		signature bool // whether SignatureValid should be true
	}{
		{"tampered content", flip([]byte("Straße")), VerifyOptions{}, ErrContentModified,
			[]string{"content does not match the signed digest (the profile was modified after signing)"}, false},
		{"tampered signature", flip(s.signers[0].signature), VerifyOptions{}, ErrBadSignature,
			[]string{"signature does not verify with the signer's public key"}, false},
		{"wrong CA", der, VerifyOptions{Roots: otherRoot.Pool()}, ErrUntrusted,
			[]string{"signer certificate does not chain to the given CA: x509: certificate signed by unknown authority"}, true},
		{"system roots", der, VerifyOptions{SystemRoots: true}, ErrUntrusted,
			[]string{"signer certificate does not chain to a root trusted by the system: x509: "}, true},
		{"given CA and system roots", der, VerifyOptions{Roots: otherRoot.Pool(), SystemRoots: true}, ErrUntrusted,
			[]string{"does not chain to the given CA", "; signer certificate does not chain to a root trusted by the system"}, true},
		{"expired signer", der, VerifyOptions{Roots: root.Pool(), Now: leaf.Cert.NotAfter.Add(time.Hour)}, ErrSignerExpired,
			[]string{"signer certificate expired on " + leaf.Cert.NotAfter.UTC().Format("2006-01-02 15:04:05 UTC")}, true},
		{"not yet valid signer", der, VerifyOptions{Roots: root.Pool(), Now: leaf.Cert.NotBefore.Add(-time.Hour)}, ErrSignerExpired,
			[]string{"signer certificate is not valid until"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := Verify(c.data, c.opts)
			checkErr(t, err, c.want, c.msgs...)
			if v == nil {
				t.Fatal("Verify returned no Verification")
			}
			if v.SignatureValid != c.signature || v.ChainVerified {
				t.Errorf("SignatureValid = %v, ChainVerified = %v; want %v, false", v.SignatureValid, v.ChainVerified, c.signature)
			}
		})
	}
}

func TestVerifyWithoutRootsWarnsAboutExpiry(t *testing.T) {
	der, _, leaf := signedFixture(t)
	v, err := Verify(der, VerifyOptions{Now: leaf.Cert.NotAfter.Add(time.Hour)})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if !v.SignatureValid || v.ChainVerified {
		t.Errorf("SignatureValid = %v, ChainVerified = %v", v.SignatureValid, v.ChainVerified)
	}
	if len(v.Warnings) != 1 || v.Warnings[0].Code != "signer-not-valid" || !strings.Contains(v.Warnings[0].Message, "Signer certificate expired on") {
		t.Errorf("Warnings = %v", v.Warnings)
	}
}

func TestNotSignedData(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		msg  string
	}{
		{"plist", sampleProfile, "the data is a plist, not CMS (it is neither signed nor encrypted)"},
		{"binary plist", []byte("bplist00\xd1\x01\x02"), "the data is a plist, not CMS"},
		{"garbage", []byte("\x04\x02hi"), "not a valid CMS structure"},
		{"empty", nil, "the data is empty"},
		{"truncated", []byte{0x30, 0x82, 0x10}, "not a valid CMS structure"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if IsCMS(c.data) {
				t.Error("IsCMS = true")
			}
			_, err := Parse(c.data)
			checkErr(t, err, nil, c.msg)
			_, err = Unsign(c.data)
			checkErr(t, err, nil, c.msg)
		})
	}
}

func TestParseRejectsEnvelopedData(t *testing.T) {
	leaf := testpki.NewRoot(t, testpki.Options{}).NewLeaf(t, testpki.Options{})
	env, err := Encrypt(sampleProfile, leaf.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if !IsCMS(env) {
		t.Error("IsCMS(EnvelopedData) = false")
	}
	_, err = Parse(env)
	checkErr(t, err, nil, "EnvelopedData (encrypted), not SignedData")
}

// TestParseIndefiniteLength re-encodes a signed profile with indefinite
// lengths everywhere and the content split into chunks, as streaming
// encoders write it, and checks that it still parses and verifies.
func TestParseIndefiniteLength(t *testing.T) {
	der, root, _ := signedFixture(t)
	ber := toIndefinite(t, der, 16)
	if bytes.Equal(ber, der) || ber[1] != 0x80 {
		t.Fatal("the BER re-encoding did not change anything")
	}
	back, err := berToDER(ber)
	if err != nil {
		t.Fatalf("berToDER: %v", err)
	}
	if !bytes.Equal(back, der) {
		t.Error("berToDER(BER) differs from the original DER")
	}
	if !IsCMS(ber) {
		t.Error("IsCMS(BER) = false")
	}
	v, err := Verify(ber, VerifyOptions{Roots: root.Pool()})
	if err != nil || !v.ChainVerified {
		t.Fatalf("Verify(BER): %v", err)
	}
	if !bytes.Equal(v.Signed.Content, sampleProfile) {
		t.Error("content from BER differs")
	}
}

// toIndefinite rewrites DER so that every constructed element has an
// indefinite length and every OCTET STRING longer than chunk is split into
// a constructed OCTET STRING of chunk-sized pieces.
func toIndefinite(t *testing.T, der []byte, chunk int) []byte {
	t.Helper()
	var out bytes.Buffer
	for len(der) > 0 {
		h, err := readBERHeader(der)
		if err != nil {
			t.Fatal(err)
		}
		body := der[h.size : h.size+h.length]
		switch {
		case h.constructed:
			out.Write(h.tag)
			out.WriteByte(0x80)
			out.Write(toIndefinite(t, body, chunk))
			out.Write([]byte{0, 0})
		case len(h.tag) == 1 && h.tag[0] == 0x04 && len(body) > chunk:
			out.Write([]byte{0x24, 0x80})
			for b := body; len(b) > 0; {
				n := min(chunk, len(b))
				writeDERHeader(&out, []byte{0x04}, n)
				out.Write(b[:n])
				b = b[n:]
			}
			out.Write([]byte{0, 0})
		default:
			out.Write(der[:h.size+h.length])
		}
		der = der[h.size+h.length:]
	}
	return out.Bytes()
}

// TestParseHostileInput checks that truncated and corrupted input gives
// errors, not panics.
// TestParseHostileInput feeds truncated and bit-flipped signatures to every
// entry point. None may panic, no truncated signature may verify, and a
// flipped bit that still verifies must leave what is accepted unchanged:
// the same content from the same signer (a flip in an unsigned field, such
// as the outer digest algorithm list, may be harmless).
func TestParseHostileInput(t *testing.T) {
	der, root, leaf := signedFixture(t)
	check := func(name string, in []byte, mayVerify bool) {
		t.Helper()
		Parse(in)
		Decrypt(in, leaf.Cert, leaf.Key)
		IsCMS(in)
		v, err := Verify(in, VerifyOptions{Roots: root.Pool()})
		if err != nil {
			return
		}
		switch {
		case !mayVerify:
			t.Errorf("%s: verifies", name)
		case !v.SignatureValid || !v.ChainVerified:
			t.Errorf("%s: no error, but signature valid %v, chain verified %v", name, v.SignatureValid, v.ChainVerified)
		case !bytes.Equal(v.Signed.Content, sampleProfile):
			t.Errorf("%s: verifies with other content: %q", name, v.Signed.Content)
		case v.Signed.Signer == nil || !v.Signed.Signer.Equal(leaf.Cert):
			t.Errorf("%s: verifies with another signer", name)
		}
	}
	check("indefinite lengths", toIndefinite(t, der, 64), true)
	flipped, accepted := 0, 0
	for i := 0; i < len(der); i += 7 {
		check(fmt.Sprintf("first %d bytes", i), der[:i], false)
		b := bytes.Clone(der)
		b[i] ^= 0xff
		check(fmt.Sprintf("byte %d flipped", i), b, true)
		flipped++
		if _, err := Verify(b, VerifyOptions{Roots: root.Pool()}); err == nil {
			accepted++
		}
	}
	// The signed attributes, the content, the signature and the certificates
	// make up nearly all of the structure: a flip there must be caught.
	if accepted*10 > flipped {
		t.Errorf("%d of %d bit flips still verify", accepted, flipped)
	}
	deep := bytes.Repeat([]byte{0x30, 0x80}, 200)
	if _, err := Parse(deep); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("deeply nested input: %v", err)
	}
}

func TestVerifyChainIgnoresExtKeyUsage(t *testing.T) {
	// Profile signers are often TLS server certificates.
	root := testpki.NewRoot(t, testpki.Options{KeyType: testpki.ECDSAP256})
	leaf := root.NewLeaf(t, testpki.Options{KeyType: testpki.ECDSAP256, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	der, err := Sign(sampleProfile, identityOf(leaf))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(der, VerifyOptions{Roots: root.Pool()}); err != nil {
		t.Errorf("Verify: %v", err)
	}
}
