// Package signing signs, verifies, unsigns and encrypts Apple configuration
// profiles as CMS (RFC 5652) structures, and loads the signer identity from
// PEM or PKCS#12 files.
//
// A signed profile is a DER CMS SignedData with the profile plist attached
// as its content, a SHA-256 digest, and the signer certificate plus its
// intermediates embedded so that devices can build the chain and show the
// profile as "Verified". Signing assembles the DER here from a template
// prepared once per signer (the output is byte for byte what
// github.com/smallstep/pkcs7 wrote, which this package used before); parsing
// and verification are done here with crypto/x509 so that BER input and
// signers named by subject key identifier (CMS version 3, as Apple's own
// tools write) work, and so that failures can be reported precisely.
//
// Encryption (an encrypted profile's EncryptedPayloadContent) is CMS
// EnvelopedData with AES-256-CBC content encryption and RSA key transport.
//
// No function here keeps package-level state or changes package-level
// settings of the libraries it uses (Sign keeps what it prepares for a
// signer in that signer's Identity), and no error message contains a
// password or key material.
package signing

import (
	"errors"
	"time"
)

// Sign signs content (a profile plist) with id and returns a DER CMS
// SignedData: content attached with eContentType id-data, SHA-256 digest,
// signed attributes contentType, messageDigest and signingTime, and the
// signer certificate followed by id.Chain embedded. RSA and ECDSA keys work.
//
// Sign checks that the key matches the certificate and that each
// certificate of id.Chain issued the one before it; run CheckIdentity first
// for the remaining checks. Everything that depends only on id (those
// checks, the encoded certificates, the signer's name and the algorithm
// identifiers) is prepared on the first call and kept in id for the next
// ones, which are safe to make concurrently; setting id's fields to other
// values later is noticed and prepares them again. Sign does not parse and
// verify its own output: that would cost more than an ECDSA signature
// itself, crypto/rsa already checks each RSA signature against computation
// faults, and the tests verify the structure with this package and with
// OpenSSL.
func Sign(content []byte, id *Identity) ([]byte, error) {
	return signAt(content, id, time.Now())
}

// signAt is Sign with the signing time given.
func signAt(content []byte, id *Identity, now time.Time) ([]byte, error) {
	if id == nil {
		return nil, errors.New("signing: no signer certificate or private key")
	}
	t := id.prepared.Load()
	if t == nil || !t.builtFrom(id) {
		var err error
		if t, err = newSignTemplate(id); err != nil {
			return nil, err
		}
		id.prepared.Store(t)
	}
	return t.sign(content, now)
}
