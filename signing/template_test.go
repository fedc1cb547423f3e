package signing

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/testpki"
	"github.com/smallstep/pkcs7"
)

// referenceSign is how Sign was implemented before the template: with
// github.com/smallstep/pkcs7. The template must give the same bytes.
func referenceSign(t testing.TB, content []byte, id *Identity) []byte {
	t.Helper()
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSignerChain(id.Certificate, id.PrivateKey, id.Chain, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// memoSigner signs each digest once and answers the same signature when
// asked again, so that randomized (ECDSA) signatures made by two
// implementations over the same signed attributes can be compared byte for
// byte. The signatures stay real and verifiable.
type memoSigner struct {
	key  crypto.Signer
	mu   sync.Mutex
	sigs map[string][]byte
}

func (m *memoSigner) Public() crypto.PublicKey { return m.key.Public() }

func (m *memoSigner) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if sig, ok := m.sigs[string(digest)]; ok {
		return sig, nil
	}
	sig, err := m.key.Sign(rand, digest, opts)
	if err == nil {
		m.sigs[string(digest)] = sig
	}
	return sig, err
}

// contentSizes cross every DER length-encoding boundary of the content and
// of the structures around it.
var contentSizes = []int{0, 1, 2, 100, 127, 128, 129, 255, 256, 257, 1000, 4096, 65535, 65536, 65537, 70000, 1 << 24}

func contentOfSize(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// TestTemplateMatchesPKCS7 signs the same contents with the same signing
// time through the template and through smallstep/pkcs7 and compares the
// bytes: RSA directly (RSA PKCS#1 v1.5 signatures are deterministic), ECDSA
// through memoSigner.
func TestTemplateMatchesPKCS7(t *testing.T) {
	fixture, err := os.ReadFile("../fixtures/full-featured/expected.mobileconfig")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		kt    testpki.KeyType
		chain int  // intermediates
		root  bool // the root at the end of the chain
		memo  bool
	}{
		{kt: testpki.RSA2048},
		{kt: testpki.RSA2048, chain: 1},
		{kt: testpki.RSA2048, chain: 2, root: true},
		{kt: testpki.RSA4096, chain: 1},
		{kt: testpki.ECDSAP256, memo: true},
		{kt: testpki.ECDSAP256, chain: 1, memo: true},
		{kt: testpki.ECDSAP384, chain: 1, root: true, memo: true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/chain-%d/root-%v", c.kt, c.chain, c.root), func(t *testing.T) {
			root := testpki.NewRoot(t, testpki.Options{KeyType: c.kt})
			issuer := root
			for range c.chain {
				issuer = issuer.NewIntermediate(t, testpki.Options{KeyType: c.kt})
			}
			leaf := issuer.NewLeaf(t, testpki.Options{KeyType: c.kt})
			id := identityOf(leaf)
			if c.root {
				id.Chain = append(id.Chain, root.Cert)
			}
			if c.memo {
				id.PrivateKey = &memoSigner{key: id.PrivateKey, sigs: map[string][]byte{}}
			}
			contents := [][]byte{fixture, sampleProfile}
			for _, n := range contentSizes {
				contents = append(contents, contentOfSize(n))
			}
			for _, content := range contents {
				want := referenceSign(t, content, id)
				ref, err := Parse(want)
				if err != nil || ref.SigningTime == nil {
					t.Fatalf("the reference output does not parse: %v", err)
				}
				got, err := signAt(content, id, *ref.SigningTime)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					i := 0
					for i < len(got) && i < len(want) && got[i] == want[i] {
						i++
					}
					t.Fatalf("content of %d bytes: the template's %d bytes differ from pkcs7's %d bytes from offset %d", len(content), len(got), len(want), i)
				}
				if !c.memo {
					// The same bytes through the public entry point.
					if _, err := Verify(got, VerifyOptions{Roots: root.Pool()}); err != nil {
						t.Fatalf("Verify: %v", err)
					}
				}
			}
		})
	}
}

// TestTemplateECDSAVerifies checks real (randomized) ECDSA signatures made by
// the template, for several curves and content sizes.
func TestTemplateECDSAVerifies(t *testing.T) {
	for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.ECDSAP384} {
		root := testpki.NewRoot(t, testpki.Options{KeyType: kt})
		leaf := root.NewIntermediate(t, testpki.Options{KeyType: kt}).NewLeaf(t, testpki.Options{KeyType: kt})
		id := identityOf(leaf)
		for _, n := range contentSizes[:len(contentSizes)-1] {
			content := contentOfSize(n)
			der, err := Sign(content, id)
			if err != nil {
				t.Fatal(err)
			}
			v, err := Verify(der, VerifyOptions{Roots: root.Pool()})
			if err != nil {
				t.Fatalf("%s, %d bytes: %v", kt, n, err)
			}
			if !v.SignatureValid || !v.ChainVerified || !bytes.Equal(v.Signed.Content, content) {
				t.Fatalf("%s, %d bytes: %+v", kt, n, v)
			}
			// The signature is over the signed attributes, which hold the
			// content's digest: check that it is the key's own.
			si := v.Signed.signers[0]
			sum := sha256.Sum256(si.signedAttrs)
			if !ecdsa.VerifyASN1(leaf.Cert.PublicKey.(*ecdsa.PublicKey), sum[:], si.signature) {
				t.Fatalf("%s, %d bytes: the ECDSA signature does not verify with the leaf's key", kt, n)
			}
		}
	}
}

