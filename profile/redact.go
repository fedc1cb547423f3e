package profile

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"slices"
	"strings"
)

// Marker replaces a secret in everything graph2mobileconfig prints.
const Marker = "«redacted»"

// What counts as a secret. A value is redacted when any of these holds:
//
//  1. its key names a secret (IsSecretKey): it is one of secretKeys, or
//     it contains one of secretWords, or it ends in "key" (PrivateKey,
//     PreSharedKey, APIKey); but not when it ends in one of
//     settingSuffixes (XAuthPasswordEncryption, TokenType: settings about
//     a secret) or is one of publicKeys;
//  2. its payload keeps a secret under a key of its own (secretPayloadKeys:
//     the PKCS#12 identity of com.apple.security.pkcs12, the PKCS#12 of an
//     Exchange account's Certificate);
//  3. its content is a private key, whatever its key: data that is a
//     PKCS#12 file or a DER private key (PKCS#1, PKCS#8, encrypted PKCS#8,
//     SEC1), or data or a string holding a PEM private key.
//
// Booleans are never secrets (a flag such as PromptForVPNPassword is a
// setting), and empty values are shown as they are. A secret is replaced
// whole, whatever its type: a shared secret written as an <integer>, or an
// array of passwords, is one Marker. Keys such as KeySize, Key Usage,
// ExtendedKeyUsage or PayloadCertificateUUID are not secrets by these
// rules, since their values are needed to read a profile.
var (
	secretKeys = []string{
		"SharedSecret", "AuthPassword", "XAuthPassword", "Password", "HTTPProxyPassword", "ProxyPassword",
		"Challenge", "RemovalPassword", "UserPassword", "CertificatePassword", "PrivateKey", "PreSharedKey",
		"Passphrase", "ClientSecret", "APIKey", "AccessToken", "PIN",
	}
	secretWords     = []string{"password", "passphrase", "passwd", "secret", "token", "challenge", "psk"}
	settingSuffixes = []string{"encryption", "enabled", "required", "type", "length", "usage", "policy", "prompt", "card"}
	publicKeys      = []string{"publickey"}
	// secretPayloadKeys maps a PayloadType to the key where it keeps a
	// secret of its own.
	secretPayloadKeys = map[string]string{
		"com.apple.security.pkcs12": "PayloadContent",
		"com.apple.eas.account":     "Certificate",
	}
)

// IsSecretKey reports whether a dictionary key names a secret (rule 1).
func IsSecretKey(key string) bool {
	if slices.Contains(secretKeys, key) {
		return true
	}
	l := strings.ToLower(strings.ReplaceAll(key, " ", ""))
	if slices.Contains(publicKeys, l) {
		return false
	}
	for _, s := range settingSuffixes {
		if strings.HasSuffix(l, s) {
			return false
		}
	}
	for _, w := range secretWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return strings.HasSuffix(l, "key")
}

// Redact returns a copy of v (a decoded property list) in which every
// secret is replaced by Marker, and how many were replaced. v itself is not
// changed.
func Redact(v any) (any, int) {
	n := 0
	return redact(v, &n, true), n
}

// CountSecrets returns how many values Redact would replace, without
// copying anything.
func CountSecrets(v any) int {
	n := 0
	redact(v, &n, false)
	return n
}

// redact walks v; with copying set it returns the redacted copy. The depth
// of v is bounded by plistout.MaxDepth, which bounds the recursion.
func redact(v any, n *int, copying bool) any {
	switch x := v.(type) {
	case Dict:
		return redact(map[string]any(x), n, copying)
	case map[string]any:
		payloadType, _ := x["PayloadType"].(string)
		payloadSecret := secretPayloadKeys[payloadType]
		var out map[string]any
		if copying {
			out = make(map[string]any, len(x))
		}
		for k, val := range x {
			if isSecretValue(val, IsSecretKey(k) || payloadSecret != "" && k == payloadSecret) {
				*n++
				if copying {
					out[k] = Marker
				}
				continue
			}
			c := redact(val, n, copying)
			if copying {
				out[k] = c
			}
		}
		if !copying {
			return nil
		}
		return out
	case []any:
		var out []any
		if copying {
			out = make([]any, len(x))
		}
		for i, val := range x {
			var c any
			if isSecretValue(val, false) {
				*n++
				c = Marker
			} else {
				c = redact(val, n, copying)
			}
			if copying {
				out[i] = c
			}
		}
		if !copying {
			return nil
		}
		return out
	}
	if isSecretValue(v, false) {
		*n++
		return Marker
	}
	return v
}

