package signing

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"

	"golang.org/x/crypto/scrypt"
)

// Object identifiers of PKCS#5 v2 (RFC 8018) password-based encryption.
var (
	oidPBES2          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidScrypt         = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
	oidHMACWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC     = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

// Limits on key-derivation cost, so that a crafted file cannot make us spin
// or allocate without bound. They are far above what OpenSSL writes.
const (
	maxPBKDF2Iterations = 10_000_000
	maxScryptMemory     = 1 << 30 // bytes (128·N·r)
)

type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}

type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

type scryptParams struct {
	Salt      []byte
	N         int
	R         int
	P         int
	KeyLength int `asn1:"optional"`
}

// pkcs8Shape is the outline of PrivateKeyInfo, used to tell a decrypted key
// of a type we do not know from the garbage a wrong password gives.
type pkcs8Shape struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
}

// decryptPKCS8 decrypts an EncryptedPrivateKeyInfo protected with PBES2 and
// returns the DER PrivateKeyInfo.
func decryptPKCS8(der, password []byte) ([]byte, error) {
	var epki encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &epki); err != nil || len(rest) != 0 {
		return nil, errors.New("malformed EncryptedPrivateKeyInfo")
	}
	if !epki.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("unsupported encryption %s (only PBES2 is supported; re-encrypt the key with \"openssl pkcs8 -topk8 -v2 aes-256-cbc\")", epki.Algorithm.Algorithm)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(epki.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, errors.New("malformed PBES2 parameters")
	}

	newCipher, keyLen, err := pbes2Cipher(params.EncryptionScheme.Algorithm)
	if err != nil {
		return nil, err
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.EncryptionScheme.Parameters.FullBytes, &iv); err != nil {
		return nil, errors.New("malformed PBES2 encryption parameters (IV)")
	}
	key, err := pbes2Key(params.KeyDerivationFunc, password, keyLen)
	if err != nil {
		return nil, err
	}
	block, err := newCipher(key)
	if err != nil {
		return nil, err
	}
	plain, err := cbcDecrypt(block, iv, epki.EncryptedData)
	if errors.Is(err, errBadPadding) {
		return nil, ErrIncorrectPassword
	}
	if err != nil {
		return nil, err
	}
	var shape pkcs8Shape
	if rest, err := asn1.Unmarshal(plain, &shape); err != nil || len(rest) != 0 {
		return nil, ErrIncorrectPassword
	}
	return plain, nil
}

// pbes2Cipher returns the block cipher constructor and key length of a PBES2
// encryption scheme.
func pbes2Cipher(oid asn1.ObjectIdentifier) (func([]byte) (cipher.Block, error), int, error) {
	switch {
	case oid.Equal(oidAES128CBC):
		return aes.NewCipher, 16, nil
	case oid.Equal(oidAES192CBC):
		return aes.NewCipher, 24, nil
	case oid.Equal(oidAES256CBC):
		return aes.NewCipher, 32, nil
	case oid.Equal(oidDESEDE3CBC):
		return des.NewTripleDESCipher, 24, nil
	}
	return nil, 0, fmt.Errorf("unsupported PBES2 cipher %s (AES-CBC and 3DES-CBC are supported)", oid)
}

// pbes2Key derives the encryption key with PBKDF2 or scrypt.
func pbes2Key(kdf pkix.AlgorithmIdentifier, password []byte, keyLen int) ([]byte, error) {
	switch {
	case kdf.Algorithm.Equal(oidPBKDF2):
		var p pbkdf2Params
		if _, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &p); err != nil {
			return nil, errors.New("malformed PBKDF2 parameters")
		}
		if p.Iterations < 1 || p.Iterations > maxPBKDF2Iterations {
			return nil, fmt.Errorf("PBKDF2 iteration count %d is out of range", p.Iterations)
		}
		if p.KeyLength != 0 && p.KeyLength != keyLen {
			return nil, fmt.Errorf("PBKDF2 key length %d does not fit the cipher", p.KeyLength)
		}
		var prf func() hash.Hash
		switch alg := p.PRF.Algorithm; {
		case len(alg) == 0, alg.Equal(oidHMACWithSHA1): // the default
			prf = sha1.New
		case alg.Equal(oidHMACWithSHA224):
			prf = sha256.New224
		case alg.Equal(oidHMACWithSHA256):
			prf = sha256.New
		case alg.Equal(oidHMACWithSHA384):
			prf = sha512.New384
		case alg.Equal(oidHMACWithSHA512):
			prf = sha512.New
		default:
			return nil, fmt.Errorf("unsupported PBKDF2 pseudo-random function %s", alg)
		}
		return pbkdf2.Key(prf, string(password), p.Salt, p.Iterations, keyLen)
	case kdf.Algorithm.Equal(oidScrypt):
		var p scryptParams
		if _, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &p); err != nil {
			return nil, errors.New("malformed scrypt parameters")
		}
		if p.N < 2 || p.R < 1 || p.P < 1 || p.R > maxScryptMemory/128/p.N || p.P > 64 {
			return nil, fmt.Errorf("scrypt parameters N=%d r=%d p=%d are out of range", p.N, p.R, p.P)
		}
		if p.KeyLength != 0 && p.KeyLength != keyLen {
			return nil, fmt.Errorf("scrypt key length %d does not fit the cipher", p.KeyLength)
		}
		return scrypt.Key(password, p.Salt, p.N, p.R, p.P, keyLen)
	}
	return nil, fmt.Errorf("unsupported key derivation function %s (PBKDF2 and scrypt are supported)", kdf.Algorithm)
}

// errBadPadding is returned by cbcDecrypt when the PKCS#7 padding is wrong,
// which for password-based encryption means a wrong password.
var errBadPadding = errors.New("bad padding")

// cbcDecrypt decrypts CBC ciphertext and removes PKCS#7 padding.
func cbcDecrypt(block cipher.Block, iv, ciphertext []byte) ([]byte, error) {
	bs := block.BlockSize()
	if len(iv) != bs {
		return nil, fmt.Errorf("the IV is %d bytes; the cipher needs %d", len(iv), bs)
	}
	if len(ciphertext) == 0 || len(ciphertext)%bs != 0 {
		return nil, errors.New("the encrypted data is not a whole number of cipher blocks")
	}
	plain := make([]byte, len(ciphertext))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, ciphertext)
	n := int(plain[len(plain)-1])
	if n == 0 || n > bs {
		return nil, errBadPadding
	}
	for _, b := range plain[len(plain)-n:] {
		if int(b) != n {
			return nil, errBadPadding
		}
	}
	return plain[:len(plain)-n], nil
}