// TestTemplateFollowsIdentityChanges checks that a prepared template is not
// used once the Identity's fields point elsewhere.
func TestTemplateFollowsIdentityChanges(t *testing.T) {
	root := testpki.NewRoot(t, testpki.Options{KeyType: testpki.ECDSAP256})
	inter := root.NewIntermediate(t, testpki.Options{KeyType: testpki.ECDSAP256})
	first := inter.NewLeaf(t, testpki.Options{KeyType: testpki.ECDSAP256})
	second := root.NewLeaf(t, testpki.Options{KeyType: testpki.RSA2048})
	id := identityOf(first)
	signer := func() *Signed {
		t.Helper()
		der, err := Sign(sampleProfile, id)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Parse(der)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := signer(); !s.Signer.Equal(first.Cert) || len(s.Certificates) != 2 {
		t.Fatalf("first signer: %v, %d certificates", s.Signer.Subject, len(s.Certificates))
	}
	id.Certificate, id.PrivateKey, id.Chain = second.Cert, second.Key, nil
	if s := signer(); !s.Signer.Equal(second.Cert) || len(s.Certificates) != 1 || s.SignatureAlgorithm != "SHA256-RSA" {
		t.Fatalf("after the change: %v, %d certificates, %s", s.Signer.Subject, len(s.Certificates), s.SignatureAlgorithm)
	}
	id.Chain = append(id.Chain, root.Cert)
	if s := signer(); len(s.Certificates) != 2 {
		t.Fatalf("after adding to the chain: %d certificates", len(s.Certificates))
	}
	// A broken chain is refused, also after a successful signature.
	id.Chain = []*x509.Certificate{second.Cert}
	_, err := Sign(sampleProfile, id)
	checkErr(t, err, nil, "the certificate chain is broken", "is not issued by")
}

// TestSignConcurrently signs with one Identity from many goroutines (run
// with -race).
func TestSignConcurrently(t *testing.T) {
	root := testpki.NewRoot(t, testpki.Options{KeyType: testpki.ECDSAP256})
	leaf := root.NewIntermediate(t, testpki.Options{KeyType: testpki.ECDSAP256}).NewLeaf(t, testpki.Options{KeyType: testpki.ECDSAP256})
	id := identityOf(leaf)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			content := contentOfSize(100 + i)
			der, err := Sign(content, id)
			if err == nil {
				_, err = Verify(der, VerifyOptions{Roots: root.Pool()})
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestAppendASN1TimeMatchesEncodingASN1(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	for _, tm := range []time.Time{
		time.Date(1949, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2000, 2, 29, 12, 30, 45, 0, time.UTC),
		time.Date(2026, 11, 26, 8, 5, 9, 123456789, time.UTC),
		time.Date(2050, 1, 1, 0, 30, 0, 0, paris), // 2049 in UTC
		time.Date(2049, 12, 31, 23, 59, 59, 500000000, time.UTC),
		time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		want, err := asn1.Marshal(tm.UTC())
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendASN1Time(nil, tm.UTC())
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%v: got %q (%v), want %q", tm, got, err, want)
		}
	}
	if _, err := appendASN1Time(nil, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("the year 10000 was encoded")
	}
}

// TestOpenSSLVerifiesManyTemplateSignatures has OpenSSL verify many profiles
// of varied sizes signed through one prepared template, RSA and ECDSA, each
// with an intermediate. bench verifies every profile of its signed batches
// the same way.
func TestOpenSSLVerifiesManyTemplateSignatures(t *testing.T) {
	requireOpenSSL(t)
	count := 60
	if testing.Short() {
		count = 10
	}
	fixture, err := os.ReadFile("../fixtures/full-featured/expected.mobileconfig")
	if err != nil {
		t.Fatal(err)
	}
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.ECDSAP256} {
		f := newPEMFixture(t, kt)
		id := identityOf(f.leaf)
		for i := range count {
			// A different profile each time: the fixture cut and extended.
			content := append(bytes.Clone(fixture[:len(fixture)*(i+1)/count]), contentOfSize(i*37)...)
			der, err := Sign(content, id)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("p%d.der", i)
			writeFile(t, f.dir, name, der)
			mustOpenSSL(t, f.dir, "cms", "-verify", "-binary", "-inform", "DER", "-in", name,
				"-CAfile", "root.pem", "-purpose", "any", "-out", name+".out")
			if got := readFile(t, filepath.Join(f.dir, name+".out")); !bytes.Equal(got, content) {
				t.Fatalf("%s profile %d: openssl extracted %d bytes that differ from the %d signed", kt, i, len(got), len(content))
			}
		}
	}
}