// isSecretValue reports whether a value is redacted: under a secret key
// (byKey) any non-empty value but a boolean, and anywhere a private key.
func isSecretValue(v any, byKey bool) bool {
	switch x := v.(type) {
	case nil, bool:
		return false
	case string:
		return byKey && x != "" || strings.Contains(x, "PRIVATE KEY-----")
	case []byte:
		return byKey && len(x) > 0 || holdsPrivateKey(x)
	case []any:
		return byKey && len(x) > 0
	case map[string]any:
		return byKey && len(x) > 0
	case Dict:
		return byKey && len(x) > 0
	}
	return byKey
}

// holdsPrivateKey reports whether data is, or holds, private key material:
// a PEM private key, a PKCS#12 file (DER or BER; recognised by its
// structure, without its password), or a DER private key.
func holdsPrivateKey(data []byte) bool {
	if bytes.Contains(data, []byte("PRIVATE KEY-----")) {
		return true
	}
	if len(data) < 8 || data[0] != 0x30 {
		return false
	}
	return isPKCS12(data) || isDERPrivateKey(data)
}

// pkcs12Start is how a PKCS#12 PFX continues after its outer SEQUENCE
// header: version 3, then the authSafe ContentInfo SEQUENCE.
var pkcs12Version = []byte{0x02, 0x01, 0x03, 0x30}

// contentTypePrefix is the encoding of a PKCS#7 content type OID
// (1.2.840.113549.1.7.x) up to its last arc: data (1) or signedData (2) for
// a PFX's authSafe.
var contentTypePrefix = []byte{0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07}

// isPKCS12 recognises a PFX by its first bytes, which works for the BER
// (indefinite-length) encodings that some tools write as well.
func isPKCS12(data []byte) bool {
	rest, ok := skipHeader(data)
	if !ok || !bytes.HasPrefix(rest, pkcs12Version) {
		return false
	}
	rest, ok = skipHeader(rest[len(pkcs12Version)-1:])
	if !ok || !bytes.HasPrefix(rest, contentTypePrefix) || len(rest) <= len(contentTypePrefix) {
		return false
	}
	last := rest[len(contentTypePrefix)]
	return last == 1 || last == 2
}

// skipHeader skips the tag and length of the SEQUENCE at the start of b
// (definite or indefinite length) and returns its contents onwards.
func skipHeader(b []byte) ([]byte, bool) {
	if len(b) < 2 || b[0] != 0x30 {
		return nil, false
	}
	switch l := b[1]; {
	case l < 0x80 || l == 0x80:
		return b[2:], true
	case l <= 0x84 && len(b) >= 2+int(l&0x7F):
		return b[2+int(l&0x7F):], true
	}
	return nil, false
}

// isDERPrivateKey recognises the DER private key encodings by their
// structure, without checking the key's mathematics.
func isDERPrivateKey(data []byte) bool {
	// PKCS#8 PrivateKeyInfo: version 0 or 1, algorithm, key.
	var p8 struct {
		Version   int
		Algorithm pkix.AlgorithmIdentifier
		Key       []byte
	}
	if _, err := asn1.Unmarshal(data, &p8); err == nil && (p8.Version == 0 || p8.Version == 1) && len(p8.Key) > 0 {
		return true
	}
	// EncryptedPrivateKeyInfo: a PBES2 or PKCS#12 PBE algorithm, then
	// the encrypted key.
	var enc struct {
		Algorithm pkix.AlgorithmIdentifier
		Data      []byte
	}
	if _, err := asn1.Unmarshal(data, &enc); err == nil && len(enc.Data) > 0 {
		alg := enc.Algorithm.Algorithm
		pbes2 := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
		pkcs12PBE := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1}
		if alg.Equal(pbes2) || len(alg) == len(pkcs12PBE)+1 && alg[:len(pkcs12PBE)].Equal(pkcs12PBE) {
			return true
		}
	}
	// PKCS#1 RSAPrivateKey: version 0, then n, e, d, p, q, ….
	var rsa struct {
		Version          int
		N, E, D, P, Q, X *big.Int
	}
	if _, err := asn1.Unmarshal(data, &rsa); err == nil && rsa.Version == 0 && rsa.Q != nil {
		return true
	}
	// SEC1 ECPrivateKey: version 1, then the key.
	var ec struct {
		Version int
		Key     []byte
	}
	if _, err := asn1.Unmarshal(data, &ec); err == nil && ec.Version == 1 && len(ec.Key) > 0 {
		return true
	}
	return false
}
