// Package testpki makes certificate authorities, signer certificates and
// key files for tests.
//
// A typical test builds a root, optionally an intermediate, and a leaf:
//
//	root := testpki.NewRoot(t, testpki.Options{})
//	inter := root.NewIntermediate(t, testpki.Options{})
//	leaf := inter.NewLeaf(t, testpki.Options{KeyType: testpki.ECDSAP256})
//	// leaf.Cert, leaf.Key, leaf.Chain (= [inter.Cert]), root.Pool()
//
// Private keys are generated once per test binary and reused (see Key), so
// building many certificates is cheap; certificates themselves are new on
// every call, valid from an hour ago for a year unless Options say
// otherwise.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"
)

// KeyType selects the algorithm and size of a generated key.
type KeyType int

// The key types. RSA1024, ECDSAP521 and Ed25519 exist for tests of
// rejected keys.
const (
	RSA2048 KeyType = iota
	RSA3072
	RSA4096
	RSA1024
	ECDSAP256
	ECDSAP384
	ECDSAP521
	Ed25519
	numKeyTypes
)

// String returns a name such as "RSA-2048" or "ECDSA-P256".
func (k KeyType) String() string {
	switch k {
	case RSA2048, RSA3072, RSA4096, RSA1024:
		return fmt.Sprintf("RSA-%d", k.rsaBits())
	case ECDSAP256:
		return "ECDSA-P256"
	case ECDSAP384:
		return "ECDSA-P384"
	case ECDSAP521:
		return "ECDSA-P521"
	case Ed25519:
		return "Ed25519"
	}
	return fmt.Sprintf("KeyType(%d)", int(k))
}

func (k KeyType) rsaBits() int {
	switch k {
	case RSA1024:
		return 1024
	case RSA2048:
		return 2048
	case RSA3072:
		return 3072
	case RSA4096:
		return 4096
	}
	return 0
}

// NumKeySlots is the number of distinct cached keys per key type.
const NumKeySlots = 8

// Default key slots of the certificate roles, so that a root, an
// intermediate and a leaf of the same key type have different keys.
const (
	rootSlot         = 0
	intermediateSlot = 1
	leafSlot         = 2
)

// keyCache holds the keys generated so far, one per (KeyType, slot), for the
// life of the test binary. It is this package's only mutable state, and it
// exists because generating RSA keys (4096-bit ones above all) is slow while
// tests need many certificates but few distinct keys. Each entry is written
// once, under its sync.Once, and never changed afterwards, so concurrent
// (parallel) tests may share it.
var keyCache [numKeyTypes][NumKeySlots]struct {
	once sync.Once
	key  crypto.Signer
	err  error
}

// Key returns the cached private key of type kt in slot (0 to
// NumKeySlots-1), generating it on first use. The same (kt, slot) always
// gives the same key within a test binary; different slots give different
// keys. Slots 0, 1 and 2 are the defaults of roots, intermediates and
// leaves; use 3 and up for a key that no default certificate has.
func Key(tb testing.TB, kt KeyType, slot int) crypto.Signer {
	tb.Helper()
	if kt < 0 || kt >= numKeyTypes || slot < 0 || slot >= NumKeySlots {
		tb.Fatalf("testpki.Key: no key type %d, slot %d", kt, slot)
	}
	e := &keyCache[kt][slot]
	e.once.Do(func() { e.key, e.err = generateKey(kt) })
	if e.err != nil {
		tb.Fatalf("testpki: generating %s key: %v", kt, e.err)
	}
	return e.key
}

func generateKey(kt KeyType) (crypto.Signer, error) {
	switch kt {
	case RSA1024, RSA2048, RSA3072, RSA4096:
		return rsa.GenerateKey(rand.Reader, kt.rsaBits())
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case ECDSAP521:
		return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case Ed25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("unknown key type %d", kt)
}

// Options describe a certificate to make. The zero value gives an RSA-2048
// certificate valid from an hour ago, for ten years (CAs) or one year
// (leaves), with the usual key usages.
type Options struct {
	// CommonName is the subject CN; the default names the role ("Test Root
	// CA", "Test Intermediate CA", "Test Signer").
	CommonName string
	// KeyType is used when Key is nil, with the role's default slot.
	KeyType KeyType
	// Key overrides KeyType, for example Key(tb, RSA2048, 5) for a key that
	// no other certificate uses.
	Key crypto.Signer
	// NotBefore and NotAfter override the validity period.
	NotBefore, NotAfter time.Time
	// KeyUsage overrides the key usage: CertSign|CRLSign for CAs,
	// DigitalSignature for leaves.
	KeyUsage x509.KeyUsage
	// OmitKeyUsage leaves the Key Usage extension out altogether.
	OmitKeyUsage bool
	// ExtKeyUsage sets extended key usages; leaves have none by default.
	ExtKeyUsage []x509.ExtKeyUsage
}

// CA is a certificate authority that can issue certificates.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// Chain holds the intermediates from this CA up to, not including, the
	// root: empty for a root, [Cert] for an intermediate issued by a root.
	Chain []*x509.Certificate
}

