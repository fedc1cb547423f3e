package signing

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"software.sslmate.com/src/go-pkcs12"
)

// Identity is a signer: a certificate, its private key and the intermediate
// certificates that link it to a root.
type Identity struct {
	// Certificate is the signer (leaf) certificate.
	Certificate *x509.Certificate
	// PrivateKey is the key of Certificate.
	PrivateKey crypto.Signer
	// Chain holds the intermediates in order: Chain[0] issued Certificate,
	// Chain[1] issued Chain[0], and so on. A root at the end is allowed.
	Chain []*x509.Certificate

	// prepared is what Sign prepares once for this signer.
	prepared atomic.Pointer[signTemplate]
}

// expiryWarning is how far ahead CheckIdentity warns about expiry.
const expiryWarning = 30 * 24 * time.Hour

// LoadPEMIdentity builds an Identity from a certificate file and a key file.
// certData is PEM (the signer first, any further certificates become the
// chain) or a DER certificate; keyData is anything ParsePrivateKey reads.
// If a later certificate rather than the first matches the key, it is taken
// as the signer. The chain is put in issuing order where the certificates
// allow it.
func LoadPEMIdentity(certData, keyData, password []byte) (*Identity, error) {
	certs, err := ParseCertificates(certData)
	if err != nil {
		return nil, fmt.Errorf("reading the signer certificate: %w", err)
	}
	key, err := ParsePrivateKey(keyData, password)
	if err != nil {
		return nil, fmt.Errorf("signer %w", err) // "signer private key (...): ..."
	}
	return newIdentity(key, certs), nil
}

// LoadPKCS12Identity reads a PKCS#12 (.p12/.pfx) file holding a private key,
// its certificate and optionally the chain. Both the legacy encoding
// (RC2/3DES, SHA-1 MAC; "openssl pkcs12 -legacy") and the modern one
// (PBES2/AES-256, SHA-256 MAC; OpenSSL 3's default) are read. An empty
// password that does not open the file gives an error wrapping
// ErrPasswordRequired; a wrong one an error wrapping ErrIncorrectPassword.
func LoadPKCS12Identity(data []byte, password string) (*Identity, error) {
	key, cert, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, pkcs12Error(err, password)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("reading PKCS#12: a %T cannot sign; use an RSA or ECDSA key", key)
	}
	return newIdentity(signer, append([]*x509.Certificate{cert}, cas...)), nil
}

// pkcs12Error turns a go-pkcs12 error into one of ours.
func pkcs12Error(err error, password string) error {
	if errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, pkcs12.ErrDecryption) {
		if password == "" {
			return fmt.Errorf("reading PKCS#12: %w", ErrPasswordRequired)
		}
		return fmt.Errorf("reading PKCS#12: %w", ErrIncorrectPassword)
	}
	return fmt.Errorf("reading PKCS#12: %v", err)
}

// ReencodePKCS12ForDevice decodes a PKCS#12 file in any encoding that
// LoadPKCS12Identity reads and encodes its key, certificate and chain again
// with 3DES encryption and a SHA-1 MAC (go-pkcs12's LegacyDES, the same as
// "openssl pkcs12 -export -legacy -descert"), the only form iOS imports
// reliably. The password stays the same. It also returns the leaf
// certificate, whose subject names the identity on the device.
func ReencodePKCS12ForDevice(data []byte, password string) ([]byte, *x509.Certificate, error) {
	id, err := LoadPKCS12Identity(data, password)
	if err != nil {
		return nil, nil, err
	}
	// The salts and IV come from a stream keyed by the input, so the same
	// container and password always give the same bytes: compiled profiles
	// stay byte-for-byte reproducible. Salts need to be unique, not secret,
	// and equal outputs only ever reveal equal inputs.
	out, err := pkcs12.LegacyDES.WithRand(deterministicStream(data, password)).Encode(id.PrivateKey, id.Certificate, id.Chain, password)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding PKCS#12 for the device: %v", err)
	}
	return out, id.Certificate, nil
}

// newIdentity picks the certificate that matches key as the signer (the
// first one if none does, so that CheckIdentity reports the mismatch) and
// orders the others into a chain.
func newIdentity(key crypto.Signer, certs []*x509.Certificate) *Identity {
	leaf := 0
	for i, c := range certs {
		if publicKeysEqual(key.Public(), c.PublicKey) {
			leaf = i
			break
		}
	}
	others := make([]*x509.Certificate, 0, len(certs)-1)
	for i, c := range certs {
		if i != leaf && !bytes.Equal(c.Raw, certs[leaf].Raw) {
			others = append(others, c)
		}
	}
	return &Identity{Certificate: certs[leaf], PrivateKey: key, Chain: orderChain(certs[leaf], others)}
}

