package signing

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// Errors about private key passwords. Errors returned by ParsePrivateKey,
// LoadPEMIdentity, LoadPKCS12Identity and ReencodePKCS12ForDevice wrap one
// of these when the password is the problem; test with errors.Is. No error
// ever contains the password.
var (
	// ErrPasswordRequired means the key or PKCS#12 file is encrypted and no
	// password was given.
	ErrPasswordRequired = errors.New("it is encrypted and no password was given")
	// ErrIncorrectPassword means the password does not decrypt the key or
	// PKCS#12 file.
	ErrIncorrectPassword = errors.New("the password is incorrect")
)

// ParseCertificates reads certificates from PEM data (any number of
// CERTIFICATE blocks; other blocks, such as a private key in the same file,
// are ignored) or from DER (one certificate, or several concatenated).
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	if isPEM(data) {
		var certs []*x509.Certificate
		var others []string
		rest := data
		for {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			if block.Type != "CERTIFICATE" {
				others = append(others, block.Type)
				continue
			}
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM certificate %d cannot be parsed: %v", len(certs)+1, err)
			}
			certs = append(certs, c)
		}
		if len(certs) == 0 {
			if len(others) > 0 {
				return nil, fmt.Errorf("no CERTIFICATE block in the PEM data (found %s)", strings.Join(others, ", "))
			}
			return nil, errors.New("no CERTIFICATE block in the PEM data")
		}
		return certs, nil
	}
	if len(data) == 0 {
		return nil, errors.New("the certificate data is empty")
	}
	certs, err := x509.ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("the data is neither PEM nor a DER certificate: %v", err)
	}
	if len(certs) == 0 {
		return nil, errors.New("the certificate data is empty")
	}
	return certs, nil
}

// isPEM reports whether data contains a PEM block.
func isPEM(data []byte) bool { return bytes.Contains(data, []byte("-----BEGIN ")) }

// ParsePrivateKey reads a private key that can sign: RSA or ECDSA (and
// Ed25519, which CheckIdentity then rejects). It accepts PEM in these forms,
// skipping any other PEM blocks (such as certificates) in the same data:
//
//   - "RSA PRIVATE KEY" (PKCS#1) and "EC PRIVATE KEY" (SEC1), also with
//     legacy OpenSSL encryption ("Proc-Type: 4,ENCRYPTED");
//   - "PRIVATE KEY" (PKCS#8);
//   - "ENCRYPTED PRIVATE KEY" (PKCS#8 with PBES2: PBKDF2 or scrypt, with
//     AES-CBC or 3DES-CBC; OpenSSL 3 writes PBKDF2-HMAC-SHA256 with
//     AES-256-CBC by default).
//
// DER PKCS#8, PKCS#1 and SEC1 keys are accepted as well. The password is
// used only for encrypted keys. A missing password gives an error wrapping
// ErrPasswordRequired, a wrong one an error wrapping ErrIncorrectPassword.
func ParsePrivateKey(pemData, password []byte) (crypto.Signer, error) {
	if !isPEM(pemData) {
		if len(pemData) == 0 {
			return nil, errors.New("the private key data is empty")
		}
		key, err := parseUnencryptedKey("", pemData)
		if err != nil {
			return nil, errors.New("the data is neither a PEM private key nor a DER PKCS#8, PKCS#1 or SEC1 key")
		}
		return key, nil
	}
	rest := pemData
	var seen []string
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch block.Type {
		case "RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY":
			return parsePEMKey(block, password)
		case "ENCRYPTED PRIVATE KEY":
			if len(password) == 0 {
				return nil, fmt.Errorf("private key (ENCRYPTED PRIVATE KEY): %w", ErrPasswordRequired)
			}
			der, err := decryptPKCS8(block.Bytes, password)
			if err != nil {
				return nil, fmt.Errorf("private key (ENCRYPTED PRIVATE KEY): %w", err)
			}
			key, err := parseUnencryptedKey("PRIVATE KEY", der)
			if err != nil {
				return nil, fmt.Errorf("the decrypted private key cannot be used: %v", err)
			}
			return key, nil
		case "OPENSSH PRIVATE KEY":
			return nil, errors.New("OpenSSH private keys are not supported: convert the key to PKCS#8, for example with \"ssh-keygen -p -m PKCS8 -f key\"")
		default:
			seen = append(seen, block.Type)
		}
	}
	if len(seen) > 0 {
		return nil, fmt.Errorf("no private key in the PEM data (found %s)", strings.Join(seen, ", "))
	}
	return nil, errors.New("no private key in the PEM data")
}

// parsePEMKey parses a PKCS#1, SEC1 or PKCS#8 block, decrypting legacy
// "Proc-Type: 4,ENCRYPTED" blocks first.
func parsePEMKey(block *pem.Block, password []byte) (crypto.Signer, error) {
	//lint:ignore SA1019 legacy encrypted PEM is still what "openssl rsa -aes256 -traditional" and many CAs write; we only read it.
	if !x509.IsEncryptedPEMBlock(block) {
		key, err := parseUnencryptedKey(block.Type, block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("the %s cannot be parsed: %v", block.Type, err)
		}
		return key, nil
	}
	if len(password) == 0 {
		return nil, fmt.Errorf("private key (%s): %w", block.Type, ErrPasswordRequired)
	}
	//lint:ignore SA1019 see above; RFC 1423 encryption is insecure, but reading it is harmless.
	der, err := x509.DecryptPEMBlock(block, password)
	if errors.Is(err, x509.IncorrectPasswordError) {
		return nil, fmt.Errorf("private key (%s): %w", block.Type, ErrIncorrectPassword)
	}
	if err != nil {
		return nil, fmt.Errorf("private key (%s): %v", block.Type, err)
	}
	key, err := parseUnencryptedKey(block.Type, der)
	if err != nil {
		// The legacy format cannot always tell a wrong password from a right
		// one; garbage after decryption means it was wrong.
		return nil, fmt.Errorf("private key (%s): %w", block.Type, ErrIncorrectPassword)
	}
	return key, nil
}

// parseUnencryptedKey parses DER of the given PEM type; an empty type tries
// every form.
func parseUnencryptedKey(pemType string, der []byte) (crypto.Signer, error) {
	var key any
	var err error
	switch pemType {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(der)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(der)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(der)
	default:
		if key, err = x509.ParsePKCS8PrivateKey(der); err != nil {
			if key, err = x509.ParsePKCS1PrivateKey(der); err != nil {
				key, err = x509.ParseECPrivateKey(der)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("a %T cannot sign; use an RSA or ECDSA key", key)
	}
	return signer, nil
}