// Leaf is an end-entity (signer or device) certificate with its key.
type Leaf struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// Chain holds the intermediates that link Cert to the root, in order,
	// without the root: what a signer embeds.
	Chain []*x509.Certificate
}

// NewRoot makes a self-signed root CA.
func NewRoot(tb testing.TB, opts Options) *CA {
	tb.Helper()
	key := opts.key(tb, rootSlot)
	tmpl := opts.template(tb, "Test Root CA", true)
	cert := create(tb, tmpl, tmpl, key.Public(), key)
	return &CA{Cert: cert, Key: key}
}

// NewIntermediate makes an intermediate CA issued by ca.
func (ca *CA) NewIntermediate(tb testing.TB, opts Options) *CA {
	tb.Helper()
	key := opts.key(tb, intermediateSlot)
	cert := create(tb, opts.template(tb, "Test Intermediate CA", true), ca.Cert, key.Public(), ca.Key)
	return &CA{Cert: cert, Key: key, Chain: append([]*x509.Certificate{cert}, ca.Chain...)}
}

// NewLeaf makes an end-entity certificate issued by ca.
func (ca *CA) NewLeaf(tb testing.TB, opts Options) *Leaf {
	tb.Helper()
	key := opts.key(tb, leafSlot)
	tmpl := opts.template(tb, "Test Signer", false)
	// Go adds a subject key identifier only to CAs; real leaves have one,
	// and "openssl cms -keyid" needs it.
	spki, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		tb.Fatalf("testpki: %v", err)
	}
	ski := sha256.Sum256(spki)
	tmpl.SubjectKeyId = ski[:20]
	cert := create(tb, tmpl, ca.Cert, key.Public(), ca.Key)
	return &Leaf{Cert: cert, Key: key, Chain: append([]*x509.Certificate(nil), ca.Chain...)}
}

// Pool returns a pool holding only ca's certificate, for use as trusted
// roots.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

func (o Options) key(tb testing.TB, slot int) crypto.Signer {
	tb.Helper()
	if o.Key != nil {
		return o.Key
	}
	return Key(tb, o.KeyType, slot)
}

func (o Options) template(tb testing.TB, defaultCN string, isCA bool) *x509.Certificate {
	tb.Helper()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		tb.Fatalf("testpki: serial number: %v", err)
	}
	now := time.Now()
	t := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: o.CommonName, Organization: []string{"graph2mobileconfig tests"}},
		NotBefore:    o.NotBefore,
		NotAfter:     o.NotAfter,
		KeyUsage:     o.KeyUsage,
		ExtKeyUsage:  o.ExtKeyUsage,
	}
	if t.Subject.CommonName == "" {
		t.Subject.CommonName = defaultCN
	}
	if t.NotBefore.IsZero() {
		t.NotBefore = now.Add(-time.Hour)
	}
	if t.NotAfter.IsZero() {
		t.NotAfter = now.AddDate(1, 0, 0)
		if isCA {
			t.NotAfter = now.AddDate(10, 0, 0)
		}
	}
	if isCA {
		t.IsCA = true
		t.BasicConstraintsValid = true
	}
	if t.KeyUsage == 0 {
		t.KeyUsage = x509.KeyUsageDigitalSignature
		if isCA {
			t.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		}
	}
	if o.OmitKeyUsage {
		t.KeyUsage = 0
	}
	return t
}

func create(tb testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	tb.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		tb.Fatalf("testpki: creating certificate %q: %v", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatalf("testpki: parsing certificate %q: %v", tmpl.Subject.CommonName, err)
	}
	return cert
}
