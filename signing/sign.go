// Package signing signs, verifies, unsigns and encrypts Apple configuration
// profiles as CMS (RFC 5652) structures, and loads the signer identity from
// PEM or PKCS#12 files.
//
// A signed profile is a DER CMS SignedData with the profile plist attached
// as its content, a SHA-256 digest, and the signer certificate plus its
// intermediates embedded so that devices can build the chain and show the
// profile as "Verified". Signing uses github.com/smallstep/pkcs7; parsing
// and verification are done here with crypto/x509 so that BER input and
// signers named by subject key identifier (CMS version 3, as Apple's own
// tools write) work, and so that failures can be reported precisely.
//
// Encryption (an encrypted profile's EncryptedPayloadContent) is CMS
// EnvelopedData with AES-256-CBC content encryption and RSA key transport.
//
// No function here keeps state between calls or changes package-level
// settings of the libraries it uses, and no error message contains a
// password or key material.
package signing

import (
	"errors"
	"fmt"

	"github.com/smallstep/pkcs7"
)

// Sign signs content (a profile plist) with id and returns a DER CMS
// SignedData: content attached with eContentType id-data, SHA-256 digest,
// signed attributes contentType, messageDigest and signingTime, and the
// signer certificate followed by id.Chain embedded. RSA and ECDSA keys work.
//
// Sign checks that the key matches the certificate; run CheckIdentity first
// for the remaining checks. It does not parse and verify its own output: that
// would cost more than an ECDSA signature itself, crypto/rsa already checks
// each RSA signature against computation faults, and the tests verify the
// structure with this package and with OpenSSL.
func Sign(content []byte, id *Identity) ([]byte, error) {
	if id == nil || id.Certificate == nil || id.PrivateKey == nil {
		return nil, errors.New("signing: no signer certificate or private key")
	}
	if !publicKeysEqual(id.PrivateKey.Public(), id.Certificate.PublicKey) {
		return nil, fmt.Errorf("signing: the private key does not match the signer certificate %q", id.Certificate.Subject.String())
	}
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, fmt.Errorf("signing: %v", err)
	}
	// The library's default digest is SHA-1; set it on this SignedData only
	// (SetDefaultDigestAlgorithm would change a process-wide default).
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSignerChain(id.Certificate, id.PrivateKey, id.Chain, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("signing: %v", err)
	}
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("signing: %v", err)
	}
	return der, nil
}
