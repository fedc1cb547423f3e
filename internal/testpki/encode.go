package testpki

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"os"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

// KeyFormat selects how EncodePEMKey writes a private key.
type KeyFormat int

// The key formats.
const (
	// PKCS8 is "PRIVATE KEY", for any key type.
	PKCS8 KeyFormat = iota
	// PKCS1 is "RSA PRIVATE KEY", RSA only.
	PKCS1
	// SEC1 is "EC PRIVATE KEY", ECDSA only.
	SEC1
	// EncryptedLegacy is PKCS#1 or SEC1 with OpenSSL's legacy PEM
	// encryption ("Proc-Type: 4,ENCRYPTED", AES-256-CBC).
	EncryptedLegacy
	// EncryptedPKCS8 is "ENCRYPTED PRIVATE KEY" with PBES2,
	// PBKDF2-HMAC-SHA256 (2048 iterations) and AES-256-CBC, like OpenSSL 3's
	// "openssl pkcs8 -topk8 -v2 aes-256-cbc".
	EncryptedPKCS8
)

// EncodePEMCerts returns certs as concatenated PEM CERTIFICATE blocks.
func EncodePEMCerts(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

// EncodePEMKey returns key in PEM, in the given format. password is used by
// the encrypted formats only.
func EncodePEMKey(tb testing.TB, key crypto.Signer, format KeyFormat, password []byte) []byte {
	tb.Helper()
	var block *pem.Block
	var err error
	switch format {
	case PKCS8, EncryptedPKCS8:
		var der []byte
		if der, err = x509.MarshalPKCS8PrivateKey(key); err != nil {
			break
		}
		block = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
		if format == EncryptedPKCS8 {
			block, err = encryptPKCS8(der, password)
		}
	case PKCS1, SEC1, EncryptedLegacy:
		if block, err = traditionalBlock(key, format); err != nil {
			break
		}
		if format == EncryptedLegacy {
			//lint:ignore SA1019 tests need legacy encrypted PEM files to read.
			block, err = x509.EncryptPEMBlock(rand.Reader, block.Type, block.Bytes, password, x509.PEMCipherAES256)
		}
	default:
		err = fmt.Errorf("unknown key format %d", format)
	}
	if err != nil {
		tb.Fatalf("testpki: encoding %T key: %v", key, err)
	}
	return pem.EncodeToMemory(block)
}

// traditionalBlock returns the PKCS#1 or SEC1 block of key.
func traditionalBlock(key crypto.Signer, format KeyFormat) (*pem.Block, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if format == SEC1 {
			return nil, fmt.Errorf("SEC1 holds EC keys only")
		}
		return &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}, nil
	case *ecdsa.PrivateKey:
		if format == PKCS1 {
			return nil, fmt.Errorf("PKCS#1 holds RSA keys only")
		}
		der, err := x509.MarshalECPrivateKey(k)
		return &pem.Block{Type: "EC PRIVATE KEY", Bytes: der}, err
	}
	return nil, fmt.Errorf("no traditional PEM form for %T", key)
}

// encryptPKCS8 wraps a PKCS#8 PrivateKeyInfo in PBES2 (RFC 8018).
func encryptPKCS8(der, password []byte) (*pem.Block, error) {
	salt := make([]byte, 16)
	iv := make([]byte, aes.BlockSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	if _, err := rand.Read(iv); err != nil {
		return nil, err
	}
	const iterations = 2048
	key, err := pbkdf2.Key(sha256.New, string(password), salt, iterations, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	n := aes.BlockSize - len(der)%aes.BlockSize
	plain := append(append([]byte(nil), der...), bytes.Repeat([]byte{byte(n)}, n)...)
	encrypted := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(encrypted, plain)

	type pbkdf2Params struct {
		Salt       []byte
		Iterations int
		PRF        pkix.AlgorithmIdentifier
	}
	kdfParams, err := asn1.Marshal(pbkdf2Params{salt, iterations, pkix.AlgorithmIdentifier{
		Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}, Parameters: asn1.NullRawValue}})
	if err != nil {
		return nil, err
	}
	ivDER, err := asn1.Marshal(iv)
	if err != nil {
		return nil, err
	}
	pbes2Params, err := asn1.Marshal(struct{ KDF, Enc pkix.AlgorithmIdentifier }{
		pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}, Parameters: asn1.RawValue{FullBytes: kdfParams}},
		pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}, Parameters: asn1.RawValue{FullBytes: ivDER}},
	})
	if err != nil {
		return nil, err
	}
	out, err := asn1.Marshal(struct {
		Algorithm pkix.AlgorithmIdentifier
		Data      []byte
	}{pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}, Parameters: asn1.RawValue{FullBytes: pbes2Params}}, encrypted})
	if err != nil {
		return nil, err
	}
	return &pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: out}, nil
}

// WritePEMCert writes certs as PEM to path and returns path.
func WritePEMCert(tb testing.TB, path string, certs ...*x509.Certificate) string {
	tb.Helper()
	writeFile(tb, path, EncodePEMCerts(certs...))
	return path
}

// WritePEMKey writes key as PEM in the given format to path (mode 0600) and
// returns path.
func WritePEMKey(tb testing.TB, path string, key crypto.Signer, format KeyFormat, password []byte) string {
	tb.Helper()
	writeFile(tb, path, EncodePEMKey(tb, key, format, password))
	return path
}

func writeFile(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatalf("testpki: %v", err)
	}
}

// P12Encoding selects the encryption of a PKCS#12 file.
type P12Encoding int

// The PKCS#12 encodings.
const (
	// P12Legacy is 3DES with a SHA-1 MAC (go-pkcs12 LegacyDES), what iOS
	// imports.
	P12Legacy P12Encoding = iota
	// P12Modern is PBES2/AES-256-CBC with a SHA-256 MAC (go-pkcs12
	// Modern2023), OpenSSL 3's default.
	P12Modern
)

// PKCS12 returns leaf's key, certificate and chain as a PKCS#12 file.
func PKCS12(tb testing.TB, leaf *Leaf, enc P12Encoding, password string) []byte {
	tb.Helper()
	encoder := pkcs12.LegacyDES
	if enc == P12Modern {
		encoder = pkcs12.Modern2023
	}
	der, err := encoder.Encode(leaf.Key, leaf.Cert, leaf.Chain, password)
	if err != nil {
		tb.Fatalf("testpki: encoding PKCS#12: %v", err)
	}
	return der
}
