package signing

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
)

// ErrUnsupportedRecipient is wrapped by the error Encrypt returns for a
// recipient certificate whose key is not RSA.
var ErrUnsupportedRecipient = errors.New("only RSA device certificates are supported as encryption recipients")

// envelopedDataASN is CMS EnvelopedData (RFC 5652, section 6.1).
type envelopedDataASN struct {
	Version              int
	OriginatorInfo       asn1.RawValue   `asn1:"optional,tag:0"`
	RecipientInfos       []asn1.RawValue `asn1:"set"`
	EncryptedContentInfo encryptedContentInfo
	UnprotectedAttrs     asn1.RawValue `asn1:"optional,tag:1"`
}

type encryptedContentInfo struct {
	ContentType      asn1.ObjectIdentifier
	Algorithm        pkix.AlgorithmIdentifier
	EncryptedContent asn1.RawValue `asn1:"optional,tag:0"`
}

// keyTransRecipientInfo is KeyTransRecipientInfo; RID is IssuerAndSerialNumber
// (version 0) or [0] SubjectKeyIdentifier (version 2).
type keyTransRecipientInfo struct {
	Version                int
	RID                    asn1.RawValue
	KeyEncryptionAlgorithm pkix.AlgorithmIdentifier
	EncryptedKey           []byte
}

// rsaOAEPParams are RSAES-OAEP-params (RFC 4055); absent fields mean SHA-1.
type rsaOAEPParams struct {
	HashFunc    pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
	MaskGenFunc pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
	PSourceFunc pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:2"`
}

// Encrypt wraps plaintext in a DER CMS EnvelopedData for recipient:
// AES-256-CBC content encryption, with the content key encrypted to the
// recipient's RSA key (PKCS#1 v1.5, which devices and "openssl cms -decrypt"
// accept). Recipients with other key types give an error wrapping
// ErrUnsupportedRecipient.
//
// Encrypt is implemented here rather than with pkcs7.Encrypt because that
// function takes its algorithms from package-level variables, which would
// have to be changed (racily) for every call.
func Encrypt(plaintext []byte, recipient *x509.Certificate) ([]byte, error) {
	if recipient == nil {
		return nil, errors.New("encrypting: no recipient certificate")
	}
	pub, ok := recipient.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("encrypting to %q: %w (the certificate has a %s key)", recipient.Subject.String(), ErrUnsupportedRecipient, recipient.PublicKeyAlgorithm)
	}

	key := make([]byte, 32)
	iv := make([]byte, aes.BlockSize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if _, err := rand.Read(iv); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	padLen := aes.BlockSize - len(plaintext)%aes.BlockSize
	padded := append(append(make([]byte, 0, len(plaintext)+padLen), plaintext...), bytes.Repeat([]byte{byte(padLen)}, padLen)...)
	ciphertext := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ciphertext, padded)

	encryptedKey, err := rsa.EncryptPKCS1v15(rand.Reader, pub, key)
	if err != nil {
		return nil, fmt.Errorf("encrypting to %q: %v", recipient.Subject.String(), err)
	}
	rid, err := asn1.Marshal(issuerAndSerial{Issuer: asn1.RawValue{FullBytes: recipient.RawIssuer}, Serial: recipient.SerialNumber})
	if err != nil {
		return nil, err
	}
	ivDER, err := asn1.Marshal(iv)
	if err != nil {
		return nil, err
	}
	ktri, err := asn1.Marshal(keyTransRecipientInfo{
		Version:                0,
		RID:                    asn1.RawValue{FullBytes: rid},
		KeyEncryptionAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oidRSAEncryption, Parameters: asn1.NullRawValue},
		EncryptedKey:           encryptedKey,
	})
	if err != nil {
		return nil, err
	}
	env, err := asn1.Marshal(envelopedDataASN{
		Version:        0,
		RecipientInfos: []asn1.RawValue{{FullBytes: ktri}},
		EncryptedContentInfo: encryptedContentInfo{
			ContentType:      oidData,
			Algorithm:        pkix.AlgorithmIdentifier{Algorithm: oidAES256CBC, Parameters: asn1.RawValue{FullBytes: ivDER}},
			EncryptedContent: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: ciphertext},
		},
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(contentInfo{ContentType: oidEnvelopedData, Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: env}})
}