// orderChain returns certs reordered so that each one issued the one before
// it, starting from leaf. Certificates that do not fit stay at the end, in
// their original order, for CheckIdentity to report.
func orderChain(leaf *x509.Certificate, certs []*x509.Certificate) []*x509.Certificate {
	rest := append([]*x509.Certificate(nil), certs...)
	var out []*x509.Certificate
	for cur := leaf; ; {
		next := -1
		for i, c := range rest {
			if cur.CheckSignatureFrom(c) == nil {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		cur = rest[next]
		out = append(out, cur)
		rest = append(rest[:next], rest[next+1:]...)
	}
	return append(out, rest...)
}

// publicKeysEqual reports whether two public keys are the same.
func publicKeysEqual(a, b crypto.PublicKey) bool {
	ak, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ak.Equal(b)
}

// CheckIdentity checks that id can sign profiles that devices will accept,
// at the time now: the key matches the certificate; the certificate and the
// chain are within their validity periods; a Key Usage extension, if
// present, allows digitalSignature; each Chain[i] issued the certificate
// before it; and the key is RSA with 2048 to 4096 bits or ECDSA on P-256 or
// P-384. All problems found are returned together in one error. A
// certificate that expires within 30 days gives a warning with code
// "signer-expires-soon" instead.
func CheckIdentity(id *Identity, now time.Time) (diag.List, error) {
	if id == nil || id.Certificate == nil {
		return nil, errors.New("no signer certificate")
	}
	if id.PrivateKey == nil {
		return nil, errors.New("no signer private key")
	}
	var warnings diag.List
	var errs []error
	leaf := id.Certificate
	name := fmt.Sprintf("%q", leaf.Subject.String())

	if !publicKeysEqual(id.PrivateKey.Public(), leaf.PublicKey) {
		errs = append(errs, fmt.Errorf("the private key does not match the signer certificate %s", name))
	}
	if err := checkKey(leaf.PublicKey); err != nil {
		errs = append(errs, fmt.Errorf("signer certificate %s: %v", name, err))
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		errs = append(errs, fmt.Errorf("signer certificate %s has a Key Usage extension without digitalSignature, so it may not sign profiles", name))
	}
	checkDates := func(what string, c *x509.Certificate) {
		n := fmt.Sprintf("%q", c.Subject.String())
		switch {
		case now.After(c.NotAfter):
			errs = append(errs, fmt.Errorf("%s %s expired on %s", what, n, formatDate(c.NotAfter)))
		case now.Before(c.NotBefore):
			errs = append(errs, fmt.Errorf("%s %s is not valid until %s", what, n, formatDate(c.NotBefore)))
		case c.NotAfter.Sub(now) < expiryWarning:
			days := int(c.NotAfter.Sub(now).Hours() / 24)
			warnings.Warnf("signer-expires-soon", "", "The %s %s expires on %s (in %d days); after that, devices treat profiles signed with it as unsigned.", what, n, formatDate(c.NotAfter), days)
		}
	}
	checkDates("signer certificate", leaf)

	prev := leaf
	for _, c := range id.Chain {
		if err := prev.CheckSignatureFrom(c); err != nil {
			errs = append(errs, fmt.Errorf("the certificate chain is broken: %q is not issued by %q, the next certificate in the chain (%v); list the intermediates in order from the signer towards the root", prev.Subject.String(), c.Subject.String(), err))
		}
		checkDates("chain certificate", c)
		prev = c
	}
	return warnings, errors.Join(errs...)
}

// checkKey accepts the key types and sizes that Apple devices and this
// package support for signing.
func checkKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < 2048 || bits > 4096 {
			return fmt.Errorf("the RSA key has %d bits; use 2048 to 4096 bits", bits)
		}
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() && k.Curve != elliptic.P384() {
			return fmt.Errorf("the ECDSA key is on curve %s; use P-256 or P-384", k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
		return errors.New("Ed25519 keys cannot sign profiles; use RSA (2048 to 4096 bits) or ECDSA (P-256 or P-384)")
	default:
		return fmt.Errorf("a %T key cannot sign profiles; use RSA (2048 to 4096 bits) or ECDSA (P-256 or P-384)", pub)
	}
	return nil
}

// deterministicStream returns an AES-CTR keystream whose key is a hash of the
// inputs: unpredictable without them, identical for identical inputs.
func deterministicStream(data []byte, password string) io.Reader {
	h := sha256.New()
	h.Write([]byte("graph2mobileconfig PKCS#12 re-encoding v1\x00"))
	h.Write(data)
	h.Write([]byte{0})
	h.Write([]byte(password))
	block, err := aes.NewCipher(h.Sum(nil))
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	return cipher.StreamReader{S: cipher.NewCTR(block, make([]byte, aes.BlockSize)), R: zeroReader{}}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