// Decrypt decrypts a CMS EnvelopedData (DER or BER) addressed to cert, with
// key, the certificate's RSA private key. It reads what Encrypt writes and
// what "openssl cms -encrypt" writes: AES-128/192/256-CBC or 3DES-CBC
// content encryption, RSA PKCS#1 v1.5 or RSA-OAEP key transport, recipients
// named by issuer and serial number or by subject key identifier.
func Decrypt(der []byte, cert *x509.Certificate, key crypto.PrivateKey) ([]byte, error) {
	if cert == nil {
		return nil, errors.New("decrypting: no recipient certificate")
	}
	dec, ok := key.(crypto.Decrypter)
	if !ok {
		return nil, fmt.Errorf("decrypting: a %T cannot decrypt; only RSA keys are supported", key)
	}
	if _, ok := dec.Public().(*rsa.PublicKey); !ok {
		return nil, errors.New("decrypting: only RSA keys are supported")
	}
	if !publicKeysEqual(dec.Public(), cert.PublicKey) {
		return nil, fmt.Errorf("decrypting: the private key does not match the certificate %q", cert.Subject.String())
	}

	ci, err := parseContentInfo(der)
	if err != nil {
		return nil, fmt.Errorf("decrypting: %v", err)
	}
	if !ci.ContentType.Equal(oidEnvelopedData) {
		return nil, fmt.Errorf("decrypting: the data is CMS content of type %s, not EnvelopedData", ci.ContentType)
	}
	var env envelopedDataASN
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &env); err != nil || len(rest) != 0 {
		return nil, errors.New("decrypting: malformed CMS EnvelopedData")
	}

	ktri, err := findRecipient(env.RecipientInfos, cert)
	if err != nil {
		return nil, err
	}
	var opts crypto.DecrypterOpts
	switch alg := ktri.KeyEncryptionAlgorithm; {
	case alg.Algorithm.Equal(oidRSAEncryption):
		opts = &rsa.PKCS1v15DecryptOptions{}
	case alg.Algorithm.Equal(oidRSAESOAEP):
		o, err := oaepOptions(alg.Parameters.FullBytes)
		if err != nil {
			return nil, fmt.Errorf("decrypting: %v", err)
		}
		opts = o
	default:
		return nil, fmt.Errorf("decrypting: unsupported key transport algorithm %s", alg.Algorithm)
	}
	contentKey, err := dec.Decrypt(rand.Reader, ktri.EncryptedKey, opts)
	if err != nil {
		return nil, errors.New("decrypting: the content key cannot be decrypted with this private key")
	}

	eci := env.EncryptedContentInfo
	newCipher, keyLen, err := pbes2Cipher(eci.Algorithm.Algorithm)
	if err != nil {
		return nil, fmt.Errorf("decrypting: unsupported content encryption algorithm %s", eci.Algorithm.Algorithm)
	}
	if len(contentKey) != keyLen {
		return nil, errors.New("decrypting: the content key has the wrong length for the cipher")
	}
	var iv []byte
	if _, err := asn1.Unmarshal(eci.Algorithm.Parameters.FullBytes, &iv); err != nil {
		return nil, errors.New("decrypting: malformed content encryption parameters (IV)")
	}
	ciphertext := eci.EncryptedContent.Bytes
	if eci.EncryptedContent.IsCompound {
		// [0] IMPLICIT OCTET STRING in constructed form: join the segments.
		if ciphertext, err = joinOctetStrings(ciphertext); err != nil {
			return nil, fmt.Errorf("decrypting: %v", err)
		}
	}
	block, err := newCipher(contentKey)
	if err != nil {
		return nil, fmt.Errorf("decrypting: %v", err)
	}
	plain, err := cbcDecrypt(block, iv, ciphertext)
	if err != nil {
		return nil, errors.New("decrypting: the content cannot be decrypted (corrupt data or wrong key)")
	}
	return plain, nil
}

// findRecipient returns the KeyTransRecipientInfo addressed to cert.
func findRecipient(infos []asn1.RawValue, cert *x509.Certificate) (*keyTransRecipientInfo, error) {
	for _, raw := range infos {
		if raw.Class != asn1.ClassUniversal || raw.Tag != asn1.TagSequence {
			continue // key agreement, KEK or password recipients
		}
		var k keyTransRecipientInfo
		if _, err := asn1.Unmarshal(raw.FullBytes, &k); err != nil {
			return nil, errors.New("decrypting: malformed KeyTransRecipientInfo")
		}
		si := &signerInfo{}
		switch {
		case k.RID.Class == asn1.ClassUniversal && k.RID.Tag == asn1.TagSequence:
			var ias issuerAndSerial
			if _, err := asn1.Unmarshal(k.RID.FullBytes, &ias); err != nil {
				return nil, errors.New("decrypting: malformed recipient identifier")
			}
			si.issuer = &ias
		case k.RID.Class == asn1.ClassContextSpecific && k.RID.Tag == 0:
			si.ski = k.RID.Bytes
		default:
			continue
		}
		if findSignerCert([]*x509.Certificate{cert}, si) != nil {
			return &k, nil
		}
	}
	return nil, fmt.Errorf("decrypting: the data is not encrypted to the certificate %q (no recipient matches its issuer and serial number or key identifier)", cert.Subject.String())
}

// oaepOptions reads RSAES-OAEP parameters.
func oaepOptions(params []byte) (*rsa.OAEPOptions, error) {
	p := rsaOAEPParams{}
	if len(params) > 0 && !bytes.Equal(params, asn1.NullBytes) {
		if _, err := asn1.Unmarshal(params, &p); err != nil {
			return nil, errors.New("malformed RSA-OAEP parameters")
		}
	}
	opts := &rsa.OAEPOptions{Hash: crypto.SHA1, MGFHash: crypto.SHA1}
	if len(p.HashFunc.Algorithm) > 0 {
		h, ok := digestHash(p.HashFunc.Algorithm)
		if !ok {
			return nil, fmt.Errorf("unsupported RSA-OAEP hash %s", p.HashFunc.Algorithm)
		}
		opts.Hash = h
	}
	if len(p.MaskGenFunc.Algorithm) > 0 {
		var mgfHash pkix.AlgorithmIdentifier
		if _, err := asn1.Unmarshal(p.MaskGenFunc.Parameters.FullBytes, &mgfHash); err != nil {
			return nil, errors.New("malformed RSA-OAEP mask generation parameters")
		}
		h, ok := digestHash(mgfHash.Algorithm)
		if !ok {
			return nil, fmt.Errorf("unsupported RSA-OAEP mask generation hash %s", mgfHash.Algorithm)
		}
		opts.MGFHash = h
	}
	return opts, nil
}
